"""Fit the answer model (assistant/models/answer_model.json) on the SQuAD 2.0 reading set and the
conflict training questions (scripts/data/conflict_train.jsonl).

    python scripts/conflict_train_docs.py /tmp/train-docs
    assistant ingest corpus ../shared/data/squad2-dev/articles --index /tmp/read-index
    assistant ingest corpus /tmp/train-docs --index /tmp/train-index
    python scripts/fit_answer_model.py --index /tmp/read-index --conflict scripts/data/conflict_train.jsonl \
        --conflict-index /tmp/train-index --target-false-abstain 0.10 [--cache /tmp/read.features.pkl]

The conflict training questions (181: 40 MUC-4 training reports that are not in the bundled corpus
and the ten UN reports; 40% of them unanswerable although they look answerable) were written for
this from the documents alone; none is a development question.

DIR: an index holding ../shared/data/squad2-dev/articles (with the bundled corpus beside them, as
`score_dev.py reading` asks). Each of the 3,365 questions (half of them written to look answerable
although the article does not answer them) goes through the assistant's own question analysis,
retrieval and passage features (assistant/relevance.py), so the model sees exactly what it will
see when answering. Two logistic models are fit:

- passage: does this passage hold the answer (a gold answer string occurs in it, and the question
  is answerable)?
- question: do the reports answer the question at all, from its three best passages?

Every figure printed is measured leave-one-article-out: each article's questions are scored by
models fit on the other eight (the conflict questions in three folds of their own), so they say how
the models do on articles they have not seen. The threshold is the question probability below which
the answer abstains, chosen so that at most `--target-false-abstain` of the reading set's answerable
questions would be declined (on held-out articles); the conflict questions' figures are printed
beside it.
Needs scikit-learn (installed with sentence-transformers).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings, quiet_runtime  # noqa: E402

quiet_runtime()

from assistant import answer_model, relevance  # noqa: E402
from assistant.choose import asked_by  # noqa: E402
from assistant.pipeline import open_assistant  # noqa: E402
from assistant.question import analyse_question  # noqa: E402
from assistant.retrieve import retrieve  # noqa: E402
from assistant.types import Filters  # noqa: E402


def fold(s: str) -> str:
    return re.sub(r"\s+", " ", s or "").strip().lower()


def collect(index: Path, questions: list[dict]) -> list[dict]:
    """Each question's candidate passages: features and whether they hold a gold answer (reading-set
    questions: one of the answer strings; conflict questions: every fact of one expected item)."""
    a = open_assistant(Settings.from_env(index_dir=index))
    a.refresh()
    s = a.settings
    out = []
    t0 = time.time()
    for n, q in enumerate(questions):
        info = analyse_question(q["question"])
        vector = a.query_embedder().embed([q["question"]])[0]
        hits = retrieve(
            q["question"],
            vector=vector,
            store=a.store,
            lex=a.lexical_index(),
            docs=a.documents_by_id(),
            filters=Filters(),
            n=s.hits,
            candidates=s.candidates,
            rrf_k=s.rrf_k,
            vectors=a.dense_index(),
        )
        ps = relevance.passages(info, hits, vector=vector, lex=a.lexical_index(), model=None, asked=asked_by(info))
        if "answers" in q:
            items = [[fold(g)] for g in q["answers"]]
        else:
            items = [[fold(f) for f in e["facts"]] for e in q["expect"]]
        out.append(
            {
                "article": q["article"],
                "answerable": q["answerable"],
                "weight": q.get("weight", 1.0),
                "x": np.array([p.features for p in ps], dtype=np.float64).reshape(len(ps), len(answer_model.FEATURES)),
                "y": np.array(
                    [q["answerable"] and any(all(f in fold(p.text) for f in item) for item in items) for p in ps],
                    dtype=bool,
                ),
            }
        )
        if n % 500 == 0:
            print(f"{n} questions, {time.time() - t0:.0f} s", file=sys.stderr)
    return out


def cached(path: Path | None, compute):
    """compute(), kept in `path` under a key of the feature code (relevance.py, question.py, ...)."""
    import hashlib
    import pickle

    code = [(ROOT / "assistant" / f).read_text() for f in ("relevance.py", "question.py", "speakers.py", "figures.py")]
    key = hashlib.sha256("\n".join([*code, repr(answer_model.FEATURES)]).encode()).hexdigest()
    if path is not None and path.exists():
        stored = pickle.loads(path.read_bytes())
        if stored["key"] == key:
            return stored["data"]
    data = compute()
    if path is not None:
        path.write_bytes(pickle.dumps({"key": key, "data": data}))
    return data


def reading_quantile(qp: np.ndarray, data: list[dict], share: float) -> float:
    """The question probability below which `share` of the reading set's answerable questions fall
    (the conflict questions are too few to place it; their false abstentions are reported)."""
    ans = np.array([d["answerable"] and not d["article"].startswith("conflict:") for d in data])
    return float(np.quantile(qp[ans], share))


def fit_linear(x: np.ndarray, y: np.ndarray, c: float, w: np.ndarray | None = None):
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(0), x.std(0)
    scale[scale < 1e-9] = 1.0
    m = LogisticRegression(C=c, max_iter=5000).fit(answer_model.standardise(x, mean, scale), y, sample_weight=w)
    return {"mean": mean, "scale": scale, "weights": m.coef_[0], "bias": float(m.intercept_[0])}


def as_linear(d: dict, names: tuple[str, ...]) -> answer_model.Linear:
    return answer_model.Linear(names=names, mean=d["mean"], scale=d["scale"], weights=d["weights"], bias=d["bias"])


class _Ranked:
    """Stands for a passage in `answer_model.question_features` (its features and relevance)."""

    __slots__ = ("features", "relevance")

    def __init__(self, features: np.ndarray, rel: float) -> None:
        self.features, self.relevance = tuple(features), rel

    def feature(self, name: str) -> float:
        return self.features[answer_model.FEATURES.index(name)]


def question_rows(data: list[dict], probs: list[np.ndarray]) -> np.ndarray:
    rows = []
    for d, p in zip(data, probs):
        order = np.argsort(-p)
        ranked = [_Ranked(d["x"][i], float(p[i])) for i in order]
        rows.append(answer_model.question_features(ranked) if ranked else [0.0] * len(answer_model.QUESTION_FEATURES))
    return np.array(rows)


def held_out(data: list[dict], c_passage: float, c_question: float):
    """Leave-one-article-out passage probabilities and question probabilities."""
    arts = sorted({d["article"] for d in data})
    probs: list[np.ndarray] = [np.zeros(0)] * len(data)
    for art in arts:
        train = [d for d in data if d["article"] != art]
        lin = as_linear(
            fit_linear(
                np.vstack([d["x"] for d in train]),
                np.concatenate([d["y"] for d in train]),
                c_passage,
                np.concatenate([np.full(len(d["y"]), d["weight"]) for d in train]),
            ),
            answer_model.FEATURES,
        )
        for i, d in enumerate(data):
            if d["article"] == art:
                probs[i] = lin.probability(d["x"]) if len(d["x"]) else np.zeros(0)
    qx = question_rows(data, probs)
    qy = np.array([d["answerable"] for d in data])
    qw = np.array([d["weight"] for d in data])
    qp = np.zeros(len(data))
    for art in arts:
        tr = np.array([d["article"] != art for d in data])
        lin = as_linear(fit_linear(qx[tr], qy[tr], c_question, qw[tr]), answer_model.QUESTION_FEATURES)
        qp[~tr] = lin.probability(qx[~tr])
    return probs, qp


def report(data: list[dict], probs: list[np.ndarray], qp: np.ndarray, threshold: float) -> dict:
    """Held-out figures on the reading set and, separately, on the conflict questions."""
    reading = [i for i, d in enumerate(data) if not d["article"].startswith("conflict:")]
    conflict = [i for i, d in enumerate(data) if d["article"].startswith("conflict:")]
    out = _report([data[i] for i in reading], [probs[i] for i in reading], qp[reading], threshold)
    if conflict:
        out["conflict"] = _report([data[i] for i in conflict], [probs[i] for i in conflict], qp[conflict], threshold)
    return out


def _report(data: list[dict], probs: list[np.ndarray], qp: np.ndarray, threshold: float) -> dict:
    from sklearn.metrics import roc_auc_score

    ans = np.array([d["answerable"] for d in data])
    top1 = [bool(d["y"][int(np.argmax(p))]) for d, p in zip(data, probs) if d["answerable"] and len(p)]
    top3 = [bool(d["y"][np.argsort(-p)[:3]].any()) for d, p in zip(data, probs) if d["answerable"] and len(p)]
    return {
        "answer in best passage": round(float(np.mean(top1)), 3),
        "answer in 3 best passages": round(float(np.mean(top3)), 3),
        "question AUC": round(float(roc_auc_score(ans, qp)), 3),
        "false abstentions": round(float((qp[ans] < threshold).mean()), 3),
        "unanswerable abstained": round(float((qp[~ans] < threshold).mean()), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--target-false-abstain", type=float, default=0.09)
    ap.add_argument("--out", type=Path, default=Settings.from_env().answer_model)
    ap.add_argument(
        "--conflict",
        type=Path,
        help="conflict questions in the format of ../shared/eval/questions.jsonl "
        "(not the dev questions), asked of --conflict-index",
    )
    ap.add_argument("--conflict-index", type=Path)
    ap.add_argument(
        "--conflict-weight",
        type=float,
        default=5.0,
        help="how much one conflict question counts against one reading-set question",
    )
    ap.add_argument(
        "--cache",
        type=Path,
        help="keep the reading set's passage features in this file (pickle) "
        "and reuse them while the code that computes them is unchanged",
    )
    a = ap.parse_args()
    questions = [json.loads(line) for line in open(a.shared / "data" / "squad2-dev" / "questions.jsonl")]
    data = cached(a.cache, lambda: collect(a.index, questions))
    if a.conflict:
        extra = [json.loads(line) for line in open(a.conflict)]
        for i, q in enumerate(extra):
            q["answerable"] = q["kind"] != "unanswerable"
            q["article"] = f"conflict:{i % 3}"  # three folds of the conflict questions
            q["weight"] = a.conflict_weight
        data += collect(a.conflict_index, extra)
    best = None
    for cp in (0.1, 1.0):
        for cq in (0.1, 1.0):
            probs, qp = held_out(data, cp, cq)
            threshold = reading_quantile(qp, data, a.target_false_abstain)
            r = report(data, probs, qp, threshold)
            print(f"C passage {cp}, C question {cq}: {r}", file=sys.stderr)
            key = (
                r["unanswerable abstained"] - (r["conflict"]["false abstentions"] if "conflict" in r else 0),
                r["answer in 3 best passages"],
            )
            if best is None or key > best[0]:
                best = (key, cp, cq, threshold, r)
    _, cp, cq, threshold, r = best
    passage = fit_linear(
        np.vstack([d["x"] for d in data]),
        np.concatenate([d["y"] for d in data]),
        cp,
        np.concatenate([np.full(len(d["y"]), d["weight"]) for d in data]),
    )
    lin = as_linear(passage, answer_model.FEATURES)
    qx = question_rows(data, [lin.probability(d["x"]) if len(d["x"]) else np.zeros(0) for d in data])
    question = fit_linear(qx, np.array([d["answerable"] for d in data]), cq, np.array([d["weight"] for d in data]))

    def as_list(d, names):
        return {
            "names": list(names),
            "mean": d["mean"].tolist(),
            "scale": d["scale"].tolist(),
            "weights": d["weights"].tolist(),
            "bias": d["bias"],
        }

    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(
        json.dumps(
            {
                "fit": {
                    "data": "SQuAD 2.0 dev, nine articles (../shared/data/squad2-dev)"
                    + (f" and {a.conflict.name} ({a.conflict_weight:g}x)" if a.conflict else ""),
                    "questions": len(data),
                    "C_passage": cp,
                    "C_question": cq,
                    "target_false_abstain": a.target_false_abstain,
                    "leave_one_article_out": r,
                },
                "threshold": threshold,
                "passage": as_list(passage, answer_model.FEATURES),
                "question": as_list(question, answer_model.QUESTION_FEATURES),
            },
            indent=1,
        )
        + "\n"
    )
    print(json.dumps({"written": str(a.out), "threshold": round(threshold, 4), **r}))


if __name__ == "__main__":
    main()

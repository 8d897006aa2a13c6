"""Hits -> candidate passages, each with the evidence that it answers the question.

A passage is one sentence of a retrieved chunk (its core) with the neighbours that complete it.
Its features say how well it matches the question: by meaning (the question's vector against the
sentence vectors pooled at ingest), by the question's words in the sentence, the passage, the chunk
and the whole document (rare words count more), by the words it leaves out (a qualifier such as
"after", a number, a name), and by whether it holds the kind of thing asked for (a figure, a date,
a name). A small logistic model turns them into the probability that the passage answers the
question (answer_model.py holds the fitted models, and a second one over the best passages of a
question that says whether the reports answer it at all).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .answer_model import ASKS, FEATURES, AnswerModel
from .lexical import LexicalIndex, canonical, stem_terms, stem_word
from .lexicon import MONTHS, alternation
from .question import QuestionInfo
from .types import Attribution, Hit, Sentence

MAX_SENTENCES = 3
_WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")
NUMBER = re.compile(
    r"\b(\d[\d,.]*%?|single|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|"
    r"thousands?|millions?|dozens?|scores|several|no|none)\b",
    re.I,
)
_MONTH = alternation(MONTHS)
_TIME = re.compile(
    rf"\b(?:1[0-9]{{3}}|20[0-9]{{2}})s?\b|\b{_MONTH}\b|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    rf"Saturday|Sunday|yesterday|today|tonight|century|decade)\b|\b\d+ (?:days|weeks|months|years) "
    rf"(?:ago|later|earlier)\b|\b(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
    rf"several|few|many) (?:minutes?|hours?|days?|nights?|weeks?|months?|years?)\b",
    re.I,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")
_NEGATION = frozenset("not no never none nor neither without n't".split())
# What "how many / how much" may ask about without the figure standing next to it ("what
# percentage …" answered by "90% of the power").
_MEASURES = frozenset(
    canonical(t)
    for t in stem_terms(
        "percentage percent proportion share amount number times fraction rate total sum cost price value"
    )
)


@dataclass(frozen=True, slots=True)
class Passage:
    """A quotable span of one chunk: whole sentences around a core sentence."""

    hit: Hit
    start: int
    end: int
    sentences: tuple[Sentence, ...]
    core: Sentence
    attributions: tuple[Attribution, ...]
    terms: frozenset[str]  # canonical stems of the passage
    features: tuple[float, ...]
    relevance: float  # the probability that it answers the question

    @property
    def text(self) -> str:
        c = self.hit.chunk
        return c.text[self.start - c.start : self.end - c.start]

    def feature(self, name: str) -> float:
        return self.features[FEATURES.index(name)]


@dataclass(frozen=True, slots=True)
class _Sent:
    """What is computed once per sentence of a chunk."""

    sentence: Sentence
    text: str
    terms: frozenset[str]  # canonical stems, as the keyword index sees them
    words: frozenset[str]  # every word, lower case
    stems: frozenset[str]  # every word stemmed (stop words too)
    attributions: tuple[Attribution, ...]
    meaning: float | None


def passages(
    q: QuestionInfo,
    hits: Sequence[Hit],
    *,
    vector: np.ndarray,
    lex: LexicalIndex | None,
    model: AnswerModel | None,
    asked: Callable[[Attribution], bool] | None = None,
) -> list[Passage]:
    """Every candidate passage of `hits` with its features and relevance. `asked(a)` says that an
    attribution is the source the question asks about (a neighbour where it speaks joins the
    passage; whether it speaks in the passage is a feature)."""

    def extend(core: Sequence[Attribution], other: Sequence[Attribution]) -> bool:
        return asked is not None and any(asked(a) for a in other) and not any(asked(a) for a in core)

    idf = lex.idf if lex is not None else (lambda t: 1.0)
    weights: dict[str, float] = {}
    for t in q.terms:
        weights[canonical(t)] = max(weights.get(canonical(t), 0.0), idf(t))
    total = sum(weights.values()) or 1.0
    in_docs = {t: lex.documents_with(t) for t in q.terms} if lex is not None else {}
    top = max((h.score for h in hits), default=1.0) or 1.0
    focus = {canonical(f) for f in q.focus}
    out: list[Passage] = []
    rows: list[list[float]] = []
    for rank, hit in enumerate(hits):
        sents = _sentences(hit, vector)
        if not sents:
            continue
        chunk_terms = frozenset().union(*(s.terms for s in sents))
        best_meaning = max((s.meaning for s in sents if s.meaning is not None), default=None)
        doc = hit.doc.doc_id
        cover_doc = (
            sum(w for t, w in weights.items() if any(doc in in_docs.get(x, ()) for x in q.terms if canonical(x) == t))
            / total
            if lex
            else 0.0
        )
        for i, core in enumerate(sents):
            window = _window(sents, i, weights, total, extend)
            ws = [sents[w] for w in window]
            start, end = _one_page(hit, ws[0].sentence.start, ws[-1].sentence.end, core.sentence)
            ws = [s for s in ws if s.sentence.end > start and s.sentence.start < end]
            terms = frozenset().union(*(s.terms for s in ws))
            text = hit.chunk.text[start - hit.chunk.start : end - hit.chunk.start]
            x = _features(
                q,
                hit,
                rank=rank,
                top=top,
                core=core,
                window=ws,
                chunk_terms=chunk_terms,
                best_meaning=best_meaning,
                cover_doc=cover_doc,
                weights=weights,
                total=total,
                in_docs=in_docs,
                focus=focus,
                text=text,
            )
            speaks = asked is not None and any(asked(a) for s in ws for a in s.attributions)
            x[FEATURES.index("source_asked") : FEATURES.index("source_speaks") + 1] = [
                float(asked is not None),
                float(speaks),
            ]
            rows.append(x)
            out.append(
                Passage(
                    hit=hit,
                    start=start,
                    end=end,
                    sentences=tuple(s.sentence for s in ws),
                    core=core.sentence,
                    attributions=tuple(a for s in ws for a in s.attributions),
                    terms=terms,
                    features=tuple(x),
                    relevance=0.0,
                )
            )
    if not out:
        return out
    if model is None:
        scores = np.array([_fallback(p) for p in out])
    else:
        scores = model.passage.probability(np.array(rows))
    return [
        Passage(
            hit=p.hit,
            start=p.start,
            end=p.end,
            sentences=p.sentences,
            core=p.core,
            attributions=p.attributions,
            terms=p.terms,
            features=p.features,
            relevance=float(s),
        )
        for p, s in zip(out, scores)
    ]


def _sentences(hit: Hit, vector: np.ndarray) -> list[_Sent]:
    c = hit.chunk
    vectors = c.sentence_vectors
    out = []
    for n, s in enumerate(c.sentences):
        if s.end <= c.start or s.start >= c.end:
            continue
        s = Sentence(max(s.start, c.start), min(s.end, c.end), s.paragraph)
        text = c.text[s.start - c.start : s.end - c.start]
        words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
        meaning = float(vectors[n] @ vector) if vectors is not None and n < len(vectors) else None
        out.append(
            _Sent(
                sentence=s,
                text=text,
                terms=frozenset(canonical(t) for t in stem_terms(text)),
                words=frozenset(words),
                stems=frozenset(stem_word(w.removesuffix("'s")) for w in words),
                attributions=tuple(a for a in c.attributions if a.sentence_start < s.end and a.sentence_end > s.start),
                meaning=meaning,
            )
        )
    return out


def _window(
    sents: list[_Sent],
    i: int,
    weights: dict[str, float],
    total: float,
    extend: Callable[[Sequence[Attribution], Sequence[Attribution]], bool],
) -> list[int]:
    """The core sentence with the neighbours that complete it: the sentence before a narrated one
    when that names its speaker, and a neighbour in the same paragraph that adds a good part of
    the question or has the asked-about source speaking."""

    def cover(terms: frozenset[str] | set[str]) -> float:
        return sum(w for t, w in weights.items() if t in terms) / total

    s = sents[i]
    window = [i]
    terms = set(s.terms)
    before = sents[i - 1] if i > 0 else None
    # the paragraph before at most (a heading between them, not one of the sentences, ends the section)
    if (
        before is not None
        and s.sentence.paragraph - before.sentence.paragraph <= 1
        and (
            (before.sentence.paragraph == s.sentence.paragraph and not s.attributions and before.attributions)
            or cover(before.terms) >= max(0.4, cover(s.terms) + 0.25)
        )
    ):
        window.insert(0, i - 1)  # its speaker, or the sentence it answers ("… condemned an alleged
        terms |= before.terms  # bombing of Cacaopera." "According to the guerrillas, a woman …")
    for j in (i - 1, i + 1):
        if len(window) >= MAX_SENTENCES or not 0 <= j < len(sents) or j in window:
            continue
        if sents[j].sentence.paragraph != s.sentence.paragraph:
            continue
        if cover(sents[j].terms - terms) >= 0.15 or extend(s.attributions, sents[j].attributions):
            window.append(j)
            terms |= sents[j].terms
    return sorted(window)


def _features(
    q: QuestionInfo,
    hit: Hit,
    *,
    rank: int,
    top: float,
    core: _Sent,
    window: list[_Sent],
    chunk_terms: frozenset[str],
    best_meaning: float | None,
    cover_doc: float,
    weights: dict[str, float],
    total: float,
    in_docs: dict[str, frozenset[str]],
    focus: set[str],
    text: str,
) -> list[float]:
    def cover(terms: frozenset[str] | set[str]) -> float:
        return sum(w for t, w in weights.items() if t in terms) / total

    terms = frozenset().union(*(s.terms for s in window))
    words = frozenset().union(*(s.words for s in window))
    stems = frozenset().union(*(s.stems for s in window))
    dense = max(hit.similarity or 0.0, 0.0)
    meaning = core.meaning if core.meaning is not None else dense
    meanings = [s.meaning for s in window if s.meaning is not None]
    missing = [w for t, w in weights.items() if t not in terms]
    unmatched = {"qualifier": 0, "number": 0, "name": 0, "word": 0}
    absent = {"name": 0, "number": 0}
    asked = {"qualifier": 0, "number": 0, "name": 0, "word": 0}
    doc = hit.doc.doc_id
    for w in q.words:
        asked[w.kind] += 1
        if w.stem in stems or w.lower in words:
            continue
        unmatched[w.kind] += 1
        if w.kind in absent:
            keys = stem_terms(w.lower)
            if (
                keys
                and not any(doc in in_docs.get(k, frozenset()) for k in keys)
                and not any(canonical(k) in chunk_terms for k in keys)
            ):
                absent[w.kind] += 1

    def share(n: float, kind: str) -> float:
        return n / asked[kind] if asked[kind] else 0.0

    has_focus = not focus or bool(focus & terms)
    figure = (
        1.0
        if q.asks != "number"
        else float(has_figure(text, q) and (not focus or focus <= _MEASURES or _figure_near(text, focus)))
    )
    negated_q = any(w.lower in _NEGATION for w in q.words) or "n't" in q.text.lower()
    negated_p = bool(words & _NEGATION) or "n't" in text.lower()
    return [
        rank / 20.0,
        hit.score / top,
        dense,
        float(hit.lexical_rank is not None),
        meaning,
        max(meanings, default=dense),
        (meaning - best_meaning) if best_meaning is not None else 0.0,
        cover(core.terms),
        cover(terms),
        cover(chunk_terms),
        cover_doc,
        max(missing, default=0.0),
        len(missing) / max(len(weights), 1),
        float(min(unmatched["qualifier"], 2)),
        float(min(unmatched["number"], 2)),
        share(unmatched["name"], "name"),
        share(unmatched["word"], "word"),
        share(absent["name"], "name"),
        share(absent["number"], "number"),
        float(has_focus),
        figure,
        float(has_kind(core.text, q)),
        float(negated_q and not negated_p),
        math.log1p(len(text.split())),
        0.0,
        0.0,  # source_asked, source_speaks: set by passages()
        *[float(q.asks == a) for a in ASKS],
    ]


def has_kind(sentence: str, q: QuestionInfo) -> bool:
    """The sentence holds the kind of thing asked for (a figure, a date, a place or name) that the
    question itself does not already give."""
    asked = {w.lower for w in q.words}
    if q.asks == "number":
        found = [m.group(0) for m in NUMBER.finditer(sentence)]
    elif q.asks == "time":
        found = [m.group(0) for m in _TIME.finditer(sentence)]
    elif q.asks in ("place", "person"):
        found = [m.group(0) for m in _NAME.finditer(sentence)]
    else:
        return True
    return any(f.lower() not in asked for f in found)


_DATE_NUMBER = re.compile(
    rf"\b\d{{1,2}}\s+{_MONTH}\b|\b{_MONTH}\s+\d{{1,2}}\b|\b(?:1[0-9]{{3}}|20[0-9]{{2}})s?\b|"
    r"(?:^|(?<=[.!?]\s))\(?\d{1,3}[.)]\s|\b(?:S|A)/\d+(?:/\d+)*"
)


def has_figure(text: str, q: QuestionInfo) -> bool:
    """A figure the question does not already give, other than a date, a year, a paragraph
    number or a document symbol."""
    given = {w.lower for w in q.words if w.kind == "number"}
    plain = _DATE_NUMBER.sub(" ", text)
    return any(m.group(0).lower() not in given for m in NUMBER.finditer(plain))


def _figure_near(text: str, focus: set[str]) -> bool:
    """A number or quantity word counting the focus noun: a few words before it ("at least 15
    Wagner fighters", "dozens of fighters", "a four-valve engine") or just after it ("receptors
    (around 200–300)"); years and dates do not count."""
    words = re.findall(r"[\w'’]+", _DATE_NUMBER.sub(" ", text))
    for i, w in enumerate(words):
        if focus & {canonical(t) for t in stem_terms(w)}:
            if any(NUMBER.fullmatch(x) for x in words[max(0, i - 6) : i] + words[i + 1 : i + 4]):
                return True
    return False


def _one_page(hit: Hit, start: int, end: int, core: Sentence) -> tuple[int, int]:
    """Keep a passage on one page (a quote across a page break would not be a verbatim span of
    the PDF's text): the page holding most of the core sentence."""
    c = hit.chunk
    pages = [pg for pg in c.pages if pg.start < end and pg.end > start]
    if len(pages) <= 1:
        return start, end
    page = max(pages, key=lambda pg: min(pg.end, core.end) - max(pg.start, core.start))
    s, e = max(start, page.start), min(end, page.end)
    while s < e and c.text[s - c.start].isspace():
        s += 1
    return s, e


def _fallback(p: Passage) -> float:
    """Without a fitted model: the question's words in the sentence and passage, and meaning."""
    f = dict(zip(FEATURES, p.features))
    return 0.5 * f["cover_sentence"] + 0.2 * f["cover_passage"] + 0.3 * max(f["meaning"], 0.0)

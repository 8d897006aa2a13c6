"""Hits -> Answer: choose the passages that answer the question, credit each to who says it,
decide whether the reports answer the question at all, and put accounts that really differ side
by side. Extractive: every quote is a verbatim span of a cleaned document.

Whether a passage answers is `relevance`'s (a fitted model over what it shares with the
question). On top of it, what a question constrains: the names, places and years it gives must be
in the passage's document; a "how many" question needs a figure counting what it asks about; a
question about one source ("What did the WHO say…", `--source army`) is answered first from that
source's own statements, and says so when that source said nothing on it.

This module holds the stage (`compose`), the abstention (the question's constraints, the verdict)
and the answer's text; `choose` picks the passages to cite, `accounts` credits them to sources.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from . import accounts, choose, relevance
from .answer_model import AnswerModel, answerability
from .choose import ASKED_SHARE, Choice, asked_by, said_by
from .lexical import LexicalIndex, stem_terms
from .question import QuestionInfo
from .relevance import Passage
from .speakers import speaks, wanted
from .types import Answer, Citation, Claim, Filters, Hit

MIN_RELEVANCE = 0.05  # below this probability of holding the answer, the best passage answers nothing


def compose(
    q: QuestionInfo,
    hits: list[Hit],
    *,
    vector: np.ndarray,
    lex: LexicalIndex | None,
    model: AnswerModel | None,
    k: int,
    filters: Filters,
    min_similarity: float,
) -> Answer:
    """The answer to question `q` from retrieved `hits`."""
    asked = [wanted(h.text) for h in q.hints]
    filter_source = wanted(filters.source) if filters.source else None

    every = relevance.passages(q, hits, vector=vector, lex=lex, model=model, asked=asked_by(q))
    ranked = sorted(every, key=lambda p: (-p.relevance, p.hit.chunk.chunk_id, p.start))
    probability = answerability(ranked, model)
    allowed = [p for p in ranked if choose.allowed(p, filters, filter_source)]
    constraints = _constraints(q)
    choices = [choose.choice(q, p, asked, _unmet(constraints, p, lex)) for p in allowed]
    chosen = choose.select(choices, k=k, q=q)
    best_sim = max((h.similarity or 0.0 for h in hits), default=0.0)
    verdict = (
        "The closest passages are about something else."
        if chosen and best_sim < min_similarity
        else _verdict(
            q,
            chosen,
            probability=probability,
            model=model,
            top=ranked[0].relevance if ranked else 0.0,
            filtered=not filters.is_empty(),
            source=filters.source,
        )
    )
    citations = tuple(accounts.citation(i + 1, c.passage) for i, c in enumerate(chosen))
    if verdict is not None:
        related = tuple(accounts.citation(i + 1, c.passage) for i, c in enumerate(choose.related(choices)))
        text = f"The indexed reports do not say {_restate(q.text)}. {verdict}"
        if related:
            text += "\n\nClosest passages (related material, not an answer):\n" + "\n".join(
                f"- {c.title}{_page(c)}: “{_short(c.quote)}”" for c in related
            )
        silent = q.hints[0].text if q.hints and verdict.endswith(" own account of this.") else None
        return Answer(
            question=q.text,
            answerable=False,
            text=text,
            citations=(),
            claims=(),
            related=related,
            filters=filters,
            source_silent=silent,
        )

    def keep(name: str, kind: str) -> bool:  # what the source filters let through
        return (filter_source is None or speaks(filter_source, name, kind)) and (
            not filters.source_types or kind in filters.source_types
        )

    claims = accounts.claims(chosen, citations, q.text, keep)
    contested = accounts.contested(chosen, claims)
    silent = _silent(q, chosen)
    return Answer(
        question=q.text,
        answerable=True,
        text=_text(claims, contested, silent),
        citations=citations,
        claims=claims,
        contested=contested,
        filters=filters,
        source_silent=silent,
    )


# -- do the reports answer it? ----------------------------------------------------------------------


def _verdict(
    q: QuestionInfo,
    chosen: list[Choice],
    *,
    probability: float,
    model: AnswerModel | None,
    top: float,
    filtered: bool = False,
    source: str | None = None,
) -> str | None:
    """None when the chosen passages answer the question, else why they do not. A question about
    what a source said is answered by that source's own passages when one of them is about as
    relevant as the best passage of all; far below it, that source said nothing on this."""
    if not chosen:
        return (
            "No indexed passage of that source is about this question."
            if filtered
            else "No indexed passage is about this question."
        )
    own = max((c.passage.relevance for c in chosen if c.asked), default=0.0)
    if q.hints and own < ASKED_SHARE * top:
        return f"No passage gives {_whose(q.hints[0].text)} own account of this."
    says = q.hints and q.asks == "thing" and own >= 0.9 * top  # "What did X say about Y?": X's words
    if model is not None and (probability < model.threshold or top < MIN_RELEVANCE) and not says:
        return f"No passage of {_the(source)} answers it." if source else "The closest passages do not answer it."
    if all(c.unmet for c in chosen):
        missing = [m for m in chosen[0].unmet if all(m in c.unmet for c in chosen)] or list(chosen[0].unmet)
        return f"No passage on this mentions {', '.join(missing)}."
    if q.asks == "number" and not any(c.answers for c in chosen):
        return "The passages on this give no figure for it."
    if q.hints and not any(c.asked and c.answers for c in chosen):
        return f"No passage gives {_whose(q.hints[0].text)} own account of this."
    return None


def _silent(q: QuestionInfo, chosen: list[Choice]) -> str | None:
    """Of several sources asked about, those none of whose passages answers ("… and how did the
    military respond?")."""
    quiet = [
        h.text
        for h in q.hints
        if not any(c.answers and any(said_by([wanted(h.text)], a) for a in c.passage.attributions) for c in chosen)
    ]
    return ", ".join(quiet) if quiet and len(quiet) < len(q.hints) else None


def _whose(name: str) -> str:
    """ "the army’s", "the rebels’"."""
    return _the(name) + ("’" if name.endswith("s") and not name.endswith("ss") else "’s")


def _the(name: str) -> str:
    return f"the {name}" if name[:1].islower() and not name.lower().startswith("the ") else name


def _constraints(q: QuestionInfo) -> list[tuple[str, re.Pattern[str], list[str]]]:
    """The question's names, places, figures and years (not the asked-about sources), each as
    written, as a pattern (accents aside; a long name by its first letters: "Burkinabe" is found
    as "Burkina", "Salvadoran" as "Salvador"), and as the index's terms."""
    source_words = {t for h in q.hints for t in stem_terms(h.text)}
    out = []
    for w in q.words:
        keys = stem_terms(w.lower)
        if w.kind not in ("name", "number") or not keys or set(keys) <= source_words:
            continue
        word = _plain(w.lower)
        stem = word[: max(6, len(word) - 4)] if w.kind == "name" and len(word) >= 7 else word
        tail = r"\w*" if stem != word else ""
        out.append((w.text, re.compile(rf"(?<![\w-]){re.escape(stem)}{tail}(?![\w-])", re.I), keys))
    return out


def _unmet(
    constraints: list[tuple[str, re.Pattern[str], list[str]]], p: Passage, lex: LexicalIndex | None
) -> list[str]:
    """Those of the question's constraints that the passage's document does not mention: "in
    Syria in 2018" asked of a report on Mali in 2024. (Its chunk alone would be too narrow: a
    report names the year or the country once, pages before the passage.)"""
    if not constraints:
        return []
    doc = p.hit.doc.doc_id
    text = _plain(p.hit.chunk.text + "\n" + (p.hit.doc.meta.title or ""))
    return [
        written
        for written, pattern, keys in constraints
        if not pattern.search(text) and not (lex is not None and any(doc in lex.documents_with(k) for k in keys))
    ]


def _plain(text: str) -> str:
    """Without accents ("Goïta" = "Goita")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


# -- the answer's text -----------------------------------------------------------------------------


def _text(claims: tuple[Claim, ...], contested: bool, silent: str | None) -> str:
    """Markdown: one line per source with its cue and verbatim words, speakers first, then what
    the documents say in their own voice."""
    lines = []
    if silent:
        lines += [f"No cited passage gives what {_the(silent)} said on this; here is what the others say.", ""]
    if contested:
        lines += ["**Accounts differ.** The sources give different accounts; each is shown with who gives it:", ""]
    speakers = [c for c in claims if c.stance != "narration"]
    narration = [c for c in claims if c.stance == "narration"]
    for c in speakers + narration:
        if narration and c is narration[0] and speakers:
            lines += ["", "Also in the reports, in their own voice:"]
        marks = "".join(f"[{n}]" for n in c.citations)
        verb = c.cue if c.cue else "reports"
        lines.append(f"- **{c.source}** ({c.source_type}) {verb}: “{_short(c.text, 600)}” {marks}")
    return "\n".join(lines)


def _restate(question: str) -> str:
    q = question.strip().rstrip("?").strip()
    return f"“{q}”" if q else "that"


def _short(text: str, n: int = 220) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " …"


def _page(c: Citation) -> str:
    return f", p. {c.page}" if c.page else ""

"""Which retrieved passages to cite, and in what order: the passages the source filters let
through, each judged on whether it holds what the question asks for and whether it is the
asked-about source's own statement, then the best few chosen, several sources before one source
twice, and the closest related passages when none answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .question import QuestionInfo
from .relevance import Passage
from .speakers import Wanted, speaks, wanted
from .types import Attribution, Filters

MIN_SHARE = 0.5  # a further passage is cited when its relevance is this share of the best one's
OTHER_ACCOUNTS = 0.2  # another source's answer is cited when its relevance is this share of the best one's
SOURCE_BONUS = 0.35  # a passage of the source the question asks about comes first by this much
ASKED_SHARE = 0.3  # the asked-about source's passage answers when its relevance is this share of the best


@dataclass(frozen=True, slots=True)
class Choice:
    """A passage judged for the question."""

    passage: Passage
    score: float
    answers: bool  # it holds what the question asks for (its kind, its figure)
    asked: bool  # it is the asked-about source's own statement
    unmet: tuple[str, ...]  # the question's names and years that its document does not hold


def allowed(p: Passage, filters: Filters, source: Wanted | None) -> bool:
    """The passage passes the source filters: it is said by that source (or type), never matched by
    a document's title."""
    narrator = p.hit.doc.narrator
    if (
        source is not None
        and not any(said_by([source], a) for a in p.attributions)
        and not (not p.attributions and speaks(source, narrator.name, narrator.source_type))
    ):
        return False
    if (
        filters.source_types
        and not any(a.source_type in filters.source_types for a in p.attributions)
        and not (not p.attributions and narrator.source_type in filters.source_types)
    ):
        return False
    return True


def asked_by(q: QuestionInfo) -> Callable[[Attribution], bool] | None:
    """Whether an attribution is a source the question asks about (None: it asks about none)."""
    asked = [wanted(h.text) for h in q.hints]
    return (lambda a: said_by(asked, a)) if asked else None


def said_by(asked: Sequence[Wanted], a: Attribution) -> bool:
    """The attribution names one of the `asked` sources."""
    return any(speaks(w, a.source_resolved, a.source_type) or speaks(w, a.source, a.source_type) for w in asked)


def choice(q: QuestionInfo, p: Passage, asked: Sequence[Wanted], unmet: list[str]) -> Choice:
    """Passage `p` judged: its score, whether it answers, whether it is an `asked` source's own."""
    own = bool(asked) and (
        any(said_by(asked, a) for a in p.attributions)
        or (
            not p.attributions
            and any(speaks(w, p.hit.doc.narrator.name, p.hit.doc.narrator.source_type) for w in asked)
        )
    )
    answers = _holds_answer(q, p) and not unmet
    score = p.relevance + (SOURCE_BONUS if own else 0.0) + (0.0 if answers else -0.15)
    return Choice(passage=p, score=score, answers=answers, asked=own, unmet=tuple(unmet))


def _holds_answer(q: QuestionInfo, p: Passage) -> bool:
    """It has what the question asks for: a figure for "how many" (not a date or a year), else the
    kind of thing asked (a date for "when", a name for "who")."""
    if q.asks == "number":
        return bool(p.feature("figure"))
    return bool(p.feature("kind"))


def select(choices: list[Choice], *, k: int, q: QuestionInfo) -> list[Choice]:
    """The best passages, each a different span, no more than `k`, several sources before one
    source twice: when the question asks about sources that speak on it, only their passages (one
    for each source first); else those worth a share of the best, then other sources' answers."""
    pool = sorted(choices, key=lambda c: -c.score)
    if not pool:
        return []
    best = pool[0].score
    top = max(c.passage.relevance for c in pool)
    own = [c for c in pool if c.asked]
    if own and max(c.passage.relevance for c in own) >= ASKED_SHARE * top:
        pool = choices = own  # "What did the army say …": the army's own passages, not others'
    chosen: list[Choice] = []
    used: dict[str, int] = {}
    if len(q.hints) > 1:  # "what did the FMLN report, and how did the military respond?"
        for h in q.hints:
            w = wanted(h.text)
            mine = next(
                (
                    c
                    for c in pool
                    if c.asked
                    and any(said_by([w], a) for a in c.passage.attributions)
                    and c.score >= 0.5 * best
                    and c not in chosen
                ),
                None,
            )
            if mine is not None and len(chosen) < k:
                chosen.append(mine)
                used[_speaker(mine.passage)] = used.get(_speaker(mine.passage), 0) + 1
        pool = [c for c in pool if c not in chosen]
    while pool and len(chosen) < k:
        pool.sort(key=lambda c: -(c.score - 0.08 * used.get(_speaker(c.passage), 0)))
        c = pool.pop(0)
        if chosen and (c.score < MIN_SHARE * best or c.passage.relevance < MIN_SHARE * top):
            continue
        if any(_overlap(c.passage, o.passage) for o in chosen):
            continue
        chosen.append(c)
        used[_speaker(c.passage)] = used.get(_speaker(c.passage), 0) + 1
    for c in sorted(choices, key=lambda c: -c.passage.relevance):  # other sources' accounts of it
        if len(chosen) >= k:
            break
        if (
            c in chosen
            or not (c.answers and c.passage.attributions)
            or _speaker(c.passage) in used
            or c.passage.relevance < OTHER_ACCOUNTS * top
            or any(_overlap(c.passage, o.passage) for o in chosen)
        ):
            continue
        chosen.append(c)
        used[_speaker(c.passage)] = 1
    return chosen


def _overlap(a: Passage, b: Passage) -> bool:
    return a.hit.doc.doc_id == b.hit.doc.doc_id and a.start < b.end and b.start < a.end


def _speaker(p: Passage) -> str:
    return p.attributions[0].source_resolved if p.attributions else p.hit.doc.narrator.name


def related(choices: list[Choice], n: int = 3) -> list[Choice]:
    """The closest passages, the asked-about source's own first, each a different span."""
    out: list[Choice] = []
    for c in sorted(choices, key=lambda c: (not c.asked, -c.passage.relevance)):
        if len(out) < n and not any(_overlap(c.passage, o.passage) for o in out):
            out.append(c)
    return out

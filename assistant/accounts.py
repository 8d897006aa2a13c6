"""What each source says: a citation for each chosen passage, one claim per source (its cue, its
verbatim words, the figures in them that answer a "how many" question), and whether the sources'
accounts really differ (different figures, or one denies what another asserts).
"""

from __future__ import annotations

from collections.abc import Callable

from .choose import MIN_SHARE, Choice
from .figures import answering, value_of
from .relevance import Passage
from .types import Citation, Claim

_DENIAL = frozenset({"denial"})


def citation(n: int, p: Passage) -> Citation:
    """Citation number `n` of passage `p`: where it is, its verbatim words, and who says them."""
    c = p.hit.chunk
    doc = p.hit.doc
    a = p.attributions[0] if p.attributions else None
    return Citation(
        n=n,
        doc_id=doc.doc_id,
        title=doc.meta.title or doc.path,
        path=doc.path,
        page=c.page_at(p.start),
        start=p.start,
        end=p.end,
        quote=p.text,
        source=a.source_resolved if a else doc.narrator.name,
        source_type=a.source_type if a else doc.narrator.source_type,
        cue=a.cue if a else None,
        stance=a.stance if a else "narration",
        outlet=doc.meta.outlet,
        date=doc.meta.date,
        key=doc.key,
    )


def claims(
    chosen: list[Choice], citations: tuple[Citation, ...], question: str, keep: Callable[[str, str], bool]
) -> tuple[Claim, ...]:
    """One claim per source, in the order the passages were chosen, with the figures in its words
    that answer a "how many" question; of a passage, only the words of sources that `keep(name,
    type)` (the filters) lets through, unless that leaves none."""
    groups: dict[str, dict] = {}
    for choice, cit in zip(chosen, citations):
        p = choice.passage
        chunk = p.hit.chunk
        credited = list(p.attributions)
        narrated = [
            s
            for s in p.sentences
            if not any(a.sentence_start < s.end and a.sentence_end > s.start for a in p.attributions)
        ]
        parts: list[tuple[str, str, str, str | None, str, str]] = []
        for a in credited:
            text = chunk.text[max(a.sentence_start, p.start) - chunk.start : min(a.sentence_end, p.end) - chunk.start]
            parts.append((a.source_resolved, a.source_type, a.stance, a.cue, text, a.source_resolved))
        if narrated or not credited:
            nar = p.hit.doc.narrator
            for s in narrated or p.sentences:
                parts.append(
                    (
                        nar.name,
                        nar.source_type,
                        "narration",
                        None,
                        chunk.text[s.start - chunk.start : s.end - chunk.start],
                        nar.name,
                    )
                )
        parts = [x for x in parts if keep(x[0], x[1])] or parts
        for name, kind, stance, cue, text, key in parts:
            g = groups.setdefault(
                key, dict(source=name, source_type=kind, cue=cue, stance=stance, texts=[], citations=[], figures=[])
            )
            if text not in g["texts"]:
                g["texts"].append(text)
                for f in answering(text, question):
                    if f not in g["figures"]:
                        g["figures"].append(f)
            if cit.n not in g["citations"]:
                g["citations"].append(cit.n)
    return tuple(
        Claim(
            source=g["source"],
            source_type=g["source_type"],
            cue=g["cue"],
            stance=g["stance"],
            text=" … ".join(g["texts"]),
            citations=tuple(g["citations"]),
            figures=tuple(g["figures"]),
        )
        for g in groups.values()
    )


def contested(chosen: list[Choice], claims: tuple[Claim, ...]) -> bool:
    """Two or more sources answer the question differently: different figures, or one denies what
    another asserts in passages that are about the question. Sources that agree, and statements
    that do not answer it, are no dispute."""
    top = max((c.passage.relevance for c in chosen), default=0.0)
    answering = {i + 1 for i, c in enumerate(chosen) if c.answers}
    central = {i + 1 for i, c in enumerate(chosen) if c.answers and c.passage.relevance >= MIN_SHARE * top}
    speakers = [c for c in claims if c.stance != "narration" and set(c.citations) & answering]
    figures = {_value(c.figures[0]) for c in speakers if c.figures}
    if len([c for c in speakers if c.figures]) >= 2 and len(figures) >= 2:
        return True
    central_speakers = [c for c in speakers if set(c.citations) & central]
    denies = {c.source for c in central_speakers if c.stance in _DENIAL}
    asserts = {c.source for c in central_speakers if c.stance not in _DENIAL}
    return bool(denies) and bool(asserts - denies)


def _value(figure: str) -> str:
    """A figure as a comparable value ("at least 20", "twenty" -> "20.0"; "dozens" stays a word)."""
    v = value_of(figure)
    return str(v) if v is not None else figure.lower().split()[-1].strip("\"“”’'")

"""Hits -> Answer: choose the 1–3 sentence passages that answer the question, credit each to who
says it, decide whether the reports answer the question at all, and put differing accounts side
by side. Extractive: every quote is a verbatim span of a cleaned document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .clean import mostly_caps
from .lexical import canonical, stem_terms
from .question import QuestionInfo, SourceHint
from .types import Answer, Attribution, Citation, Claim, Filters, Hit, Sentence

NUMBER = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|"
    r"thousands?|dozens?|scores|several|no|none)\b", re.I)
MIN_COVERAGE = 0.45
MAX_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class Passage:
    hit: Hit
    start: int
    end: int
    sentences: tuple[Sentence, ...]
    attributions: tuple[Attribution, ...]
    coverage: float
    score: float
    terms: frozenset[str]
    context: float = 0.0


def compose(q: QuestionInfo, hits: list[Hit], *, k: int, idf: Callable[[str], float], min_similarity: float,
            filters: Filters) -> Answer:
    """The answer to question `q` from retrieved `hits`."""
    passages = _candidates(q, hits, idf=idf, filters=filters)
    chosen = _select(passages, k=k, q=q)
    best_sim = max((h.similarity or 0.0 for h in hits), default=0.0)
    verdict = _answerable(q, chosen, best_sim=best_sim, min_similarity=min_similarity)
    citations = tuple(_citation(i + 1, p) for i, p in enumerate(chosen))
    if verdict is not None:
        related = citations[:3]
        text = f"The indexed reports do not say {_restate(q.text)}. {verdict}"
        if related:
            text += "\n\nClosest passages (related material, not an answer):\n" + "\n".join(
                f"- {c.title}{_page(c)}: “{_short(c.quote)}”" for c in related)
        return Answer(question=q.text, answerable=False, text=text, citations=(), claims=(), related=related,
                      filters=filters)
    claims = _claims(chosen, citations)
    contested = _contested(q, chosen, claims)
    return Answer(question=q.text, answerable=True, text=_text(claims, citations, contested), citations=citations,
                  claims=claims, contested=contested, filters=filters)


def _terms(text: str) -> frozenset[str]:
    return frozenset(canonical(t) for t in stem_terms(text))


def _candidates(q: QuestionInfo, hits: list[Hit], *, idf: Callable[[str], float], filters: Filters) -> list[Passage]:
    weights: dict[str, float] = {}
    for t in q.terms:
        weights[canonical(t)] = max(weights.get(canonical(t), 0.0), idf(t))
    total = sum(weights.values()) or 1.0
    focus = {canonical(f) for f in q.focus}
    top = max((h.score for h in hits), default=1.0) or 1.0

    def cover(terms: frozenset[str] | set[str]) -> float:
        return sum(w for t, w in weights.items() if t in terms) / total

    out: list[Passage] = []
    for hit in hits:
        c = hit.chunk
        sents = [Sentence(max(s.start, c.start), min(s.end, c.end), s.paragraph) for s in c.sentences
                 if s.end > c.start and s.start < c.end]
        if not sents:
            continue
        stems = [_terms(c.text[s.start - c.start:s.end - c.start]) for s in sents]
        chunk_cov = cover(frozenset().union(*stems))
        by_sent = [tuple(a for a in c.attributions if a.sentence_start < s.end and a.sentence_end > s.start)
                   for s in sents]
        prior = 0.3 * hit.score / top + 0.3 * max(hit.similarity or 0.0, 0.0)
        for i, s in enumerate(sents):
            window = [i]
            terms = set(stems[i])
            # a narration sentence right after an attributed one keeps its speaker in view
            if i > 0 and sents[i - 1].paragraph == s.paragraph and not by_sent[i] and by_sent[i - 1]:
                window.insert(0, i - 1)
                terms |= stems[i - 1]
            for j in (i - 1, i + 1):
                if len(window) >= MAX_SENTENCES or not 0 <= j < len(sents) or j in window:
                    continue
                if sents[j].paragraph != s.paragraph:
                    continue
                hinted = q.hints and any(_matches_hint(q, a) for a in by_sent[j]) \
                    and not any(_matches_hint(q, a) for a in by_sent[i])
                if cover(stems[j] - terms) >= 0.15 or hinted:
                    window.append(j)          # more of the question, or the asked-about source speaking
                    terms |= stems[j]
            window.sort()
            start, end = _one_page(c, sents[window[0]].start, sents[window[-1]].end, sents[i])
            window = [w for w in window if sents[w].end > start and sents[w].start < end]
            attrs = tuple(a for w in window for a in by_sent[w])
            if filters.source and not any(_names(filters.source, a) for a in attrs) \
                    and not _names(filters.source, None, narrator=hit.doc.narrator.name):
                continue
            if filters.source_types and not any(a.source_type in filters.source_types for a in attrs) \
                    and not (not attrs and hit.doc.narrator.source_type in filters.source_types):
                continue                  # the passage itself must be said by a source of that type
            own = cover(stems[i])
            coverage = cover(terms)
            score = 0.45 * own + 0.25 * coverage + 0.3 * chunk_cov + prior
            if q.hints and (any(_matches_hint(q, a) for a in attrs)
                            or any(_hint_in(h, hit.doc.narrator.name) for h in q.hints)):
                score += 0.4
            has_focus = bool(focus & terms)
            if focus and not has_focus:
                score -= 0.25
            text = c.text[start - c.start:end - c.start]
            if q.wants_number and has_focus and _figure_near(text, focus):
                score += 0.15
            if q.wants and _has_answer_kind(c.text[sents[i].start - c.start:sents[i].end - c.start], q):
                score += 0.15
            out.append(Passage(hit=hit, start=start, end=end, sentences=tuple(sents[w] for w in window),
                               attributions=attrs, coverage=coverage, score=score, terms=frozenset(terms),
                               context=chunk_cov))
    return out


def _select(passages: list[Passage], *, k: int, q: QuestionInfo) -> list[Passage]:
    chosen: list[Passage] = []
    used_sources: dict[str, int] = {}
    pool = sorted(passages, key=lambda p: -p.score)
    best = pool[0].score if pool else 0.0
    if len(q.hints) > 1:             # "what did the FMLN report, and how did the military respond?"
        for h in q.hints:
            mine = next((p for p in pool if p.score >= 0.5 * best and any(_matches(h, a) for a in p.attributions)
                         and p not in chosen), None)
            if mine is not None and len(chosen) < k:
                chosen.append(mine)
                used_sources[_primary_name(mine)] = used_sources.get(_primary_name(mine), 0) + 1
        pool = [p for p in pool if p not in chosen]
    while pool and len(chosen) < k:
        pool.sort(key=lambda p: -(p.score - 0.1 * used_sources.get(_primary_name(p), 0)))
        p = pool.pop(0)
        if chosen and (p.score < 0.55 * best or p.coverage < 0.2):
            continue
        if any(p.hit.doc.doc_id == c.hit.doc.doc_id and p.start < c.end and c.start < p.end for c in chosen):
            continue
        chosen.append(p)
        used_sources[_primary_name(p)] = used_sources.get(_primary_name(p), 0) + 1
    return chosen


def _supports(p: Passage, q: QuestionInfo) -> bool:
    """The passage answers the question on its own: its terms, the question's names and dates in
    its context, its focus noun and, for "how many", a figure next to it."""
    if 0.6 * p.coverage + 0.4 * p.context < MIN_COVERAGE:
        return False
    context = _terms(p.hit.chunk.text) | _terms(p.hit.doc.meta.title or "")
    if q.anchors:
        low = p.hit.chunk.text.lower()
        found = sum(1 for a in q.anchors if (re.search(rf"(?<![\w-]){re.escape(a[1:])}(?![\w-])", low)
                                             if a.startswith("=") else canonical(a) in context))
        codes = [a for a in q.anchors if a.startswith("=")]
        if found < (len(q.anchors) + 1) // 2 or any(not re.search(rf"(?<![\w-]){re.escape(a[1:])}(?![\w-])", low)
                                                   for a in codes):
            return False                 # most names and dates, and every code name (M-19), must be there
    if q.wants and q.wants != "person":
        text = p.hit.chunk.text[p.start - p.hit.chunk.start:p.end - p.hit.chunk.start]
        if not mostly_caps(text) and not _has_answer_kind(text, q):
            return False                 # "where"/"when" and the passage names no place or date
    focus = {canonical(f) for f in q.focus}
    if focus:
        if not focus & p.terms:
            return False
        text = p.hit.chunk.text[p.start - p.hit.chunk.start:p.end - p.hit.chunk.start]
        if q.wants_number and not _figure_near(text, focus):
            return False
    return True


def _answerable(q: QuestionInfo, chosen: list[Passage], *, best_sim: float, min_similarity: float) -> str | None:
    """None when the chosen passages answer the question, else the reason they do not."""
    if not chosen:
        return "No indexed passage is about this question."
    if best_sim < min_similarity:
        return "The closest passages are about something else."
    if not any(_supports(p, q) for p in chosen):
        if q.focus and not any({canonical(f) for f in q.focus} & p.terms for p in chosen):
            return f"No passage on this mentions “{q.focus[0]}…”."
        if q.wants_number:
            return "The passages on this give no figure for it."
        return "The closest passages do not cover the question."
    return None


_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_PLACE = re.compile(r"\b(?:in|from|at|near|outside|to)\s+(?:the\s+)?(?:\w+\s+)?([A-Z][a-z]{2,}(?:\s+[A-Z][a-z]+)*)")
_TIME = re.compile(rf"\b(?:on|in|since|by|until)\s+(?:\d{{1,2}}\s+{_MONTH}|{_MONTH}|\d{{4}}|Monday|Tuesday|Wednesday|"
                   rf"Thursday|Friday|Saturday|Sunday)|\b\d{{1,2}}\s+{_MONTH}\b|\b{_MONTH}\s+\d{{1,2}}\b|"
                   rf"\b(?:yesterday|today|tonight|last (?:night|week|month|year)|earlier this (?:week|month|year)|"
                   rf"\d+ (?:days|weeks|months|years) ago)\b", re.I)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")


def _has_answer_kind(sentence: str, q: QuestionInfo) -> bool:
    """The sentence holds the kind of thing asked for (a place, a date, a name) that the question
    itself does not already give."""
    asked = set(stem_terms(q.text))
    if q.wants == "place":
        found = [m.group(1) for m in _PLACE.finditer(sentence)]
    elif q.wants == "time":
        return _TIME.search(sentence) is not None
    else:
        found = [m.group(0) for m in _NAME.finditer(sentence)]
    return any(not set(stem_terms(f)) <= asked for f in found)


def _figure_near(text: str, focus: set[str]) -> bool:
    """A number or quantity word counting the focus noun: within a few words before it
    ("at least 15 Wagner fighters", "dozens of fighters"); years do not count."""
    text = re.sub(r"(?:^|(?<=[.!?]\s))\(?\d{1,3}[.)]\s", " ", text)     # paragraph numbers ("53. UNMISS …")
    words = re.findall(r"[\w'’-]+", text)
    for i, w in enumerate(words):
        if not focus & _terms(w):
            continue
        for prev in words[max(0, i - 6):i]:
            if NUMBER.fullmatch(prev) and not re.fullmatch(r"(1[89]|20)\d\d", prev):
                return True
    return False


def _primary(p: Passage) -> Attribution | None:
    return p.attributions[0] if p.attributions else None


def _primary_name(p: Passage) -> str:
    a = _primary(p)
    return a.source_resolved if a else p.hit.doc.narrator.name


def _citation(n: int, p: Passage) -> Citation:
    c = p.hit.chunk
    doc = p.hit.doc
    a = _primary(p)
    page = _page_of(p)
    return Citation(n=n, doc_id=doc.doc_id, title=doc.meta.title or doc.path, path=doc.path, page=page,
                    start=p.start, end=p.end, quote=c.text[p.start - c.start:p.end - c.start],
                    source=a.source_resolved if a else doc.narrator.name,
                    source_type=a.source_type if a else doc.narrator.source_type,
                    cue=a.cue if a else None, stance=a.stance if a else "narration",
                    outlet=doc.meta.outlet, date=doc.meta.date, key=doc.key)


def _page_of(p: Passage) -> int | None:
    return p.hit.chunk.page_at(p.start)


def _one_page(c, start: int, end: int, core: Sentence) -> tuple[int, int]:
    """Keep a passage on one page (a quote across a page break would not be a verbatim span of
    the PDF's text): the page holding most of the core sentence."""
    pages = [pg for pg in c.pages if pg.start < end and pg.end > start]
    if len(pages) <= 1:
        return start, end
    page = max(pages, key=lambda pg: min(pg.end, core.end) - max(pg.start, core.start))
    s, e = max(start, page.start), min(end, page.end)
    while s < e and c.text[s - c.start].isspace():
        s += 1
    return s, e


def _claims(chosen: list[Passage], citations: tuple[Citation, ...]) -> tuple[Claim, ...]:
    groups: dict[str, dict] = {}
    for p, cit in zip(chosen, citations):
        credited = list(p.attributions)
        narrated = [s for s in p.sentences if not any(a.sentence_start < s.end and a.sentence_end > s.start
                                                       for a in p.attributions)]
        for a in credited:
            g = groups.setdefault(a.source_resolved, dict(source=a.source_resolved, source_type=a.source_type,
                                                          cue=a.cue, stance=a.stance, texts=[], citations=[]))
            text = p.hit.chunk.text[max(a.sentence_start, p.start) - p.hit.chunk.start:
                                    min(a.sentence_end, p.end) - p.hit.chunk.start]
            if text not in g["texts"]:
                g["texts"].append(text)
            if cit.n not in g["citations"]:
                g["citations"].append(cit.n)
        if narrated or not credited:
            nar = p.hit.doc.narrator
            g = groups.setdefault(nar.name, dict(source=nar.name, source_type=nar.source_type, cue=None,
                                                 stance="narration", texts=[], citations=[]))
            for s in narrated or p.sentences:
                text = p.hit.chunk.text[s.start - p.hit.chunk.start:s.end - p.hit.chunk.start]
                if text not in g["texts"]:
                    g["texts"].append(text)
            if cit.n not in g["citations"]:
                g["citations"].append(cit.n)
    return tuple(Claim(source=g["source"], source_type=g["source_type"], cue=g["cue"], stance=g["stance"],
                       text=" … ".join(g["texts"]), citations=tuple(g["citations"])) for g in groups.values())


def _contested(q: QuestionInfo, chosen: list[Passage], claims: tuple[Claim, ...]) -> bool:
    """Several sources each answer the question with their own account."""
    answering = {n for n, p in enumerate(chosen, start=1) if _supports(p, q)}
    sources = {c.source for c in claims if c.stance != "narration" and set(c.citations) & answering}
    return len(sources) >= 2


def _text(claims: tuple[Claim, ...], citations: tuple[Citation, ...], contested: bool) -> str:
    """Markdown: one line per source with its cue and verbatim words, speakers first, then what
    the documents say in their own voice."""
    lines = []
    if contested:
        lines.append("**Accounts differ.** The sources give different accounts; each is shown with who gives it:")
        lines.append("")
    speakers = [c for c in claims if c.stance != "narration"]
    narration = [c for c in claims if c.stance == "narration"]
    for c in speakers + narration:
        if c is narration[0] if narration else False:
            if speakers:
                lines += ["", "Also in the reports, in their own voice:"]
        marks = "".join(f"[{n}]" for n in c.citations)
        who = f"**{c.source}** ({c.source_type})"
        verb = c.cue if c.cue else "reports"
        lines.append(f"- {who} {verb}: “{_short(c.text, 600)}” {marks}")
    return "\n".join(lines)


def _names(wanted: str, a: Attribution | None, *, narrator: str | None = None) -> bool:
    w = wanted.lower()
    if a is not None:
        return w in a.source_resolved.lower() or w in a.source.lower() or w == a.source_type.lower()
    return narrator is not None and w in narrator.lower()


def _matches_hint(q: QuestionInfo, a: Attribution) -> bool:
    """The attribution's source is one the question asks about."""
    return any(_matches(h, a) for h in q.hints)


def _matches(h: SourceHint, a: Attribution) -> bool:
    """By name when the question names someone ("Gramajo"), else by its words or its type ("the
    army", "the rebels")."""
    person_named = any(w[:1].isupper() and not w.isupper() for w in h.text.split() if len(w) > 1) and h.names
    if not person_named and h.kind and a.source_type == h.kind:
        return True                  # "the FMLN" also speaks as "the Salvadoran guerrillas"
    return _hint_in(h, a.source_resolved) or _hint_in(h, a.source)


def _same_word(w: str, t: str) -> bool:
    return w == t or (min(len(w), len(t)) >= 4 and (w.startswith(t) or t.startswith(w)))


def _hint_in(h: SourceHint, name: str) -> bool:
    words = stem_terms(name)
    if h.names:
        return any(_same_word(w, t) for t in h.names for w in words)
    return bool(h.terms) and all(any(_same_word(w, t) for w in words) for t in h.terms)


def _restate(question: str) -> str:
    q = question.strip().rstrip("?").strip()
    return f"“{q}”" if q else "that"


def _short(text: str, n: int = 220) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " …"


def _page(c: Citation) -> str:
    return f", p. {c.page}" if c.page else ""

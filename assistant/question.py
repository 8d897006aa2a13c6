"""Question -> what the answer must contain: content terms, the source the user asks about
("according to the rebels", "What did the army say?"), the kind of answer (a number, a person)
and the focus noun of "how many X" / "what X" that the answer passage must mention.
Pure string functions; no model at query time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .lexical import stem_terms, stem_word
from .lexicon import DESCRIBING_WORDS, QUESTION_SPEECH_FORMS, alternation
from .sources import source_type
from .types import SourceType

Asks = Literal["number", "time", "place", "person", "reason", "manner", "thing", "yesno"]
WordKind = Literal["qualifier", "number", "name", "word"]

# Words that change what a question asks without being its topic: a question that says "after",
# "least" or "second" where the passage says "before", "most" or "first" asks something else.
QUALIFIERS = frozenset(
    """before after first second third fourth fifth last least most more less fewer only all
    never not no none neither nor earlier later largest smallest highest lowest best worst biggest main primary
    major minor minimum maximum early late older oldest newer newest without except same different previous
    next former latter initial final entire whole""".split()
)
NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand
    million billion half dozen dozens hundreds thousands""".split()
)
# Words of a question that say nothing about its topic (what it asks is in `asks`).
FUNCTION_WORDS = frozenset(
    """the a an of to in on at for by with is are was were be been being do does did what
    which who whom whose when where why how that this these those it its and or as there their they he she his
    her him them has have had can could would should will may might must also used use called name named type
    kind sort many much""".split()
)
_WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")

QUESTION_WORDS = frozenset(
    stem_terms(
        "what which who whom whose when where why how many much did does do say says said according "
        "tell told report reported claim claimed happen happened accord describe explain give"
    )
)
TYPE_NOUNS = frozenset(
    stem_terms(
        "country countries city cities town village province region department state group organization "
        "organisation year month day date time person people man woman name kind type number nationality "
        "place location area part side"
    )
)
SPEECH = alternation(QUESTION_SPEECH_FORMS)
_SOURCE_PATTERNS = [
    re.compile(r"\baccording to (?P<src>[^,?.;]+)", re.I),
    re.compile(rf"\b(?:what|how|why|when|whom?) (?:did|does|do|has|have|had) (?P<src>.+?) (?-i:{SPEECH})\b", re.I),
    re.compile(rf"\b(?:did|does|do|has|have) (?P<src>.+?) (?-i:{SPEECH}|confirm|deny)\b", re.I),
    re.compile(r"\b(?:in|by) (?P<src>[^,?]+?)'s? (?:view|account|version|words|statement|report|claim)\b", re.I),
    re.compile(r"\b(?P<src>[A-Z][\w-]*(?: [A-Z][\w-]*)*)'s? (?:claim|account|version|statement|report)\b"),
    re.compile(rf"\bwhat (?P<src>[^?]+?) (?-i:{SPEECH})\b", re.I),
]
_QUANTITY = re.compile(r"\bhow (?:many|much)\b", re.I)
_FOCUS = re.compile(r"\b(?:how many|how much|what|which)\s+(?P<noun>[\w\s-]+)", re.I)
_STOP_FOCUS = re.compile(
    r"^(?:did|does|do|were|was|are|is|has|have|had|will|would|could|can|of|in|on|at|for|by|to|"
    r"that|who|which|the|a|an|\w+ed)$",
    re.I,
)
_TRIVIAL_SOURCE = re.compile(r"^(?:it|they|he|she|this|that|there|the|a|an|you|we|i)$", re.I)


@dataclass(frozen=True, slots=True)
class SourceHint:
    """A source a question asks about ("according to the rebels", "what did the army say")."""

    text: str
    terms: tuple[str, ...]  # its stemmed words
    names: tuple[str, ...]  # stems of its proper names ("Gramajo"); titles and demonyms left out
    kind: SourceType | None


@dataclass(frozen=True, slots=True)
class QWord:
    """A word of the question that the answer's passage should contain."""

    text: str  # as written
    lower: str
    stem: str
    kind: WordKind


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    text: str
    terms: tuple[str, ...]  # stemmed content terms
    source: str | None  # the source the question asks about, as written
    source_terms: tuple[str, ...]  # its stemmed words
    source_type: SourceType | None
    wants_number: bool
    focus: tuple[str, ...]  # stems the answer passage must mention (may be empty)
    anchors: tuple[str, ...] = ()  # names and dates the answer's context must mention
    wants: str | None = None  # "place", "time" or "person" for where / when / who questions
    hints: tuple[SourceHint, ...] = ()  # every source the question asks about, first one first
    asks: Asks = "thing"  # the kind of answer: a figure, a date, a place, a person, ...
    words: tuple[QWord, ...] = ()  # its content words, with qualifiers, numbers and names marked


_NOT_A_SOURCE = re.compile(
    r"^(?:each|both|either|all|any|some|every|other|another|much|many)\b|"
    r"\b(?:happen(?:ed|s)?|did|does|do|was|were|is|are|has|have|had|been|be|will|would|could|can|should)\b",
    re.I,
)


# People a question can only describe ("the man who …"): no source is named.
_SOMEONE = frozenset("man woman men women person people boy girl someone somebody child".split())


def _names_a_source(cand: str) -> bool:
    """A short noun phrase that could name who speaks ("the Malian army", "Radio Venceremos"),
    not a clause ("happened in the town of …", "the army hold responsible …") or "each side"."""
    words = cand.split()
    return (
        0 < len(words) <= 8
        and "," not in cand
        and not _NOT_A_SOURCE.search(cand)
        and not (len(words) == 1 and re.match(r"^[a-z]\w*(?:ed|ing)$", words[0]))
    )


def analyse_question(text: str) -> QuestionInfo:
    """What to look for in the passages that answer `text`."""
    terms = tuple(t for t in stem_terms(text) if t not in QUESTION_WORDS)
    found: list[tuple[int, str]] = []
    for pattern in _SOURCE_PATTERNS:
        for m in pattern.finditer(text):
            cand = m.group("src").strip()
            cand = re.sub(r"^(?:the|a|an)\s+", "", cand, flags=re.I)
            head, *described = re.split(r"\s+(?:who|which|that)\s", cand, maxsplit=1)
            if described and head.lower() in _SOMEONE:
                continue  # "the man who landed a drone …": known by what they did, not by a name
            cand = re.split(r"\s+(?:who|which|that|of \d|to the|in the|on the)\s", cand, maxsplit=1)[0]
            if (
                cand
                and not _TRIVIAL_SOURCE.match(cand)
                and _names_a_source(cand)
                and not any(cand.lower() in f.lower() or f.lower() in cand.lower() for _, f in found)
            ):
                found.append((m.start("src"), cand))
    hints = tuple(_hint(c) for _, c in sorted(found))
    source = hints[0].text if hints else None
    source_terms = hints[0].terms if hints else ()
    kind = hints[0].kind if hints else None
    focus: tuple[str, ...] = ()
    m = _FOCUS.search(text)
    if m:
        noun: list[str] = []
        for word in m.group("noun").split()[:4]:
            if _STOP_FOCUS.match(word):
                break
            noun.append(word)
        stems = [s for s in stem_terms(" ".join(noun)) if s not in QUESTION_WORDS]
        if stems and stems[-1] not in TYPE_NOUNS:
            focus = (stems[-1],)
    return QuestionInfo(
        text=text,
        terms=terms,
        source=source,
        source_terms=source_terms,
        source_type=kind,
        wants_number=bool(_QUANTITY.search(text)),
        focus=focus,
        anchors=_anchors(text, [h.text for h in hints]),
        wants=_answer_kind(text),
        hints=hints,
        asks=asks(text),
        words=question_words(text),
    )


def asks(text: str) -> Asks:
    """What kind of answer the question wants, from its first question word ("what did the official
    who spoke … say" asks a thing; the relative "who" comes later)."""
    low = text.strip().lower()
    lead = _LEADING_CLAUSE.match(low)  # "When the troops entered …, how many casualties …"
    if lead:
        low = low[lead.end() :]
    found = [(m.start(), i, kind) for i, (kind, pattern) in enumerate(_ASKS) for m in [pattern.search(low)] if m]
    if found:
        return min(found)[2]
    return "yesno" if _YESNO.match(low) else "thing"


_ASKS: list[tuple[Asks, re.Pattern[str]]] = [
    ("number", re.compile(r"\bhow (?:many|much)\b|\bwhat (?:number|percentage|proportion|amount)\b")),
    (
        "time",
        re.compile(r"\bwhen\b|\bhow long\b|\b(?:what|which|in what) (?:year|date|day|month|century|decade|time)\b"),
    ),
    ("place", re.compile(r"\bwhere\b|\b(?:what|which|in what) (?:country|city|town|village|region|province|place)\b")),
    ("person", re.compile(r"\bwho(?:m|se)?\b|\bwhat (?:is|was|were|are) the names? of\b")),
    ("reason", re.compile(r"\bwhy\b|\bfor what reason\b")),
    ("manner", re.compile(r"\bhow\b")),
    ("thing", re.compile(r"\bwhat\b|\bwhich\b")),
]
_LEADING_CLAUSE = re.compile(
    r"^(?:when|where|after|before|while|as|if|since|once)\b[^?]*?,\s*(?=(?:how|what|who|whom|"
    r"whose|which|where|when|why|did|does|do|is|are|was|were|has|have|had)\b)"
)
_YESNO = re.compile(r"^(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|should)\b")


def question_words(text: str) -> tuple[QWord, ...]:
    """The question's words that a passage answering it should share, each with its kind."""
    out: list[QWord] = []
    for i, m in enumerate(_WORD.finditer(text)):
        word = m.group(0).replace("’", "'")
        low = word.lower()
        if low.endswith("'s"):
            low = low[:-2]
        if low in FUNCTION_WORDS or not low:
            continue
        if low in QUALIFIERS:
            kind: WordKind = "qualifier"
        elif low.replace(",", "").replace(".", "").isdigit() or low in NUMBER_WORDS:
            kind = "number"
        elif word[:1].isupper() and i > 0:
            kind = "name"
        else:
            kind = "word"
        out.append(QWord(text=word, lower=low, stem=stem_word(low), kind=kind))
    return tuple(out)


def _hint(text: str) -> SourceHint:
    kind = source_type(text)
    names = tuple(
        t
        for w in text.split()
        if w[:1].isupper() and w.lower() not in DESCRIBING_WORDS and not _is_demonym(w)
        for t in stem_terms(w)
    )
    return SourceHint(text=text, terms=tuple(stem_terms(text)), names=names, kind=None if kind == "other" else kind)


def _answer_kind(text: str) -> str | None:
    first = text.strip().lower()
    if re.match(
        r"^(where|from where|in which (?:town|city|country|region|province|village|area))\b", first
    ) or re.search(r"\bwhere\b.*\bfrom\b", first):
        return "place"
    if re.match(r"^(when|on what date|what day|in what year|what year)\b", first):
        return "time"
    if re.match(r"^(who|whom|which (?:group|person|man|woman|official|organi[sz]ation))\b", first):
        return "person"
    return None


def _is_demonym(word: str) -> bool:
    """'Guatemalan', 'Malian', 'Sudanese': an adjective of nationality, not a name."""
    return bool(re.fullmatch(r"[A-Z][a-z]+(?:an|ian|ese|ish|i)", word)) and len(word) > 4


def _anchors(text: str, sources: list[str]) -> tuple[str, ...]:
    """Stems of the names and numbers in a question (not its first word, not the asked-about sources)."""
    words = re.findall(r"[\w'’-]+", text)
    out: list[str] = []
    src = {t for s in sources for t in stem_terms(s)}
    for i, w in enumerate(words):
        if i == 0 or not (w[0].isupper() or w[0].isdigit()):
            continue
        if re.fullmatch(r"[A-Za-z]+[-/][A-Za-z0-9/-]+", w) and (re.search(r"\d", w) or w.isupper()):
            if "=" + w.lower() not in out and w.lower() not in {s.lower() for s in sources}:
                out.append("=" + w.lower())  # a code name such as M-19 or AFC/M23, matched whole
            continue
        for t in stem_terms(w):
            if t not in QUESTION_WORDS and t not in src and t not in out and not re.fullmatch(r"(19|20)\d\d", t):
                out.append(t)
    return tuple(out)

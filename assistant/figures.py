"""Answer -> the figures each source gives in answer to the question ("at least 20" from Baza,
"at least 15" from local sources, "dozens" from a separatist spokesman), for the comparison line
and the chart of the web chat. Pure functions over the Answer; no HTML here.

The figures are the ones the renderer sets in bold in each claim (`FIGURE`); one answers the
question when the words it counts ("… Wagner fighters") are the ones the question asks about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Answer

FIGURE = re.compile(
    r"\b(?:(?:at least|more than|over|about|around|nearly|almost|up to|some)\s+)?"
    r"(?:\d[\d,.]*\d|\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundreds?|thousands?|dozens?|scores)\b(?=[\"”’']?\s+[^\W\d_])",
    re.I,
)
YEAR = re.compile(r"(?:1[89]|20)\d\d")
WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50}
_HOW_MANY = re.compile(
    r"\bhow\s+(?:many|much)\s+(?P<what>.+?)(?:\s+(?:were|was|are|is|have|has|had|did|do|does|"
    r"will|would)\b(?:\s+(?:been|being))?\s*(?P<verb>\w+(?:ed|en))?\b|[?.!]|$)",
    re.I,
)
_SKIP = frozenset("of the a an their its his her these those such".split())
_PLACE_TAIL = re.compile(r"\s+(?:in|at|near|around|on|during|since|after|before|by|from)\s+.*$", re.I)


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure a source gives in answer to the question."""

    source: str
    source_type: str
    text: str  # as written: "at least 20", "dozens"
    value: float | None  # the number, or None for a quantity that is not one ("dozens", "hundreds")
    citations: tuple[int, ...]  # the claim's citation numbers


def figures(text: str) -> list[re.Match[str]]:
    """The figures of `text` ("at least 20 Wagner fighters", "“dozens” of …"); years are left out."""
    return [m for m in FIGURE.finditer(text) if not YEAR.fullmatch(m.group(0).split()[-1])]


def value_of(figure: str) -> float | None:
    """The number a figure names ("at least 20" -> 20, "fifteen" -> 15, "9,000" -> 9000); None
    for "dozens", "hundreds" and the like."""
    last = figure.split()[-1].lower().strip("\"“”’'")
    if last in WORD_NUMBERS:
        return float(WORD_NUMBERS[last])
    digits = last.replace(",", "")
    try:
        return float(digits)
    except ValueError:
        return None


def question_focus(question: str) -> tuple[str, str]:
    """(what is counted, a short label) from a "how many" question: "How many Wagner fighters were
    killed at Tinzaouatene?" -> ("Wagner fighters", "Wagner fighters killed"); ("", "") otherwise."""
    m = _HOW_MANY.search(question)
    if not m:
        return "", ""
    what = _PLACE_TAIL.sub("", m.group("what").strip(" ?.!")).strip()
    return what, f"{what} {m.group('verb')}".strip() if m.group("verb") else what


def _stem(word: str) -> str:
    word = word.lower().strip("\"“”’'.,;:()")
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _counts(text: str, end: int, focus: set[str]) -> bool:
    """The words right after a figure (past "of", "the", quotes) are what the question counts."""
    words = [w for w in re.findall(r"[\w'’-]+", text[end : end + 80])]
    content = [w for w in words if w.lower() not in _SKIP][:2]
    return any(_stem(w) in focus for w in content)


def answering(text: str, question: str) -> list[str]:
    """The figures of `text` that count what the "how many" `question` asks about, as written."""
    what, _ = question_focus(question)
    focus = {_stem(w) for w in re.findall(r"[\w'’-]+", what) if w.lower() not in _SKIP}
    return [m.group(0) for m in figures(text) if focus and _counts(text, m.end(), focus)]


def figures_by_source(a: Answer) -> list[Figure]:
    """The figures the accounts of `a` give that answer its question, in the order of the claims
    (a source's own narration included only when no source speaks): for a "how many" question,
    each bold figure of a claim that counts what the question asks about. Empty when the question
    asks for no count or no claim gives one."""
    what, _ = question_focus(a.question)
    focus = {_stem(w) for w in re.findall(r"[\w'’-]+", what) if w.lower() not in _SKIP}
    if not a.answerable or not focus:
        return []
    speakers = [c for c in a.claims if c.stance != "narration"] or list(a.claims)
    out: list[Figure] = []
    for claim in speakers:
        for m in figures(claim.text):
            if _counts(claim.text, m.end(), focus):
                out.append(
                    Figure(
                        source=claim.source,
                        source_type=claim.source_type,
                        text=m.group(0),
                        value=value_of(m.group(0)),
                        citations=claim.citations,
                    )
                )
    return out

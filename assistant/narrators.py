"""The voice of a document: the narrator of its narration (the issuing office of a UN document,
the sender of a letter, the author or outlet of an article), and where the letters a document
quotes start and who wrote each.
"""

from __future__ import annotations

import re

from .sources import display_name, source_type
from .types import DocMeta, Narrator, SourceType

_HEADING = re.compile(
    r"^\W{0,3}(?:annex|appendix|enclosure|attachment)\b|^\W{0,3}(?:identical )?letters? dated\b", re.I
)
_LETTER = re.compile(
    r"\b(?:identical )?letters? dated\b[^\n]{0,80}?,? from (?:the )?(.+?),?\s+(?:addressed )?"
    r"to (?:the|his|her)\b",
    re.I,
)
_SIGNED = re.compile(r"^\W{0,3}\(signed\)", re.I)


def letter_author(heading: str) -> str | None:
    """Who wrote the letter a heading announces ("Letter dated 2 May 2025 from the Permanent
    Representative of the Sudan to the United Nations addressed to …" -> "Permanent
    Representative of the Sudan"); None for other headings."""
    m = _LETTER.search(heading[:600])
    if not m:
        return None
    author = re.sub(r"\s+to the United Nations(?: \w+)?$", "", m.group(1).strip())
    author = re.sub(r"\s+established pursuant to Security Council (resolution \d+ \(\d{4}\))", r" (\1)", author)
    return display_name(author)


def letter_sections(paragraphs: list[tuple[int, str]]) -> list[tuple[int, str | None]]:
    """Where the letters in a document start and who wrote each: (offset, author) at every
    heading (a letter, an annex, an enclosure) and after every "(Signed)" line, where the
    document's own voice resumes (author None)."""
    out: list[tuple[int, str | None]] = []
    for start, text in paragraphs:
        if _HEADING.match(text) or (not out and _LETTER.search(text[:400]) and len(text) < 600):
            out.append((start, letter_author(text)))
        elif _SIGNED.match(text):
            out.append((start + len(text), None))
    return out


def author_type(name: str) -> SourceType:
    """The type of the author of a UN document or of a letter in one."""
    if re.search(
        r"permanent representative|government|minist|embassy|mission of|president of", name, re.I
    ) and not re.search(r"security council|general assembly|united nations", name, re.I):
        return "government"
    kind = source_type(name)
    return kind if kind != "other" else "UN/NGO"


def narrator(meta: DocMeta) -> Narrator:
    """The voice of a document's narration: the issuing office of a UN document, the sender of a
    letter, the author or outlet of an article."""
    if meta.genre in ("un_report", "letter") and meta.author:
        name = meta.author
        if meta.symbol:
            name = f"{name} ({meta.symbol})"
        return Narrator(name=name, source_type=author_type(name))
    if meta.genre == "un_report" and meta.symbol:
        return Narrator(name=f"United Nations ({meta.symbol})", source_type="UN/NGO")
    if meta.outlet and meta.author:
        return Narrator(name=f"{meta.author} ({meta.outlet})", source_type="media")
    if meta.outlet:
        return Narrator(name=meta.outlet, source_type="media")
    if meta.author:
        return Narrator(name=meta.author, source_type="author")
    title = (meta.title or "untitled").strip()
    return Narrator(name=f"the article “{title[:80]}”", source_type="author")

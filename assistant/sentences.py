"""Paragraph text -> parser input and sentences: long paragraphs cut into pieces, two-character
quotation marks made one for the parser (same length), and spaCy's sentences fixed up (list markers,
signatures and short speech tags joined, opening quotation marks moved to their sentence).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .lexicon import FORMS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

MAX_PIECE = 20_000
_SIGNATURE = re.compile(r"^[―—–]+\s*[A-Z]")


_LIST_MARKER = re.compile(r"^(?:\(?[a-z0-9]{1,3}[.)]|[IVXL]{1,5}\.|[A-Z]\.)$")


_TWO_CHAR_QUOTES = re.compile(r"’’|''|``")


def for_parser(text: str) -> str:
    """The parser reads two-character quotation marks (’’ '' ``) as words; give it a one-character
    mark and a space instead (same length, so offsets still point into the original)."""

    def one(m: re.Match[str]) -> str:
        closing = m.end() >= len(text) or not text[m.end()].isalnum()
        return " ”" if closing else "“ "

    text = _TWO_CHAR_QUOTES.sub(one, text)
    # a straight quotation mark glued between two sentences ('on Saturday."Three militants') opens one
    return _GLUED_OPENING.sub(lambda m: "“" if text[: m.start()].count('"') % 2 == 0 else m.group(0), text)


_GLUED_OPENING = re.compile(r'(?<=[.!?])"(?=[A-Z])')


def split_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Paragraph pieces short enough for the parser, cut after a sentence end where possible."""
    while end - start > MAX_PIECE:
        cut = text.rfind(". ", start, start + MAX_PIECE)
        cut = cut + 1 if cut > start + MAX_PIECE // 2 else text.rfind(" ", start, start + MAX_PIECE)
        if cut <= start:
            cut = start + MAX_PIECE
        yield start, cut
        start = cut
        while start < end and text[start] == " ":
            start += 1
    if end > start:
        yield start, end


def sentence_spans(pdoc: Doc) -> list[Span]:
    """spaCy's sentences, with bare list markers ("1.", "(a)") joined to the sentence they start."""
    out: list[Span] = []
    pending = None
    for s in pdoc.sents:
        if not s.text.strip():
            continue
        if pending is not None:
            s = pdoc[pending.start : s.end]
            pending = None
        if _LIST_MARKER.match(s.text.strip()) or len(s.text.strip()) <= 2:
            pending = s
            continue
        out.append(s)
    if pending is not None:
        if out:
            out[-1] = pdoc[out[-1].start : pending.end]
        else:
            out.append(pending)
    joined: list[Span] = []
    for s in out:
        if joined and _SIGNATURE.match(s.text) and len(s) <= 12:
            joined[-1] = pdoc[joined[-1].start : s.end]  # '“…” ― Azucena Gonzàlez': the signature ends the quote
        elif joined and _ASKED.search(joined[-1].text) and _tag_clause(s):
            joined[-1] = pdoc[joined[-1].start : s.end]  # '“Why not?” Vitter demanded.': one sentence
        else:
            joined.append(s)
    return _move_opening_quotes([_trim(s) for s in joined])


_ASKED = re.compile("[?!]\\s*(?:[\u201d\"\u2019\u00bb]|'')\\s*$")


def _tag_clause(s: Span) -> bool:
    """A short clause that only says who spoke ('Clinton said.', 'a narrator in the ad asks.')."""
    words = [t for t in s if not t.is_punct]
    return 0 < len(words) <= 14 and (s[0].is_lower or any(t.lower_ in FORMS for t in words[:8]))


def _move_opening_quotes(sents: list[Span]) -> list[Span]:
    """spaCy sometimes ends a sentence with the opening quotation mark of the next one."""
    out = list(sents)
    for k in range(len(out) - 1):
        s = out[k]
        if len(s) > 1 and s[-1].text in ('"', "“", "``", "''") and s[-1].whitespace_ == "" and s[-2].whitespace_:
            doc = s.doc
            out[k] = doc[s.start : s.end - 1]
            out[k + 1] = doc[s.end - 1 : out[k + 1].end]
    return [_trim(s) for s in out]


def _trim(s: Span) -> Span:
    start, end = s.start, s.end
    while end > start + 1 and s.doc[end - 1].is_space:
        end -= 1
    return s.doc[start:end]

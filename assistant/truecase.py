"""Truecasing ALL-CAPS wire copy for the parser: a copy of the same length in ordinary case."""

from __future__ import annotations

import re

from .lexicon import TITLE_WORDS, VERB_FORMS


def _known(word: str, common: frozenset[str]) -> bool:
    if word in common:
        return True
    for suffix, repl in (
        ("'s", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
        ("er", ""),
        ("est", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and word[: len(word) - len(suffix)] + repl in common:
            return True
    return False


def truecase(text: str, common: frozenset[str], stop: frozenset[str] = frozenset()) -> str:
    """A copy of ALL-CAPS text in ordinary case and of the same length: common words in lower
    case, capitals at sentence starts, names (words not in the common list) capitalized, short
    unknown words and letter-digit codes (FMLN, DAS, M-19) kept in capitals."""
    out = list(text.lower())
    start = True
    after_title = False  # words right after "PRESIDENT", "GENERAL" … are a name
    for m in re.finditer(r"[A-Za-z][A-Za-z'’-]*|[.!?]+|\n\n", text):
        tok = m.group(0)
        if not tok[0].isalpha():
            start = True
            continue
        low = tok.lower()
        a, b = m.start(), m.end()
        if (
            len(tok) <= 4
            and not re.search(r"[aeiouy]", low)
            or (len(tok) <= 3 and not _known(low, common))
            or re.search(r"\d", text[a : b + 3].split()[0] if text[a : b + 3].split() else "")
        ):
            out[a:b] = list(tok)
        elif (
            start
            or low == "i"
            or not _known(low.strip("'’-"), common)
            or (after_title and low not in stop and low not in VERB_FORMS and not low.endswith(("ed", "ing")))
        ):
            out[a] = tok[0].upper()
            after_title = after_title or not start
        else:
            after_title = False
        if low in TITLE_WORDS:
            after_title = True
        start = False
    return "".join(out)

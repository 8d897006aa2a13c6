"""Is this source the one asked about? A source a question names ("the WHO", "the Malian army",
"the rebels", "Gramajo") or a `--source` filter, matched against the name and type of a source in
the index: by its words, by its initials (WHO = World Health Organization, IDF = Israel Defense
Forces), or by its type when the question names a kind of source rather than someone ("the army"
speaks as "the Malian military"; "the rebels" as the CSP-PSD). Pure string functions.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

from .lexical import stem_terms
from .lexicon import ARTIFACTS, DESCRIBING_WORDS
from .sources import source_type
from .types import SourceType

_SMALL = frozenset("of the and for de du des la le el al".split())
# Words of an organisation's name that many organisations share.
_ORG_WORDS = frozenset(
    stem_terms(
        "organization organisation group forces force ministry council committee union "
        "front movement party agency office commission alliance army police "
        "department service services network association federation"
    )
)
# Words that name a kind of source, not someone: "the army" is any military source.
_KIND_WORDS = frozenset(
    stem_terms(
        "army armies military armed forces troops soldiers rebels rebel separatists "
        "insurgents guerrillas guerrilla militants militia militias jihadists fighters "
        "government authorities regime junta police security media press witnesses "
        "residents locals local sources"
    )
)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


@dataclass(frozen=True, slots=True)
class Wanted:
    """A source someone asks about, as written, with what identifies it."""

    text: str
    terms: tuple[str, ...]  # its stemmed words
    names: tuple[str, ...]  # stems of its proper names ("Gramajo"); titles, demonyms and the words
    # organisations share ("Organization") left out
    person: bool  # its names read as a person's: the surname alone identifies them
    kind: SourceType | None  # the type its words name ("the army": military), if any
    acronym: str | None  # "WHO" for "the WHO" / "the World Health Organization"
    demonyms: tuple[str, ...]  # "malian" for "the Malian army"
    head: str | None = None  # "lawyer" for "Bilal Mohammed's lawyer" (whose names are the owner's)


def wanted(text: str) -> Wanted:
    """What identifies the source named by `text`."""
    text = " ".join(text.split())
    bare = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)
    owner = re.match(r"^(?P<owner>.+?)['’]s?\s+(?P<head>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)$", bare)
    if owner and owner.group("owner")[:1].isupper():  # "Bilal Mohammed's lawyer", "the FMLN's radio"
        w = wanted(owner.group("owner"))
        if owner.group("head").lower() in ARTIFACTS:  # "Sudan's letter" speaks as Sudan
            return replace(w, text=text)
        heads = stem_terms(owner.group("head"))
        return Wanted(
            text=text,
            terms=tuple(stem_terms(bare)),
            names=w.names,
            person=True,
            kind=None,
            acronym=None,
            demonyms=(),
            head=heads[-1] if heads else None,
        )
    kind = source_type(bare)
    words = bare.split()
    capital = [
        t
        for w in words
        if w[:1].isupper() and not w.isupper() and w.lower() not in DESCRIBING_WORDS and not is_demonym(w)
        for t in stem_terms(w)
    ]
    names = tuple(t for t in capital if t not in _ORG_WORDS)
    acronym = bare if re.fullmatch(r"[A-Z][A-Z&-]{1,7}s?", bare) else initials(bare)
    return Wanted(
        text=text,
        terms=tuple(stem_terms(bare)),
        names=names,
        person=len(names) == len(capital),
        kind=None if kind == "other" else kind,
        acronym=acronym,
        demonyms=tuple(w.lower() for w in words if is_demonym(w)),
    )


def initials(name: str) -> str | None:
    """'World Health Organization' -> 'WHO'; None for fewer than two capitalised words."""
    caps = [w for w in re.findall(r"[A-Za-z][\w'-]*", name) if w.lower() not in _SMALL]
    if len(caps) < 2 or not all(w[:1].isupper() for w in caps):
        return None
    return "".join(w[0] for w in caps).upper()


def is_demonym(word: str) -> bool:
    """'Guatemalan', 'Malian', 'Sudanese': an adjective of nationality, not a name."""
    return bool(re.fullmatch(r"[A-Z][a-z]+(?:an|ian|ese|ish|i)", word)) and len(word) > 4


def speaks(w: Wanted, name: str, kind: SourceType | None) -> bool:
    """Whether the source `name` (of type `kind`) is the one `w` asks about."""
    name = _QUOTED.sub(" ", name)  # a document's title inside a narrator's name is not a source
    if not name.strip():
        return False
    if w.head is not None:  # the owner by one of their names, and the role
        words = stem_terms(name)
        return any(_same_word(x, w.head) for x in words) and (
            not w.names or any(_same_word(x, t) for t in w.names for x in words)
        )
    if w.acronym and _has_acronym(w.acronym, name):
        return True
    if w.acronym and w.kind is not None and kind == w.kind and _generic(name):
        return True  # "the FMLN" also speaks as "the Salvadoran guerrillas"
    if w.names:
        return _named(w, name)
    if w.demonyms and _other_demonym(w.demonyms, name):
        return False  # "the Malian army" is not "the Chadian army"
    own = [t for t in w.terms if t not in {d for x in w.demonyms for d in stem_terms(x)}]
    if w.kind is not None and kind == w.kind and set(own) <= _KIND_WORDS:
        return True  # "the army" also speaks as "the Malian military"
    words = stem_terms(name)  # else by its head noun: "the regional governor" is "the governor of Gao"
    return bool(own) and any(_same_word(x, own[-1]) for x in words)


def _generic(name: str) -> bool:
    """A name that says only what kind of source it is ("the Salvadoran guerrillas", "the rebels")."""
    words = [w for w in re.findall(r"[\w'-]+", name) if w.lower() not in _SMALL]
    return bool(words) and all(t in _KIND_WORDS for w in words if not is_demonym(w.capitalize()) for t in stem_terms(w))


def _has_acronym(acronym: str, name: str) -> bool:
    """'WHO' in 'the WHO' or in 'the World Health Organization (WHO)' or as its initials."""
    core = acronym.rstrip("s") if len(acronym) > 2 and acronym.endswith("s") else acronym
    if re.search(rf"(?<![\w-]){re.escape(core)}s?(?![\w-])", name):
        return True
    for part in re.split(r"[,;()]", name):
        if initials(re.sub(r"^\s*(?:the|a|an)\s+", "", part.strip(), flags=re.I)) == core.upper():
            return True
    return False


def _named(w: Wanted, name: str) -> bool:
    """A person by their surname ("Gramajo" is "Defense Minister Hector Gramajo"); an organisation by
    all its own names ("World Health", not just "Health")."""
    words = stem_terms(name)
    needed = w.names[-1:] if w.person else w.names
    return all(any(_same_word(x, t) for x in words) for t in needed)


def _other_demonym(demonyms: tuple[str, ...], name: str) -> bool:
    found = [w.lower() for w in re.findall(r"[A-Z][a-z]+", name) if is_demonym(w)]
    return bool(found) and not any(_same_nation(a, b) for a in found for b in demonyms)


def _same_nation(a: str, b: str) -> bool:
    """'sudan' and 'sudanese', 'mali' and 'malian', 'chad' and 'chadian' (not 'malian' and 'malawian')."""
    common = len(os.path.commonprefix([a, b]))
    return common >= min(5, min(len(a), len(b)) - 1)


def _same_word(w: str, t: str) -> bool:
    return w == t or (min(len(w), len(t)) >= 4 and (w.startswith(t) or t.startswith(w)))

"""Found -> Attribution: a sentence-level finding with its source resolved against what the document
said before ("he", "the ministry", "the statement", "Ramadane") and typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .attribute import Found
from .lexicon import ARTIFACTS, EVIDENCE, PERSON_ROLES, PRONOUNS_FIRST, PRONOUNS_PERSON, PRONOUNS_PLURAL, RELATIVE
from .mentions import Memory, Mention
from .sources import CAPTION, display_name, is_bare, looks_like_person, source_type
from .types import Attribution, SourceType

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


def resolve_found(f: Found, sent: Span, offset: int, text: str, memory: Memory, voice: str) -> Attribution | None:
    """Turn a sentence-level finding into an Attribution with a resolved, typed source."""
    src_text = text[offset + f.source_start : offset + f.source_end]
    head = f.head
    low = src_text.lower()
    if f.antecedent is not None:
        a, b = f.antecedent
        r = _Resolved(text[offset + a : offset + b])
    elif low in PRONOUNS_FIRST:
        r = _Resolved(voice, kind="author", new=False)
    elif _refers_back(low, head):
        found = _referent(f, src_text, offset, text, memory)
        if found is None:
            return None
        r = found
    else:
        r = _named(head, src_text, offset, text, memory)
    if (
        CAPTION.search(src_text)
        or head.lower_ in EVIDENCE
        and f.creator is None
        and f.antecedent is None
        or src_text.count(")") > src_text.count("(")
        or text[: offset + f.source_start].rstrip().endswith("(")
    ):
        return None  # "Photograph (Police/Handout)", "video surveillance", "(CHANGES THOUGHT)
    kind = r.kind if r.kind is not None else source_type(r.resolved, armed_context=memory.armed)
    name = _shown_name(display_name(r.resolved))
    if name is None:
        return None  # "you know", "This shows …", an unresolved "who": no source
    if r.new:
        _remember(head, low, offset, text, memory, r, kind)
    s_start, s_end = offset + sent.start_char, offset + sent.end_char
    return Attribution(
        sentence_start=s_start,
        sentence_end=s_end,
        source=src_text.strip(),
        source_resolved=name,
        source_type=kind,
        cue=_cue_text(f, offset, text),
        stance=f.stance,
        content_start=offset + f.content_start,
        content_end=offset + f.content_end,
        source_start=offset + f.source_start,
        source_end=offset + f.source_end,
        cue_start=offset + f.cue_start,
        cue_end=offset + f.cue_end,
    )


@dataclass(slots=True)
class _Resolved:
    """Who a source phrase stands for, as far as the document tells; `new` when it is a source the
    document's memory should learn."""

    resolved: str
    kind: SourceType | None = None
    person: bool = False
    plural: bool = False
    new: bool = True


def _refers_back(low: str, head: Token) -> bool:
    """A pronoun, an artifact or a definite description ("the ministry", "the drug trafficker") that
    stands for someone named before."""
    return (
        low in PRONOUNS_PERSON
        or low in PRONOUNS_PLURAL
        or low in RELATIVE
        or low == "it"
        or head.lower_ in ARTIFACTS
        or bool(re.fullmatch(r"(the|this|that|these|those|said)\s+[\w-]+", low))
        and head.pos_ != "PROPN"
        or bool(re.fullmatch(r"(the|this|that|said)(\s+[\w-]+){2,3}", low))
        and head.lower_ in PERSON_ROLES
        and not any(t.pos_ == "PROPN" or t.ent_type_ for t in head.subtree)
    )  # "the drug trafficker"


def _referent(f: Found, src_text: str, offset: int, text: str, memory: Memory) -> _Resolved | None:
    """What a source that refers back stands for: an artifact's creator, a pronoun's governor in the
    sentence, or the source the memory resolves it to; None for an "it" that stands for no one."""
    head, low = f.head, src_text.lower()
    if f.creator is not None and head.lower_ in ARTIFACTS:
        a, b = f.creator
        r = _Resolved(text[offset + a : offset + b])
        found = memory.find_name(r.resolved)
        if found:
            r.resolved, r.kind = found.resolved, found.kind
        return r
    if f.governor is not None and low in ("he", "she", "it", "they"):
        a, b = f.governor
        r = _Resolved(text[offset + a : offset + b], new=False)
        found = memory.find_name(r.resolved) or next(
            (m for m in reversed(memory.sources) if m.name.lower() == r.resolved.lower()), None
        )
        if found:
            r.resolved, r.kind = found.resolved, found.kind
        return r
    m = memory.resolve(src_text, head=head.text)
    if m is not None:
        if m in memory.sources:
            memory.sources.remove(m)
        m.at = memory.sentence
        memory.sources.append(m)
        return _Resolved(m.resolved, kind=m.kind, person=m.person, plural=m.plural, new=False)
    if low == "it":
        return None
    if low in PRONOUNS_PERSON or low in PRONOUNS_PLURAL or low in RELATIVE:
        return _Resolved(src_text, new=False)  # an unresolved 'he' is no one a later mention can mean
    return _Resolved(src_text)


def _named(head: Token, src_text: str, offset: int, text: str, memory: Memory) -> _Resolved:
    """A source named in full, or the short form of a name the document gave before."""
    core, appos = _name_parts(head, offset, text)
    # a common noun opening a sentence ("Authorities, however, …") is no short form of a name
    common = head.tag_ == "NNS" and not head.ent_type_ and head.text.istitle() and head.i == head.sent.start
    earlier = None if common else memory.find_name(core)
    if earlier is not None and earlier.resolved != core:
        memory.add_source(
            Mention(
                name=earlier.name,
                resolved=earlier.resolved,
                kind=earlier.kind,
                person=earlier.person,
                plural=earlier.plural,
            )
        )
        return _Resolved(earlier.resolved, kind=earlier.kind, person=earlier.person, plural=earlier.plural, new=False)
    return _Resolved((f"{core}, {appos}" if "(" in core else f"{core} ({appos})") if appos else src_text)


def _shown_name(name: str) -> str | None:
    """The name a reader sees: an unresolved pronoun as an unidentified speaker; None for a bare word
    that names no one."""
    if not is_bare(name):
        return name
    if name.lower() in PRONOUNS_PERSON:
        return "an unidentified speaker"
    if name.lower() in PRONOUNS_PLURAL:
        return "unidentified speakers"
    return None


def _remember(head: Token, low: str, offset: int, text: str, memory: Memory, r: _Resolved, kind: SourceType) -> None:
    """Add a new source to the document's memory, with whether it is a person and plural."""
    titles = [t for t in head.subtree if t.i <= head.i or t.head.dep_ == "appos" or t.dep_ == "appos"]
    core = _name_parts(head, offset, text)[0]
    person = (
        r.person
        or head.ent_type_ == "PERSON"
        or low in PRONOUNS_PERSON
        or looks_like_person(core, kind)
        or any(t.lower_ in PERSON_ROLES and t.i < head.i and t.dep_ == "compound" for t in titles)
        or head.lower_ in PERSON_ROLES
        or any(c.dep_ == "appos" and c.lower_ in PERSON_ROLES for c in head.children)
    )
    plural = r.plural or (head.tag_ in ("NNS", "NNPS") and not person) or any(c.dep_ == "conj" for c in head.children)
    memory.add_source(Mention(name=core, resolved=r.resolved, kind=kind, person=person, plural=plural))


def _cue_text(f: Found, offset: int, text: str) -> str:
    """The cue as written in the original text (the parse may have run on a truecased copy)."""
    original = text[offset + f.cue_start : offset + f.cue_end]
    return original if original.lower() == f.cue.lower() else f.cue


def _name_parts(head: Token, offset: int, text: str) -> tuple[str, str | None]:
    """(core name, appositive description) of a source phrase: "Mossa Ag Inzoma", "a member of …"."""
    left = [t for t in head.lefts if t.dep_ in ("compound", "amod", "det", "nmod", "poss", "nummod", "quantmod")]
    first = min([head] + [t.left_edge for t in left], key=lambda t: t.i)
    last = head
    for t in head.rights:
        if t.dep_ in ("compound", "flat") or (t.dep_ == "prep" and t.lower_ in ("of", "for") and head.pos_ == "NOUN"):
            last = max(t.subtree, key=lambda x: x.i) if t.dep_ == "prep" else t
    core = text[offset + first.idx : offset + last.idx + len(last)]
    parts = []
    for appos in (t for t in head.rights if t.dep_ == "appos"):
        toks = sorted((t for t in appos.subtree if t.dep_ != "relcl"), key=lambda t: t.i)
        if toks:
            parts.append(text[offset + toks[0].idx : offset + toks[-1].idx + len(toks[-1])].strip(' ,"“”'))
    return core.strip(" ,"), ", ".join(p for p in parts if p) or None

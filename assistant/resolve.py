"""Found -> Attribution: a sentence-level finding with its source resolved against what the document
said before ("he", "the ministry", "the statement", "Ramadane") and typed.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .attribute import Found
from .lexicon import ARTIFACTS, EVIDENCE, PERSON_ROLES, PRONOUNS_FIRST, PRONOUNS_PERSON, PRONOUNS_PLURAL, RELATIVE
from .sources import CAPTION, Memory, Mention, display_name, is_bare, looks_like_person, source_type
from .types import Attribution

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


def resolve_found(f: Found, sent: "Span", offset: int, text: str, memory: Memory, voice: str) -> Attribution | None:
    """Turn a sentence-level finding into an Attribution with a resolved, typed source."""
    src_text = text[offset + f.source_start:offset + f.source_end]
    head = f.head
    low = src_text.lower()
    resolved, kind, person, plural, new = src_text, None, False, False, True
    if f.antecedent is not None:
        a, b = f.antecedent
        resolved = text[offset + a:offset + b]
        new = True
    elif low in PRONOUNS_FIRST:
        resolved, kind, new = voice, "author", False
    elif low in PRONOUNS_PERSON or low in PRONOUNS_PLURAL or low in RELATIVE or low == "it" \
            or head.lower_ in ARTIFACTS \
            or re.fullmatch(r"(the|this|that|these|those|said)\s+[\w-]+", low) and head.pos_ != "PROPN" \
            or re.fullmatch(r"(the|this|that|said)(\s+[\w-]+){2,3}", low) and head.lower_ in PERSON_ROLES \
            and not any(t.pos_ == "PROPN" or t.ent_type_ for t in head.subtree):     # "the drug trafficker"
        if f.creator is not None and head.lower_ in ARTIFACTS:
            a, b = f.creator
            resolved = text[offset + a:offset + b]
            found = memory.find_name(resolved)
            if found:
                resolved, kind = found.resolved, found.kind
        elif f.governor is not None and low in ("he", "she", "it", "they"):
            a, b = f.governor
            resolved = text[offset + a:offset + b]
            found = memory.find_name(resolved) or next((m for m in reversed(memory.sources)
                                                        if m.name.lower() == resolved.lower()), None)
            if found:
                resolved, kind = found.resolved, found.kind
            new = False
        else:
            m = memory.resolve(src_text, head=head.text)
            if m is not None:
                resolved, kind, person, plural, new = m.resolved, m.kind, m.person, m.plural, False
                if m in memory.sources:
                    memory.sources.remove(m)
                m.at = memory.sentence
                memory.sources.append(m)
            elif low == "it":
                return None
            elif low in PRONOUNS_PERSON or low in PRONOUNS_PLURAL or low in RELATIVE:
                resolved, new = src_text, False      # an unresolved 'he' is no one a later mention can mean
    else:
        core, appos = _name_parts(head, offset, text)
        # a common noun opening a sentence ("Authorities, however, …") is no short form of a name
        common = head.tag_ == "NNS" and not head.ent_type_ and head.text.istitle() and head.i == head.sent.start
        earlier = None if common else memory.find_name(core)
        if earlier is not None and earlier.resolved != core:
            resolved, kind, person, plural = earlier.resolved, earlier.kind, earlier.person, earlier.plural
            memory.add_source(Mention(name=earlier.name, resolved=earlier.resolved, kind=earlier.kind,
                                      person=earlier.person, plural=earlier.plural))
            new = False
        else:
            resolved = (f"{core}, {appos}" if "(" in core else f"{core} ({appos})") if appos else src_text
    if CAPTION.search(src_text) or head.lower_ in EVIDENCE and f.creator is None and f.antecedent is None \
            or src_text.count(")") > src_text.count("(") or text[:offset + f.source_start].rstrip().endswith("("):
        return None                    # "Photograph (Police/Handout)", "video surveillance", "(CHANGES THOUGHT)
    if kind is None:
        kind = source_type(resolved, armed_context=memory.armed)
    name = display_name(resolved)
    if is_bare(name):
        if name.lower() in PRONOUNS_PERSON:
            name = "an unidentified speaker"
        elif name.lower() in PRONOUNS_PLURAL:
            name = "unidentified speakers"
        else:
            return None                # "you know", "This shows …", an unresolved "who": no source
    if new:
        titles = [t for t in head.subtree if t.i <= head.i or t.head.dep_ == "appos" or t.dep_ == "appos"]
        core = _name_parts(head, offset, text)[0]
        person = person or head.ent_type_ == "PERSON" or low in PRONOUNS_PERSON or looks_like_person(core, kind) \
            or any(t.lower_ in PERSON_ROLES and t.i < head.i and t.dep_ == "compound" for t in titles) \
            or head.lower_ in PERSON_ROLES or any(c.dep_ == "appos" and c.lower_ in PERSON_ROLES for c in head.children)
        plural = plural or (head.tag_ in ("NNS", "NNPS") and not person) or any(c.dep_ == "conj" for c in head.children)
        memory.add_source(Mention(name=core, resolved=resolved, kind=kind, person=person, plural=plural))
    s_start, s_end = offset + sent.start_char, offset + sent.end_char
    return Attribution(sentence_start=s_start, sentence_end=s_end, source=src_text.strip(),
                       source_resolved=name, source_type=kind,
                       cue=_cue_text(f, offset, text), stance=f.stance, content_start=offset + f.content_start,
                       content_end=offset + f.content_end, source_start=offset + f.source_start,
                       source_end=offset + f.source_end, cue_start=offset + f.cue_start, cue_end=offset + f.cue_end)


def _cue_text(f: Found, offset: int, text: str) -> str:
    """The cue as written in the original text (the parse may have run on a truecased copy)."""
    original = text[offset + f.cue_start:offset + f.cue_end]
    return original if original.lower() == f.cue.lower() else f.cue


def _name_parts(head: "Token", offset: int, text: str) -> tuple[str, str | None]:
    """(core name, appositive description) of a source phrase: "Mossa Ag Inzoma", "a member of …"."""
    left = [t for t in head.lefts if t.dep_ in ("compound", "amod", "det", "nmod", "poss", "nummod", "quantmod")]
    first = min([head] + [t.left_edge for t in left], key=lambda t: t.i)
    last = head
    for t in head.rights:
        if t.dep_ in ("compound", "flat") or (t.dep_ == "prep" and t.lower_ in ("of", "for") and head.pos_ == "NOUN"):
            last = max(t.subtree, key=lambda x: x.i) if t.dep_ == "prep" else t
    core = text[offset + first.idx:offset + last.idx + len(last)]
    parts = []
    for appos in (t for t in head.rights if t.dep_ == "appos"):
        toks = sorted((t for t in appos.subtree if t.dep_ != "relcl"), key=lambda t: t.i)
        if toks:
            parts.append(text[offset + toks[0].idx:offset + toks[-1].idx + len(toks[-1])].strip(" ,\"“”"))
    return core.strip(" ,"), ", ".join(p for p in parts if p) or None

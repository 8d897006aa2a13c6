"""Phrase and noun cues in one spaCy sentence: "according to X", "in X's view" / "in the view of X",
and speech nouns with their owner and clause ("X's claim that …", "a statement from X that …").

Each function takes the cue token and its sentence and gives the attributions it marks ([] when
none); attribute.py runs them with the other rules.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .lexicon import CUE_NOUNS, IN_VIEW, NOT_SOURCES
from .spans import Found, make_found, outside_phrase, phrase_span
from .syntax import dep_child

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["according_to", "in_view", "noun_cue"]


def according_to(tok: Token, sent: Span) -> list[Found]:
    """ "According to X, …": X says the rest of the sentence; [] when "according" has no source."""
    if (to := dep_child(tok, "prep", "to")) is not None:
        obj = dep_child(tok, "pobj") or dep_child(to, "pobj")
        if obj is not None and obj.lower_ not in NOT_SOURCES:
            phrase = (min(tok.i, to.i), max(t.i for t in obj.subtree))
            content = outside_phrase(sent, phrase)
            found = make_found(
                obj, tok, sent, cue_tokens=[tok, to], stance="claim", content=content, rule="according_to"
            )
            text = sent.doc.text
            comma = text.find(",", found.source_start, found.source_end)
            if comma > 0 and tok.i - sent.start <= 2:
                # "According to X, the move reeks of …": the source ends at the comma
                found = replace(found, source_end=len(text[:comma].rstrip()))
            return [found]
    return []


def in_view(tok: Token, sent: Span) -> list[Found]:
    """ "In X's view, …", "in the view of X": X holds the rest of the sentence; [] otherwise."""
    if (obj := dep_child(tok, "pobj")) is not None and obj.lower_ in IN_VIEW:
        owner = dep_child(obj, "poss")
        if owner is None and dep_child(obj, "det") is not None and (of := dep_child(obj, "prep", "of")) is not None:
            owner = dep_child(of, "pobj")  # "in the view of X", not "in view of the fact"
        if owner is not None:
            content = outside_phrase(sent, (tok.i, max(t.i for t in obj.subtree)))
            return [
                make_found(owner, obj, sent, cue_tokens=[tok, obj], stance="claim", content=content, rule="in_view")
            ]
    return []


def noun_cue(noun: Token, sent: Span) -> list[Found]:
    """A possessive speech noun with its clause: "X's claim that …", "a denial by X that …"."""
    owner = dep_child(noun, "poss")
    if owner is None:
        for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ in ("by", "from")):
            owner = dep_child(prep, "pobj")
            if owner is not None:
                break
    if owner is None or owner.lower_ in NOT_SOURCES:
        return []
    clause = next(
        (
            c
            for c in noun.children
            if c.dep_ in ("acl", "ccomp", "relcl") and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
        ),
        None,
    )
    if clause is None:
        clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp")), None)
    if clause is None:
        return []
    return [
        make_found(
            owner,
            noun,
            sent,
            cue_tokens=[noun],
            stance=CUE_NOUNS[noun.lower_],
            content=phrase_span(clause),
            rule="speech_noun",
        )
    ]

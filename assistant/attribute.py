"""Attribution rules over one spaCy-parsed sentence: who (source) says (cue) what (content).

`find_attributions(sent)` returns the relations found in one sentence, as token-level `Found`
records; resolving sources against the rest of the document happens in analyse.py.
It runs the rules in order: attributions marked by layout ("WALLACE: …" transcripts, "“…” ― Carla
Sanchez" signatures, here), then each token's cue: phrase and noun cues ("according to X", "in X's
view", "X's claim that …") from phrasecues.py, stance predicates from attitudes.py, and verb cues
("X said that …", passive agents, participles, relative clauses) from verbcues.py. A cue inside
another cue's content that only restates the speaker ("said he thinks") is left to the outer one,
and an attitude inside another attribution's content is that source's account of it.
Spans are measured by spans.py (PolNeAR guidelines), tokens asked about by syntax.py; the words
the rules look for are in lexicon.py.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .attitudes import stance_predicate
from .lexicon import (
    COGNITION,
    CUE_NOUNS,
    FORMS,
    INTENT_ADJECTIVES,
    LABELS,
    PERSONAL,
    STANCE_ADJECTIVES,
)
from .phrasecues import according_to, in_view, noun_cue
from .spans import Found
from .syntax import verb_lemma
from .verbcues import verb_cue

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["Found", "find_attributions", "verb_lemma"]


def find_attributions(sent: Span) -> list[Found]:
    """All attribution relations of one sentence (spaCy Span with a dependency parse)."""
    found: list[Found] = list(_structural(sent))
    seen: set[tuple[int, int]] = {(f.cue_start, f.source_start) for f in found}
    cues: dict[int, Token] = {}
    for tok in sent:
        for f in _from_token(tok, sent):
            key = (f.cue_start, f.source_start)
            if key not in seen and f.source_end > f.source_start:
                seen.add(key)
                found.append(f)
                cues[id(f)] = tok
    by_verb = {cues[id(f)].i: f for f in found if id(f) in cues}
    kept = [f for f in found if not _restated(f, cues.get(id(f)), by_verb)]
    # an attitude inside another attribution's content is that source's account of it
    return [
        f
        for f in kept
        if f.rule != "attitude"
        or not any(g is not f and g.rule != "attitude" and g.content_start <= f.cue_start < g.content_end for g in kept)
    ]


def _restated(f: Found, cue: Token | None, outer: dict[int, Found]) -> bool:
    """A cue inside the content of another cue of the sentence that PolNeAR leaves to the outer one:
    the speaker's own state of mind ("said he thinks", "said the union expected") or the speaker
    again as a pronoun ("said he would not answer")."""
    if cue is None or cue.pos_ not in ("VERB", "AUX"):
        return False
    child = cue
    for anc in cue.ancestors:
        if anc.i in outer and child.dep_ in ("ccomp", "xcomp"):
            return verb_lemma(cue) in COGNITION or _same_person(f.head, outer[anc.i].head)
        child = anc
    return False


def _same_person(pronoun: Token, subject: Token) -> bool:
    """'he'/'she' after a singular subject, 'they' after a plural one, 'it' after a thing."""
    kind = PERSONAL.get(pronoun.lower_)
    if kind is None:
        return False
    plural = (
        subject.tag_ in ("NNS", "NNPS")
        or any(c.dep_ == "conj" for c in subject.children)
        or subject.lower_ in ("they", "we")
    )
    if kind == "plural":
        return plural or subject.lower_ in ("government", "administration", "campaign", "party", "police")
    if kind == "person":
        return not plural and subject.lower_ not in ("it", "they")
    return not plural and subject.ent_type_ != "PERSON" and subject.lower_ not in ("he", "she")


_COLON = re.compile(r"^\s*[\"“]?((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)\s*:\s+\S")


_DASH = re.compile(r"[”\"'’]\s*[―—–]+\s*([A-Z][^,\n;]{1,60}?)\s*\.?\s*(?:,|$)")


def _structural(sent: Span) -> list[Found]:
    """Attributions marked by layout: 'WALLACE: …' transcripts and headlines, and
    '“…” ― Carla Sanchez, Los Angeles' signatures."""
    text = sent.text
    doc = sent.doc
    out: list[Found] = []
    m = _COLON.match(text)
    if m and m.group(1).lower() not in LABELS and len(text) > m.end() and m.group(1).split()[0].lower() not in FORMS:
        a, b = sent.start_char + m.start(1), sent.start_char + m.end(1)
        span = doc.char_span(a, b, alignment_mode="expand")
        colon = text.index(":", m.end(1) - m.start(0))
        if (
            span is not None
            and any(t.pos_ in ("PROPN", "NOUN") for t in span)
            and not any(t.pos_ in ("VERB", "AUX") for t in span)
            and not all(t.ent_type_ in ("GPE", "LOC", "DATE") for t in span)
        ):
            # 'The Gap Goes On:' is a heading, 'Haiti: A multi-dimensional crisis' a title
            out.append(
                Found(
                    source_start=a,
                    source_end=b,
                    head=span.root,
                    cue=":",
                    cue_start=sent.start_char + colon,
                    cue_end=sent.start_char + colon + 1,
                    stance="quote",
                    content_start=sent.start_char + colon + 1,
                    content_end=sent.end_char,
                    rule="colon",
                )
            )
    m = _DASH.search(text)
    if m and "(" not in m.group(1) and ")" not in m.group(1) and m.end() >= len(text.rstrip()) - 1:
        a, b = sent.start_char + m.start(1), sent.start_char + m.end(1)
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is not None and any(t.pos_ == "PROPN" for t in span):
            dash = sent.start_char + m.start(0) + 1
            out.append(
                Found(
                    source_start=a,
                    source_end=b,
                    head=span.root,
                    cue="―",
                    cue_start=dash,
                    cue_end=dash + 1,
                    stance="quote",
                    content_start=sent.start_char,
                    content_end=dash,
                    rule="dash",
                )
            )
    return out


def _from_token(tok: Token, sent: Span) -> list[Found]:
    low = tok.lower_
    if low == "according" and (found := according_to(tok, sent)):
        return found
    if low == "in" and (found := in_view(tok, sent)):
        return found
    if tok.pos_ in ("NOUN", "PROPN") and low in CUE_NOUNS:
        return noun_cue(tok, sent)
    if tok.dep_ == "acomp" and low in STANCE_ADJECTIVES | INTENT_ADJECTIVES or tok.dep_ == "prep" and low == "against":
        return stance_predicate(tok, sent)
    if tok.tag_.startswith("VB") or tok.pos_ in ("VERB", "AUX") or (tok.dep_ == "ROOT" and low in FORMS):
        return verb_cue(tok, sent)
    return []

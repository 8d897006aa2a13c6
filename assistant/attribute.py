"""Attribution rules over one spaCy-parsed sentence: who (source) says (cue) what (content).

`find_attributions(sent)` returns the relations found in one sentence, as token-level `Found`
records; resolving sources against the rest of the document happens in analyse.py.
Rules: reporting and cognition verbs with a subject, passive agents ("was reported by X"),
"according to X", participles ("…, stating …"; "quoted X as saying"), conjoined verbs sharing a
subject, relative clauses ("…, which the authorities deny"), possessive speech nouns ("X's claim
that …"), and speech artifacts as subjects ("The statement detailed …"). A cue inside another
cue's content that only restates the speaker ("said he thinks") is left to the outer one, and
source spans follow the PolNeAR guidelines (identifying modifiers in; datelines, focus adverbs and
relative clauses that are attributions themselves out).
Attitudes beyond speech are found by attitudes.py, spans measured by spans.py, tokens asked about
by syntax.py; the words they look for are in lexicon.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .attitudes import attitude_cue, calls_for, stance_predicate
from .lexicon import (
    ARTIFACT_VERBS,
    ARTIFACTS,
    ATTITUDES,
    CLAUSE_ONLY,
    COGNITION,
    CUE_NOUNS,
    CUE_VERBS,
    EXPRESS_VERBS,
    FORMS,
    IN_VIEW,
    INFERENCE,
    INTENT_ADJECTIVES,
    LABELS,
    NEEDS_CLAUSE,
    NOT_SOURCES,
    PERSONAL,
    SPEECH_ARTIFACTS,
    STANCE_ADJECTIVES,
    STRONG,
)
from .spans import Found, content_of, make_found, outside_phrase, phrase_span, quote_after, quote_near
from .syntax import (
    agent_of,
    can_speak,
    dep_child,
    inherited_subject,
    is_directed,
    is_negative,
    subject_of,
    verb_group,
    verb_lemma,
)
from .types import Stance

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
    if low == "according" and (to := dep_child(tok, "prep", "to")) is not None:
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
    if low == "in" and (obj := dep_child(tok, "pobj")) is not None and obj.lower_ in IN_VIEW:
        owner = dep_child(obj, "poss")
        if owner is None and dep_child(obj, "det") is not None and (of := dep_child(obj, "prep", "of")) is not None:
            owner = dep_child(of, "pobj")  # "in the view of X", not "in view of the fact"
        if owner is not None:
            content = outside_phrase(sent, (tok.i, max(t.i for t in obj.subtree)))
            return [
                make_found(owner, obj, sent, cue_tokens=[tok, obj], stance="claim", content=content, rule="in_view")
            ]
    if tok.pos_ in ("NOUN", "PROPN") and low in CUE_NOUNS:
        return _noun_cue(tok, sent)
    if tok.dep_ == "acomp" and low in STANCE_ADJECTIVES | INTENT_ADJECTIVES or tok.dep_ == "prep" and low == "against":
        return stance_predicate(tok, sent)
    if tok.tag_.startswith("VB") or tok.pos_ in ("VERB", "AUX") or (tok.dep_ == "ROOT" and low in FORMS):
        return _verb_cue(tok, sent)
    return []


def _verb_cue(verb: Token, sent: Span) -> list[Found]:
    """A reporting or cognition verb with its source and content ("X said that …", "was denied by X",
    "Reuters, citing a local official, said …"); attitudes go to attitudes.py."""
    lemma = verb_lemma(verb)
    subj = subject_of(verb)
    artifact_subject = subj is not None and subj.lower_ in ARTIFACTS
    if _is_attitude(verb, lemma, artifact_subject):
        return attitude_cue(verb, sent, lemma)
    needs = _LEMMA_NEEDS.get(lemma)
    if _not_a_cue(verb, lemma, subj, artifact_subject) or needs is not None and not needs(verb):
        return []
    stance: Stance = "denial" if lemma == "rule" else CUE_VERBS.get(lemma, "claim")
    cue_tokens = verb_group(verb)
    content = _verb_content(verb, sent, lemma, subj)
    if content is None:
        return []
    if lemma == "say" and (quoted := _quoted_as_saying(verb, sent, content)):
        return quoted
    if verb.dep_ == "acl" and verb.tag_ == "VBN":
        return []  # "a report published by X": the report is the source elsewhere
    if lemma in ("cite", "quote") and verb.tag_ == "VBG" and subj is None and (cited := _citing(verb, sent)):
        return cited
    if subj is None or subj.dep_ == "nsubjpass":
        agent = agent_of(verb)
        if agent is not None:
            if _writer_cites(agent, subj):
                return []  # "These are refuted by the letter from …": the writer cites the letter
            return [
                make_found(
                    agent, verb, sent, cue_tokens=cue_tokens, stance=stance, content=content, rule="passive_agent"
                )
            ]
        if verb.tag_ == "VBN" or any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
            return []
        subj = inherited_subject(verb, lemma)
        if subj is None:
            return []
    if not _can_be_source(subj, verb, lemma):
        return []
    antecedent = None
    if subj.lower_ in ("who", "that", "which"):
        if verb.dep_ == "relcl" and subj.lower_ != "who" and not can_speak(verb.head):
            return []  # "video that shows …", "a raft of rules that promise …"
        antecedent = _relative_antecedent(subj, verb, sent)
    return [
        make_found(
            subj,
            verb,
            sent,
            cue_tokens=cue_tokens,
            stance=stance,
            content=content,
            rule="artifact_subject" if artifact_subject and lemma not in CUE_VERBS else "verb",
            antecedent=antecedent,
        )
    ]


def _is_attitude(verb: Token, lemma: str, artifact_subject: bool) -> bool:
    """The verb states an attitude, not words (attitudes.py): "plans to …", "asked whether …", "called for …"."""
    return (
        lemma in ATTITUDES
        and lemma not in CUE_VERBS
        and not (artifact_subject and lemma in ARTIFACT_VERBS)
        or lemma in ("ask", *EXPRESS_VERBS)
        or lemma == "call"
        and calls_for(verb) is not None
    )


def _not_a_cue(verb: Token, lemma: str, subj: Token | None, artifact_subject: bool) -> bool:
    """The verb attributes nothing here: not a cue verb, evidence that shows something, a negated
    subject, or a saying someone declined or was asked to do."""
    quote_next = (verb.i + 1 < len(verb.doc) and verb.doc[verb.i + 1].text == ":") or _quote_opens(verb)
    if (
        lemma not in CUE_VERBS
        and not (artifact_subject and lemma in ARTIFACT_VERBS)
        and lemma not in ("call", "rule")
        and lemma not in INFERENCE
        and not (lemma == "continue" and quote_next)
    ):
        return True
    if lemma in INFERENCE and (lemma not in CUE_VERBS and subj is None or subj is not None and not can_speak(subj)):
        return True  # "Pizarro's death shows that …", "footage showed …": evidence
    return (
        subj is not None
        and is_negative(subj)
        or verb.dep_ == "xcomp"
        and verb.head.lower_.startswith(("declin", "refus"))
        or is_directed(verb)
    )  # "No group has claimed …", "declined to call it", "called upon X to report"


def _not_lives(verb: Token) -> bool:
    """Not "an explosion that claimed the lives of …"."""
    return not any(c.dep_ == "dobj" and c.lower_ in ("life", "lives") for c in verb.children)


def _not_byline(verb: Token) -> bool:
    """Not "Julie Davis reported from Midway Atoll"."""
    return not any(
        c.dep_ == "prep"
        and c.lower_ == "from"
        and any(o.dep_ == "pobj" and o.ent_type_ in ("GPE", "LOC", "FAC") for o in c.children)
        for c in verb.children
    )


def _ruled_out(verb: Token) -> bool:
    prt = dep_child(verb, "prt")
    return prt is not None and prt.lower_ == "out"


def _called_something(verb: Token) -> bool:
    """ "called it terrorism", "called the vote rigged": not a phone call."""
    return bool(dep_child(verb, "oprd") or dep_child(verb, "xcomp") or dep_child(verb, "ccomp"))


def _pointed_out(verb: Token) -> bool:
    return bool(dep_child(verb, "prt", "out") or dep_child(verb, "prep", "to"))


# What some cue verbs need to be cues at all ("ruled out", "pointed out", "called it …").
_LEMMA_NEEDS = {
    "claim": _not_lives,
    "report": _not_byline,
    "rule": _ruled_out,
    "call": _called_something,
    "point": _pointed_out,
}


def _verb_content(verb: Token, sent: Span, lemma: str, subj: Token | None) -> tuple[int, int] | None:
    """What a cue verb attributes: its clause or object, a quotation after it, a clause hung elsewhere,
    or the rest of the sentence; None when it attributes nothing."""
    content = _clause_content(verb, sent, lemma) or _object_content(verb, sent, lemma)
    if content is None and subj is not None and subj.dep_ == "nsubjpass" and agent_of(verb) is not None:
        content = phrase_span(subj)  # "This was announced by X"
    content = content or quote_after(verb, sent) or _that_clause(verb, sent)
    if content is None:
        if lemma in NEEDS_CLAUSE:
            return None
        if lemma in STRONG and subj is not None and sent.end - verb.i > 3:
            # "denied today in a telephone call …, any responsibility for …": the rest of the sentence
            content = (verb.idx + len(verb), sent.end_char)
        elif not quote_near(verb, sent):
            return None
        else:
            content = (sent.start_char, sent.end_char)
    if subj is not None and subj.dep_ == "nsubj" and content[0] > verb.idx and _words_before(subj, sent):
        content = (sent.start_char, content[1])
    return content


def _clause_content(verb: Token, sent: Span, lemma: str) -> tuple[int, int] | None:
    content = content_of(verb, sent)
    if lemma == "quote":  # "quoted the man as saying …": what he is quoted as saying
        saying = next((t for t in verb.subtree if t.lower_ == "saying" and t.i > verb.i), None)
        if saying is not None:
            content = content_of(saying, sent) or (saying.idx + len(saying), sent.end_char)
    if lemma == "point" and content is None and (to := dep_child(verb, "prep", "to")) is not None:
        obj = dep_child(to, "pobj")
        content = phrase_span(obj) if obj is not None else None
    return content


def _object_content(verb: Token, sent: Span, lemma: str) -> tuple[int, int] | None:
    """The verb's object, or the object or clause of a conjoined verb it shares."""
    obj = dep_child(verb, "dobj") or dep_child(verb, "obj")
    judged = obj is not None and (
        obj.right_edge.pos_ == "ADJ"
        and obj.right_edge.i > obj.i
        and obj.tag_ != "DT"
        or any(c.dep_ in ("oprd", "acomp") for c in verb.children)
    )
    if obj is not None and lemma not in ("tell", "inform", "quote") and (lemma not in CLAUSE_ONLY or judged):
        return phrase_span(obj)  # "found that action unconstitutional": a judgement, not a discovery
    # "neither denied nor confirmed the reports": the object is shared with the conjoined verb
    for conj in (c for c in verb.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")):
        content = content_of(conj, sent)
        obj = dep_child(conj, "dobj")
        if content is None and obj is not None:
            content = phrase_span(obj)
        if content is not None:
            return content
    return None


def _that_clause(verb: Token, sent: Span) -> tuple[int, int] | None:
    """ "told newsmen today after X was killed that …": a 'that' clause the parse hung elsewhere."""
    that = next((t for t in sent if t.i > verb.i and t.dep_ == "mark" and t.lower_ == "that"), None)
    return (that.idx, sent.end_char) if that is not None else None


def _words_before(subj: Token, sent: Span) -> bool:
    """ "It was, the president said, 'a stone where …'": the words before the inserted cue are content too."""
    before = sent.doc[sent.start : subj.left_edge.i]
    return (
        len([t for t in before if not t.is_punct]) >= 2
        and before[-1].text == ","
        and any(t.pos_ in ("VERB", "AUX") and t.lower_ != "according" for t in before)
        and not any(t.pos_ in ("VERB", "AUX") and t.dep_ == "advcl" or t.lower_ == "according" for t in before)
    )


def _quoted_as_saying(verb: Token, sent: Span, content: tuple[int, int]) -> list[Found]:
    """ "quoted the unemployed man as saying …": the object of "quote" speaks."""
    if verb.dep_ not in ("advcl", "xcomp", "pcomp", "acl") or verb.head.lower_ == verb.lower_:
        return []
    gov = verb.head if verb.head.pos_ in ("VERB", "AUX") else verb.head.head
    obj = dep_child(gov, "dobj") if verb_lemma(gov) == "quote" else None
    if obj is None:
        return []
    return [
        make_found(
            obj,
            verb,
            sent,
            cue_tokens=[t for t in (verb.head, verb) if t.lower_ == "as"] + [verb],
            stance="claim",
            content=content,
            rule="quoted_as_saying",
        )
    ]


def _citing(verb: Token, sent: Span) -> list[Found]:
    """ "Reuters, citing a local official, said …": the official is the source Reuters relays."""
    cited = dep_child(verb, "dobj")
    if (
        cited is None or not can_speak(cited) or cited.lower_ in SPEECH_ARTIFACTS and dep_child(cited, "prep", "of")
    ):  # "the release of"…
        return []
    gov = verb.head
    relayed = content_of(gov, sent) if gov.pos_ in ("VERB", "AUX") and gov.i != verb.i else None
    if relayed is None:
        relayed = outside_phrase(sent, (verb.left_edge.i, verb.right_edge.i))
    return [make_found(cited, verb, sent, cue_tokens=[verb], stance="claim", content=relayed, rule="citing")]


def _writer_cites(agent: Token, subj: Token | None) -> bool:
    """ "These are refuted by the letter from …": the writer cites the letter, it says nothing itself."""
    return (
        agent.lower_ in ARTIFACTS
        and subj is not None
        and (
            subj.lower_ in ("this", "these", "that", "those", "it", "they", "which")
            or any(c.dep_ == "det" and c.lower_ in ("this", "these", "that", "those", "such") for c in subj.children)
        )
    )


def _can_be_source(subj: Token, verb: Token, lemma: str) -> bool:
    """Not "there", a pronoun that names no one, a passive subject or a bare "it" of a non-cue."""
    if subj.lower_ == "there" or (subj.lower_ in NOT_SOURCES and subj.dep_ != "nsubj"):
        return False
    if subj.lower_ == "it" and (lemma not in CUE_VERBS or subj.dep_ != "nsubj" or dep_child(verb, "acomp")):
        return False
    return subj.dep_ != "nsubjpass"


def _relative_antecedent(subj: Token, verb: Token, sent: Span) -> tuple[int, int] | None:
    """What a relative pronoun source stands for: the noun its clause hangs on, or the noun just
    before it (", who told …")."""
    if verb.dep_ == "relcl":
        return phrase_span(verb.head, relcl=False)
    prev = subj.i - 1
    while prev >= sent.start and sent.doc[prev].is_punct:
        prev -= 1
    if prev >= sent.start and sent.doc[prev].pos_ in ("PROPN", "NOUN"):
        return phrase_span(sent.doc[prev], relcl=False)
    return None


def _quote_opens(verb: Token) -> bool:
    """A quotation opens right after the verb ('She continued, “For us …'), with at most a comma between."""
    doc = verb.doc
    k = verb.i + 1
    if k < len(doc) and doc[k].text == ",":
        k += 1
    return k < len(doc) and doc[k].text in ('"', "“", "``", "''", "«")


def _noun_cue(noun: Token, sent: Span) -> list[Found]:
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

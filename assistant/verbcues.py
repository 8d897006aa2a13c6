"""Verb cues: a reporting or cognition verb with its source and content in one spaCy sentence.

`verb_cue(verb, sent)` gives the attributions of one verb: "X said that …", "was denied by X"
(passive agents), "quoted X as saying …", "Reuters, citing a local official, said …", conjoined
verbs sharing a subject and relative clauses ("…, which the authorities deny"); verbs that state
an attitude rather than words go to attitudes.py. Run by attribute.py with the other rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .attitudes import attitude_cue, calls_for
from .lexicon import (
    ARTIFACT_VERBS,
    ARTIFACTS,
    ATTITUDES,
    CLAUSE_ONLY,
    CUE_VERBS,
    EXPRESS_VERBS,
    INFERENCE,
    NEEDS_CLAUSE,
    NOT_SOURCES,
    SPEECH_ARTIFACTS,
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

__all__ = ["verb_cue"]


def verb_cue(verb: Token, sent: Span) -> list[Found]:
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

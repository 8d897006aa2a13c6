"""Questions about one token of a spaCy parse that the attribution rules ask: a verb's lemma, subject,
agent and group; whether a subject can speak, is negated, or a verb is only asked for; the subject a
subjectless verb shares with another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lexicon import (
    ARTIFACTS,
    DIRECTIVES,
    FORMS,
    INFERENCE,
    NOT_SOURCES,
    PEOPLE,
    PERSON_ROLES,
    SHARES,
    SPEECH_ARTIFACTS,
)

if TYPE_CHECKING:
    from spacy.tokens import Token


def verb_lemma(token: Token) -> str:
    """The lemma of a verb form from the cue tables (spaCy's lemmatizer is not run at ingest)."""
    return FORMS.get(token.lower_, token.lower_)


def dep_child(tok: Token, dep: str, lower: str | None = None) -> Token | None:
    for c in tok.children:
        if c.dep_ == dep and (lower is None or c.lower_ == lower):
            return c
    return None


def subject_of(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj") and not c.is_punct), None)


def agent_of(verb: Token) -> Token | None:
    by = next((c for c in verb.children if c.dep_ == "agent"), None)
    return dep_child(by, "pobj") if by is not None else None


def is_negative(subj: Token) -> bool:
    return subj.lower_ in ("nobody", "none", "noone") or any(
        c.dep_ == "det" and c.lower_ in ("no", "neither") or c.dep_ in ("neg", "advmod") and c.lower_ == "not"
        for c in subj.children
    )


def can_speak(subj: Token) -> bool:
    """A subject that can make a claim: a person or organisation, or a speech artifact (not evidence
    such as footage or a death)."""
    if subj.lower_ in SPEECH_ARTIFACTS or subj.pos_ in ("PROPN", "PRON"):
        return True
    if subj.lower_ in SHARES:
        # "twelve percent indicated", "an average of polls shows", "a majority of voters believe"
        of = dep_child(subj, "prep", "of")
        whole = dep_child(of, "pobj") if of is not None else None
        return whole is None or can_speak(whole)
    low = subj.lower_
    one = low[:-3] + "y" if low.endswith("ies") else low[:-1] if low.endswith("s") else low
    return (
        subj.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
        or low in PEOPLE
        or low in PERSON_ROLES
        or one in PEOPLE
        or one in PERSON_ROLES
    )


def is_directed(verb: Token) -> bool:
    """An infinitive someone is asked or told to perform ('called on X to report', 'urged Y to
    say'): nobody has said anything yet."""
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return False
    head = verb
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    gov = head.head
    if head.dep_ not in ("xcomp", "ccomp", "advcl") or gov.i == head.i or not gov.lower_.startswith(DIRECTIVES):
        return False
    if gov.lower_.startswith("call"):  # "called on X to …", not "called Caracol to report"
        return any(c.dep_ in ("prep", "prt") and c.lower_ in ("on", "upon") for c in gov.children)
    return any(c.dep_ in ("dobj", "prep") for c in gov.children)


def inherited_subject(verb: Token, lemma: str) -> Token | None:
    """The subject a subjectless verb shares: a conjoined verb's, a participle's head noun or verb's."""
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return _conjoined_subject(verb, lemma)
    if lemma in INFERENCE:
        return None
    if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.lower_ in _GERUND_PREPOSITIONS:
        return _gerund_subject(verb)
    if verb.tag_ == "VBG" or verb.dep_ in ("advcl", "acl", "xcomp", "relcl"):
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            return _noun_subject(verb)
        for find in (_object_subject, _infinitive_subject, _head_subject, _with_object):
            s = find(verb)
            if s is not None:
                return s
    return None


_GERUND_PREPOSITIONS = ("for", "by", "after", "before", "from", "without", "while", "in")


def _conjoined_subject(verb: Token, lemma: str) -> Token | None:
    s = subject_of(verb.head)
    if s is not None and s.dep_ != "nsubjpass":
        return s
    if verb.head.dep_ == "conj" or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.head.children):
        return inherited_subject(verb.head, lemma)  # "went … to learn … and described …"
    return None


def _gerund_subject(verb: Token) -> Token | None:
    """ "was criticized for saying …", "refuses to discuss them, aside from saying …": the clause's subject."""
    gov = verb.head.head
    while (
        gov.pos_ in ("VERB", "AUX")
        and gov.head.i != gov.i
        and subject_of(gov) is None
        and gov.dep_ in ("xcomp", "conj", "advcl")
    ):
        if is_directed(gov):
            return None  # "called on Dean to apologize for accusing …": Dean accused
        gov = gov.head
    s = subject_of(gov) if gov.pos_ in ("VERB", "AUX") else None
    return s if s is not None and can_speak(s) and s.lower_ not in NOT_SOURCES else None


def _noun_subject(verb: Token) -> Token | None:
    """The noun a participle or infinitive hangs on, or who issued it ("the Prime Minister issued a
    statement announcing …": the issuer speaks); not "a plan to blame …"."""
    noun = verb.head
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and not can_speak(noun):
        return None
    if noun.lower_ in ARTIFACTS and noun.dep_ in ("dobj", "obj") and noun.head.pos_ in ("VERB", "AUX"):
        s = subject_of(noun.head)
        if s is not None and s.dep_ == "nsubj":
            return s
    return noun


def _object_subject(verb: Token) -> Token | None:
    """ "enabled UNSMIL to confirm": UNSMIL confirms."""
    if verb.dep_ != "xcomp" or verb.head.pos_ not in ("VERB", "AUX"):
        return None
    obj = dep_child(verb.head, "dobj")
    return obj if obj is not None and obj.i < verb.i and can_speak(obj) else None


def _infinitive_subject(verb: Token) -> Token | None:
    """An infinitive the parse took for a relative clause: the subject of the verb above it."""
    if verb.dep_ != "relcl" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return None
    for anc in verb.ancestors:
        if anc.pos_ in ("VERB", "AUX") and (s := subject_of(anc)) is not None and s.dep_ == "nsubj":
            return s
    return None


def _head_subject(verb: Token) -> Token | None:
    if verb.dep_ not in ("advcl", "xcomp") or verb.head.pos_ not in ("VERB", "AUX"):
        return None
    s = subject_of(verb.head)
    return s if s is not None and s.dep_ != "nsubjpass" and s.lower_ not in ("it", "there") else None


def _with_object(verb: Token) -> Token | None:
    """ "with Semyon Pegov … stating": the object of "with"."""
    for anc in verb.ancestors:
        if anc.pos_ in ("NOUN", "PROPN") and anc.dep_ == "pobj" and anc.head.lower_ == "with":
            return anc
        if anc.pos_ in ("VERB", "AUX"):
            break
    return None


def verb_group(verb: Token) -> list[Token]:
    group = [verb] + [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "prt") and abs(c.i - verb.i) <= 3]
    if (
        verb.dep_ == "xcomp"
        and verb.head.pos_ in ("VERB", "AUX")
        and verb.head.i < verb.i
        and verb.i - verb.head.i <= 3
    ):
        group.append(verb.head)
    return sorted(group, key=lambda t: t.i)

"""Attribution rules for attitudes PolNeAR counts beyond speech: intentions, perception, support and
characterisation, attitudes expressed through a noun, decrees, questions, and stances stated by an
adjective after a copula ("were concerned about …").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lexicon import (
    ABOUT,
    ARTIFACTS,
    ATTITUDE_NOUNS,
    ATTITUDE_STANCE,
    COPULAS,
    CUE_VERBS,
    DECREES,
    EVALUATION,
    EXPRESS_VERBS,
    HYPOTHETICAL,
    INTENT_ADJECTIVES,
    INTENTION,
    NO_CONTENT,
    NOT_SOURCES,
    OBJECT_FORMS,
    PERCEPTION,
    SHARES,
    SPEECH_ARTIFACTS,
    VERBAL_ONLY,
)
from .spans import Found, make_found, phrase_span, quote_after, quote_before
from .syntax import agent_of, can_speak, dep_child, is_directed, is_negative, subject_of, verb_group, verb_lemma
from .types import Stance

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


def attitude_cue(verb: Token, sent: Span, lemma: str) -> list[Found]:
    """Intentions ("plans to retake the town", "called for a ceasefire"), perception ("residents saw
    soldiers …"), support and characterisation ("opposes the plan", "painted him as …"), attitudes
    expressed ("voiced concern about …"), decrees ("the court overturned the ruling") and questions
    ("asked whether …") of a subject that can hold them, each with its own content. Decrees and
    support also in the passive with their agent ("a penalty imposed by the bureau")."""
    if is_directed(verb):
        return []
    subj = subject_of(verb)
    if verb.tag_ == "VBN" and (verb.dep_ in ("amod", "acl") or subj is not None and subj.dep_ == "nsubjpass"):
        return _passive_decree(verb, sent, lemma, subj)
    subj = _holder(verb, subj, lemma)
    if subj is None:
        return []
    antecedent = None
    if subj.lower_ in ("who", "that", "which"):
        if verb.dep_ != "relcl" or not can_speak(verb.head):
            return []
        antecedent = phrase_span(verb.head, relcl=False)
    content = _attitude_content(verb, sent, lemma)
    if content is None:
        return []
    stance: Stance = "intention" if lemma == "call" else ATTITUDE_STANCE.get(lemma, "claim")
    cue_tokens = verb_group(verb) + ([content.cue_word] if content.cue_word is not None else [])
    return [
        make_found(
            subj,
            verb,
            sent,
            cue_tokens=cue_tokens,
            stance=stance,
            content=content.span,
            rule="attitude",
            antecedent=antecedent,
        )
    ]


def _passive_decree(verb: Token, sent: Span, lemma: str, subj: Token | None) -> list[Found]:
    """ "a penalty imposed by the bureau": a decree in the passive, credited to its agent."""
    agent = agent_of(verb)
    if lemma not in DECREES or agent is None or not can_speak(agent) or agent.lower_ in NOT_SOURCES:
        return []
    done = subj if subj is not None else verb.head
    if done.pos_ not in ("NOUN", "PROPN", "NUM"):
        return []
    return [
        make_found(
            agent,
            verb,
            sent,
            cue_tokens=verb_group(verb),
            stance=ATTITUDE_STANCE.get(lemma, "claim"),
            content=phrase_span(done, relcl=False, exclude=verb),
            rule="attitude",
        )
    ]


def _holder(verb: Token, subj: Token | None, lemma: str) -> Token | None:
    """The subject that holds the attitude (a conjoined verb's or, for a participle, its head's), or
    None when it cannot hold one or the attitude is only a possibility."""
    if subj is None and verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        subj = subject_of(verb.head)
    if (
        subj is None
        and verb.tag_ == "VBG"
        and verb.dep_ == "advcl"
        and verb.head.pos_ in ("VERB", "AUX")
        and verb.i > verb.head.i
    ):
        subj = subject_of(verb.head)  # "Clinton leaned in, painting Trump as …"
    if subj is None or subj.dep_ != "nsubj" or subj.lower_ in OBJECT_FORMS or is_negative(subj) or not can_speak(subj):
        return None
    if any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL for c in verb.children):
        return None  # "Patriot could threaten to …", "the top 1 percent would see …"
    if lemma not in EVALUATION and (
        subj.lower_ in SPEECH_ARTIFACTS or subj.lower_ in ARTIFACTS or subj.lower_ in SHARES
    ):
        return None  # studies and shares of voters hold no intentions and see nothing
    return subj


@dataclass(frozen=True, slots=True)
class _Content:
    """What an attitude is about, and a word that joins the cue ("called for", "voiced concern")."""

    span: tuple[int, int]
    cue_word: Token | None = None


def _attitude_content(verb: Token, sent: Span, lemma: str) -> _Content | None:
    """The content of an attitude, by its kind; None when it has none of its own."""
    if lemma == "ask":
        return _asked(verb, sent)
    if lemma == "call":
        what = calls_for(verb)
        return _Content(phrase_span(what), what.head) if what is not None else None
    for kind, content in _CONTENT_OF_KIND:
        if lemma in kind:
            return content(verb, sent, lemma)
    return _evaluated(verb, sent, lemma)


def _asked(verb: Token, sent: Span) -> _Content | None:
    """ "asked whether …", or the quotation of a question ('"Why not?" she asked')."""
    ccomp = dep_child(verb, "ccomp")
    if ccomp is not None and ccomp.left_edge.lower_ in (
        "whether",
        "if",
        "why",
        "how",
        "what",
        "when",
        "where",
        "who",
        "which",
    ):
        return _Content(phrase_span(ccomp))
    xcomp = _xcomp(verb)
    to_infinitive = xcomp is not None and any(c.dep_ == "aux" and c.lower_ == "to" for c in xcomp.children)
    if to_infinitive or dep_child(verb, "dobj") is not None:
        return None
    quoted = quote_after(verb, sent) or quote_before(verb, sent)
    return _Content(quoted) if quoted is not None else None


def _expressed(verb: Token, sent: Span, lemma: str) -> _Content | None:
    """ "voiced concern about …", "expressed hope that …"."""
    obj = dep_child(verb, "dobj")
    if obj is None or obj.lower_ not in ATTITUDE_NOUNS:
        return None
    about = next(
        (
            c
            for c in obj.children
            if c.dep_ in ("acl", "ccomp", "relcl") and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        ),
        None,
    )
    if about is None:
        prep = next((c for c in obj.children if c.dep_ == "prep" and c.lower_ in ABOUT), None)
        about = (dep_child(prep, "pobj") or dep_child(prep, "pcomp")) if prep is not None else None
    return _Content(phrase_span(about) if about is not None else phrase_span(obj), obj)


def _intended(verb: Token, sent: Span, lemma: str) -> _Content | None:
    """ "refused to disclose his records" (not "declined to comment"), "wants a ceasefire"."""
    xcomp = _xcomp(verb)
    if xcomp is not None and verb_lemma(xcomp) in CUE_VERBS and dep_child(xcomp, "ccomp") is not None:
        return None  # "want to say that …": the saying is the attribution
    to_infinitive = xcomp is not None and any(c.dep_ == "aux" and c.lower_ == "to" for c in xcomp.children)
    says_nothing = (
        xcomp is not None
        and (verb_lemma(xcomp) in NO_CONTENT or xcomp.lower_ in NO_CONTENT)
        and not any(c.dep_ in ("dobj", "ccomp") and c.pos_ != "PRON" for c in xcomp.children)
    )
    if to_infinitive and not says_nothing:
        return _Content(phrase_span(xcomp))
    obj = dep_child(verb, "dobj")
    ccomp = dep_child(verb, "ccomp")
    if (
        lemma in ("want", "wish", "prefer", "refuse", "decline")
        and (ccomp is not None or obj is not None)
        and (obj is None or obj.pos_ != "PRON")
    ):
        return _Content(phrase_span(ccomp if ccomp is not None else obj))
    return None


def _perceived(verb: Token, sent: Span, lemma: str) -> _Content | None:
    """ "residents saw soldiers dragging bodies", "heard that …"."""
    ccomp = dep_child(verb, "ccomp")
    if ccomp is not None:
        return _Content(phrase_span(ccomp))
    obj = dep_child(verb, "dobj")
    return _Content(phrase_span(obj)) if obj is not None and obj.pos_ in ("NOUN", "PROPN") else None


def _decreed(verb: Token, sent: Span, lemma: str) -> _Content | None:
    """ "the court overturned the ruling", "appointed X" (a person only)."""
    ccomp = dep_child(verb, "ccomp")
    if ccomp is not None:
        return _Content(phrase_span(ccomp))
    obj = dep_child(verb, "dobj")
    if (
        obj is not None
        and obj.pos_ in ("NOUN", "PROPN")
        and not (lemma in ("appoint", "nominate") and obj.ent_type_ != "PERSON")
    ):
        return _Content(phrase_span(obj))
    return None


def _evaluated(verb: Token, sent: Span, lemma: str) -> _Content | None:
    """Support, opposition and characterisation: "opposes the plan", "painted him as …"."""
    obj = dep_child(verb, "dobj")
    as_ = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("as", "for")), None)
    oprd = dep_child(verb, "oprd")
    if lemma in VERBAL_ONLY and as_ is None and oprd is None:
        return None
    if obj is not None and obj.pos_ != "PRON" or obj is not None and (as_ is not None or oprd is not None):
        end = max([obj.right_edge.i] + [t.right_edge.i for t in (as_, oprd) if t is not None])
        return _Content((obj.left_edge.idx, sent.doc[end].idx + len(sent.doc[end])))
    return None


def _xcomp(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")), None)


# The content of each kind of attitude, in the order they are tried (after "ask" and "call").
_CONTENT_OF_KIND: tuple[tuple[frozenset[str], Callable[[Token, Span, str], _Content | None]], ...] = (
    (EXPRESS_VERBS, _expressed),
    (INTENTION, _intended),
    (PERCEPTION, _perceived),
    (DECREES, _decreed),
)


def calls_for(verb: Token) -> Token | None:
    """What "called for" asks for ("called for a moratorium", "calls for releasing the videos")."""
    if any(c.dep_ in ("oprd", "xcomp", "ccomp") for c in verb.children):
        return None
    prep = dep_child(verb, "prep", "for")
    return (dep_child(prep, "pobj") or dep_child(prep, "pcomp")) if prep is not None else None


def stance_predicate(pred: Token, sent: Span) -> list[Found]:
    """A stance stated by an adjective or "against" after a copula, with its own content: "Republicans
    were concerned about …", "is confident that …", "were willing to go forward", "is against it"."""
    cop = pred.head
    if cop.lower_ not in COPULAS or pred.dep_ not in ("acomp", "prep") or pred.i < cop.i:
        return []
    subj = subject_of(cop)
    if subj is None and cop.dep_ == "conj" and cop.head.pos_ in ("VERB", "AUX"):
        subj = subject_of(cop.head)
    if (
        subj is None
        or subj.dep_ != "nsubj"
        or subj.lower_ in OBJECT_FORMS | NOT_SOURCES
        or is_negative(subj)
        or not can_speak(subj)
        or subj.lower_ in SPEECH_ARTIFACTS | ARTIFACTS
    ):
        return []
    if any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL for c in cop.children):
        return []
    content: tuple[int, int] | None = None
    if pred.pos_ == "ADP":
        obj = dep_child(pred, "pobj")
        content = phrase_span(obj) if obj is not None else None
    else:
        for c in pred.children:
            if c.dep_ in ("ccomp", "xcomp") and c.pos_ in ("VERB", "AUX"):
                content = phrase_span(c)
                break
            if c.dep_ == "prep" and c.lower_ in ABOUT | {"to", "in", "that"}:
                obj = dep_child(c, "pobj") or dep_child(c, "pcomp")
                if obj is not None:
                    content = phrase_span(obj)
                    break
    if content is None:
        return []
    stance: Stance = "intention" if pred.lower_ in INTENT_ADJECTIVES else "claim"
    cue_tokens = [cop] + [c for c in cop.children if c.dep_ in ("aux", "neg") and abs(c.i - cop.i) <= 3] + [pred]
    antecedent = (
        phrase_span(cop.head, relcl=False) if subj.lower_ in ("who", "that", "which") and cop.dep_ == "relcl" else None
    )
    if subj.lower_ in ("who", "that", "which") and antecedent is None:
        return []
    return [
        make_found(
            subj,
            pred,
            sent,
            cue_tokens=sorted(cue_tokens, key=lambda t: t.i),
            stance=stance,
            content=content,
            rule="attitude",
            antecedent=antecedent,
        )
    ]

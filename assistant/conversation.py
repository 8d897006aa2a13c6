"""Conversation -> self-contained questions: a follow-up ("And what did the army say?", "What
about Kidal?", "When did it happen?") is rewritten with the topic of the previous question, so
the retriever sees what the person means. Pure string functions; the rewrite is shown to the user.

    resolve("And what did the army say?", ["How many Wagner fighters were killed at Tinzaouatene?"])
    -> "How many Wagner fighters were killed at Tinzaouatene, according to the army?"
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .lexicon import FOLLOWUP_SPEECH_FORMS, alternation
from .question import analyse_question
from .sources import source_type
from .types import PARTY_TYPES, Answer, SourceType

SPEECH = alternation(FOLLOWUP_SPEECH_FORMS)
_LEAD = re.compile(r"^\s*(?:(?:and|but|also|so|ok(?:ay)?|then|now|what's more)\b[\s,]*)+", re.I)
_WHAT_ABOUT = re.compile(r"^(?:what|how)\s+about\s+(?P<x>.+?)$", re.I)
_SOURCE_ONLY = [
    # "what did the army say (about it)?", "how does the UN put it?"
    re.compile(
        rf"^(?:what|how)\s+(?:did|does|do|has|have|had|would)\s+(?P<src>.+?)\s+{SPEECH}"
        r"(?:\s+(?:about|on|to|of)?\s*(?:it|this|that|them|these|those|there))?$",
        re.I,
    ),
    # "did the army confirm it?", "has the government commented?"
    re.compile(
        rf"^(?:did|does|do|has|have|had)\s+(?P<src>.+?)\s+{SPEECH}"
        r"(?:\s+(?:about|on|to|of)?\s*(?:it|this|that|them|these|those|anything))?$",
        re.I,
    ),
    re.compile(r"^according\s+to\s+(?P<src>.+?)$", re.I),
    # "the army's account?", "what is the rebels' version?"
    re.compile(
        r"^(?:what(?:'s|\s+is|\s+was|\s+were)?\s+)?(?P<src>.+?)(?:'s|’s|'|’)\s+"
        r"(?:account|version|figure|figures|claim|claims|side|view|position|story|count|numbers?)$",
        re.I,
    ),
]
_ACCORDING = re.compile(r"\s*,?\s*\baccording to [^,?.;]+", re.I)
_ACCORDING_LEAD = re.compile(r"^\s*according to [^,?]+,\s*", re.I)
_SAID_ABOUT = re.compile(
    rf"^(?P<wh>what|how)\s+(?:did|does|do|has|have|had)\s+(?P<src>.+?)\s+{SPEECH}\s+"
    r"(?:about|on|of)\s+(?P<topic>.+)$",
    re.I,
)
_HOW_MANY = re.compile(
    r"^how\s+(?:many|much)\s+(?P<noun>.+?)\s+(?P<aux>were|was|are|is|have|has|had|did|do|does|"
    r"will|would|could|got|remain|remained)\b",
    re.I,
)
_BARE_HOW_MANY = re.compile(r"^how\s+(?:many|much)\s+(?:were|was|are|is|have|has|had|did|do|does|got)\b", re.I)
_PLACE = re.compile(
    r"\b(?P<prep>in|at|near|around|outside|inside|from|of)\s+(?P<name>(?:the\s+)?[A-Z][\w'’-]*"
    r"(?:\s+(?:[A-Z][\w'’-]*|de|du|des|el|al|la))*)"
)
_PRONOUN = re.compile(r"\b(?:it|they|them|there|those|these|he|she|him)\b|\b(?:that|this)\s*$", re.I)
_WH_LEAD = re.compile(
    r"^(?:how\s+(?:many|much)|what|which|who|whom|whose|when|where|why|how|did|does|do|is|are|"
    r"was|were|has|have|had|can|could)\b\s*",
    re.I,
)
_AUX = re.compile(r"\b(?:were|was|did|does|do|is|are|has|have|had|been|be)\b\s*", re.I)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A question ready for `ask`: `question` is self-contained; `followup` says it was rewritten."""

    asked: str
    question: str
    followup: bool


@dataclass(frozen=True, slots=True)
class Turn:
    """One exchange of a conversation: what was typed, what was asked, and the answer (or why none)."""

    asked: str
    question: str
    answer: Answer | None
    error: str | None = None


def resolve(question: str, previous: Sequence[str], *, last: Answer | None = None) -> Resolved:
    """`question` made self-contained using the earlier questions of the conversation (oldest
    first, each already resolved) and the last answer (whose people and groups "he" and "they"
    may mean); unchanged when it stands on its own."""
    asked = " ".join(question.split())
    if not previous or not asked:
        return Resolved(asked, asked, False)
    base = " ".join(previous[-1].split())
    had_lead = bool(_LEAD.match(asked))
    body = _LEAD.sub("", asked).strip().rstrip("?").strip()
    if not body:
        return Resolved(asked, asked, False)

    src = _source_only(body)
    if src and (had_lead or _PRONOUN.search(body) or not _WH_LEAD.match(body)):
        return Resolved(asked, _with_source(base, src), True)  # "And what did the army say?", "The army's version?"
    if src:
        return Resolved(asked, asked, False)  # "What did the governor say?" stands alone

    m = _WHAT_ABOUT.match(body)
    if m or (had_lead and len(body.split()) <= 5 and not _WH_LEAD.match(body)):
        x = (m.group("x") if m else body).strip().rstrip(" ?.!")
        return Resolved(asked, _about(base, x), True)

    if _BARE_HOW_MANY.match(body):
        noun = _HOW_MANY.match(_topic_question(base))
        if noun:
            rest = re.sub(r"^how\s+(?:many|much)\s+", "", body, flags=re.I)  # "were captured"
            return Resolved(asked, _add_place(f"How many {noun.group('noun')} {rest}", base) + "?", True)

    named = _name_pronoun(body, base, last)
    if named is not None:
        return Resolved(asked, named, True)
    vague = _PRONOUN.search(body) or (had_lead and not analyse_question(body).terms)
    if vague and not _has_own_names(body):
        topic = _topic(base)
        if topic:
            return Resolved(asked, f"{body} ({topic})?", True)
    return Resolved(asked, asked, False)


_PERSON_PRONOUN = re.compile(r"\b(?P<p>he|she|him|her|his)\b", re.I)
_GROUP_PRONOUN = re.compile(r"\b(?P<p>they|them|their)\b", re.I)
_PERSON_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:[A-Z][\w'’-]+|de|al|ag|bin|ibn|van|von|da))*\s+[A-Z][\w'’-]+")


def _name_pronoun(body: str, base: str, last: Answer | None) -> str | None:
    """ "What did he say?" after "Who is Semyon Pegov?": the pronoun replaced by the person (or, for
    "they", the group) the previous question asked about or the last answer credited first."""
    for pattern, pick in ((_PERSON_PRONOUN, _person), (_GROUP_PRONOUN, _group)):
        m = pattern.search(body)
        if not m:
            continue
        who = pick(base, last)
        if who is None:
            return None
        word = m.group("p").lower()
        name = f"{who}'s" if word in ("his", "their") or (word == "her" and _possessive(body, m.end())) else who
        out = body[: m.start()] + name + body[m.end() :]
        return out[:1].upper() + out[1:] + "?"
    return None


def _possessive(body: str, end: int) -> bool:
    """'her' followed by a noun ("her statement") is possessive; at the end or before a preposition not."""
    nxt = body[end:].split()
    return bool(nxt) and nxt[0].lower() not in {"about", "on", "of", "to", "for", "in", "at", "with", "say", "said"}


def _person(base: str, last: Answer | None) -> str | None:
    names = [
        m.group(0)
        for m in _PERSON_NAME.finditer(base)
        if source_type(m.group(0)) == "other"
        and not re.match(r"^(?:How|What|Who|Which|When|Where|Why|Did|Does|Is|Was)\b", m.group(0))
    ]
    if names:
        return names[-1]
    if last is not None:
        for c in last.claims:
            if c.stance != "narration" and _PERSON_NAME.search(c.source):
                return re.split(r"\s*[(,]", c.source)[0]
    return None


def _group(base: str, last: Answer | None) -> str | None:
    q = analyse_question(base)
    if q.source:
        return "the " + q.source if q.source[:1].islower() else q.source
    if last is not None:
        for c in last.claims:
            if c.stance != "narration" and c.source_type in PARTY_TYPES:
                return re.split(r"\s*[(,]", c.source)[0]
    return None


def asked_source(question: str) -> tuple[str, SourceType | None] | None:
    """The source a question asks about ("according to the army" -> ("army", "military")), if any."""
    q = analyse_question(question)
    return (q.source, q.source_type) if q.source else None


# -- helpers -----------------------------------------------------------------------------------------


def _source_only(body: str) -> str | None:
    """The source when `body` asks only what some source said ("what did the army say")."""
    for pattern in _SOURCE_ONLY:
        m = pattern.match(body)
        if m:
            src = m.group("src").strip()
            if (
                src
                and not re.fullmatch(r"(?:it|they|he|she|you|we|i|there|this|that)", src, re.I)
                and len(src.split()) <= 8
            ):
                return src
    return None


def _looks_like_source(x: str) -> bool:
    if source_type(x) != "other":
        return True
    # a person's name ("Mossa Ag Inzoma") rather than a place
    return len(re.findall(r"\b[A-Z][a-z]+", x)) >= 2 and not re.search(r"\b(?:in|at|of|district|region)\b", x)


def _about(base: str, x: str) -> str:
    """'What about X?' after `base`: X as the source when it names one, else X in place of the
    base question's place."""
    if _looks_like_source(x):
        return _with_source(base, x)
    q = _topic_question(base)
    places = list(_PLACE.finditer(q))
    if places and x[:1].isupper():
        p = places[-1]
        return f"{q[: p.start('name')]}{x}{q[p.end('name') :]}" + "?"
    return f"{q} ({x})?"


def _with_source(base: str, src: str) -> str:
    """The base question asked of another source."""
    q = _topic_question(base)
    src = re.sub(r"^(The|A|An)\b", lambda m: m.group(1).lower(), src.strip())
    return f"{q}, according to {src}?"


def _topic_question(base: str) -> str:
    """The base question without the source it named, without the trailing '?'."""
    q = base.strip().rstrip("?").strip()
    q = _ACCORDING_LEAD.sub("", q)
    q = _ACCORDING.sub("", q).strip()
    m = _SAID_ABOUT.match(q)
    if m:
        q = f"What was said about {m.group('topic')}"
    return q[:1].upper() + q[1:]


def _topic(base: str) -> str:
    """The base question as a noun phrase ("Wagner fighters killed at Tinzaouatene")."""
    q = _topic_question(base)
    m = re.match(r"^What was said about (?P<t>.+)$", q)
    if m:
        return m.group("t")
    q = _WH_LEAD.sub("", q)
    q = _AUX.sub("", q)
    return q.strip(" ,")


def _add_place(q: str, base: str) -> str:
    if _PLACE.search(q):
        return q.rstrip(" ?")
    places = list(_PLACE.finditer(_topic_question(base)))
    return q.rstrip(" ?") + (f" {places[-1].group(0)}" if places else "")


def _has_own_names(body: str) -> bool:
    """Capitalised words after the first: the question names its own subject."""
    words = body.split()[1:]
    return any(w[:1].isupper() and w.lower() not in {"i"} for w in words)

"""Which earlier source a later mention means ("he", "the ministry", "Ramadane"): the sources and
named entities a document has mentioned so far, and the rules for resolving a mention against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import (
    ARTIFACTS,
    GROUP_HEADS,
    MODIFIERS,
    OFFICIAL_HEADS,
    PERSON_ROLES,
    PRONOUNS_PERSON,
    PRONOUNS_PLURAL,
    RELATIVE,
)
from .sources import looks_like_person
from .types import SourceType


@dataclass
class Mention:
    """A source seen earlier in the document, kept for resolving later mentions."""

    name: str  # the core name ("Mohamed Elmaouloud Ramadane", "the Malian military")
    resolved: str  # how to show it ("Mohamed Elmaouloud Ramadane (spokesperson for ...)")
    kind: SourceType
    person: bool
    plural: bool
    words: set[str] = field(default_factory=set)
    at: int = 0  # index of the sentence it was last mentioned in


class Memory:
    """The sources and named entities a document has mentioned so far, most recent last.
    `sentence` counts the sentences seen; the caller moves it on."""

    def __init__(self, *, armed: bool = False) -> None:
        self.sources: list[Mention] = []
        self.entities: list[Mention] = []
        self.armed = armed
        self.sentence = 0

    def add_source(self, m: Mention) -> None:
        m.words = _words(m.name) | _words(m.resolved)
        m.at = self.sentence
        self.sources.append(m)

    def add_entity(self, m: Mention) -> None:
        m.words = _words(m.name)
        m.at = self.sentence
        self.entities.append(m)
        del self.entities[:-40]

    def _latest_person(self) -> Mention | None:
        """'He': the speaker of the sentence just before, else the last person mentioned."""
        speaker = next((m for m in reversed(self.sources) if m.person), None)
        last = self.sources[-1] if self.sources else None
        if (
            last is not None
            and last is not speaker
            and last.at >= self.sentence - 1
            and not last.plural
            and looks_like_person(last.name, last.kind)
        ):
            return last  # the speaker just before, whose name reads as a person's
        if speaker is not None and speaker.at >= self.sentence - 1:
            return speaker
        people = [m for m in self.sources + self.entities if m.person]
        return max(people, key=lambda m: (m.at, m in self.sources), default=None)

    def find_name(self, name: str) -> Mention | None:
        """An earlier source or entity whose name contains all the words of `name` ("Ramadane")."""
        words = _words(name) - GENERIC
        if not words:
            return None
        for m in reversed(self.sources + self.entities):
            mw = _words(m.name)
            if words <= mw and len(mw) > len(words) and not (MODIFIERS & mw) - words:
                return m
        return None

    def resolve(self, text: str, *, head: str) -> Mention | None:
        """The earlier source meant by a pronoun, a definite description ("the ministry") or an
        artifact ("the statement")."""
        low = text.lower().strip()
        h = head.lower()
        if low in PRONOUNS_PERSON:
            return self._latest_person()
        if low in PRONOUNS_PLURAL:
            return next((m for m in reversed(self.sources) if m.plural or not m.person), None)
        if low == "it":
            return next((m for m in reversed(self.sources) if not m.person and not m.plural), None) or next(
                (m for m in reversed(self.entities) if not m.person and not m.plural), None
            )
        if low in RELATIVE:
            return None
        if h in ARTIFACTS:
            # "the statement", "this report": the last statement made; "initial reports" is not one
            if re.match(r"^(the|this|that|said)\s+(\w+\s+)?\w+$", low) and not h.endswith("s"):
                return self.sources[-1] if self.sources else None
            return None
        if re.match(r"^(the|this|that|these|those|said)\b", low):
            words = _words(low)
            person_role = h in PERSON_ROLES or h.endswith("s") and h[:-1] in PERSON_ROLES
            plural = h.endswith("s") and not h.endswith("ss")
            for pool in (self.sources, self.entities):
                for m in reversed(pool):
                    if not words <= m.words or (MODIFIERS & m.words) - words:
                        continue  # "the president-elect" is not the vice president-elect
                    if person_role and (m.person == plural):
                        continue  # "the official" is one person, not "official sources"
                    return m
            if person_role and not plural:
                return self._latest_person()  # "the military chief said": the last person named
            if h in GROUP_HEADS:
                return next((m for m in reversed(self.sources) if m.kind == "armed group"), None)
            if h in OFFICIAL_HEADS:
                return next(
                    (
                        m
                        for m in reversed(self.sources)
                        if m.kind in ("government", "military", "anonymous official", "police")
                    ),
                    None,
                )
        return None


GENERIC = frozenset("the a an of for and mr mrs ms dr this that these those said".split())


def _words(s: str) -> set[str]:
    """Content words, singular ("sources" and "source" match)."""
    out = set()
    for w in re.findall(r"[a-z0-9]+", s.lower()):
        if w in GENERIC:
            continue
        out.add(w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w)
    return out

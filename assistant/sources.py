"""Who a source is: its type (armed group, government, military, media, ...), its name as a reader
sees it, and which names stand for one entity. The narrator of a document is `narrators`'s, which
earlier source a later mention means is `mentions`'s.

Pure functions over strings; no spaCy here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .types import PARTY_TYPES, SourceType

if TYPE_CHECKING:
    from .types import Attribution

# Checked in order: the first table whose pattern matches the source description wins.
TYPE_PATTERNS: list[tuple[SourceType, re.Pattern[str]]] = [
    (
        "UN/NGO",
        re.compile(
            r"\b(united nations|u\.n\.|UN|secretary-general|security council|panel of experts|unhcr|ohchr|unicef|"
            r"ocha|wfp|who|minusca|monusco|minusma|unmiss|unsmil|untmis|unsom|unowas|unama|binuh|iom|icrc|red cross|"
            r"red crescent|human rights watch|amnesty|msf|m[ée]decins sans fronti[èe]res|ngo|non-governmental|"
            r"humanitarian|special representative|rapporteur|mission|peacekeep\w*|aid (group|agency|workers?)|"
            r"international committee|african union|ecowas|igad|european union|\bEU\b)\b",
            re.I,
        ),
    ),
    (
        "media",
        re.compile(
            r"\b(news(paper|papers| agency| channel| outlet| service| network)?|channel|telegram|radio|television|tv|"
            r"broadcaster|newspaper|daily|weekly|magazine|agency|press|reporters?|journalists?|correspondents?|"
            r"bloggers?|afp|reuters|associated press|\bAP\b|bbc|cnn|al[- ]jazeera|nhk|xinhua|tass|ria novosti|"
            r"efe|ansa|dpa|voa|times|post|journal|herald|gazette|tribune|el tiempo|la prensa|caracol|baza|"
            r"media|website|report(s)? by|cerigua|venceremos)\b",
            re.I,
        ),
    ),
    (
        "local sources",
        re.compile(
            r"\b(local sources?|residents?|witness(es)?|eyewitness(es)?|villagers?|locals|inhabitants|"
            r"local (people|officials?|leaders?|elders?)|community (leaders?|members?)|survivors?|relatives|"
            r"families|medical (staff|sources?|workers?)|doctors?|hospital)\b",
            re.I,
        ),
    ),
    (
        "armed group",
        re.compile(
            r"\b(rebels?|rebellion|separatists?|insurgents?|insurgency|guerrillas?|militants?|militias?|jihadists?|"
            r"armed groups?|armed movement|fighters|mercenar(y|ies)|wagner|taliban|al[- ]qaeda|al[- ]shabaab|"
            r"isis|isil|islamic state|boko haram|jnim|hamas|hezbollah|houthis?|rsf|rapid support|m23|fmln|farc|eln|"
            r"urng|m-19|shining path|sendero|contras?|extraditables|cartel|drug traffick\w*|"
            r"liberation (front|army|movement)|national front|movement for|separatist movement|"
            r"terrorists?|gunmen|armed men|attackers|commandos?)\b",
            re.I,
        ),
    ),
    (
        "police",
        re.compile(
            r"\b(police|policemen|policeman|gendarmes?|gendarmerie|constabulary|das|detectives?|"
            r"investigators?|law enforcement|fbi|homeland security|security services?)\b",
            re.I,
        ),
    ),
    (
        "military",
        re.compile(
            r"\b(army|armies|military|armed forces|soldiers?|troops|defen[cs]e (ministry|minister|department|forces)|"
            r"ministry of defen[cs]e|colonel|col\.?|general|gen\.|major|captain|commander|lieutenant|sergeant|"
            r"brigade|battalion|navy|air force|marines|national guard|high command|joint staff|fardc|faca|famas?|"
            r"pentagon)\b",
            re.I,
        ),
    ),
    (
        "government",
        re.compile(
            r"\b(government|govt|ministry|minister|ministers|president|president-elect|vice president|prime minister|"
            r"presidency|cabinet|authorities|state department|white house|kremlin|embassy|ambassador|consul|"
            r"permanent representative|governor|mayor|prefect|spokes(man|woman|person) for the (government|presidency)|"
            r"officials?|administration|congress|parliament|assembly|legislat\w+|senator|deputy|junta|"
            r"transitional (authorities|government|president)|interior|attorney general|judge|court|prosecutor)\b",
            re.I,
        ),
    ),
]
ANONYMOUS = re.compile(
    r"^(an?|one|two|three|several|some|other|the same|senior|unnamed|anonymous)?\s*(\w+\s+){0,4}"
    r"(official|officials|source|sources|diplomat|diplomats|officer|officers)\b(?!.*\b[A-Z][a-z]+ [A-Z][a-z]+)",
    re.I,
)
NAMED_ANONYMOUS_EXCEPTIONS = re.compile(r"\b(local|police|medical|military|security|official sources)\b", re.I)


ORG_WORDS = re.compile(
    r"\b(alliance|coalition|movement|framework|front|group|organi[sz]ation|union|council|"
    r"command|brigades?|forces)\b",
    re.I,
)


def armed_context(text: str) -> bool:
    """True when a document is about armed groups (then an unnamed 'alliance' or 'movement' in it
    is most likely one)."""
    return len(TYPE_PATTERNS[3][1].findall(text[:20000])) >= 3


def source_type(description: str, *, armed_context: bool = False) -> SourceType:
    """Classify a source from its description ("Mossa Ag Inzoma, a member of the separatist movement")."""
    kind = _source_type(description)
    if kind == "other" and armed_context and ORG_WORDS.search(description):
        return "armed group"
    return kind


# "the Hamas-led ministry" is a ministry, "a Russian-backed militia" a militia: such modifiers do not type.
_LED = re.compile(
    r"\b[\w.'’]+-(?:led|backed|linked|affiliated|run|controlled|allied|aligned|supported|sponsored|"
    r"funded|based|held|dominated|appointed|installed)\b",
    re.I,
)


def _source_type(description: str) -> SourceType:
    d = _RELATIVE.sub("", _LED.sub(" ", description)).strip()  # "guerrillas who …": not the WHO
    if (
        ANONYMOUS.match(d)
        and not re.search(r"\b[A-Z][a-z]+\s+[A-Z][a-z]+\b", d)
        and not re.search(r"\blocal\b", d, re.I)
    ):
        m = ANONYMOUS.match(d)
        if m and not re.search(r"\b(police|army|military|rebel|guerrilla|taliban)\b", d, re.I):
            return "anonymous official"
    for kind, pattern in TYPE_PATTERNS:
        if pattern.search(d):
            return kind
    if re.fullmatch(r"(the )?[A-Z][a-zA-Z]+('s)?", d) and d.lower().rstrip("'s") in COUNTRIES:
        return "government"
    return "other"


MAX_NAME_WORDS = 12
_LIST_MARK = re.compile(r"^(?:\(?\d{1,3}[.)]|\([a-z]\)|[ivx]{1,4}\.)\s+")
_RELATIVE = re.compile(r",?\s+\b(?:who|which|whose|whom|where|in which|that)\b(?=\s+\w)[^,()]*", re.I)
_PARTICIPLE = re.compile(r",\s+(?:\w+ed|\w+ing|known as|also known as)\b[^,()]*", re.I)
_ACRONYM = re.compile(
    r"\b[A-Z][\w'’.-]*(?:[\s,]+(?:[A-Z][\w'’.-]*|of|for|and|the|on|in|de|du|des|la|le))+"
    r"\s*\(([A-Z][A-Z0-9&/.-]{1,14})\)"
)
_CUT_BEFORE = frozenset(
    "of for and in on at with to from by against between including who which whose as under over among into".split()
)
_POSSESSIVE = re.compile(r"(?<=\w)(?:['’]s|s['’])$|['’]$")
CAPTION = re.compile(
    r"\b(?:photo(?:graph)?s?|handout|getty|afp photo|file photo|caption|credit|courtesy|©|"
    r"image(?:s)? (?:by|courtesy))\b",
    re.I,
)
BARE = frozenset(
    "i we you he she it they me us him her them this that these those who which whom whose one there here".split()
)


def display_name(name: str) -> str:
    """A source name a reader can use: no list number or label before it, no dangling possessive
    ("Mali's" -> "Mali"), a long name shortened to its acronym ("the Permanent Strategic Framework
    … (CSP-PSD) alliance" -> "the CSP-PSD alliance"), and at most twelve words, cut at a phrase
    boundary (relative and participial clauses first)."""
    n = re.sub(r"\s+", " ", name).strip().strip(",;:")
    n = _LIST_MARK.sub("", n)
    first, _, rest = n.partition(" ")
    if (
        rest
        and first.lower().rstrip(":") in ("advertisement", "photo", "video", "watch", "related", "update")
        and rest[:1].isupper()
    ):
        n = rest  # "Advertisement The 2010 warning …"
    core, paren, tail = n.partition(" (")
    core = _POSSESSIVE.sub("", core).strip() if not paren else core
    n = core + (" (" + tail if paren else "")
    if not paren:
        n = _POSSESSIVE.sub("", n).strip()
    for step in (_shorten_acronyms, _drop_relative, _drop_participle, _first_descriptor, _cut):
        if len(n.split()) <= MAX_NAME_WORDS:
            break
        n = step(n)
    return _balance(n)


def _shorten_acronyms(n: str) -> str:
    return _ACRONYM.sub(lambda m: m.group(1), n)


def _drop_relative(n: str) -> str:
    return _RELATIVE.sub("", n)


def _drop_participle(n: str) -> str:
    return _PARTICIPLE.sub("", n)


def _first_descriptor(n: str) -> str:
    """'Core (a description, more, more)' -> 'Core (a description)'."""
    core, paren, tail = n.partition(" (")
    return f"{core} ({tail.split(',')[0].rstrip(')')})" if paren and "," in tail else n


def _cut(n: str) -> str:
    """The first twelve words, ended at the last phrase boundary (a comma, or before a preposition
    or conjunction) that keeps at least three of them."""
    words = n.split()[:MAX_NAME_WORDS]
    for k in range(len(words), 2, -1):
        if words[k - 1].endswith((",", ";")):
            words = words[:k]
            break
        if k < len(words) and words[k].lower() in _CUT_BEFORE:
            words = words[:k]
            break
    while len(words) > 1 and words[-1].lower().strip(",;") in _CUT_BEFORE | {"the", "a", "an"}:
        words.pop()
    return " ".join(words).rstrip(",;:")


def _balance(n: str) -> str:
    """Close a parenthesis the shortening left open; drop one it left unopened."""
    n = n.strip()
    if n.count("(") > n.count(")"):
        n = n.rstrip(" ,;") + ")" * (n.count("(") - n.count(")"))
    while n.count(")") > n.count("(") and n.endswith(")"):
        n = n[:-1].rstrip()
    return n.replace(" ()", "")


def entity_keys(name: str) -> set[str]:
    """What identifies the entity a source name stands for: its core name (without "the", a
    possessive or the description in parentheses) and, in mixed-case names, the acronyms in it
    ("CSP-PSD", "FMLN")."""
    core = name.partition(" (")[0]
    core = re.sub(r"^(?:the|a|an)\s+", "", _POSSESSIVE.sub("", core.strip()), flags=re.I).lower()
    keys = {core} if core and core not in BARE else set()
    words = [w for w in core.split() if w not in ("alias", "jr.", "jr", "sr.")]
    if len(words) >= 2 and looks_like_person(" ".join(w.title() for w in words)):
        keys.add("person " + words[-1])  # "GONZALO RODRIGUEZ GACHA" and "RODRIGUEZ GACHA"
    if re.search(r"[a-z]", name):
        keys |= {
            m.lower() for m in re.findall(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*\b", name) if len(m.replace("-", "")) >= 3
        }
    return keys


def one_type_each(attributions: list[Attribution]) -> tuple[Attribution, ...]:
    """The attributions of one document with one type per entity: sources that share a key
    (a name, an acronym) are one entity, typed by the type most of its mentions have (the first
    one on a tie); "other" and the author's voice never outvote a type."""
    parent: dict[str, str] = {}

    def root(k: str) -> str:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    keys = [sorted(entity_keys(a.source_resolved)) if a.source_type != "author" else [] for a in attributions]
    for ks in keys:
        for k in ks[1:]:
            parent[root(k)] = root(ks[0])
    votes: dict[str, dict[str, int]] = {}
    for a, ks in zip(attributions, keys):
        if ks and a.source_type != "other":
            tally = votes.setdefault(root(ks[0]), {})
            tally[a.source_type] = tally.get(a.source_type, 0) + 1
    out = []
    for a, ks in zip(attributions, keys):
        tally = votes.get(root(ks[0])) if ks else None
        best = max(tally, key=lambda t: tally[t]) if tally else None  # dicts keep the first on a tie
        out.append(replace(a, source_type=best) if best and best != a.source_type else a)
    return tuple(out)


def name_problems(name: str) -> list[str]:
    """What is wrong with a source name shown to a reader (empty when nothing is): more than twelve
    words, a bare pronoun, a dangling possessive ("Mali's"), a caption or credit line."""
    out = []
    if len(name.split()) > MAX_NAME_WORDS:
        out.append("longer than twelve words")
    if is_bare(name):
        out.append("a bare pronoun")
    if _POSSESSIVE.search(name.partition(" (")[0].strip()) or re.search(r"['’]s\)?$", name.strip()):
        out.append("a dangling possessive")
    if CAPTION.search(name):
        out.append("a caption or credit")
    if name.count("(") != name.count(")"):
        out.append("unbalanced parentheses")
    return out


def is_bare(name: str) -> bool:
    """A pronoun or demonstrative on its own: no name a reader can use."""
    n = name.lower().strip(" .,\"'“”‘’")
    rest = re.sub(r"['’]s\b", "", n)
    return n in BARE or not (re.search(r"[^\W_]{2}", rest) and re.search(r"[^\W\d_]", rest))


COUNTRIES = frozenset(
    "mali niger chad sudan libya somalia kenya ethiopia eritrea nigeria cameroon congo drc rwanda uganda burundi "
    "haiti colombia venezuela peru bolivia ecuador guatemala honduras nicaragua salvador panama mexico cuba "
    "russia ukraine israel iran iraq syria lebanon yemen afghanistan pakistan india china japan thailand "
    "turkey egypt algeria morocco tunisia france britain germany usa america burkina senegal guinea ghana "
    "benin togo mauritania".split()
)


_ORG_WORDS = re.compile(
    r"\b(ministry|army|party|front|agency|news|radio|television|police|government|council|"
    r"committee|commission|office|department|forces|movement|group|alliance|union|association|"
    r"company|bank|embassy|court|university|institute|channel|network|daily|newspaper)\b",
    re.I,
)


def looks_like_person(core: str, kind: str = "other") -> bool:
    """Two to four capitalised words that name no organisation: 'GONZALO RODRIGUEZ GACHA'."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’.-]*", core) if w.lower() not in ("the", "alias", "a", "an")]
    capital = [w for w in words if w[0].isupper()]
    return (
        2 <= len(capital) <= 4
        and len(capital) == len(words)
        and not _ORG_WORDS.search(core)
        and (kind == "other" or kind in PARTY_TYPES)
    )

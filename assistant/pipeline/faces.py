"""Entry points for the faces (the command line and the web page): they call these, and `open_assistant`,
`ask`, `ingest`, `delete` and `writer_at_work`, instead of reaching into the store or the stages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..analyse import analyse, content_text, load_analyzer
from ..clean import clean
from ..config import Settings
from ..conversation import Resolved, Turn, resolve
from ..load import load_file
from ..types import Analysis, Answer, DocRecord, Document, Page
from .resources import Assistant

__all__ = [
    "Analysed",
    "DocumentPages",
    "Resolved",
    "Turn",
    "attributions_of_file",
    "document_pages",
    "index_location",
    "resolve_follow_up",
    "warm_up",
]


@dataclass(frozen=True, slots=True)
class DocumentPages:
    """One indexed document as the web shows it: its manifest record (None when it is not in the
    index), its cleaned text and its page spans in order."""

    record: DocRecord | None
    text: str
    pages: tuple[Page, ...]


@dataclass(frozen=True, slots=True)
class Analysed:
    """One document of a file, cleaned, with who says what in it and, for each attribution, what it
    attributes as the reader sees it (an interrupting "he said" cut out)."""

    document: Document
    analysis: Analysis
    contents: tuple[str, ...]


def index_location(assistant: Assistant) -> str:
    """Where the index lives (its folder, or the Chroma server's address), as messages name it."""
    return assistant.store.where


def document_pages(assistant: Assistant, doc_id: str) -> DocumentPages:
    """The manifest record, cleaned text and page spans of one indexed document."""
    store = assistant.store
    got = store.document(doc_id)
    if got is None:
        return DocumentPages(None, "", ())
    pages = {p.number: p for ch in store.get_chunks(store.chunk_ids_of(doc_id)) for p in ch.pages}
    return DocumentPages(got[0], got[1], tuple(pages[n] for n in sorted(pages)))


def warm_up(assistant: Assistant) -> None:
    """Load the query model now, so that the first question does not wait for it."""
    assistant.query_embedder().embed(["warm up"])


def attributions_of_file(path: Path, *, settings: Settings) -> list[Analysed]:
    """Each document of one file (no index needed) loaded, cleaned and analysed."""
    loaded = load_file(
        path,
        pdf_timeout=settings.pdf_timeout,
        pdf_memory_mb=settings.pdf_memory_mb,
        max_mb=settings.max_file_mb,
        part_mb=settings.text_part_mb,
    )
    analyzer = load_analyzer(settings.spacy_model)
    out = []
    for raw in loaded.documents:
        doc = clean(raw)
        analysis = analyse(doc, analyzer=analyzer)
        out.append(Analysed(doc, analysis, tuple(content_text(doc.text, a) for a in analysis.attributions)))
    return out


def resolve_follow_up(message: str, earlier: Sequence[str], *, last: Answer | None = None) -> Resolved:
    """`message` made self-contained in the light of the earlier questions (oldest first) and the
    last answer; unchanged when it stands on its own."""
    return resolve(message, earlier, last=last)

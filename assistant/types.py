"""Frozen dataclasses passed between the pipeline stages.

Offsets are character offsets into a Document's cleaned `text`; pages are 1-based and None for
documents without pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

Genre = Literal["news", "wire", "un_report", "letter", "document"]
SourceType = Literal[
    "armed group",
    "government",
    "military",
    "police",
    "media",
    "local sources",
    "UN/NGO",
    "anonymous official",
    "author",
    "other",
]
# Every source type, in the order the filters offer them.
SOURCE_TYPES: tuple[SourceType, ...] = get_args(SourceType)
# The sides of a conflict: the types whose statements are the disputed accounts of it.
PARTY_TYPES: tuple[SourceType, ...] = ("armed group", "military", "government", "police")


def type_key(source_type: str) -> str:
    """A source type as a metadata and array key: "UN/NGO" -> "un_ngo", "armed group" -> "armed_group"."""
    return source_type.replace("/", "_").replace(" ", "_").lower()


Stance = Literal[
    "claim", "quote", "report", "acknowledgement", "denial", "accusation", "intention", "decision", "narration"
]
# unchanged: already indexed from this file; duplicate: its content is indexed from another file;
# skipped: never read as documents (the index folder, a folder already read through a link)
FileStatus = Literal["added", "unchanged", "updated", "duplicate", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What is known about a document besides its text."""

    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd when known
    url: str | None = None
    genre: Genre = "document"
    symbol: str | None = None  # UN document symbol such as S/2025/495


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A document as read from disk, before cleaning: one string per page (one in all for
    unpaged formats). `key` names the record inside a corpus file."""

    path: str
    pages: tuple[str, ...]
    meta: DocMeta
    key: str | None = None
    paged: bool = False


@dataclass(frozen=True, slots=True)
class Loaded:
    """What one file yielded: its documents, and problems that did not stop the rest."""

    documents: tuple[RawDocument, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """A cleaned document. `doc_id` is derived from the cleaned text, so the same content
    always gets the same id."""

    doc_id: str
    path: str
    key: str | None
    text: str
    meta: DocMeta
    pages: tuple[Page, ...]
    paragraphs: tuple[Span, ...]
    all_caps: bool = False
    sections: tuple[int, ...] = ()  # offsets where a new section starts (after two or more blank lines)

    def page_at(self, offset: int) -> int | None:
        """Page number holding `offset`, or None for unpaged documents."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return self.pages[-1].number if self.pages else None


@dataclass(frozen=True, slots=True)
class Narrator:
    """Who speaks in a document's own narration: the outlet, author or issuing office."""

    name: str
    source_type: SourceType


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution relation: `source` said (`cue`) `content`, in the sentence at
    sentence_start..sentence_end. A chain of reporting is one attribution per link, the inner
    one naming the outer in `reported_by`."""

    sentence_start: int
    sentence_end: int
    source: str  # as written in the text ("he", "the ministry")
    source_resolved: str  # a name a reader can use ("Mossa Ag Inzoma (separatist movement)")
    source_type: SourceType
    cue: str | None
    stance: Stance
    content_start: int
    content_end: int
    source_start: int = -1
    source_end: int = -1
    cue_start: int = -1
    cue_end: int = -1
    inherited: bool = False  # the cue is in an earlier sentence this one continues ("He added …" is not)
    reported_by: str | None = None  # the source that relays this one ("NHK said police quoted …": NHK)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the language analysis of one document found: its sentences, attributions and narrator."""

    sentences: tuple[Sentence, ...]
    attributions: tuple[Attribution, ...]
    narrator: Narrator


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrieval unit: consecutive whole sentences of one document (a sentence longer than
    the model's limit is cut at word-piece boundaries)."""

    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    page_start: int | None
    page_end: int | None
    paragraph: int
    n_tokens: int
    sentences: tuple[Sentence, ...]
    attributions: tuple[Attribution, ...]
    pages: tuple[Page, ...] = ()  # the document pages this chunk touches
    # one unit row per entry of `sentences` (pooled from the chunk's token vectors at ingest), or
    # None for chunks stored without them
    sentence_vectors: np.ndarray | None = field(default=None, compare=False, repr=False)

    def page_at(self, offset: int) -> int | None:
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return None


@dataclass(frozen=True, slots=True)
class DocRecord:
    """A document as the index knows it (the manifest entry)."""

    doc_id: str
    path: str
    key: str | None
    meta: DocMeta
    narrator: Narrator
    n_chunks: int
    state: Literal["pending", "done"]
    length: int


@dataclass(frozen=True, slots=True)
class Hit:
    """A chunk returned by retrieval with its fused score."""

    chunk: Chunk
    doc: DocRecord
    score: float
    dense_rank: int | None
    lexical_rank: int | None
    similarity: float | None


@dataclass(frozen=True, slots=True)
class Citation:
    n: int
    doc_id: str
    title: str
    path: str
    page: int | None
    start: int
    end: int
    quote: str
    source: str | None
    source_type: SourceType | None = None
    cue: str | None = None
    stance: Stance | None = None
    outlet: str | None = None
    date: str | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """What one source says in the cited passages."""

    source: str
    source_type: SourceType
    cue: str | None
    stance: Stance
    text: str
    citations: tuple[int, ...]
    figures: tuple[str, ...] = ()  # the figures in its words that answer a "how many" question


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions on what may be cited. Empty means no restriction."""

    doc_ids: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    source_types: tuple[SourceType, ...] = ()
    source: str | None = None  # a source name, matched case-insensitively

    def is_empty(self) -> bool:
        return not (self.doc_ids or self.outlets or self.date_from or self.date_to or self.source_types or self.source)


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    answerable: bool
    text: str
    citations: tuple[Citation, ...]
    claims: tuple[Claim, ...]
    contested: bool = False
    related: tuple[Citation, ...] = ()
    filters: Filters = field(default_factory=Filters)
    source_silent: str | None = None  # the source the question asks about, when no cited passage of it answers


@dataclass(frozen=True, slots=True)
class FileReport:
    path: str
    status: FileStatus
    documents: int = 0
    chunks: int = 0
    reason: str | None = None
    doc_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IngestReport:
    files: tuple[FileReport, ...]
    seconds: float

    def count(self, status: FileStatus) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> bool:
        return any(f.status == "failed" for f in self.files)

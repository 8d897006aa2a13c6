"""The open index and the models that serve it, built once when first needed; and the snapshot
readers answer from (the complete documents and the keyword index of one generation)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import dense, lexical
from ..analyse import load_analyzer
from ..answer_model import AnswerModel, load_model
from ..config import Settings
from ..embed import Embedder, TorchEmbedder, load_embedder, load_ingest_embedder, load_tokenizer, model_info
from ..store import Store, open_client, server_address
from ..types import DocRecord
from .maintenance import recover
from .snapshot import load_documents, rebuild_dense, rebuild_lexical, save_documents


@dataclass
class Assistant:
    """An open index and the models that serve it. Build with `open_assistant(settings)`."""

    settings: Settings
    store: Store
    _query_embedder: Embedder | None = None
    _ingest_embedder: TorchEmbedder | None = None
    _analyzer: Any = None
    _tokenizer: Any = None
    _answer_model: AnswerModel | None = None
    _lex: lexical.LexicalIndex | None = None
    _dense: dense.DenseIndex | None = None
    _docs: dict[str, DocRecord] = field(default_factory=dict)
    _generation: int = -1

    @property
    def lexical_dir(self) -> Path:
        s = self.settings
        if s.chroma_url:
            key = hashlib.sha256(f"{s.chroma_url}|{s.collection}|{self.store.uid}".encode()).hexdigest()[:16]
            return s.cache_dir / "lexical" / key
        return s.index_dir / f"{s.collection}_lexical"

    @property
    def dense_dir(self) -> Path:
        """Where the chunk vectors of the exact dense search are kept (beside the keyword index)."""
        return self.lexical_dir.with_name(self.lexical_dir.name + ".vectors")

    def query_embedder(self) -> Embedder:
        if self._query_embedder is None:
            self._query_embedder = load_embedder(self.settings)
        return self._query_embedder

    def ingest_embedder(self) -> TorchEmbedder:
        if self._ingest_embedder is None:
            self._ingest_embedder = load_ingest_embedder(self.settings)
        return self._ingest_embedder

    def answer_model(self) -> AnswerModel | None:
        """The fitted relevance and abstention models (None when the file is missing: a plain
        word-and-meaning score is used instead)."""
        if self._answer_model is None and self.settings.answer_model.exists():
            self._answer_model = load_model(self.settings.answer_model)
        return self._answer_model

    def lexical_index(self) -> lexical.LexicalIndex | None:
        """The keyword index, as of the last `refresh()`."""
        return self._lex

    def dense_index(self) -> dense.DenseIndex | None:
        """The chunk vectors for the exact dense search, as of the last `refresh()`."""
        return self._dense

    def documents_by_id(self) -> dict[str, DocRecord]:
        """The complete documents by id, as of the last `refresh()`."""
        return self._docs

    def generation(self) -> int:
        """The index generation of the snapshot (-1 before the first `refresh()`)."""
        return self._generation

    def analyzer(self) -> Any:
        if self._analyzer is None:
            self._analyzer = load_analyzer(self.settings.spacy_model)
        return self._analyzer

    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(model_info(self.settings.embedding_model))
        return self._tokenizer

    def refresh(self) -> None:
        """Reload the document list, the keyword index and the chunk vectors when the store has changed."""
        gen = self.store.generation()
        if gen == self._generation:
            return
        listed = self.lexical_dir.with_name(self.lexical_dir.name + ".documents.json")
        docs = load_documents(listed, generation=gen)
        if docs is None:  # listing the store's manifest takes seconds on a large index
            docs = self.store.documents(state="done")
            save_documents(listed, docs, generation=gen)
        self._docs = {d.doc_id: d for d in docs}
        lex = lexical.load(self.lexical_dir)
        if lex is None or lex.generation != gen:
            lex = rebuild_lexical(self.store, self._docs, generation=gen, previous=self.lexical_dir)
            try:
                lexical.save(lex, self.lexical_dir)
            except OSError:
                pass
            lex.tokens = None  # kept on disk for the next rebuild, not in memory
        vectors = dense.load(self.dense_dir)
        if vectors is None or vectors.generation != gen or vectors.ids != lex.ids:
            vectors = rebuild_dense(self.store, lex, previous=vectors)
            try:
                dense.save(vectors, self.dense_dir)
            except OSError:
                pass
        self._lex, self._dense = lex, replace(vectors, ids=lex.ids)  # one list: retrieve compares them by identity
        self._generation = gen

    def reload(self) -> None:
        """Reload the snapshot now (after this process changed the index)."""
        self._generation = -1
        self.refresh()

    def documents(self) -> list[DocRecord]:
        self.refresh()
        return sorted(self._docs.values(), key=lambda d: (d.meta.title or d.path).lower())


def open_assistant(settings: Settings | None = None, *, create: bool = True) -> Assistant:
    """Open the index named by `settings` (default: Settings.from_env()); with `create`, an
    embedded index that does not exist yet is created, without it that is an IndexError_."""
    settings = settings or Settings.from_env()
    info = model_info(settings.embedding_model)
    client = open_client(
        index_dir=settings.index_dir,
        chroma_url=settings.chroma_url,
        create=create,
        connect_timeout=settings.chroma_connect_timeout,
        timeout=settings.chroma_timeout,
    )
    where = server_address(settings.chroma_url).shown if settings.chroma_url else str(settings.index_dir)
    store = Store(client, name=settings.collection, model=info.name, where=where, create=create)
    assistant = Assistant(settings=settings, store=store)
    recover(assistant)
    return assistant

"""Asking: question -> embed -> retrieve (dense + BM25) -> compose (passages, sources, abstention)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..compose import compose
from ..errors import ConfigError
from ..question import analyse_question
from ..retrieve import retrieve
from ..types import Answer, Filters

if TYPE_CHECKING:
    from .resources import Assistant


def ask(question: str, *, assistant: Assistant, k: int | None = None, filters: Filters | None = None) -> Answer:
    """Answer `question` from the index, with cited passages credited to their sources."""
    filters = filters or Filters()
    question = question.strip()
    if not question:
        raise ConfigError('the question is empty; ask something, e.g. "Who attacked the convoy?"')
    if k is not None and k < 1:
        raise ConfigError(f"the number of cited passages must be at least 1, not {k}")
    assistant.refresh()
    q = analyse_question(question)
    settings = assistant.settings
    vector = assistant.query_embedder().embed([question])[0]
    lex = assistant.lexical_index()
    hits = retrieve(
        question,
        vector=vector,
        store=assistant.store,
        lex=lex,
        docs=assistant.documents_by_id(),
        filters=filters,
        n=max(settings.hits, 3 * (k or settings.citations)),
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
        vectors=assistant.dense_index(),
    )
    return compose(
        q,
        hits,
        vector=vector,
        lex=lex,
        model=assistant.answer_model(),
        k=k or settings.citations,
        filters=filters,
        min_similarity=settings.min_similarity,
    )

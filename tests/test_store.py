"""The store refuses an index it cannot read: another record layout (schema) or another model."""

from __future__ import annotations

import pytest

from assistant.errors import IndexError_
from assistant.store import SCHEMA, Store, open_client


def _state(store: Store) -> dict:
    return store.docs.get(ids=["__state__"], include=["metadatas"])["metadatas"][0]


def test_an_index_of_another_schema_is_refused_on_open_with_a_clear_error(tmp_path):
    store = Store(open_client(index_dir=tmp_path, chroma_url=None), name="t", model="m", where=str(tmp_path))
    assert _state(store)["schema"] == SCHEMA
    store.docs.upsert(
        ids=["__state__"], embeddings=[[1.0]], documents=[""], metadatas=[{**_state(store), "schema": SCHEMA + 1}]
    )
    with pytest.raises(IndexError_, match=rf"schema\) {SCHEMA + 1}.*reads schema {SCHEMA}.*build the index again"):
        Store(open_client(index_dir=tmp_path, chroma_url=None), name="t", model="m", where=str(tmp_path))


def test_an_index_of_another_model_is_refused_on_open(tmp_path):
    Store(open_client(index_dir=tmp_path, chroma_url=None), name="t", model="m", where=str(tmp_path))
    with pytest.raises(IndexError_, match="built with the embedding model 'm'"):
        Store(open_client(index_dir=tmp_path, chroma_url=None), name="t", model="other", where=str(tmp_path))

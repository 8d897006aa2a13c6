"""Exact nearest-neighbour search over the chunk vectors, kept beside the keyword index.

Chroma's HNSW search is approximate, and each process that opens an index applies Chroma's
unpersisted log to its graph in its own way, so the tail of its candidates differs from one
process to the next and flipped borderline answers. The readers' snapshot therefore keeps a copy
of every complete chunk's vector (unit length, float32, rows in the keyword index's order) and
searches it exactly: the same question on the same index gives the same candidates in every
process. Like the keyword index it is derived data: recorded with the store generation it was
built from, saved atomically, rebuilt from the store (only the chunks it lacks) when stale.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class DenseIndex:
    generation: int
    ids: list[str]
    vectors: np.ndarray  # (len(ids), dimension) float32, unit rows (a memory map once saved)


def build(
    ids: Sequence[str],
    *,
    generation: int,
    fetch: Callable[[list[str]], np.ndarray],
    previous: DenseIndex | None = None,
) -> DenseIndex:
    """The vectors of the chunks `ids`, in that order: those `previous` holds are taken from it, the
    others are asked of `fetch` (chunk ids -> their stored vectors, in the order asked)."""
    ids = list(ids)
    known = {cid: n for n, cid in enumerate(previous.ids)} if previous is not None else {}
    missing = [cid for cid in ids if cid not in known]
    fetched = _unit(np.asarray(fetch(missing), dtype=np.float32)) if missing else None
    dim = (
        fetched.shape[1]
        if fetched is not None and fetched.size
        else (previous.vectors.shape[1] if previous is not None and previous.vectors.ndim == 2 else 0)
    )
    out = np.zeros((len(ids), dim), dtype=np.float32)
    new_row = {cid: n for n, cid in enumerate(missing)}
    for n, cid in enumerate(ids):
        out[n] = previous.vectors[known[cid]] if cid in known else fetched[new_row[cid]]  # type: ignore[index]
    return DenseIndex(generation=generation, ids=ids, vectors=out)


def _unit(vectors: np.ndarray) -> np.ndarray:
    if vectors.ndim != 2 or not len(vectors):
        return vectors.reshape(len(vectors), -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def search(
    index: DenseIndex, vector: np.ndarray, *, n: int, allowed: np.ndarray | None = None
) -> list[tuple[str, float]]:
    """The `n` chunks nearest to `vector` by cosine similarity (among the rows where `allowed` is
    true, when given), nearest first, ties broken by chunk id."""
    if n <= 0 or not index.ids or index.vectors.ndim != 2 or not index.vectors.shape[1]:
        return []
    rows = np.flatnonzero(allowed) if allowed is not None else None
    if rows is not None and not len(rows):
        return []
    q = np.asarray(vector, dtype=np.float32)
    q = q / (np.linalg.norm(q) or 1.0)
    # einsum, not `@`: numpy's BLAS runs a large matrix-vector product on threads that keep spinning
    # afterwards and took the cores from the rest of the question (ask twice as slow on 2 cores)
    if rows is not None and 4 * len(rows) < len(index.ids):
        sims = np.einsum("ij,j->i", index.vectors[rows], q)  # a few rows: copying them out is cheap
    else:
        sims = np.einsum("ij,j->i", index.vectors, q)
        sims = sims[rows] if rows is not None else sims
    k = min(len(sims), n + 32)  # a margin, so that ties at the cut are broken by id, not by position
    top = np.argpartition(-sims, k - 1)[:k] if k < len(sims) else np.arange(len(sims))
    found = [(index.ids[int(rows[i] if rows is not None else i)], float(sims[i])) for i in top]
    return sorted(found, key=lambda x: (-round(x[1], 6), x[0]))[:n]


def save(index: DenseIndex, directory: Path) -> None:
    """Write the index to `directory` atomically (a new folder renamed into place)."""
    tmp = directory.with_name(directory.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.save(tmp / "vectors.npy", np.ascontiguousarray(index.vectors, dtype=np.float32))
    (tmp / "ids.json").write_text(json.dumps({"generation": index.generation, "ids": index.ids}))
    old = directory.with_name(directory.name + f".old{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def load(directory: Path) -> DenseIndex | None:
    """The saved index (its vectors memory-mapped), or None when there is none or it cannot be read
    (missing, truncated or damaged files: it is derived data, rebuilt from the store by the caller)."""
    try:
        head = json.loads((directory / "ids.json").read_text())
        vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
        ids = head["ids"]
        if vectors.ndim != 2 or vectors.shape[0] != len(ids) or vectors.dtype != np.float32:
            return None
        return DenseIndex(generation=int(head["generation"]), ids=ids, vectors=vectors)
    except Exception:  # json, numpy and the file system each raise their own kinds
        return None

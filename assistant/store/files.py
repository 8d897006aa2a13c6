"""Checking an embedded index's files before Chroma opens them: Chroma reads a truncated SQLite
database or vector segment without checking, and crashes or answers from what is left."""

from __future__ import annotations

import struct
import time
from pathlib import Path

from ..errors import IndexError_

SQLITE_MAGIC = b"SQLite format 3\x00"
REBUILD = (
    "move the folder aside (or restore it from a backup) and build the index again with "
    "`assistant ingest FILES --index {index_dir}`"
)


def check_index_files(index_dir: Path, *, tries: int = 3) -> None:
    """Raise IndexError_ when a file of the embedded index is empty, truncated or not what it
    should be: the SQLite database and each vector segment (hnswlib's persisted files, which
    Chroma would read without checking and crash on). A check that fails is repeated a moment
    later, in case a writer was between two of its writes."""
    for attempt in range(tries):
        problem = _index_problem(index_dir)
        if problem is None:
            return
        if attempt < tries - 1:
            time.sleep(0.3)
    raise IndexError_(f"{index_dir}: the index is damaged ({problem}); " + REBUILD.format(index_dir=index_dir))


def _index_problem(index_dir: Path) -> str | None:
    database = index_dir / "chroma.sqlite3"
    try:
        if database.exists():
            if (problem := _sqlite_problem(database)) is not None:
                return problem
        for segment in sorted(index_dir.iterdir()) if index_dir.is_dir() else ():
            if segment.is_dir() and any((segment / f).exists() for f in HNSW_FILES):
                if (problem := _hnsw_problem(segment)) is not None:
                    return f"vector segment {segment.name}: {problem}"
    except OSError as exc:
        return f"cannot read its files: {exc.strerror or exc}"
    return None


def _sqlite_problem(database: Path) -> str | None:
    size = database.stat().st_size
    if size == 0:
        return "chroma.sqlite3 is empty (0 bytes)"
    with database.open("rb") as fh:
        head = fh.read(100)
    if not head[:16] == SQLITE_MAGIC[: len(head[:16])]:
        return "chroma.sqlite3 is not a SQLite database"
    if len(head) < 100:
        return f"chroma.sqlite3 is truncated ({size} bytes)"
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big")
    counted = head[24:28] == head[92:96]  # the page count in the header is current
    if page < 512 or size % page:
        return f"chroma.sqlite3 is truncated ({size} bytes, not a whole number of {page}-byte pages)"
    if counted and pages and size < pages * page:
        return f"chroma.sqlite3 is truncated ({size} of {pages * page} bytes)"
    return None


HNSW_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")
_HNSW_HEADER = struct.Struct("<iQQQQQQiIQQQdQ")  # hnswlib's persisted header (version 1), 100 bytes


def _hnsw_problem(segment: Path) -> str | None:
    """What is wrong with a persisted hnswlib index (header, level-0 data, lengths, link lists)."""
    missing = [f for f in HNSW_FILES if not (segment / f).exists()]
    if missing:
        return f"{', '.join(missing)} missing"
    head = (segment / "header.bin").read_bytes()
    if len(head) != _HNSW_HEADER.size:
        return f"header.bin has {len(head)} bytes, not {_HNSW_HEADER.size}"
    (
        version,
        offset_level0,
        max_elements,
        count,
        per_element,
        label_offset,
        offset_data,
        max_level,
        entry,
        max_m,
        max_m0,
        m,
        mult,
        ef_construction,
    ) = _HNSW_HEADER.unpack(head)
    links0 = max_m0 * 4 + 4
    if (
        version != 1
        or offset_level0 != 0
        or count > max_elements
        or offset_data != links0
        or label_offset + 8 != per_element
        or not offset_data < label_offset
        or not 0 < max_m <= max_m0 < 1 << 16
        or (count and not (0 <= max_level < 64 and entry < count))
    ):
        return "header.bin holds impossible values"
    if (segment / "data_level0.bin").stat().st_size < count * per_element:
        return f"data_level0.bin is truncated (under {count} elements of {per_element} bytes)"
    if (segment / "length.bin").stat().st_size < count * 4:
        return f"length.bin is truncated (under {count} elements)"
    links = (segment / "link_lists.bin").read_bytes()
    per_level, at = max_m * 4 + 4, 0
    for _ in range(count):
        if at + 4 > len(links):
            return f"link_lists.bin is truncated ({len(links)} bytes)"
        size = int.from_bytes(links[at : at + 4], "little")
        if size % per_level or size > per_level * max(max_level, 0):
            return "link_lists.bin holds an impossible list size"
        at += 4 + size
    if at > len(links):
        return f"link_lists.bin is truncated ({len(links)} bytes)"
    metadata = segment / "index_metadata.pickle"  # the ids of the elements, when persisted
    if metadata.exists():
        with metadata.open("rb") as fh:
            fh.seek(max(0, metadata.stat().st_size - 1))
            if fh.read(1) != b".":  # a whole pickle ends with its STOP opcode
                return "index_metadata.pickle is truncated"
    return None

"""The fast pieces of a robust ingest, table-driven: what the walk reports, texts cut into parts,
JSON lines split on "\\n" only, chunk lookups by position, settings and options that are checked,
and the index files checked before Chroma reads them. (The same behaviour end to end, with real
models and processes, is in test_bad_inputs.py and test_faults.py.)"""

from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from assistant.chunk import _Overlapping
from assistant.clean import _letters_before_hyphen, _slices, _words_before_period
from assistant.config import Settings
from assistant.errors import ConfigError, IndexError_, LoadError, shown
from assistant.load import _cuts, load_file
from assistant.walk import discover

# -- the walk ----------------------------------------------------------------------------------------


def test_the_walk_reports_everything_it_meets_and_reads_only_regular_files(tmp_path):
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.md").write_text("b")
    (folder / ".hidden.txt").write_text("never")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    os.mkfifo(folder / "pipe.txt")
    os.symlink("self.txt", folder / "self.txt")
    os.symlink("missing.txt", folder / "dangling.txt")
    os.symlink("..", folder / "sub" / "parent")
    os.symlink("a.txt", folder / "also_a.txt")  # the same file twice: read once
    (folder / "index").mkdir()
    (folder / "index" / "chroma.sqlite3").write_bytes(b"")
    (folder / "other").mkdir()
    (folder / "other" / "chroma.sqlite3").write_bytes(b"")
    walk = discover([folder, folder / "a.txt", tmp_path / "nothing.txt"], exclude=[folder / "index"])
    assert [p.name for p in walk.files] == ["a.txt", "b.md"]
    lines = {Path(p).name: (status, why) for p, status, why in walk.others}
    assert lines == {
        "dangling.txt": ("failed", "a broken symbolic link (to missing.txt); skipped"),
        "index": ("skipped", "the index folder; never read as documents"),
        "other": ("skipped", "a Chroma index folder; never read as documents"),
        "photo.jpg": ("failed", lines["photo.jpg"][1]),
        "pipe.txt": ("failed", "not a regular file (a named pipe); skipped"),
        "self.txt": ("failed", "a symbolic link loop; skipped"),
        "parent": ("skipped", "a link to a folder already read (a symbolic link loop?)"),
        "nothing.txt": ("failed", "no such file or folder"),
    }
    assert lines["photo.jpg"][1].startswith("unsupported file type .jpg")


def test_a_file_inside_the_index_folder_is_never_read(tmp_path):
    index = tmp_path / "index"
    (index / "assistant_lexical").mkdir(parents=True)
    (index / "assistant_lexical" / "terms.txt").write_text("kill wound")
    walk = discover([index / "assistant_lexical" / "terms.txt"], exclude=[index])
    assert walk.files == [] and [(s, w) for _, s, w in walk.others] == [
        ("skipped", "inside the index folder; never read as documents")
    ]


def test_a_name_that_is_not_utf8_is_shown_with_replacement_characters(tmp_path):
    with open(os.fsencode(tmp_path) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(b"The cafe reopened.")
    (path,) = discover([tmp_path]).files
    assert shown(path) == str(tmp_path / "caf\ufffd.txt")
    (doc,) = load_file(path).documents
    assert doc.path == shown(path) and doc.meta.title and "\udce9" not in doc.meta.title
    json.dumps(doc.path).encode("utf-8")  # storable


def test_a_pipe_given_by_name_is_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(LoadError, match="not a regular file"):
        load_file(tmp_path / "pipe.txt")


# -- parts of long texts; JSON lines ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,size,expected",
    [
        ("aaaa\n\nbbbb\n\ncccc", 10, ["aaaa\n\n", "bbbb\n\ncccc"]),
        ("aaaa\n\nbbbb\n\ncccc", 13, ["aaaa\n\nbbbb\n\n", "cccc"]),
        ("one. two. three. four.", 12, ["one. two. ", "three. four."]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("short", 10, ["short"]),
    ],
)
def test_texts_are_cut_between_paragraphs_then_sentences_then_words(text, size, expected):
    assert [text[a:b] for a, b in _cuts(text, size)] == expected


@given(st.text(alphabet="ab .\n", min_size=1, max_size=400), st.integers(4, 60))
def test_parts_cover_the_text_in_order_within_their_size(text, size):
    cuts = _cuts(text, size)
    assert "".join(text[a:b] for a, b in cuts) == text
    assert all(0 < b - a <= size for a, b in cuts) and cuts[0][0] == 0 and cuts[-1][1] == len(text)


def test_a_long_text_is_stored_in_parts(tmp_path):
    paragraph = "The army said the convoy reached Kidal. " * 50
    (tmp_path / "long.txt").write_text("Convoy log\n\n" + "\n\n".join([paragraph] * 100))
    loaded = load_file(tmp_path / "long.txt", part_mb=0.05)
    docs = loaded.documents
    assert len(docs) == 5 and [d.key for d in docs] == [f"part {i}" for i in range(1, 6)]  # 24 paragraphs each
    assert [d.meta.title for d in docs] == [f"Convoy log (part {i} of 5)" for i in range(1, 6)]
    assert "".join(d.pages[0] for d in docs) == (tmp_path / "long.txt").read_text()
    assert all(len(d.pages[0]) <= 50_000 and d.pages[0].endswith(("\n\n", ". ")) for d in docs)
    assert "stored as 5 documents" in loaded.warnings[0]


def test_json_lines_keep_line_separators_inside_strings_and_long_numbers(tmp_path):
    text = "He said\u2028they left\u2029at dawn\u0085and returned."
    lines = [
        json.dumps({"id": "a", "text": text}, ensure_ascii=False),
        '{"id": "b", "n": ' + "7" * 4500 + ', "text": "A number too long for int()."}',
        '{"id": "c", "text": "Fine."}',
    ]
    (tmp_path / "x.jsonl").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    loaded = load_file(tmp_path / "x.jsonl")
    assert [d.key for d in loaded.documents] == ["a", "b", "c"]
    assert loaded.documents[0].pages[0] == text
    assert loaded.warnings == ("line 2: a number of 4,500 digits, kept as text",)
    (tmp_path / "y.json").write_text('[{"text": "Fine.", "n": ' + "7" * 4500 + "}]")
    assert load_file(tmp_path / "y.json").warnings == ("a number of 4,500 digits, kept as text",)


# -- chunk lookups by position --------------------------------------------------------------------------

spans = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)).map(sorted).map(tuple), max_size=40)


@given(spans, st.integers(0, 40), st.integers(0, 40))
def test_overlap_lookup_equals_a_scan(items, start, end):
    items = sorted(items, key=lambda s: (s[0], s[1]))
    found = _Overlapping(items, list(items)).within(start, end)
    assert found == tuple(x for x in items if x[0] < end and x[1] > start)


# -- cleaning in one pass: each helper equals the whole-text form it replaced ---------------------------

# the lines of a paragraph (never a newline in them: before one, `$` would also match)
pieces = st.lists(st.sampled_from(["a", "bc", "d", "-", "e-", "\u00e9-", " ", ". ", "f g-"]), min_size=1, max_size=8)


@given(pieces)
@example(["ab", "c", "d-"])
@example(["x y", "z-"])
@example(["\u00e9", "ab-"])
@example(["ab", "-"])
@example(["a.", "-"])
def test_letters_before_a_final_hyphen_are_read_from_the_end(parts):
    m = re.search(r"([A-Za-z]+)-$", "".join(parts))
    assert _letters_before_hyphen(parts) == (m.group(1) if m else "")


@given(st.text(alphabet="ab. \n", max_size=80), st.integers(0, 80))
def test_words_before_the_first_period_are_counted_without_a_copy(text, start):
    start = min(start, len(text))
    assert _words_before_period(text, start, need=6) == min(6, len(text[start:].split(".")[0].split()))


@given(st.text(alphabet="ab .\n", max_size=300), st.integers(1, 40))
def test_slices_never_cut_a_word(text, size):
    parts = list(_slices(text, size))
    assert "".join(parts) == text
    assert [w for part in parts for w in re.findall(r"[A-Za-z]+", part)] == re.findall(r"[A-Za-z]+", text)


# -- settings and options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("ASSISTANT_CHROMA_TIMEOUT", "soon", "ASSISTANT_CHROMA_TIMEOUT='soon' is not a number"),
        ("ASSISTANT_PDF_MEMORY_MB", "1.5", "ASSISTANT_PDF_MEMORY_MB='1.5' is not a whole number"),
        ("ASSISTANT_TEXT_TIMEOUT", "-1", "ASSISTANT_TEXT_TIMEOUT='-1' must be above 0"),
        ("ASSISTANT_QUERY_BACKEND", "gpu", "ASSISTANT_QUERY_BACKEND must be onnx or torch"),
    ],
)
def test_settings_from_the_environment_are_checked(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env()


def test_settings_from_the_environment_are_read(monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHROMA_TIMEOUT", "7.5")
    monkeypatch.setenv("ASSISTANT_TEXT_MEMORY_MB", "512")
    s = Settings.from_env()
    assert s.chroma_timeout == 7.5 and s.text_memory_mb == 512 and s.chroma_connect_timeout == 10.0


@pytest.mark.parametrize(
    "text,ok",
    [
        ("2025", True),
        ("2025-06", True),
        ("2024-02-29", True),
        ("2025-02-29", False),
        ("2025-13", False),
        ("2025-00", False),
        ("25-06", False),
        ("abc", False),
        ("0000", False),
        ("2025-6", False),
        ("2025-06-1", False),
    ],
)
def test_dates_given_as_options(text, ok):
    import argparse

    from assistant.cli import _date

    if ok:
        assert _date(text) == text
    else:
        with pytest.raises(argparse.ArgumentTypeError):
            _date(text)


# -- index files checked before Chroma reads them ---------------------------------------------------------


def hnsw_segment(folder: Path, *, count: int = 3, max_m: int = 4, levels: tuple[int, ...] = (0, 1, 0)) -> Path:
    """A persisted hnswlib index as chromadb writes it (dimension 2)."""
    folder.mkdir(parents=True)
    max_m0, data = 2 * max_m, 2 * 4
    links0 = max_m0 * 4 + 4
    per_element = links0 + data + 8
    header = struct.pack(
        "<iQQQQQQiIQQQdQ",
        1,
        0,
        max(count, 10),
        count,
        per_element,
        links0 + data,
        links0,
        max(levels),
        0,
        max_m,
        max_m0,
        max_m,
        0.5,
        100,
    )
    (folder / "header.bin").write_bytes(header)
    (folder / "data_level0.bin").write_bytes(b"\0" * per_element * count)
    (folder / "length.bin").write_bytes(b"\0" * 4 * count)
    per_level = max_m * 4 + 4
    (folder / "link_lists.bin").write_bytes(
        b"".join(struct.pack("<I", per_level * n) + b"\0" * per_level * n for n in levels)
    )
    return folder


def test_a_sound_index_passes_and_each_damage_is_named(tmp_path):
    from assistant.store import check_index_files

    index = tmp_path / "index"
    segment = hnsw_segment(index / "0b5c")
    check_index_files(index)
    damages = {
        "header.bin has 50 bytes": lambda: os.truncate(segment / "header.bin", 50),
        "data_level0.bin is truncated": lambda: os.truncate(segment / "data_level0.bin", 10),
        "length.bin is truncated": lambda: os.truncate(segment / "length.bin", 4),
        "link_lists.bin is truncated": lambda: os.truncate(segment / "link_lists.bin", 6),
        "length.bin missing": lambda: (segment / "length.bin").unlink(),
        "chroma.sqlite3 is empty": lambda: (index / "chroma.sqlite3").write_bytes(b""),
        "chroma.sqlite3 is not a SQLite database": lambda: (index / "chroma.sqlite3").write_bytes(b"hello" * 100),
        "chroma.sqlite3 is truncated": lambda: (index / "chroma.sqlite3").write_bytes(
            b"SQLite format 3\0" + struct.pack(">H", 4096) + b"\0" * 82 + b"\0" * 3000
        ),
    }
    for message, damage in damages.items():
        saved = {p.name: p.read_bytes() for p in segment.iterdir()}
        damage()
        with pytest.raises(IndexError_, match=message) as info:
            check_index_files(index, tries=1)
        assert "assistant ingest FILES --index" in str(info.value)
        (index / "chroma.sqlite3").unlink(missing_ok=True)
        for name, data in saved.items():
            (segment / name).write_bytes(data)
        check_index_files(index)

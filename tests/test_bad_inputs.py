"""Hostile and broken files mixed with good ones: every good file is searchable, every bad file is
reported with a reason a person understands, nothing stops the batch, and a re-run changes
nothing. The tests build every file themselves (raw PDF bytes, pypdf for encryption)."""

from __future__ import annotations

import base64
import codecs
import io
import json
import os
import random
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import LoadError
from assistant.load import load_file

from .conftest import SEED

pytestmark = pytest.mark.slow  # subprocesses, kill loops, large and hostile files

# -- building PDFs by hand ---------------------------------------------------------------------------


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF whose object n (from 1) is objects[n-1]; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _pdf_string(s: str) -> bytes:
    return b"(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1") + b")"


def text_pdf(pages: list[str]) -> bytes:
    """A plain PDF with one Helvetica text page per string (lines split on newlines)."""
    n = len(pages)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n)) + b"] /Count %d >>" % n,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, text in enumerate(pages):
        shown = b" T* ".join(_pdf_string(line) + b" Tj" for line in text.split("\n"))
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (5 + 2 * i)
        )
        objs.append(stream(b"BT /F1 11 Tf 14 TL 72 720 Td " + shown + b" ET"))
    return raw_pdf(objs)


def one_page_pdf(content: bytes, resources: bytes, *extra_objects: bytes, page_extra: bytes = b"") -> bytes:
    """A one-page PDF: objects 1-3 are catalog, pages and page; 4 is the content stream; the
    extra objects follow from 5."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
            + resources
            + b" /Contents 4 0 R "
            + page_extra
            + b">>",
            content,
            *extra_objects,
        ]
    )


def encrypted_pdf(plain: bytes, *, algorithm: str, password: str) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=password, owner_password="owner-secret", algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def image_only_pdf() -> bytes:
    image = stream(
        b"\x80" * 100,
        b"/Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceGray /BitsPerComponent 8 ",
    )
    return one_page_pdf(stream(b"q 200 0 0 200 100 400 cm /Im0 Do Q"), b"<< /XObject << /Im0 5 0 R >> >>", image)


def bomb_pdf(*, pages: int = 40, megabytes: int = 60) -> bytes:
    """A 60 KB file whose one content stream inflates to a 60 MB string shown on 40 pages: pypdf's
    own per-stream limits let it through, so only the child's limits stop it."""
    z = zlib.compressobj(9)
    block = b"a" * (1 << 20)
    data = z.compress(b"BT /F1 1 Tf (") + b"".join(z.compress(block) for _ in range(megabytes))
    data += z.compress(b") Tj ET") + z.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)) + b"] /Count %d >>" % pages,
        stream(data, b"/Filter /FlateDecode "),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objs += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 3 0 R >>"
    ] * pages
    return raw_pdf(objs)


def nested_arrays_pdf(depth: int = 100_000) -> bytes:
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return one_page_pdf(
        stream(b"BT /F1 11 Tf 72 720 Td (Nested text) Tj ET"),
        b"<< /Font << /F1 5 0 R >> >>",
        font,
        page_extra=b"/Deep " + b"[" * depth + b"]" * depth + b" ",
    )


def nested_pages_pdf(depth: int = 5_000) -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    objs += [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (3 + i) for i in range(depth)]
    leaf = 2 + depth
    objs.append(
        b"<< /Type /Page /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
        % (leaf + 2, leaf + 1)
    )
    objs.append(stream(b"BT /F1 11 Tf 72 720 Td (Deep text) Tj ET"))
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return raw_pdf(objs)


def five_megabyte_line(prose: list[str]) -> str:
    """One line of over 5 MB: the prose sentences with base64 blobs (embedded images) between them."""
    rng = random.Random(5)
    parts, size = [], 0
    for sentence in prose:
        blob = base64.b64encode(rng.randbytes(48_000)).decode()
        parts += [sentence, f"data:image/png;base64,{blob}"]
        size += len(sentence) + len(blob) + 25
    while size < 5_300_000:
        blob = base64.b64encode(rng.randbytes(48_000)).decode()
        parts.append(blob)
        size += len(blob) + 1
    return " ".join(parts)


# -- the folder --------------------------------------------------------------------------------------


def zero_bomb_pdf(megabytes: int = 1024) -> bytes:
    """A 1 MB file whose one content stream inflates to 1 GiB of zeros: pypdf stops at its own
    decompression limit and would return no text at all."""
    z = zlib.compressobj(9)
    block = b"\0" * (1 << 20)
    data = b"".join(z.compress(block) for _ in range(megabytes)) + z.flush()
    return one_page_pdf(stream(data, b"/Filter /FlateDecode "), b"<< >>")


BAD_NAME = "wabaria_\ufffd.txt"  # the name as stored and shown: its byte 0xff is not UTF-8

# name -> (question, the words a passage of that file must contain)
GOOD = {
    BAD_NAME: ("When did the Wabaria checkpoint reopen?", "Wabaria checkpoint"),
    "aguelhok_separators.jsonl": ("What happened to the convoy to Aguelhok?", "ambushed"),
    "bourem_long_number.jsonl": ("How many houses were flooded in Bourem?", "70 houses"),
    "gossi_crlf_bom.txt": ("What happened to fuel prices in Gossi?", "doubled"),
    "seed.txt": ("How many Wagner fighters were killed?", "Wagner"),
    "gao_latin1.txt": ("What did the governor of Gao say about the café near the Niger bridge?", "café"),
    "menaka_utf16.txt": ("How many families fled Ménaka after the raid?", "40 families"),
    "bamako.html": ("How many suspects were arrested at the Sogoniko bus station?", "three suspects"),
    "relief.jsonl": ("How much food did the Red Cross deliver to Timbuktu?", "300 tonnes"),
    "kidal.pdf": ("How many soldiers were wounded near Kidal?", "12 soldiers"),
    "mopti_rc4.pdf": ("When will the curfew in Mopti be lifted?", "curfew"),
    "tessalit_aes.pdf": ("How many trucks did peacekeepers escort to Tessalit?", "25 trucks"),
    "douentza_nul.txt": ("When did the Douentza checkpoint reopen?", "Douentza"),
    "ansongo_one_line.txt": ("What did witnesses say about the market in Ansongo?", "Ansongo burned"),
}

# name -> (status, words the reason must contain)
EXPECTED = {
    "empty.txt": ("failed", "empty file"),
    "separators.txt": ("failed", "no text left after cleaning"),
    "binary.pdf": ("failed", "not a PDF"),
    "html_download.pdf": ("failed", "HTML page"),
    "truncated.pdf": ("failed", "truncated"),
    "needs_password_rc4.pdf": ("failed", "password"),
    "needs_password_aes.pdf": ("failed", "password"),
    "scanned.pdf": ("failed", "no extractable text"),
    "bomb.pdf": ("failed", "decompression bomb"),
    "nested_arrays.pdf": ("failed", "damaged or unreadable PDF"),
    "nested_pages.pdf": ("failed", "limit"),
    "picture.txt": ("failed", "PNG image"),
    "report.docx": ("failed", "unsupported file type .docx"),
    "seed_copy.txt": ("duplicate", "same content as"),
    "pipe.txt": ("failed", "named pipe"),
    "loop.txt": ("failed", "symbolic link loop"),
    "gone.txt": ("failed", "broken symbolic link"),
    "back": ("skipped", "already read"),
    "index": ("skipped", "the index folder"),
    "old-index": ("skipped", "Chroma index folder"),
    "zero_bomb.pdf": ("failed", "decompression bomb"),
    "too_big.txt": ("failed", "over the 200 MB limit"),
    "really_a_pdf.txt": ("failed", "this is a PDF file"),
    "broken.json": ("failed", "invalid JSON at line"),
    "no_records.json": ("failed", "no records found"),
    "empty_page.html": ("failed", "no main text"),
    "noise.txt": ("failed", "binary data"),
    "letter.txt": ("failed", "RTF document"),
    "archive.txt": ("failed", "gzip archive"),
    "blank.txt": ("failed", "no text left after cleaning"),
    "all_bad.jsonl": ("failed", "no usable records"),
    "relief.jsonl": ("added", "line 3: invalid JSON"),
    "ansongo_one_line.txt": ("added", "encoded data"),
    "bourem_long_number.jsonl": ("added", "5,000 digits, kept as text"),
    **{
        name: ("added", "")
        for name in GOOD
        if name not in ("relief.jsonl", "ansongo_one_line.txt", "bourem_long_number.jsonl")
    },
}

HTML = """<!doctype html><html><head><title>Arrests in Bamako</title>
<link rel="canonical" href="javascript:alert('canonical')">
<script>document.write('SCRIPT-MARKER'); alert('xss')</script></head>
<body onload="alert('ONLOAD-MARKER')"><nav><a href="/">Home</a></nav>
<article><h1>Arrests in Bamako</h1>
<p>Police in Bamako said three suspects were arrested at the Sogoniko bus station on Sunday after a
search that lasted most of the night.</p>
<p><img src="x.png" onerror="alert('ONERROR-MARKER')"> The suspects were taken to the central police
station, a spokesman for the national police told reporters on Monday morning.</p>
<p>Read the <a href="javascript:alert('HREF-MARKER')">full statement</a> from the police, which gave
no further details about the investigation or the charges.</p>
<script>alert('SCRIPT2-MARKER')</script></article></body></html>"""


def build_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    w = lambda name, data: (folder / name).write_bytes(data)  # noqa: E731
    seed = SEED.read_bytes()
    w("seed.txt", seed)
    w("seed_copy.txt", seed)
    w("empty.txt", b"")
    w("separators.txt", b"* * *\n\n---\n\n...\n")
    w(
        "gao_latin1.txt",
        "Curfew in Gao\n\nThe governor of Gao said the café near the Niger bridge was closed after "
        "the attack on Tuesday, and that the façade of the town hall was damaged.\n".encode("latin-1"),
    )
    w(
        "menaka_utf16.txt",
        codecs.BOM_UTF16_LE
        + "Raid near Ménaka\n\nResidents of Ménaka said 40 families fled to "
        "Anderamboukane after the raid on the weekly market.\n".encode("utf-16-le"),
    )
    w(
        "douentza_nul.txt",
        "Checkpoint reopened\n\nThe ministry said the Douentza check\x00point reopened on "
        "Wednesday morning\x00 — after repairs ".encode()
        + b"\xed\xa0\x80to the road were finished.\n",
    )
    w("bamako.html", HTML.encode())
    records = [
        {
            "id": "r1",
            "title": "Food aid\ud800 reaches Timbuktu\u0000",
            "outlet": "Relief\u0000Wire",
            "text": "The Red Cross said it delivered 300 tonnes of food to Timbuktu\ud800 by river barge in March.\u0000",
        },
        {
            "id": "r2",
            "title": "Clinic reopens",
            "text": "Doctors Without Borders said its clinic in Goundam reopened "
            "on Thursday after a two-month closure.",
        },
    ]
    lines = (
        [json.dumps(r) for r in records[:1]]
        + ['{"id": "r-bad", "text": "unterminated record']
        + [json.dumps(r) for r in records[1:]]
        + ["[" * 100_000 + "]" * 100_000]
    )
    w("relief.jsonl", ("\n".join(lines[:1]) + "\n\n" + "\n".join(lines[1:]) + "\n").encode())
    prose = [
        f"Witnesses said the market in Ansongo burned for two hours on day {i} of the siege, and traders "
        f"counted {i * 3 + 7} stalls lost before the fire brigade arrived."
        for i in range(160)
    ]
    w("ansongo_one_line.txt", five_megabyte_line(prose).encode())
    kidal = text_pdf(
        [
            "Fighting near Kidal\nThe army said 12 soldiers were wounded near Kidal on Monday.",
            "Page two\nLocal sources said the convoy was attacked twice on the road north of Kidal.",
        ]
    )
    w("kidal.pdf", kidal)
    w("truncated.pdf", kidal[: len(kidal) // 2])
    w("binary.pdf", random.Random(1).randbytes(20_000))
    w("html_download.pdf", b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")
    w(
        "mopti_rc4.pdf",
        encrypted_pdf(
            text_pdf(["Curfew in Mopti\nThe mayor of Mopti said the curfew in Mopti would be lifted on Friday."]),
            algorithm="RC4-128",
            password="",
        ),
    )
    w(
        "tessalit_aes.pdf",
        encrypted_pdf(
            text_pdf(["Convoy to Tessalit\nA UN spokesperson said peacekeepers escorted 25 trucks to Tessalit."]),
            algorithm="AES-256",
            password="",
        ),
    )
    w("needs_password_rc4.pdf", encrypted_pdf(text_pdf(["Secret one"]), algorithm="RC4-128", password="s3cret"))
    w("needs_password_aes.pdf", encrypted_pdf(text_pdf(["Secret two"]), algorithm="AES-128", password="s3cret"))
    w("scanned.pdf", image_only_pdf())
    w("bomb.pdf", bomb_pdf())
    w("nested_arrays.pdf", nested_arrays_pdf())
    w("nested_pages.pdf", nested_pages_pdf())
    w("picture.txt", b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(2000))
    w("report.docx", b"PK\x03\x04" + random.Random(3).randbytes(2000))
    (folder / ".hidden.txt").write_text("never read")
    # -- what the walk meets besides files, and files that used to stop or hang an ingest
    with open(os.fsencode(folder) + b"/wabaria_\xff.txt", "wb") as fh:  # a name that is not UTF-8
        fh.write(b"Checkpoint report\n\nThe governor of Gao said the Wabaria checkpoint reopened on Sunday.\n")
    w(
        "aguelhok_separators.jsonl",
        (
            json.dumps(
                {
                    "id": "a1",
                    "text": "Witnesses said\u2028the convoy to Aguelhok was "
                    "ambushed twice\u0085on Friday\u2029near the wells.",
                },
                ensure_ascii=False,
            )
            + "\n"
        ).encode(),
    )
    flooded = '"text": "The mayor of Bourem said 70 houses were flooded by the river."}'
    w(
        "bourem_long_number.jsonl",
        (
            '{"id": "b1", "count": '
            + "9" * 5000
            + ", "
            + flooded
            + "\n"
            + json.dumps({"id": "b2", "text": "The road to Bourem reopened."})
            + "\n"
        ).encode(),
    )
    w(
        "gossi_crlf_bom.txt",
        codecs.BOM_UTF8 + b"Fuel shortage\r\n\r\nTraders in Gossi said fuel prices doubled in one week.\r\n",
    )
    os.mkfifo(folder / "pipe.txt")  # never opened: reading it would block
    os.symlink("loop.txt", folder / "loop.txt")
    os.symlink("nowhere.txt", folder / "gone.txt")
    (folder / "sub").mkdir()
    os.symlink("..", folder / "sub" / "back")  # a link to a folder already being read
    (folder / "old-index").mkdir()  # another Chroma index: never documents
    (folder / "old-index" / "chroma.sqlite3").write_bytes(b"")
    (folder / "old-index" / "notes.txt").write_text("The Menaka notes must never be ingested.")
    w("zero_bomb.pdf", zero_bomb_pdf())
    with open(folder / "too_big.txt", "wb") as fh:  # sparse: 201 MiB that take no space
        fh.truncate(201 << 20)
    w("really_a_pdf.txt", kidal)
    w("broken.json", b'[{"text": "unterminated')
    w("no_records.json", b'{"hello": 1, "world": [2, 3]}')
    w("empty_page.html", b"<html><body><script>var page = 1;</script><div> </div></body></html>")
    w("noise.txt", bytes(random.Random(4).randrange(0, 9) for _ in range(4000)))
    w("letter.txt", b"{\\rtf1\\ansi Dear sir}")
    w("archive.txt", b"\x1f\x8b\x08\x00" + random.Random(5).randbytes(500))
    w("blank.txt", b"   \n\n \t\n")
    w("all_bad.jsonl", b"{not json}\n[1, 2]\n")
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path):
    """The hostile folder ingested once (the PDF child limited to 256 MB so the bomb hits the
    limit in seconds), with the report."""
    from assistant.pipeline import ingest, open_assistant

    folder = build_folder(tmp_path_factory.mktemp("hostile") / "inbox")
    settings = Settings.from_env(
        index_dir=folder / "index",
        cache_dir=cache_dir,  # the index inside the folder
        pdf_memory_mb=256,
        pdf_timeout=60.0,
    )
    assistant = open_assistant(settings)
    report = ingest([folder, folder / "seed.txt"], assistant=assistant)
    return assistant, folder, report


def by_name(report) -> dict:
    return {Path(f.path).name: f for f in report.files}


def test_every_file_is_reported_with_its_outcome(hostile):
    _, folder, report = hostile
    files = by_name(report)
    assert set(files) == set(EXPECTED)  # each once; hidden files skipped
    for name, (status, words) in EXPECTED.items():
        f = files[name]
        assert f.status == status, (name, f)
        assert words.lower() in (f.reason or "").lower(), (name, f.reason)
        if status == "failed":
            assert f.reason and str(folder) not in f.reason  # a reason, without the path repeated
            assert "Traceback" not in f.reason
    assert report.failed and report.count("added") == len(GOOD)
    assert (
        len(
            {n for n, (status, _) in EXPECTED.items() if status != "added"}
            | {"relief.jsonl", "ansongo_one_line.txt", "bourem_long_number.jsonl", "douentza_nul.txt", BAD_NAME}
        )
        >= 30
    )
    assert files[BAD_NAME].path == str(folder / BAD_NAME)  # shown with U+FFFD, stored as shown


@pytest.mark.parametrize("name", sorted(GOOD))
def test_every_good_file_is_searchable(hostile, name):
    from assistant.pipeline import ask

    assistant, _, _ = hostile
    question, words = GOOD[name]
    answer = ask(question, assistant=assistant)
    cited = [c for c in answer.citations + answer.related if Path(c.path).name == name]
    assert cited, (question, [(Path(c.path).name, c.quote[:60]) for c in answer.citations + answer.related])
    assert any(words.lower() in c.quote.lower() for c in cited), [c.quote for c in cited]


def test_nothing_hostile_or_undecodable_reaches_the_index(hostile):
    assistant, _, report = hostile
    texts = {}
    for d in assistant.documents():
        record, text = assistant.store.document(d.doc_id)
        texts[Path(record.path).name + (f"#{record.key}" if record.key else "")] = (record, text)
    html_record, html_text = texts["bamako.html"]
    for marker in ("MARKER", "alert(", "javascript:", "onerror", "<script"):
        assert marker not in html_text
    assert html_record.meta.url is None  # the javascript: canonical URL is dropped
    assert "café" in texts["gao_latin1.txt"][1] and "façade" in texts["gao_latin1.txt"][1]
    assert "Ménaka said 40 families" in texts["menaka_utf16.txt"][1]
    relief, relief_text = texts["relief.jsonl#r1"]
    assert "Timbuktu by river barge" in relief_text and relief.meta.title == "Food aid reaches Timbuktu"
    assert relief.meta.outlet == "ReliefWire"
    assert "relief.jsonl#r2" in texts  # the record after the malformed line
    for _, text in texts.values():
        assert "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)
    assert not any("Menaka notes" in text for _, text in texts.values())  # nothing from the other index
    assert not any(Path(r.path).parent.name in ("index", "old-index") for r, _ in texts.values())
    line_record, line_text = texts["ansongo_one_line.txt"]
    assert "\n" not in line_text.strip() and len(line_text) < 100_000
    assert line_text.count("Ansongo burned") == 160 and len(line_text) > 20_000  # parsed in pieces
    assert "base64" not in line_text and "data:" not in line_text
    assert "line 5: JSON nested too deeply" in by_name(report)["relief.jsonl"].reason


@pytest.mark.slow
def test_reingest_changes_nothing_and_the_cli_reports_the_same(hostile, cache_dir):
    """Re-run through the command line: every file unchanged or failed for the same reason, and
    the exit code says that some failed."""
    assistant, folder, report = hostile
    before = (assistant.store.generation(), assistant.store.count(), len(assistant.documents()))
    env = dict(os.environ, HF_HUB_OFFLINE="1", ASSISTANT_CACHE=str(cache_dir), ASSISTANT_PDF_MEMORY_MB="256")
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "ingest",
            str(folder),
            "--index",
            str(assistant.settings.index_dir),
            "--json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert p.returncode == 1, p.stderr[-2000:]
    assert "Traceback" not in p.stderr
    again = {Path(f["path"]).name: f for f in json.loads(p.stdout)["files"]}
    first = by_name(report)
    assert set(again) == set(first)
    for name, f in again.items():
        if first[name].status in ("failed", "skipped", "duplicate"):
            assert f["status"] == first[name].status and f["reason"] == first[name].reason, name
        else:
            assert f["status"] == "unchanged", (name, f)
    assert (assistant.store.generation(), assistant.store.count(), len(assistant.documents())) == before


def test_pdf_time_limit_stops_a_slow_file(tmp_path):
    path = tmp_path / "slow.pdf"
    path.write_bytes(bomb_pdf())
    with pytest.raises(LoadError, match="was stopped"):
        load_file(path, pdf_timeout=2.0, pdf_memory_mb=4096)


def test_a_document_of_more_than_6000_chunks(tmp_path, cache_dir):
    """One document past Chroma's largest write (5,461 records) and many batches' worth: every
    chunk is stored, embedded and keyword-indexed. The text is a long list (as PDF tables give)
    and chunks are capped at 8 word pieces, so the model embeds little text while the store, the
    batching and the lexical index see 6,000+ chunks of one document."""
    from assistant import lexical
    from assistant.pipeline import ingest, open_assistant

    entries = [f"post {i} quiet" for i in range(8_800)]
    paragraphs = [", ".join(entries[i : i + 80]) + "." for i in range(0, len(entries), 80)]
    paragraphs.append("The final patrol found an abandoned truck full of fuel drums near Aguelhok.")
    path = tmp_path / "patrol_log.txt"
    path.write_text("Patrol log\n\n" + "\n\n".join(paragraphs))
    settings = Settings.from_env(
        index_dir=tmp_path / "index", cache_dir=cache_dir, chunk_tokens=8, max_tokens=8, overlap_tokens=0
    )
    assistant = open_assistant(settings)
    report = ingest([path], assistant=assistant)
    (f,) = report.files
    assert f.status == "added" and f.chunks > 6_000
    (doc,) = assistant.documents()
    ids = assistant.store.chunk_ids_of(doc.doc_id)
    assert doc.n_chunks == f.chunks == assistant.store.count() == len(ids) == len(set(ids))
    assert sorted(ids) == [f"{doc.doc_id}:{i:05d}" for i in range(f.chunks)]  # none lost, none twice
    assert len(assistant.lexical_index().ids) == f.chunks
    ids.sort()
    (last,) = [c for c in assistant.store.get_chunks(ids[-3:]) if "Aguelhok" in c.text]  # the end is there
    assert last.chunk_id in [cid for cid, _ in lexical.search(assistant.lexical_index(), "Aguelhok", n=3, weights=None)]
    vector = assistant.query_embedder().embed(["fuel drums near Aguelhok"])[0]
    assert any("Aguelhok" in c.text for c, _ in assistant.store.query(vector, n=5, where=None))


@pytest.mark.parametrize("files", [1, 3])
def test_a_missing_spacy_model_stops_the_ingest_saying_so(tmp_path, cache_dir, files):
    """Without its language model no document can be analysed: the ingest stops at once with the
    model's name (3 files: in the worker process, 1 file: in this one) instead of failing every
    document as a crash, and stores nothing."""
    from assistant.errors import ModelError
    from assistant.pipeline import ingest, open_assistant

    for i in range(files):
        (tmp_path / f"report{i}.txt").write_text(f"The army said {i} rebels were killed. The rebels denied it.\n")
    settings = Settings.from_env(index_dir=tmp_path / "index", cache_dir=cache_dir, spacy_model="en_core_web_missing")
    assistant = open_assistant(settings)
    with pytest.raises(ModelError, match="en_core_web_missing"):
        ingest(sorted(tmp_path.glob("*.txt")), assistant=assistant)
    assert assistant.store.count() == 0 and not assistant.documents()

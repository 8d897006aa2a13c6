"""Files -> RawDocument: .txt, .md, .html/.htm, .pdf, and .json/.jsonl corpora of records.

`load_file(path, ...)` reads one file (found by `walk.discover`) and raises LoadError naming the
file and the reason a person can act on when it cannot (empty, another format under a text name,
damaged or encrypted PDF, ...). What it returns can be stored and shown safely: no NULs or lone
surrogates, runs of encoded data (base64 images) left out with a warning, only http(s) URLs; a text
longer than `part_mb` comes as its parts. Metadata read from the text is `docmeta`'s, corpus
records are `corpus`'s.
"""

from __future__ import annotations

import codecs
import re
import stat
from dataclasses import replace
from pathlib import Path

from .corpus import load_corpus
from .docmeta import html_outlet, parse_date, pdf_meta, text_meta
from .errors import LoadError, shown
from .pdf import read_pdf
from .types import DocMeta, Loaded, RawDocument
from .walk import HTML_SUFFIXES, file_kind


def load_file(
    path: Path, *, pdf_timeout: float = 60.0, pdf_memory_mb: int = 1024, max_mb: int = 200, part_mb: float = 2.0
) -> Loaded:
    """Read one file into raw documents (several for a corpus file, and for a text longer than
    `part_mb` MB: its parts, cut between paragraphs)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(f"{shown(path)}: not a regular file ({file_kind(st.st_mode)})")
        size = st.st_size
        if size == 0:
            raise LoadError(f"{shown(path)}: empty file (0 bytes)")
        if size > max_mb << 20:
            raise LoadError(f"{shown(path)}: {size >> 20} MB is over the {max_mb} MB limit; split the file")
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            return _load_pdf(path, timeout=pdf_timeout, memory_mb=pdf_memory_mb)
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{shown(path)}: cannot read the file ({exc.strerror or exc})") from exc
    if (kind := sniff(data)) is not None:
        fix = "rename it to .pdf" if kind == "a PDF file" else "save it as PDF or plain text and ingest that"
        raise LoadError(f"{shown(path)}: this is {kind}, not {suffix} text; {fix}")
    text = decode(data, path)
    if suffix in HTML_SUFFIXES:
        loaded = Loaded(documents=(_load_html(path, text),))
    elif suffix in (".json", ".jsonl", ".ndjson"):
        loaded = load_corpus(path, text, lines=suffix != ".json")
    else:
        loaded = Loaded(documents=(_load_text(path, text),))
    del data, text
    return _in_parts(_sanitized(loaded), part_chars=int(part_mb * 1e6))


def _in_parts(loaded: Loaded, *, part_chars: int) -> Loaded:
    """Each document longer than `part_chars` as several ("part 2 of 25", cut between paragraphs,
    else between sentences or words): a 50 MB text is analysed, chunked and committed a part at a
    time, so the memory and time one document takes stay bounded."""
    if all(raw.paged or len(raw.pages[0]) <= part_chars for raw in loaded.documents):
        return loaded
    docs: list[RawDocument] = []
    warnings = list(loaded.warnings)
    for raw in loaded.documents:
        text = raw.pages[0]
        if raw.paged or len(text) <= part_chars:
            docs.append(raw)
            continue
        cuts = _cuts(text, part_chars)
        title = raw.meta.title or (raw.key or "")
        for i, (a, b) in enumerate(cuts, start=1):
            docs.append(
                replace(
                    raw,
                    pages=(text[a:b],),
                    key=f"{raw.key} part {i}" if raw.key else f"part {i}",
                    meta=replace(raw.meta, title=f"{title} (part {i} of {len(cuts)})".strip()),
                )
            )
        what = f"record {raw.key}" if raw.key else "the text"
        warnings.append(
            f"{what} has {len(text) / 1e6:.1f} million characters: stored as {len(cuts)} documents "
            f"(parts of at most {part_chars / 1e6:g} million)"
        )
    return Loaded(documents=tuple(docs), warnings=tuple(warnings))


def _cuts(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive parts of `text` of at most `size` characters, each ending at a
    paragraph break where there is one in its second half, else at a line, sentence or word end."""
    out, start = [], 0
    while len(text) - start > size:
        end, cut = start + size, -1
        for sep in ("\n\n", "\n", ". ", " "):
            k = text.rfind(sep, start + size // 2, end - len(sep) + 1)
            if k >= 0:
                cut = k + len(sep)
                break
        cut = cut if cut > start else end
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out


MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (a Word, Excel or ODF document?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)


def sniff(data: bytes) -> str | None:
    """What a file that is not text really is, from its first bytes (None for text)."""
    head = data[:8]
    return next((name for magic, name in MAGIC if head.startswith(magic)), None)


def decode(data: bytes, path: Path) -> str:
    """Bytes -> str: BOMs honoured, UTF-8 preferred (a few broken bytes replaced), then UTF-16
    without BOM, then Windows-1252 (a superset of Latin-1 for text)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    head = data[:4096]
    if len(head) >= 4 and head[1::2].count(0) > 0.4 * len(head[1::2]) and head[0::2].count(0) < 0.1 * len(head[0::2]):
        return data.decode("utf-16-le", errors="replace")
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if controls > 0.05 * len(head):
        raise LoadError(
            f"{shown(path)}: looks like binary data, not text ({controls} control bytes in the first "
            f"{len(head)}); is it the right file?"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        replaced = data.decode("utf-8", errors="replace")
        invalid = replaced.count("\ufffd")
        valid = len(replaced) - len(replaced.encode("ascii", "ignore")) - invalid  # real UTF-8 sequences
        if valid > 0 and invalid <= max(3, valid // 4):
            return replaced  # UTF-8 with a few broken bytes
        return data.decode("cp1252", errors="replace")  # Latin-1 / Windows-1252


def _load_text(path: Path, text: str) -> RawDocument:
    """A text or Markdown file, with its title and date (`docmeta.text_meta`)."""
    return RawDocument(path=shown(path), pages=(text,), meta=text_meta(path, text))


def _load_html(path: Path, html: str) -> RawDocument:
    import trafilatura

    found = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
    )
    doc = found.as_dict() if found is not None and hasattr(found, "as_dict") else found
    if not doc or not (doc.get("text") or "").strip():
        raise LoadError(f"{shown(path)}: no main text found in the HTML page")
    outlet = doc.get("sitename") or html_outlet(html, doc.get("title")) or doc.get("hostname")
    meta = DocMeta(
        title=(doc.get("title") or shown(path.stem))[:300],
        outlet=outlet,
        author=doc.get("author"),
        date=parse_date(doc.get("date")),
        url=doc.get("url"),
        genre="news",
    )
    return RawDocument(path=shown(path), pages=(doc["text"],), meta=meta)


def _load_pdf(path: Path, *, timeout: float, memory_mb: int) -> Loaded:
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        kind = sniff(head) or ("an HTML page" if re.search(rb"<(!doctype|html|head|body)", head, re.I) else "not a PDF")
        raise LoadError(
            f"{shown(path)}: the file is named .pdf but is {kind} (it does not start with %PDF-); "
            "a failed or broken download?"
        )
    pdf = read_pdf(path, timeout=timeout, memory_mb=memory_mb)
    doc = RawDocument(path=shown(path), pages=pdf.pages, meta=pdf_meta(pdf.pages, pdf.info, path), paged=True)
    return _sanitized(Loaded(documents=(doc,), warnings=pdf.warnings))


# Runs this long of letters, digits and base64 punctuation are encoded data (images, keys), not prose.
ENCODED_RUN = re.compile(r"(?:\bdata:[\w/+.-]+;base64,|(?<![A-Za-z0-9+/=_\-]))[A-Za-z0-9+/=_\-]{1000,}")
_UNSAFE = re.compile(r"[\x00\ud800-\udfff]")


def _sanitized(loaded: Loaded) -> Loaded:
    """Documents whose strings can be stored and shown: no NULs or lone surrogates, encoded-data
    runs removed (with a warning), only http(s) URLs."""
    docs, dropped = [], 0
    for raw in loaded.documents:
        pages = []
        for page in raw.pages:
            page, n = ENCODED_RUN.subn(" ", _UNSAFE.sub("", page))
            dropped += n
            pages.append(page)
        m = raw.meta
        meta = replace(
            m,
            title=_clean_field(m.title),
            outlet=_clean_field(m.outlet),
            author=_clean_field(m.author),
            date=_clean_field(m.date),
            symbol=_clean_field(m.symbol),
            url=_safe_url(m.url),
        )
        docs.append(replace(raw, pages=tuple(pages), meta=meta, key=_clean_field(raw.key)))
    warnings = list(loaded.warnings)
    if dropped:
        warnings.append(f"left out {dropped} run(s) of encoded data (over 1,000 characters without a space)")
    return Loaded(documents=tuple(docs), warnings=tuple(warnings))


def _clean_field(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", _UNSAFE.sub("", str(value))).strip()
    return value[:500] or None


def _safe_url(url: object) -> str | None:
    """The URL if it is a plain http(s) address (never javascript:, data: and the like)."""
    if not isinstance(url, str):
        return None
    url = _UNSAFE.sub("", url).strip()
    return url[:2000] if re.match(r"(?i)^https?://[^\s\"'<>]+$", url) else None

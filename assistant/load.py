"""Files -> RawDocument: .txt, .md, .html/.htm, .pdf, and .json/.jsonl corpora of records.

`discover(paths)` expands folders recursively and says what it does with everything else it
meets (pipes, links, unlistable folders, the index); `load_file(path, ...)` reads one file and
raises LoadError naming the file and the reason a person can act on when it cannot (empty,
another format under a text name, damaged or encrypted PDF, ...). What it returns can be stored
and shown safely: no NULs or lone surrogates, runs of encoded data (base64 images) left out with
a warning, only http(s) URLs; a text longer than `part_mb` comes as its parts.
"""
from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Iterable

from .clean import mostly_caps
from .errors import LoadError, shown
from .lexicon import MONTH_NUMBERS, MONTHS, alternation
from .pdf import read_pdf
from .types import DocMeta, FileStatus, Genre, Loaded, RawDocument

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".json", ".jsonl", ".ndjson"}

TEXT_FIELDS = ("text", "doc", "body", "content", "article", "maintext")
TITLE_FIELDS = ("title", "headline")
OUTLET_FIELDS = ("outlet", "source", "publisher", "site", "sitename", "source_domain")
AUTHOR_FIELDS = ("author", "authors", "byline")
DATE_FIELDS = ("date", "published", "date_publish", "publication_date", "pubdate")
URL_FIELDS = ("url", "link")



@dataclass(frozen=True, slots=True)
class Walk:
    """What `discover` found: the files to read, in order, and every other thing it met with
    its status ("skipped" or "failed") and the reason."""
    files: list[Path]
    others: list[tuple[Path, FileStatus, str]]


def discover(paths: Iterable[Path], *, exclude: Iterable[Path] = ()) -> Walk:
    """Files to ingest under `paths` (folders recursively, in name order; hidden entries skipped;
    each file once), and a line for everything else the walk meets: unsupported types, pipes,
    sockets and devices (never opened), broken links, link loops, folders that cannot be listed,
    and folders never read as documents (the `exclude` folders, such as the index, and any
    folder holding a Chroma index)."""
    files: list[Path] = []
    others: list[tuple[Path, FileStatus, str]] = []
    seen: set[str] = set()
    walked: set[tuple[int, int]] = set()
    excluded = {_identity(p) for p in exclude} - {None}

    def file(p: Path, st: os.stat_result) -> None:
        key = os.path.realpath(p)
        if key in seen:
            return
        seen.add(key)
        if not stat.S_ISREG(st.st_mode):
            others.append((p, "failed", f"not a regular file ({_kind(st.st_mode)}); skipped"))
        elif p.suffix.lower() in SUPPORTED:
            files.append(p)
        else:
            others.append((p, "failed", f"unsupported file type {p.suffix or '(none)'}; supported: "
                                        f"{', '.join(sorted(SUPPORTED))}"))

    def folder(p: Path, st: os.stat_result) -> None:
        ident = (st.st_dev, st.st_ino)
        if ident in excluded:
            others.append((p, "skipped", "the index folder; never read as documents"))
            return
        if ident in walked:
            others.append((p, "skipped", "a link to a folder already read (a symbolic link loop?)"))
            return
        walked.add(ident)
        try:
            with os.scandir(p) as it:
                names = sorted(e.name for e in it)
        except OSError as exc:
            others.append((p, "failed", f"cannot list the folder ({exc.strerror or exc}); its files were not read"))
            return
        if "chroma.sqlite3" in names:
            others.append((p, "skipped", "a Chroma index folder; never read as documents"))
            return
        for name in names:
            if not name.startswith("."):
                visit(p / name)

    def visit(p: Path) -> None:
        try:
            st = p.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                others.append((p, "failed", "a symbolic link loop; skipped"))
            elif exc.errno == errno.ENOENT and p.is_symlink():
                others.append((p, "failed", f"a broken symbolic link (to {shown(os.readlink(p))}); skipped"))
            elif exc.errno == errno.ENOENT:
                others.append((p, "failed", "no such file or folder"))
            else:
                others.append((p, "failed", f"cannot read it ({exc.strerror or exc})"))
            return
        if stat.S_ISDIR(st.st_mode):
            folder(p, st)
        elif any(_inside(p, e) for e in exclude):
            others.append((p, "skipped", "inside the index folder; never read as documents"))
        else:
            file(p, st)

    for path in paths:
        visit(Path(path))
    return Walk(files=files, others=others)


def _identity(p: Path) -> tuple[int, int] | None:
    try:
        st = p.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _inside(p: Path, folder: Path) -> bool:
    try:
        return Path(os.path.realpath(p)).is_relative_to(os.path.realpath(folder))
    except OSError:
        return False


def _kind(mode: int) -> str:
    return ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file")


def load_file(path: Path, *, pdf_timeout: float = 60.0, pdf_memory_mb: int = 1024,
              max_mb: int = 200, part_mb: float = 2.0) -> Loaded:
    """Read one file into raw documents (several for a corpus file, and for a text longer than
    `part_mb` MB: its parts, cut between paragraphs)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(f"{shown(path)}: not a regular file ({_kind(st.st_mode)})")
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
        loaded = _load_corpus(path, text, lines=suffix != ".json")
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
            docs.append(replace(raw, pages=(text[a:b],), key=f"{raw.key} part {i}" if raw.key else f"part {i}",
                                meta=replace(raw.meta, title=f"{title} (part {i} of {len(cuts)})".strip())))
        what = f"record {raw.key}" if raw.key else "the text"
        warnings.append(f"{what} has {len(text) / 1e6:.1f} million characters: stored as {len(cuts)} documents "
                        f"(parts of at most {part_chars / 1e6:g} million)")
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


MAGIC = ((b"%PDF-", "a PDF file"), (b"PK\x03\x04", "a ZIP archive (a Word, Excel or ODF document?)"),
         (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)"), (b"\x89PNG", "a PNG image"),
         (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"),
         (b"{\\rtf", "an RTF document"), (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"))


def sniff(data: bytes) -> str | None:
    """What a file that is not text really is, from its first bytes (None for text)."""
    head = data[:8]
    return next((name for magic, name in MAGIC if head.startswith(magic)), None)


def decode(data: bytes, path: Path) -> str:
    """Bytes -> str: BOMs honoured, UTF-8 preferred (a few broken bytes replaced), then UTF-16
    without BOM, then Windows-1252 (a superset of Latin-1 for text)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    head = data[:4096]
    if len(head) >= 4 and head[1::2].count(0) > 0.4 * len(head[1::2]) and head[0::2].count(0) < 0.1 * len(head[0::2]):
        return data.decode("utf-16-le", errors="replace")
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if controls > 0.05 * len(head):
        raise LoadError(f"{shown(path)}: looks like binary data, not text ({controls} control bytes in the first "
                        f"{len(head)}); is it the right file?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        replaced = data.decode("utf-8", errors="replace")
        invalid = replaced.count("\ufffd")
        valid = len(replaced) - len(replaced.encode("ascii", "ignore")) - invalid   # real UTF-8 sequences
        if valid > 0 and invalid <= max(3, valid // 4):
            return replaced                                          # UTF-8 with a few broken bytes
        return data.decode("cp1252", errors="replace")               # Latin-1 / Windows-1252


_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")   # what str.splitlines() splits on


def _first_line_title(text: str) -> str | None:
    for m in _LINE.finditer(text):           # lazily: a long text is not split into all its lines
        line = m.group(0).strip().lstrip("#").strip()
        if line:
            return line[:200] if len(line) <= 200 else None
    return None


_MONTH_NAMES = alternation(tuple(MONTH_NUMBERS)) + r"[a-z]*\.?"
_DATE_TEXT = (rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\s+{_MONTH_NAMES},?\s+(?:\d{{4}}|\d{{2}})|"
              rf"{_MONTH_NAMES}\s+\d{{1,2}},?\s+\d{{4}})")
# "Gao, 14 March 2025 —", "SAN SALVADOR, 3 JAN 90 (RADIO VENCEREMOS) --", "2023-10-17", "Published: March 3, 2024",
# "Monday 14 March 2025": a place or label, then a date, at the start of one of the first lines.
_DATELINE = re.compile(rf"^\s*(?:(?P<place>[^\W\d][\w'’.()-]*(?:[ -][^\W\d][\w'’.()-]*){{0,4}}),\s+|"
                       rf"(?:published|updated|posted|date|dated|issued)\s*:?\s+|"
                       rf"(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
                       rf"(?P<date>{_DATE_TEXT})\b(?P<rest>.*)$", re.I)
_FUNCTION_WORDS = frozenset("a an the of to in on at by for with from and or but near as that which who".split())
_WIRE_TAGS = re.compile(r"^.*?(?:\[TEXT\]|--|—)\s*|\[[^\]]*\]\s*")


def _dateline(lines: list[str]) -> tuple[int, str] | None:
    """(index, ISO date) of a dateline or date among the first lines of a text, or None."""
    for i, line in enumerate(lines[:6]):
        m = _DATELINE.match(line.strip().lstrip("#*_ ").strip())
        if not m:
            continue
        rest = m.group("rest").strip()
        if m.group("place") is None and rest and not re.match(r"^(?:[—–(-]|$)", rest):
            continue                              # "14 March 2025 was a Friday" is a sentence, not a date line
        date = parse_date(m.group("date"))
        if date:
            return i, date
    return None


def _lead_title(text: str, *, words: int = 10) -> str | None:
    """A title for a wire report with no title line: its first sentence's first words, datelines
    and [TAGS] left out ("THE GUATEMALA ARMY DENIED TODAY THAT GUERRILLAS ATTACKED THE…")."""
    para = " ".join(text.strip().split("\n\n", 1)[0].split())
    if _DATELINE.match(para):
        para = _WIRE_TAGS.sub("", para, count=1)
    para = re.sub(r"\[[^\]]*\]\s*", "", para).strip()
    found = para.split()
    return " ".join(found[:words]) + ("…" if len(found) > words else "") if found else None


def _load_text(path: Path, text: str) -> RawDocument:
    """A text or Markdown file: its title line (a first line standing on its own, or a heading),
    the date of a dateline or date in its first lines; a wire report in capitals with no title line
    is named by its first words."""
    lines = text.splitlines()
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    dated = _dateline([lines[i] for i in nonblank])
    caps = mostly_caps(text, scan=5000, min_letters=1)
    title = None
    for k, i in enumerate(nonblank[:3]):
        if dated is not None and k == dated[0]:
            continue                              # the dateline is not the title
        line = lines[i].strip()
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        # a heading, a line standing alone, or (in mixed case) a short line without end punctuation
        # followed by a new sentence; in capitals a line followed by another is a hard wrap
        headline = (not caps and nxt[:1].isupper() and not line.endswith((".", ",", ";", ":"))
                    and len(line.split()) <= 15 and line.split()[-1].lower() not in _FUNCTION_WORDS)
        if line.startswith("#") or not nxt or headline:
            title = line.lstrip("#").strip() or None
        break
    if title and (len(title) > 200 or (title.endswith(".") and len(title.split()) > 15)):
        title = None
    if title is None and caps:
        title = _lead_title(text)
    meta = DocMeta(title=title or shown(path.stem), date=dated[1] if dated else None, genre="news")
    return RawDocument(path=shown(path), pages=(text,), meta=meta)


def _load_html(path: Path, html: str) -> RawDocument:
    import trafilatura

    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                        include_tables=True, favor_recall=True)
    doc = found.as_dict() if found is not None and hasattr(found, "as_dict") else found
    if not doc or not (doc.get("text") or "").strip():
        raise LoadError(f"{shown(path)}: no main text found in the HTML page")
    outlet = doc.get("sitename") or _html_outlet(html, doc.get("title")) or doc.get("hostname")
    meta = DocMeta(title=(doc.get("title") or shown(path.stem))[:300], outlet=outlet, author=doc.get("author"),
                   date=parse_date(doc.get("date")), url=doc.get("url"), genre="news")
    return RawDocument(path=shown(path), pages=(doc["text"],), meta=meta)


_OUTLET_META = ("og:site_name", "application-name", "publisher", "dc.publisher", "dcterms.publisher",
                "citation_publisher", "citation_journal_title", "twitter:site")


def _html_outlet(html: str, title: str | None) -> str | None:
    """The outlet named in a page's metadata when trafilatura found none: a site-name meta tag
    (by name or property), else the part of <title> after the article's own title ("… | Outlet")."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html[:200_000])
    except (ValueError, lxml.etree.ParserError):
        return None
    metas = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or "").strip().lower()
        if key in _OUTLET_META and (m.get("content") or "").strip():
            metas.setdefault(key, m.get("content").strip().lstrip("@"))
    for key in _OUTLET_META:
        if key in metas:
            return metas[key]
    page_title = " ".join((root.findtext(".//title") or "").split())
    if title and page_title.startswith(title):
        tail = re.sub(r"^\s*[|–—:-]\s*", "", page_title[len(title):])
        if tail and tail != page_title[len(title):] and len(tail) <= 80:
            return tail
    return None


def _load_pdf(path: Path, *, timeout: float, memory_mb: int) -> Loaded:
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        kind = sniff(head) or ("an HTML page" if re.search(rb"<(!doctype|html|head|body)", head, re.I)
                               else "not a PDF")
        raise LoadError(f"{shown(path)}: the file is named .pdf but is {kind} (it does not start with %PDF-); "
                        "a failed or broken download?")
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
        meta = replace(m, title=_clean_field(m.title), outlet=_clean_field(m.outlet), author=_clean_field(m.author),
                       date=_clean_field(m.date), symbol=_clean_field(m.symbol), url=_safe_url(m.url))
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


UN_SYMBOL = re.compile(r"\b([AS]/(?:RES/)?\d{4}/\d+)\*?")
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})\b")


def pdf_meta(pages: tuple[str, ...], info: dict[str, str], path: Path) -> DocMeta:
    """Title, date, issuer and genre of a PDF, read from its first page (UN documents: symbol,
    date, 'Report of the Secretary-General', 'Letter dated … from …')."""
    first = pages[0] if pages else ""
    head = first[:3000]
    symbol = m.group(1) if (m := UN_SYMBOL.search(head[:400])) else None
    date = parse_date(m.group(0)) if (m := DAY_MONTH_YEAR.search(head[:800])) else None
    if date is None and (cd := info.get("CreationDate", "")).startswith("D:") and len(cd) >= 10:
        date = f"{cd[2:6]}-{cd[6:8]}-{cd[8:10]}"
    lines = [ln.strip() for ln in head.splitlines()]
    barcode = next((i for i, ln in enumerate(lines) if re.fullmatch(r"\*\d{6,}\*", ln)), None)
    blocks: list[list[str]] = [[]]
    for ln in lines[barcode + 1:] if barcode is not None else []:
        if re.match(r"^(?:[IVX]+\.|\d+\.)\s", ln) or sum(map(len, blocks)) > 8:
            break
        if ln:
            blocks[-1].append(ln)
        elif blocks[-1]:
            if blocks[-1][0].startswith("Letter dated"):
                break
            blocks.append([])
    title_lines = [": ".join(" ".join(b) for b in blocks if b)]
    fallback = (info.get("Title") or "").strip() or _first_line_title(first) or shown(path.stem)
    title = re.sub(r"\s+", " ", " ".join(title_lines)).strip() or fallback
    genre: Genre = "document"
    author = None
    outlet = "United Nations Security Council" if symbol and symbol.startswith("S/") else None
    if re.search(r"Report\s+of\s+the\s+Secretary-General", head[:1500], re.I):
        genre, author = "un_report", "UN Secretary-General"
    elif (lm := re.search(r"Letter dated .*? from (?:the )?(.+?) addressed to", title, re.I)):
        genre = "letter"
        author = re.sub(r"\s+to the United Nations$", "", lm.group(1).strip())
        author = re.sub(r"\s+established pursuant to Security Council (resolution \d+ \(\d{4}\))", r" (\1)", author)
    elif symbol:
        genre = "un_report"
    if symbol:
        title = f"{symbol}: {title}"
    return DocMeta(title=title[:300], outlet=outlet, author=author, date=date, genre=genre, symbol=symbol)


def _load_corpus(path: Path, text: str, *, lines: bool) -> Loaded:
    warnings: list[str] = []
    records: list[tuple[str | None, dict[str, Any]]] = []
    if lines:
        for no, line in enumerate(text.split("\n"), start=1):   # only "\n": U+2028 and the like may sit in strings
            if not line.strip():
                continue
            long_numbers: list[str] = []
            try:
                obj = json.loads(line, parse_int=partial(_integer, long_numbers))
            except json.JSONDecodeError as exc:
                warnings.append(f"line {no}: invalid JSON ({exc.msg}); skipped")
                continue
            except RecursionError:
                warnings.append(f"line {no}: JSON nested too deeply; skipped")
                continue
            if long_numbers:
                warnings.append(f"line {no}: a number of {len(long_numbers[0]):,} digits, kept as text")
            if isinstance(obj, dict):
                records.append((None, obj))
            else:
                warnings.append(f"line {no}: not a JSON object; skipped")
    else:
        long_numbers = []
        try:
            data = json.loads(text, parse_int=partial(_integer, long_numbers))
        except json.JSONDecodeError as exc:
            raise LoadError(f"{shown(path)}: invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})") from exc
        except RecursionError as exc:
            raise LoadError(f"{shown(path)}: the JSON is nested too deeply to read") from exc
        records = _records(data)
        if long_numbers:
            warnings.append(f"a number of {len(long_numbers[0]):,} digits, kept as text")
        if not records:
            raise LoadError(f"{shown(path)}: no records found; expected a list of objects with a "
                            f"'text' field, or {{id: {{\"doc\": text}}}}")
    docs: list[RawDocument] = []
    for i, (key, rec) in enumerate(records):
        body = _field(rec, TEXT_FIELDS)
        key = str(_field(rec, ("id", "doc_id", "key")) or key or i)
        if not isinstance(body, str) or not body.strip():
            warnings.append(f"record {key}: no text field ({'/'.join(TEXT_FIELDS)}); skipped")
            continue
        title = _field(rec, TITLE_FIELDS)
        outlet = _field(rec, OUTLET_FIELDS)
        author = _field(rec, AUTHOR_FIELDS)
        if isinstance(author, list):
            author = ", ".join(map(str, author))
        genre: Genre = "wire" if mostly_caps(body, scan=5000, min_letters=1) else "news"
        meta = DocMeta(title=str(title)[:300] if title else f"{key}: {_first_words(body)}",
                       outlet=str(outlet) if outlet else None, author=str(author) if author else None,
                       date=parse_date(_field(rec, DATE_FIELDS)), url=_field(rec, URL_FIELDS), genre=genre)
        docs.append(RawDocument(path=shown(path), pages=(body,), meta=meta, key=key))
    if not docs:
        raise LoadError(f"{shown(path)}: no usable records ({'; '.join(warnings[:3]) or 'empty'})")
    return Loaded(documents=tuple(docs), warnings=tuple(warnings))


def _integer(long_numbers: list[str], digits: str) -> int | str:
    """A JSON integer; one too long for Python to convert (over 4,300 digits) is kept as its text."""
    if len(digits) > 4000:
        long_numbers.append(digits)
        return digits
    return int(digits)


def _records(data: Any) -> list[tuple[str | None, dict[str, Any]]]:
    if isinstance(data, list):
        return [(None, r) for r in data if isinstance(r, dict)]
    if isinstance(data, dict):
        if _field(data, TEXT_FIELDS) is not None and isinstance(_field(data, TEXT_FIELDS), str):
            return [(None, data)]
        for k in ("records", "documents", "articles", "data", "items"):
            if isinstance(data.get(k), list):
                return _records(data[k])
        if data and all(isinstance(v, dict) for v in data.values()):
            return [(str(k), v) for k, v in data.items()]
    return []


def _field(rec: dict[str, Any], names: tuple[str, ...]) -> Any:
    for n in names:
        if rec.get(n) not in (None, ""):
            return rec[n]
    return None


def _first_words(text: str, n: int = 10) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def parse_date(value: Any) -> str | None:
    """A date in ISO form (yyyy-mm-dd, or yyyy-mm / yyyy when that is all) from common spellings."""
    if not value or not isinstance(value, str):
        return None
    s = value.strip()
    if m := re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?", s):
        return "-".join(g for g in m.groups() if g)
    if m := re.match(r"^(\d{1,2})\s+([A-Za-z]{3,})\.?,?\s+(\d{2,4})\b", s):
        day, mon, year = m.groups()
    elif m := re.match(r"^([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})\b", s):
        mon, day, year = m.groups()
    else:
        return s[:4] if re.fullmatch(r"\d{4}", s[:4]) else None
    month = MONTH_NUMBERS.get(mon[:3].lower())
    if not month:
        return None
    y = int(year)
    y = y + (1900 if y >= 50 else 2000) if y < 100 else y
    return f"{y:04d}-{month:02d}-{int(day):02d}"

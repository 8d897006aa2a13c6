"""A document's own metadata, read from its text: the title and dateline of a text file, the outlet
named in an HTML page's metadata, the title, date, issuer and genre of a (UN) PDF, and dates in
their common spellings as ISO dates.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .clean import mostly_caps
from .errors import shown
from .lexicon import MONTH_NUMBERS, MONTHS, alternation
from .types import DocMeta, Genre

_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")  # what str.splitlines() splits on


def _first_line_title(text: str) -> str | None:
    for m in _LINE.finditer(text):  # lazily: a long text is not split into all its lines
        line = m.group(0).strip().lstrip("#").strip()
        if line:
            return line[:200] if len(line) <= 200 else None
    return None


_MONTH_NAMES = alternation(tuple(MONTH_NUMBERS)) + r"[a-z]*\.?"
_DATE_TEXT = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\s+{_MONTH_NAMES},?\s+(?:\d{{4}}|\d{{2}})|"
    rf"{_MONTH_NAMES}\s+\d{{1,2}},?\s+\d{{4}})"
)
# "Gao, 14 March 2025 —", "SAN SALVADOR, 3 JAN 90 (RADIO VENCEREMOS) --", "2023-10-17", "Published: March 3, 2024",
# "Monday 14 March 2025": a place or label, then a date, at the start of one of the first lines.
_DATELINE = re.compile(
    rf"^\s*(?:(?P<place>[^\W\d][\w'’.()-]*(?:[ -][^\W\d][\w'’.()-]*){{0,4}}),\s+|"
    rf"(?:published|updated|posted|date|dated|issued)\s*:?\s+|"
    rf"(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?P<date>{_DATE_TEXT})\b(?P<rest>.*)$",
    re.I,
)
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
            continue  # "14 March 2025 was a Friday" is a sentence, not a date line
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


def text_meta(path: Path, text: str) -> DocMeta:
    """Title and date of a text or Markdown file: its title line (a first line standing on its own,
    or a heading), the date of a dateline or date in its first lines; a wire report in capitals with
    no title line is named by its first words."""
    lines = text.splitlines()
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    dated = _dateline([lines[i] for i in nonblank])
    caps = mostly_caps(text, scan=5000, min_letters=1)
    title = None
    for k, i in enumerate(nonblank[:3]):
        if dated is not None and k == dated[0]:
            continue  # the dateline is not the title
        line = lines[i].strip()
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        # a heading, a line standing alone, or (in mixed case) a short line without end punctuation
        # followed by a new sentence; in capitals a line followed by another is a hard wrap
        headline = (
            not caps
            and nxt[:1].isupper()
            and not line.endswith((".", ",", ";", ":"))
            and len(line.split()) <= 15
            and line.split()[-1].lower() not in _FUNCTION_WORDS
        )
        if line.startswith("#") or not nxt or headline:
            title = line.lstrip("#").strip() or None
        break
    if title and (len(title) > 200 or (title.endswith(".") and len(title.split()) > 15)):
        title = None
    if title is None and caps:
        title = _lead_title(text)
    return DocMeta(title=title or shown(path.stem), date=dated[1] if dated else None, genre="news")


_OUTLET_META = (
    "og:site_name",
    "application-name",
    "publisher",
    "dc.publisher",
    "dcterms.publisher",
    "citation_publisher",
    "citation_journal_title",
    "twitter:site",
)


def html_outlet(html: str, title: str | None) -> str | None:
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
        tail = re.sub(r"^\s*[|–—:-]\s*", "", page_title[len(title) :])
        if tail and tail != page_title[len(title) :] and len(tail) <= 80:
            return tail
    return None


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
    for ln in lines[barcode + 1 :] if barcode is not None else []:
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
    elif lm := re.search(r"Letter dated .*? from (?:the )?(.+?) addressed to", title, re.I):
        genre = "letter"
        author = re.sub(r"\s+to the United Nations$", "", lm.group(1).strip())
        author = re.sub(r"\s+established pursuant to Security Council (resolution \d+ \(\d{4}\))", r" (\1)", author)
    elif symbol:
        genre = "un_report"
    if symbol:
        title = f"{symbol}: {title}"
    return DocMeta(title=title[:300], outlet=outlet, author=author, date=date, genre=genre, symbol=symbol)


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

"""RawDocument -> Document: repair the text of real documents.

Repairs: odd spaces and control characters; web boilerplate lines; PDF running headers and
footers (lines repeated at the top or bottom of pages, page numbers); hyphenation at line ends;
hard line wraps; paragraphs broken mid-sentence; sentences glued without a space; a headline
glued to the first sentence. Paragraphs are separated by one blank line in the result, and a
document's id is the hash of its cleaned text.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate, islice

from .types import DocMeta, Document, Page, RawDocument, Span

_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b-\u200d\u2060\ufeff\ufffd\ud800-\udfff]")

BOILERPLATE = [
    re.compile(p, re.I)
    for p in (
        r"post a comment\s*(\(\d+\))?",
        r"(previous|older|newer|next)\s+(post|article|story)(\s+(previous|older|newer|next)\s+(post|article|story))?",
        r"put your ad code here",
        r"advertisement|sponsored( content)?|ad",
        r"(share|tweet|email|print)( (this|on) (article|story|page|facebook|twitter|x|whatsapp|linkedin))?",
        r"share (this|the) (article|story|post)( on [a-z]+)?",
        r"(click|tap) here( to [\w ]+)?",
        r"read (more|also|next)\s*:?",
        r"related (articles|posts|stories|news)\s*:?",
        r"(follow|like) us on [\w ,&]+",
        r"(subscribe|sign up) (to|for) (our|the) [\w ]*newsletter[\w ]*",
        r"(copyright\s*)?(©|\(c\))\s*\d{4}.*|all rights reserved\.?",
        r"(we use cookies|this (web)?site uses cookies).*",
        r"skip to (main )?content",
        r"leave a (comment|reply)|\d+ comments?|no comments",
        r"loading\.*|scroll to top|back to top",
    )
]
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I)
_UN_FRONT = re.compile(r"^\*\d{6,}\*$|^\d{2}-\d{5}\*?\s*\(E\)(\s+\d{6})*$")
_LIST_START = re.compile(r"^(?:\d{1,3}\.|[IVXL]{1,5}\.|[A-Z]\.|\([a-z0-9]{1,3}\)|[•·▪●◦\-–—*])\s")
_TERMINAL = tuple('.!?:;"”’»)]…')
SECTION = "\x1e"  # internal marker: a paragraph after two or more blank lines starts a new section
FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for with from and or but nor that which who whom whose as its their "
    "his her our your my than into onto over under about after before between among during".split()
)
_GLUED = re.compile(
    r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[0-9][.!?])(?=[A-Z][a-z]{2})"
    r"|(?<=[a-z][.!?][\"”’])(?=[A-Z][a-z])"
)


def clean(raw: RawDocument) -> Document:
    """Repair the raw text and return a Document with page and paragraph spans."""
    pages = [_normalize(p) for p in raw.pages]
    pages = [_drop_lines(p) for p in pages]
    if raw.paged and len(pages) > 1:
        pages = _drop_running_lines(pages)
    page_paras = [_paragraphs(p) for p in pages]
    vocab = _vocabulary(pages)
    page_paras = [[_dehyphen_join(lines, vocab) for lines in paras] for paras in page_paras]
    page_paras = [_merge_broken(paras) for paras in page_paras]
    if page_paras and page_paras[0]:
        page_paras[0] = _split_glued_headline(page_paras[0])
    page_paras = [[_unglue(para) for para in paras] for paras in page_paras]

    text_parts: list[str] = []
    page_spans: list[Page] = []
    sections: list[int] = []
    pos = 0
    for number, paras in enumerate(page_paras, start=1):
        pieces = "\n\n".join(paras).split(SECTION)  # one pass: each section mark's offset, marks removed
        marks: list[int] = list(accumulate(len(piece) for piece in pieces[:-1]))
        body = "".join(pieces)
        if text_parts and body:
            prev = text_parts[-1]
            sep = " " if _continues(prev, body) else "\n\n"
            text_parts.append(sep)
            pos += len(sep)
        sections.extend(pos + k for k in marks)
        page_spans.append(Page(number=number, start=pos, end=pos + len(body)))
        if body:
            text_parts.append(body)
            pos += len(body)
    text = "".join(text_parts)
    paragraphs = tuple(Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]*)*", text))
    meta = raw.meta
    if paragraphs and (meta.title is None or meta.title == _stem(raw.path)):
        first = text[paragraphs[0].start : paragraphs[0].end]
        if len(first) <= 200 and not first.rstrip().endswith((".", "!", "?")):
            meta = DocMeta(**{**_asdict(meta), "title": first})
    digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]
    return Document(
        doc_id=digest,
        path=raw.path,
        key=raw.key,
        text=text,
        meta=meta,
        pages=tuple(page_spans) if raw.paged else (),
        paragraphs=paragraphs,
        all_caps=mostly_caps(text),
        sections=tuple(sections),
    )


def mostly_caps(text: str, *, scan: int = 20000, min_letters: int = 21) -> bool:
    """True for ALL-CAPS wire copy: of the letters in the first `scan` characters (at least
    `min_letters` of them), more than 85% are capitals."""
    letters = [c for c in text[:scan] if c.isalpha()]
    return len(letters) >= min_letters and sum(c.isupper() for c in letters) > 0.85 * len(letters)


def _asdict(meta: DocMeta) -> dict[str, object]:
    return {f: getattr(meta, f) for f in meta.__slots__}  # type: ignore[attr-defined]


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _SPACES.sub(" ", text)
    return _INVISIBLE.sub("", text)


def _drop_lines(page: str) -> str:
    """Remove web boilerplate lines and UN print-job lines."""
    out = []
    for line in page.split("\n"):
        s = line.strip()
        if s and len(s) < 100 and (any(p.fullmatch(s) for p in BOILERPLATE) or _UN_FRONT.match(s)):
            continue
        out.append(line)
    return "\n".join(out)


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip())).lower()


def _drop_running_lines(pages: list[str], zone: int = 4) -> list[str]:
    """Remove running headers and footers: lines in the top or bottom `zone` lines of a page whose
    shape (digits ignored) recurs on several pages, and bare page numbers."""

    def edges(page: str) -> list[int]:
        idx = [i for i, ln in enumerate(page.split("\n")) if ln.strip()]
        return idx[:zone] + idx[-zone:]

    counts: Counter[str] = Counter()
    for page in pages:
        lines = page.split("\n")
        counts.update({_shape(lines[i]) for i in edges(page)})
    need = max(2, int(0.3 * len(pages)))
    out = []
    for page in pages:
        lines = page.split("\n")
        drop = {
            i
            for i in edges(page)
            if (counts[_shape(lines[i])] >= need and len(lines[i].strip()) < 80) or _PAGE_NUMBER.match(lines[i].strip())
        }
        out.append("\n".join(ln for i, ln in enumerate(lines) if i not in drop))
    return out


def _paragraphs(page: str) -> list[list[str]]:
    """Split a page into paragraphs, each a list of its lines (hard wraps not yet joined)."""
    lines = [ln.rstrip() for ln in page.split("\n")]
    nonblank = [len(ln.strip()) for ln in lines if ln.strip()]
    if not nonblank:
        return []
    widths = sorted(nonblank)
    width = widths[int(0.9 * (len(widths) - 1))]
    wrapped = (
        width <= 140 and sum(1 for n in nonblank if n >= 0.6 * width) >= 0.5 * len(nonblank) and len(nonblank) >= 3
    )
    paras: list[list[str]] = []
    current: list[str] = []
    blank_run = 0
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            blank_run += 1
            if current:
                paras.append(current)
                current = []
            continue
        if blank_run >= 2 and paras and not current:
            s = SECTION + s  # two or more blank lines: a new section (or a new document)
        blank_run = 0
        if current:
            prev = current[-1]
            indented = len(line) - len(line.lstrip()) >= 2 and not (len(lines[i - 1]) - len(lines[i - 1].lstrip()) >= 2)
            breaks = (
                (not wrapped)
                or _LIST_START.match(s) is not None
                or indented
                and wrapped
                and prev.endswith(_TERMINAL)
                or (prev.endswith(_TERMINAL) and len(prev) < 0.7 * width)
                or _is_heading(prev)
                and len(prev) < 0.7 * width
            )
            if breaks:
                paras.append(current)
                current = []
        current.append(s)
    if current:
        paras.append(current)
    return paras


def _is_heading(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 12
        and not line.endswith(_TERMINAL)
        and re.match(r"^(?:[IVXL]+\.|[A-Z]\.)\s", line) is not None
    )


def _vocabulary(pages: list[str]) -> set[str]:
    words: set[str] = set()
    for page in pages:
        for part in _slices(page):  # a slice at a time: never a list of all the words of a long text
            words.update(w.lower() for w in _WORD3.findall(part))
    return words


_WORD3 = re.compile(r"[A-Za-z]{3,}")


def _slices(text: str, size: int = 1 << 20) -> Iterator[str]:
    """`text` in pieces of about `size` characters, each cut after a character that is not an
    ASCII letter (so no word is cut)."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        while end < len(text) and _ascii_letter(text[end - 1]):
            end += 1
        yield text[start:end]
        start = end


def _ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _dehyphen_join(lines: list[str], vocab: set[str]) -> str:
    """Join the lines of a paragraph: a hyphen at a line end is dropped when the joined word is
    known from the document, kept (without a space) otherwise."""
    parts = [lines[0]]  # joined once at the end (a long paragraph is not copied per line)
    for line in lines[1:]:
        before = _letters_before_hyphen(parts)
        if before and line[:1].isalpha():
            first = re.match(r"[A-Za-z]+", line)
            joined = (before + (first.group(0) if first else "")).lower()
            if line[0].islower() and joined in vocab:
                parts[-1] = parts[-1][:-1]
            parts.append(line)
        else:
            parts.append(" ")
            parts.append(line)
    return re.sub(r" {2,}", " ", "".join(parts))


def _letters_before_hyphen(parts: list[str]) -> str:
    """The ASCII letters just before a hyphen that ends "".join(parts) ("" when it does not end
    in letters and a hyphen): what `re.search(r"([A-Za-z]+)-$", text)` finds, read from the end."""
    if not parts[-1].endswith("-"):
        return ""
    found: list[str] = []
    for k in range(len(parts) - 1, -1, -1):
        part = parts[k]
        i = len(part) - (2 if k == len(parts) - 1 else 1)
        while i >= 0 and _ascii_letter(part[i]):
            found.append(part[i])
            i -= 1
        if i >= 0:
            break
    return "".join(reversed(found))


def _merge_broken(paras: list[str]) -> list[str]:
    """Join paragraphs broken mid-sentence ("... the deaths of" / "Seven rebels ...")."""
    out: list[list[str]] = []  # each paragraph as its parts, joined once at the end
    for para in paras:
        if out and _continues(out[-1][-1], para):
            out[-1].append(para.lstrip(SECTION))
        else:
            out.append([para])
    return [" ".join(parts) for parts in out]


def _continues(prev: str, nxt: str) -> bool:
    """True when paragraph `nxt` continues the sentence that `prev` leaves unfinished (only the
    ends of the two are read)."""
    tail = prev[-1000:].rstrip() or prev.rstrip()
    nxt = nxt[:1000].lstrip(SECTION) or nxt.lstrip(SECTION)
    if not tail or not nxt or tail.endswith(_TERMINAL) or _LIST_START.match(nxt):
        return False
    last = tail.split()[-1].lower().strip(",")
    if nxt[0].islower():
        return True
    return last in FUNCTION_WORDS or tail.endswith((",", "-", "–"))


_GLUED_START = re.compile(
    r"(?<=[a-z]{3})(?=(?:The|A|An|He|She|They|It|We|In|On|At|But|And|After|As|When|While|"
    r"This|That|There|These|Those|Police|Officials|Authorities)\s)"
)


def _unglue(para: str) -> str:
    """Put a space where web text glued two sentences: "reported.Major", "Saturday.\"Three",
    "AdvertisementThe 2010 warning"."""
    para = _GLUED.sub(" ", para)
    para = _GLUED_START.sub(" ", para)
    if '"' not in para and "“" not in para:
        return para
    cuts, quotes = [], 0
    for m in _QUOTE_MARK.finditer(para):
        i, ch = m.start(), m.group(0)
        glued = i > 0 and para[i - 1] in ".!?" and i + 1 < len(para) and para[i + 1].isupper()
        if ch == '"':
            if quotes % 2 == 0 and glued:
                cuts.append(i)  # an opening quotation mark glued to the previous sentence
            quotes += 1
        elif glued:
            cuts.append(i)
    if not cuts:
        return para
    bounds = [0, *cuts, len(para)]
    return " ".join(para[a:b] for a, b in zip(bounds, bounds[1:]))


_QUOTE_MARK = re.compile('["“]')


def _split_glued_headline(paras: list[str]) -> list[str]:
    """'… Shrine AttackA Bangkok military court has …' -> headline and first sentence apart."""
    first = paras[0]
    for m in re.finditer(r"(?<=[a-z])(?=[A-Z])", first[:250]):
        head = first[: m.start()]
        words = head.split()
        if len(words) < 3 or re.search(r"[.!?]", head) or re.search(r"(?:Mc|Mac|De|La|Le|Van|Von)$", head):
            continue
        capital = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
        if capital >= 0.7 * len(words) and _words_before_period(first, m.start(), need=6) >= 6:
            return [head, first[m.start() :]] + paras[1:]
    return paras


_NONSPACE = re.compile(r"\S+")


def _words_before_period(text: str, start: int, *, need: int) -> int:
    """How many words (up to `need`) text[start:] has before its first period: what
    `len(text[start:].split(".")[0].split())` counts, without copying a long text."""
    dot = text.find(".", start)
    return sum(1 for _ in islice(_NONSPACE.finditer(text, start, dot if dot >= 0 else len(text)), need))

"""Corpus files -> raw documents: a .json file (a list of records, {id: record}, or a wrapper such as
{"articles": [...]}) or a .jsonl/.ndjson file (one record a line), each record's text with its title,
outlet, author, date and URL from the usual field names.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from .clean import mostly_caps
from .docmeta import parse_date
from .errors import LoadError, shown
from .types import DocMeta, Genre, Loaded, RawDocument

TEXT_FIELDS = ("text", "doc", "body", "content", "article", "maintext")
TITLE_FIELDS = ("title", "headline")
OUTLET_FIELDS = ("outlet", "source", "publisher", "site", "sitename", "source_domain")
AUTHOR_FIELDS = ("author", "authors", "byline")
DATE_FIELDS = ("date", "published", "date_publish", "publication_date", "pubdate")
URL_FIELDS = ("url", "link")


def load_corpus(path: Path, text: str, *, lines: bool) -> Loaded:
    """The records of a corpus file's text (one JSON object a line when `lines`) as documents;
    a record without text, or a bad line, is skipped with a warning."""
    warnings: list[str] = []
    records = _line_records(text, warnings) if lines else _json_records(path, text, warnings)
    docs: list[RawDocument] = []
    for i, (key, rec) in enumerate(records):
        body = _field(rec, TEXT_FIELDS)
        key = str(_field(rec, ("id", "doc_id", "key")) or key or i)
        if not isinstance(body, str) or not body.strip():
            warnings.append(f"record {key}: no text field ({'/'.join(TEXT_FIELDS)}); skipped")
            continue
        docs.append(RawDocument(path=shown(path), pages=(body,), meta=_record_meta(rec, key, body), key=key))
    if not docs:
        raise LoadError(f"{shown(path)}: no usable records ({'; '.join(warnings[:3]) or 'empty'})")
    return Loaded(documents=tuple(docs), warnings=tuple(warnings))


def _line_records(text: str, warnings: list[str]) -> list[tuple[str | None, dict[str, Any]]]:
    """The objects of a JSON Lines text; what a bad line is goes to `warnings`."""
    records: list[tuple[str | None, dict[str, Any]]] = []
    for no, line in enumerate(text.split("\n"), start=1):  # only "\n": U+2028 and the like may sit in strings
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
    return records


def _json_records(path: Path, text: str, warnings: list[str]) -> list[tuple[str | None, dict[str, Any]]]:
    """The records of a JSON text; LoadError when it is not JSON or holds none."""
    long_numbers: list[str] = []
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
        raise LoadError(
            f"{shown(path)}: no records found; expected a list of objects with a "
            f"'text' field, or {{id: {{\"doc\": text}}}}"
        )
    return records


def _record_meta(rec: dict[str, Any], key: str, body: str) -> DocMeta:
    """A record's title (else its key and first words), outlet, author, date and URL."""
    title = _field(rec, TITLE_FIELDS)
    outlet = _field(rec, OUTLET_FIELDS)
    author = _field(rec, AUTHOR_FIELDS)
    if isinstance(author, list):
        author = ", ".join(map(str, author))
    genre: Genre = "wire" if mostly_caps(body, scan=5000, min_letters=1) else "news"
    return DocMeta(
        title=str(title)[:300] if title else f"{key}: {_first_words(body)}",
        outlet=str(outlet) if outlet else None,
        author=str(author) if author else None,
        date=parse_date(_field(rec, DATE_FIELDS)),
        url=_field(rec, URL_FIELDS),
        genre=genre,
    )


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

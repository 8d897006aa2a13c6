"""PDF text extraction in a child process with a time and memory limit, so that a hostile or
broken PDF can neither hang nor exhaust the ingest.

Parent side: `read_pdf(path, ...) -> PdfText`. Child side: `python -m assistant.pdf MEMORY_MB
CPU_SECONDS MAX_CHARS PATH` limits itself (address space and CPU time) before it imports pypdf,
then prints one JSON object ({"pages": [...], "info": {...}, "warnings": [...]} or
{"error": "..."}) on stdout.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import LoadError, shown

MAX_TEXT_CHARS = 50_000_000  # more text than this from one PDF is a bomb, not a report
PASSWORD_HINT = "encrypted PDF that needs a password; save an unencrypted copy and ingest that"
_UNSAFE = re.compile(r"[\x00\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class PdfText:
    pages: tuple[str, ...]
    info: dict[str, str]
    warnings: tuple[str, ...] = ()


def read_pdf(path: Path, *, timeout: float, memory_mb: int, max_chars: int = MAX_TEXT_CHARS) -> PdfText:
    """Text of each page of the PDF at `path`, extracted by pypdf in a limited child process."""
    # -P: never this package from the current directory; the child yields the CPU to the ingest's embedding
    cmd = [
        sys.executable,
        "-P",
        "-m",
        "assistant.pdf",
        str(memory_mb),
        str(int(timeout) + 1),
        str(max_chars),
        str(path),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise LoadError(
            f"{shown(path)}: reading the PDF took longer than {timeout:.0f} s and was stopped "
            "(a malformed or hostile file?)"
        ) from exc
    try:
        out = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        out = {}
    if "error" in out:
        raise LoadError(f"{shown(path)}: {out['error']}")
    if "pages" not in out:
        raise LoadError(f"{shown(path)}: {_death(proc, memory_mb=memory_mb, timeout=timeout)}")
    return PdfText(
        pages=tuple(_safe(p) for p in out["pages"]),
        info={_safe(k): _safe(v) for k, v in out.get("info", {}).items()},
        warnings=tuple(out.get("warnings", ())),
    )


def _death(proc: subprocess.CompletedProcess, *, memory_mb: int, timeout: float) -> str:
    """Why the child stopped without an answer, in words."""
    err = proc.stderr.decode("utf-8", "replace")
    if "MemoryError" in err:
        return f"reading the PDF needed more than {memory_mb} MB of memory and was stopped (a decompression bomb?)"
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return (
            f"reading the PDF used more than {timeout:.0f} s of CPU time and was stopped (a malformed or hostile file?)"
        )
    if proc.returncode < 0:
        return f"the PDF reader crashed on this file (signal {-proc.returncode}); the file is malformed"
    last = err.strip().splitlines()[-1:] or ["no output"]
    return f"the PDF could not be read ({last[0][:200]})"


def _safe(s: object) -> str:
    """Text without NULs or lone surrogates (they cannot be stored)."""
    return _UNSAFE.sub("", str(s))


def _extract(path: str, max_chars: int) -> dict[str, object]:
    import pypdf

    errors = _reader_errors()
    warnings = _collect_warnings()
    sys.setrecursionlimit(5000)
    try:
        reader = pypdf.PdfReader(path)
        if (error := _decrypt(reader)) is not None:
            return {"error": error}
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > max_chars:
                return {
                    "error": f"the PDF yields more than {max_chars:,} characters of text by page {len(pages) + 1} "
                    "(a decompression bomb?)"
                }
            pages.append(text)
        meta = reader.metadata or {}
        info = {str(k).lstrip("/"): str(v)[:500] for k, v in meta.items() if isinstance(v, (str, bytes))}
    except errors as exc:
        return {"error": _reader_error(exc)}
    if not any(p.strip() for p in pages):
        if _over_limit(reader):
            return {
                "error": "a page's content inflates past the reader's safety limit (a decompression bomb?); "
                "the file is malformed or hostile"
            }
        return {"error": f"no extractable text in {len(pages)} page(s): a scanned image? run OCR first"}
    if warnings:
        warnings = [f"the PDF is damaged; text recovered anyway ({warnings[0]})"]
    return {"pages": pages, "info": info, "warnings": warnings}


def _collect_warnings() -> list[str]:
    """A list that gathers the first 20 warnings pypdf logs from now on (and keeps them off stderr)."""
    import logging

    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(warnings) < 20:
                warnings.append(record.getMessage()[:200])

    logging.getLogger("pypdf").addHandler(Collect(level=logging.WARNING))
    logging.getLogger("pypdf").propagate = False
    return warnings


def _decrypt(reader: object) -> str | None:
    """Open an encrypted PDF with the empty password; why it cannot be read, or None."""
    from pypdf.errors import DependencyError

    if reader.is_encrypted:  # type: ignore[attr-defined]
        try:
            if not reader.decrypt(""):  # type: ignore[attr-defined]
                return PASSWORD_HINT
        except DependencyError as exc:
            return f"encrypted PDF whose cipher needs an extra library ({exc}); pip install 'pypdf[crypto]'"
        except NotImplementedError as exc:
            return f"encrypted PDF with an unsupported cipher ({exc})"
    return None


def _reader_errors() -> tuple[type[BaseException], ...]:
    """The errors reading a PDF may raise that say something about the file (anything else is a bug)."""
    from pypdf.errors import (
        EmptyFileError,
        FileNotDecryptedError,
        LimitReachedError,
        PdfStreamError,
        PyPdfError,
        WrongPasswordError,
    )

    return (
        FileNotDecryptedError,
        WrongPasswordError,
        EmptyFileError,
        LimitReachedError,
        PdfStreamError,
        RecursionError,
        MemoryError,
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        AssertionError,
        ZeroDivisionError,
        UnicodeError,
    )


def _reader_error(exc: BaseException) -> str:
    """What an error of the reader (one of `_reader_errors()`) means for the file, in words."""
    from pypdf.errors import (
        EmptyFileError,
        FileNotDecryptedError,
        LimitReachedError,
        PdfStreamError,
        WrongPasswordError,
    )

    if isinstance(exc, (FileNotDecryptedError, WrongPasswordError)):
        return PASSWORD_HINT
    if isinstance(exc, EmptyFileError):
        return "empty file"
    if isinstance(exc, LimitReachedError):
        return f"the PDF exceeds a safety limit of the reader ({exc}); a malformed or hostile file?"
    if isinstance(exc, PdfStreamError):
        return f"damaged or truncated PDF ({exc}); was the download interrupted?"
    if isinstance(exc, RecursionError):
        return "the PDF's structure is nested too deeply to read (a malformed or hostile file?)"
    if isinstance(exc, MemoryError):
        return "reading the PDF needed more memory than allowed (a decompression bomb?)"
    return f"damaged or unreadable PDF ({type(exc).__name__}: {str(exc)[:160]})"


def _over_limit(reader: object, pages: int = 20) -> bool:
    """Whether a content stream of the first pages stops pypdf at its decompression limit
    (`extract_text` then returns nothing instead of raising)."""
    from pypdf.errors import LimitReachedError

    for page in list(reader.pages)[:pages]:  # type: ignore[attr-defined]
        try:
            page.get_contents()
        except (LimitReachedError, MemoryError):  # past the reader's limit, or past the child's memory
            return True
        except Exception:
            continue
    return False


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    os.nice(5)


def main() -> None:
    memory_mb, cpu_seconds, max_chars, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    _limit(memory_mb, cpu_seconds)
    try:
        result = _extract(path, max_chars)
    except MemoryError:
        result = {"error": "reading the PDF needed more memory than allowed (a decompression bomb?)"}
    except RecursionError:
        result = {"error": "the PDF's structure is nested too deeply to read (a malformed or hostile file?)"}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

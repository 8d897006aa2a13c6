"""PDF text extraction in a child process with a time and memory limit, so that a hostile or
broken PDF can neither hang nor exhaust the ingest.

Parent side: `read_pdf(path, ...) -> PdfText`. Child side: `python -m assistant.pdf PATH` prints
one JSON object ({"pages": [...], "info": {...}} or {"error": "..."}) on stdout.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import LoadError


@dataclass(frozen=True, slots=True)
class PdfText:
    pages: tuple[str, ...]
    info: dict[str, str]


def read_pdf(path: Path, *, timeout: float, memory_mb: int) -> PdfText:
    """Text of each page of the PDF at `path`, extracted by pypdf in a limited child process."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_CPU, (int(timeout) + 1, int(timeout) + 2))

    try:
        proc = subprocess.run([sys.executable, "-m", "assistant.pdf", str(path)], capture_output=True,
                              timeout=timeout, preexec_fn=limit, text=True, errors="replace")
    except subprocess.TimeoutExpired as exc:
        raise LoadError(f"{path}: PDF parsing took longer than {timeout:.0f} s and was stopped "
                        "(the file may be malformed or hostile)") from exc
    try:
        out = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        out = {}
    if "error" in out:
        raise LoadError(f"{path}: {out['error']}")
    if "pages" not in out:
        if proc.returncode < 0 or "MemoryError" in proc.stderr:
            raise LoadError(f"{path}: PDF parsing exceeded its limits ({memory_mb} MB, {timeout:.0f} s) "
                            "and was stopped (the file may be a decompression bomb or malformed)")
        last = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        raise LoadError(f"{path}: PDF could not be read ({last[0][:200]})")
    return PdfText(pages=tuple(out["pages"]), info=out.get("info", {}))


def _extract(path: str) -> dict[str, object]:
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    sys.setrecursionlimit(5000)
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                return {"error": f"encrypted PDF with an unsupported cipher ({exc})"}
            if not ok:
                return {"error": "encrypted PDF that needs a password; save an unencrypted copy and ingest that"}
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata or {}
        info = {k.lstrip("/"): str(v) for k, v in meta.items() if isinstance(v, (str, bytes)) or hasattr(v, "strip")}
    except FileNotDecryptedError:
        return {"error": "encrypted PDF that needs a password; save an unencrypted copy and ingest that"}
    except RecursionError:
        return {"error": "PDF structure nested too deeply to read"}
    except MemoryError:
        return {"error": "PDF needs more memory than allowed (a decompression bomb?)"}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, AssertionError) as exc:
        return {"error": f"not a readable PDF ({type(exc).__name__}: {str(exc)[:160]})"}
    if not any(p.strip() for p in pages):
        return {"error": f"no extractable text in {len(pages)} page(s): a scanned image? run OCR first"}
    return {"pages": pages, "info": info}


def main() -> None:
    json.dump(_extract(sys.argv[1]), sys.stdout)


if __name__ == "__main__":
    main()

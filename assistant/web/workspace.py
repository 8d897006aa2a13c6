"""The open index behind the web page and what it is doing (no Gradio here). It is opened (and,
when empty, built from the corpus) in a background thread so the page answers at once; one writer
at a time (the startup build, uploads, deletes)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from pathlib import Path
from typing import Literal

from ..config import Settings
from ..errors import AssistantError
from ..pipeline import Assistant, DocumentPages, document_pages, ingest, open_assistant, warm_up
from ..types import DocRecord


class Workspace:
    """The open index and its status line, shared by every visitor of the page."""

    def __init__(self, settings: Settings, *, corpus: Path | None, staging: Path, url: str = "") -> None:
        self.settings, self.corpus, self.staging, self.url = settings, corpus, staging, url
        self.assistant: Assistant | None = None
        self.status = "Starting: opening the index…"
        self.ready = threading.Event()
        self.failed: str | None = None
        self.build_failures: list[str] = []
        self.writer = threading.Lock()

    def start(self) -> None:
        """Open the index (building it from the corpus when empty) in a background thread."""
        threading.Thread(target=self._open, name="open-index", daemon=True).start()

    def _open(self) -> None:
        try:
            with self.writer:
                self.status = f"Opening the index at {self.settings.index_dir}…"
                assistant = open_assistant(self.settings)
                if self.corpus is not None and (self.marker.exists() or not assistant.documents()):
                    self._build(assistant, self.corpus)
                self.status = "Loading the query model…"
                warm_up(assistant)
                self.assistant = assistant
                self.refresh_status()
                self.ready.set()
            print(f"{self.status} The chat is ready: {self.url}", flush=True)
        except AssistantError as exc:
            self.failed = f"The index could not be opened: {exc}"
            self.status = self.failed
        except Exception as exc:  # the thread's edge: say what went wrong instead of hanging on "Opening…"
            self.failed = f"The index could not be opened ({type(exc).__name__}: {exc})"
            self.status = self.failed
        if self.failed:
            print(self.failed, file=sys.stderr, flush=True)

    @property
    def marker(self) -> Path:
        """Present while the first build runs: a start after an interrupted build finishes it."""
        s = self.settings
        return (s.cache_dir if s.chroma_url else s.index_dir) / f".{s.collection}.corpus-build"

    def _build(self, assistant: Assistant, corpus: Path) -> None:
        """Index the corpus, saying how far it has got on the page's status line and, with a
        progress bar, in the terminal."""
        from tqdm import tqdm

        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(str(corpus), encoding="utf-8")
        self.status = f"Building the index from {corpus.name}/ (first start only)…"
        print(
            f"Building the index from {corpus}/ into {self.settings.chroma_url or self.settings.index_dir} "
            "(first start only; a few minutes)…",
            file=sys.stderr,
            flush=True,
        )
        bar = tqdm(total=0, unit="file", desc="Indexing", file=sys.stderr, disable=None, dynamic_ncols=True)
        seen = {"files": 0, "total": 0, "chunks": 0}

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "files" and total > 0:
                seen.update(files=done, total=total)
                bar.total, bar.n = total, done
            elif stage == "chunks":
                seen["chunks"] += done
            bar.set_postfix_str(f"{seen['chunks']:,} passages", refresh=True)
            if stage == "keyword index":
                self.status = "Building the keyword index…"
                bar.set_description("Keyword index")
            elif seen["total"]:
                reading = min(seen["files"] + 1, seen["total"])
                self.status = (
                    f"Building the index from {corpus.name}/ (first start only): file {reading} of "
                    f"{seen['total']}, {seen['chunks']:,} passages stored so far. Questions can be asked "
                    "when this finishes…"
                )

        report = ingest([corpus], assistant=assistant, progress=progress)
        bar.close()
        self.build_failures = [f"{Path(f.path).name}: {f.reason}" for f in report.files if f.status == "failed"]
        for line in self.build_failures:
            print(f"not indexed: {line}", file=sys.stderr, flush=True)
        docs, files = sum(f.documents for f in report.files), len(report.files)
        print(
            f"Indexed {docs:,} document{'s' if docs != 1 else ''} ({seen['chunks']:,} passages) from {files} "
            f"file{'s' if files != 1 else ''} in {report.seconds:.0f} s.",
            file=sys.stderr,
            flush=True,
        )
        self.marker.unlink(missing_ok=True)

    def refresh_status(self) -> None:
        """The status line says how many documents are indexed (and which files of the corpus failed)."""
        assert self.assistant is not None
        n = len(self.assistant.documents())
        text = f"Ready: {n} document{'s' if n != 1 else ''} indexed."
        if self.build_failures:
            k = len(self.build_failures)
            text += (
                f" {k} file{'s' if k != 1 else ''} of the corpus could not be indexed "
                f"({self.build_failures[0]}{' …' if k > 1 else ''}; the server log lists them)."
            )
        self.status = text

    @property
    def state(self) -> Literal["ready", "failed", "loading"]:
        return "ready" if self.ready.is_set() else "failed" if self.failed else "loading"

    def need(self) -> Assistant:
        """The open index, or a RuntimeError that says why there is none yet."""
        if self.failed:
            raise RuntimeError(self.failed)
        if not self.ready.is_set() or self.assistant is None:
            raise RuntimeError(f"The index is not ready yet. {self.status}")
        return self.assistant

    def documents(self) -> list[DocRecord]:
        return self.assistant.documents() if self.ready.is_set() and self.assistant is not None else []

    def document(self, doc_id: str) -> DocumentPages:
        """The manifest record, cleaned text and page spans of one document."""
        return document_pages(self.need(), doc_id)

    def stage(self, uploads: list[Path]) -> tuple[list[Path], dict[str, str]]:
        """Uploaded files moved under their own names into the staging folder (a file uploaded
        again under the same name replaces the earlier version); returns the paths and their names."""
        folder = self.staging
        folder.mkdir(parents=True, exist_ok=True)
        staged, names, taken = [], {}, set()
        for up in uploads:
            name = re.sub(r"[^\w.() -]+", "_", up.name).strip(". ") or "upload"
            stem, suffix = os.path.splitext(name)
            n = 2
            while name.lower() in taken:
                name, n = f"{stem} ({n}){suffix}", n + 1
            taken.add(name.lower())
            target = folder / name
            try:
                shutil.move(str(up), target)
            except OSError:
                for p in staged:
                    p.unlink(missing_ok=True)
                raise
            staged.append(target)
            names[str(target.resolve())] = name
        return staged, names


def remove_upload(path: Path, root: Path) -> None:
    """Delete an uploaded temp file and its (now empty) folder inside Gradio's upload folder."""
    try:
        path.unlink(missing_ok=True)
        parent = path.parent
        if parent != root and root in parent.parents and not any(parent.iterdir()):
            parent.rmdir()
    except OSError:
        pass

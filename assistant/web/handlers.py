"""The web page's handlers as plain functions (no Gradio here): the filters checked, a question
read in the light of the conversation and answered, the claims written as CSV, a citation opened in
its document, uploads staged and indexed, documents deleted, the API's JSON answer. `layout` wires
them to the page; `Workspace` is the open index they work on."""

from __future__ import annotations

import json
import queue
import re
import threading
import uuid
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AssistantError
from ..pipeline import Turn, ask, delete, ingest, resolve_follow_up
from ..present import answer_dict, claims_csv, error_dict
from ..types import SOURCE_TYPES, Answer, Citation, Filters, IngestReport
from .html import notice_html, passage_empty_html, passage_html
from .tables import document_label, ingest_summary, progress_rows, report_rows
from .workspace import Workspace, remove_upload

DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@dataclass(frozen=True, slots=True)
class FilterForm:
    """The filters as typed on the page (or given to the API), not yet checked."""

    types: Sequence[str] | None = None
    docs: Sequence[str] | None = None
    outlets: Sequence[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None

    def filters(self) -> Filters:
        """The Filters they mean; ValueError (its message for the reader) when a date is malformed."""
        for d in (self.date_from, self.date_to):
            if d and not DATE.fullmatch(d.strip()):
                raise ValueError(f"Dates are written yyyy, yyyy-mm or yyyy-mm-dd (got “{d.strip()}”).")
        return Filters(
            doc_ids=tuple(self.docs or ()),
            outlets=tuple(self.outlets or ()),
            date_from=(self.date_from or "").strip() or None,
            date_to=(self.date_to or "").strip() or None,
            source_types=tuple(t for t in (self.types or ()) if t in SOURCE_TYPES),
            source=(self.source or "").strip() or None,
        )


@dataclass(frozen=True, slots=True)
class Choices:
    """What the document and outlet pickers offer: (label, doc_id) pairs and the outlets."""

    documents: list[tuple[str, str]]
    outlets: list[str]


def choices(ws: Workspace) -> Choices:
    """The pickers' documents and outlets, from the index as it is now."""
    docs = ws.documents()
    return Choices(
        [(document_label(d), d.doc_id) for d in docs], sorted({d.meta.outlet for d in docs if d.meta.outlet})
    )


# -- chat ------------------------------------------------------------------------------------------


def asked_again(turns: Sequence[Turn], key: str) -> str | None:
    """What was typed in the turn a "Ask as a new question" button (`data-ask="i"`) names, or None."""
    if not key.isdigit() or int(key) >= len(turns):
        return None
    return turns[int(key)].asked


def answer_turn(ws: Workspace, message: str, turns: Sequence[Turn], *, alone: bool, form: FilterForm) -> Turn:
    """`message` read in the light of the earlier turns (unless asked `alone`) and answered; a turn
    that says why when it cannot be (bad filters, the index not ready, an error of the index)."""
    resolved = resolve_follow_up(
        message, [] if alone else [t.question for t in turns], last=None if alone or not turns else turns[-1].answer
    )
    try:
        answer = ask(resolved.question, assistant=ws.need(), filters=form.filters())
        return Turn(asked=message, question=resolved.question, answer=answer)
    except (AssistantError, RuntimeError, ValueError) as exc:
        return Turn(asked=message, question=resolved.question, answer=None, error=str(exc))


def claims_csv_file(answer: Answer | None, folder: Path) -> Path | None:
    """The claims of `answer` written as claims.csv in a new folder under `folder/claims`; None when
    it has no claims."""
    if answer is None or not answer.claims:
        return None
    target = folder / "claims" / uuid.uuid4().hex
    target.mkdir(parents=True)
    path = target / "claims.csv"
    path.write_text(claims_csv(answer), encoding="utf-8")
    return path


def citation_for(turns: Sequence[Turn], key: str) -> Citation | None:
    """The citation a `data-cite` key ("2:3", "0:r1") names in `turns`, or None."""
    m = re.fullmatch(r"(\d{1,4}):(r?)(\d{1,3})", key or "")
    if not m:
        return None
    i, related, n = int(m.group(1)), bool(m.group(2)), int(m.group(3))
    if i >= len(turns) or turns[i].answer is None:
        return None
    pool = turns[i].answer.related if related else turns[i].answer.citations
    return next((c for c in pool if c.n == n), None)


def passage_for(ws: Workspace, turns: Sequence[Turn], key: str) -> str | None:
    """The HTML of the passage a citation key names, highlighted in its document; None when the key
    names no citation."""
    c = citation_for(turns, key)
    if c is None:
        return None
    try:
        doc = ws.document(c.doc_id)
    except RuntimeError as exc:
        return passage_empty_html(str(exc))
    return passage_html(c, doc.record, doc.text, pages=doc.pages)


def ask_json(ws: Workspace, question: str, *, k: int | None, form: FilterForm) -> str:
    """The JSON text `assistant ask --json` prints for `question` (the error form when it cannot be
    answered)."""
    try:
        data = answer_dict(ask(question, assistant=ws.need(), k=k or None, filters=form.filters()))
    except (AssistantError, RuntimeError, ValueError) as exc:
        data = error_dict(question, str(exc))
    return json.dumps(data, ensure_ascii=False)


# -- library ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UploadStep:
    """One update of the Library while an upload is indexed: the per-file rows and the notice (None:
    unchanged); `clear` empties the file picker; `report` is set on the last step of a finished ingest."""

    rows: list[list[object]] | None
    notice: str | None
    clear: bool = False
    report: IngestReport | None = None


def _call(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, BaseException | None]:
    """(fn(*args, **kwargs), None), or (None, the exception it raised): for a worker thread."""
    try:
        return fn(*args, **kwargs), None
    except BaseException as exc:  # handed to the thread that reports it
        return None, exc


def index_uploads(ws: Workspace, uploads: list[Path], *, upload_root: Path) -> Iterator[UploadStep]:
    """Index uploaded files, step by step: the per-file rows say how far the upload has got while
    it is indexed; then the result of each file and a summary. The uploaded files are removed."""
    if not uploads:
        yield UploadStep(None, notice_html("Choose files first."))
        return
    if not ws.writer.acquire(blocking=False):
        yield UploadStep(
            [],
            notice_html(
                "The index is busy (being built or written); add the files again when the status line says Ready.",
                kind="error",
            ),
        )
        return
    try:
        assistant = ws.need()
        staged, names = ws.stage(uploads)
    except (RuntimeError, OSError) as exc:
        ws.writer.release()
        for p in uploads:
            remove_upload(p, upload_root)
        yield UploadStep([], notice_html(f"Nothing was added: {exc}", kind="error"), clear=True)
        return
    events: queue.SimpleQueue = queue.SimpleQueue()

    def work() -> None:  # owns the writer lock and the uploaded files from here on
        try:
            events.put(
                ("done", _call(ingest, staged, assistant=assistant, progress=lambda *e: events.put(("progress", e))))
            )
        finally:
            ws.writer.release()
            for p in [*uploads, *staged]:  # uploaded files never outlive their ingest
                remove_upload(p, upload_root)

    shown = [names[str(p.resolve())] for p in staged]
    n = len(shown)
    threading.Thread(target=work, name="upload-ingest", daemon=True).start()
    yield UploadStep(
        progress_rows(shown, read=0),
        notice_html(
            f"Indexing {n} file{'s' if n != 1 else ''}… (the first upload also loads the language models)", kind="busy"
        ),
    )
    done = yield from _progress(events, shown)
    yield _outcome(ws, done, names)


def _progress(events: queue.SimpleQueue, shown: list[str]) -> Generator[UploadStep, None, Any]:
    """The per-file rows as the ingest reports progress; returns the ingest's (result, error)."""
    while True:
        kind, data = events.get()
        if kind == "done":
            return data
        stage, done, total = data
        if stage == "files" and total > 0 and done < total:
            yield UploadStep(progress_rows(shown, read=done), None)
        elif stage == "keyword index" and done == 0:
            yield UploadStep(progress_rows(shown, read=len(shown), stage=stage), None)


def _outcome(
    ws: Workspace, done: tuple[IngestReport | None, BaseException | None], names: dict[str, str]
) -> UploadStep:
    result, error = done
    if error is not None:
        if not isinstance(error, (AssistantError, RuntimeError, OSError)):
            raise error
        return UploadStep([], notice_html(f"Nothing was added: {error}", kind="error"), clear=True)
    assert result is not None
    ws.refresh_status()
    failed_all = result.count("failed") == len(result.files)
    return UploadStep(
        report_rows(result, names),
        notice_html(ingest_summary(result), kind="error" if failed_all else "info"),
        clear=True,
        report=result,
    )


@dataclass(frozen=True, slots=True)
class Deleted:
    """What a delete did: the notice, and whether the index changed (the lists must be refreshed)."""

    notice: str
    changed: bool


def delete_documents(ws: Workspace, doc_ids: Sequence[str] | None) -> Deleted:
    """Delete the chosen documents (one writer at a time); the notice says how many went."""
    if not doc_ids:
        return Deleted(notice_html("Choose documents to delete first."), False)
    if not ws.writer.acquire(blocking=False):
        return Deleted(notice_html("The index is busy; try again in a moment.", kind="error"), False)
    try:
        n = delete(list(doc_ids), assistant=ws.need())
    except (AssistantError, RuntimeError) as exc:
        return Deleted(notice_html(f"Nothing was deleted: {exc}", kind="error"), False)
    finally:
        ws.writer.release()
    ws.refresh_status()
    return Deleted(notice_html(f"Deleted {n} document{'s' if n != 1 else ''}."), True)

"""Web chat over the assistant (Gradio). A thin shell: it builds the resources once and calls
the library; answering, attribution, follow-ups and rendering live in `assistant/`.

    python app.py [--host 127.0.0.1] [--port 7860] [--auth user:pass] [--index DIR] [--corpus DIR]
                  [--chroma-url URL] [--max-upload-mb 50]

The page answers at once; the index is opened (and, when empty, built from --corpus) in a
background thread while a status line says how far it has got. The Gradio API exposes `ask`,
which returns the same JSON as `assistant ask --json`.
"""

import argparse
import atexit
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

from assistant.config import Settings, quiet_runtime

quiet_runtime()

HERE = Path(__file__).resolve().parent
UPLOAD_TYPES = [".pdf", ".txt", ".md", ".html", ".htm", ".json", ".jsonl"]
SOURCE_TYPES = ["armed group", "government", "military", "police", "media", "local sources", "UN/NGO",
                "anonymous official", "author", "other"]
DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


# -- resources ------------------------------------------------------------------------------------

class Workspace:
    """The open index and its status. Opened (and built from the corpus when empty) in a background
    thread so the page answers at once; one writer at a time (startup build, uploads, deletes)."""

    def __init__(self, settings: Settings, *, corpus: Path | None, staging: Path, url: str = "") -> None:
        self.settings, self.corpus, self.staging, self.url = settings, corpus, staging, url
        self.assistant: Any = None
        self.status = "Starting: opening the index…"
        self.ready = threading.Event()
        self.failed: str | None = None
        self.build_failures: list[str] = []
        self.writer = threading.Lock()

    def start(self) -> None:
        threading.Thread(target=self._open, name="open-index", daemon=True).start()

    def _open(self) -> None:
        from assistant.errors import AssistantError
        from assistant.pipeline import open_assistant

        try:
            with self.writer:
                self.status = f"Opening the index at {self.settings.index_dir}…"
                assistant = open_assistant(self.settings)
                if self.corpus is not None and (self.marker.exists() or not assistant.documents()):
                    self._build(assistant, self.corpus)
                self.status = "Loading the query model…"
                assistant.query_embedder().embed(["warm up"])
                self.assistant = assistant
                self.status = self._ready_text()
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

    def _build(self, assistant: Any, corpus: Path) -> None:
        """Index the corpus, saying how far it has got on the page's status line and, with a
        progress bar, in the terminal."""
        from tqdm import tqdm

        from assistant.pipeline import ingest

        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(str(corpus), encoding="utf-8")
        self.status = f"Building the index from {corpus.name}/ (first start only)…"
        print(f"Building the index from {corpus}/ into {self.settings.chroma_url or self.settings.index_dir} "
              "(first start only; a few minutes)…", file=sys.stderr, flush=True)
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
                self.status = (f"Building the index from {corpus.name}/ (first start only): file {reading} of "
                               f"{seen['total']}, {seen['chunks']:,} passages stored so far. Questions can be asked "
                               "when this finishes…")

        report = ingest([corpus], assistant=assistant, progress=progress)
        bar.close()
        self.build_failures = [f"{Path(f.path).name}: {f.reason}" for f in report.files if f.status == "failed"]
        for line in self.build_failures:
            print(f"not indexed: {line}", file=sys.stderr, flush=True)
        docs, files = sum(f.documents for f in report.files), len(report.files)
        print(f"Indexed {docs:,} document{'s' if docs != 1 else ''} ({seen['chunks']:,} passages) from {files} "
              f"file{'s' if files != 1 else ''} in {report.seconds:.0f} s.", file=sys.stderr, flush=True)
        self.marker.unlink(missing_ok=True)

    def _ready_text(self) -> str:
        n = len(self.assistant.documents())
        text = f"Ready: {n} document{'s' if n != 1 else ''} indexed."
        if self.build_failures:
            k = len(self.build_failures)
            text += (f" {k} file{'s' if k != 1 else ''} of the corpus could not be indexed "
                     f"({self.build_failures[0]}{' …' if k > 1 else ''}; the server log lists them).")
        return text

    def need(self) -> Any:
        if self.failed:
            raise RuntimeError(self.failed)
        if not self.ready.is_set():
            raise RuntimeError(f"The index is not ready yet. {self.status}")
        return self.assistant

    def documents(self) -> list:
        return self.assistant.documents() if self.ready.is_set() else []

    def document(self, doc_id: str) -> tuple[Any, str, list]:
        """The manifest record, cleaned text and page spans of one document."""
        store = self.need().store
        got = store.document(doc_id)
        if got is None:
            return None, "", []
        pages = {p.number: p for ch in store.get_chunks(store.chunk_ids_of(doc_id)) for p in ch.pages}
        return got[0], got[1], [pages[n] for n in sorted(pages)]

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


def _call(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, BaseException | None]:
    """(fn(*args, **kwargs), None), or (None, the exception it raised): for a worker thread."""
    try:
        return fn(*args, **kwargs), None
    except BaseException as exc:                     # handed to the thread that reports it
        return None, exc


def remove_upload(path: Path, root: Path) -> None:
    """Delete an uploaded temp file and its (now empty) folder inside Gradio's upload folder."""
    try:
        path.unlink(missing_ok=True)
        parent = path.parent
        if parent != root and root in parent.parents and not any(parent.iterdir()):
            parent.rmdir()
    except OSError:
        pass


# -- the page ---------------------------------------------------------------------------------------

PASSAGE_HINT = ('<div class="passage-empty">Click a citation number in an answer to read the passage, '
                'highlighted, in its document.</div>')


def build(ws: Workspace, *, upload_root: Path, tmp: Path):  # -> gr.Blocks
    import gradio as gr

    from assistant.conversation import Turn, resolve
    from assistant.errors import AssistantError
    from assistant.pipeline import ask, delete, ingest
    from assistant.present import answer_dict, claims_csv
    from assistant.web.handlers import citation_for
    from assistant.web.html import claims_table_html, conversation_html, notice_html, passage_html
    from assistant.web.tables import (DOCUMENT_COLUMNS, REPORT_COLUMNS, document_label, documents_rows,
                                      ingest_summary, progress_rows, report_rows)
    from assistant.types import Filters

    def make_filters(types: list[str] | None, docs: list[str] | None, outlets: list[str] | None,
                     date_from: str | None, date_to: str | None, source: str | None) -> Filters:
        for d in (date_from, date_to):
            if d and not DATE.fullmatch(d.strip()):
                raise ValueError(f"Dates are written yyyy, yyyy-mm or yyyy-mm-dd (got “{d.strip()}”).")
        return Filters(doc_ids=tuple(docs or ()), outlets=tuple(outlets or ()),
                       date_from=(date_from or "").strip() or None, date_to=(date_to or "").strip() or None,
                       source_types=tuple(t for t in (types or ()) if t in SOURCE_TYPES),
                       source=(source or "").strip() or None)

    def doc_choices() -> tuple[list[tuple[str, str]], list[str]]:
        docs = ws.documents()
        return [(document_label(d), d.doc_id) for d in docs], sorted({d.meta.outlet for d in docs if d.meta.outlet})

    # -- chat --------------------------------------------------------------------------------------
    # `asked` holds the question being answered: {"text": …, "alone": True} when it is asked on its
    # own ("Ask as a new question"), not read in the light of the earlier ones.
    def on_submit(message: str, turns: list):
        message = (message or "").strip()
        if not message:
            return gr.skip(), None, gr.skip()
        return conversation_html(turns, pending=message), {"text": message, "alone": False}, ""

    def on_ask_new(turns: list, evt: gr.EventData):
        i = str((evt._data or {}).get("ask") or "")
        if not i.isdigit() or int(i) >= len(turns):
            return gr.skip(), None
        message = turns[int(i)].asked
        return conversation_html(turns, pending=message), {"text": message, "alone": True}

    def on_answer(asked: dict | None, turns: list, types, docs, outlets, date_from, date_to, source):
        message = ((asked or {}).get("text") or "").strip()
        if not message:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        resolved = resolve(message, [] if asked.get("alone") else [t.question for t in turns],
                           last=None if asked.get("alone") or not turns else turns[-1].answer)
        try:
            filters = make_filters(types, docs, outlets, date_from, date_to, source)
            answer = ask(resolved.question, assistant=ws.need(), filters=filters)
            turn = Turn(asked=message, question=resolved.question, answer=answer)
        except (AssistantError, RuntimeError, ValueError) as exc:
            turn = Turn(asked=message, question=resolved.question, answer=None, error=str(exc))
        turns = [*turns, turn]
        csv_path = None
        if turn.answer is not None and turn.answer.claims:
            folder = tmp / "claims" / uuid.uuid4().hex
            folder.mkdir(parents=True)
            csv_path = folder / "claims.csv"
            csv_path.write_text(claims_csv(turn.answer), encoding="utf-8")
        return (conversation_html(turns), turns, claims_table_html(turn.answer),
                gr.update(value=str(csv_path) if csv_path else None, interactive=csv_path is not None))

    def on_cite(turns: list, evt: gr.EventData):
        c = citation_for(turns, str((evt._data or {}).get("cite") or ""))
        if c is None:
            return gr.skip()
        try:
            record, text, pages = ws.document(c.doc_id)
        except RuntimeError as exc:
            return f'<div class="passage-empty">{exc}</div>'
        return passage_html(c, record, text, pages=pages)

    def on_clear():
        return (conversation_html([]), [], claims_table_html(None), gr.update(value=None, interactive=False),
                PASSAGE_HINT)

    # -- library ----------------------------------------------------------------------------------
    def on_add(files: list[str] | None):
        """A generator: the per-file rows say how far the upload has got while it is indexed (the
        document list stays as it is until the end); then the result of each file and a summary."""
        uploads = [Path(f) for f in files or []]
        skip6 = [gr.skip()] * 6
        if not uploads:
            yield gr.skip(), notice_html("Choose files first."), *skip6
            return
        if not ws.writer.acquire(blocking=False):
            yield ([], notice_html("The index is busy (being built or written); add the files again when the status "
                                   "line says Ready.", kind="error"), *skip6)
            return
        staged: list[Path] = []
        events: queue.SimpleQueue = queue.SimpleQueue()

        def work() -> None:                     # owns the writer lock and the uploaded files from here on
            try:
                events.put(("done", _call(ingest, staged, assistant=assistant,
                                          progress=lambda *e: events.put(("progress", e)))))
            finally:
                ws.writer.release()
                for p in [*uploads, *staged]:  # uploaded files never outlive their ingest
                    remove_upload(p, upload_root)

        try:
            assistant = ws.need()
            staged, names = ws.stage(uploads)
        except (RuntimeError, OSError) as exc:
            ws.writer.release()
            for p in uploads:
                remove_upload(p, upload_root)
            yield [], notice_html(f"Nothing was added: {exc}", kind="error"), *[gr.skip()] * 4, None, gr.skip()
            return
        shown = [names[str(p.resolve())] for p in staged]
        n = len(shown)
        threading.Thread(target=work, name="upload-ingest", daemon=True).start()
        yield (progress_rows(shown, read=0), notice_html(f"Indexing {n} file{'s' if n != 1 else ''}… (the first "
                                                         "upload also loads the language models)", kind="busy"),
               *skip6)
        while True:
            kind, data = events.get()
            if kind == "done":
                break
            stage, done, total = data
            if stage == "files" and total > 0 and done < total:
                yield progress_rows(shown, read=done), gr.skip(), *skip6
            elif stage == "keyword index" and done == 0:
                yield progress_rows(shown, read=n, stage=stage), gr.skip(), *skip6
        result, error = data
        if error is not None:
            if not isinstance(error, (AssistantError, RuntimeError, OSError)):
                raise error
            yield [], notice_html(f"Nothing was added: {error}", kind="error"), *[gr.skip()] * 4, None, gr.skip()
            return
        choices, outlets = doc_choices()
        ws.status = ws._ready_text()
        failed_all = result.count("failed") == len(result.files)
        yield (report_rows(result, names), notice_html(ingest_summary(result), kind="error" if failed_all else "info"),
               documents_rows(ws.documents()), gr.update(choices=choices), gr.update(choices=choices),
               gr.update(choices=outlets), None, status_line())

    def on_delete(doc_ids: list[str] | None):
        if not doc_ids:
            return notice_html("Choose documents to delete first."), *[gr.skip()] * 5
        if not ws.writer.acquire(blocking=False):
            return notice_html("The index is busy; try again in a moment.", kind="error"), *[gr.skip()] * 5
        try:
            n = delete(doc_ids, assistant=ws.need())
        except (AssistantError, RuntimeError) as exc:
            return notice_html(f"Nothing was deleted: {exc}", kind="error"), *[gr.skip()] * 5
        finally:
            ws.writer.release()
        choices, outlets = doc_choices()
        ws.status = ws._ready_text()
        return (notice_html(f"Deleted {n} document{'s' if n != 1 else ''}."), documents_rows(ws.documents()),
                gr.update(choices=choices, value=[]), gr.update(choices=choices, value=[]),
                gr.update(choices=outlets), status_line())

    def status_line() -> str:
        cls = "ready" if ws.ready.is_set() else "failed" if ws.failed else "loading"
        return f'<div id="status-line" class="{cls}">{_escape(ws.status)}</div>'

    def on_tick():
        line = status_line()
        if not (ws.ready.is_set() or ws.failed):
            return line, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        choices, outlets = doc_choices()
        return (line, gr.Timer(active=False), documents_rows(ws.documents()), gr.update(choices=choices),
                gr.update(choices=choices), gr.update(choices=outlets))

    # -- API ----------------------------------------------------------------------------------------
    def ask_api(question: str, k: int = 5, source: str = "", source_types: list[str] | None = None,
                outlets: list[str] | None = None, doc_ids: list[str] | None = None, date_from: str = "",
                date_to: str = "") -> str:
        """Answer a question from the indexed reports. Returns the JSON text `assistant ask --json`
        prints (a string: gradio_client would otherwise try to download every "path" in it)."""
        try:
            filters = make_filters(source_types, doc_ids, outlets, date_from, date_to, source)
            data = answer_dict(ask(question, assistant=ws.need(), k=k or None, filters=filters))
        except (AssistantError, RuntimeError, ValueError) as exc:
            data = {"question": question, "error": str(exc), "answerable": False, "text": str(exc),
                    "citations": [], "claims": []}
        return json.dumps(data, ensure_ascii=False)

    private = dict(api_visibility="private")
    with gr.Blocks(title="Conflict reports: who said what", fill_width=True, delete_cache=(3600, 6 * 3600)) as demo:
        gr.HTML("<h1 style='margin:0'>Conflict reports: who said what</h1>"
                "<p style='margin:2px 0 0'>Answers quote the reports verbatim and say who makes each claim. "
                "When sources disagree, their accounts are shown side by side; when the reports are silent, "
                "the answer says so.</p>", js_on_load=None)
        status = gr.HTML(f'<div id="status-line">{_escape(ws.status)}</div>', js_on_load=None)
        turns = gr.State([])
        asked = gr.State(None)
        timer = gr.Timer(1.0)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=420):
                        chat = gr.HTML(conversation_html([]), js_on_load=_static("chat.js"), elem_id="chat",
                                       min_height=240, container=True, padding=True)
                        with gr.Row():
                            question = gr.Textbox(placeholder="Ask a question about the reports…",
                                                  show_label=False, lines=1, max_lines=4, scale=5,
                                                  elem_id="question", autofocus=True)
                            send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask-button")
                            clear = gr.Button("New conversation", scale=1, min_width=120, elem_id="clear-button")
                        with gr.Accordion("Filters", open=False, elem_id="filters"):
                            with gr.Row():
                                f_types = gr.CheckboxGroup(SOURCE_TYPES, label="Source type", elem_id="f-types")
                            with gr.Row():
                                f_docs = gr.Dropdown([], multiselect=True, label="Documents", elem_id="f-docs")
                                f_outlets = gr.Dropdown([], multiselect=True, label="Outlet", elem_id="f-outlets")
                            with gr.Row():
                                f_source = gr.Textbox(label="Source name contains", elem_id="f-source")
                                f_from = gr.Textbox(label="From date (yyyy[-mm[-dd]])", elem_id="f-from")
                                f_to = gr.Textbox(label="To date", elem_id="f-to")
                    with gr.Column(scale=2, min_width=340):
                        gr.HTML("<h3 style='margin:0'>Passage in its document</h3>", js_on_load=None)
                        passage = gr.HTML(PASSAGE_HINT, js_on_load=_static("passage.js"), elem_id="passage",
                                          container=True, padding=True, min_height=200)
                with gr.Accordion("Claims in this answer", open=True, elem_id="claims"):
                    claims = gr.HTML(claims_table_html(None), elem_id="claims-table", js_on_load=None)
                    download = gr.DownloadButton("Download claims (CSV)", value=None, interactive=False,
                                                 size="sm", elem_id="claims-csv")
            with gr.Tab("Library", id="library"):
                gr.Markdown("Add PDF, text, Markdown, HTML, JSON or JSONL files. A file uploaded again under the "
                            "same name replaces its earlier version; identical content is reported as a duplicate.")
                files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Documents to add",
                                elem_id="upload")
                add = gr.Button("Add to the library", variant="primary", elem_id="add-button")
                summary = gr.HTML("", elem_id="ingest-summary", js_on_load=None)
                results = gr.Dataframe(headers=list(REPORT_COLUMNS), value=[], interactive=False, wrap=True,
                                       datatype="str", label="Result per file", elem_id="ingest-results")
                documents = gr.Dataframe(headers=list(DOCUMENT_COLUMNS), value=[], interactive=False, wrap=True,
                                         datatype="str", label="Indexed documents", elem_id="documents",
                                         max_height=420, show_search="search")
                with gr.Row():
                    to_delete = gr.Dropdown([], multiselect=True, label="Documents to delete", scale=4,
                                            elem_id="delete-picker")
                    remove = gr.Button("Delete selected", variant="stop", scale=1, elem_id="delete-button")
                deleted = gr.HTML("", elem_id="delete-summary", js_on_load=None)

        filters = [f_types, f_docs, f_outlets, f_from, f_to, f_source]
        for trigger in (question.submit, send.click):
            trigger(on_submit, [question, turns], [chat, asked, question], queue=False, **private).then(
                on_answer, [asked, turns, *filters], [chat, turns, claims, download],
                concurrency_id="ask", concurrency_limit=2, **private)
        chat.click(on_cite, [turns], [passage], concurrency_id="view", concurrency_limit=4, **private)
        chat.click(on_ask_new, [turns], [chat, asked], queue=False, **private).then(     # "Ask as a new question"
            on_answer, [asked, turns, *filters], [chat, turns, claims, download],
            concurrency_id="ask", concurrency_limit=2, **private)
        clear.click(on_clear, None, [chat, turns, claims, download, passage], queue=False, **private)
        add.click(on_add, [files], [results, summary, documents, f_docs, to_delete, f_outlets, files, status],
                  concurrency_id="writer", concurrency_limit=1, show_progress="hidden", **private)
        files.upload(lambda: ([], ""), None, [results, summary], queue=False, **private)
        remove.click(on_delete, [to_delete], [deleted, documents, to_delete, f_docs, f_outlets, status],
                     concurrency_id="writer", concurrency_limit=1, **private)
        timer.tick(on_tick, None, [status, timer, documents, f_docs, to_delete, f_outlets], queue=False, **private)
        demo.load(on_tick, None, [status, timer, documents, f_docs, to_delete, f_outlets], queue=False, **private)
        gr.api(ask_api, api_name="ask", concurrency_id="ask", concurrency_limit=2)
    return demo


def _static(name: str) -> str:
    from assistant.web import STATIC
    return (STATIC / name).read_text(encoding="utf-8")


def _escape(text: str) -> str:
    import html
    return html.escape(text, quote=True)


DEFAULT_PORT = 7860


def port_is_free(host: str, port: int) -> bool:
    """Nothing listens on `port` at `host` (as far as a bind says; the server's own bind decides)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def choose_port(host: str, asked: int | None) -> int:
    """`asked` if given and free (else exit saying so); without --port the first free one from 7860."""
    if asked is not None:
        if port_is_free(host, asked):
            return asked
        sys.exit(f"Port {asked} on {host} is in use (another ./run.sh or app.py?). Choose another with "
                 f"--port, e.g. --port {asked + 1}.")
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 40):
        if port_is_free(host, port):
            if port != DEFAULT_PORT:
                print(f"Port {DEFAULT_PORT} is in use (another ./run.sh or app.py?); using {port} instead "
                      "(choose one with --port).", flush=True)
            return port
    sys.exit(f"Ports {DEFAULT_PORT}-{DEFAULT_PORT + 39} on {host} are all in use; choose one with --port.")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    ap.add_argument("--port", type=int, default=None,
                    help=f"port (default {DEFAULT_PORT}, or the next free one when it is taken)")
    ap.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                    help="a host name the page may be opened under besides the bound address and localhost "
                         "(repeatable; e.g. the name of a reverse proxy)")
    ap.add_argument("--auth", help="user:password required to open the page")
    ap.add_argument("--index", help="index folder (default: $ASSISTANT_INDEX or ~/.local/share/assistant/index)")
    ap.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    ap.add_argument("--corpus", default=str(HERE / "corpus"), help="folder indexed when the index is empty")
    ap.add_argument("--max-upload-mb", type=int, default=50, help="largest file the page accepts (default 50)")
    args = ap.parse_args(argv)
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not (sep and user and password):
            ap.error("--auth must be user:password")
        auth = (user, password)
    port = choose_port(args.host, args.port)
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    url = f"http://{'[' + shown_host + ']' if ':' in shown_host else shown_host}:{port}/"

    # Gradio serves files only from its upload folder: a private one for this process, removed on exit.
    tmp = Path(tempfile.mkdtemp(prefix="assistant-web-")).resolve()
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))          # so the folder is removed on kill too
    os.environ["GRADIO_TEMP_DIR"] = str(tmp)
    # Gradio checks the page it has just started over HTTP: never through an HTTP(S)_PROXY (offline
    # behind an unreachable proxy, the start would fail).
    local = ["127.0.0.1", "localhost", "::1"] + ([args.host] if args.host not in ("0.0.0.0", "::", "") else [])
    for var in ("NO_PROXY", "no_proxy"):
        os.environ[var] = ",".join(dict.fromkeys([*filter(None, os.environ.get(var, "").split(",")), *local]))

    import gradio as gr
    from starlette.middleware import Middleware

    from assistant.web import STATIC
    from assistant.web.guard import Guard, HostPolicy

    settings = Settings.from_env(index_dir=args.index, chroma_url=args.chroma_url)
    key = hashlib.sha256(f"{settings.chroma_url or settings.index_dir}|{settings.collection}".encode()).hexdigest()
    ws = Workspace(settings, corpus=Path(args.corpus) if args.corpus else None,
                   staging=settings.cache_dir / "uploads" / key[:16], url=url)
    demo = build(ws, upload_root=tmp, tmp=tmp)
    demo.queue(default_concurrency_limit=2, max_size=64)
    hosts = HostPolicy.for_binding(args.host, allow=args.allow_host)
    guard = Middleware(Guard, allowed_files=str(tmp), hosts=hosts,
                       hint=f"Open {url} or start the app with --allow-host NAME.")
    try:
        demo.launch(server_name=args.host, server_port=port, auth=auth, share=False, ssr_mode=False,
                    max_file_size=f"{args.max_upload_mb}mb", css_paths=[STATIC / "page.css"], show_error=True,
                    quiet=True, theme=gr.themes.Default(primary_hue="blue"), footer_links=["api"],
                    app_kwargs={"middleware": [guard]}, prevent_thread_lock=True)
    except OSError as exc:
        sys.exit(f"The web chat could not start on {args.host}:{port} ({exc}); choose another port with --port.")
    print(f"Web chat on {url} (index: {settings.chroma_url or settings.index_dir}); it says here when it is ready. "
          "Ctrl+C stops it.", flush=True)
    ws.start()          # after the page is up: opening (or building) the index must not delay it
    demo.block_thread()


if __name__ == "__main__":
    main()

"""The web page: the Gradio Blocks layout and its wiring (the only module of the package that
imports Gradio). Each event calls a plain function of `handlers` and turns its result into the
page's updates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ..types import SOURCE_TYPES
from . import STATIC
from .handlers import (
    FilterForm,
    answer_turn,
    ask_json,
    asked_again,
    choices,
    claims_csv_file,
    delete_documents,
    index_uploads,
    passage_for,
)
from .html import PAGE_HEAD, PASSAGE_HEAD, PASSAGE_HINT, claims_table_html, conversation_html, status_html
from .tables import DOCUMENT_COLUMNS, REPORT_COLUMNS, documents_rows
from .workspace import Workspace

UPLOAD_TYPES = [".pdf", ".txt", ".md", ".html", ".htm", ".json", ".jsonl"]
PRIVATE = {"api_visibility": "private"}


def static(name: str) -> str:
    """The text of one of the page's static files (its JavaScript)."""
    return (STATIC / name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class AskTab:
    """The widgets of the Ask tab that events read or update."""

    chat: Any
    question: Any
    send: Any
    clear: Any
    filters: list[Any]  # source types, documents, outlets, from, to, source name
    passage: Any
    claims: Any
    download: Any

    @property
    def f_docs(self) -> Any:
        return self.filters[1]

    @property
    def f_outlets(self) -> Any:
        return self.filters[2]


@dataclass(frozen=True, slots=True)
class LibraryTab:
    """The widgets of the Library tab that events read or update."""

    files: Any
    add: Any
    summary: Any
    results: Any
    documents: Any
    to_delete: Any
    remove: Any
    deleted: Any


class Events:
    """The page's event handlers: each reads the widgets' values, calls `handlers`, and returns the
    widgets' updates (`gr.skip()` for the ones that stay as they are)."""

    def __init__(self, ws: Workspace, *, upload_root: Path, tmp: Path) -> None:
        self.ws, self.upload_root, self.tmp = ws, upload_root, tmp

    # -- chat ----------------------------------------------------------------------------------------
    # `asked` holds the question being answered: {"text": …, "alone": True} when it is asked on its
    # own ("Ask as a new question"), not read in the light of the earlier ones.
    def submit(self, message: str, turns: list):
        message = (message or "").strip()
        if not message:
            return gr.skip(), None, gr.skip()
        return conversation_html(turns, pending=message), {"text": message, "alone": False}, ""

    def ask_new(self, turns: list, evt: gr.EventData):
        message = asked_again(turns, str((evt._data or {}).get("ask") or ""))
        if message is None:
            return gr.skip(), None
        return conversation_html(turns, pending=message), {"text": message, "alone": True}

    def answer(self, asked: dict | None, turns: list, types, docs, outlets, date_from, date_to, source):
        message = ((asked or {}).get("text") or "").strip()
        if not message:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        form = FilterForm(types, docs, outlets, date_from, date_to, source)
        turn = answer_turn(self.ws, message, turns, alone=bool(asked.get("alone")), form=form)
        turns = [*turns, turn]
        csv_path = claims_csv_file(turn.answer, self.tmp)
        return (
            conversation_html(turns),
            turns,
            claims_table_html(turn.answer),
            gr.update(value=str(csv_path) if csv_path else None, interactive=csv_path is not None),
        )

    def cite(self, turns: list, evt: gr.EventData):
        shown = passage_for(self.ws, turns, str((evt._data or {}).get("cite") or ""))
        return gr.skip() if shown is None else shown

    def clear(self):
        return (
            conversation_html([]),
            [],
            claims_table_html(None),
            gr.update(value=None, interactive=False),
            PASSAGE_HINT,
        )

    # -- library -------------------------------------------------------------------------------------
    def status(self) -> str:
        return status_html(self.ws.status, state=self.ws.state)

    def add(self, files: list[str] | None):
        """A generator: the per-file rows say how far the upload has got while it is indexed (the
        document list stays as it is until the end); then the result of each file and a summary."""
        for step in index_uploads(self.ws, [Path(f) for f in files or []], upload_root=self.upload_root):
            rows = gr.skip() if step.rows is None else step.rows
            notice = gr.skip() if step.notice is None else step.notice
            if step.report is not None:
                got = choices(self.ws)
                yield (
                    rows,
                    notice,
                    documents_rows(self.ws.documents()),
                    gr.update(choices=got.documents),
                    gr.update(choices=got.documents),
                    gr.update(choices=got.outlets),
                    None,
                    self.status(),
                )
            elif step.clear:
                yield rows, notice, *[gr.skip()] * 4, None, gr.skip()
            else:
                yield rows, notice, *[gr.skip()] * 6

    def delete(self, doc_ids: list[str] | None):
        done = delete_documents(self.ws, doc_ids)
        if not done.changed:
            return done.notice, *[gr.skip()] * 5
        got = choices(self.ws)
        return (
            done.notice,
            documents_rows(self.ws.documents()),
            gr.update(choices=got.documents, value=[]),
            gr.update(choices=got.documents, value=[]),
            gr.update(choices=got.outlets),
            self.status(),
        )

    def tick(self):
        line = self.status()
        if not (self.ws.ready.is_set() or self.ws.failed):
            return line, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        got = choices(self.ws)
        return (
            line,
            gr.Timer(active=False),
            documents_rows(self.ws.documents()),
            gr.update(choices=got.documents),
            gr.update(choices=got.documents),
            gr.update(choices=got.outlets),
        )


def build(ws: Workspace, *, upload_root: Path, tmp: Path) -> gr.Blocks:
    """The page over `ws`; uploads arrive under `upload_root`, claims CSV files are written under `tmp`."""
    on = Events(ws, upload_root=upload_root, tmp=tmp)

    def ask_api(
        question: str,
        k: int = 5,
        source: str = "",
        source_types: list[str] | None = None,
        outlets: list[str] | None = None,
        doc_ids: list[str] | None = None,
        date_from: str = "",
        date_to: str = "",
    ) -> str:
        """Answer a question from the indexed reports. Returns the JSON text `assistant ask --json`
        prints (a string: gradio_client would otherwise try to download every "path" in it)."""
        return ask_json(ws, question, k=k, form=FilterForm(source_types, doc_ids, outlets, date_from, date_to, source))

    with gr.Blocks(title="Conflict reports: who said what", fill_width=True, delete_cache=(3600, 6 * 3600)) as demo:
        gr.HTML(PAGE_HEAD, elem_id="page-head", js_on_load=None)
        status = gr.HTML(status_html(ws.status), js_on_load=None)
        turns = gr.State([])
        asked = gr.State(None)
        timer = gr.Timer(1.0)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                ask = _ask_tab()
            with gr.Tab("Library", id="library"):
                lib = _library_tab()

        chat, answer_out = ask.chat, [ask.chat, turns, ask.claims, ask.download]
        for trigger in (ask.question.submit, ask.send.click):
            trigger(on.submit, [ask.question, turns], [chat, asked, ask.question], queue=False, **PRIVATE).then(
                on.answer,
                [asked, turns, *ask.filters],
                answer_out,
                concurrency_id="ask",
                concurrency_limit=2,
                **PRIVATE,
            )
        chat.click(on.cite, [turns], [ask.passage], concurrency_id="view", concurrency_limit=4, **PRIVATE)
        chat.click(on.ask_new, [turns], [chat, asked], queue=False, **PRIVATE).then(  # "Ask as a new question"
            on.answer, [asked, turns, *ask.filters], answer_out, concurrency_id="ask", concurrency_limit=2, **PRIVATE
        )
        ask.clear.click(on.clear, None, [chat, turns, ask.claims, ask.download, ask.passage], queue=False, **PRIVATE)
        pickers = [lib.documents, ask.f_docs, lib.to_delete, ask.f_outlets]
        lib.add.click(
            on.add,
            [lib.files],
            [lib.results, lib.summary, *pickers, lib.files, status],
            concurrency_id="writer",
            concurrency_limit=1,
            show_progress="hidden",
            **PRIVATE,
        )
        lib.files.upload(lambda: ([], ""), None, [lib.results, lib.summary], queue=False, **PRIVATE)
        lib.remove.click(
            on.delete,
            [lib.to_delete],
            [lib.deleted, lib.documents, lib.to_delete, ask.f_docs, ask.f_outlets, status],
            concurrency_id="writer",
            concurrency_limit=1,
            **PRIVATE,
        )
        timer.tick(on.tick, None, [status, timer, *pickers], queue=False, **PRIVATE)
        demo.load(on.tick, None, [status, timer, *pickers], queue=False, **PRIVATE)
        gr.api(ask_api, api_name="ask", concurrency_id="ask", concurrency_limit=2)
    return demo


def _ask_tab() -> AskTab:
    """The Ask tab: the conversation, the question box, the filters, the passage pane, the claims."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            chat = gr.HTML(
                conversation_html([]),
                js_on_load=static("chat.js"),
                elem_id="chat",
                min_height=240,
                container=True,
                padding=True,
            )
            with gr.Row():
                question = gr.Textbox(
                    placeholder="Ask a question about the reports…",
                    show_label=False,
                    lines=1,
                    max_lines=4,
                    scale=5,
                    elem_id="question",
                    autofocus=True,
                )
                send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask-button")
                clear = gr.Button("New conversation", scale=1, min_width=120, elem_id="clear-button")
            with gr.Accordion("Filters", open=False, elem_id="filters"):
                with gr.Row():
                    f_types = gr.CheckboxGroup(list(SOURCE_TYPES), label="Source type", elem_id="f-types")
                with gr.Row():
                    f_docs = gr.Dropdown([], multiselect=True, label="Documents", elem_id="f-docs")
                    f_outlets = gr.Dropdown([], multiselect=True, label="Outlet", elem_id="f-outlets")
                with gr.Row():
                    f_source = gr.Textbox(label="Source name contains", elem_id="f-source")
                    f_from = gr.Textbox(label="From date (yyyy[-mm[-dd]])", elem_id="f-from")
                    f_to = gr.Textbox(label="To date", elem_id="f-to")
        with gr.Column(scale=2, min_width=340):
            gr.HTML(PASSAGE_HEAD, elem_id="passage-head", js_on_load=None)
            passage = gr.HTML(
                PASSAGE_HINT,
                js_on_load=static("passage.js"),
                elem_id="passage",
                container=True,
                padding=True,
                min_height=200,
            )
    with gr.Accordion("Claims in this answer", open=True, elem_id="claims"):
        claims = gr.HTML(claims_table_html(None), elem_id="claims-table", js_on_load=None)
        download = gr.DownloadButton(
            "Download claims (CSV)", value=None, interactive=False, size="sm", elem_id="claims-csv"
        )
    return AskTab(
        chat=chat,
        question=question,
        send=send,
        clear=clear,
        filters=[f_types, f_docs, f_outlets, f_from, f_to, f_source],
        passage=passage,
        claims=claims,
        download=download,
    )


def _library_tab() -> LibraryTab:
    """The Library tab: upload, the result per file, the indexed documents, delete."""
    gr.Markdown(
        "Add PDF, text, Markdown, HTML, JSON or JSONL files. A file uploaded again under the "
        "same name replaces its earlier version; identical content is reported as a duplicate."
    )
    files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Documents to add", elem_id="upload")
    add = gr.Button("Add to the library", variant="primary", elem_id="add-button")
    summary = gr.HTML("", elem_id="ingest-summary", js_on_load=None)
    results = gr.Dataframe(
        headers=list(REPORT_COLUMNS),
        value=[],
        interactive=False,
        wrap=True,
        datatype="str",
        label="Result per file",
        elem_id="ingest-results",
    )
    documents = gr.Dataframe(
        headers=list(DOCUMENT_COLUMNS),
        value=[],
        interactive=False,
        wrap=True,
        datatype="str",
        label="Indexed documents",
        elem_id="documents",
        max_height=420,
        show_search="search",
    )
    with gr.Row():
        to_delete = gr.Dropdown([], multiselect=True, label="Documents to delete", scale=4, elem_id="delete-picker")
        remove = gr.Button("Delete selected", variant="stop", scale=1, elem_id="delete-button")
    deleted = gr.HTML("", elem_id="delete-summary", js_on_load=None)
    return LibraryTab(
        files=files,
        add=add,
        summary=summary,
        results=results,
        documents=documents,
        to_delete=to_delete,
        remove=remove,
        deleted=deleted,
    )

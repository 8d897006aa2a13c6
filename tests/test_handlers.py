"""The web page's handlers (assistant/web/handlers.py) as plain functions: no Gradio, no browser.
A real index in a temporary folder, built from the seed article by the workspace's own startup."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.pipeline import Turn
from assistant.present import CLAIM_COLUMNS, answer_dict
from assistant.types import Filters
from assistant.web.handlers import (
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
from assistant.web.workspace import Workspace

from .conftest import SEED

QUESTION = "How many Wagner fighters were killed?"
KIDAL = (
    "Water shortages hit Kidal as wells run dry\n\nThe regional water authority said on Monday that 14 of the "
    "22 public wells in Kidal had run dry since March, leaving about 9,000 residents without a reliable "
    "supply.\n"
)


@pytest.mark.parametrize(
    "form, filters",
    [
        (FilterForm(), Filters()),
        (
            FilterForm(
                types=["military", "not a type"],
                docs=["d1"],
                outlets=["RFI"],
                date_from=" 2024 ",
                date_to="2024-07-31",
                source="  army ",
            ),
            Filters(
                doc_ids=("d1",),
                outlets=("RFI",),
                date_from="2024",
                date_to="2024-07-31",
                source_types=("military",),
                source="army",
            ),
        ),
        (FilterForm(date_from="", date_to=None, source=" "), Filters()),
    ],
)
def test_filter_form_gives_the_filters_it_means(form: FilterForm, filters: Filters):
    assert form.filters() == filters


@pytest.mark.parametrize("date", ["July 2024", "2024/07", "24-07-01", "2024-7"])
def test_filter_form_refuses_a_malformed_date(date: str):
    with pytest.raises(ValueError, match="Dates are written yyyy, yyyy-mm or yyyy-mm-dd"):
        FilterForm(date_to=date).filters()


def test_asked_again_names_a_turn_by_its_index():
    turns = [Turn(asked="And the army?", question="What did the army say?", answer=None, error="x")]
    assert asked_again(turns, "0") == "And the army?"
    assert asked_again(turns, "1") is None
    assert asked_again(turns, "-1") is None
    assert asked_again(turns, "") is None


def test_no_csv_file_without_claims(tmp_path: Path):
    assert claims_csv_file(None, tmp_path) is None
    assert not (tmp_path / "claims").exists()


# -- a workspace that is not open ---------------------------------------------------------------------


@pytest.fixture
def closed(tmp_path: Path, settings: Settings) -> Workspace:
    return Workspace(settings, corpus=None, staging=tmp_path / "staging")


def test_before_the_index_is_ready_every_handler_says_so(closed: Workspace, tmp_path: Path):
    turn = answer_turn(closed, QUESTION, [], alone=False, form=FilterForm())
    assert turn.answer is None and turn.error.startswith("The index is not ready yet.")
    data = json.loads(ask_json(closed, QUESTION, k=None, form=FilterForm()))
    assert data == {
        "question": QUESTION,
        "error": turn.error,
        "answerable": False,
        "text": turn.error,
        "citations": [],
        "claims": [],
    }
    assert "Nothing was deleted: The index is not ready yet." in delete_documents(closed, ["x"]).notice
    assert not closed.writer.locked()
    upload = tmp_path / "uploads" / "one" / "kidal.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text(KIDAL, encoding="utf-8")
    steps = list(index_uploads(closed, [upload], upload_root=tmp_path / "uploads"))
    assert len(steps) == 1 and steps[0].clear and steps[0].rows == []
    assert "Nothing was added: The index is not ready yet." in steps[0].notice
    assert not upload.exists() and not upload.parent.exists() and not closed.writer.locked()


def test_nothing_chosen_is_said_before_the_index_is_asked(closed: Workspace, tmp_path: Path):
    steps = list(index_uploads(closed, [], upload_root=tmp_path))
    assert [(s.rows, s.clear) for s in steps] == [(None, False)] and "Choose files first." in steps[0].notice
    assert delete_documents(closed, []).changed is False
    assert "Choose documents to delete first." in delete_documents(closed, None).notice


# -- a workspace over a real index ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Workspace:
    """A workspace whose startup builds its index from a folder holding the seed article."""
    corpus = tmp_path_factory.mktemp("handlers-corpus")
    (corpus / SEED.name).write_bytes(SEED.read_bytes())
    folder = tmp_path_factory.mktemp("handlers")
    settings = Settings.from_env(index_dir=folder / "index", cache_dir=cache_dir)
    ws = Workspace(settings, corpus=corpus, staging=folder / "staging")
    ws.start()
    assert ws.ready.wait(600), ws.status
    return ws


def test_startup_builds_the_index_and_says_it_is_ready(ws: Workspace):
    assert ws.state == "ready" and ws.status == "Ready: 1 document indexed."
    got = choices(ws)
    assert [doc_id for _, doc_id in got.documents] == [d.doc_id for d in ws.documents()]


def test_a_question_is_answered_and_its_citation_opens_in_the_document(ws: Workspace, tmp_path: Path):
    turn = answer_turn(ws, QUESTION, [], alone=False, form=FilterForm())
    assert turn.error is None and turn.answer is not None and turn.answer.citations
    html = passage_for(ws, [turn], "0:1")
    assert html is not None and '<mark class="hl' in html and turn.answer.citations[0].title in html
    assert passage_for(ws, [turn], "0:99") is None and passage_for(ws, [turn], "nonsense") is None
    path = claims_csv_file(turn.answer, tmp_path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert path.name == "claims.csv" and rows[0] == list(CLAIM_COLUMNS) and len(rows) == len(turn.answer.claims) + 1


def test_a_follow_up_is_read_in_the_light_of_the_earlier_question_unless_asked_alone(ws: Workspace):
    first = answer_turn(ws, "How many Wagner fighters were killed at Tinzaouatene?", [], alone=False, form=FilterForm())
    follow = answer_turn(ws, "And what did the army say?", [first], alone=False, form=FilterForm())
    assert "Wagner" in follow.question and "army" in follow.question
    alone = answer_turn(ws, "And what did the army say?", [first], alone=True, form=FilterForm())
    assert alone.question == "And what did the army say?"


def test_a_malformed_date_is_a_turn_that_says_so(ws: Workspace):
    turn = answer_turn(ws, QUESTION, [], alone=False, form=FilterForm(date_from="July"))
    assert turn.answer is None and "Dates are written" in turn.error


def test_the_api_answer_is_the_cli_json(ws: Workspace):
    from assistant.pipeline import ask

    got = json.loads(ask_json(ws, QUESTION, k=3, form=FilterForm()))
    assert got == answer_dict(ask(QUESTION, assistant=ws.need(), k=3))


def test_upload_then_delete(ws: Workspace, tmp_path: Path):
    root = tmp_path / "uploads"
    upload = root / "abc" / "kidal water.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text(KIDAL, encoding="utf-8")
    steps = list(index_uploads(ws, [upload], upload_root=root))
    assert steps[0].rows == [["kidal water.txt", "reading…", "", "", ""]] and "Indexing 1 file…" in steps[0].notice
    last = steps[-1]
    assert last.report is not None and last.clear and last.report.count("added") == 1
    assert last.rows[0][:2] == ["kidal water.txt", "added"] and "The new document is searchable now." in last.notice
    assert ws.status == "Ready: 2 documents indexed."
    for _ in range(100):  # the ingest thread lets go of the index, then removes the files
        if not (upload.exists() or upload.parent.exists() or list(ws.staging.glob("*"))):
            break
        time.sleep(0.1)
    assert not upload.exists() and not upload.parent.exists() and not list(ws.staging.glob("*"))

    new = [d.doc_id for d in ws.documents() if d.meta.title == "Water shortages hit Kidal as wells run dry"]
    done = delete_documents(ws, new)
    assert done.changed and "Deleted 1 document." in done.notice
    assert ws.status == "Ready: 1 document indexed." and not ws.writer.locked()


def test_a_busy_index_refuses_a_second_writer(ws: Workspace, tmp_path: Path):
    with ws.writer:
        steps = list(index_uploads(ws, [tmp_path / "x.txt"], upload_root=tmp_path))
        assert steps[0].rows == [] and "The index is busy" in steps[0].notice
        assert "The index is busy; try again in a moment." in delete_documents(ws, ["x"]).notice

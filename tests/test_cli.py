"""The command line, as other programs use it: JSON in, JSON out."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import SEED, read_jsonl

pytestmark = pytest.mark.slow  # subprocesses, kill loops, large and hostile files


def run(*args: str, input: str | None = None, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1", **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_ask_json_lines_from_stdin(seeded):
    questions = [
        "How many Wagner fighters were killed?",
        "How many civilians were killed in the Tinzaouatene fighting?",
        "Who is the spokesperson of the CSP-PSD alliance?",
    ]
    p = run(
        "ask",
        "--json",
        "-",
        "--index",
        str(seeded.settings.index_dir),
        input="\n".join(questions) + "\n",
        env_extra={"ASSISTANT_CACHE": str(seeded.settings.cache_dir)},
    )
    assert p.returncode == 0, p.stderr[-2000:]
    answers = read_jsonl(p.stdout)
    assert [a["question"] for a in answers] == questions
    assert answers[0]["answerable"] and answers[0]["claims"]
    assert answers[1]["answerable"] is False and answers[1]["claims"] == []
    assert any("Ramadane" in c["quote"] for c in answers[2]["citations"])


def test_attributions_command(tmp_path):
    p = run("attributions", str(SEED), "--json")
    assert p.returncode == 0, p.stderr[-2000:]
    rows = json.loads(p.stdout)
    keys = {"sentence", "source", "source_resolved", "source_type", "cue", "stance", "content", "start", "end"}
    assert rows and all(keys <= set(r) for r in rows)
    baza = [r for r in rows if "Baza" in r["source"]]
    assert baza and baza[0]["cue"] == "reported" and baza[0]["source_type"] == "media"
    from assistant.clean import clean
    from assistant.load import load_file

    text = clean(load_file(SEED).documents[0]).text  # offsets point into the cleaned text
    assert all(r["sentence"] and text[r["start"] : r["end"]] == r["sentence"] for r in rows)


def test_ingest_reports_every_file_and_is_idempotent(tmp_path, cache_dir):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(SEED.read_text())
    (tmp_path / "docs" / "empty.txt").write_text("")
    (tmp_path / "docs" / "copy.txt").write_text(SEED.read_text())
    env = {"ASSISTANT_CACHE": str(cache_dir)}
    first = run("ingest", str(tmp_path / "docs"), "--index", str(tmp_path / "idx"), "--json", "--quiet", env_extra=env)
    report = json.loads(first.stdout)
    status = {os.path.basename(f["path"]): f["status"] for f in report["files"]}
    assert status == {"a.txt": "added", "copy.txt": "duplicate", "empty.txt": "failed"}
    assert first.returncode == 1  # one file failed
    second = run("ingest", str(tmp_path / "docs"), "--index", str(tmp_path / "idx"), "--json", "--quiet", env_extra=env)
    again = {os.path.basename(f["path"]): f["status"] for f in json.loads(second.stdout)["files"]}
    assert again == {"a.txt": "unchanged", "copy.txt": "duplicate", "empty.txt": "failed"}


def test_ask_says_when_an_ingest_is_still_writing_the_index(settings):
    """During an ingest (here: this process holding the index's writer claim) the answers come from
    the documents stored so far, and the command line says so; afterwards it does not."""
    from assistant.pipeline import open_assistant, writer_lock

    assistant = open_assistant(settings)
    args = ("ask", "--json", "How many Wagner fighters were killed?", "--index", str(settings.index_dir))
    env = {"ASSISTANT_CACHE": str(settings.cache_dir)}
    with writer_lock(assistant):
        during = run(*args, env_extra=env)
    after = run(*args, env_extra=env)
    assert during.returncode == 0 and after.returncode == 0, during.stderr[-2000:] + after.stderr[-2000:]
    assert f"is being written by pid {os.getpid()}" in during.stderr and "stored so far" in during.stderr
    assert "being written" not in after.stderr
    assert json.loads(during.stdout)["answerable"] is False  # stdout stays pure JSON


def test_the_same_questions_in_two_processes_give_the_same_answers(seeded):
    """Each process rebuilds Chroma's approximate graph in its own way; the answers must not depend
    on it (nor on anything else that differs between processes)."""
    questions = [
        "How many Wagner fighters were killed?",
        "Who won the 2022 World Cup?",
        "What did the army claim on Thursday?",
        "What is the capital of France?",
        "What does the Sudan's letter of 2 May 2025 say about the Rapid Support militia?",
        "WHO ATTACKED THE FARM?",
        "How many rebels died in the fighting, according to the rebels?",
    ]
    runs = [
        run(
            "ask",
            "--json",
            "-",
            "--index",
            str(seeded.settings.index_dir),
            input="\n".join(questions) + "\n",
            env_extra={"ASSISTANT_CACHE": str(seeded.settings.cache_dir), "PYTHONHASHSEED": str(seed)},
        )
        for seed in (1, 2)
    ]
    assert all(p.returncode == 0 for p in runs), runs[0].stderr[-2000:]
    first, second = (read_jsonl(p.stdout) for p in runs)
    assert len(first) == len(questions)
    assert first == second

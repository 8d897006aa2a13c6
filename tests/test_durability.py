"""The index survives kill -9: an interrupted ingest leaves only complete documents, a fresh
process that opens the index repairs it and answers from it, and running the ingest again
reaches exactly the counts of a clean ingest. One writer at a time; updates and deletions take
their chunks, keyword entries and attributions with them.

The kill loop runs each ingest in a process forked from a forkserver that has already imported
the libraries (not loaded any model), so twenty kills stay affordable; one more kill is of the
real command line, started cold."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.config import Settings

from .conftest import SEED

pytestmark = pytest.mark.slow  # subprocesses, kill loops, large and hostile files

KILLS = 20
SYLLABLES = "ka ta ri mo lu se na bo di fa gu he ji ko me ni pu ro sa te".split()


def place(i: int) -> str:
    """A made-up town name, different for every i below 8,000."""
    return (SYLLABLES[i % 20] + SYLLABLES[(i // 20) % 20] + SYLLABLES[(i // 400) % 20] + "ru").capitalize()


def record(i: int) -> dict[str, str]:
    """A short report about one made-up town: ten sentences."""
    town = place(i)
    sentences = [
        f"On day {i % 300 + 1} of the offensive, the army said {(i * 37) % 500 + 3} fighters were killed near {town}."
    ]
    sentences += [
        f"Residents of {town} said the {what} stayed closed for {k + 2} days."
        for k, what in enumerate(
            ("market", "school", "clinic", "bridge", "mosque", "bakery", "bank", "post office", "bus station")
        )
    ]
    return {"id": f"d{i}", "title": f"Clash near {town}", "text": " ".join(sentences)}


RECORDS_PER_FILE = 70


@pytest.fixture(scope="session")
def durable_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three JSONL corpora of 70 short reports and six articles: over 2,000 chunks of about one
    sentence (16 word pieces; small chunks keep parsing and embedding cheap, while the index
    sees as many chunks and writes)."""
    folder = tmp_path_factory.mktemp("durable-source")
    for part in range(3):
        lines = [json.dumps(record(part * RECORDS_PER_FILE + i)) for i in range(RECORDS_PER_FILE)]
        (folder / f"part-{part}.jsonl").write_text("\n".join(lines) + "\n")
    seed = SEED.read_text()
    for n in range(6):
        (folder / f"article-{n}.txt").write_text(f"Dispatch {n}\n\n" + seed)
    return folder


def durable_settings(index_dir: Path, cache_dir: Path) -> Settings:
    return Settings.from_env(index_dir=index_dir, cache_dir=cache_dir, chunk_tokens=16, overlap_tokens=0)


def index_state(assistant: Any) -> dict[str, Any]:
    """What a process that has just opened the index finds in it."""
    from assistant.pipeline import ask

    store = assistant.store
    done = store.documents(state="done")
    chunks: dict[str, list[str]] = {}
    for cid, _, meta in store.iter_chunks():
        chunks.setdefault(meta["doc_id"], []).append(cid)
    assistant.refresh()
    asked = None
    jsonl = sorted((d for d in done if d.key), key=lambda d: d.key or "")
    if jsonl:
        i = int(jsonl[len(jsonl) // 2].key[1:])
        answer = ask(f"How many fighters were killed near {place(i)}?", assistant=assistant)
        asked = {"place": place(i), "quotes": [c.quote for c in answer.citations]}
    return {
        "done": {d.doc_id: [d.path, d.key, d.n_chunks] for d in done},
        "unfinished": store.unfinished(),
        "all_docs": len(store.documents(state=None)),
        "chunks": chunks,
        "lexical": sorted(assistant.lexical_index().ids),
        "lease": store.lease() is not None,
        "generation": store.generation(),
        "asked": asked,
    }


def _in_child(conn: Any, job: str, settings: Settings, source: str, workers: int | None) -> None:
    """Run in a forked process: open the index and report what it holds; for "ingest", then
    run the ingest again, reporting each stored batch."""
    from assistant.config import quiet_runtime
    from assistant.pipeline import ingest, open_assistant

    quiet_runtime()
    try:
        a = open_assistant(settings)
        conn.send(("state", index_state(a)))
        if job == "ingest":
            report = ingest(
                [Path(source)],
                assistant=a,
                workers=workers,
                progress=lambda stage, n, total: conn.send(("commit", n)) if stage == "chunks" else None,
            )
            conn.send(("done", [(f.path, f.status, f.chunks) for f in report.files]))
    except BaseException as exc:  # report everything to the test
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        raise


class Runner:
    """Forks index checks and ingests from a forkserver that has the libraries imported (no
    model loaded), so each is a fresh process that starts in a moment."""

    def __init__(self, settings: Settings, source: Path) -> None:
        self.settings, self.source = settings, source
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(["assistant.pipeline", "sentence_transformers", "spacy", __name__])

    def start(self, job: str, workers: int | None = 0) -> tuple[Any, Any]:
        here, there = self.ctx.Pipe(duplex=False)
        p = self.ctx.Process(target=_in_child, args=(there, job, self.settings, str(self.source), workers))
        p.start()
        there.close()
        return p, here

    @staticmethod
    def expect(conn: Any, kinds: tuple[str, ...]) -> tuple[str, Any]:
        """The next message of one of these kinds (batches stored before it are skipped)."""
        while True:
            if not conn.poll(300):
                raise AssertionError(f"no {kinds} in 300 s")
            kind, value = conn.recv()
            if kind == "error":
                raise AssertionError(value)
            if kind in kinds:
                return kind, value

    def state(self) -> dict[str, Any]:
        p, conn = self.start("state")
        try:
            return self.expect(conn, ("state",))[1]
        finally:
            p.join(60)

    def ingest(self) -> tuple[dict[str, Any], list]:
        """What a fresh process finds, and the report of its (whole) re-run."""
        p, conn = self.start("ingest")
        try:
            return self.expect(conn, ("state",))[1], self.expect(conn, ("done",))[1]
        finally:
            p.join(60)


def children_of(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def check_consistent(state: dict[str, Any], clean: dict[str, Any], *, same_chunking: bool = True) -> None:
    """Only complete documents, no duplicates, keyword index in step, answers given."""
    done, chunks = state["done"], state["chunks"]
    assert not state["unfinished"] and state["all_docs"] == len(done)  # repaired on open
    assert not state["lease"]
    assert set(done) <= set(clean["done"])
    assert len({(path, key) for path, key, _ in done.values()}) == len(done)  # no document twice
    assert set(chunks) == set(done)  # no chunk without its document
    for doc_id, (_, _, n) in done.items():
        assert sorted(chunks[doc_id]) == [f"{doc_id}:{i:05d}" for i in range(n)], doc_id
        assert n == clean["done"][doc_id][2] or not same_chunking
    assert state["lexical"] == sorted(c for cs in chunks.values() for c in cs)
    if state["asked"]:
        assert any(state["asked"]["place"] in q for q in state["asked"]["quotes"]), state["asked"]


def check_clean_counts(state: dict[str, Any], clean: dict[str, Any]) -> None:
    check_consistent(state, clean)
    assert state["done"] == clean["done"]
    assert state["chunks"].keys() == clean["chunks"].keys()
    assert sum(map(len, state["chunks"].values())) == sum(map(len, clean["chunks"].values()))


@pytest.fixture(scope="session")
def clean_state(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path, durable_source: Path) -> dict[str, Any]:
    """What a clean, uninterrupted ingest of the source gives."""
    from assistant.pipeline import ingest, open_assistant

    settings = durable_settings(tmp_path_factory.mktemp("clean-index"), cache_dir)
    report = ingest([durable_source], assistant=open_assistant(settings))
    assert not report.failed
    state = Runner(settings, durable_source).state()
    assert sum(map(len, state["chunks"].values())) > 2_000 and not state["lease"] and state["asked"]
    return state


def test_kill_minus_nine_twenty_times_then_clean_counts(tmp_path, cache_dir, durable_source, clean_state):
    """Each round a fresh process opens the index the last kill left, checks it and answers from
    it, then re-runs the ingest and is killed at a random moment once a batch is stored. When
    the index is three quarters full the re-run is let finish: it must reach exactly the clean
    counts; the index is then emptied and the rounds go on."""
    clean = clean_state
    settings = durable_settings(tmp_path / "killed", cache_dir)
    runner = Runner(settings, durable_source)
    rng = random.Random(2026)
    kills = completions = 0
    while True:
        workers = None if kills % 10 == 0 else 0  # some re-runs parse in a worker process
        p, conn = runner.start("ingest", workers)
        _, state = runner.expect(conn, ("state",))
        check_consistent(state, clean)  # what the fresh process found on opening
        if kills == KILLS or len(state["done"]) > 0.75 * len(clean["done"]):
            runner.expect(conn, ("done",))  # the re-run, to the end
            p.join(60)
            check_clean_counts(runner.state(), clean)
            completions += 1
            if kills == KILLS:
                break
            shutil.rmtree(settings.index_dir)  # start over from an empty index
            continue
        runner.expect(conn, ("commit",))
        time.sleep(rng.uniform(0.0, 1.2))
        helpers = children_of(p.pid)
        assert p.is_alive(), "the ingest finished before it could be killed; make the source bigger"
        os.kill(p.pid, signal.SIGKILL)
        p.join(30)
        assert p.exitcode == -signal.SIGKILL
        kills += 1
        deadline = time.time() + 15
        while any(running(h) for h in helpers) and time.time() < deadline:
            time.sleep(0.2)
        assert not any(running(h) for h in helpers), "a worker of the killed ingest is still running"
    assert completions >= 2

    state, again = runner.ingest()  # and once more: nothing changes
    assert {status for _, status, _ in again} == {"unchanged"}
    check_clean_counts(state, clean)
    assert runner.state()["generation"] == state["generation"]


def test_kill_minus_nine_of_the_command_line_then_rerun(tmp_path, cache_dir):
    """The real command line, started cold on four corpus files (so it parses in a worker
    process), killed once its first batch is stored; the re-run through the command line stores
    every record exactly once, and no worker of the killed ingest is left behind."""
    source = tmp_path / "reports"
    source.mkdir()
    for part in range(4):
        lines = [
            json.dumps({"id": f"d{i}", "text": record(i)["text"].split(". ")[0] + "."})
            for i in range(part * 100, part * 100 + 100)
        ]
        (source / f"wire-{part}.jsonl").write_text("\n".join(lines) + "\n")
    settings = Settings.from_env(index_dir=tmp_path / "cli-index", cache_dir=cache_dir)
    env = dict(os.environ, HF_HUB_OFFLINE="1", ASSISTANT_CACHE=str(cache_dir))
    cmd = [sys.executable, "-m", "assistant.cli", "ingest", str(source), "--index", str(settings.index_dir)]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)
    seen = b""
    while b"chunks" not in seen:  # tqdm shows "+N chunks" once a batch is stored
        more = os.read(p.stderr.fileno(), 4096)
        assert more, seen[-2000:]
        seen += more
    time.sleep(random.Random(7).uniform(0.2, 1.0))
    helpers = children_of(p.pid)
    assert p.poll() is None and helpers
    p.send_signal(signal.SIGKILL)
    p.wait(30)
    deadline = time.time() + 15
    while any(running(h) for h in helpers) and time.time() < deadline:
        time.sleep(0.2)
    assert not any(running(h) for h in helpers)
    rerun = subprocess.run(cmd + ["--json", "--quiet"], capture_output=True, text=True, env=env, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert {f["status"] for f in json.loads(rerun.stdout)["files"]} <= {"added", "updated", "unchanged"}
    state = Runner(settings, source).state()
    check_consistent(state, {"done": state["done"]})
    assert sorted(key for _, key, _ in state["done"].values()) == sorted(f"d{i}" for i in range(400))


KIDAL_V1 = "Fighting in Kidal\n\nColonel Souleymane Dembele said 14 rebels were captured near Kidal on Monday.\n"
KIDAL_V2 = (
    "Fighting in Kidal\n\nThe rebel spokesman Mohamed Elmaouloud Ramadane said 30 soldiers were killed "
    "near Kidal on Monday.\n"
)


def test_updates_and_deletes_take_chunks_keyword_entries_and_attributions_along(tmp_path, cache_dir):
    from assistant.pipeline import ask, delete, ingest, open_assistant

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text(KIDAL_V1)
    (folder / "copy.txt").write_text(KIDAL_V1)  # the same content under another name
    records = [
        {"id": "r1", "text": "The Red Cross said it delivered 300 tonnes of food to Timbuktu."},
        {"id": "r2", "text": "A doctor in Goundam said the clinic ran out of insulin last week."},
    ]
    (folder / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    a = open_assistant(Settings.from_env(index_dir=tmp_path / "index", cache_dir=cache_dir))
    first = {Path(f.path).name: f for f in ingest([folder], assistant=a).files}
    assert [first[n].status for n in ("a.txt", "b.jsonl", "copy.txt")] == ["added", "added", "duplicate"]
    (v1,) = first["a.txt"].doc_ids
    old_r2 = first["b.jsonl"].doc_ids[1]

    (folder / "a.txt").write_text(KIDAL_V2)
    records[1]["text"] = "A doctor in Goundam said the clinic received insulin on Friday."
    (folder / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    second = {Path(f.path).name: f for f in ingest([folder], assistant=a).files}
    assert [second[n].status for n in ("a.txt", "b.jsonl", "copy.txt")] == ["updated", "updated", "unchanged"]
    (v2,) = second["a.txt"].doc_ids
    paths = {d.doc_id: Path(d.path).name for d in a.documents()}
    assert paths[v1] == "copy.txt" and paths[v2] == "a.txt"  # copy.txt keeps the old content
    assert old_r2 not in paths and a.store.chunk_ids_of(old_r2) == []
    assert not any(i.startswith(old_r2) for i in a.lexical_index().ids)
    attributed = [
        (cid, attr.source)
        for cid, _, meta in a.store.iter_chunks()
        for attr in a.store.get_chunks([cid])[0].attributions
    ]
    assert not any(cid.startswith(old_r2) for cid, _ in attributed)
    assert any(cid.startswith(v2) and "Ramadane" in source for cid, source in attributed)
    answer = ask("How many soldiers were killed near Kidal?", assistant=a)
    assert any(c.doc_id == v2 and "Ramadane" in (c.source or "") for c in answer.citations)
    third = {Path(f.path).name: f.status for f in ingest([folder], assistant=a).files}
    assert set(third.values()) == {"unchanged"}

    assert delete([v2, "no-such-document"], assistant=a) == 1
    assert v2 not in {d.doc_id for d in a.documents()}
    assert a.store.chunk_ids_of(v2) == [] and not any(i.startswith(v2) for i in a.lexical_index().ids)
    assert not any(c.doc_id == v2 for c in ask("How many soldiers were killed near Kidal?", assistant=a).citations)
    assert delete([v2], assistant=a) == 0
    again = {Path(f.path).name: f.status for f in ingest([folder], assistant=a).files}
    assert again["a.txt"] == "added"


def test_opening_the_index_repairs_what_an_interrupted_writer_left(tmp_path, cache_dir):
    """The state a crash leaves (a batch half written, a removal half done, the writer's claim
    still there) is cleaned up by the next process that opens the index."""
    from assistant.pipeline import HOST, ingest, open_assistant
    from assistant.store import Lease

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text(KIDAL_V1)
    (folder / "b.txt").write_text(KIDAL_V2)
    settings = Settings.from_env(index_dir=tmp_path / "index", cache_dir=cache_dir)
    a = open_assistant(settings)
    ingest([folder], assistant=a)
    store = a.store
    docs = {Path(d.path).name: d for d in a.documents()}
    chunks_a = store.get_chunks(store.chunk_ids_of(docs["a.txt"].doc_id))
    half = replace(docs["a.txt"], doc_id="halfwritten0000", state="pending")
    store.put_documents([(half, "text")])
    store.add_chunks(
        [replace(c, chunk_id=f"halfwritten0000:{i:05d}", doc_id="halfwritten0000") for i, c in enumerate(chunks_a)],
        np.ones((len(chunks_a), 384), dtype=np.float32),
        half,
    )
    store.commit(retire=[docs["b.txt"].doc_id])  # marked for removal, not yet removed
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    store.put_lease(
        Lease(host=HOST, pid=int(dead.stdout), token="crashed", since=time.time() - 10, expires=time.time() + 50)
    )
    generation = store.generation()
    assert {d.doc_id for d in a.documents()} == {docs["a.txt"].doc_id}  # readers already ignore them

    reopened = open_assistant(settings)
    assert reopened.store.unfinished() == [] and reopened.store.lease() is None
    assert reopened.store.generation() > generation
    assert {d.doc_id for d in reopened.store.documents(state=None)} == {docs["a.txt"].doc_id}
    assert {m["doc_id"] for _, _, m in reopened.store.iter_chunks()} == {docs["a.txt"].doc_id}
    reopened.refresh()
    assert set(reopened.lexical_index().ids) == set(store.chunk_ids_of(docs["a.txt"].doc_id))


def test_a_second_writer_fails_fast_with_a_clear_message(tmp_path, cache_dir):
    from assistant.pipeline import open_assistant, writer_lock

    settings = Settings.from_env(index_dir=tmp_path / "index", cache_dir=cache_dir)
    (tmp_path / "a.txt").write_text(KIDAL_V1)
    with writer_lock(open_assistant(settings)):
        p = subprocess.run(
            [
                sys.executable,
                "-m",
                "assistant.cli",
                "ingest",
                str(tmp_path / "a.txt"),
                "--index",
                str(settings.index_dir),
                "--quiet",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ, HF_HUB_OFFLINE="1", ASSISTANT_CACHE=str(cache_dir)),
        )
    assert p.returncode == 2
    assert f"is being written by pid {os.getpid()}" in p.stderr and "wait for it to finish" in p.stderr
    assert "Traceback" not in p.stderr

"""Server mode: every command works against a real `chroma run` server (--chroma-url or
ASSISTANT_CHROMA_URL), answers equal those of the embedded store, the keyword index follows
changes made by other processes, one writer at a time across machines, and a server that is down
gives a clear error."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError, IndexError_, IndexLockedError
from assistant.render import answer_dict

from .conftest import read_jsonl, stop_process

pytestmark = [pytest.mark.server, pytest.mark.slow]
CHROMA = Path(sys.executable).with_name("chroma")
QUESTIONS = ["How many Wagner fighters were killed?", "What did the Malian military acknowledge?",
             "How many civilians were killed in the Tinzaouatene fighting?",
             "What does the Sudan's letter of 2 May 2025 say about the Rapid Support militia?"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """A `chroma run` process on a free port, stopped by `stop()`."""

    def __init__(self, path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = path.with_suffix(".log")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1",
                                          "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError(f"chroma run did not start: {self.log.read_text()[-2000:]}")
                time.sleep(0.2)

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    if not CHROMA.exists():
        pytest.skip("the chroma command is not installed")
    srv = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "data")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def served(server: ChromaServer, small_corpus: Path, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The small corpus ingested into the server (the same files as the embedded `seeded` index)."""
    from assistant.pipeline import ingest, open_assistant

    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("unused-index"), cache_dir=cache_dir,
                                 chroma_url=server.url)
    assistant = open_assistant(settings)
    report = ingest([small_corpus], assistant=assistant)
    assert not report.failed and report.count("added") == 3
    assert not settings.index_dir.joinpath("chroma.sqlite3").exists()       # nothing stored locally
    return assistant


def cli(*args: str, env_extra: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, env=env,
                          input=input, timeout=600)


def test_answers_through_the_server_equal_the_embedded_store(served, seeded):
    from assistant.pipeline import ask

    assert {d.doc_id for d in served.documents()} == {d.doc_id for d in seeded.documents()}
    assert served.store.count() == seeded.store.count()
    for q in QUESTIONS:
        assert answer_dict(ask(q, assistant=served)) == answer_dict(ask(q, assistant=seeded)), q


def test_every_command_uses_the_server(served, server, cache_dir, tmp_path):
    from assistant.pipeline import ask

    env = {"ASSISTANT_CACHE": str(cache_dir), "ASSISTANT_INDEX": str(tmp_path / "never-used")}
    p = cli("ask", "--json", "-", "--chroma-url", server.url, input="\n".join(QUESTIONS[:2]) + "\n", env_extra=env)
    assert p.returncode == 0, p.stderr[-2000:]
    assert read_jsonl(p.stdout) == [answer_dict(ask(q, assistant=served)) for q in QUESTIONS[:2]]
    p = cli("documents", "--json", env_extra={**env, "ASSISTANT_CHROMA_URL": server.url})
    assert p.returncode == 0, p.stderr[-2000:]
    assert {d["doc_id"] for d in json.loads(p.stdout)} == {d.doc_id for d in served.documents()}

    extra = tmp_path / "extra.txt"
    extra.write_text("Checkpoint report\n\nThe governor of Gao said the Wabaria checkpoint reopened on Sunday.\n")
    p = cli("ingest", str(extra), "--json", "--quiet", env_extra={**env, "ASSISTANT_CHROMA_URL": server.url})
    assert p.returncode == 0, p.stderr[-2000:]
    (added,) = json.loads(p.stdout)["files"]
    assert added["status"] == "added"
    (doc_id,) = added["doc_ids"]
    served.refresh()                                      # another process wrote: the keyword index follows
    assert any(i.startswith(doc_id) for i in served._lex.ids)
    assert any("Wabaria" in c.quote for c in ask("When did the Wabaria checkpoint reopen?", assistant=served).citations)

    p = cli("delete", doc_id, "--chroma-url", server.url, env_extra=env)
    assert p.returncode == 0, p.stderr[-2000:]
    served.refresh()
    assert doc_id not in {d.doc_id for d in served.documents()}
    assert not any(i.startswith(doc_id) for i in served._lex.ids)
    assert served.store.chunk_ids_of(doc_id) == []
    assert not (tmp_path / "never-used").exists()


def test_a_writer_on_another_machine_holds_the_index(served, server, cache_dir, tmp_path):
    """The lease in the server stops a writer whose local lock cannot see ours (another cache
    folder stands for another machine); a lapsed lease of a vanished machine is taken over and
    what it left is repaired."""
    from assistant.pipeline import repair, writer_lock
    from assistant.store import Lease

    extra = tmp_path / "blocked.txt"
    extra.write_text("A report that must wait for the other writer.\n")
    with writer_lock(served):
        p = cli("ingest", str(extra), "--chroma-url", server.url, "--quiet",
                env_extra={"ASSISTANT_CACHE": str(tmp_path / "other-machine-cache")})
    assert p.returncode == 2
    assert f"being written by pid {os.getpid()}" in p.stderr and "Traceback" not in p.stderr

    store = served.store
    now = time.time()
    store.put_lease(Lease(host="analyst-laptop", pid=4242, token="t1", since=now - 5, expires=now + 60))
    with pytest.raises(IndexLockedError, match="pid 4242 on analyst-laptop"):
        with writer_lock(served):
            pass
    store.put_lease(Lease(host="analyst-laptop", pid=4242, token="t2", since=now - 300, expires=now - 1))
    generation = store.generation()
    with writer_lock(served) as writer:                   # it lapsed: taken over, and repaired
        assert writer.abandoned
        assert repair(served, abandoned=writer.abandoned) == []
    assert store.lease() is None and store.generation() == generation + 1


def test_a_server_that_is_down_gives_a_clear_error(tmp_path, cache_dir, small_corpus):
    from assistant.pipeline import ask, ingest, open_assistant

    dead = f"http://127.0.0.1:{free_port()}"
    p = cli("ask", "How many Wagner fighters were killed?", "--chroma-url", dead,
            env_extra={"ASSISTANT_CACHE": str(cache_dir)})
    assert p.returncode == 2
    assert f"cannot reach the Chroma server at {dead}" in p.stderr and "Traceback" not in p.stderr

    srv = ChromaServer(tmp_path / "short-lived")
    try:
        settings = Settings.from_env(index_dir=tmp_path / "unused", cache_dir=cache_dir,
                                     chroma_url=f"http://user:s3cret@127.0.0.1:{srv.port}")
        assistant = open_assistant(settings)
        ingest([small_corpus / "muc4_sample.jsonl"], assistant=assistant)
    finally:
        srv.stop()
    with pytest.raises(IndexError_, match="lost the connection to the Chroma server at http://127.0.0.1") as info:
        ask("Who attacked the embassy?", assistant=assistant)
    assert "s3cret" not in str(info.value)
    assert isinstance(info.value, AssistantError)

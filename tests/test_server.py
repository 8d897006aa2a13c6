"""Server mode: every command works against a real `chroma run` server (--chroma-url or
ASSISTANT_CHROMA_URL), answers equal those of the embedded store, the keyword index follows
changes made by other processes, one writer at a time across machines, and a server that is down
gives a clear error."""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError, IndexError_, IndexLockedError
from assistant.present import answer_dict

from .conftest import read_jsonl, stop_process

pytestmark = [pytest.mark.server, pytest.mark.slow]
CHROMA = Path(sys.executable).with_name("chroma")
QUESTIONS = [
    "How many Wagner fighters were killed?",
    "What did the Malian military acknowledge?",
    "How many civilians were killed in the Tinzaouatene fighting?",
    "What does the Sudan's letter of 2 May 2025 say about the Rapid Support militia?",
]


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
            self.proc = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2).read()
                return
            except OSError as exc:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError(f"chroma run did not start: {self.log.read_text()[-2000:]}") from exc
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

    settings = Settings.from_env(
        index_dir=tmp_path_factory.mktemp("unused-index"), cache_dir=cache_dir, chroma_url=server.url
    )
    assistant = open_assistant(settings)
    report = ingest([small_corpus], assistant=assistant)
    assert not report.failed and report.count("added") == 3
    assert not settings.index_dir.joinpath("chroma.sqlite3").exists()  # nothing stored locally
    return assistant


def cli(*args: str, env_extra: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1", **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=input,
        timeout=600,
    )


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
    served.refresh()  # another process wrote: the keyword index follows
    assert any(i.startswith(doc_id) for i in served.lexical_index().ids)
    assert any("Wabaria" in c.quote for c in ask("When did the Wabaria checkpoint reopen?", assistant=served).citations)

    p = cli("delete", doc_id, "--chroma-url", server.url, env_extra=env)
    assert p.returncode == 0, p.stderr[-2000:]
    served.refresh()
    assert doc_id not in {d.doc_id for d in served.documents()}
    assert not any(i.startswith(doc_id) for i in served.lexical_index().ids)
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
        p = cli(
            "ingest",
            str(extra),
            "--chroma-url",
            server.url,
            "--quiet",
            env_extra={"ASSISTANT_CACHE": str(tmp_path / "other-machine-cache")},
        )
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
    with writer_lock(served) as writer:  # it lapsed: taken over, and repaired
        assert writer.abandoned
        assert repair(served, abandoned=writer.abandoned) == []
    assert store.lease() is None and store.generation() == generation + 1


def test_a_server_that_is_down_gives_a_clear_error(tmp_path, cache_dir, small_corpus):
    from assistant.pipeline import ask, ingest, open_assistant

    dead = f"http://127.0.0.1:{free_port()}"
    p = cli(
        "ask",
        "How many Wagner fighters were killed?",
        "--chroma-url",
        dead,
        env_extra={"ASSISTANT_CACHE": str(cache_dir)},
    )
    assert p.returncode == 2
    assert f"cannot reach the Chroma server at {dead}" in p.stderr and "Traceback" not in p.stderr

    srv = ChromaServer(tmp_path / "short-lived")
    try:
        settings = Settings.from_env(
            index_dir=tmp_path / "unused", cache_dir=cache_dir, chroma_url=f"http://user:s3cret@127.0.0.1:{srv.port}"
        )
        assistant = open_assistant(settings)
        ingest([small_corpus / "muc4_sample.jsonl"], assistant=assistant)
    finally:
        srv.stop()
    with pytest.raises(IndexError_, match="lost the connection to the Chroma server at http://127.0.0.1") as info:
        ask("Who attacked the embassy?", assistant=assistant)
    assert "s3cret" not in str(info.value)
    assert isinstance(info.value, AssistantError)


# -- a server that does not answer --------------------------------------------------------------------

COMMANDS = [
    ("ask", "How many Wagner fighters were killed?"),
    ("documents",),
    ("delete", "0123456789abcdef"),
    ("ingest", "REPORT"),
]


def run_every_command(url: str, tmp_path: Path, cache_dir: Path, *, timeout: float) -> list[tuple[list[str], Any]]:
    """Each command against `url` with a `timeout`-second limit per call: (its arguments, result)."""
    report = tmp_path / "report.txt"
    report.write_text("Checkpoint report\n\nThe governor of Gao said the Wabaria checkpoint reopened on Sunday.\n")
    env = {
        "ASSISTANT_CACHE": str(cache_dir),
        "ASSISTANT_CHROMA_TIMEOUT": str(timeout),
        "ASSISTANT_CHROMA_CONNECT_TIMEOUT": str(timeout),
    }
    out = []
    for command in COMMANDS:
        args = [str(report) if a == "REPORT" else a for a in command] + ["--chroma-url", url]
        t0 = time.monotonic()
        p = cli(*args, env_extra=env)
        out.append((args, p, time.monotonic() - t0))
    return out


def test_a_frozen_server_makes_every_command_stop_within_its_timeout(tmp_path, cache_dir):
    """A `chroma run` stopped with SIGSTOP (it accepts connections and never answers): every
    command exits 2 saying so, within a few times its time limit (ASSISTANT_CHROMA_TIMEOUT)."""
    srv = ChromaServer(tmp_path / "frozen")
    os.kill(srv.proc.pid, signal.SIGSTOP)
    try:
        results = run_every_command(srv.url, tmp_path, cache_dir, timeout=3)
    finally:
        os.kill(srv.proc.pid, signal.SIGCONT)
        srv.stop()
    for args, p, seconds in results:
        assert p.returncode == 2, (args, p.stderr[-1000:])
        assert "did not answer" in p.stderr and srv.url in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert seconds < 30, (args, seconds)  # the limit (3 s) plus starting Python


class SilentSocket:
    """A socket that accepts connections and never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


def test_a_socket_that_never_replies_makes_every_command_stop(tmp_path, cache_dir):
    silent = SilentSocket()
    try:
        results = run_every_command(silent.url, tmp_path, cache_dir, timeout=2)
    finally:
        silent.close()
    for args, p, seconds in results:
        assert p.returncode == 2 and "did not answer within 2 s" in p.stderr, (args, p.stderr[-1000:])
        assert "Traceback" not in p.stderr and seconds < 30, (args, seconds)


class NotChroma(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the handler's name is http.server's)
        body = b"<html><body>It works!</body></html>"
        self.send_response(404 if "api" in self.path else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_an_endpoint_that_is_not_chroma_is_named_as_such(tmp_path, cache_dir):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotChroma)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        p = cli("documents", "--chroma-url", url, env_extra={"ASSISTANT_CACHE": str(cache_dir)})
    finally:
        httpd.shutdown()
    assert p.returncode == 2
    assert "answers HTTP but is not a Chroma server (HTTP 404" in p.stderr and "Traceback" not in p.stderr


def test_a_server_lost_mid_ingest_leaves_a_summary_of_what_got_in(tmp_path, cache_dir):
    """The server freezes after the first batch is committed: the ingest stops (exit 2) within its
    time limits, prints the lines of the files committed before, and says so; those files are in
    the index when the server comes back, and running the ingest again adds the rest."""
    source = tmp_path / "reports"
    source.mkdir()
    for part in range(18):  # 50 one-chunk reports each: a batch holds 2.5 files
        lines = [
            json.dumps(
                {
                    "id": f"d{i}",
                    "text": f"On day {i} the army said {i + 3} fighters were killed near "
                    f"Kidal, and residents said the market stayed closed.",
                }
            )
            for i in range(part * 50, part * 50 + 50)
        ]
        (source / f"wire-{part}.jsonl").write_text("\n".join(lines) + "\n")
    srv = ChromaServer(tmp_path / "lost")
    env = dict(os.environ, HF_HUB_OFFLINE="1", ASSISTANT_CACHE=str(cache_dir), ASSISTANT_CHROMA_TIMEOUT="4")
    cmd = [sys.executable, "-m", "assistant.cli", "ingest", str(source), "--chroma-url", srv.url]
    p = None
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        seen = b""
        while b"chunks" not in seen:  # the progress bar shows "+N chunks" once a batch is in
            more = os.read(p.stderr.fileno(), 4096)
            assert more, seen[-2000:]
            seen += more
        os.kill(srv.proc.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        out, err = p.communicate(timeout=120)
        seconds = time.monotonic() - t0
        os.kill(srv.proc.pid, signal.SIGCONT)
        err = seen + err
        assert p.returncode == 2, err[-2000:]
        assert seconds < 60
        text, err_text = out.decode(), err.decode()
        assert "Traceback" not in err_text and "the ingest stopped" in err_text and "did not answer" in err_text
        assert "Committed before it stopped:" in err_text and "run the same command again" in err_text
        added = [line.split()[1] for line in text.splitlines() if line.split()[:1] == ["added"]]
        assert added and "of 50 documents stored: the ingest stopped before the rest" in text, text
        settings = Settings.from_env(index_dir=tmp_path / "unused", cache_dir=cache_dir, chroma_url=srv.url)
        from assistant.pipeline import open_assistant

        stored = {Path(d.path).name for d in open_assistant(settings).documents()}
        assert {Path(a).name for a in added} <= stored
        again = subprocess.run(cmd + ["--json", "--quiet"], capture_output=True, text=True, env=env, timeout=900)
        assert again.returncode == 0, again.stderr[-2000:]
        assert len(open_assistant(settings).documents()) == 900
    finally:  # neither the ingest nor a frozen server outlives the test
        if p is not None and p.poll() is None:
            p.kill()
            p.wait()
        os.kill(srv.proc.pid, signal.SIGCONT)
        srv.stop()

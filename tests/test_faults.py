"""Faults an unlucky user meets, each answered with a clear message (exit code 2, or a report
line) and never with a traceback, a crash or a silent wrong answer: bad options, a missing or
damaged index, a damaged keyword index (rebuilt), a full disk, Ctrl-C, folders that cannot be
listed, and texts over their time or memory budget (reported while the other files go in)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from assistant.config import Settings

from .conftest import SEED

pytestmark = pytest.mark.slow  # command-line runs in subprocesses, large texts

QUESTION = "How many Wagner fighters were killed?"


def cli(
    *args: str, cache_dir: Path, input: str | bytes | None = None, env_extra: dict | None = None, text: bool = True
) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1", ASSISTANT_CACHE=str(cache_dir), **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=text,
        env=env,
        input=input,
        timeout=600,
    )


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    """An index of the seed article (built once; tests copy it before damaging it)."""
    from assistant.pipeline import ingest, open_assistant

    index = tmp_path_factory.mktemp("faults") / "index"
    report = ingest([SEED], assistant=open_assistant(Settings.from_env(index_dir=index, cache_dir=cache_dir)))
    assert report.count("added") == 1
    return index


@pytest.fixture(scope="module")
def vector_index(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    """An index whose vector segment holds over 1,000 vectors, so that Chroma has written them to
    its files (a patrol log cut into chunks of 8 word pieces)."""
    from assistant.pipeline import ingest, open_assistant

    folder = tmp_path_factory.mktemp("vectors")
    entries = [f"post {i} quiet" for i in range(2400)]
    paragraphs = [", ".join(entries[i : i + 80]) + "." for i in range(0, len(entries), 80)]
    (folder / "patrol_log.txt").write_text(
        "Patrol log\n\n" + "\n\n".join(paragraphs) + "\n\nThe final patrol found fuel drums near Aguelhok.\n"
    )
    settings = Settings.from_env(
        index_dir=folder / "index", cache_dir=cache_dir, chunk_tokens=8, max_tokens=8, overlap_tokens=0
    )
    report = ingest([folder / "patrol_log.txt"], assistant=open_assistant(settings))
    assert report.files[0].chunks > 1000
    return folder / "index"


def copy_of(index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(index, target)
    return target


# -- options -----------------------------------------------------------------------------------------

BAD_OPTIONS = [
    (["ask", QUESTION, "--from", "2025-13"], "--from: '2025-13' is not a date"),
    (["ask", QUESTION, "--to", "2025-00"], "--to: '2025-00' is not a date"),
    (["ask", QUESTION, "--from", "abc"], "--from: 'abc' is not a date"),
    (["ask", QUESTION, "--from", "25-06"], "--from: '25-06' is not a date; write yyyy, yyyy-mm or yyyy-mm-dd"),
    (["ask", QUESTION, "--from", "2025-02-30"], "is not a date (day is out of range for month)"),
    (["ask", QUESTION, "--from", "2025-06", "--to", "2025-01"], "--from 2025-06 is after --to 2025-01"),
    (["ask", QUESTION, "-k", "0"], "-k: 0 passages: give at least 1"),
    (["ask", QUESTION, "-k", "-3"], "-k: -3 passages: give at least 1"),
    (["ask", QUESTION, "-k", "many"], "-k: 'many' is not a whole number"),
    (["ask", ""], "the question is empty"),
    (["ask", "   "], "the question is empty"),
    (["ask", QUESTION, "--source-type", "aliens"], "invalid choice: 'aliens'"),
    (["ask", QUESTION, "--chroma-url", "ftp://example.org"], "is not a Chroma server URL"),
    (["ask", QUESTION, "--chroma-url", "http://127.0.0.1:port"], "the port is not a number"),
]


@pytest.mark.parametrize("args,message", BAD_OPTIONS, ids=[" ".join(a[2:] or a) for a, _ in BAD_OPTIONS])
def test_every_bad_option_exits_2_with_a_message(args, message, small_index, cache_dir):
    p = cli(*args, "--index", str(small_index), cache_dir=cache_dir)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert p.stdout == ""


@pytest.mark.parametrize(
    "variable,value",
    [
        ("ASSISTANT_CHROMA_TIMEOUT", "soon"),
        ("ASSISTANT_PDF_MEMORY_MB", "-5"),
        ("ASSISTANT_TEXT_TIMEOUT", "0"),
        ("ASSISTANT_QUERY_BACKEND", "gpu"),
    ],
)
def test_a_bad_setting_in_the_environment_exits_2_naming_it(variable, value, small_index, cache_dir):
    p = cli("documents", "--index", str(small_index), cache_dir=cache_dir, env_extra={variable: value})
    assert p.returncode == 2 and variable in p.stderr and "Traceback" not in p.stderr, p.stderr


@pytest.mark.parametrize("command", [["ask", QUESTION], ["documents"], ["delete", "0123456789abcdef"]])
def test_a_missing_index_is_an_error_and_is_never_created(command, tmp_path, cache_dir):
    missing = tmp_path / "no-such-index"
    p = cli(*command, "--index", str(missing), cache_dir=cache_dir)
    assert p.returncode == 2 and f"{missing}: no such index folder" in p.stderr and "assistant ingest" in p.stderr
    assert not missing.exists()
    (tmp_path / "empty-folder").mkdir()
    p = cli(*command, "--index", str(tmp_path / "empty-folder"), cache_dir=cache_dir)
    assert p.returncode == 2 and "not an index (it has no chroma.sqlite3)" in p.stderr
    assert list((tmp_path / "empty-folder").iterdir()) == []


def test_questions_from_stdin_go_on_after_a_line_that_is_not_utf8(small_index, cache_dir):
    lines = QUESTION.encode() + b"\nWho is Ramadane\xff\xfe?\n\nWhat did the Malian military acknowledge?\n"
    p = cli("ask", "--json", "-", "--index", str(small_index), cache_dir=cache_dir, input=lines, text=False)
    assert p.returncode == 1 and b"Traceback" not in p.stderr
    answers = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [a.get("error", "") for a in answers][1].startswith("line 2 is not UTF-8 text")
    assert answers[0]["answerable"] and answers[2]["question"] == "What did the Malian military acknowledge?"
    assert "citations" in answers[2] and "error" not in answers[2]


# -- a damaged index ---------------------------------------------------------------------------------


def segment_files(index: Path) -> list[Path]:
    return sorted(index.glob("*/data_level0.bin"), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize(
    "damage",
    [
        "empty database",
        "truncated database",
        "not a database",
        "truncated vectors",
        "truncated links",
        "truncated ids",
        "truncated header",
        "missing lengths",
    ],
)
def test_a_damaged_index_is_an_error_saying_how_to_rebuild_never_a_crash(damage, vector_index, tmp_path, cache_dir):
    """Unchecked, Chroma crashes on some of these (exit 139) and answers others from what is left
    ("the reports do not say")."""
    index = copy_of(vector_index, tmp_path)
    database = index / "chroma.sqlite3"
    segment = segment_files(index)[-1].parent  # the chunks' vectors (the larger segment)
    assert struct.unpack_from("<Q", (segment / "header.bin").read_bytes(), 20)[0] > 1000  # vectors on disk
    if damage == "empty database":
        database.write_bytes(b"")
    elif damage == "truncated database":
        os.truncate(database, database.stat().st_size // 2)
    elif damage == "not a database":
        database.write_bytes(b"this is not SQLite" * 1000)
    elif damage == "truncated vectors":
        os.truncate(segment / "data_level0.bin", (segment / "data_level0.bin").stat().st_size // 3)
    elif damage == "truncated links":
        os.truncate(segment / "link_lists.bin", (segment / "link_lists.bin").stat().st_size // 2)
    elif damage == "truncated ids":
        os.truncate(segment / "index_metadata.pickle", 1000)
    elif damage == "truncated header":
        os.truncate(segment / "header.bin", 50)
    elif damage == "missing lengths":
        (segment / "length.bin").unlink()
    for command in (["ask", QUESTION], ["documents"], ["ingest", str(SEED)]):
        p = cli(*command, "--index", str(index), cache_dir=cache_dir)
        assert p.returncode == 2, (command, p.returncode, p.stderr[-2000:])  # never -11 (a segfault)
        assert "the index is damaged" in p.stderr and "assistant ingest FILES --index" in p.stderr, p.stderr
        assert "Traceback" not in p.stderr
    if damage == "empty database":
        assert database.stat().st_size == 0  # never taken for a new, empty index


def test_a_damaged_keyword_index_or_chunk_vectors_are_rebuilt_from_the_store(small_index, tmp_path, cache_dir):
    index = copy_of(small_index, tmp_path)
    lexical = index / "assistant_lexical"
    reference = cli("ask", QUESTION, "--json", "--index", str(small_index), cache_dir=cache_dir)
    for damaged in ("meta.npz", "ids.json", "terms.txt"):
        path = lexical / damaged
        os.truncate(path, path.stat().st_size // 2)
        p = cli("ask", QUESTION, "--json", "--index", str(index), cache_dir=cache_dir)
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
        assert json.loads(p.stdout) == json.loads(reference.stdout)
        assert (
            path.stat().st_size > 0
            and cli("ask", QUESTION, "--json", "--index", str(index), cache_dir=cache_dir).stdout == p.stdout
        )
    for damaged in ("vectors.npy", "ids.json"):  # the chunk vectors of the exact dense search, too
        path = index / "assistant_lexical.vectors" / damaged
        os.truncate(path, path.stat().st_size // 2)
        p = cli("ask", QUESTION, "--json", "--index", str(index), cache_dir=cache_dir)
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
        assert json.loads(p.stdout) == json.loads(reference.stdout)
        assert path.stat().st_size > 0
    path = lexical / "bm25" / "params.index.json"
    if path.exists():
        path.write_text("{")
        p = cli("ingest", str(SEED), "--index", str(index), "--json", "--quiet", cache_dir=cache_dir)
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
        assert json.loads(path.read_text())  # rewritten whole


# -- the disk fills up; Ctrl-C -------------------------------------------------------------------------


def many_reports(folder: Path, files: int = 8, per_file: int = 150) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for part in range(files):
        lines = [
            json.dumps(
                {
                    "id": f"r{i}",
                    "text": f"On day {i} the army said {i + 2} fighters were killed near "
                    f"Menaka, and witnesses said {i % 7 + 1} houses burned.",
                }
            )
            for i in range(part * per_file, (part + 1) * per_file)
        ]
        (folder / f"wire-{part}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def small_filesystem(tmp_path: Path, megabytes: int) -> Path | None:
    """A tmpfs of `megabytes` MB mounted under tmp_path (unmounted by the caller), or None when
    this process may not mount one."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return None
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(mount)], capture_output=True)
    return mount if p.returncode == 0 else None


def test_a_full_disk_stops_the_ingest_saying_so_and_what_got_in(tmp_path, cache_dir):
    """The index on a 12 MB filesystem: the ingest of many reports fills it. It exits 2 with
    "the disk … is full", lists the files committed before, and the index still answers from them.
    Without the right to mount a filesystem, the same through a file-size limit (ulimit -f)."""
    source = many_reports(tmp_path / "reports", files=30)
    mount = small_filesystem(tmp_path, 12)
    try:
        if mount is not None:
            index, limit, expect = mount / "index", None, "the disk holding the index is full"
        else:
            index, limit, expect = tmp_path / "index", 12 << 20, "file-size limit (ulimit -f)"

        def limited() -> None:
            if limit is not None:
                import resource

                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        env = dict(os.environ, HF_HUB_OFFLINE="1", ASSISTANT_CACHE=str(cache_dir))
        p = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "ingest", str(source), "--index", str(index), "--quiet"],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
            preexec_fn=limited,
        )
        assert p.returncode == 2, (p.returncode, p.stdout[-1000:], p.stderr[-2000:])
        assert expect in p.stderr and "Committed before it stopped" in p.stderr, p.stderr[-2000:]
        assert "Traceback" not in p.stderr and "Error in compaction" not in p.stderr.split("stopped:")[-1][:60]
        stored = [line.split()[1] for line in p.stdout.splitlines() if line.split()[:1] == ["added"]]
        if mount is not None:
            shutil.rmtree(cache_dir / "lexical", ignore_errors=True)
            q = cli("documents", "--json", "--index", str(index), cache_dir=cache_dir)
            assert q.returncode in (0, 2) and "Traceback" not in q.stderr
            if q.returncode == 0:  # the full disk may not let it rebuild anything
                assert {d["path"] for d in json.loads(q.stdout)} >= set(stored)
    finally:
        if mount is not None:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


AFTER_FULL = """
import sys
from pathlib import Path
from assistant.config import Settings
from assistant.errors import StorageFullError
from assistant.pipeline import open_assistant
from assistant.types import DocMeta, DocRecord, Narrator
store = open_assistant(Settings.from_env(index_dir=Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))).store
held = store.lease()
doc = DocRecord(doc_id="big", path="big.txt", key=None, meta=DocMeta(), narrator=Narrator("the outlet", "media"),
                n_chunks=0, state="pending", length=10_000_000)
try:
    store.put_documents([(doc, "word " * 2_000_000)])       # grows the database past the limit
except StorageFullError as exc:
    first = str(exc)
else:
    sys.exit("the write past the file-size limit did not fail")
try:
    store.drop_lease("any")                                 # would reach Chroma: refused at once
except StorageFullError as exc:
    assert str(exc) == first, (str(exc), first)
else:
    sys.exit("a write after the full one was not refused")
assert store.lease() == held                               # reading goes on
print("refused:", first)
"""


def test_after_a_write_finds_no_space_later_writes_fail_at_once_and_reads_go_on(small_index, tmp_path, cache_dir):
    """Chroma's embedded client can wait forever on the write after one that found no space, so
    the store refuses every later write of the process with the same error (a file-size limit
    stands in for a full disk)."""
    index = copy_of(small_index, tmp_path)
    limit = (index / "chroma.sqlite3").stat().st_size + (256 << 10)

    def limited() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ, HF_HUB_OFFLINE="1")
    p = subprocess.run(
        [sys.executable, "-c", AFTER_FULL, str(index), str(cache_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        preexec_fn=limited,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert "file-size limit (ulimit -f)" in p.stdout, p.stdout


def test_ctrl_c_says_what_was_committed_and_the_index_stays_whole(tmp_path, cache_dir):
    source = many_reports(tmp_path / "reports", files=8)
    index = tmp_path / "index"
    env = dict(os.environ, HF_HUB_OFFLINE="1", ASSISTANT_CACHE=str(cache_dir))
    cmd = [sys.executable, "-m", "assistant.cli", "ingest", str(source), "--index", str(index)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        seen = b""
        while b"chunks" not in seen:  # the first batch is committed
            more = os.read(p.stderr.fileno(), 4096)
            assert more, seen[-2000:]
            seen += more
        os.killpg(p.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        out, err = p.communicate(timeout=300)
    finally:  # a hung ingest never outlives the test
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    err = (seen + err).decode()
    assert p.returncode == 130, err[-2000:]
    assert "interrupted (Ctrl-C)" in err and "Committed before it stopped" in err and "Traceback" not in err
    added = {line.split()[1] for line in out.decode().splitlines() if line.split()[:1] == ["added"]}
    docs = cli("documents", "--json", "--index", str(index), cache_dir=cache_dir)
    assert docs.returncode == 0, docs.stderr
    paths = {d["path"] for d in json.loads(docs.stdout)}
    assert added <= paths
    again = cli("ingest", str(source), "--index", str(index), "--json", "--quiet", cache_dir=cache_dir)
    assert again.returncode == 0 and json.loads(again.stdout)["summary"]["files"] == 8
    assert len(json.loads(cli("documents", "--json", "--index", str(index), cache_dir=cache_dir).stdout)) == 8 * 150


# -- folders that cannot be listed ---------------------------------------------------------------------

WALK = """
import json, sys
from pathlib import Path
from assistant.errors import LoadError
from assistant.load import load_file
from assistant.walk import discover
walk = discover([Path(sys.argv[1])])
out = {"others": [[Path(p).name, status, why] for p, status, why in walk.others], "read": {}}
for f in walk.files:
    try:
        out["read"][f.name] = len(load_file(f).documents)
    except LoadError as exc:
        out["read"][f.name] = str(exc)
print(json.dumps(out))
"""


def _path_for_nobody() -> str:
    """PYTHONPATH that gives another interpreter of the same Python version this project and the
    packages of the one running the tests (a venv's own python may point into /root)."""
    import sysconfig

    paths = [
        str(Path(__file__).resolve().parents[1]),
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
    ]
    return os.pathsep.join(dict.fromkeys(paths))


def _may_run(python: str) -> bool:
    """Whether the user nobody can run `python` and import the project with it."""
    try:
        return (
            subprocess.run(
                [python, "-c", "import assistant.load"],
                user=65534,
                group=65534,
                capture_output=True,
                cwd="/",
                env=dict(os.environ, PYTHONPATH=_path_for_nobody()),
            ).returncode
            == 0
        )
    except OSError:
        return False


def test_unlistable_folders_and_unreadable_files_get_a_line(tmp_path):
    """Run as an ordinary user (as root, as `nobody`: root reads everything): a folder that cannot
    be listed, one that can be listed but not entered, and a file that cannot be read each get
    their reason; the good file is read."""
    base = Path(tempfile.mkdtemp(prefix="assistant-perm-"))
    try:
        base.chmod(0o755)
        folder = base / "inbox"
        folder.mkdir()
        (folder / "good.txt").write_text("The governor said the bridge reopened.")
        for name, mode in (("locked", 0o000), ("no_entry", 0o644)):
            (folder / name).mkdir()
            (folder / name / "inside.txt").write_text("hidden")
            (folder / name).chmod(mode)
        (folder / "secret.txt").write_text("private")
        (folder / "secret.txt").chmod(0o000)
        folder.chmod(0o755)
        python, user = sys.executable, {}
        if os.geteuid() == 0:  # root reads everything: walk as `nobody`, with a Python it may run
            python = next(
                (
                    p
                    for p in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3")
                    if Path(p).exists() and _may_run(p)
                ),
                "",
            )
            user = {"user": 65534, "group": 65534}
            if not python:
                pytest.skip("no Python interpreter of this version that the user nobody may run")
        p = subprocess.run(
            [python, "-c", WALK, str(folder)],
            capture_output=True,
            text=True,
            cwd="/",
            env=dict(os.environ, PYTHONPATH=_path_for_nobody()),
            timeout=120,
            **user,
        )
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
        out = json.loads(p.stdout)
        reasons = {name: (status, why) for name, status, why in out["others"]}
        assert reasons["locked"] == ("failed", "cannot list the folder (Permission denied); its files were not read")
        assert reasons["inside.txt"] == ("failed", "cannot read it (Permission denied)")  # no_entry/inside.txt
        assert out["read"]["good.txt"] == 1
        assert "cannot read the file (Permission denied)" in out["read"]["secret.txt"]
    finally:
        for p_ in base.rglob("*"):
            try:
                p_.chmod(0o755)
            except OSError:
                pass
        shutil.rmtree(base, ignore_errors=True)


# -- texts over their budget -----------------------------------------------------------------------------


def long_prose(megabytes: float) -> str:
    """The seed article's paragraphs again and again (real prose: the parser takes its time)."""
    paragraphs = [p for p in SEED.read_text().split("\n\n") if len(p) > 80]
    out, size = [], 0
    while size < megabytes * 1e6:
        for para in paragraphs:
            out.append(para)
            size += len(para) + 2
    return "\n\n".join(out)


def test_a_text_over_its_time_budget_is_reported_while_the_files_around_it_go_in(tmp_path, cache_dir):
    """A 1.5 MB text given 15 s for its analysis: the file before it is committed while it is still
    being analysed (it is large: it waits for nothing), it is stopped at its budget and reported,
    and the file after it goes in."""
    from assistant.pipeline import ingest, open_assistant

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a_before.txt").write_text("Bridge report\n\nThe governor of Gao said the Wabaria bridge reopened.\n")
    (folder / "b_long.txt").write_text(long_prose(1.5))
    (folder / "c_after.txt").write_text("Market report\n\nTraders in Gossi said the cattle market reopened.\n")
    settings = Settings.from_env(
        index_dir=tmp_path / "index",
        cache_dir=cache_dir,
        text_timeout=15.0,
        text_timeout_per_mb=0.01,
        large_file_mb=1.0,
    )
    assistant = open_assistant(settings)
    result: dict = {}
    ingesting = threading.Thread(target=lambda: result.update(report=ingest([folder], assistant=assistant)))
    ingesting.start()
    reader = open_assistant(settings, create=False)
    seen_early = False
    while ingesting.is_alive():
        if any(Path(d.path).name == "a_before.txt" for d in reader.store.documents()):
            seen_early = ingesting.is_alive()
            break
        time.sleep(0.5)
    ingesting.join(600)
    assert seen_early, "the file before the long one waited for it"
    files = {Path(f.path).name: f for f in result["report"].files}
    assert files["a_before.txt"].status == files["c_after.txt"].status == "added"
    assert files["b_long.txt"].status == "failed"
    assert "took longer than 15 s and was stopped" in files["b_long.txt"].reason
    assert {Path(d.path).name for d in assistant.documents()} == {"a_before.txt", "c_after.txt"}


def test_a_text_over_its_memory_budget_is_reported_and_the_others_go_in(tmp_path, cache_dir):
    from assistant.pipeline import ingest, open_assistant

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a_small.txt").write_text("Bridge report\n\nThe governor of Gao said the Wabaria bridge reopened.\n")
    (folder / "b_big.txt").write_text(long_prose(1.2))
    (folder / "c_small.txt").write_text("Market report\n\nTraders in Gossi said the cattle market reopened.\n")
    settings = Settings.from_env(index_dir=tmp_path / "index", cache_dir=cache_dir, text_memory_mb=40)
    report = ingest([folder], assistant=open_assistant(settings))
    files = {Path(f.path).name: f for f in report.files}
    assert files["a_small.txt"].status == files["c_small.txt"].status == "added", files
    assert files["b_big.txt"].status == "failed" and "memory" in files["b_big.txt"].reason, files["b_big.txt"]

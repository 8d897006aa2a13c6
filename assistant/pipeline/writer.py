"""One writer at a time: a machine-local lock plus a lease record in the index for writers on
other machines sharing a Chroma server."""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import AssistantError, IndexLockedError
from ..store import Lease, Store

if TYPE_CHECKING:
    from .resources import Assistant

HOST = socket.gethostname()


class Writer:
    """This process's claim on an index while it writes (see `writer_lock`). A thread renews the
    lease; `check()` raises if another writer took the index over meanwhile. `abandoned` says
    that the previous writer never released its claim (it was interrupted)."""

    def __init__(self, store: Store, lease: Lease, *, abandoned: bool, lease_seconds: float) -> None:
        self.store, self.lease, self.abandoned, self.lease_seconds = store, lease, abandoned, lease_seconds
        self._stop = threading.Event()
        self._lost: Lease | None = None
        self._thread = threading.Thread(target=self._renew, name="assistant-writer-lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.lease_seconds / 4):
            try:
                held = self.store.lease()
                if held is None or held.token != self.lease.token:
                    self._lost = held or replace(self.lease, host="?", pid=0)
                    return
                self.lease = replace(self.lease, expires=time.time() + self.lease_seconds)
                self.store.put_lease(self.lease)
            except AssistantError:
                continue  # a passing network problem: the next write will say

    def check(self) -> None:
        if self._lost is not None:
            raise IndexLockedError(
                f"{self.store.where}: this ingest lost its claim on the index (to pid "
                f"{self._lost.pid} on {self._lost.host}) and stopped; run it again"
            )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            self.store.drop_lease(self.lease.token)
        except AssistantError:
            pass  # it lapses by itself


def _lock_path(settings: Settings, store: Store) -> Path:
    if not settings.chroma_url:
        return settings.index_dir / f".{settings.collection}.writer.lock"
    key = hashlib.sha256(f"{store.where}|{settings.collection}".encode()).hexdigest()[:16]
    return settings.cache_dir / "locks" / f"{key}.lock"


def _lease_alive(lease: Lease, *, embedded: bool, now: float) -> bool:
    """Whether the writer named by `lease` may still be at work (this process holds the
    machine-local lock when it asks)."""
    if lease.host == HOST:
        if embedded or lease.pid == os.getpid():
            return False  # it would hold the local lock we hold
        try:
            os.kill(lease.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # alive, another user's
    return lease.expires > now


@contextmanager
def writer_lock(assistant: Assistant, *, purpose: str = "ingest") -> Iterator[Writer]:
    """Only one writer per index: a second one fails fast, naming the first.

    Two guards: an fcntl lock on a file on this machine (the index folder, or the cache for a
    server; the system drops it when the process dies), and a lease record in the index itself
    for writers on other machines sharing a Chroma server (renewed while the writer works; a
    crashed remote writer's lease lapses after `settings.lease_seconds`). Chroma has no compare-and-swap,
    so two machines starting in the same instant could both win; the loser notices at its next
    renewal and stops before its next write."""
    s, store = assistant.settings, assistant.store
    path = _lock_path(s, store)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise IndexLockedError(
                f"{store.where}: the index is being written by {holder}; wait for it to finish, then try again"
            ) from exc
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} on {HOST} ({purpose})")
            fh.flush()
            held, now = store.lease(), time.time()
            if held is not None and _lease_alive(held, embedded=not s.chroma_url, now=now):
                raise IndexLockedError(
                    f"{store.where}: the index is being written by pid {held.pid} on {held.host} ({held.purpose}, "
                    f"since {time.strftime('%H:%M:%S', time.localtime(held.since))}); wait for it to finish. If that "
                    f"process is gone, its claim lapses at {time.strftime('%H:%M:%S', time.localtime(held.expires))}"
                )
            lease = Lease(
                host=HOST,
                pid=os.getpid(),
                token=uuid.uuid4().hex,
                since=now,
                expires=now + s.lease_seconds,
                purpose=purpose,
            )
            store.put_lease(lease)
            if (mine := store.lease()) is None or mine.token != lease.token:
                raise IndexLockedError(f"{store.where}: another writer claimed the index at the same moment; try again")
            writer = Writer(store, lease, abandoned=held is not None, lease_seconds=s.lease_seconds)
            try:
                yield writer
            finally:
                writer.close()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def writer_at_work(assistant: Assistant) -> Lease | None:
    """The claim of a writer (an ingest, a deletion) at work on the index now, if any: readers
    meanwhile see only the documents it has finished."""
    try:
        held = assistant.store.lease()
    except AssistantError:
        return None
    if held is None or held.expires <= time.time():  # a live writer renews its claim 4 times per lease
        return None
    if held.host == HOST:
        try:
            os.kill(held.pid, 0)
        except ProcessLookupError:
            return None  # killed: its claim has not lapsed yet
        except PermissionError:
            pass  # alive, another user's
    return held

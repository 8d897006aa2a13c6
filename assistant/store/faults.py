"""What went wrong with the index, in words: a server gone or frozen, a full disk, a file-size
limit, a damaged index; and the decorators that turn the client's errors into an IndexError_."""

from __future__ import annotations

import errno
import functools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from chromadb.errors import ChromaError

from ..errors import AssistantError, IndexError_, StorageFullError
from .files import REBUILD

if TYPE_CHECKING:
    from .collection import Store

F = TypeVar("F", bound=Callable[..., Any])


def short_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def guarded(method: F) -> F:
    """Turn the client's connection and storage errors into an IndexError_ naming the index."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except AssistantError:
            raise
        except (httpx.HTTPError, ChromaError, OSError) as exc:
            error = index_error(self.where, exc)
            if isinstance(error, StorageFullError):
                self.full = error
            raise error from exc

    return wrapper  # type: ignore[return-value]


def writing(method: F) -> F:
    """A write to the index: refused at once, with the same error, once a call of this process (a
    write, or a read making Chroma apply its log) found the disk full. (Chroma's embedded client
    can wait forever on its next write after one that failed for want of space.)"""
    checked = guarded(method)

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        if self.full is not None:
            raise StorageFullError(str(self.full))
        return checked(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


_DISK_FULL = re.compile(r"no space left|os error 28|disk is full|SQLITE_FULL|ENOSPC", re.I)
_TOO_LARGE = re.compile(r"file too large|os error 27|EFBIG", re.I)
_DAMAGED = re.compile(
    r"malformed|file is not a database|not a database|corrupt|hnsw segment reader|"
    r"deserializing pickle|Error loading hnsw",
    re.I,
)


def index_error(where: str, exc: BaseException, *, opening: bool = False) -> IndexError_:
    """The IndexError_ that says in words what went wrong with the index at `where`: a server that
    does not answer or went away, a full disk, a damaged index, or else the client's own reason."""
    text = " ".join(str(e) for e in _chain(exc))
    if isinstance(exc, httpx.TimeoutException):
        return IndexError_(
            f"the Chroma server at {where} did not answer in time (is it frozen or overloaded? "
            "the limit is ASSISTANT_CHROMA_TIMEOUT seconds)"
        )
    if isinstance(exc, httpx.TransportError):
        return IndexError_(
            f"lost the connection to the Chroma server at {where} ({short_reason(exc)}); is it still running?"
        )
    space = _space_problem(where)  # Chroma's own message may only say "Error in compaction"
    if (
        _DISK_FULL.search(text)
        or any(getattr(e, "errno", None) == errno.ENOSPC for e in _chain(exc))
        or space == "full"
    ):
        return StorageFullError(
            f"{where}: the disk holding the index is full; free some space, then run the same command again"
        )
    if (
        _TOO_LARGE.search(text)
        or any(getattr(e, "errno", None) == errno.EFBIG for e in _chain(exc))
        or space == "limit"
    ):
        return StorageFullError(
            f"{where}: a file of the index reached this process's file-size limit "
            "(ulimit -f); raise the limit, then run the same command again"
        )
    if _DAMAGED.search(text):
        return IndexError_(f"{where}: the index is damaged ({short_reason(exc)}); " + REBUILD.format(index_dir=where))
    verb = "cannot open the index" if opening else "the index could not be read or written"
    return IndexError_(f"{where}: {verb} ({short_reason(exc)})")


def _space_problem(where: str, *, low: int = 64 << 20) -> str | None:
    """ "full" when the filesystem of the embedded index at `where` has under `low` bytes free,
    "limit" when one of its files has reached the process's file-size limit, else None."""
    import resource

    folder = Path(where)
    try:
        if not folder.is_dir():
            return None
        st = os.statvfs(folder)
        if st.f_bavail * st.f_frsize < low:
            return "full"
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit != resource.RLIM_INFINITY and any(
            f.is_file() and f.stat().st_size >= limit - (1 << 20) for f in folder.rglob("*")
        ):
            return "limit"
    except OSError:
        return None
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__

"""Paths -> the files to ingest: `discover(paths)` expands folders recursively and says what it does
with everything else it meets (pipes, links, unlistable folders, the index); nothing is opened.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import shown
from .types import FileStatus

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".json", ".jsonl", ".ndjson"}


@dataclass(frozen=True, slots=True)
class Walk:
    """What `discover` found: the files to read, in order, and every other thing it met with
    its status ("skipped" or "failed") and the reason."""

    files: list[Path]
    others: list[tuple[Path, FileStatus, str]]


def discover(paths: Iterable[Path], *, exclude: Iterable[Path] = ()) -> Walk:
    """Files to ingest under `paths` (folders recursively, in name order; hidden entries skipped;
    each file once), and a line for everything else the walk meets: unsupported types, pipes,
    sockets and devices (never opened), broken links, link loops, folders that cannot be listed,
    and folders never read as documents (the `exclude` folders, such as the index, and any
    folder holding a Chroma index)."""
    walker = _Walker(exclude)
    for path in paths:
        walker.visit(Path(path))
    return Walk(files=walker.files, others=walker.others)


class _Walker:
    """The state of one walk: what it has found and which files and folders it has seen."""

    def __init__(self, exclude: Iterable[Path]) -> None:
        self.files: list[Path] = []
        self.others: list[tuple[Path, FileStatus, str]] = []
        self.seen: set[str] = set()
        self.walked: set[tuple[int, int]] = set()
        self.exclude = exclude
        self.excluded = {_identity(p) for p in exclude} - {None}

    def visit(self, p: Path) -> None:
        try:
            st = p.stat()
        except OSError as exc:
            self.others.append((p, "failed", _stat_failure(p, exc)))
            return
        if stat.S_ISDIR(st.st_mode):
            self.folder(p, st)
        elif any(_inside(p, e) for e in self.exclude):
            self.others.append((p, "skipped", "inside the index folder; never read as documents"))
        else:
            self.file(p, st)

    def file(self, p: Path, st: os.stat_result) -> None:
        key = os.path.realpath(p)
        if key in self.seen:
            return
        self.seen.add(key)
        if not stat.S_ISREG(st.st_mode):
            self.others.append((p, "failed", f"not a regular file ({file_kind(st.st_mode)}); skipped"))
        elif p.suffix.lower() in SUPPORTED:
            self.files.append(p)
        else:
            why = f"unsupported file type {p.suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED))}"
            self.others.append((p, "failed", why))

    def folder(self, p: Path, st: os.stat_result) -> None:
        ident = (st.st_dev, st.st_ino)
        if ident in self.excluded:
            self.others.append((p, "skipped", "the index folder; never read as documents"))
            return
        if ident in self.walked:
            self.others.append((p, "skipped", "a link to a folder already read (a symbolic link loop?)"))
            return
        self.walked.add(ident)
        try:
            with os.scandir(p) as it:
                names = sorted(e.name for e in it)
        except OSError as exc:
            why = f"cannot list the folder ({exc.strerror or exc}); its files were not read"
            self.others.append((p, "failed", why))
            return
        if "chroma.sqlite3" in names:
            self.others.append((p, "skipped", "a Chroma index folder; never read as documents"))
            return
        for name in names:
            if not name.startswith("."):
                self.visit(p / name)


def _stat_failure(p: Path, exc: OSError) -> str:
    """Why a path the walk met cannot be looked at."""
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop; skipped"
    if exc.errno == errno.ENOENT and p.is_symlink():
        return f"a broken symbolic link (to {shown(os.readlink(p))}); skipped"
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    return f"cannot read it ({exc.strerror or exc})"


def _identity(p: Path) -> tuple[int, int] | None:
    try:
        st = p.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _inside(p: Path, folder: Path) -> bool:
    try:
        return Path(os.path.realpath(p)).is_relative_to(os.path.realpath(folder))
    except OSError:
        return False


def file_kind(mode: int) -> str:
    """What a thing that is not a regular file is ("a named pipe", "a socket", "a device")."""
    return (
        "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a file"
    )

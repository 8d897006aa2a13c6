"""Offline question answering over conflict reports that says who claimed what.

    from assistant import ask
    answer = ask("How many Wagner fighters were killed?")        # the default index
    for c in answer.claims: print(c.source, c.stance, c.citations)

    from assistant import Settings, open_assistant, ingest
    a = open_assistant(Settings.from_env(index_dir="/tmp/my-index"))
    ingest(["reports/"], assistant=a)
    ask("…", assistant=a)

`ask` and `ingest` without an `assistant` open the index named by the environment once and keep
it open for later calls in the same process (`close_default()` forgets it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Settings
from .types import Answer, Citation, Claim, Filters, IngestReport

if TYPE_CHECKING:
    from .pipeline import Assistant

__all__ = [
    "Answer",
    "Citation",
    "Claim",
    "Filters",
    "IngestReport",
    "Settings",
    "ask",
    "close_default",
    "ingest",
    "open_assistant",
]

_default: dict[Settings, Assistant] = {}


def open_assistant(settings: Settings | None = None) -> Assistant:
    """Open the index named by `settings` (default: from the environment)."""
    from .config import quiet_runtime
    from .pipeline import open_assistant as _open

    quiet_runtime()
    return _open(settings)


def _resolve(assistant: Assistant | None, settings: Settings | None) -> Assistant:
    if assistant is not None:
        return assistant
    settings = settings or Settings.from_env()
    if settings not in _default:
        _default[settings] = open_assistant(settings)
    return _default[settings]


def ask(
    question: str,
    *,
    assistant: Assistant | None = None,
    settings: Settings | None = None,
    k: int | None = None,
    filters: Filters | None = None,
) -> Answer:
    """Answer a question from the index, with cited passages credited to their sources."""
    from .pipeline import ask as _ask

    return _ask(question, assistant=_resolve(assistant, settings), k=k, filters=filters)


def ingest(
    paths: Sequence[str | Path], *, assistant: Assistant | None = None, settings: Settings | None = None
) -> IngestReport:
    """Add files and folders to the index; returns one report line per file."""
    from .pipeline import ingest as _ingest

    return _ingest([Path(p) for p in paths], assistant=_resolve(assistant, settings))


def close_default() -> None:
    """Forget the indexes opened by `ask`/`ingest` without an explicit assistant."""
    _default.clear()

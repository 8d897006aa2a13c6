"""The errors the assistant reports to a person: each message names the file or setting and the fix."""

from __future__ import annotations

import os
from pathlib import Path


def shown(path: Path | str) -> str:
    """A path as it can be stored and shown: bytes of a file name that are not UTF-8 (which Python
    keeps as lone surrogates) become U+FFFD replacement characters."""
    return os.fsencode(str(path)).decode("utf-8", errors="replace")


class AssistantError(Exception):
    """Root of every error the assistant raises on purpose."""


class LoadError(AssistantError):
    """A file could not be read as a document (the message says which file and why)."""


class IndexError_(AssistantError):
    """The index is missing, locked, built with another model, or unreachable."""


class IndexLockedError(IndexError_):
    """Another process is writing to the same index."""


class StorageFullError(IndexError_):
    """The disk holding the index is full, or a file of it reached the file-size limit."""


class ModelError(AssistantError):
    """An embedding or language model could not be loaded."""


class ConfigError(AssistantError):
    """A setting, environment variable or command-line option has an impossible value."""


class IngestStopped(AssistantError):
    """An ingest stopped before its end (the index failed, the disk filled up, Ctrl-C); `report`
    says which files were committed before it stopped and which were not."""

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class IngestInterrupted(IngestStopped, KeyboardInterrupt):
    """Ctrl-C during an ingest: still a KeyboardInterrupt, carrying what was committed."""

"""The worker process in which ingest runs the spaCy analysis: `init` loads the pipeline once,
`run` analyses one document. The worker leaves as soon as the ingest that started it is gone,
even after kill -9. Importing this module is cheap (no Chroma, no torch), so a worker starts fast.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any

from .analyse import analyse, load_analyzer
from .types import Analysis, Document

_STATE: dict[str, Any] = {}


def init(spacy_model: str) -> None:
    """Load the analyzer, and watch the parent: when it dies the worker is re-parented and exits."""
    from .config import quiet_runtime

    quiet_runtime()
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="assistant-parent-watch", daemon=True).start()
    _STATE["analyzer"] = load_analyzer(spacy_model)


def run(doc: Document) -> Analysis:
    """The analysis of one document."""
    return analyse(doc, analyzer=_STATE["analyzer"])

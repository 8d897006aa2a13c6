"""The only package that knows the stage order; the faces (CLI, web, Python API) call it.

    ingest: discover -> load -> clean -> analyse (spaCy) -> chunk -> embed -> store -> lexical index
    ask:    question -> embed -> retrieve (dense + BM25) -> compose (passages, sources, abstention)

resources    `Assistant`: the open index and its models, built once when first needed; its snapshot
snapshot     the document list and keyword index readers answer from
asking       `ask`
writer       one writer at a time (`writer_lock`, `writer_at_work`)
maintenance  `repair`, `recover`, `delete`
ingesting    `ingest`, with planner (what to do with each file), analysis_pool (spaCy, in a
             worker process) and batch (embed and store, one commit per batch)
faces        what the command line and the web page call besides these (document pages, a file's
             attributions, follow-up questions)
"""

from .asking import ask
from .faces import (
    Analysed,
    DocumentPages,
    Resolved,
    Turn,
    attributions_of_file,
    document_pages,
    index_location,
    resolve_follow_up,
    warm_up,
)
from .ingesting import Progress, ingest
from .maintenance import delete, recover, repair
from .resources import Assistant, open_assistant
from .snapshot import rebuild_lexical
from .writer import HOST, Writer, writer_at_work, writer_lock

__all__ = [
    "HOST",
    "Analysed",
    "Assistant",
    "DocumentPages",
    "Progress",
    "Resolved",
    "Turn",
    "Writer",
    "ask",
    "attributions_of_file",
    "delete",
    "document_pages",
    "index_location",
    "ingest",
    "open_assistant",
    "rebuild_lexical",
    "recover",
    "repair",
    "resolve_follow_up",
    "warm_up",
    "writer_at_work",
    "writer_lock",
]

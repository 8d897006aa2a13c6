"""The vector store: the only package that imports chromadb.

Two collections per index: `<name>_chunks` (chunk text, embedding, offsets, sentences and
attributions as JSON) and `<name>_docs` (the manifest: one record per document with its cleaned
text, metadata and state, plus two internal records: `__state__` with the model name and a
generation counter that moves on every visible change, so derived data such as the lexical index
can tell it is stale, and `__lease__` naming the writer at work).

A document's state is `pending` while its chunks are written, `done` once they all are (readers
see only done documents), and `deleting` while it is removed. Marking documents done, retiring
replaced ones and moving the generation happen in one write, so a reader never sees half of a
change, and anything an interrupted writer left behind is not `done` and can be removed.
Works the same on an embedded PersistentClient and on a `chroma run` server (HttpClient).

client      connecting (embedded folder or `chroma run` server, with limits on every call)
files       checking an embedded index's files before Chroma opens them
faults      the index's errors in words (server gone, disk full, damaged)
collection  `Store`, `Lease`
records     the metadata of documents and chunks, and `where` filters over it
"""

from .client import ServerAddress, open_client, server_address
from .collection import SCHEMA, Lease, Store
from .faults import index_error
from .files import check_index_files
from .records import date_int, pack_vectors, unpack_vectors, where_clause

__all__ = [
    "SCHEMA",
    "Lease",
    "ServerAddress",
    "Store",
    "check_index_files",
    "date_int",
    "index_error",
    "open_client",
    "pack_vectors",
    "server_address",
    "unpack_vectors",
    "where_clause",
]

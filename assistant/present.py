"""Output shapes shared by the command line and the web: answers, attributions, ingest reports and
documents as JSON-ready dicts, answers as Markdown, and the claims of an answer as a table and CSV.

The JSON forms are stable: other programs parse them (`assistant ask --json`, the web API's `ask`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from .types import Analysis, Answer, Citation, DocRecord, Document, IngestReport

CLAIM_COLUMNS = ("source", "type", "stance", "claim", "document", "date", "citations")


def citation_dict(c: Citation) -> dict[str, Any]:
    return {
        "n": c.n,
        "doc_id": c.doc_id,
        "title": c.title,
        "path": c.path,
        "page": c.page,
        "start": c.start,
        "end": c.end,
        "quote": c.quote,
        "source": c.source,
        "source_type": c.source_type,
        "cue": c.cue,
        "stance": c.stance,
        "outlet": c.outlet,
        "date": c.date,
        "record": c.key,
    }


def answer_dict(a: Answer) -> dict[str, Any]:
    """The stable JSON form of an answer (the CLI and the web API give the same)."""
    return {
        "question": a.question,
        "answerable": a.answerable,
        "contested": a.contested,
        "text": a.text,
        "citations": [citation_dict(c) for c in a.citations],
        "claims": [
            {
                "source": c.source,
                "source_type": c.source_type,
                "cue": c.cue,
                "stance": c.stance,
                "text": c.text,
                "citations": list(c.citations),
                "figures": list(c.figures),
            }
            for c in a.claims
        ],
        "related": [citation_dict(c) for c in a.related],
        "source_silent": a.source_silent,
    }


def error_dict(question: str, message: str) -> dict[str, Any]:
    """The JSON form of a question that could not be asked (the CLI and the web API give the same)."""
    return {"question": question, "error": message, "answerable": False, "text": message, "citations": [], "claims": []}


def answer_markdown(a: Answer) -> str:
    """The answer text followed by the numbered sources."""
    lines = [a.text]
    if a.citations:
        lines += ["", "**Sources**"]
        for c in a.citations:
            where = c.title + (f", p. {c.page}" if c.page else "") + (f" ({c.date})" if c.date else "")
            lines.append(f"[{c.n}] {where} — credited to {c.source}")
    return "\n".join(lines)


def attribution_dicts(
    doc: Document, analysis: Analysis, contents: Sequence[str], *, narration: bool = False
) -> list[dict[str, Any]]:
    """One dict per attribution (`contents`: what each one attributes, as the reader sees it) and,
    with `narration`, one per unattributed sentence credited to the document's narrator; offsets
    into the cleaned text."""
    out = []
    for a, content in zip(analysis.attributions, contents, strict=True):
        out.append(
            {
                "sentence": doc.text[a.sentence_start : a.sentence_end],
                "source": a.source,
                "source_resolved": a.source_resolved,
                "source_type": a.source_type,
                "cue": a.cue,
                "stance": a.stance,
                "content": content,
                "start": a.sentence_start,
                "end": a.sentence_end,
                "inherited": a.inherited,
                "reported_by": a.reported_by,
            }
        )
    if narration:
        credited = {(a.sentence_start, a.sentence_end) for a in analysis.attributions}
        for s in analysis.sentences:
            if (s.start, s.end) not in credited:
                out.append(
                    {
                        "sentence": doc.text[s.start : s.end],
                        "source": analysis.narrator.name,
                        "source_resolved": analysis.narrator.name,
                        "source_type": analysis.narrator.source_type,
                        "cue": None,
                        "stance": "narration",
                        "content": doc.text[s.start : s.end],
                        "start": s.start,
                        "end": s.end,
                        "inherited": False,
                        "reported_by": None,
                    }
                )
        out.sort(key=lambda d: (d["start"], d["cue"] is None))
    return out


def report_dict(r: IngestReport) -> dict[str, Any]:
    """The JSON form of an ingest report: one dict per file and a summary of counts."""
    return {
        "files": [
            {
                "path": f.path,
                "status": f.status,
                "documents": f.documents,
                "chunks": f.chunks,
                "reason": f.reason,
                "doc_ids": list(f.doc_ids),
            }
            for f in r.files
        ],
        "summary": {s: r.count(s) for s in ("added", "updated", "unchanged", "duplicate", "skipped", "failed")}
        | {"files": len(r.files), "chunks": sum(f.chunks for f in r.files), "seconds": round(r.seconds, 2)},
    }


def document_dict(d: DocRecord) -> dict[str, Any]:
    """The JSON form of one indexed document (`assistant documents --json`)."""
    return {
        "doc_id": d.doc_id,
        "title": d.meta.title,
        "outlet": d.meta.outlet,
        "date": d.meta.date,
        "path": d.path,
        "record": d.key,
        "chunks": d.n_chunks,
        "narrator": d.narrator.name,
    }


def claims_table(a: Answer) -> list[list[str]]:
    """One row per claim (columns CLAIM_COLUMNS): who, what kind of source, the claim, where."""
    by_n = {c.n: c for c in a.citations}
    rows = []
    for cl in a.claims:
        cits = [by_n[n] for n in cl.citations if n in by_n]
        docs = list(dict.fromkeys(c.title + (f", p. {c.page}" if c.page else "") for c in cits))
        dates = list(dict.fromkeys(c.date for c in cits if c.date))
        rows.append(
            [
                cl.source,
                cl.source_type,
                cl.stance,
                cl.text,
                "; ".join(docs),
                "; ".join(dates),
                " ".join(f"[{n}]" for n in cl.citations),
            ]
        )
    return rows


def claims_csv(a: Answer) -> str:
    """The claims table as CSV; cells that a spreadsheet would run as a formula are quoted with '."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CLAIM_COLUMNS)
    for row in claims_table(a):
        w.writerow(["'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in row])
    return buf.getvalue()

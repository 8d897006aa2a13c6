"""Answers, attributions and ingest reports -> JSON-ready dicts and Markdown (no Gradio here)."""
from __future__ import annotations

from typing import Any

from .types import Analysis, Answer, Citation, Document, IngestReport


def citation_dict(c: Citation) -> dict[str, Any]:
    return {"n": c.n, "doc_id": c.doc_id, "title": c.title, "path": c.path, "page": c.page, "start": c.start,
            "end": c.end, "quote": c.quote, "source": c.source, "source_type": c.source_type, "cue": c.cue,
            "stance": c.stance, "outlet": c.outlet, "date": c.date, "record": c.key}


def answer_dict(a: Answer) -> dict[str, Any]:
    """The stable JSON form of an answer (the CLI and the web API give the same)."""
    return {
        "question": a.question,
        "answerable": a.answerable,
        "contested": a.contested,
        "text": a.text,
        "citations": [citation_dict(c) for c in a.citations],
        "claims": [{"source": c.source, "source_type": c.source_type, "cue": c.cue, "stance": c.stance,
                    "text": c.text, "citations": list(c.citations)} for c in a.claims],
        "related": [citation_dict(c) for c in a.related],
    }


def answer_markdown(a: Answer) -> str:
    """The answer text followed by the numbered sources."""
    lines = [a.text]
    if a.citations:
        lines += ["", "**Sources**"]
        for c in a.citations:
            where = c.title + (f", p. {c.page}" if c.page else "") + (f" ({c.date})" if c.date else "")
            lines.append(f"[{c.n}] {where} — credited to {c.source}")
    return "\n".join(lines)


def attribution_dicts(doc: Document, analysis: Analysis, *, narration: bool = False) -> list[dict[str, Any]]:
    """One dict per attribution (and, with `narration`, one per unattributed sentence credited to
    the document's narrator), offsets into the cleaned text."""
    out = []
    for a in analysis.attributions:
        out.append({"sentence": doc.text[a.sentence_start:a.sentence_end], "source": a.source,
                    "source_resolved": a.source_resolved, "source_type": a.source_type, "cue": a.cue,
                    "stance": a.stance, "content": doc.text[a.content_start:a.content_end],
                    "start": a.sentence_start, "end": a.sentence_end})
    if narration:
        credited = {(a.sentence_start, a.sentence_end) for a in analysis.attributions}
        for s in analysis.sentences:
            if (s.start, s.end) not in credited:
                out.append({"sentence": doc.text[s.start:s.end], "source": analysis.narrator.name,
                            "source_resolved": analysis.narrator.name, "source_type": analysis.narrator.source_type,
                            "cue": None, "stance": "narration", "content": doc.text[s.start:s.end],
                            "start": s.start, "end": s.end})
        out.sort(key=lambda d: (d["start"], d["cue"] is None))
    return out


def report_dict(r: IngestReport) -> dict[str, Any]:
    return {
        "files": [{"path": f.path, "status": f.status, "documents": f.documents, "chunks": f.chunks,
                   "reason": f.reason, "doc_ids": list(f.doc_ids)} for f in r.files],
        "summary": {s: r.count(s) for s in ("added", "updated", "unchanged", "failed")} |
                   {"files": len(r.files), "chunks": sum(f.chunks for f in r.files), "seconds": round(r.seconds, 2)},
    }

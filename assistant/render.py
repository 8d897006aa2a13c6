"""Answers, attributions and ingest reports -> JSON-ready dicts, Markdown, and the HTML, tables
and CSV of the web chat (no Gradio here)."""
from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .analyse import content_text
from .types import Analysis, Answer, Citation, Claim, DocRecord, Document, Filters, IngestReport, Page

if TYPE_CHECKING:
    from .conversation import Turn


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
                    "stance": a.stance, "content": content_text(doc.text, a),
                    "start": a.sentence_start, "end": a.sentence_end, "inherited": a.inherited,
                    "reported_by": a.reported_by})
    if narration:
        credited = {(a.sentence_start, a.sentence_end) for a in analysis.attributions}
        for s in analysis.sentences:
            if (s.start, s.end) not in credited:
                out.append({"sentence": doc.text[s.start:s.end], "source": analysis.narrator.name,
                            "source_resolved": analysis.narrator.name, "source_type": analysis.narrator.source_type,
                            "cue": None, "stance": "narration", "content": doc.text[s.start:s.end],
                            "start": s.start, "end": s.end, "inherited": False, "reported_by": None})
        out.sort(key=lambda d: (d["start"], d["cue"] is None))
    return out


def report_dict(r: IngestReport) -> dict[str, Any]:
    return {
        "files": [{"path": f.path, "status": f.status, "documents": f.documents, "chunks": f.chunks,
                   "reason": f.reason, "doc_ids": list(f.doc_ids)} for f in r.files],
        "summary": {s: r.count(s) for s in ("added", "updated", "unchanged", "failed")} |
                   {"files": len(r.files), "chunks": sum(f.chunks for f in r.files), "seconds": round(r.seconds, 2)},
    }


# -- HTML for the web chat -----------------------------------------------------------------------
# Every piece of document text, source name, title and file name goes through `_e` (HTML-escaped);
# nothing from a document ever becomes markup, a live link or an image.

CLAIM_COLUMNS = ("source", "type", "stance", "claim", "document", "date", "citations")
REPORT_COLUMNS = ("file", "result", "documents", "chunks", "detail")
DOCUMENT_COLUMNS = ("title", "outlet", "date", "chunks", "id")
RESULT_NAMES = {"added": "added", "updated": "updated", "unchanged": "duplicate", "failed": "failed"}
_FIGURE = re.compile(
    r"\b(?:(?:at least|more than|over|about|around|nearly|almost|up to|some)\s+)?"
    r"(?:\d[\d,.]*\d|\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundreds?|thousands?|dozens?|scores)\b(?=[\"”’']?\s+[^\W\d_])", re.I)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _cite_button(key: str, label: str, *, title: str = "") -> str:
    return (f'<button type="button" class="cite" data-cite="{_e(key)}" title="{_e(title or "Open the passage")}">'
            f'{_e(label)}</button>')


def _type_badge(kind: str | None) -> str:
    kind = kind or "other"
    slug = re.sub(r"[^a-z]+", "-", kind.lower()).strip("-")
    return f'<span class="stype st-{slug}">{_e(kind)}</span>'


def emphasise_figures(text: str) -> str:
    """`text` escaped, with its figures ("at least 20", "dozens") in bold; years stay plain."""
    out, at = [], 0
    for m in _FIGURE.finditer(text):
        if _YEAR.fullmatch(m.group(0).split()[-1]):
            continue
        out.append(_e(text[at:m.start()]))
        out.append(f"<strong>{_e(m.group(0))}</strong>")
        at = m.end()
    out.append(_e(text[at:]))
    return "".join(out)


def _where(c: Citation) -> str:
    bits = [c.outlet, c.date, f"p. {c.page}" if c.page else None]
    return " · ".join(_e(b) for b in bits if b)


def _claim_card(claim: Claim, turn: int, by_n: dict[int, Citation]) -> str:
    cue = claim.cue or ("reports" if claim.stance == "narration" else "")
    stance = (f' <span class="stance">{_e(claim.stance)}</span>'
              if claim.stance in ("denial", "accusation", "acknowledgement") else "")
    cites = "".join(_cite_button(f"{turn}:{n}", str(n), title=_cite_title(by_n.get(n))) for n in claim.citations)
    return (f'<section class="claim">'
            f'<header><span class="src">{_e(claim.source)}</span> {_type_badge(claim.source_type)}</header>'
            f'<div class="cue">{_e(cue)}{stance}</div>'
            f'<blockquote>“{emphasise_figures(claim.text)}”</blockquote>'
            f'<div class="cites">{cites}</div></section>')


def _cite_title(c: Citation | None) -> str:
    if c is None:
        return "Open the passage"
    return f"Open the passage in “{c.title}”" + (f", page {c.page}" if c.page else "")


def _sources_list(citations: Sequence[Citation], turn: int) -> str:
    items = []
    for c in citations:
        where = _where(c)
        meta = f' <span class="meta">{where}</span>' if where else ""
        credit = f' <span class="credit">credited to <span class="src">{_e(c.source)}</span></span>' if c.source else ""
        items.append(f'<li>{_cite_button(f"{turn}:{c.n}", str(c.n), title=_cite_title(c))}'
                     f' <span class="doc-title">{_e(c.title)}</span>{meta}{credit}</li>')
    return f'<ol class="sources">{"".join(items)}</ol>'


def filters_text(f: Filters) -> str:
    """One line saying what the answer was restricted to (empty when nothing)."""
    parts = []
    if f.source_types:
        parts.append("source type " + ", ".join(f.source_types))
    if f.source:
        parts.append(f"source “{f.source}”")
    if f.outlets:
        parts.append("outlet " + ", ".join(f.outlets))
    if f.doc_ids:
        parts.append(f"{len(f.doc_ids)} selected document{'s' if len(f.doc_ids) != 1 else ''}")
    if f.date_from or f.date_to:
        parts.append(f"dated {f.date_from or '…'} to {f.date_to or '…'}")
    return "; ".join(parts)


def answer_html(a: Answer, *, turn: int = 0, silent_source: str | None = None) -> str:
    """One answer as HTML: who says what (side by side when accounts differ), numbered citations
    that open the passage (`data-cite="turn:n"`), or a plain statement that the reports are silent."""
    parts = []
    if not a.filters.is_empty():
        parts.append(f'<div class="filtered">Searched only: {_e(filters_text(a.filters))}</div>')
    if not a.answerable:
        reason = a.text.split("\n\n", 1)[0]
        parts.append('<div class="verdict silent"><span class="icon">∅</span> The indexed reports do not answer this.'
                     '</div>')
        parts.append(f'<p class="reason">{_e(reason)}</p>')
        if a.related:
            parts.append('<div class="related"><h4>Closest passages — related material, not an answer</h4>'
                         + _related_list(a.related, turn) + "</div>")
        return f'<div class="answer unanswered">{"".join(parts)}</div>'
    by_n = {c.n: c for c in a.citations}
    if silent_source:
        who = f"the {silent_source}" if silent_source[:1].islower() else silent_source
        parts.append(f'<div class="verdict silent-source"><span class="icon">∅</span> No cited passage gives '
                     f'<b>{_e(who)}</b>’s own account of this. What other sources say:</div>')
    accounts = [c for c in a.claims if c.stance != "narration"]
    context = [c for c in a.claims if c.stance == "narration"]
    if a.contested and len(accounts) >= 2:
        parts.append(f'<div class="verdict differ"><span class="icon">⚖</span> Accounts differ — '
                     f'{len(accounts)} sources each give their own account, shown side by side.</div>')
        parts.append('<div class="accounts">' + "".join(_claim_card(c, turn, by_n) for c in accounts) + "</div>")
        if context:
            parts.append('<h4 class="context-h">Also in the reports (the document’s own narration)</h4>'
                         '<div class="claims">' + "".join(_claim_card(c, turn, by_n) for c in context) + "</div>")
    else:
        parts.append('<div class="claims">' + "".join(_claim_card(c, turn, by_n) for c in a.claims) + "</div>")
    parts.append('<h4 class="sources-h">Sources</h4>' + _sources_list(a.citations, turn))
    kind = "contested" if a.contested else "answered"
    return f'<div class="answer {kind}">{"".join(parts)}</div>'


def _related_list(related: Sequence[Citation], turn: int) -> str:
    items = []
    for c in related:
        where = _where(c)
        meta = f' <span class="meta">{where}</span>' if where else ""
        items.append(f'<li>{_cite_button(f"{turn}:r{c.n}", f"R{c.n}", title=_cite_title(c))}'
                     f' <span class="doc-title">{_e(c.title)}</span>{meta}'
                     f'<blockquote>“{_e(c.quote)}”</blockquote></li>')
    return f'<ol class="sources related-list">{"".join(items)}</ol>'


def conversation_html(turns: Sequence["Turn"], *, pending: str | None = None) -> str:
    """The whole conversation, oldest first; `pending` is a question still being answered."""
    from .conversation import source_is_silent

    if not turns and pending is None:
        return ('<div class="chat empty"><p class="hint">Ask about the indexed reports, for example '
                '<i>How many Wagner fighters were killed?</i> Every answer says who makes each claim and '
                'quotes the passage; click a number to open it in its document. Follow-ups such as '
                '<i>And what did the army say?</i> are read in the light of the previous question.</p></div>')
    out = []
    for i, t in enumerate(turns):
        out.append(f'<div class="turn" id="turn-{i}"><div class="q"><span class="you">You</span> {_e(t.asked)}</div>')
        if t.question != t.asked:
            out.append(f'<div class="interp">Asked as: “{_e(t.question)}”</div>')
        if t.answer is not None:
            out.append(answer_html(t.answer, turn=i, silent_source=source_is_silent(t.answer, t.question)))
        else:
            out.append(f'<div class="answer error">{_e(t.error or "No answer.")}</div>')
        out.append("</div>")
    if pending is not None:
        out.append(f'<div class="turn"><div class="q"><span class="you">You</span> {_e(pending)}</div>'
                   '<div class="answer waiting">Searching the reports…</div></div>')
    return f'<div class="chat">{"".join(out)}</div>'


def citation_for(turns: Sequence["Turn"], key: str) -> Citation | None:
    """The citation a `data-cite` key ("2:3", "0:r1") names in `turns`, or None."""
    m = re.fullmatch(r"(\d{1,4}):(r?)(\d{1,3})", key or "")
    if not m:
        return None
    i, related, n = int(m.group(1)), bool(m.group(2)), int(m.group(3))
    if i >= len(turns) or turns[i].answer is None:
        return None
    pool = turns[i].answer.related if related else turns[i].answer.citations
    return next((c for c in pool if c.n == n), None)


def passage_html(c: Citation, record: DocRecord | None, text: str, *, pages: Sequence[Page] = (),
                 window: int = 30000) -> str:
    """The cited passage highlighted inside its document's cleaned text, with the document's
    title, outlet, date and page. Long documents are shown around the passage (`window` characters)."""
    meta = record.meta if record else None
    title = c.title or (meta.title if meta else None) or "Untitled document"
    bits = [meta.outlet if meta and meta.outlet else c.outlet, meta.date if meta and meta.date else c.date,
            f"page {c.page}" if c.page else None,
            f"record {c.key}" if c.key else None, Path(c.path).name if c.path else None]
    head = [f'<div class="p-title">{_e(title)}</div>',
            f'<div class="p-meta">{" · ".join(_e(b) for b in bits if b)}</div>']
    if meta and meta.url and re.match(r"https?://", meta.url, re.I):
        head.append(f'<div class="p-url">{_e(meta.url)}</div>')     # shown, never a live link
    if c.source:
        cue = f", “{_e(c.cue)}”" if c.cue else ""
        head.append(f'<div class="p-credit">[{c.n}] credited to <span class="src">{_e(c.source)}</span> '
                    f'{_type_badge(c.source_type)}{cue}</div>')
    start, end = max(0, min(c.start, len(text))), max(0, min(c.end, len(text)))
    if not text or text[start:end] != c.quote:
        body = (f'<p class="p-missing">The document text is no longer in the index; the cited passage was:</p>'
                f'<div class="doc-text"><mark class="hl">{_e(c.quote)}</mark></div>')
        return f'<div class="passage"><header>{"".join(head)}</header>{body}</div>'
    lo = max(0, start - window // 2)
    hi = min(len(text), max(end + window // 2, lo + window))
    cuts = sorted({lo, hi, start, end} | {p.start for p in pages if lo < p.start < hi})
    starts = {p.start: p.number for p in pages}
    out = []
    if lo > 0:
        out.append(f'<div class="elided">… {lo:,} characters before this point not shown …</div>')
    first = next((p.number for p in pages if p.start <= lo < p.end), None)
    if first is not None and lo not in starts:
        out.append(f'<div class="page-break">page {first}</div>')
    for a, b in zip(cuts, cuts[1:]):
        if a in starts:
            out.append(f'<div class="page-break">page {starts[a]}</div>')
        piece = _e(text[a:b])
        out.append(f'<mark class="hl{" hl-first" if a == start else ""}">{piece}</mark>'
                   if start <= a and b <= end and a < b else piece)
    if hi < len(text):
        out.append(f'<div class="elided">… {len(text) - hi:,} characters after this point not shown …</div>')
    return (f'<div class="passage"><header>{"".join(head)}</header>'
            f'<div class="doc-text">{"".join(out)}</div></div>')


def claims_table(a: Answer) -> list[list[str]]:
    """One row per claim (columns CLAIM_COLUMNS): who, what kind of source, the claim, where."""
    by_n = {c.n: c for c in a.citations}
    rows = []
    for cl in a.claims:
        cits = [by_n[n] for n in cl.citations if n in by_n]
        docs = list(dict.fromkeys(c.title + (f", p. {c.page}" if c.page else "") for c in cits))
        dates = list(dict.fromkeys(c.date for c in cits if c.date))
        rows.append([cl.source, cl.source_type, cl.stance, cl.text, "; ".join(docs), "; ".join(dates),
                     " ".join(f"[{n}]" for n in cl.citations)])
    return rows


def claims_csv(a: Answer) -> str:
    """The claims table as CSV; cells that a spreadsheet would run as a formula are quoted with '."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CLAIM_COLUMNS)
    for row in claims_table(a):
        w.writerow(["'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in row])
    return buf.getvalue()


def report_rows(r: IngestReport, names: dict[str, str] | None = None) -> list[list[object]]:
    """One row per uploaded file (columns REPORT_COLUMNS); `names` maps paths to the names shown."""
    names = names or {}
    return [[names.get(f.path, Path(f.path).name), RESULT_NAMES.get(f.status, f.status), f.documents, f.chunks,
             _detail(f.reason, names)] for f in r.files]


def _detail(reason: str | None, names: dict[str, str]) -> str:
    reason = reason or ""
    for path, name in names.items():
        reason = reason.replace(path, name)
    return reason


def documents_rows(docs: Sequence[DocRecord]) -> list[list[object]]:
    """One row per indexed document (columns DOCUMENT_COLUMNS)."""
    return [[d.meta.title or Path(d.path).name, d.meta.outlet or "", d.meta.date or "", d.n_chunks, d.doc_id]
            for d in docs]


def document_label(d: DocRecord) -> str:
    """How a document is named in pickers: title, outlet, date."""
    bits = [b for b in (d.meta.outlet, d.meta.date) if b]
    title = d.meta.title or Path(d.path).name
    return f"{title[:90]}" + (f" ({', '.join(bits)})" if bits else "")


PAGE_CSS = """
.chat { display: flex; flex-direction: column; gap: 18px; padding: 4px 6px 4px 2px; position: relative;
  max-height: 72vh; overflow-y: auto; }
.chat .hint { color: var(--body-text-color-subdued); font-size: 15px; }
.turn .q { font-weight: 600; font-size: 16px; margin-bottom: 4px; }
.turn .q .you { display: inline-block; font-size: 11px; text-transform: uppercase; letter-spacing: .05em;
  background: var(--color-accent-soft); color: var(--body-text-color); border-radius: 4px; padding: 1px 6px;
  margin-right: 6px; vertical-align: 2px; }
.turn .interp { font-size: 13px; color: var(--body-text-color-subdued); margin: 0 0 6px 2px; font-style: italic; }
.answer { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 14px;
  background: var(--background-fill-primary); }
.answer.error, .answer.waiting { color: var(--body-text-color-subdued); }
.verdict { font-weight: 600; padding: 6px 10px; border-radius: 6px; margin-bottom: 10px; font-size: 15px; }
.verdict .icon { margin-right: 4px; }
.verdict.differ { background: rgba(234, 179, 8, .16); border-left: 4px solid #d97706; }
.verdict.silent { background: rgba(100, 116, 139, .14); border-left: 4px solid #64748b; }
.verdict.silent-source { background: rgba(100, 116, 139, .12); border-left: 4px solid #64748b; font-weight: 500; }
.filtered { font-size: 12px; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.reason { margin: 4px 0 8px; }
.accounts { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 10px; }
.claims { display: flex; flex-direction: column; gap: 8px; }
.claim { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  background: var(--background-fill-secondary); display: flex; flex-direction: column; }
.claim header { font-weight: 700; font-size: 14.5px; line-height: 1.3; }
.claim .cue { font-size: 12.5px; color: var(--body-text-color-subdued); margin: 2px 0 4px; }
.claim .stance { font-size: 11px; border: 1px solid currentColor; border-radius: 3px; padding: 0 4px;
  margin-left: 4px; }
.chat .claim blockquote { margin: 0 0 6px !important; padding: 0 0 0 8px !important; font-style: normal;
  border-left: 3px solid var(--border-color-accent); font-size: 14px; line-height: 1.45; flex: 1; }
.chat .claim header, .chat .claim .cue { margin: 0 !important; padding: 0 !important; }
.chat .claim .cue { margin: 2px 0 4px !important; }
#claims-table, #claims-table * , #ingest-results *, #documents * { font-family: var(--font) !important; }
.claim blockquote strong { background: rgba(234, 179, 8, .25); border-radius: 2px; padding: 0 1px; }
.stype { display: inline-block; font-size: 11px; font-weight: 600; border-radius: 10px; padding: 1px 7px;
  vertical-align: 1px; white-space: nowrap; background: rgba(100, 116, 139, .18); }
.st-armed-group { background: rgba(220, 38, 38, .16); color: #b91c1c; }
.st-military { background: rgba(77, 124, 15, .18); color: #3f6212; }
.st-government { background: rgba(37, 99, 235, .15); color: #1d4ed8; }
.st-police { background: rgba(30, 58, 138, .15); color: #1e3a8a; }
.st-media { background: rgba(147, 51, 234, .15); color: #7e22ce; }
.st-local-sources { background: rgba(13, 148, 136, .16); color: #0f766e; }
.st-un-ngo { background: rgba(14, 165, 233, .16); color: #0369a1; }
.st-anonymous-official { background: rgba(120, 113, 108, .2); color: #57534e; }
.st-author, .st-other { background: rgba(100, 116, 139, .16); color: #475569; }
.dark .stype { color: var(--body-text-color); }
button.cite { font-size: 12px; font-weight: 700; min-width: 22px; padding: 1px 6px; margin-right: 3px;
  border-radius: 5px; border: 1px solid var(--color-accent); color: var(--color-accent);
  background: transparent; cursor: pointer; line-height: 1.4; }
button.cite:hover, button.cite.active { background: var(--color-accent); color: white; }
.sources-h, .context-h, .related h4 { font-size: 13px; margin: 12px 0 4px; text-transform: uppercase;
  letter-spacing: .04em; color: var(--body-text-color-subdued); }
ol.sources { list-style: none; padding: 0; margin: 0; font-size: 13px; }
ol.sources li { margin: 3px 0; }
ol.sources .doc-title { font-style: italic; }
ol.sources .meta, ol.sources .credit { color: var(--body-text-color-subdued); }
ol.sources .meta::before, ol.sources .credit::before { content: " — "; }
.chat ol.related-list blockquote { margin: 2px 0 8px 30px !important; padding: 0 0 0 8px !important; font-size: 13px;
  font-style: normal; color: var(--body-text-color-subdued); border-left: 3px solid var(--border-color-primary); }
.passage header { border-bottom: 1px solid var(--border-color-primary); padding-bottom: 6px; margin-bottom: 8px; }
.passage .p-title { font-weight: 700; font-size: 16px; }
.passage .p-meta, .passage .p-url { font-size: 12.5px; color: var(--body-text-color-subdued); word-break: break-all; }
.passage .p-credit { font-size: 13px; margin-top: 4px; }
.passage .doc-text { white-space: pre-wrap; font-size: 14px; line-height: 1.55; max-height: 62vh; overflow-y: auto;
  padding-right: 6px; }
.passage mark.hl { background: rgba(250, 204, 21, .55); color: inherit; padding: 1px 0; border-radius: 2px;
  box-shadow: 0 0 0 2px rgba(250, 204, 21, .55); }
.passage .page-break { text-align: center; font-size: 11px; color: var(--body-text-color-subdued);
  border-top: 1px dashed var(--border-color-primary); margin: 8px 0 4px; white-space: normal; }
.passage .elided { font-size: 12px; color: var(--body-text-color-subdued); font-style: italic; white-space: normal; }
.passage-empty { color: var(--body-text-color-subdued); font-size: 14px; padding: 8px; }
#status-line { font-size: 14px; padding: 6px 10px; border-radius: 6px; background: var(--background-fill-secondary); }
#status-line.ready, #status-line .ready { color: #15803d; }
"""

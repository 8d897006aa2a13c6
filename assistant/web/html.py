"""The HTML of the web chat: answers, the conversation, the passage in its document, the claims
table and the Library's notices (no Gradio here). Every piece of document text, source name, title
and file name goes through `_e` (HTML-escaped); nothing from a document ever becomes markup, a live
link or an image."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..figures import Figure, figures, figures_by_source, question_focus
from ..present import CLAIM_COLUMNS, claims_table
from ..types import Answer, Citation, Claim, DocRecord, Filters, Page

if TYPE_CHECKING:
    from ..pipeline import Turn


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _cite_button(key: str, label: str, *, title: str = "") -> str:
    return (
        f'<button type="button" class="cite" data-cite="{_e(key)}" title="{_e(title or "Open the passage")}">'
        f"{_e(label)}</button>"
    )


def _slug(kind: str | None) -> str:
    return re.sub(r"[^a-z]+", "-", (kind or "other").lower()).strip("-")


def _type_badge(kind: str | None, *, name: str = "") -> str:
    """The source type as a badge; none when the name already says it ("Local sources", "the army" is
    not "military" and keeps its badge)."""
    kind = kind or "other"
    if name and re.search(rf"(?<!\w){re.escape(kind.lower())}(?!\w)", name.lower()):
        return ""
    return f' <span class="stype st-{_slug(kind)}">{_e(kind)}</span>'


def emphasise_figures(text: str, only: Sequence[str] | None = None) -> str:
    """`text` escaped, with its figures ("at least 20", "dozens") in bold; years stay plain. With
    `only`, just those figures (the ones that answer the question)."""
    out, at = [], 0
    for m in figures(text):
        if only is not None and m.group(0) not in only:
            continue
        out.append(_e(text[at : m.start()]))
        out.append(f"<strong>{_e(m.group(0))}</strong>")
        at = m.end()
    out.append(_e(text[at:]))
    return "".join(out)


def _where(c: Citation) -> str:
    bits = [c.outlet, c.date, f"p. {c.page}" if c.page else None]
    return " · ".join(_e(b) for b in bits if b)


def _claim_card(claim: Claim, turn: int, by_n: dict[int, Citation]) -> str:
    cue = claim.cue or ("reports" if claim.stance == "narration" else "")
    stance = (
        f' <span class="stance">{_e(claim.stance)}</span>'
        if claim.stance in ("denial", "accusation", "acknowledgement")
        else ""
    )
    cites = "".join(_cite_button(f"{turn}:{n}", str(n), title=_cite_title(by_n.get(n))) for n in claim.citations)
    return (
        f'<section class="claim" data-type="{_e(claim.source_type)}">'
        f'<header><span class="src">{_e(claim.source)}</span>{_type_badge(claim.source_type, name=claim.source)}'
        "</header>"
        f'<div class="cue">{_e(cue)}{stance}</div>'
        f"<blockquote>“{emphasise_figures(claim.text, claim.figures)}”</blockquote>"
        f'<div class="cites">{cites}</div></section>'
    )


def _cite_title(c: Citation | None) -> str:
    if c is None:
        return "Open the passage"
    return f"Open the passage in “{c.title}”" + (f", page {c.page}" if c.page else "")


def _sources_list(citations: Sequence[Citation], turn: int) -> str:
    """The cited passages grouped by document: its title, outlet and date once, then one line per
    passage (number, page, who it is credited to)."""
    docs: dict[str, list[Citation]] = {}
    for c in citations:
        docs.setdefault(c.doc_id + "\x00" + (c.key or ""), []).append(c)
    out = []
    for group in docs.values():
        first = group[0]
        bits = " · ".join(_e(b) for b in (first.outlet, first.date) if b)
        items = []
        for c in group:
            page = f'<span class="page">p. {c.page}</span> ' if c.page else ""
            credit = f'credited to <span class="src">{_e(c.source)}</span>' if c.source else ""
            items.append(
                f"<li>{_cite_button(f'{turn}:{c.n}', str(c.n), title=_cite_title(c))} {page}"
                f'<span class="credit">{credit}</span></li>'
            )
        out.append(
            f'<li class="source-doc"><span class="doc-title">{_e(first.title)}</span>'
            + (f' <span class="meta">{bits}</span>' if bits else "")
            + f"<ol>{''.join(items)}</ol></li>"
        )
    return f'<ol class="sources">{"".join(out)}</ol>'


def _figure_source(f: Figure) -> str:
    kind = _type_badge(f.source_type, name=f.source)
    return f'<span class="src">{_e(f.source)}</span>' + (f" ({_e(f.source_type)})" if kind else "")


def comparison_html(a: Answer) -> str:
    """One line that compares the accounts' figures ("Wagner fighters killed: at least 20 — Baza
    (media) · at least 15 — Local sources · dozens — Mossa Ag Inzoma"); empty unless two or more
    sources give a figure that answers the question."""
    figs = figures_by_source(a)
    if len({f.source for f in figs}) < 2:
        return ""
    _, label = question_focus(a.question)
    items = " · ".join(f'<span class="fig"><strong>{_e(f.text)}</strong> — {_figure_source(f)}</span>' for f in figs)
    return f'<p class="compare"><span class="compare-label">{_e(label[:1].upper() + label[1:])}:</span> {items}</p>'


def chart_svg(a: Answer, *, turn: int = 0) -> str:
    """The numeric figures of the accounts as a bar chart: inline SVG sized in percent (its text
    keeps the page's size on any screen), each bar under its value and source, every text escaped;
    a figure that is not a number is listed under the chart. Empty unless two or more sources
    give a number."""
    figs = figures_by_source(a)
    numbers = [f for f in figs if f.value is not None][:8]
    if len({f.source for f in numbers}) < 2:
        return ""
    _, label = question_focus(a.question)
    label = label[:1].upper() + label[1:]
    top = max(f.value for f in numbers) or 1.0
    row = 40
    rows = []
    for i, f in enumerate(numbers):
        y = i * row
        name = f.source if len(f.source) <= 26 else f.source[:25] + "…"  # the whole name: <title>, line above
        rows.append(
            f'<g class="bar st-{_slug(f.source_type)}"><title>{_e(f.source)} ({_e(f.source_type)}): '
            f'{_e(f.text)}</title><text x="0" y="{y + 15}"><tspan class="value">{_e(f.text)}</tspan>'
            f'<tspan class="name"> — {_e(name)}</tspan></text>'
            f'<rect x="0" y="{y + 21}" width="{max(0.5, 100 * f.value / top):.1f}%" height="13" rx="3"></rect>'
            "</g>"
        )
    desc = "; ".join(f"{f.text}: {f.source}" for f in numbers)
    vague = "".join(
        f"<li><strong>{_e(f.text)}</strong> — {_figure_source(f)} (not a number)</li>" for f in figs if f.value is None
    )
    return (
        f'<figure class="fig-chart"><figcaption id="chart-{turn}">{_e(label)}, by source</figcaption>'
        f'<svg role="img" aria-labelledby="chart-{turn}" aria-describedby="chart-{turn}-desc" width="100%" '
        f'height="{row * len(numbers)}"><desc id="chart-{turn}-desc">{_e(desc)}</desc>{"".join(rows)}</svg>'
        + (f'<ul class="vague">{vague}</ul>' if vague else "")
        + "</figure>"
    )


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


def _the(name: str) -> str:
    """ "army" -> "the army"; names stay as written."""
    return f"the {name}" if name[:1].islower() and not name.lower().startswith("the ") else name


def _possessive(name: str) -> str:
    return "’" if name.endswith("s") and not name.endswith("ss") else "’s"


def answer_html(a: Answer, *, turn: int = 0) -> str:
    """One answer as HTML: a line comparing the accounts' figures and their chart (when sources give
    figures), who says what (side by side when accounts differ), numbered citations that open the
    passage (`data-cite="turn:n"`), or a plain statement that the reports are silent."""
    parts = []
    if not a.filters.is_empty():
        parts.append(f'<div class="filtered">Searched only: {_e(filters_text(a.filters))}</div>')
    if not a.answerable:
        reason = a.text.split("\n\n", 1)[0]
        parts.append(
            '<div class="verdict silent"><span class="icon">∅</span> The indexed reports do not answer this.</div>'
        )
        if a.source_silent:
            parts.append(
                f'<div class="verdict silent-source"><span class="icon">∅</span> No passage gives '
                f"<b>{_e(_the(a.source_silent))}</b>{_possessive(a.source_silent)} own account of this.</div>"
            )
        else:
            parts.append(f'<p class="reason">{_e(reason)}</p>')
        if a.related:
            parts.append(
                '<div class="related"><h4>Closest passages — related material, not an answer</h4>'
                + _related_list(a.related, turn)
                + "</div>"
            )
        return f'<div class="answer unanswered">{"".join(parts)}</div>'
    by_n = {c.n: c for c in a.citations}
    parts.append(comparison_html(a) + chart_svg(a, turn=turn))
    if a.source_silent:
        parts.append(
            f'<div class="verdict silent-source"><span class="icon">∅</span> No cited passage gives '
            f"<b>{_e(_the(a.source_silent))}</b>{_possessive(a.source_silent)} own account of this. "
            "What other sources say:</div>"
        )
    accounts = [c for c in a.claims if c.stance != "narration"]
    context = [c for c in a.claims if c.stance == "narration"]
    if a.contested and len(accounts) >= 2:
        parts.append(
            f'<div class="verdict differ"><span class="icon">⚖</span> Accounts differ — '
            f"{len(accounts)} sources each give their own account, shown side by side.</div>"
        )
        parts.append('<div class="accounts">' + "".join(_claim_card(c, turn, by_n) for c in accounts) + "</div>")
        if context:
            parts.append(
                '<h4 class="context-h">Also in the reports (the document’s own narration)</h4>'
                '<div class="claims">' + "".join(_claim_card(c, turn, by_n) for c in context) + "</div>"
            )
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
        items.append(
            f"<li>{_cite_button(f'{turn}:r{c.n}', f'R{c.n}', title=_cite_title(c))}"
            f' <span class="doc-title">{_e(c.title)}</span>{meta}'
            f"<blockquote>“{_e(c.quote)}”</blockquote></li>"
        )
    return f'<ol class="sources related-list">{"".join(items)}</ol>'


def conversation_html(turns: Sequence[Turn], *, pending: str | None = None) -> str:
    """The whole conversation, oldest first; `pending` is a question still being answered."""
    if not turns and pending is None:
        return (
            '<div class="chat empty"><p class="hint">Ask about the indexed reports, for example '
            "<i>How many Wagner fighters were killed?</i> Every answer says who makes each claim and "
            "quotes the passage; click a number to open it in its document. Follow-ups such as "
            "<i>And what did the army say?</i> are read in the light of the previous question.</p></div>"
        )
    out = []
    for i, t in enumerate(turns):
        out.append(f'<div class="turn" id="turn-{i}"><div class="q"><span class="you">You</span> {_e(t.asked)}</div>')
        if t.question != t.asked:
            out.append(
                f'<div class="interp"><span class="chip"><span class="chip-label">Asked as:'
                f'</span> “{_e(t.question)}”</span> <button type="button" class="ask-new" '
                f'data-ask="{i}" title="Ask “{_e(t.asked)}” on its own, without the earlier questions">'
                "Ask as a new question</button></div>"
            )
        if t.answer is not None:
            out.append(answer_html(t.answer, turn=i))
        else:
            out.append(
                '<div class="answer error" role="alert"><span class="icon">⚠</span> '
                f"{_e(t.error or 'No answer.')}</div>"
            )
        out.append("</div>")
    if pending is not None:
        out.append(
            f'<div class="turn"><div class="q"><span class="you">You</span> {_e(pending)}</div>'
            '<div class="answer waiting">Searching the reports…</div></div>'
        )
    return f'<div class="chat">{"".join(out)}</div>'


def passage_html(
    c: Citation, record: DocRecord | None, text: str, *, pages: Sequence[Page] = (), window: int = 30000
) -> str:
    """The cited passage highlighted inside its document's cleaned text, with the document's
    title, outlet, date and page. Long documents are shown around the passage (`window` characters)."""
    meta = record.meta if record else None
    title = c.title or (meta.title if meta else None) or "Untitled document"
    bits = [
        meta.outlet if meta and meta.outlet else c.outlet,
        meta.date if meta and meta.date else c.date,
        f"page {c.page}" if c.page else None,
        f"record {c.key}" if c.key else None,
        Path(c.path).name if c.path else None,
    ]
    head = [
        f'<div class="p-title">{_e(title)}</div>',
        f'<div class="p-meta">{" · ".join(_e(b) for b in bits if b)}</div>',
    ]
    if meta and meta.url and re.match(r"https?://", meta.url, re.I):
        head.append(f'<div class="p-url">{_e(meta.url)}</div>')  # shown, never a live link
    if c.source:
        cue = f", “{_e(c.cue)}”" if c.cue else ""
        head.append(
            f'<div class="p-credit">[{c.n}] credited to <span class="src">{_e(c.source)}</span>'
            f"{_type_badge(c.source_type, name=c.source)}{cue}</div>"
        )
    start, end = max(0, min(c.start, len(text))), max(0, min(c.end, len(text)))
    if not text or text[start:end] != c.quote:
        body = (
            f'<p class="p-missing">The document text is no longer in the index; the cited passage was:</p>'
            f'<div class="doc-text"><mark class="hl">{_e(c.quote)}</mark></div>'
        )
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
        out.append(
            f'<mark class="hl{" hl-first" if a == start else ""}">{piece}</mark>'
            if start <= a and b <= end and a < b
            else piece
        )
    if hi < len(text):
        out.append(f'<div class="elided">… {len(text) - hi:,} characters after this point not shown …</div>')
    return f'<div class="passage"><header>{"".join(head)}</header><div class="doc-text">{"".join(out)}</div></div>'


def claims_table_html(a: Answer | None) -> str:
    """The claims table of the web page (columns CLAIM_COLUMNS); every cell names its column
    (`data-label`) so that on a narrow screen each row is shown as a card of labelled lines."""
    rows = claims_table(a) if a is not None else []
    if not rows:
        return '<p class="claims-empty">The claims of the latest answer are listed here, one row per source.</p>'
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in CLAIM_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f'<td data-label="{_e(c)}">{_e(v)}</td>' for c, v in zip(CLAIM_COLUMNS, row)) + "</tr>"
        for row in rows
    )
    return f'<table class="claims-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def notice_html(text: str, *, kind: Literal["info", "busy", "error"] = "info") -> str:
    """A one-line message of the Library (escaped); errors are styled and announced as errors."""
    if not text:
        return ""
    role = ' role="alert"' if kind == "error" else ' role="status"'
    icon = "⚠ " if kind == "error" else ""
    return f'<div class="notice {kind}"{role}>{icon}{_e(text)}</div>'


PAGE_HEAD = (
    "<h1>Conflict reports: who said what</h1><p>Answers quote the reports verbatim and say who makes "
    "each claim. When sources disagree, their accounts are shown side by side; when the reports are "
    "silent, the answer says so.</p>"
)
PASSAGE_HEAD = "<h3>Passage in its document</h3>"
PASSAGE_HINT = (
    '<div class="passage-empty">Click a citation number in an answer to read the passage, '
    "highlighted, in its document.</div>"
)


def passage_empty_html(text: str) -> str:
    """The passage pane saying why no passage can be shown."""
    return f'<div class="passage-empty">{_e(text)}</div>'


def status_html(text: str, *, state: Literal["ready", "failed", "loading"] | None = None) -> str:
    """The status line above the page (`state` styles it; none before the page is first loaded)."""
    cls = f' class="{state}"' if state else ""
    return f'<div id="status-line"{cls}>{_e(text)}</div>'

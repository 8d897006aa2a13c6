"""The web chat's HTML and tables (assistant/web/html.py, web/tables.py) and the output shapes shared
with the CLI (assistant/present.py): answers, passages, tables and CSV, with hostile text in every
field. Pure functions over hand-built Answers; no Gradio, no browser."""

from __future__ import annotations

import csv
import dataclasses
import io
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.conversation import Turn
from assistant.present import CLAIM_COLUMNS, answer_dict, claims_csv, claims_table
from assistant.types import (
    Answer,
    Citation,
    Claim,
    DocMeta,
    DocRecord,
    FileReport,
    Filters,
    IngestReport,
    Narrator,
    Page,
)
from assistant.web.handlers import citation_for
from assistant.web.html import (
    answer_html,
    claims_table_html,
    conversation_html,
    emphasise_figures,
    notice_html,
    passage_html,
)
from assistant.web.tables import ingest_summary, report_rows

TEXT = (
    "Local sources reported that the Malian army retreated, leaving behind at least 15 Wagner fighters. "
    "The Baza Telegram news channel reported at least 20 Wagner fighters were killed. "
    "The presence of Wagner fighters in Mali dates back to at least 2021."
)
LOCAL = TEXT[: TEXT.index(" The Baza")]
BAZA = TEXT[len(LOCAL) + 1 : TEXT.index(" The presence")]
NARRATION = TEXT[TEXT.index("The presence") :]


def cit(
    n: int,
    quote: str,
    source: str,
    kind: str,
    *,
    cue: str | None = "reported",
    stance: str = "report",
    title: str = "Major Triumph for Mali Rebels",
    outlet: str | None = "AFP",
    date: str | None = "2024-07-29",
    page: int | None = None,
    path: str = "/data/seed.txt",
    key: str | None = None,
    text: str = TEXT,
) -> Citation:
    start = text.index(quote) if quote in text else 0
    return Citation(
        n=n,
        doc_id="d1",
        title=title,
        path=path,
        page=page,
        start=start,
        end=start + len(quote),
        quote=quote,
        source=source,
        source_type=kind,
        cue=cue,
        stance=stance,
        outlet=outlet,
        date=date,
        key=key,
    )


def contested() -> Answer:
    c1 = cit(1, LOCAL, "Local sources", "local sources")
    c2 = cit(2, BAZA, "The Baza Telegram news channel", "media")
    c3 = cit(3, NARRATION, "the article “Major Triumph”", "author", cue=None, stance="narration")
    claims = (
        Claim("Local sources", "local sources", "reported", "report", LOCAL, (1,), figures=("at least 15",)),
        Claim("The Baza Telegram news channel", "media", "reported", "report", BAZA, (2,), figures=("at least 20",)),
        Claim("the article “Major Triumph”", "author", None, "narration", NARRATION, (3,)),
    )
    return Answer(
        question="How many Wagner fighters were killed?",
        answerable=True,
        text="…",
        citations=(c1, c2, c3),
        claims=claims,
        contested=True,
    )


def unanswered() -> Answer:
    related = (cit(1, BAZA, "The Baza Telegram news channel", "media"),)
    return Answer(
        question="What is the population of Kidal?",
        answerable=False,
        text="The indexed reports do not say “What is the population of Kidal”. The closest passages do "
        "not cover the question.\n\nClosest passages (related material, not an answer):\n- …",
        citations=(),
        claims=(),
        related=related,
    )


class Markup(HTMLParser):
    """Every tag and attribute of a fragment, and its text with the entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.marked: list[str] = []
        self.skip = 0
        self.stack: list[tuple[str, bool, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        classes = (a.get("class") or "").split()
        skip = bool({"page-break", "elided"} & set(classes))
        self.stack.append((tag, skip, "hl" in classes))
        self.skip += skip

    def handle_endtag(self, tag):
        _, skip, _ = self.stack.pop()
        self.skip -= skip

    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)
        if any(m for _, _, m in self.stack):
            self.marked.append(data)


def parse(fragment: str) -> Markup:
    p = Markup()
    p.feed(fragment)
    p.close()
    return p


ALLOWED_TAGS = {
    "div",
    "span",
    "section",
    "header",
    "blockquote",
    "button",
    "strong",
    "b",
    "i",
    "ol",
    "ul",
    "li",
    "h4",
    "p",
    "mark",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "svg",
    "desc",
    "title",
    "g",
    "rect",
    "text",
    "tspan",
}
ALLOWED_ATTRS = {
    "class",
    "data-cite",
    "data-ask",
    "data-type",
    "data-label",
    "title",
    "type",
    "id",
    "role",
    "scope",
    "aria-labelledby",
    "aria-describedby",
    "width",
    "height",
    "x",
    "y",
    "rx",
}


def assert_inert(fragment: str) -> Markup:
    """Only our own tags and attributes: no scripts, handlers, links, images or styles from data."""
    p = parse(fragment)
    for tag, attrs in p.tags:
        assert tag in ALLOWED_TAGS, (tag, attrs)
        assert set(attrs) <= ALLOWED_ATTRS, (tag, attrs)
    return p


PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">click</a>',
    "![x](http://198.51.100.7/a.png)",
    "${alert(1)} {{constructor.constructor('alert(1)')()}}",
    "<iframe src=//198.51.100.7></iframe>",
    "&lt;b&gt; &amp; <style>*{display:none}</style>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(
    "field", ["source", "quote", "title", "outlet", "cue", "path", "key", "asked", "error", "filters"]
)
def test_hostile_text_in_any_field_renders_as_text(payload: str, field: str):
    hostile = f"Before {payload} after."
    quote = hostile if field == "quote" else "Witnesses said twelve gunmen attacked."
    c = cit(1, quote, "Witnesses", "local sources", text=quote)
    changes = {f: hostile for f in ("source", "title", "outlet", "cue", "key") if f == field}
    if field == "path":
        changes["path"] = "/tmp/" + hostile.replace("/", "_") + ".txt"
    c = Citation(**{**{s: getattr(c, s) for s in c.__slots__}, **changes})
    claim = Claim(c.source or "", "local sources", c.cue, "claim", quote, (1,))
    filters = Filters(source=hostile, outlets=(hostile,)) if field == "filters" else Filters()
    answer = Answer(
        question="Who attacked?", answerable=True, text="…", citations=(c,), claims=(claim,), filters=filters
    )
    turns = [
        Turn(asked=hostile if field == "asked" else "Who attacked?", question="Who attacked?", answer=answer),
        Turn(asked="x", question="x", answer=None, error=hostile if field == "error" else "oops"),
    ]
    record = DocRecord(
        doc_id="d1",
        path=c.path,
        key=c.key,
        meta=DocMeta(title=c.title, outlet=c.outlet, url="javascript:alert(1)"),
        narrator=Narrator("x", "author"),
        n_chunks=1,
        state="done",
        length=len(quote),
    )
    chat = assert_inert(conversation_html(turns, pending=payload))
    passage = assert_inert(passage_html(c, record, quote))
    shown = "".join(chat.text) + "".join(passage.text)
    assert (hostile.replace("/", "_") if field == "path" else hostile) in shown  # shown to the reader, as text
    assert payload in "".join(chat.text)  # the pending question too


def test_contested_answer_puts_accounts_side_by_side_with_numbered_citations():
    html = answer_html(contested(), turn=3)
    p = assert_inert(html)
    assert "Accounts differ" in "".join(p.text)
    accounts = html[html.index('class="accounts"') : html.index("Also in the reports")]
    assert "Local sources" in accounts and "The Baza Telegram news channel" in accounts
    assert "the article" not in accounts  # narration is context, not an account
    assert [a["data-cite"] for t, a in p.tags if t == "button"][:3] == ["3:1", "3:2", "3:3"]
    assert "<strong>at least 20</strong>" in accounts  # figures that answer stand out
    assert html.count('class="src"') >= 3


def test_uncontested_answer_lists_claims_with_source_type():
    a = contested()
    a = Answer(question=a.question, answerable=True, text="…", citations=a.citations[1:2], claims=a.claims[1:2])
    html = answer_html(a)
    assert "Accounts differ" not in html
    assert 'class="stype st-media"' in html and "reported" in html


@pytest.mark.parametrize(
    "name, kind, badge",
    [
        ("Local sources", "local sources", False),  # not "Local sources local sources"
        ("Malian military", "military", False),
        ("the army", "military", True),
        ("The Baza Telegram news channel", "media", True),
        ("UN Panel of Experts", "UN/NGO", True),
    ],
)
def test_no_badge_repeats_the_source_name(name, kind, badge):
    c = cit(1, BAZA, name, kind)
    a = Answer(
        question="Who?",
        answerable=True,
        text="…",
        citations=(c,),
        claims=(Claim(name, kind, "reported", "report", BAZA, (1,)),),
    )
    html = answer_html(a)
    assert ('class="stype' in html) is badge
    assert f'data-type="{kind}"' in html  # the type is still known to the page


def test_unanswerable_answer_says_so_and_offers_related_passages_not_claims():
    html = answer_html(unanswered(), turn=0)
    p = assert_inert(html)
    text = "".join(p.text)
    assert "The indexed reports do not answer this." in text
    assert "The closest passages do not cover the question." in text
    assert "Closest passages (related" not in text  # the Markdown list is replaced
    assert 'class="claim"' not in html
    assert (
        "button",
        {
            "type": "button",
            "class": "cite",
            "data-cite": "0:r1",
            "title": "Open the passage in “Major Triumph for Mali Rebels”",
        },
    ) in p.tags


def test_silent_source_is_said_plainly():
    a = dataclasses.replace(
        contested(),
        question="How many Wagner fighters were killed, according to the FMLN and the army?",
        source_silent="army",
    )
    html = conversation_html(
        [
            Turn(
                asked="And what did the army say?",
                question="How many Wagner fighters were killed, according to the army?",
                answer=a,
            )
        ]
    )
    text = "".join(parse(html).text)
    assert "No cited passage gives the army’s own account of this" in text
    assert "Asked as: “How many Wagner fighters were killed, according to the army?”" in text
    assert 'data-ask="0"' in html and "Ask as a new question" in text  # the rewrite can be undone


def test_asked_as_only_when_the_question_was_rewritten_and_pending_shows_progress():
    same = conversation_html([Turn(asked="Q?", question="Q?", answer=contested())], pending="Next?")
    assert "Asked as" not in same and "ask-new" not in same and "Searching the reports" in same
    assert "How many Wagner" in conversation_html([]) or "Ask about" in conversation_html([])


@pytest.mark.parametrize(
    "key, expected",
    [
        ("0:1", ("citations", 1)),
        ("0:3", ("citations", 3)),
        ("1:r1", ("related", 1)),
        ("0:9", None),
        ("2:1", None),
        ("0:r1", None),
        ("", None),
        ("0:1; drop", None),
        ("-1:1", None),
    ],
)
def test_citation_keys_resolve_only_to_citations_of_the_conversation(key, expected):
    turns = [Turn("a", "a", contested()), Turn("b", "b", unanswered()), Turn("c", "c", None, "error")]
    got = citation_for(turns, key)
    if expected is None:
        assert got is None
    else:
        pool, n = expected
        assert got is getattr(turns[int(key.split(":")[0])].answer, pool)[n - 1]


def test_passage_is_highlighted_in_its_document_with_title_outlet_date_and_page():
    c = cit(2, BAZA, "The Baza Telegram news channel", "media", page=2)
    pages = (Page(1, 0, len(LOCAL) + 1), Page(2, len(LOCAL) + 1, len(TEXT)))
    record = DocRecord(
        doc_id="d1",
        path="/data/seed.txt",
        key=None,
        meta=DocMeta(title="Major Triumph", outlet="AFP", date="2024-07-29"),
        narrator=Narrator("AFP", "media"),
        n_chunks=1,
        state="done",
        length=len(TEXT),
    )
    html = passage_html(c, record, TEXT, pages=pages)
    p = assert_inert(html)
    assert "".join(p.marked) == BAZA
    text = "".join(p.text)
    for bit in ("Major Triumph", "AFP", "2024-07-29", "page 2", "seed.txt", "credited to The Baza Telegram"):
        assert bit in text, bit
    assert html.count('class="page-break"') == 2
    assert 'class="hl hl-first"' in html


def test_passage_whose_document_changed_shows_the_quote_only():
    c = cit(1, BAZA, "Baza", "media")
    html = passage_html(c, None, "something else entirely")
    assert "no longer in the index" in html and "".join(parse(html).marked) == BAZA


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab <>&\"'\n.é")), min_size=1, max_size=400), data=st.data())
def test_passage_offsets_round_trip(text: str, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(text)), max_size=4))) | {0, len(text)})
    pages = tuple(Page(i + 1, a, b) for i, (a, b) in enumerate(zip(cuts, cuts[1:])) if a < b)
    window = data.draw(st.integers(20, 500))
    c = Citation(
        n=1, doc_id="d", title="t", path="p", page=None, start=start, end=end, quote=text[start:end], source=None
    )
    p = assert_inert(passage_html(c, None, text, pages=pages, window=window))
    lo = max(0, start - window // 2)
    hi = min(len(text), max(end + window // 2, lo + window))
    assert "".join(p.marked) == text[start:end]
    assert "".join(p.text).endswith(text[lo:hi])


def test_claims_table_and_csv_have_one_row_per_claim():
    a = contested()
    rows = claims_table(a)
    assert [r[0] for r in rows] == ["Local sources", "The Baza Telegram news channel", "the article “Major Triumph”"]
    assert rows[1][1:3] == ["media", "report"] and rows[1][4] == "Major Triumph for Mali Rebels"
    assert rows[1][5] == "2024-07-29" and rows[1][6] == "[2]"
    parsed = list(csv.reader(io.StringIO(claims_csv(a))))
    assert parsed[0] == list(CLAIM_COLUMNS) and len(parsed) == 4


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_csv_cells_never_become_spreadsheet_formulas(cell: str):
    c = cit(1, BAZA, cell, "other")
    a = Answer(
        question="q",
        answerable=True,
        text="…",
        citations=(c,),
        claims=(Claim(cell, "other", None, "claim", cell, (1,)),),
    )
    row = list(csv.reader(io.StringIO(claims_csv(a))))[1]
    assert row[0] == "'" + cell and row[3] == "'" + cell


def test_report_rows_name_files_as_uploaded_and_call_unchanged_a_duplicate():
    r = IngestReport(
        files=(
            FileReport("/s/a.txt", "added", 1, 3, doc_ids=("x",)),
            FileReport("/s/b.txt", "unchanged", 1, 0, reason="same content as /s/a.txt"),
            FileReport("/s/c.pdf", "failed", 0, 0, reason="not a PDF"),
            FileReport("/s/d.md", "updated", 1, 2),
        ),
        seconds=1.0,
    )
    rows = report_rows(r, {"/s/a.txt": "a <b>.txt", "/s/b.txt": "b.txt"})
    assert [row[:2] for row in rows] == [
        ["a <b>.txt", "added"],
        ["b.txt", "duplicate"],
        ["c.pdf", "failed"],
        ["d.md", "updated"],
    ]
    assert rows[1][4] == "same content as a <b>.txt" and rows[2][4] == "not a PDF"


def test_only_the_figures_that_answer_are_emphasised():
    html = emphasise_figures("the loss of two soldiers and injuries to ten others", ["two"])
    assert "<strong>two</strong>" in html and "<strong>ten</strong>" not in html


@pytest.mark.parametrize(
    "text, bold",
    [
        ("reported at least 20 Wagner fighters", ["at least 20"]),
        ('claimed "dozens" of Wagner fighters', ["dozens"]),
        ("the loss of two soldiers and injuries to ten others", ["two", "ten"]),
        ("since 2012, Mali has", []),
        ("alert(1)> <script>alert(5)", []),
        ("about 9,000 residents", ["about 9,000"]),
    ],
)
def test_figures_are_emphasised(text: str, bold: list[str]):
    html = emphasise_figures(text)
    assert [t for t, _ in parse(html).tags] == ["strong"] * len(bold)
    assert "".join(parse(html).text) == text
    for b in bold:
        assert f"<strong>{b}</strong>" in html


def test_answer_json_is_unchanged_by_the_web_renderer():
    d = answer_dict(contested())
    assert list(d) == ["question", "answerable", "contested", "text", "citations", "claims", "related", "source_silent"]
    assert list(d["citations"][0]) == [
        "n",
        "doc_id",
        "title",
        "path",
        "page",
        "start",
        "end",
        "quote",
        "source",
        "source_type",
        "cue",
        "stance",
        "outlet",
        "date",
        "record",
    ]
    assert list(d["claims"][0]) == ["source", "source_type", "cue", "stance", "text", "citations", "figures"]


def wagner() -> Answer:
    """Three accounts of the Wagner losses, one of them without a number, and the narration."""
    a = contested()
    mossa = 'Mossa Ag Inzoma, a member of the separatist movement, claimed "dozens" of Wagner fighters were killed.'
    c4 = cit(4, mossa, "Mossa Ag Inzoma", "armed group", cue="claimed", stance="claim", text=mossa)
    claims = (*a.claims[:2], Claim("Mossa Ag Inzoma", "armed group", "claimed", "claim", mossa, (4,)), a.claims[2])
    return Answer(
        question="How many Wagner fighters were killed at Tinzaouatene?",
        answerable=True,
        text="…",
        citations=(*a.citations, c4),
        claims=claims,
        contested=True,
    )


def test_comparison_line_leads_the_answer_and_the_chart_shows_the_numbers():
    html = answer_html(wagner(), turn=2)
    p = assert_inert(html)
    text = " ".join("".join(p.text).split())
    line = text[: text.index("Accounts differ")]
    assert line.startswith(
        "Wagner fighters killed: at least 15 — Local sources · at least 20 — "
        "The Baza Telegram news channel (media) · dozens — Mossa Ag Inzoma (armed group)"
    ), line
    chart = html[html.index("<svg") : html.index("</svg>")]
    bars = {t: a for t, a in p.tags if t == "rect"}
    assert len([t for t, _ in p.tags if t == "rect"]) == 2  # numbers only: "dozens" is listed apart
    widths = [float(a["width"].rstrip("%")) for t, a in p.tags if t == "rect"]
    assert widths == [75.0, 100.0]  # 15 and 20, as shares of the largest
    assert "at least 20" in chart and "at least 15" in chart and "Baza" in chart
    assert 'role="img"' in chart and 'aria-labelledby="chart-2"' in chart and "<title>" in chart
    assert "dozens" in html[html.index("</svg>") : html.index("Accounts differ")]
    assert bars


def test_no_comparison_without_two_sources_with_figures():
    a = contested()
    one = Answer(
        question="How many Wagner fighters were killed?",
        answerable=True,
        text="…",
        citations=a.citations[:1],
        claims=a.claims[:1],
    )
    assert 'class="compare"' not in answer_html(one) and "<svg" not in answer_html(one)
    other = Answer(
        question="Who withdrew from Tinzaouatene?",
        answerable=True,
        text="…",
        citations=a.citations,
        claims=a.claims,
        contested=True,
    )
    assert 'class="compare"' not in answer_html(other)  # not a "how many" question


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_source_names_in_the_chart_render_as_text(payload: str):
    a = wagner()
    claims = tuple(
        Claim(f"{c.source} {payload}", c.source_type, c.cue, c.stance, c.text, c.citations) for c in a.claims
    )
    a = Answer(question=a.question, answerable=True, text="…", citations=a.citations, claims=claims, contested=True)
    html = answer_html(a)
    p = assert_inert(html)
    assert "<svg" in html and payload in "".join(p.text)


def test_sources_are_grouped_by_document():
    a = wagner()
    other = cit(5, BAZA, "Baza", "media", title="Another report", outlet="Reuters")
    other = Citation(**{**{s: getattr(other, s) for s in other.__slots__}, "doc_id": "d2"})
    a = Answer(question=a.question, answerable=True, text="…", citations=(*a.citations, other), claims=a.claims)
    html = answer_html(a)
    sources = html[html.index('<ol class="sources">') :]
    assert sources.count('class="source-doc"') == 2
    assert sources.count('<span class="doc-title">Major Triumph') == 1  # the title once, its passages under it
    assert sources.count('data-cite="0:') == 5


def test_claims_table_html_labels_every_cell_for_narrow_screens():
    html = claims_table_html(wagner())
    p = assert_inert(html)
    cells = [a for t, a in p.tags if t == "td"]
    assert len(cells) == 4 * len(CLAIM_COLUMNS)
    assert [a["data-label"] for a in cells[: len(CLAIM_COLUMNS)]] == list(CLAIM_COLUMNS)
    assert "claims-empty" in claims_table_html(None)


@pytest.mark.parametrize(
    "files, expected",
    [
        ([("added", 1)], "1 file: 1 added. The new document is searchable now."),
        ([("added", 1), ("failed", 0)], "2 files: 1 added, 1 failed. The new document is searchable now."),
        ([("added", 400)], "1 file: 1 added. The 400 new documents are searchable now."),
        ([("unchanged", 1)], "1 file: 1 already in the library (duplicate). Nothing new was added."),
        (
            [("unchanged", 1), ("failed", 0)],
            "2 files: 1 already in the library (duplicate), 1 failed. Nothing new was "
            "added; the reasons for the failures are in the table.",
        ),
        ([("failed", 0), ("failed", 0)], "2 files: 2 failed. Nothing was added; the reasons are in the table."),
        ([("updated", 2)], "1 file: 1 updated. The 2 new documents are searchable now."),
    ],
)
def test_ingest_summary_says_what_really_happened(files, expected):
    r = IngestReport(
        files=tuple(FileReport(f"/s/{i}.txt", status, docs) for i, (status, docs) in enumerate(files)), seconds=1.0
    )
    assert ingest_summary(r) == expected


def test_notices_are_escaped_and_errors_are_marked_as_errors():
    html = notice_html("Nothing was added: <img src=x onerror=alert(1)>", kind="error")
    p = assert_inert(html)
    assert 'class="notice error"' in html and 'role="alert"' in html and "<img" in "".join(p.text)

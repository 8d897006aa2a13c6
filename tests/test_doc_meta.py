"""A document's own metadata read by assistant/load.py: the date of a dateline or date in the first
lines of a text or Markdown file, the title line (never a dateline or a hard-wrapped line), a
readable title for a wire report in capitals, and the outlet named in an HTML page's metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.load import load_file

BODY = "Gunmen attacked a checkpoint near Gao at dawn, the army said. Five soldiers were killed.\n"


@pytest.mark.parametrize(
    "name, text, title, date",
    [
        ("gao.txt", f"Gao, 14 March 2025 — {BODY}", "gao", "2025-03-14"),
        (
            "titled.txt",
            f"Attack on Gao checkpoint\n\nGao, 14 March 2025 — {BODY}",
            "Attack on Gao checkpoint",
            "2025-03-14",
        ),
        (
            "dateline-line.txt",
            f"Attack on Gao checkpoint\n\nGAO, March 14, 2025 (AFP) -\n{BODY}",
            "Attack on Gao checkpoint",
            "2025-03-14",
        ),
        ("iso.md", f"# Clashes in Kidal\n\n2023-10-17\n\n{BODY}", "Clashes in Kidal", "2023-10-17"),
        ("published.md", f"# Clashes in Kidal\n\nPublished: 3 Oct 2023\n\n{BODY}", "Clashes in Kidal", "2023-10-03"),
        ("headline.txt", f"Attack on Gao checkpoint\n{BODY}", "Attack on Gao checkpoint", None),
        (
            "no-date.txt",
            f"Attack on Gao checkpoint\n\n{BODY}\nOn 14 March 2025 the town was quiet.\n",
            "Attack on Gao checkpoint",
            None,
        ),  # a date deep in the text is not the document's
        ("sentence.txt", f"14 March 2025 was a quiet day in Gao.\nThen {BODY}", "sentence", None),
        ("wrapped.txt", "Gunmen attacked a checkpoint near\nGao at dawn, the army said.\n", "wrapped", None),
        # MUC-4 wire reports as plain text: capitals, hard wraps, a dateline; no title line
        (
            "muc-a.txt",
            'THE GUATEMALA ARMY\nDENIED TODAY THAT GUERRILLAS ATTACKED THE "SANTO TOMAS" PRESIDENTIAL\n'
            'FARM, LOCATED ON THE PACIFIC SIDE.\n\n   A REPORT PUBLISHED BY THE "CERIGUA" NEWS AGENCY.\n',
            'THE GUATEMALA ARMY DENIED TODAY THAT GUERRILLAS ATTACKED THE "SANTO…',
            None,
        ),
        (
            "muc-b.txt",
            "SAN SALVADOR, 3 JAN 90 (RADIO VENCEREMOS) -- [REPORT] [ARMED FORCES PRESS COMMITTEE,\n"
            "COPREFA] [TEXT] THE ARCE BATTALION COMMAND HAS REPORTED THAT ABOUT 50\nPEASANTS OF VARIOUS "
            "AGES HAVE BEEN KIDNAPPED BY TERRORISTS.\n",
            "THE ARCE BATTALION COMMAND HAS REPORTED THAT ABOUT 50 PEASANTS…",
            "1990-01-03",
        ),
        (
            "muc-c.txt",
            "COLONEL\nRENE EMILIO PONCE SAID THE ARMY WILL PURSUE THE TERRORISTS.\n",
            "COLONEL RENE EMILIO PONCE SAID THE ARMY WILL PURSUE THE…",
            None,
        ),
    ],
)
def test_title_and_date_of_a_text_file(tmp_path: Path, name: str, text: str, title: str, date: str | None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    meta = load_file(path).documents[0].meta
    assert (meta.title, meta.date) == (title, date)


PAGE = (
    "<!doctype html><html><head><title>Clashes near Kidal{suffix}</title>{meta}</head><body><article>"
    "<h1>Clashes near Kidal</h1><p>Fighting broke out near Kidal on Saturday, residents said. The army said two "
    "soldiers were wounded in the clashes with the rebels near the town.</p><p>Rebel spokesman Mohamed "
    "Ramadane said the fighters had destroyed three vehicles.</p></article></body></html>"
)


@pytest.mark.parametrize(
    "suffix, meta, outlet",
    [
        ("", '<meta property="og:site_name" content="Sahel Monitor">', "Sahel Monitor"),
        ("", '<meta name="og:site_name" content="Sahel Monitor">', "Sahel Monitor"),  # name= instead of property=
        ("", '<meta name="citation_publisher" content="Sahel Monitor">', "Sahel Monitor"),
        (
            "",
            '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
            '"publisher": {"@type": "Organization", "name": "Sahel Monitor"}}</script>',
            "Sahel Monitor",
        ),
        (" | Sahel Monitor", "", "Sahel Monitor"),  # the title's suffix
        (" – Sahel Monitor", "", "Sahel Monitor"),
        ("", "", None),
    ],
)
def test_outlet_from_the_html_metadata(tmp_path: Path, suffix: str, meta: str, outlet: str | None):
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(suffix=suffix, meta=meta), encoding="utf-8")
    got = load_file(path).documents[0].meta
    assert got.outlet == outlet and got.title == "Clashes near Kidal"


def test_a_title_or_heading_is_never_one_of_the_quotable_sentences(tmp_path: Path, analyzer, tokenizer):
    from assistant.analyse import analyse
    from assistant.chunk import chunk
    from assistant.clean import clean

    path = tmp_path / "gao.txt"
    path.write_text(
        "Attack on Gao checkpoint leaves five soldiers dead\n\nGao, 14 March 2025 — Gunmen attacked an "
        "army checkpoint north of Gao at dawn. The army said three soldiers were killed.\n\nWhat "
        "residents saw\n\nResidents said the gunmen burned two vehicles.\n",
        encoding="utf-8",
    )
    doc = clean(load_file(path).documents[0])
    chunks = chunk(doc, analyse(doc, analyzer=analyzer), tokenizer=tokenizer, target=160, max_tokens=254, overlap=48)
    quotable = {doc.text[s.start : s.end].strip() for c in chunks for s in c.sentences}
    assert "Attack on Gao checkpoint leaves five soldiers dead" not in quotable  # the title
    assert "What residents saw" not in quotable  # a heading
    assert "The army said three soldiers were killed." in quotable
    assert "Attack on Gao checkpoint" in chunks[0].text  # still searchable

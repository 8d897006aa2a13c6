"""Loading real formats: HTML main text and metadata, JSON/JSONL corpora, UN PDFs' metadata."""

from __future__ import annotations

import json

from assistant.docmeta import parse_date
from assistant.load import load_file

from .conftest import CORPUS

ARTICLE = """<!doctype html><html><head>
<title>Rebels claim capture of base | Sahel Monitor</title>
<meta property="og:site_name" content="Sahel Monitor">
<meta property="article:published_time" content="2025-07-28T09:00:00Z">
<meta name="author" content="Aminata Traoré">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Rebels claim capture of base</h1>
<p>The separatist alliance said on Sunday that its fighters had captured the army base at Anefis after two days of fighting.</p>
<p>The Malian army denied the claim, saying its troops had withdrawn in good order to protect civilians.</p>
<p>Local sources told reporters that at least twelve soldiers were killed in the fighting near the town.</p>
</article>
<footer>Share this article. Subscribe to our newsletter. Copyright © 2025 Sahel Monitor.</footer>
</body></html>"""


def test_html_main_text_and_metadata(tmp_path):
    path = tmp_path / "article.html"
    path.write_text(ARTICLE, encoding="utf-8")
    doc = load_file(path).documents[0]
    text = "\n".join(doc.pages)
    assert "The Malian army denied the claim" in text
    assert "Subscribe to our newsletter" not in text and "Sport" not in text
    assert doc.meta.title and "Rebels claim capture of base" in doc.meta.title
    assert doc.meta.outlet == "Sahel Monitor"
    assert doc.meta.date == "2025-07-28"


def test_json_corpus_shapes(tmp_path):
    muc_like = {
        "TST-1": {"doc": "THE ARMY DENIED THE REPORT.", "roles": {}},
        "TST-2": {"doc": "THE REBELS CLAIMED THE ATTACK.", "roles": {}},
    }
    (tmp_path / "muc.json").write_text(json.dumps(muc_like))
    records = [
        {"id": "a", "text": "Police said two men were held.", "title": "Arrests", "outlet": "AFP", "date": "3 Jan 1990"}
    ]
    (tmp_path / "recs.json").write_text(json.dumps({"records": records}))
    (tmp_path / "lines.jsonl").write_text(
        json.dumps(records[0]) + "\n{broken\n" + json.dumps({"id": "b", "text": "The ministry denied it."}) + "\n"
    )
    muc = load_file(tmp_path / "muc.json")
    assert [d.key for d in muc.documents] == ["TST-1", "TST-2"] and muc.documents[0].meta.genre == "wire"
    recs = load_file(tmp_path / "recs.json").documents
    assert recs[0].meta.outlet == "AFP" and recs[0].meta.date == "1990-01-03" and recs[0].meta.title == "Arrests"
    lines = load_file(tmp_path / "lines.jsonl")
    assert [d.key for d in lines.documents] == ["a", "b"]
    assert any("line 2" in w for w in lines.warnings)


def test_un_pdf_metadata():
    meta = load_file(CORPUS / "un-sc" / "S_2025_509.en.pdf").documents[0].meta
    assert meta.symbol == "S/2025/509" and meta.date == "2025-08-08" and meta.genre == "un_report"
    assert meta.author == "UN Secretary-General" and "Libya" in (meta.title or "")
    letter = load_file(CORPUS / "un-sc" / "S_2025_354.en.pdf").documents[0].meta
    assert letter.genre == "letter" and letter.author == "Permanent Representative of the Sudan"


def test_dates():
    assert parse_date("2025-07-28T09:00:00Z") == "2025-07-28"
    assert parse_date("31 July 2025") == "2025-07-31"
    assert parse_date("July 31, 2025") == "2025-07-31"
    assert parse_date("3 JAN 90") == "1990-01-03"
    assert parse_date("sometime") is None

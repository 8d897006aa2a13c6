"""Cleaning repairs real documents: each case comes from a real file of the corpus or ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.clean import clean
from assistant.load import load_file
from assistant.types import DocMeta, RawDocument

from .conftest import CORPUS, SEED, SHARED, needs_shared


def text_of(path: Path, record: int = 0) -> str:
    return clean(load_file(path).documents[record]).text


def raw(text: str, *, paged: bool = False, pages: tuple[str, ...] | None = None) -> RawDocument:
    return RawDocument(path="x.txt", pages=pages or (text,), meta=DocMeta(), paged=paged)


def test_seed_web_boilerplate_is_removed():
    text = text_of(SEED)
    for junk in ("Post a Comment", "Previous Post", "Next Post", "Put your ad code here"):
        assert junk not in text
    assert text.rstrip().endswith("shape Mali’s future.")


def test_seed_broken_paragraph_is_joined():
    text = text_of(SEED)
    assert "The clash resulted in the deaths of Seven rebels and injuries to twelve." in text


def test_non_breaking_spaces_become_spaces():
    doc = clean(raw("The army\u00a0said\u00a0so.\u200b Local\u2009sources disagreed."))
    assert doc.text == "The army said so. Local sources disagreed."


UN_PDF = CORPUS / "un-sc" / "S_2025_495.en.pdf"


def test_un_running_headers_and_footers_are_removed():
    doc = clean(load_file(UN_PDF).documents[0])
    assert "25-11568 2/15" not in doc.text
    assert "2/15" not in doc.text and "3/15 25-11568" not in doc.text
    assert doc.text.count("S/2025/495") <= 1  # only on the cover block
    assert "*2511568*" not in doc.text


def test_un_page_break_mid_sentence_is_joined_and_pages_are_kept():
    doc = clean(load_file(UN_PDF).documents[0])
    assert "telephone masts, airports and roads. The terrorist threat persists in northern parts of Benin" in doc.text
    assert [p.number for p in doc.pages] == list(range(1, 16))
    i = doc.text.index("The terrorist threat persists")
    assert doc.page_at(doc.text.index("threat persists", i)) == 2


def test_un_hard_wraps_are_joined():
    doc = clean(load_file(UN_PDF).documents[0])
    assert (
        "It contains an overview of developments and trends in West Africa and the Sahel and the "
        "activities of the United Nations Office" in doc.text
    )


@pytest.mark.parametrize(
    "page_text, expected",
    [
        (
            "They backed the recom-\nmendations of the panel and the recommendations held.",
            "They backed the recommendations of the panel and the recommendations held.",
        ),
        ("The Secretary-\nGeneral visited.", "The Secretary-General visited."),
        ("The counter-\nterrorism unit was deployed.", "The counter-terrorism unit was deployed."),
    ],
)
def test_hyphenation_at_line_ends(page_text, expected):
    filler = "This line is here so that the page reads as hard wrapped text of a fixed width.\n"
    doc = clean(raw(filler * 3 + page_text))
    assert expected in doc.text


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Al-Monitor online reported.Major General Ali said so.",
            "Al-Monitor online reported. Major General Ali said so.",
        ),
        ("It killed 20 people.The court met.", "It killed 20 people. The court met."),
        ("He said “no.”Police agreed.", "He said “no.” Police agreed."),
        ("Visit example.com for U.S. news.", "Visit example.com for U.S. news."),
    ],
)
def test_glued_sentences_get_a_space(text, expected):
    assert clean(raw(text)).text == expected


def test_headline_glued_to_first_sentence_is_split():
    doc = clean(
        raw(
            "Thai Authorities Indict 2 Over August Shrine AttackA Bangkok military court has "
            "indicted two men accused of carrying out the bombing."
        )
    )
    assert doc.text.startswith("Thai Authorities Indict 2 Over August Shrine Attack\n\nA Bangkok military court")
    assert doc.meta.title == "Thai Authorities Indict 2 Over August Shrine Attack"


@needs_shared
def test_wikievents_glued_text_is_repaired():
    path = SHARED / "data" / "wikievents-sample" / "23_VOA_EN_NW_2015.11.24.3071320.txt"
    doc = clean(load_file(path).documents[0])
    assert doc.meta.title == "Thai Authorities Indict 2 Over August Shrine Attack"
    assert "killed 20 people. The court on Tuesday" in doc.text


@needs_shared
def test_muc4_hard_wraps_are_joined_and_caps_flagged():
    records = json.loads((SHARED / "data" / "muc4" / "dev.json").read_text())
    body = records["TST1-MUC3-0001"]["doc"]
    doc = clean(RawDocument(path="dev.json", pages=(body,), meta=DocMeta(), key="TST1-MUC3-0001"))
    assert doc.all_caps
    assert doc.text.startswith(
        'THE GUATEMALA ARMY DENIED TODAY THAT GUERRILLAS ATTACKED THE "SANTO TOMAS" '
        "PRESIDENTIAL FARM, LOCATED ON THE PACIFIC SIDE,"
    )
    assert '\n\nA REPORT PUBLISHED BY THE "CERIGUA" NEWS AGENCY' in doc.text
    assert len(doc.paragraphs) == body.count("\n\n") + 1


def test_same_text_same_id_and_offsets_point_into_text():
    a = clean(load_file(SEED).documents[0])
    b = clean(load_file(SEED).documents[0])
    assert a.doc_id == b.doc_id
    for p in a.paragraphs:
        assert a.text[p.start : p.end].strip() == a.text[p.start : p.end]

"""Who says what: one table row per attribution pattern, each taken from real text of the
corpus (the seed article, MUC-4 wire copy, UN documents)."""

from __future__ import annotations

import json
import re

import pytest

from assistant.analyse import analyse
from assistant.clean import clean
from assistant.load import load_file
from assistant.types import DocMeta, RawDocument

from .conftest import CORPUS, SEED


def analysed(analyzer, text: str, **meta):
    doc = clean(RawDocument(path="t.txt", pages=(text,), meta=DocMeta(**meta)))
    return doc, analyse(doc, analyzer=analyzer)


def credited(doc, analysis, sentence_start: str):
    """Attributions of the sentence that starts with `sentence_start`."""
    out = [
        a
        for a in analysis.attributions
        if re.sub(r"\s+", " ", doc.text[a.sentence_start : a.sentence_end]).startswith(sentence_start)
    ]
    return out


SEED_TEXT = clean(load_file(SEED).documents[0]).text
MUC = {
    json.loads(line)["id"]: json.loads(line)["text"]
    for line in (CORPUS / "muc4.jsonl").read_text(encoding="utf-8").splitlines()
}

# (case, text, sentence start, source must contain, resolved must contain, cue, stance)
CASES = [
    (
        "spokesperson for Y: credit X and Y",
        SEED_TEXT,
        "Mohamed Elmaouloud Ramadane, spokesperson",
        "Mohamed Elmaouloud Ramadane",
        "CSP-PSD",
        "stated",
        "claim",
    ),
    (
        "'The statement' resolves to the last source",
        SEED_TEXT,
        "The statement detailed",
        "The statement",
        "Ramadane",
        "detailed",
        "claim",
    ),
    (
        "acknowledgement",
        SEED_TEXT,
        "The Malian military acknowledged",
        "The Malian military",
        "Malian military",
        "acknowledged",
        "acknowledgement",
    ),
    (
        "unnamed source: local sources",
        SEED_TEXT,
        "Local sources reported",
        "Local sources",
        "Local sources",
        "reported",
        "report",
    ),
    (
        "appositive description",
        SEED_TEXT,
        "Mossa Ag Inzoma, a member",
        "Mossa Ag Inzoma",
        "separatist movement",
        "claimed",
        "claim",
    ),
    (
        "participle cue: '…, with X stating'",
        SEED_TEXT,
        "Prominent Russian military bloggers",
        "Semyon Pegov",
        "Semyon Pegov",
        "stating",
        "claim",
    ),
    (
        "media channel",
        SEED_TEXT,
        "The Baza Telegram news channel",
        "Baza Telegram news channel",
        "Baza",
        "reported",
        "report",
    ),
    (
        "possessive speech noun: X's assertions that",
        SEED_TEXT,
        "Despite Mali's assertions",
        "Mali",
        "Mali",
        "assertions",
        "claim",
    ),
    (
        "relative clause: which X deny",
        SEED_TEXT,
        "Despite Mali's assertions",
        "Malian authorities",
        "Malian authorities",
        "deny",
        "denial",
    ),
    (
        "claim with infinitive",
        SEED_TEXT,
        "On Thursday, large-scale fighting erupted",
        "the Malian army",
        "Malian army",
        "claimed",
        "claim",
    ),
    (
        "according to X",
        SEED_TEXT,
        "According to videos shared by the rebels",
        "videos shared by the rebels",
        "rebels",
        "According to",
        "claim",
    ),
    (
        "ALL-CAPS denial",
        MUC["TST1-MUC3-0001"],
        "THE GUATEMALA ARMY DENIED",
        "THE GUATEMALA ARMY",
        "GUATEMALA ARMY",
        "DENIED",
        "denial",
    ),
    (
        "ALL-CAPS report by an agency",
        MUC["TST1-MUC3-0001"],
        'A REPORT PUBLISHED BY THE "CERIGUA"',
        'A REPORT PUBLISHED BY THE "CERIGUA" NEWS AGENCY',
        "CERIGUA",
        "SAYS",
        "claim",
    ),
    (
        "ALL-CAPS 'he added' resolves to the last person",
        MUC["TST1-MUC3-0001"],
        "HE ADDED THAT ON 3 FEBRUARY",
        "HE",
        "ISAACS",
        "ADDED",
        "claim",
    ),
    (
        "ALL-CAPS inverted cue after the content",
        MUC["TST1-MUC3-0001"],
        "A MILITARY PATROL CLASHED",
        "ISAACS",
        "ISAACS",
        "NOTED",
        "claim",
    ),
    (
        "passive with agent: 'was announced by X'",
        MUC["TST1-MUC3-0013"],
        "THIS WAS ANNOUNCED BY PRESIDENT ALAN GARCIA",
        "PRESIDENT ALAN GARCIA",
        "ALAN GARCIA",
        "ANNOUNCED",
        "report",
    ),
    (
        "'it' in a relative clause is the clause above's subject",
        MUC["TST2-MUC4-0044"],
        "LAST NIGHT, THE DEFENSE MINISTRY ORDERED",
        "IT",
        "DEFENSE MINISTRY",
        "BLAMED",
        "accusation",
    ),
    (
        "'the guerrillas' through a communique",
        MUC["TST2-MUC4-0031"],
        "THROUGH A COMMUNIQUE, THE GUERRILLAS",
        "THE GUERRILLAS",
        "GUERRILLAS",
        "EMPHASIZED",
        "claim",
    ),
    (
        "'the communique adds' after 'the FMLN report'",
        MUC["TST2-MUC4-0031"],
        "THE OFFICERS, WHO AT THAT TIME",
        "THE COMMUNIQUE",
        "FMLN",
        "ADDS",
        "claim",
    ),
    (
        "neither denied nor confirmed",
        MUC["TST2-MUC4-0031"],
        "THE HONDURAN MILITARY HAS NEITHER DENIED",
        "THE HONDURAN MILITARY",
        "HONDURAN MILITARY",
        "DENIED",
        "denial",
    ),
    (
        "the speaker of a quotation, not a cue inside it",
        MUC["TST1-MUC3-0014"],
        "THE MRTA SAYS:",
        "THE MRTA",
        "MRTA",
        "SAYS",
        "claim",
    ),
    (
        "'said that he hopes' is one attribution",
        MUC["TST3-MUC4-0092"],
        "NEVERTHELESS, LINARES SAID THAT HE HOPES",
        "LINARES",
        "LINARES",
        "SAID",
        "claim",
    ),
]


@pytest.mark.parametrize("case, text, start, source, resolved, cue, stance", CASES, ids=[c[0] for c in CASES])
def test_attribution(analyzer, case, text, start, source, resolved, cue, stance):
    doc, analysis = analysed(analyzer, text)
    found = credited(doc, analysis, start)
    assert found, f"no attribution for {start!r}"
    match = [
        a
        for a in found
        if source.lower() in a.source.lower()
        and resolved.lower() in a.source_resolved.lower()
        and cue.lower() in a.cue.lower()
    ]
    assert match, [(a.source, a.source_resolved, a.cue) for a in found]
    a = match[0]
    assert cue.lower() in a.cue.lower()
    assert a.stance == stance
    assert doc.text[a.sentence_start : a.sentence_end].startswith(start)


# Sentences that report the writer's own inference or an action, not somebody's claim, and words
# that belong to another attribution's content. (case, text, sentence start, bad source, bad cue)
NOT_ATTRIBUTIONS = [
    ("inference 'indicating'", SEED_TEXT, "According to videos shared by the rebels", "white soldiers", None),
    ("'led by' is not a cue", SEED_TEXT, "Since taking power in 2020", None, None),
    ("a cue inside a quotation is the speaker's words", MUC["TST1-MUC3-0014"], "THE MRTA SAYS:", "THE CHURCH", None),
    (
        "'said that he hopes': the hope is the content",
        MUC["TST3-MUC4-0092"],
        "NEVERTHELESS, LINARES SAID THAT HE HOPES",
        "HE",
        "HOPES",
    ),
]


@pytest.mark.parametrize(
    "case, text, start, bad_source, bad_cue", NOT_ATTRIBUTIONS, ids=[c[0] for c in NOT_ATTRIBUTIONS]
)
def test_not_an_attribution(analyzer, case, text, start, bad_source, bad_cue):
    doc, analysis = analysed(analyzer, text)
    found = credited(doc, analysis, start)
    if bad_source is None:
        assert found == [], [(a.source, a.cue) for a in found]
    else:
        assert not any(
            bad_source.lower() in a.source.lower() and (bad_cue is None or bad_cue.lower() in a.cue.lower())
            for a in found
        ), [(a.source, a.cue) for a in found]


def test_quote_over_several_sentences_and_paragraphs(analyzer):
    text = (
        'Colonel Ali Sanogo, the army spokesman, said the convoy was ambushed. "We lost two men. '
        'The attackers fled north.\n\n"We will find them," he said.\n\nThe town was calm on Monday.'
    )
    doc, analysis = analysed(analyzer, text)
    for start in ("We lost two men.", "The attackers fled north.", '"We will find them," he said.'):
        found = [
            a
            for a in analysis.attributions
            if doc.text[a.sentence_start : a.sentence_end].lstrip('"').startswith(start.lstrip('"'))
        ]
        assert found and "Sanogo" in found[0].source_resolved, (
            start,
            [(a.source, a.source_resolved) for a in analysis.attributions],
        )
    assert not credited(doc, analysis, "The town was calm")


def test_narrator_of_documents():
    from assistant.narrators import narrator

    sg = load_file(CORPUS / "un-sc" / "S_2025_495.en.pdf").documents[0].meta
    letter = load_file(CORPUS / "un-sc" / "S_2025_277.en.pdf").documents[0].meta
    assert narrator(sg).name.startswith("UN Secretary-General") and narrator(sg).source_type == "UN/NGO"
    assert "Permanent Representative of the Sudan" in narrator(letter).name
    assert narrator(letter).source_type == "government"
    assert narrator(DocMeta(outlet="AFP")).name == "AFP"
    assert narrator(DocMeta(title="Untitled piece")).source_type == "author"


def test_documents_parsed_together_get_the_same_analysis_as_alone(analyzer) -> None:
    """Ingest parses short documents in one batch (analyse_many): same sentences and attributions."""
    from assistant.analyse import analyse_many

    docs = [clean(raw) for raw in load_file(CORPUS / "muc4.jsonl").documents[:30]]
    docs.append(clean(load_file(SEED).documents[0]))
    together = analyse_many(docs, analyzer=analyzer, batch_size=256)
    assert len(together) == len(docs)
    for doc, got in zip(docs, together):
        assert got == analyse(doc, analyzer=analyzer), doc.meta.title

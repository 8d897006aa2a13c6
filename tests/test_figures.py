"""assistant/figures.py: which figures of an answer's claims answer its question, table-driven."""

from __future__ import annotations

import pytest

from assistant.figures import figures_by_source, question_focus, value_of
from assistant.types import Answer, Citation, Claim


@pytest.mark.parametrize(
    "figure, value",
    [
        ("at least 20", 20.0),
        ("fifteen", 15.0),
        ("about 9,000", 9000.0),
        ("dozens", None),
        ("hundreds", None),
        ("more than 1.5", 1.5),
        ("two", 2.0),
        ("scores", None),
    ],
)
def test_value_of(figure, value):
    assert value_of(figure) == value


@pytest.mark.parametrize(
    "question, what, label",
    [
        ("How many Wagner fighters were killed at Tinzaouatene?", "Wagner fighters", "Wagner fighters killed"),
        ("How many Wagner fighters were killed?", "Wagner fighters", "Wagner fighters killed"),
        ("How many public wells in Kidal have run dry?", "public wells", "public wells"),
        ("how many civilians have been abducted since March?", "civilians", "civilians abducted"),
        ("How many people died?", "people died", "people died"),
        ("Who claimed the attack?", "", ""),
    ],
)
def test_question_focus(question, what, label):
    assert question_focus(question) == (what, label)


def answer(question: str, *claims: tuple[str, str, str]) -> Answer:
    cl = tuple(
        Claim(src, kind, "said", "narration" if kind == "author" else "claim", text, (i + 1,))
        for i, (src, kind, text) in enumerate(claims)
    )
    cits = tuple(
        Citation(
            n=i + 1, doc_id="d", title="t", path="p", page=None, start=0, end=len(c.text), quote=c.text, source=c.source
        )
        for i, c in enumerate(cl)
    )
    return Answer(question=question, answerable=True, text="…", citations=cits, claims=cl)


Q = "How many Wagner fighters were killed?"


@pytest.mark.parametrize(
    "claims, expected",
    [
        (
            [
                ("Baza", "media", "Baza reported at least 20 Wagner fighters were killed."),
                (
                    "Local sources",
                    "local sources",
                    "leaving behind at least 15 Wagner fighters, either killed or captured",
                ),
            ],
            [("Baza", "at least 20", 20.0), ("Local sources", "at least 15", 15.0)],
        ),
        (
            [("Mossa", "armed group", 'Mossa claimed "dozens" of Wagner fighters and soldiers were killed.')],
            [("Mossa", "dozens", None)],
        ),
        # figures that count something else do not answer: soldiers, a helicopter, a year
        (
            [
                (
                    "the army",
                    "military",
                    "The military acknowledged the loss of two soldiers and injuries to ten others.",
                )
            ],
            [],
        ),
        ([("AFP", "media", "Wagner fighters have been in Mali since 2021 and number about 1,500 men.")], []),
        # the narration counts only when no source speaks
        (
            [
                ("Baza", "media", "Baza reported at least 20 Wagner fighters were killed."),
                ("the article", "author", "At least 47 Wagner fighters died, the article says."),
            ],
            [("Baza", "at least 20", 20.0)],
        ),
        ([("the article", "author", "At least 47 Wagner fighters died.")], [("the article", "At least 47", 47.0)]),
    ],
)
def test_figures_by_source(claims, expected):
    got = [(f.source, f.text, f.value) for f in figures_by_source(answer(Q, *claims))]
    assert got == expected


def test_no_figures_for_a_question_that_asks_for_no_count_or_an_unanswered_one():
    claim = ("Baza", "media", "Baza reported at least 20 Wagner fighters were killed.")
    assert figures_by_source(answer("Who reported the Wagner losses?", claim)) == []
    a = answer(Q, claim)
    assert figures_by_source(Answer(question=Q, answerable=False, text="…", citations=(), claims=a.claims)) == []

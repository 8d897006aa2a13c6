"""Follow-up questions made self-contained (assistant/conversation.py): table-driven."""

from __future__ import annotations

import pytest

from assistant.conversation import asked_source, resolve
from assistant.question import analyse_question
from assistant.types import Answer, Citation, Claim

WAGNER = "How many Wagner fighters were killed at Tinzaouatene?"
ARMY = "How many Wagner fighters were killed at Tinzaouatene, according to the army?"


@pytest.mark.parametrize(
    "previous, asked, expected",
    [
        # a source asked about after a question on a topic: the topic is kept, the source asked
        ([WAGNER], "And what did the army say?", ARMY),
        ([WAGNER], "and what does the army say", ARMY),
        ([WAGNER], "Did the army confirm it?", ARMY),
        ([WAGNER], "The army's version?", ARMY),
        (
            [WAGNER],
            "And according to the UN?",
            "How many Wagner fighters were killed at Tinzaouatene, according to the UN?",
        ),
        ([WAGNER], "And the rebels?", "How many Wagner fighters were killed at Tinzaouatene, according to the rebels?"),
        (
            [WAGNER],
            "What about the Baza channel?",
            "How many Wagner fighters were killed at Tinzaouatene, according to the Baza channel?",
        ),
        (
            [WAGNER],
            "What about Mossa Ag Inzoma?",
            "How many Wagner fighters were killed at Tinzaouatene, according to Mossa Ag Inzoma?",
        ),
        # a chain: the source of the previous follow-up is replaced, not added
        (
            [WAGNER, ARMY],
            "And the rebels?",
            "How many Wagner fighters were killed at Tinzaouatene, according to the rebels?",
        ),
        (
            ["What did the army say about the helicopter crash in Kidal?"],
            "And what did the rebels say?",
            "What was said about the helicopter crash in Kidal, according to the rebels?",
        ),
        # another place, the same question
        ([WAGNER], "What about Kidal?", "How many Wagner fighters were killed at Kidal?"),
        # another count about the same people and place
        ([WAGNER], "And how many were captured?", "How many Wagner fighters were captured at Tinzaouatene?"),
        # a pronoun: the previous topic is carried along
        ([WAGNER], "When did it happen?", "When did it happen (Wagner fighters killed at Tinzaouatene)?"),
        ([WAGNER], "Who said that?", "Who said that (Wagner fighters killed at Tinzaouatene)?"),
    ],
)
def test_follow_ups_are_resolved(previous, asked, expected):
    r = resolve(asked, previous)
    assert r.question == expected
    assert r.followup and r.asked == " ".join(asked.split())


@pytest.mark.parametrize(
    "previous, asked",
    [
        ([], "What did the army say?"),  # nothing to follow up on
        ([WAGNER], "What did the regional governor say?"),  # complete on its own
        ([WAGNER], "What did the army say about the helicopter crash?"),  # names its own topic
        ([WAGNER], "How many civilians died in Kidal?"),
        ([WAGNER], "Who is the spokesperson of the CSP-PSD alliance?"),
        ([WAGNER], "Who claimed that the helicopter crashed?"),
        ([WAGNER], ""),
    ],
)
def test_questions_that_stand_alone_are_unchanged(previous, asked):
    r = resolve(asked, previous)
    assert r.question == asked and not r.followup


def test_resolved_follow_up_asks_the_library_about_the_source_and_the_topic():
    q = analyse_question(resolve("And what did the army say?", [WAGNER]).question)
    assert q.source_type == "military" and q.wants_number
    assert {"wagner", "tinzaouaten"} <= set(q.anchors)


@pytest.mark.parametrize(
    "previous, asked, expected",
    [
        (["Who is Semyon Pegov?"], "What did he say?", "What did Semyon Pegov say?"),
        (["Who is Semyon Pegov?"], "And what was his view?", "What was Semyon Pegov's view?"),
        (
            ["How many Wagner fighters did the rebels say were killed?"],
            "What did they claim?",
            "What did the rebels claim?",
        ),
    ],
)
def test_pronouns_name_the_person_or_group_asked_about(previous, asked, expected):
    r = resolve(asked, previous)
    assert r.question == expected and r.followup


def test_he_is_the_person_the_last_answer_credited():
    c = Citation(n=1, doc_id="d", title="t", path="p", page=None, start=0, end=1, quote="x", source=None)
    last = Answer(
        question="Who corroborated the reports of Wagner losses?",
        answerable=True,
        text="…",
        citations=(c,),
        claims=(Claim("Semyon Pegov (War Gonzo)", "media", "stating", "quote", "x", (1,)),),
    )
    r = resolve("What else did he say?", ["Who corroborated the reports of Wagner losses?"], last=last)
    assert r.question == "What else did Semyon Pegov say?"


def test_asked_source():
    assert asked_source(ARMY) == ("army", "military")
    assert asked_source(WAGNER) is None

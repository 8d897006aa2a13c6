"""What a question asks for: its source, its focus noun, whether it wants a figure, its names."""

from __future__ import annotations

import pytest

from assistant.question import analyse_question

CASES = [
    # question, source, source type, focus, wants number, anchors that must be present
    ("How many Wagner fighters were killed?", None, None, ("fighter",), True, ("wagner",)),
    ("How many rebels died in the fighting, according to the rebels?", "rebels", "armed group", ("rebel",), True, ()),
    ("What losses did the Malian military acknowledge?", "Malian military", "military", ("loss",), False, ()),
    ("What did the army say about the helicopter?", "army", "military", (), False, ()),
    ("According to the Defense Ministry, who was responsible?", "Defense Ministry", "military", (), False, ()),
    ("Which country was the peacekeeper from?", None, None, (), False, ()),
    ("What sentences did the Bangkok military court hand the two men?", None, None, ("sentenc",), False, ("bangkok",)),
    (
        "How did Defense Minister Hector Gramajo explain the killing?",
        "Defense Minister Hector Gramajo",
        "military",
        (),
        False,
        (),
    ),
]


@pytest.mark.parametrize("question, source, kind, focus, number, anchors", CASES, ids=[c[0] for c in CASES])
def test_question_analysis(question, source, kind, focus, number, anchors):
    q = analyse_question(question)
    assert q.source == source
    assert q.source_type == kind
    assert q.focus == focus
    assert q.wants_number is number
    assert set(anchors) <= set(q.anchors)

"""Is this source the one asked about? (assistant/speakers.py): table-driven."""

from __future__ import annotations

import pytest

from assistant.speakers import initials, speaks, wanted


@pytest.mark.parametrize(
    "asked, name, kind, expected",
    [
        ("WHO", "The World Health Organization", "UN/NGO", True),  # initials
        ("the World Health Organization", "WHO", "UN/NGO", True),
        ("the WHO", "the Gaza Health Ministry", "government", False),
        ("World Health Organization", "the Gaza Health Ministry", "government", False),  # "Health" alone is not it
        ("IDF", "the Israel Defense Forces", "military", True),
        ("HRW", "Human Rights Watch", "UN/NGO", True),
        ("the army", "The Malian military", "military", True),  # a kind of source: by its type
        ("the Malian army", "The Malian military", "military", True),
        ("the Malian army", "the Chadian army", "military", False),  # another country's army
        ("the rebels", "the CSP-PSD alliance", "armed group", True),
        ("FMLN", "SALVADORAN GUERRILLAS", "armed group", True),  # an acronym speaks as its kind
        ("FMLN", "THE URNG", "armed group", False),  # not as another group
        ("Gramajo", "Defense Minister Hector Gramajo", "military", True),  # a person by the surname
        ("Hector Gramajo", "Gramajo", "military", True),
        ("the regional governor", "the governor of Gao", "government", True),  # a role by its head noun
        ("the regional governor", "the health ministry", "government", False),
        ("Bilal Mohammed's lawyer", "Bilal's lawyer", "other", True),  # the owner's role
        ("Bilal Mohammed's lawyer", "the police", "police", False),
        ("army", "the article “Rebels Overpower Army and Russian Mercenaries”", "author", False),  # never a title
    ],
)
def test_speaks(asked, name, kind, expected):
    assert speaks(wanted(asked), name, kind) is expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("World Health Organization", "WHO"),
        ("Israel Defense Forces", "IDF"),
        ("Human Rights Watch", "HRW"),
        ("the army", None),
        ("Mali", None),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected

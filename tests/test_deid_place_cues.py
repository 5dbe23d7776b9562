"""Places named by a cue around them ('past crownpoint', 'at chinle ihs', '20 miles from Tohatchi')."""

from __future__ import annotations

import pytest

from echo_desktop.cases.deid import scan
from echo_desktop.cases.findings import PhiKind


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("lives out past crownpoint, no phone", "crownpoint"),
        ("f/u at chinle ihs next month", "chinle"),
        ("hospitalized at san juan regional x5 days", "san juan"),
        ("works at sonic in belen", "belen"),
        ("she moved back to laguna last year", "laguna"),
        ("about 20 miles from Tohatchi, hauls water", "Tohatchi"),
        ("lives 40 miles from chinle with her daughter", "chinle"),
        ("family meets at the lukachukai chapter house", "lukachukai"),
        ("retired from the BNSF railyard", "BNSF"),
    ],
)
def test_a_place_after_a_cue_is_flagged(text: str, place: str) -> None:
    start = text.index(place)
    hits = [f for f in scan(text) if f.start < start + len(place) and start < f.end]
    assert [f.kind for f in hits] == [PhiKind.LOCATION]


@pytest.mark.parametrize(
    "text",
    [
        "Past Medical History: HTN, DM2",
        "symptoms worse past Tuesday, near Medicare renewal time",
        "pain is worse in may and june",
        "lives at home near the clinic, past the school",
        "in clinic today; near syncope last week",
        "worked from home during the outbreak",
    ],
)
def test_a_cue_with_no_place_after_it_stays_clean(text: str) -> None:
    assert scan(text) == []


def test_a_person_after_from_is_still_flagged() -> None:
    # 'a call from marion': no town, but a person's name, so it is flagged all the same (the
    # token model reads it; the kind may say place, and the suggestion is generic).
    text = "got a call from marion about the refill"
    assert [f.text for f in scan(text)] == ["marion"]

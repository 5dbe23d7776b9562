"""The guard's `Cued` patterns find exactly what a search of the whole text finds.

A `Cued` pattern is tried only where one of its first words starts (words.py): a speed-up that is
only right if every match of the pattern starts with one of those words. Each one is checked here
against the plain whole-text search, on every development text and on generated ones.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import echo_desktop.cases.deid  # noqa: F401  (imports every detector, so every Cued registers)
from echo_desktop.cases.deid.words import Cued, forget_texts, word_starts
from testkit.phi_scoring import SHARED_DEV_SET, own_entries, read_entries

_TEXTS = [e.text for e in own_entries()] + [e.text for e in read_entries(SHARED_DEV_SET)]
_IDS = [c.pattern.pattern[:50] for c in Cued.registry]


def _spans(found: object) -> list[tuple[int, int]]:
    return [m.span() for m in found]  # type: ignore[attr-defined]


def test_the_detectors_use_cued_patterns() -> None:
    assert len(Cued.registry) >= 20


@pytest.mark.parametrize("cued", Cued.registry, ids=_IDS)
def test_a_cued_pattern_finds_what_the_whole_text_search_finds(cued: Cued) -> None:
    found_any = False
    for text in _TEXTS:
        expected = _spans(cued.pattern.finditer(text))
        assert _spans(cued.finditer(text)) == expected, text[:80]
        found_any = found_any or bool(expected)
    assert found_any  # each pattern is exercised by some development text


def test_a_text_that_lower_casing_would_move_is_searched_whole() -> None:
    text = "İstanbul, lives in Gallup since March 3"  # 'İ' lower-cases to two characters
    forget_texts()
    assert word_starts(text) is None
    for cued in Cued.registry:
        assert _spans(cued.finditer(text)) == _spans(cued.pattern.finditer(text))


_PIECES = st.sampled_from(
    [
        "in ", "since ", "the ", "St. ", "st ", "San ", "Saint ", "lives in ", "moved to ", "works at ",
        "County", " county", "Creek", "March ", "mid-", "june", "3rd", "the 10th", "on the 5th", "ninety",
        "Hospital", "hospital", "chapter house", "pt ", "(", ")", "92", "1/6", "12 de junio", "tail ",
        "serial ", "MRN ", "SSN ", "plate ", "-", "'", "’", ".", ",", "\n", " ", "é", "İ", "3", "x",
        "Christmas", "christmas eve", "Thanksgiving", "Dr. ", "age ", "died at ", "in her 90s", "off ",
        "SR 29", "KY-1098", "Clínica ", "Santa Fe",
        # words run together, where the word that starts a match is longer than its keyword
        "PhoneNumber: ", "telno ", "faxno", "SSno ", "Initials", "JD", "her95th birthday", "95th birthday",
        "Valentines Day", "Mothers Day", "Loves Travel Stop", "caseys", "Lowes", "dıed at 95", "ſerial ",
    ]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_on_generated_text_too(text: str) -> None:
    forget_texts()
    for cued in Cued.registry:
        assert _spans(cued.finditer(text)) == _spans(cued.pattern.finditer(text))

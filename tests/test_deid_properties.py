"""Any text at all: the guard never crashes, and its findings are well-formed spans of the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from echo_desktop.cases.deid import scan
from echo_desktop.cases.findings import PhiKind

# Pieces that reach deep into the detectors, mixed with arbitrary text.
_PIECES = st.sampled_from(
    [
        "Mr. ", "Dr. ", "her mother ", "John ", "Smith", "Maria", "hope ", "Gallup", ", NM ", "87301",
        "03/14/2025", "3/14", "March ", "3rd", " 2024", "on the 5th", "92-year-old", "aged 95", " in her 90s",
        "(505) 555-0142", "+52 55 1234 5678", "fax ", "x@y.org", "https://a.example.org/x", "10.2.33.14",
        "::1", "2001:db8::7334", "SSN ", "123-45-6789", "MRN ", "00482913", "plate ", "4KX-902",
        "serial ", "PMP-7734-22981", "1420 Cedar Ridge Rd", " County", "Parkinson's ", "BP 118/76",
        "\n", " ", ".", ",", "'", "’", "-", "/", ":", "#", "é", "😀", "\u0301", "\r\n", "\t",
    ]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40).map("".join)


def _well_formed(text: str) -> None:
    findings = scan(text)
    previous_end = 0
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert f.start >= previous_end  # sorted and non-overlapping
        previous_end = f.end
        assert isinstance(f.kind, PhiKind)
        assert f.suggestion and f.text not in f.suggestion


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_mixed_pieces_give_well_formed_findings(text: str) -> None:
    _well_formed(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_unicode_text_gives_well_formed_findings(text: str) -> None:
    _well_formed(text)

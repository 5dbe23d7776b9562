"""Findings from raw matches: trimmed to the identifier, and made non-overlapping."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator

from echo_desktop.cases.findings import Finding, PhiKind

# When two findings of equal length cover the same text, the more specific kind wins (a fax
# number is also a phone number; an SSN is also an ID).
_SPECIFICITY = {
    kind: rank
    for rank, kind in enumerate(
        [
            PhiKind.FAX, PhiKind.SSN, PhiKind.EMAIL, PhiKind.URL, PhiKind.IP, PhiKind.VEHICLE,
            PhiKind.DEVICE, PhiKind.PHONE, PhiKind.AGE, PhiKind.DATE, PhiKind.ID, PhiKind.LOCATION,
            PhiKind.NAME,
        ]
    )
}  # fmt: skip

_TRIM = " \t\r\n,;:.()[]{}\"'"


def finding(text: str, start: int, end: int, kind: PhiKind, suggestion: str) -> Finding | None:
    """A finding over text[start:end], less surrounding spaces and punctuation; None if empty.

    A trailing period stays when it ends an abbreviation inside the span ("Dr.", "St."), since
    only edge punctuation that belongs to the sentence is trimmed.
    """
    while start < end and text[start] in _TRIM and not _opens_span(text, start, end):
        start += 1
    while end > start and text[end - 1] in _TRIM and not _closes_span(text, start, end):
        end -= 1
    if start >= end:
        return None
    return Finding(start, end, kind, text[start:end], suggestion)


def emit(text: str, start: int, end: int, kind: PhiKind, suggestion: str) -> Iterator[Finding]:
    """`finding(...)` as a generator step: yields it unless trimming left nothing."""
    made = finding(text, start, end, kind, suggestion)
    if made is not None:
        yield made


def _opens_span(text: str, start: int, end: int) -> bool:
    # "(505) 555-0142": the bracket belongs to the number.
    return text[start] == "(" and ")" in text[start:end]


def _closes_span(text: str, start: int, end: int) -> bool:
    closer = text[end - 1]
    if closer == ")":
        return "(" in text[start : end - 1]
    if closer == ".":
        # "Mr." or "Cedar Ridge Rd." inside a span: keep an abbreviation's period, not a full stop
        # after a number ("on 03/14.").
        word_start = end - 1
        while word_start > start and text[word_start - 1].isalpha():
            word_start -= 1
        word = text[word_start : end - 1]
        return 0 < len(word) <= 4 and word[0].isupper() and word_start > start
    return False


def resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings in text order: where two overlap, the longer (then the more
    specific kind) wins, so an address keeps its ZIP code and a fax number is not also a phone."""
    ranked = sorted(findings, key=lambda f: (f.start - f.end, _SPECIFICITY[f.kind], f.start))
    # What is kept never overlaps, so it stays in text order and only the neighbours on either
    # side of a candidate's place can overlap it.
    kept: list[Finding] = []
    starts: list[int] = []
    for candidate in ranked:
        at = bisect_right(starts, candidate.start)
        if at > 0 and kept[at - 1].end > candidate.start:
            continue
        if at < len(kept) and kept[at].start < candidate.end:
            continue
        kept.insert(at, candidate)
        starts.insert(at, candidate.start)
    return kept

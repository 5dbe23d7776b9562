"""Numbers read aloud and typed as words, as dictation software and phone notes write them:
'four oh six, five five five, zero one eight eight' (a phone number), 'SSN given verbally as five
two four, six one, three three zero eight'. Found from the digit words (a run of three or more is
rare in clinical prose: 'one or two', 'two to three' are broken by other words)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.deid.words import Cued
from echo_desktop.cases.findings import Finding, PhiKind

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_WORD_DIGIT = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_DIGIT = rf"(?:{_WORD_DIGIT}|\d{{1,4}})"
# Digit words and digit groups joined by a space, a comma, a hyphen: at least seven digits in all.
# A run starts with a digit word (at least three are in it; a number first, as in '505 five five
# five ...', is left out of the span, and the words still make a run of their own).
_RUN = Cued(
    re.compile(rf"(?i)\b{_WORD_DIGIT}(?:(?:,\s*|\s+|-){_DIGIT}){{4,}}\b"),
    "zero oh one two three four five six seven eight nine",
)
_SSN_CUE = re.compile(r"(?i)\b(?:ssn|social(?:\s+security)?(?:\s+(?:number|no\.?|#))?|ss#)\b[^.;\n]{0,30}$")
_ID_CUE = re.compile(
    r"(?i)\b(?:mrn|medical\s+record\s+number|record\s+number|member|id|account|acct)\b[^.;\n]{0,24}$"
)


def find_dictated(text: str) -> Iterator[Finding]:
    """Phone numbers, SSNs and record numbers spelled out in digit words."""
    for match in _RUN.finditer(text):
        parts = re.findall(r"[A-Za-z]+|\d+", match.group(0))
        spoken = sum(1 for p in parts if not p.isdigit())
        digits = "".join(_DIGIT_WORDS.get(p.lower(), p) for p in parts)
        if spoken < 3 or not 7 <= len(digits) <= 11:
            continue  # 'one two three' counting, or a sentence of numbers
        before = text[max(0, match.start() - 40) : match.start()]
        if _SSN_CUE.search(before) and len(digits) == 9:
            yield from emit(text, match.start(), match.end(), PhiKind.SSN, "[SSN]")
        elif _ID_CUE.search(before):
            yield from emit(text, match.start(), match.end(), PhiKind.ID, "[ID]")
        else:
            yield from emit(text, match.start(), match.end(), PhiKind.PHONE, "[phone]")

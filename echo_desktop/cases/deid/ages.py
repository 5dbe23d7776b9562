"""Ages over 89 (Safe Harbor 3): '92-year-old', 'aged 95', '91 yo', '93F', 'in her 90s'.

An age of 89 or under is allowed and never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.findings import Finding, PhiKind

SUGGESTION = "90 or older"

_NUMBER = r"(\d{2,3})"
_AGE = re.compile(
    r"(?<![\w.,/-])(?:"
    # 92-year-old, 92 year old, 92 years old, 92 years of age, 92-yr-old, 92 y/o, 92yo, 92 y.o.
    rf"{_NUMBER}[\s-]*(?:years?|yrs?|y)[\s-]*(?:old|of\s+age|o\b)"
    rf"|{_NUMBER}\s*(?:y/o|y\.o\.?|yo|yro|y)(?=\W|$)"
    # aged 95, age 91, age: 91, Age 101
    rf"|\bage[d:]?\s*:?\s*{_NUMBER}(?!\s*(?:mg|kg|lb|%|cm|mm|months?|weeks?|days?))"
    # 93F, 93 M, 93-year-old woman in EHR shorthand: a number then a sex letter
    rf"|{_NUMBER}\s?(?:[MF]|yo[MF])(?=\W|$)"
    r")",
    re.IGNORECASE,
)
_WORDS = re.compile(
    r"\b(?:ninety|one\s+hundred(?:\s+and)?)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"(?=[\s-]+(?:years?|yrs?|year-old)|\s+and\s+|\s*(?:,|\.|$))",
    re.IGNORECASE,
)
# 'died at 94', 'passed away at 96': an age given by an event.
_AT_EVENT = re.compile(
    r"(?i)\b(?:died|death|passed\s+away|deceased|diagnosed|married|retired)\s+at\s+(?:age\s+)?"
    r"(?P<age>\d{2,3})\b"
)
_DECADE = re.compile(
    r"\b(?:in\s+(?:his|her|their|the)\s+(?:(?:early|mid|late)[\s-]+)?)"
    r"(?P<decade>9\d['’]?s|nineties|1\d\d['’]?s)\b"
    r"|\b(?P<word>nonagenarian|centenarian|supercentenarian)s?\b",
    re.IGNORECASE,
)


def find_ages(text: str) -> Iterator[Finding]:
    """Ages of 90 and over, written any of the usual ways."""
    for match in _AGE.finditer(text):
        age = next(int(g) for g in match.groups() if g is not None)
        if 90 <= age <= 130 and not _is_sex_letter_ambiguity(match):
            yield from emit(text, match.start(), match.end(), PhiKind.AGE, SUGGESTION)
    for match in _AT_EVENT.finditer(text):
        if 90 <= int(match.group("age")) <= 130:
            yield from emit(text, match.start("age"), match.end("age"), PhiKind.AGE, SUGGESTION)
    for pattern in (_WORDS, _DECADE):
        for match in pattern.finditer(text):
            yield from emit(text, match.start(), match.end(), PhiKind.AGE, SUGGESTION)


def _is_sex_letter_ambiguity(match: re.Match[str]) -> bool:
    # "95 F" is 95 Fahrenheit in a temperature: a lone F after a number near 'temp' is not an age.
    tail = match.group(0).rstrip()
    if not tail.endswith(("F", "f")) or "yo" in tail.lower():
        return False
    before = match.string[max(0, match.start() - 12) : match.start()].lower()
    return "temp" in before or "t " in before[-3:] or "°" in before

"""Ages over 89 (Safe Harbor 3): '92-year-old', 'aged 95', '91 yo', '93F', 'in her 90s'.

An age of 89 or under is allowed and never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from echo_desktop.cases.deid.gazetteers import everyday, gazetteers
from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.deid.vocabulary import STOPWORDS
from echo_desktop.cases.deid.words import NUMBER, Cued
from echo_desktop.cases.findings import Finding, PhiKind

SUGGESTION = "90 or older"

_NUMBER = r"(\d{2,3})"
_AGE = Cued(
    re.compile(
        r"(?=[\daA])(?<![\w.,/-])(?:"
        # 92-year-old, 92 year old, 92 years old, 92 years of age, 92-yr-old, 92 y/o, 92yo, 92 y.o.
        rf"{_NUMBER}[\s-]*(?:years?|yrs?|y)[\s-]*(?:old|of\s+age|o\b)"
        rf"|{_NUMBER}[\s-]*(?:y/o|y\.o\.?|yo|yro|y)(?=\W|$)"
        # aged 95, age 91, age: 91, Age 101
        rf"|\bage[d:]?\s*:?\s*{_NUMBER}(?!\s*(?:mg|kg|lb|%|cm|mm|months?|weeks?|days?))"
        # 93F, 93 M, 93-year-old woman in EHR shorthand: a number then a sex letter
        rf"|{_NUMBER}\s?(?:[MF]|yo[MF])(?=\W|$)"
        r")",
        re.IGNORECASE,
    ),
    "# age aged",
)
_UNITS_AFTER = (
    r"(?![\s-]*(?:%|°|(?:percent|minutes?|mins?|seconds?|secs?|hours?|hrs?|days?|weeks?|wks?|months?|mg|"
    r"milligrams?|micrograms?|mcg|units?|pounds?|lbs?|kg|kilos?|degrees?|mmhg|beats|bpm|ml|cc|times|"
    r"pills?|tabs?|tablets?|doses?|feet|ft|miles?|mi|yards?|meters?|cm|mm|dollars?|cents?|count|"
    r"pack|packs|cigarettes?|drinks?|beers?)\b))"
)
_WORDS = Cued(
    re.compile(
        r"\b(?:ninety|(?:a|one)\s+hundred(?:\s+and)?)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?\b"
        + _UNITS_AFTER,
        re.IGNORECASE,
    ),
    "ninety a one",
)
# 'she's 96', 'who is 102', 'turns 90', 'now 90,', 'her husband (91)': found from the number (a
# number of 90 or more is rare in a case), then the words before it are checked.
_OLD_NUMBER = Cued(
    re.compile(r"(?=\d)(?<![\w.,/-])(?:9\d|1[0-3]\d)(?![\d.]\d|\d|/\d)"),  # not a BP's '132/84'
    NUMBER,
)
_SAID_BEFORE = re.compile(
    r"(?i)(?:\b(?:she|he|who|pt|patient|mom|dad|mother|father|husband|wife|nana|grandma|grandpa|lady|man|woman)"
    r"(?:['’]s|\s+is|\s+was|\s+turns|\s+turned|\s+turning|\s+is\s+now)"
    r"(?:\s+(?:actually|now|only|almost|nearly|just|already|still|really))?\s+|\balive\s+at\s+|\b(?:shes|hes)\s+"
    r"|\b(?:turns|turned|turning)\s+|,\s*now\s+|,\s+is\s+|\b(?:husband|wife|mother|father|mom|dad|nana|grandma"
    r"|grandpa|grandmother|grandfather|aunt|uncle|sister|brother|spouse)\s*\(\s*"
    r"|\b(?:grandma|grandpa|gma|gpa|nana|granny|grandmother|grandfather)\s+|\b(?:mama|mamá|abuela|abuelo)\s*\(\s*|\bmaking\s+(?:her|him)\s+"
    r"|\b(?:dob|born)\b[^()\n]{0,24}\(\s*"
    r"|\b(?:pt|patient|elder|grandma|grandpa|gma|gpa|nana|papa|granny|aunt|uncle|mom|dad)\s+[a-z]+\s*\(\s*"
    r"|\),\s+|\)\s+is\s+|(?:^|[.!?]\s+)at\s+"
    r"|\b(?:elder|man|woman|lady|gentleman|veteran|widow|widower|grandmother|grandfather|resident|dad|mom|"
    r"father|mother|husband|wife|grandma|grandpa|nana|aunt|uncle|alive|living)\s*,\s*)$"
)
_UNITS_NEXT = re.compile(_UNITS_AFTER[3:-1], re.IGNORECASE)  # the same units, as a match
_YEARS_AFTER = re.compile(
    r"\s*(?:yrs?|years?|años)\b(?!\s*(?:ago|later|earlier|before|after|of\s+(?!age)))", re.I
)


_BIRTHDAY = Cued(re.compile(r"(?i)(?<![\w.,/-])(?:9\d|1[0-3]\d)(?:st|nd|rd|th)\s+birthday\b"), NUMBER)
# 'died at 94', 'passed away at 96': an age given by an event.
_AT_EVENT = Cued(
    re.compile(
        r"(?i)\b(?=[dDpPmMrRaA])(?:died|death|passed\s+away|deceased|diagnosed|married|retired"
        r"|age\s+at\s+(?:death|diagnosis|admission|onset):?)\s+(?:at\s+)?(?:age\s+)?"
        r"(?P<age>\d{2,3})\b"
    ),
    "died death passed deceased diagnosed married retired age",
)
_DECADE = Cued(
    re.compile(
        r"\b(?=[iInN])(?:in\s+(?:his|her|their)\s+(?:(?:early|mid|late)[\s-]+)?)"
        r"(?P<decade>9\d['’]?s|nineties|1\d\d['’]?s)\b"
        r"|\b(?=[nNcCsS])(?P<word>nonagenarian|centenarian|supercentenarian)s?\b",
        re.IGNORECASE,
    ),
    "in nonagenarian nonagenarians centenarian centenarians supercentenarian supercentenarians",
)


def find_ages(text: str) -> Iterator[Finding]:
    """Ages of 90 and over, written any of the usual ways."""
    for match in _BIRTHDAY.finditer(text):
        yield from emit(text, match.start(), match.end(), PhiKind.AGE, SUGGESTION)  # 'her 97th birthday'
    for match in _AGE.finditer(text):
        age = next(int(g) for g in match.groups() if g is not None)
        if 90 <= age <= 130 and not _is_sex_letter_ambiguity(match):
            yield from emit(text, match.start(), match.end(), PhiKind.AGE, SUGGESTION)
    for match in _OLD_NUMBER.finditer(text):
        years = _YEARS_AFTER.match(text, match.end())
        if years is not None and "pack" not in text[max(0, match.start() - 6) : match.start()]:
            yield from emit(text, match.start(), years.end(), PhiKind.AGE, SUGGESTION)  # '92 yrs'
        elif (
            _SAID_BEFORE.search(text, max(0, match.start() - 24), match.start())
            or _named_before(text, match.start(), match.end())
        ) and not _UNITS_NEXT.match(text, match.end()):
            yield from emit(text, match.start(), match.end(), PhiKind.AGE, SUGGESTION)
    for match in _AT_EVENT.finditer(text):
        if 90 <= int(match.group("age")) <= 130:
            yield from emit(text, match.start("age"), match.end("age"), PhiKind.AGE, SUGGESTION)
    for pattern in (_WORDS, _DECADE):
        for match in pattern.finditer(text):
            yield from emit(text, match.start(), match.end(), PhiKind.AGE, SUGGESTION)


# 'elder Atsaq (94)', 'Hazel (93)': a person's name, then the number in brackets.
# Lab values and vital signs that census lists also have as names: 'Alt (95)', 'Pulse (96)'.
_MEASURES = frozenset(
    {"pulse", "alt", "ast", "hr", "bp", "rr", "temp", "sat", "sats", "glucose", "bs", "bg", "na", "cl",
     "bun", "cr", "hgb", "hct", "plt", "wbc", "inr", "tsh", "ldl", "hdl", "trig", "chol", "alk", "alp",
     "bili", "ggt", "lipase", "amylase", "ck", "crp", "esr", "ferritin", "iron", "phos", "ca", "alb",
     "protein", "trop", "troponin", "bnp", "lactate", "egfr", "gfr", "weight", "wt", "height", "ht", "bmi",
     "tmax", "pain", "score", "rate", "level", "count", "dose", "map", "cvp", "ef", "qtc", "pr", "qrs"}
)  # fmt: skip
_NAME_BRACKET = re.compile(
    r"\b(?P<name>[A-Z][a-z'’-]+)(?:\s\(\s*|\s+is\s+|,\s+)$|\b(?P<lower>[a-z][a-z'’-]{2,}),\s+$"
)


def _named_before(text: str, start: int, end: int) -> bool:
    match = _NAME_BRACKET.search(text, max(0, start - 24), start)
    if match is None:
        return False
    gaz = gazetteers()
    if match.group("lower") is not None:  # 'faadumo, 96, somali': a name no dictionary has
        word = match.group("lower")
        return not everyday(word, gaz.english) and word not in STOPWORDS and text[end : end + 1] == ","
    # 'Opal, 102', 'Hazel (93)', 'Hai is 90': a name the census knows, not 'Lipase (112)', 'Hemoglobin, 95'
    word = match.group("name").lower()
    return (word in gaz.first_names or word in gaz.last_names) and word not in _MEASURES


def _is_sex_letter_ambiguity(match: re.Match[str]) -> bool:
    # "95 F" is 95 Fahrenheit in a temperature: a lone F after a number near 'temp' is not an age.
    tail = match.group(0).rstrip()
    if not tail.endswith(("F", "f")) or "yo" in tail.lower():
        return False
    before = match.string[max(0, match.start() - 12) : match.start()].lower()
    return "temp" in before or re.search(r"(?:^|\W)t\W{0,2}$", before) is not None or "°" in before

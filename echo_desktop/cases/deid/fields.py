"""Labelled fields of pasted EHR text: 'NAME: OKAFOR, CHINEDU', 'Employer: Peabody Western Coal'.

An EHR export says what a value is by its label, so the value's own shape matters less: a name
in capitals or as 'LAST, FIRST M', or an employer whose words no list knows, is still a name or
a place. A value runs to the end of its line, to a gap of two spaces (the next column), or to the
next 'Label:'. It is flagged when it looks like what the label promises: a person's words
(capitalised, initials, 'LAST, FIRST') after a person's label; a capitalised name or an address
after a place's label. 'Employer: retired', 'PCP: none', 'Location: telehealth' stay clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from echo_desktop.cases.deid.locations import is_named_facility
from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.deid.vocabulary import (
    COMMON_WORDS,
    FIELD_FILLERS,
    RELATIVES,
    SERVICE_WORDS,
    STOPWORDS,
)
from echo_desktop.cases.findings import Finding, PhiKind

_PATIENT_LABELS = r"patient(?:'s)?(?:\s+name)?|pt(?:\s+name)?|name|full\s+name|legal\s+name|preferred\s+name"
_CLINICIAN_LABELS = (
    r"pcp|primary\s+care(?:\s+provider|\s+physician)?|provider|referring(?:\s+provider|\s+physician|\s+clinician)?|"
    r"referred\s+by|attending|consult(?:ant|ing)?(?:\s+physician)?|resident|physician|surgeon|nurse|"
    r"rn|np|pa|md|signed(?:\s+by)?|author|interpreter|case\s+manager|chw|ordering(?:\s+provider)?|"
    r"ordered\s+by|performed\s+by|collected\s+by|reviewed\s+by|verified\s+by|driver|presenter"
)
_CONTACT_LABELS = (
    r"emergency\s+contact|contact|next\s+of\s+kin|nok|guarantor|caregiver|guardian|parent|mother|"
    r"father|spouse|subscriber|insured|policy\s+holder"
)
_PLACE_LABELS = (
    r"employer|place\s+of\s+employment|work(?:place|\s+place)?|occupation\s+site|address|home\s+address|"
    r"street|residence|facility|clinic|hospital|referred\s+from|referring\s+(?:facility|clinic|site)|"
    r"location|pharmacy|school|city|town|community|chapter|place\s+of\s+birth|birthplace|village|"
    r"hometown|home\s+town|county|island|pueblo|reservation|destination|origin|pick-?up|drop-?off"
)
# A label is all that stands between the start of its line or column and a colon.
_LABEL = re.compile(
    rf"(?i)(?P<person>{_PATIENT_LABELS}|{_CLINICIAN_LABELS}|{_CONTACT_LABELS})|(?P<place>{_PLACE_LABELS})"
)
# Where a value ends: two spaces or a tab (the next column), or the next 'Label:'.
_VALUE_END = re.compile(r"[ ]{2,}|\t|\s+[A-Za-z][A-Za-z#/]*(?: [A-Za-z#/]+)?:")
# A person's value: words that are capitalised or in capitals, initials, a title, 'LAST, FIRST'.
_PERSON_WORD = r"[A-Z][A-Za-z'’-]*\.?|[A-Z]\.?"
_PERSON = re.compile(
    rf"(?:(?i:dr|mr|mrs|ms|miss|prof)\.?\s+)?(?:{_PERSON_WORD})(?:,?\s+(?:{_PERSON_WORD})){{0,4}}"
)
# After a name, what is not part of it: a credential, a role in brackets.
_PERSON_TAIL = re.compile(
    r"(?:,?\s+(?:md|do|rn|np|pa|pa-c|fnp|fnp-c|dnp|aprn|cnm|phd|lpn|lcsw|msw)\b.*|\s*\(.*)$", re.I
)
_LAST_COMMA_FIRST = re.compile(r"[A-Z][A-Za-z'’-]+,\s?[A-Z][A-Za-z'’-]+(?:\s[A-Z]\.?)?")
_ORDINARY = STOPWORDS | COMMON_WORDS | SERVICE_WORDS | RELATIVES


_HOUSE_NUMBER = re.compile(r"\d+[A-Za-z]?\s+[A-Za-z]")


def find_fields(text: str) -> Iterator[Finding]:
    """Names and places that a field label announces, whatever their case or shape."""
    # From each colon back to its label: colons are few, so this beats a pattern tried at every
    # position of a two-page case.
    colon = text.find(":")
    while colon != -1:
        yield from _field_at(text, colon)
        colon = text.find(":", colon + 1)


def _field_at(text: str, colon: int) -> Iterator[Finding]:
    line_start = text.rfind("\n", 0, colon) + 1
    head = text[line_start:colon]
    # A label may start a column, or follow a ';' or '|' in a pasted row ('09:41; Provider: ...').
    column = max(head.rfind("  "), head.rfind("\t"), head.rfind(";"), head.rfind("|"))
    label = _LABEL.fullmatch(head[column + 1 :].strip())
    if label is None:
        return
    line_end = text.find("\n", colon)
    raw = text[colon + 1 : line_end if line_end != -1 else len(text)]
    value = raw.lstrip(" \t")
    start = colon + 1 + len(raw) - len(value)
    cut = _VALUE_END.search(value)
    value = (value[: cut.start()] if cut else value).rstrip(" .,;")
    if not value or value.lower() in FIELD_FILLERS:
        return
    if label.group("person") is not None:
        yield from _person(text, start, value, label.group("person").lower())
    else:
        yield from _place(text, start, value)


def _person(text: str, start: int, value: str, label: str) -> Iterator[Finding]:
    value = _PERSON_TAIL.sub("", value)
    shape = _PERSON.fullmatch(value)
    if shape is None:
        return
    # Someone's name has a word that is not an everyday one ('Hub team', 'Social Work' are not),
    # unless it is written as records write names: 'WHITE, FAITH M', 'Long, Wade'.
    if not _LAST_COMMA_FIRST.fullmatch(value) and all(
        w.lower() in _ORDINARY for w in re.findall(r"[A-Za-z'’-]{2,}", value)
    ):
        return
    if label.startswith(("patient", "pt", "name", "full", "legal", "preferred")):
        suggestion = "the patient"
    elif re.match(_CLINICIAN_LABELS, label):
        suggestion = (
            "the physician" if label in ("pcp", "attending", "physician", "surgeon") else "the clinician"
        )
    else:
        suggestion = "the contact"
    yield from emit(text, start, start + len(value), PhiKind.NAME, suggestion)


def _place(text: str, start: int, value: str) -> Iterator[Finding]:
    if not (value[0].isupper() or _HOUSE_NUMBER.match(value)):
        return  # lower-case notes ('location: clinic room 3') and 'School: 8th grade' are no place
    names = [w for w in re.findall(r"[A-Za-z][A-Za-z'’&.-]+", value) if w[0].isupper()]  # not 'B' of '4B'
    if not value[0].isdigit() and (
        all(w.lower().rstrip(".") in _ORDINARY | FIELD_FILLERS for w in names) or not is_named_facility(value)
    ):
        return  # 'Clinic: Hepatitis C', 'Location: Outpatient'
    suggestion = (
        "[address]" if value[0].isdigit() or value[:2].upper() in ("HC", "PO", "RR") else "[workplace]"
    )
    yield from emit(text, start, start + len(value), PhiKind.LOCATION, suggestion)

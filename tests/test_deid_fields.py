"""Labelled EHR fields: the label says what the value is, whatever its case or shape."""

from __future__ import annotations

import pytest

from echo_desktop.cases.deid import scan
from echo_desktop.cases.findings import PhiKind


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("NAME: OKAFOR, CHINEDU   SEX: M", "OKAFOR, CHINEDU", PhiKind.NAME),
        ("Patient: GARCIA, MARIA L\nDOB: unknown", "GARCIA, MARIA L", PhiKind.NAME),
        ("PCP: DR. SAMUEL YAZZIE", "DR. SAMUEL YAZZIE", PhiKind.NAME),
        ("Emergency contact: NGUYEN, MINH (son)", "NGUYEN, MINH", PhiKind.NAME),
        ("Referring provider: HOSKIE, VERNON, PA-C", "HOSKIE, VERNON", PhiKind.NAME),
        (
            "Employer: Navajo Transitional Energy Company",
            "Navajo Transitional Energy Company",
            PhiKind.LOCATION,
        ),
        (
            "Hospital: Rehoboth McKinley Christian   Admit: today",
            "Rehoboth McKinley Christian",
            PhiKind.LOCATION,
        ),
        ("Address: HC 61 Box 440, Sanders, AZ 86512", "HC 61 Box 440, Sanders, AZ 86512", PhiKind.LOCATION),
    ],
)
def test_a_labelled_value_is_flagged_whole(text: str, value: str, kind: PhiKind) -> None:
    findings = scan(text)
    start = text.index(value)
    covering = [f for f in findings if f.start <= start and f.end >= start + len(value)]
    assert covering, findings
    assert covering[0].kind is kind


@pytest.mark.parametrize(
    "text",
    [
        "Employer: retired\nPCP: none",
        "Patient: 67 yo woman with DM2",
        "Provider: Hub team",
        "Location: telehealth",
        "Clinic: Hepatitis C",
        "Clinic: Endocrinology",
        "Name: Unknown",
        "Contact: see above",
        "Facility: outpatient",
        "Pt: Alert and oriented x3",
        "Attending: Hospitalist service",
        "Location: Exam Room 4",
        "Location: Room 4B",
        "Nurse: Triage",
        "School: 8th grade",
        "Pharmacy: Mail order",
    ],
)
def test_a_label_with_no_name_or_place_after_it_stays_clean(text: str) -> None:
    assert scan(text) == []

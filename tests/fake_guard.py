"""A small deterministic stand-in for the de-identification guard (`cases.deid.scan`), for the
tests of what is built around it: it flags a few fixed names and any "Month D, YYYY" date. And a
clean case in the default form, for it to screen."""

from __future__ import annotations

import re

from echo_desktop.cases.findings import Finding, PhiKind

_NAMES = re.compile(r"\b(?:Smith|Eleanor Vance|Begay)\b")
_DATES = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
                    r"|December) \d{1,2}, (\d{4})\b")  # fmt: skip


VALUES = {  # the default form's required fields, with nothing the guard flags
    "case_type": "New",
    "question": "How should we treat HCV in a pregnant patient?",
    "age_band": "30–39",
    "sex": "Female",
    "chief_complaint": "Positive HCV antibody at the first prenatal visit",
    "hpi": "G2P1 at 14 weeks; HCV RNA 1.2 million IU/mL in 2024.",
}


def fake_scan(text: str) -> list[Finding]:
    """Every fixed name (NAME) and long-form date (DATE) in `text`, in order."""
    found = [
        Finding(m.start(), m.end(), PhiKind.NAME, m.group(), "the patient") for m in _NAMES.finditer(text)
    ]
    found += [Finding(m.start(), m.end(), PhiKind.DATE, m.group(), m.group(1)) for m in _DATES.finditer(text)]
    return sorted(found, key=lambda f: f.start)

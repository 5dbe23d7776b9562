"""A small deterministic stand-in for the de-identification guard (`cases.deid.scan`), for the
tests of what is built around it: it flags a few fixed names and any "Month D, YYYY" date."""

from __future__ import annotations

import re

from echo_desktop.cases.findings import Finding, PhiKind

_NAMES = re.compile(r"\b(?:Smith|Eleanor Vance|Begay)\b")
_DATES = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
                    r"|December) \d{1,2}, (\d{4})\b")  # fmt: skip


def fake_scan(text: str) -> list[Finding]:
    """Every fixed name (NAME) and long-form date (DATE) in `text`, in order."""
    found = [
        Finding(m.start(), m.end(), PhiKind.NAME, m.group(), "the patient") for m in _NAMES.finditer(text)
    ]
    found += [Finding(m.start(), m.end(), PhiKind.DATE, m.group(), m.group(1)) for m in _DATES.finditer(text)]
    return sorted(found, key=lambda f: f.start)

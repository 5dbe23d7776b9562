"""What the de-identification guard reports, and how a person answers it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PhiKind(StrEnum):
    """The HIPAA Safe Harbor identifier kinds the guard looks for (../shared/data/README.md)."""

    NAME = "NAME"
    LOCATION = "LOCATION"
    DATE = "DATE"
    AGE = "AGE"  # an age over 89
    PHONE = "PHONE"
    FAX = "FAX"
    EMAIL = "EMAIL"
    SSN = "SSN"
    ID = "ID"  # record, plan, account, licence, certificate and other numbers
    VEHICLE = "VEHICLE"
    DEVICE = "DEVICE"
    URL = "URL"
    IP = "IP"


@dataclass(frozen=True)
class Finding:
    """One likely identifier: character offsets into the text, its kind, and a safe replacement.

    `text` is the matched text itself: it is PHI. Never log it, never send it anywhere.
    """

    start: int
    end: int
    kind: PhiKind
    text: str
    suggestion: str  # e.g. "2024" for "March 3, 2024", "90 or older" for "92-year-old"


@dataclass(frozen=True)
class Dismissal:
    """A finding a person judged not to be PHI, with their reason (the facilitator sees each).

    It names the field and the exact text it covers, so an edit that changes that text reopens
    the finding.
    """

    field: str
    kind: PhiKind
    text: str
    reason: str

"""The de-identification guard: finds HIPAA Safe Harbor identifiers in free text, locally.

`scan(text)` returns the findings in text order, with offsets into `text`. No network and no
model downloaded at run time: everything it uses ships in the package. Each kind has its own
detector module; `spans.resolve` makes their findings non-overlapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from echo_desktop.cases.deid.ages import find_ages
from echo_desktop.cases.deid.contacts import find_contacts
from echo_desktop.cases.deid.cued_names import find_cued_names
from echo_desktop.cases.deid.cued_places import find_cued_places
from echo_desktop.cases.deid.dates import find_dates
from echo_desktop.cases.deid.dictated import find_dictated
from echo_desktop.cases.deid.fields import find_fields
from echo_desktop.cases.deid.locations import find_locations
from echo_desktop.cases.deid.names import find_names
from echo_desktop.cases.deid.numbers import find_numbers
from echo_desktop.cases.deid.spans import resolve
from echo_desktop.cases.deid.token_model import find_model_tokens
from echo_desktop.cases.findings import Finding

Detector = Callable[[str], Iterator[Finding]]
LearntDetector = Callable[[str, Sequence[tuple[int, int]]], Iterator[Finding]]
_DETECTORS: tuple[Detector, ...] = (
    find_contacts,
    find_dictated,
    find_numbers,
    find_ages,
    find_dates,
    find_locations,
    find_cued_places,
    find_names,
    find_cued_names,
    find_fields,
)
"""The rules, one detector per kind."""
_LEARNT: LearntDetector | None = find_model_tokens
"""The learned check, run after the rules on the words they left (None: the rules alone)."""


def scan(text: str) -> list[Finding]:
    """Every likely identifier in `text`, in order, non-overlapping."""
    if not text.strip():
        return []
    found = [finding for detect in _DETECTORS for finding in detect(text)]
    if _LEARNT is not None:
        # A word inside something the rules found gains nothing from a second opinion.
        found.extend(_LEARNT(text, [(f.start, f.end) for f in found]))
    return resolve(found)

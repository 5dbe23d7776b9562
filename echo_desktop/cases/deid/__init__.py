"""The de-identification guard: finds HIPAA Safe Harbor identifiers in free text, locally.

`scan(text)` returns the findings in text order, with offsets into `text`. No network and no
model downloaded at run time: everything it uses ships in the package.
"""

from __future__ import annotations

from echo_desktop.cases.findings import Finding


def scan(text: str) -> list[Finding]:
    """Every likely identifier in `text`, in order, non-overlapping."""
    raise NotImplementedError("the guard is being built (issue 11)")

"""`echo-desktop phi-check [FILE|-] [--json]`: screen a text file with the de-identification guard.

With `--json` it prints `[{"start", "end", "kind", "text"}]`, offsets counted in characters of
the input as read (UTF-8, line endings untouched); otherwise one line per finding,
`line:column  KIND  "text" -> suggestion`. Nothing else goes to stdout. Exit status: 1 when it
found anything, 0 when the text is clean, 2 on an error (a file that cannot be read, text that
is not UTF-8). Errors and logs name the file and the problem, never the text.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import BinaryIO, TextIO

from echo_desktop.cases.deid import scan
from echo_desktop.cases.findings import Finding

logger = logging.getLogger(__name__)

CLEAN, FOUND, ERROR = 0, 1, 2


class _Unreadable(Exception):
    """The input cannot be screened; the message is for the user and holds no text."""


def phi_check_main(
    path: str = "-", as_json: bool = False, stdin: BinaryIO | None = None, stdout: TextIO | None = None
) -> int:
    """Screen `path` ('-' for standard input) and print the findings; returns the exit status."""
    out = stdout if stdout is not None else sys.stdout
    try:
        text = _read(path, stdin if stdin is not None else sys.stdin.buffer)
    except _Unreadable as exc:
        print(f"echo-desktop phi-check: {exc}", file=sys.stderr)
        return ERROR
    findings = scan(text)
    logger.debug("phi-check: %d findings in %d characters", len(findings), len(text))
    if as_json:
        payload = [{"start": f.start, "end": f.end, "kind": f.kind.value, "text": f.text} for f in findings]
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        for line in _human_lines(text, findings):
            out.write(line + "\n")
    out.flush()
    return FOUND if findings else CLEAN


def _read(path: str, stdin: BinaryIO) -> str:
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            raw = stdin.read()
        else:
            with open(path, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        raise _Unreadable(f"cannot read {name}: {exc.strerror or type(exc).__name__}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"{name} is not UTF-8 text (invalid byte at offset {exc.start})") from None


def _human_lines(text: str, findings: list[Finding]) -> list[str]:
    """'line:column  KIND  "text" -> suggestion', 1-based, for a person at a terminal."""
    lines = []
    for f in findings:
        line = text.count("\n", 0, f.start) + 1
        column = f.start - (text.rfind("\n", 0, f.start) + 1) + 1
        shown = f.text.replace("\n", " ")
        lines.append(f'{line}:{column}  {f.kind.value}  "{shown}" -> {f.suggestion}')
    return lines

"""Turn the guard's hand-marked development text into the phi-dev JSONL format.

tests/data/phi/source/NAME.txt holds one entry a line, identifiers marked `{KIND|text}` and line
breaks written `\\n`; this writes tests/data/phi/NAME.jsonl with `{"text", "phi": [...]}` and
character offsets, the format of ../shared/data/phi-dev.jsonl. Run it after editing a source.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from echo_desktop.cases.findings import PhiKind

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "phi"
MARK = re.compile(r"\{([A-Z]+)\|([^{}]+)\}")
KINDS = {kind.value for kind in PhiKind}


def entry(line: str) -> dict[str, object]:
    """One marked line as an entry: the plain text and its gold identifiers."""
    line = line.replace("\\n", "\n")
    text, phi, last = "", [], 0
    for match in MARK.finditer(line):
        kind, value = match.groups()
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} in {line!r}")
        text += line[last : match.start()]
        phi.append({"start": len(text), "end": len(text) + len(value), "kind": kind, "text": value})
        text += value
        last = match.end()
    text += line[last:]
    if "{" in text or "}" in text:
        raise ValueError(f"unbalanced mark in {line!r}")
    return {"text": text, "phi": phi}


def main() -> int:
    for source in sorted((DATA / "source").glob("*.txt")):
        lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
        out = DATA / f"{source.stem}.jsonl"
        out.write_text("".join(json.dumps(entry(line)) + "\n" for line in lines), encoding="utf-8")
        print(f"{out.name}: {len(lines)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())

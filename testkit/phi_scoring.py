"""Scoring the de-identification guard against gold identifiers, by the overlap rule.

The rule (../shared/data/README.md): a finding is correct when it overlaps a gold identifier;
an identifier is found when any finding overlaps it. Kinds are not compared: a phone number
reported as a fax is still caught, and recall is what keeps PHI from leaking.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_DEV_SET = ROOT.parent / "shared" / "data" / "phi-dev.jsonl"
"""The 15 shared development entries, read from the path relative to the repository."""
OWN_DEV_DIR = ROOT / "tests" / "data" / "phi"


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    kind: str
    text: str


@dataclass(frozen=True)
class Entry:
    text: str
    phi: tuple[Gold, ...]
    source: str = ""


class _Span:
    start: int
    end: int


@dataclass
class Score:
    """Counts by the overlap rule, with the misses and false alarms for reading."""

    gold: int = 0
    found: int = 0
    findings: int = 0
    correct: int = 0
    missed: list[tuple[str, Gold]] = field(default_factory=list)
    false_alarms: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.findings if self.findings else 1.0


def read_entries(path: Path) -> list[Entry]:
    """A phi-dev JSONL file's entries, checking that each gold span matches its text."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw: dict[str, Any] = json.loads(line)
        text = raw["text"]
        phi = tuple(Gold(p["start"], p["end"], p["kind"], p["text"]) for p in raw["phi"])
        for gold in phi:
            if text[gold.start : gold.end] != gold.text:
                raise ValueError(f"{path.name}:{number}: gold span does not match its text")
        entries.append(Entry(text, phi, f"{path.name}:{number}"))
    return entries


def own_entries() -> list[Entry]:
    """Every entry of the project's own development set (tests/data/phi/*.jsonl)."""
    return [e for path in sorted(OWN_DEV_DIR.glob("*.jsonl")) for e in read_entries(path)]


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score(entries: Iterable[Entry], scan: Callable[[str], Sequence[Any]]) -> Score:
    """Recall and precision of `scan` (anything returning objects with start, end, kind, text)."""
    result = Score()
    for entry in entries:
        findings = scan(entry.text)
        result.gold += len(entry.phi)
        result.findings += len(findings)
        for gold in entry.phi:
            if any(_overlaps(f.start, f.end, gold.start, gold.end) for f in findings):
                result.found += 1
            else:
                result.missed.append((entry.source, gold))
        for f in findings:
            if any(_overlaps(f.start, f.end, g.start, g.end) for g in entry.phi):
                result.correct += 1
            else:
                result.false_alarms.append((entry.source, str(f.kind), f.text))
    return result

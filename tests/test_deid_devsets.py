"""The guard's recall and precision on the development sets, by the overlap rule.

The shared set (../shared/data/phi-dev.jsonl, 15 entries) is a separate check from the project's
own (tests/data/phi/*.jsonl). Neither is the held-out text the guard is judged on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from echo_desktop.cases.deid import scan
from testkit.phi_scoring import OWN_DEV_DIR, SHARED_DEV_SET, Entry, Gold, own_entries, read_entries, score

MIN_RECALL = 0.98
MIN_PRECISION = 0.90
# The held-out-style files (holdout_*.jsonl) were written and scored before the guard was tuned
# on them; they stand for text nobody tuned on, so they keep a floor of their own: what the guard
# reached on them (docs/deid.md: 0.989 after round 3), to catch a regression.
HOLDOUT_MIN_RECALL = 0.985
# The fresh sets (fresh_*.jsonl, 5,300 entries) were each written blind by someone who never saw the
# guard, scored once before any tuning (docs/deid.md gives each first score), then tuned on. Their
# writers made them hard on purpose (tiny towns typed in lower case, names that are words, 150
# clean lines of eponyms and brands), so their floor is what the guard reaches on them now, to
# catch a regression; they are not the held-out judgement.
FRESH_MIN_RECALL = 0.97
FRESH_MIN_PRECISION = 0.98


def _dev_entries() -> list[Entry]:
    return [e for e in own_entries() if not e.source.startswith(("holdout_", "fresh_"))]


def _fresh_entries() -> list[Entry]:
    return [e for e in own_entries() if e.source.startswith("fresh_")]


def _holdout_entries() -> list[Entry]:
    return [e for path in sorted(OWN_DEV_DIR.glob("holdout_*.jsonl")) for e in read_entries(path)]


def _report(name: str, entries: list[Entry]) -> str:
    result = score(entries, scan)
    missed = "; ".join(f"{source} {gold.kind}" for source, gold in result.missed)
    # Only sources and kinds: this runs on made-up text, but the habit is what matters.
    return f"{name}: recall {result.recall:.3f}, precision {result.precision:.3f}; missed: {missed}"


def test_the_shared_development_set_is_there_and_whole() -> None:
    # Read, never skipped: a missing file fails here with FileNotFoundError.
    entries = read_entries(SHARED_DEV_SET)
    assert len(entries) == 15
    assert sum(len(e.phi) for e in entries) > 0
    assert any(not e.phi for e in entries)  # clean entries are part of the check


def test_recall_and_precision_on_the_shared_development_set() -> None:
    entries = read_entries(SHARED_DEV_SET)
    result = score(entries, scan)
    assert result.recall >= MIN_RECALL, _report("shared", entries)
    assert result.precision >= MIN_PRECISION, _report("shared", entries)


def test_recall_and_precision_on_our_development_set() -> None:
    entries = _dev_entries()
    assert len(entries) >= 150
    result = score(entries, scan)
    assert result.recall >= MIN_RECALL, _report("own", entries)
    assert result.precision >= MIN_PRECISION, _report("own", entries)


def test_recall_and_precision_on_the_held_out_style_set() -> None:
    entries = _holdout_entries()
    assert len(entries) >= 80
    result = score(entries, scan)
    assert result.recall >= HOLDOUT_MIN_RECALL, _report("holdout", entries)
    assert result.precision >= MIN_PRECISION, _report("holdout", entries)


def test_recall_and_precision_on_the_fresh_sets() -> None:
    entries = _fresh_entries()
    assert len(entries) >= 2500
    result = score(entries, scan)
    assert result.recall >= FRESH_MIN_RECALL, _report("fresh", entries)
    assert result.precision >= FRESH_MIN_PRECISION, _report("fresh", entries)


def test_clean_entries_give_no_finding() -> None:
    # The fresh sets' clean lines count in their precision above; these must give nothing at all.
    dev = [*_dev_entries(), *_holdout_entries(), *read_entries(SHARED_DEV_SET)]
    clean = [e for e in dev if not e.phi]
    assert len(clean) >= 50
    flagged = [e.source for e in clean if scan(e.text)]
    assert flagged == []


class _Found:
    def __init__(self, start: int, end: int) -> None:
        self.start, self.end, self.kind, self.text = start, end, "NAME", ""


def test_the_scorer_counts_by_overlap() -> None:
    entry = Entry("John met Ann on 3/4.", (Gold(0, 4, "NAME", "John"), Gold(9, 12, "NAME", "Ann")))
    result = score([entry], lambda _text: [_Found(2, 6), _Found(16, 19)])
    assert (result.found, result.gold, result.correct, result.findings) == (1, 2, 1, 2)
    assert result.recall == 0.5
    assert result.precision == 0.5


def test_a_gold_span_that_does_not_match_its_text_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    gold = {"start": 0, "end": 3, "kind": "NAME", "text": "John"}
    bad.write_text(json.dumps({"text": "John", "phi": [gold]}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1"):
        read_entries(bad)

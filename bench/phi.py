"""The de-identification guard: time per case, and recall and precision on the development sets.

Two case sizes, each built from the project's development text (tests/data/phi/) so the guard
meets identifiers and look-alikes at their usual density:
- one paragraph (about 600 characters, the length of an HPI);
- two pages (about 6,500 characters, roughly 1,000 words: a long case with every field full).
Each is scanned `--runs` times after a warm-up scan (the first scan loads the gazetteers; that
one-off cost is printed apart, measured in a fresh process, as is the import). The target is
under 50 ms for two pages.

Then recall and precision by the overlap rule (testkit.phi_scoring) on the shared set
(../shared/data/phi-dev.jsonl) and on ours, and with `--blocks` the same with each shipped
building block taken out, to show what each adds (docs/deid.md quotes these).

    .venv/bin/python -m bench.phi --runs 200 --blocks
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from echo_desktop.cases.deid import gazetteers as gazetteer_module
from echo_desktop.cases.deid import scan
from echo_desktop.cases.deid.gazetteers import Gazetteers, everyday
from echo_desktop.cases.deid.words import forget_texts
from testkit.phi_scoring import SHARED_DEV_SET, Entry, own_entries, read_entries, score

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH_CHARS = 600
TWO_PAGES_CHARS = 6500
TARGET_MS = 50.0


def case_text(chars: int) -> str:
    """Development entries, in a fixed interleaved order, joined until `chars` characters."""
    # The fresh sets are left out, so the text stays the one earlier runs timed.
    entries = [e for e in own_entries() if not e.source.startswith("fresh_")]
    # Interleave the files (EHR, lower case, names, clean, ...) so every size mixes the styles.
    ordered = [entries[(i * 37) % len(entries)] for i in range(len(entries))]
    parts: list[str] = []
    total = 0
    for entry in ordered * 4:
        if total >= chars:
            break
        parts.append(entry.text)
        total += len(entry.text) + 1
    return " ".join(parts)[: max(chars, len(parts[0]))]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def time_scans(text: str, runs: int) -> tuple[list[float], list[float], int]:
    """(wall ms per scan, CPU ms per scan, findings) over `runs` scans of `text`.

    CPU time is printed beside wall time: on a shared machine the gap is other processes.
    """
    scan(text)  # warm: gazetteers loaded, regexes compiled
    wall, cpu = [], []
    found: list[object] = []
    for _ in range(runs):
        # As when a case is first opened: each scan meets a text it has not seen (its words, their
        # lower-cased copy and which of them are everyday English are worked out afresh).
        forget_texts()
        everyday.cache_clear()
        start, start_cpu = time.perf_counter(), time.thread_time()
        found = list(scan(text))
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return wall, cpu, len(found)


def load() -> str:
    """The 1-minute load average and CPU count: other work on the machine stretches wall times."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def cold_costs() -> tuple[float, float]:
    """(import ms, first scan ms) in a fresh interpreter: what the app pays once."""
    code = (
        "import time; t=time.perf_counter(); import echo_desktop.cases.deid as d;"
        "t1=time.perf_counter(); d.scan('Seen by John Smith in Gallup.'); t2=time.perf_counter();"
        "print((t1-t)*1000, (t2-t1)*1000)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    imported, first = (float(v) for v in done.stdout.split())
    return imported, first


@contextmanager
def without_gazetteers() -> Iterator[None]:
    """The guard with empty name, place and town lists (what the census, GeoNames and postal data
    add); the English vocabulary stays, so the words around a name still read as English."""
    english = gazetteer_module.gazetteers().english
    empty = Gazetteers(frozenset(), frozenset(), frozenset(), {}, {}, {}, {}, english)
    saved = gazetteer_module._loaded
    gazetteer_module._loaded = empty
    try:
        yield
    finally:
        gazetteer_module._loaded = saved


@contextmanager
def without_cues() -> Iterator[None]:
    """The guard without the detectors that lean on the English vocabulary and the postal towns
    (names and towns known by the words around them, typed in any case)."""
    from echo_desktop.cases import deid

    saved = deid._DETECTORS
    deid._DETECTORS = tuple(d for d in saved if d.__name__ not in ("find_cued_names", "find_cued_places"))
    try:
        yield
    finally:
        deid._DETECTORS = saved


@contextmanager
def without_token_model() -> Iterator[None]:
    """The guard without its learned check (the rules alone)."""
    from echo_desktop.cases import deid

    saved = deid._LEARNT
    deid._LEARNT = None
    try:
        yield
    finally:
        deid._LEARNT = saved


@contextmanager
def without_phonenumbers() -> Iterator[None]:
    """The guard without libphonenumber's matcher (numbers with a country code)."""
    from echo_desktop.cases.deid import contacts

    saved = contacts._international
    contacts._international = lambda text: iter(())
    try:
        yield
    finally:
        contacts._international = saved


def quality_rows(sets: dict[str, list[Entry]], label: str) -> list[str]:
    """One row per development set: the guard as it stands (with any block taken out)."""
    rows = []
    for name, entries in sets.items():
        result = score(entries, scan)
        rows.append(
            f"{label:<26} {name:<8} {len(entries):>7} {result.gold:>5} {result.recall:>7.3f} "
            f"{result.precision:>9.3f}"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--blocks", action="store_true", help="also score without each building block")
    args = parser.parse_args()

    imported, first = cold_costs()
    print(f"import echo_desktop.cases.deid: {imported:.1f} ms; first scan (loads gazetteers): {first:.1f} ms")
    print()
    print(
        f"{'case':<14} {'chars':>6} {'findings':>8} {'median ms':>10} {'p95 ms':>8} "
        f"{'cpu median':>11} {'cpu p95':>8}"
    )
    two_pages_p95 = 0.0
    for label, chars in (("one paragraph", PARAGRAPH_CHARS), ("two pages", TWO_PAGES_CHARS)):
        text = case_text(chars)
        wall, cpu, found = time_scans(text, args.runs)
        median, p95 = statistics.median(wall), percentile(wall, 95)
        print(
            f"{label:<14} {len(text):>6} {found:>8} {median:>10.2f} {p95:>8.2f} "
            f"{statistics.median(cpu):>11.2f} {percentile(cpu, 95):>8.2f}"
        )
        if label == "two pages":
            two_pages_p95 = p95
    verdict = "meets" if two_pages_p95 < TARGET_MS else "MISSES"
    print(f"two pages p95 {two_pages_p95:.1f} ms {verdict} the {TARGET_MS:.0f} ms target (load {load()})")
    print()

    held = ("holdout_", "fresh_")
    ours = [e for e in own_entries() if not e.source.startswith(held)]
    holdout = [e for e in own_entries() if e.source.startswith("holdout_")]
    fresh = [e for e in own_entries() if e.source.startswith("fresh_")]
    sets = {"shared": read_entries(SHARED_DEV_SET), "ours": ours, "holdout": holdout, "fresh": fresh}
    print(f"{'guard':<26} {'set':<8} {'entries':>7} {'gold':>5} {'recall':>7} {'precision':>9}")
    for row in quality_rows(sets, "full"):
        print(row)
    if args.blocks:
        with without_phonenumbers():
            for row in quality_rows(sets, "without phonenumbers"):
                print(row)
        with without_gazetteers():
            for row in quality_rows(sets, "without gazetteers"):
                print(row)
        with without_cues():
            for row in quality_rows(sets, "without vocabulary cues"):
                print(row)
        with without_token_model():
            for row in quality_rows(sets, "without token model"):
                print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())

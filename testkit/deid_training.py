"""Training the guard's token model (echo_desktop/cases/deid/data/token_model.json.gz).

An averaged perceptron, three labels (O, NAME, LOCATION), on every word of the development text:
tests/data/phi/*.jsonl and ../shared/data/phi-dev.jsonl. A word's gold label is the kind of the
identifier it overlaps (NAME or LOCATION; any other kind is O here: the rules find those).
Deterministic: the same text gives the same file, in a few seconds. The command is
scripts/train_deid_model.py; tests/test_deid_token_model.py checks the shipped file is what this
makes from the development text.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

from echo_desktop.cases.deid.gazetteers import gazetteers
from echo_desktop.cases.deid.token_model import LABELS, MODEL_FILE, TextFeatures, candidate_at
from echo_desktop.cases.deid.words import words
from testkit.phi_scoring import SHARED_DEV_SET, Entry, own_entries, read_entries

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "echo_desktop" / "cases" / "deid" / "data" / MODEL_FILE
Example = tuple[list[str], int]


def examples(entries: list[Entry]) -> list[Example]:
    """(features, label index) for every word that could be a name or a place."""
    gaz = gazetteers()
    found: list[Example] = []
    for entry in entries:
        tokens = words(entry.text)
        text_features = TextFeatures(entry.text, tokens, gaz)
        for i, word in enumerate(tokens):
            if not candidate_at(tokens, i, gaz):
                continue
            label = 0
            for gold in entry.phi:
                if gold.kind in ("NAME", "LOCATION") and word.start < gold.end and gold.start < word.end:
                    label = LABELS.index(gold.kind)
            found.append((text_features.of(i), label))
    return found


def train(data: list[Example], epochs: int) -> dict[str, list[float]]:
    """Averaged perceptron weights, feature -> one weight per label."""
    weights: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    stamps: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    step = 0

    def update(feat: str, label: int, change: float) -> None:
        totals[feat][label] += (step - stamps[feat][label]) * weights[feat][label]
        stamps[feat][label] = step
        weights[feat][label] += change

    order = list(range(len(data)))
    for epoch in range(epochs):
        random.Random(epoch).shuffle(order)
        for index in order:
            feats, gold = data[index]
            step += 1
            scores = [0.0, 0.0, 0.0]
            for feat in feats:
                weight = weights.get(feat)
                if weight is not None:
                    for label in range(3):
                        scores[label] += weight[label]
            guess = max(range(3), key=lambda label: (scores[label], -label))
            if guess != gold:
                for feat in feats:
                    update(feat, gold, 1.0)
                    update(feat, guess, -1.0)
    averaged: dict[str, list[float]] = {}
    for feat, weight in weights.items():
        mean = [
            (totals[feat][label] + (step - stamps[feat][label]) * weight[label]) / step for label in range(3)
        ]
        if any(abs(value) >= 0.01 for value in mean):
            averaged[feat] = [round(value, 3) for value in mean]
    return averaged


def development_entries(exclude: tuple[str, ...] = ()) -> list[Entry]:
    """Every development entry (ours and the shared set), less the files named in `exclude`."""
    # An entry's source is 'FILE.jsonl:LINE'; `exclude` names files without '.jsonl'.
    entries = [e for e in own_entries() if e.source.partition(":")[0].removesuffix(".jsonl") not in exclude]
    if "shared" not in exclude:
        entries += read_entries(SHARED_DEV_SET)
    return entries


def model_bytes(entries: list[Entry], epochs: int = 8) -> tuple[bytes, int, int]:
    """(the model file's bytes, words scored, features kept) trained on `entries`."""
    data = examples(entries)
    weights = train(data, epochs)
    payload = json.dumps(
        {"labels": list(LABELS), "weights": dict(sorted(weights.items()))}, separators=(",", ":")
    )
    return gzip.compress(payload.encode("utf-8"), mtime=0), len(data), len(weights)

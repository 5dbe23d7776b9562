"""Train the guard's token model (echo_desktop/cases/deid/data/token_model.json.gz).

An averaged perceptron, three labels (O, NAME, LOCATION), on the development text
(tests/data/phi/*.jsonl and ../shared/data/phi-dev.jsonl): see testkit/deid_training.py.
Deterministic, a few seconds. Run it after changing the development text or the model's features.

    .venv/bin/python scripts/train_deid_model.py [--epochs 8] [--exclude SOURCE ...] [--out FILE]

`--exclude` leaves development files out (by name, without .jsonl), to measure the model on text it
did not learn from (docs/deid.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from testkit.deid_training import SHIPPED, development_entries, model_bytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--exclude", nargs="*", default=[], help="development files to leave out")
    parser.add_argument("--out", type=Path, default=SHIPPED)
    args = parser.parse_args()
    entries = development_entries(tuple(args.exclude))
    raw, scored, kept = model_bytes(entries, args.epochs)
    args.out.write_bytes(raw)
    print(f"{args.out}: {len(entries)} entries, {scored} words scored, {kept} features")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Every check CI runs: lint, architecture contracts, types, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"  # tests/conftest.py: no deadlines

echo "== ruff"; .venv/bin/ruff check echo_desktop testkit tests bench scripts build_installer.py
echo "== import-linter"; .venv/bin/lint-imports
echo "== mypy"; .venv/bin/mypy
echo "== pytest"
# pytest exits 5 when it collects nothing: that is a failure here too, as is any other non-zero.
set +e
.venv/bin/python -m pytest -p no:cacheprovider -ra "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$status"

"""`echo-desktop phi-check` as a user runs it: a subprocess, its stdout, stderr and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from echo_desktop.cases.deid import scan

ROOT = Path(__file__).resolve().parents[1]
PHI_TEXT = "Mr. John Whitaker was seen on 03/14/2025.\r\nCall (505) 555-0142 — café.\n"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "echo_desktop.cli", "phi-check", *args],
        input=stdin, capture_output=True, cwd=ROOT, timeout=120,
    )  # fmt: skip


def test_json_lists_each_finding_with_character_offsets_into_the_input(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_bytes(PHI_TEXT.encode("utf-8"))
    done = run(str(path), "--json")
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)  # nothing but the JSON on stdout
    assert [sorted(f) for f in findings] == [["end", "kind", "start", "text"]] * len(findings)
    assert [f["kind"] for f in findings] == ["NAME", "DATE", "PHONE"]
    for f in findings:
        assert PHI_TEXT[f["start"] : f["end"]] == f["text"]  # \r\n kept, é one character
    assert findings == [
        {"start": f.start, "end": f.end, "kind": f.kind.value, "text": f.text} for f in scan(PHI_TEXT)
    ]


def test_standard_input_and_human_output() -> None:
    done = run("-", stdin=PHI_TEXT.encode("utf-8"))
    assert done.returncode == 1
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0] == '1:1  NAME  "Mr. John Whitaker" -> The patient'
    assert lines[1] == '1:31  DATE  "03/14/2025" -> 2025'
    assert lines[2].startswith('2:6  PHONE  "(505) 555-0142"')
    assert len(lines) == 3


def test_clean_text_exits_0_and_prints_an_empty_list() -> None:
    done = run("--json", stdin=b"BP 118/76, Parkinson's disease, diagnosed 2019.\n")
    assert (done.returncode, json.loads(done.stdout)) == (0, [])
    assert run(stdin=b"").returncode == 0


def test_errors_exit_2_with_a_message_and_never_the_text(tmp_path: Path) -> None:
    missing = run(str(tmp_path / "absent.txt"))
    assert missing.returncode == 2
    assert missing.stdout == b""
    assert b"absent.txt" in missing.stderr

    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("John Whitaker, né à Gallup".encode("latin-1"))
    not_utf8 = run(str(latin1), "--json")
    assert not_utf8.returncode == 2
    assert not_utf8.stdout == b""
    assert b"not UTF-8" in not_utf8.stderr
    assert b"Whitaker" not in not_utf8.stderr

    directory = run(str(tmp_path))
    assert directory.returncode == 2
    assert directory.stdout == b""


def test_logging_never_carries_the_text(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_bytes(PHI_TEXT.encode("utf-8"))
    done = subprocess.run(
        [sys.executable, "-m", "echo_desktop.cli", "-v", "phi-check", str(path)],
        capture_output=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    for secret in (b"Whitaker", b"555-0142", b"03/14/2025"):
        assert secret not in done.stderr

"""The installed package stands alone: echo_desktop never imports testkit, tests or bench.

Those three live beside the package and are not in the wheel, so such an import would work in a
checkout and break on a clinician's machine. import-linter only analyses `echo_desktop` itself,
so this reads every module's imports from its syntax tree instead.
"""

from __future__ import annotations

from pathlib import Path

from tests.import_scan import offending_imports

ROOT = Path(__file__).resolve().parents[1]
NOT_INSTALLED = ("testkit", "tests", "bench")


def offenders(package_dir: Path) -> dict[str, list[str]]:
    """Each module under `package_dir` that imports a not-installed package, with what it imports."""
    found: dict[str, list[str]] = {}
    for path in sorted(package_dir.rglob("*.py")):
        bad = offending_imports(path, NOT_INSTALLED)
        if bad:
            found[str(path.relative_to(package_dir))] = sorted(bad)
    return found


def test_echo_desktop_never_imports_testkit_tests_or_bench() -> None:
    package_dir = ROOT / "echo_desktop"
    assert len(list(package_dir.rglob("*.py"))) > 20  # the real package, not an empty folder
    assert offenders(package_dir) == {}


def test_the_check_finds_each_kind_of_forbidden_import(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "clean.py").write_text("import os\nfrom echo_desktop.session import models\n")
    (tmp_path / "a.py").write_text("import testkit.netns\n")
    (tmp_path / "sub" / "b.py").write_text("def f() -> None:\n    from tests.peers import Peer\n")
    (tmp_path / "c.py").write_text("from bench import common\nimport benchmark\n")
    assert offenders(tmp_path) == {
        "a.py": ["testkit.netns"],
        "c.py": ["bench", "bench.common"],
        "sub/b.py": ["tests.peers", "tests.peers.Peer"],
    }

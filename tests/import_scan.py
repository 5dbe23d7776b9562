"""Which modules a Python source file imports, read from its syntax tree (nothing is executed)."""

from __future__ import annotations

import ast
from pathlib import Path


def imported_modules(path: Path) -> set[str]:
    """Absolute module names that `path` imports: `import a.b` gives a.b; `from a import b` gives a, a.b.

    Relative imports (`from . import x`) stay inside their own package and are left out, as are
    imports built from strings at run time.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offending_imports(path: Path, forbidden: tuple[str, ...]) -> set[str]:
    """The modules `path` imports that are one of `forbidden` or inside one of them."""
    return {
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f"{f}.") for f in forbidden)
    }

"""The layout docs/architecture.md describes: arrows point down, modules sized by their job and documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("indexer", "search_app", "evaluation", "bench")
MODULES = sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                 if "__pycache__" not in path.parts)
#: A module past this many lines is usually two modules: reported after the run (tests/conftest.py), not failed.
SOFT_MAX_LINES = 400
#: Past this, a module fails the gate.
MAX_LINES = 600
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute names), lazy imports inside functions included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", [p for p in MODULES if p.is_relative_to(ROOT / "indexer")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_index_time_code_imports_nothing_from_query_time_or_the_web(path: Path) -> None:
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top not in ("search_app", "evaluation", "flask", "gunicorn", "werkzeug"), (path, name)


def modules_over(lines: int) -> dict[str, int]:
    """Each module longer than ``lines``, with its length."""
    return {str(p.relative_to(ROOT)): n for p in MODULES if (n := len(p.read_text().splitlines())) > lines}


def test_every_module_is_under_600_lines() -> None:
    long = modules_over(MAX_LINES)
    assert not long, long


def test_docs_architecture_names_every_module() -> None:
    """A newcomer finds every module in docs/architecture.md's picture of the house."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    words = set(re.findall(r"[\w.]+", text))
    missing = [str(p.relative_to(ROOT)) for p in MODULES if p.stem != "__init__"
               and p.stem not in words and p.name not in words]
    assert not missing, missing


def test_every_public_function_and_class_has_a_docstring() -> None:
    missing = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            bodies = [node] + ([n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
                               if isinstance(node, ast.ClassDef) else [])
            for item in bodies:
                if (isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                        and not item.name.startswith("_") and ast.get_docstring(item) is None):
                    missing.append(f"{path.relative_to(ROOT)}:{item.lineno} {item.name}")
    assert not missing, "\n".join(missing)


def test_no_import_cycles_between_modules() -> None:
    module_of = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p for p in MODULES}
    graph = {name: {m for m in imported_modules(path) if m in module_of and m != name}
             for name, path in module_of.items()}
    done: set[str] = set()

    def visit(name: str, stack: list[str]) -> None:
        if name in stack:
            raise AssertionError("import cycle: " + " → ".join([*stack[stack.index(name):], name]))
        if name in done:
            return
        for other in graph[name]:
            visit(other, [*stack, name])
        done.add(name)

    for name in graph:
        visit(name, [])

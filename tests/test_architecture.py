"""Dependencies point one way: api -> (ingest, search) -> catalogue."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

ALLOWED = {
    "catalogue": {"catalogue"},
    "ingest": {"ingest", "catalogue"},
    "search": {"search", "catalogue"},
    "api": {"api", "ingest", "search", "catalogue"},
}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package):
    for path in (ROOT / package).rglob("*.py"):
        for name in _imports(path):
            if name in ALLOWED:
                assert name in ALLOWED[package], f"{path.relative_to(ROOT)} imports {name}"

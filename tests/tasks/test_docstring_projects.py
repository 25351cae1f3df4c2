"""`codeintel doc` on the fixture projects (tests/fixtures/projects/), from the root as a
user types it: private helpers and overrides skipped, another function's docstring
offered only for a near-clone, and --write inserting only confident docstrings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codeintel.cli import main

PROJECTS = Path(__file__).resolve().parents[1] / "fixtures" / "projects"
PACKAGE = {"flat": "inventory", "srclayout": "src/inventory"}

REPORT = '''"""Undocumented helpers of the stock report."""


def is_low(amount, limit=10):
    return amount <= limit


def by_name(levels):
    return sorted(levels.items())


def _padded(text):
    return text.ljust(12)


class Row:
    def __repr__(self):
        return "Row()"

    def width(self):
        return 12


class WideRow(Row):
    def width(self):
        return 24
'''


@pytest.mark.parametrize("layout", sorted(PACKAGE))
def test_doc_writes_only_near_clone_docstrings(tmp_path, monkeypatch, capsys, layout):
    root = tmp_path / layout
    shutil.copytree(PROJECTS / layout, root)
    module = root / PACKAGE[layout] / "report.py"
    module.write_text(REPORT)
    monkeypatch.chdir(root)
    assert main(["index", "."]) == 0
    capsys.readouterr()
    relative = f"{PACKAGE[layout]}/report.py"
    assert main(["doc", relative, "--json", "--n", "2"]) == 0
    out = capsys.readouterr()
    functions = {f["function"]: f for f in json.loads(out.out)["functions"]}
    assert sorted(functions) == ["Row.width", "by_name", "is_low"]
    assert "skipped private functions and overrides (--all): _padded, Row.__repr__" in out.err
    assert "WideRow.width" in out.err
    # is_low is needs_reorder with its names changed: that docstring, and confident
    best = functions["is_low"]["candidates"][0]
    assert functions["is_low"]["confident"]
    assert best["docstring"] == "Whether a stock level is at or below the reorder threshold."
    assert best["where"] == f"{PACKAGE[layout]}/stock.py:14"
    # nothing else of the project is offered for the others
    others = [c for name in ("by_name", "Row.width") for c in functions[name]["candidates"]]
    assert all(c["origin"] == "model" for c in others)
    before = module.read_text()
    assert main(["doc", relative, "--write"]) == 0
    written = module.read_text()
    assert (root / f"{relative}.orig").read_text() == before
    added = '    """Whether a stock level is at or below the reorder threshold."""\n'
    assert written.count('"""') - before.count('"""') == 2 * sum(
        f["confident"] for f in functions.values()
    )
    assert f"def is_low(amount, limit=10):\n{added}" in written
    err = capsys.readouterr().err
    assert "functions have a confident docstring" in err and "wrote" in err


def test_a_stale_project_index_is_left_out_with_a_warning(tmp_path, monkeypatch, capsys):
    root = tmp_path / "flat"
    shutil.copytree(PROJECTS / "flat", root)
    (root / "inventory" / "report.py").write_text(REPORT)
    index = root / ".codeintel" / "index"
    index.mkdir(parents=True)
    (index / "manifest.json").write_text('{"format": 2}')  # an older codeintel's
    monkeypatch.chdir(root)
    assert main(["doc", "inventory/report.py", "--function", "is_low", "--json"]) == 1
    out = capsys.readouterr()
    assert "warning:" in out.err and "is left out" in out.err
    assert json.loads(out.out)["functions"][0]["function"] == "is_low"

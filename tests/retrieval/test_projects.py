"""`codeintel index` and `codeintel search` on the fixture projects
(tests/fixtures/projects/), from the root as a user types them: a query in words finds
the function, a name finds the class first, methods show their class."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codeintel.cli import main

PROJECTS = Path(__file__).resolve().parents[1] / "fixtures" / "projects"
PACKAGE = {"flat": "inventory", "srclayout": "src/inventory"}


def _search(capsys, *argv: str) -> list[str]:
    assert main(["search", *argv]) == 0
    out = capsys.readouterr().out
    assert out.endswith("\n")
    return out.splitlines()


@pytest.mark.parametrize("layout", sorted(PACKAGE))
def test_search_from_the_root(tmp_path, monkeypatch, capsys, layout):
    root = tmp_path / layout
    shutil.copytree(PROJECTS / layout, root)
    monkeypatch.chdir(root)
    assert main(["index", "."]) == 0
    capsys.readouterr()
    stock = f"{PACKAGE[layout]}/stock.py"
    first, *_ = _search(capsys, "which items sold the most", "--k", "3")
    assert first.startswith(f"{stock}:19 ") and "top_sellers" in first
    named = _search(capsys, "Stock", "--k", "2")
    assert named[0].startswith(f"{stock}:31 ") and "class Stock" in named[0]
    method = _search(capsys, "remove an amount of an item", "--k", "1")
    assert "Stock.take" in method[0]
    scores = [float(line.split()[1]) for line in _search(capsys, "reorder", "--k", "5")]
    assert scores == sorted(scores, reverse=True)  # printed in the order they rank

"""`codeintel index` and `codeintel search` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from codeintel.cli import main

SHOP = Path(__file__).resolve().parents[1] / "fixtures" / "retrieval" / "shop"


def test_index_then_search(tmp_path: Path, capsys) -> None:
    out = tmp_path / "index"
    assert main(["index", str(SHOP), "--out", str(out)]) == 0
    assert "12 functions and classes in 3 files" in capsys.readouterr().out  # 11 and a class
    assert main(["search", "hash a password with a salt", "--index", str(out), "--k", "2"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("users.py:18 ") and "def hash_password(password, salt):" in first
    assert main(["search", "slug", "--index", str(out), "--json", "--k", "1"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["qualified_name"] == "slugify"


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["search", "anything", "--index", str(tmp_path / "none")]) == 2
    assert main(["search", "  ", "--index", str(tmp_path / "none")]) == 2
    assert main(["index", str(tmp_path / "missing"), "--out", str(tmp_path / "i")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(e.startswith("codeintel: error: ") for e in errors)


def test_search_finds_what_a_user_types(tmp_path: Path, capsys) -> None:
    """Classes are indexed; a query holding a name puts it first; results show qualified
    names and scores that never rise down the list; every line ends."""
    out = tmp_path / "index"
    assert main(["index", str(SHOP), "--out", str(out)]) == 0
    capsys.readouterr()
    for query, first in [
        ("hash_password", "hash_password"),
        ("slug", "slugify"),
        ("make a url slug from a title", "slugify"),
    ]:
        assert main(["search", query, "--index", str(out), "--k", "5"]) == 0
        printed = capsys.readouterr().out
        assert printed.endswith("\n")
        lines = printed.splitlines()
        assert f"  {first}  " in lines[0], (query, lines)
        scores = [float(line.split()[1]) for line in lines]
        assert scores == sorted(scores, reverse=True) and scores[0] == 1.0
    classes = [line for line in _search(capsys, out, "cart") if "  class " in line]
    assert classes, "the class is indexed and found"


def _search(capsys, index: Path, query: str) -> list[str]:
    assert main(["search", query, "--index", str(index), "--k", "10"]) == 0
    return capsys.readouterr().out.splitlines()

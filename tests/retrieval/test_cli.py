"""`codeintel index` and `codeintel search` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from codeintel.cli import main

SHOP = Path(__file__).resolve().parents[1] / "fixtures" / "retrieval" / "shop"


def test_index_then_search(tmp_path: Path, capsys) -> None:
    out = tmp_path / "index"
    assert main(["index", str(SHOP), "--out", str(out)]) == 0
    assert "11 functions in 3 files" in capsys.readouterr().out
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

"""Documents: edits from old to new text, LSP positions, the test file by convention."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from codeintel.errors import InputError
from codeintel.lsp.documents import (
    Document,
    end_of,
    find_test_file,
    function_at,
    new_test_file,
    parsed_python,
    path_of,
    text_edits,
)
from parsers import parse
from tests.lsp.conftest import apply

PATTERNS = ("tests/test_{module}.py", "test_{module}.py")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb\nc\n", "a\nc\n"),
        ("a\nb", "a\nb\nc"),  # no newline at the end
        ("", "x = 1\n"),
        ("x = 1\n", ""),
        ("é = 1\nb\n", "é = 1\nb\n# 😀\n"),
    ],
)
def test_text_edits_turn_old_into_new(old: str, new: str) -> None:
    edits = text_edits(old, new)
    assert apply(old, edits) == new
    assert (edits == []) == (old == new)


def test_end_of_counts_utf16_code_units() -> None:
    assert end_of("a\n😀x") == types.Position(line=1, character=3)  # 😀 is two units
    assert end_of("a\n") == types.Position(line=1, character=0)
    assert end_of("") == types.Position(line=0, character=0)


def test_function_at_is_the_innermost() -> None:
    parsed = parse("class A:\n    def f(self):\n        return 1\n\ndef g():\n    pass\n")
    assert function_at(parsed, 3).qualified_name == "A.f"
    assert function_at(parsed, 6).qualified_name == "g"
    assert function_at(parsed, 4) is None


def test_test_file_for_looks_beside_then_up(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    module = package / "calc.py"
    module.write_text("x = 1\n")
    assert find_test_file(module, tmp_path, PATTERNS) is None
    assert new_test_file(module, tmp_path, PATTERNS) == package / "test_calc.py"
    (tmp_path / "tests").mkdir()
    assert new_test_file(module, tmp_path, PATTERNS) == tmp_path / "tests" / "test_calc.py"
    (tmp_path / "test_calc.py").write_text("")
    assert find_test_file(module, tmp_path, PATTERNS) == tmp_path / "test_calc.py"
    (tmp_path / "tests" / "test_calc.py").write_text("")
    assert find_test_file(module, tmp_path, PATTERNS) == tmp_path / "tests" / "test_calc.py"
    (package / "tests").mkdir()
    (package / "tests" / "test_calc.py").write_text("")
    assert find_test_file(module, tmp_path, PATTERNS) == package / "tests" / "test_calc.py"


def test_a_test_module_is_not_its_own_test_file(tmp_path: Path) -> None:
    module = tmp_path / "test_calc.py"
    module.write_text("")
    assert find_test_file(module, tmp_path, ("{module}.py",)) is None


def test_bad_documents_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="only file://"):
        path_of("untitled:Untitled-1")
    broken = Document("file:///x.py", tmp_path / "x.py", "def f(:\n", 1)
    with pytest.raises(InputError, match=r"x\.py"):
        parsed_python(broken)

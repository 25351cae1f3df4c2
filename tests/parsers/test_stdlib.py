"""Properties over real files: the installed standard library."""

from __future__ import annotations

import ast
import sysconfig
import warnings
from pathlib import Path

import pytest

from parsers import ParsedFile, Scope, SourceDecodeError, parse
from tests.parsers.helpers import check_python_file, span_text

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def stdlib_files() -> list[Path]:
    return sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)


def sample_files(count: int) -> list[Path]:
    files = stdlib_files()
    step = max(1, len(files) // count)
    return files[::step][:count]


def function_source(parsed: ParsedFile, scope: Scope) -> str:
    """The scope's text at its original indentation, under `if 1:` when indented."""
    line_start = parsed.source.rfind(b"\n", 0, scope.span.start_byte) + 1
    indent = parsed.source[line_start : scope.span.start_byte].decode("utf-8")
    text = indent + span_text(parsed, scope.span)
    return f"if 1:\n{text}" if indent else text


def is_valid_python(source: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in test data
            ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def check_real_file(path: Path) -> None:
    source = path.read_bytes()
    try:
        parsed = parse(source)
    except SourceDecodeError:
        with pytest.raises(UnicodeDecodeError):
            source.decode("utf-8")
        return
    if parsed.has_errors or not is_valid_python(source):
        return  # broken or Python 2 test data, and the rare file tree-sitter misreads
    check_python_file(parsed)
    for scope in parsed.functions():
        text = function_source(parsed, scope)
        ast.parse(text)  # the span is a complete definition
        again = parse(text)
        assert not again.has_errors
        assert [s.name for s in again.module.children] == [scope.name]
        reparsed = again.module.children[0]
        assert [s.name for s in reparsed.walk()] == [s.name for s in scope.walk()]
        assert reparsed.docstring == scope.docstring
        assert reparsed.decorators == scope.decorators


def test_a_sample_of_the_standard_library():
    files = sample_files(25)
    assert len(files) == 25
    for path in files:
        check_real_file(path)


@pytest.mark.slow
def test_the_whole_standard_library():
    files = stdlib_files()
    assert len(files) > 500
    for path in files:
        check_real_file(path)


def test_ten_megabyte_file(fixture_bytes):
    unit = fixture_bytes("sample.py")
    copies = 10_000_000 // len(unit) + 1
    big = unit * copies
    parsed = parse(big)
    assert len(big) > 10_000_000
    assert not parsed.has_errors
    per_copy = len(list(parse(unit).scopes()))
    scopes = list(parsed.scopes())
    assert len(scopes) == per_copy * copies
    last = scopes[-1]
    assert last.name == "multi_line"
    assert last.span.start_byte == len(big) - len(unit) + unit.index(b"def multi_line")
    assert span_text(parsed, last.span).startswith("def multi_line(")
    assert last.span.end_line == big.count(b"\n")

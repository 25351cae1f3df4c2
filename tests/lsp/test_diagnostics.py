"""Failing tests as diagnostics: on the module's lines of the trace, or on the `def`
of what the test called when the trace never enters the module."""

from __future__ import annotations

from pathlib import Path

from codeintel.lsp.diagnostics import diagnostics_in_tests, module_diagnostics
from codeintel.lsp.documents import Document
from codeintel.sandbox import run_tests

MODULE = """\
def parse(text):
    return int(text)


def double(x):
    return x + x + 1
"""
TESTS = """\
from m import double, parse


def test_parse():
    assert parse("x") == 0


class TestDouble:
    def test_double(self):
        assert double(2) == 4


def test_fine():
    assert parse("1") == 1
"""


def test_failures_land_on_the_trace_or_the_called_def(tmp_path: Path) -> None:
    run = run_tests({"m.py": MODULE, "test_m.py": TESTS}, ["test_m.py"])
    assert set(run.failed) == {"test_m.py::test_parse", "test_m.py::TestDouble::test_double"}
    document = Document("file:///m.py", tmp_path / "m.py", MODULE, 1)
    found = {(d.data["test"], d.range.start.line) for d in module_diagnostics(document, TESTS, run)}
    assert found == {
        ("test_m.py::test_parse", 1),  # int(text) raised: the trace's line in the module
        ("test_m.py::TestDouble::test_double", 4),  # an assertion: double's def line
    }
    on_tests = {d.range.start.line for d in diagnostics_in_tests(TESTS, run)}
    assert on_tests == {3, 8}
    (parse_failure,) = [
        d for d in module_diagnostics(document, TESTS, run) if d.range.start.line == 1
    ]
    assert "ValueError" in parse_failure.message
    assert parse_failure.range.start.character == 4  # the indentation is left out

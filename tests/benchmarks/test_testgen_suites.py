"""The test-generation and assert benchmarks' pure parts (the runs are in BENCHMARKS.md)."""

import pytest

from benchmarks import asserts, testgen
from codeintel.errors import InputError


def test_focal_functions_count_as_run_when_a_body_line_is_covered():
    source = "def f(x):\n    return x\n\n\ndef g():\n    return 1\n"
    assert testgen.focal_covered(source, [1, 2, 5]) == (2, 1)  # g's def line alone is not its body


def test_module_source_refuses_what_is_not_a_single_file_module():
    assert "def fnmatch(" in testgen.module_source("fnmatch")
    with pytest.raises(InputError):
        testgen.module_source("json")  # a package
    with pytest.raises(InputError):
        testgen.module_source("codeintel_no_such_module")


def test_report_gives_medians_per_tool():
    def record(tool, covered):
        return {
            "tool": tool,
            "lines_covered": covered,
            "lines_total": 10,
            "branches_covered": 0,
            "branches_total": 0,
            "focal_covered": 1,
            "focal_functions": 2,
            "killed": 1,
            "mutants": 2,
        }

    out = testgen.report([record("a", 2), record("a", 6), record("a", 9), record("b", 0)])
    assert out["a"]["median_line_coverage"] == 0.6 and out["b"]["median_line_coverage"] == 0.0


def test_assert_matching_ignores_formatting_only():
    assert asserts.normalised("assert  x==1 # c") == asserts.normalised("assert x == 1")
    assert asserts.normalised("assert x == 1") != asserts.normalised("assert x == 2")
    prefix, focal = asserts.split_input("assert: def test_a():\n    x = 1\n<focal>\ndef f(): pass")
    assert prefix == "def test_a():\n    x = 1" and focal == "def f(): pass"

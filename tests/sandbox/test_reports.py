"""Per-test reports (pytest functions and unittest.TestCase), coverage, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeintel.sandbox import Outcome, SandboxConfig, TestOutcome, run, run_tests

pytestmark = pytest.mark.usefixtures("guarded")  # the caller's files stay untouched

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sandbox"


def fixture_files(*names: str) -> dict[str, str]:
    return {name: (FIXTURES / name).read_text() for name in names}


def test_unittest_cases_reported_per_test(config: SandboxConfig) -> None:
    result = run_tests(fixture_files("shapes.py", "test_unit.py"), ["test_unit.py"], config)
    outcomes = {t.node_id.rsplit("::", 1)[1]: t.outcome for t in result.tests}
    assert outcomes == {
        "test_zero": TestOutcome.PASSED,
        "test_wrong": TestOutcome.FAILED,
        "test_skipped": TestOutcome.SKIPPED,
    }
    assert result.outcome is Outcome.FAILED
    wrong = next(t for t in result.tests if t.node_id.endswith("test_wrong"))
    assert wrong.failure is not None and wrong.failure.exc_type == "AssertionError"


def test_coverage_lines_are_exact(config: SandboxConfig) -> None:
    files = fixture_files("shapes.py", "test_shapes.py")
    result = run_tests(files, ["test_shapes.py"], config, coverage_of="shapes")
    assert result.outcome is Outcome.PASSED
    assert result.coverage is not None
    assert result.coverage.lines_covered == (1, 2, 3, 4, 6, 9)
    assert result.coverage.lines_missed == (5, 10)


BAD_SOURCES = {
    "empty": (b"", Outcome.PASSED),
    "syntax_error": (b"def broken(:\n", Outcome.FAILED),
    "nul_bytes": (b"x = 1\x00\n", Outcome.FAILED),
    "not_utf8": (b"x = '\xff\xfe'\n", Outcome.FAILED),
    "ten_mb_line": (b"x = '" + b"a" * (10 * 1024 * 1024) + b"'\n", Outcome.PASSED),
}


@pytest.mark.parametrize("case", sorted(BAD_SOURCES))
def test_bad_program(config: SandboxConfig, guarded: Path, case: str) -> None:
    source, expected = BAD_SOURCES[case]
    done = run(["python", "prog.py"], {"prog.py": source}, config)
    assert done.outcome is expected, done.stderr[-500:]


@pytest.mark.parametrize("case", ["syntax_error", "nul_bytes", "not_utf8"])
def test_bad_module_under_test_is_error(config: SandboxConfig, guarded: Path, case: str) -> None:
    test = "import mod\n\ndef test_x():\n    pass\n"
    test = "import mod\n\ndef test_x():\n    pass\n"
    files = {"mod.py": BAD_SOURCES[case][0], "test_mod.py": test}
    result = run_tests(files, ["test_mod.py"], config)
    assert result.outcome is Outcome.ERROR
    assert not result.passed

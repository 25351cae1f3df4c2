"""Fault localization from execution (tasks/repair/localize.py): the baseline runs with
per-test coverage of the module, each line scored by Ochiai, the trace's lines first."""

from __future__ import annotations

from codeintel import tasks
from codeintel.sandbox import Validator
from codeintel.tasks.repair.baseline import open_sandbox, run_baseline
from codeintel.tasks.repair.localize import ochiai, suspicious_lines
from tests.conftest_paths import FIXTURES

TASKS = FIXTURES / "tasks"


def _baseline(module: str, tests: str):
    request = tasks.make_request(
        "repair", file=TASKS / module, tests=TASKS / tests, candidates="edits", budget=30
    )
    sandbox: Validator
    with open_sandbox(request) as sandbox:
        return request, run_baseline(request, sandbox)


def test_lines_only_the_failing_test_runs_are_the_most_suspicious():
    request, baseline = _baseline("stats.py", "test_stats.py")
    assert baseline.failed == ("test_stats.py::test_largest",)
    scores = ochiai(baseline)
    assert scores[12] == scores[13] == 1.0  # largest's body: run by the failing test alone
    assert round(scores[5], 4) == 0.7071  # __init__: by it and by test_mean (1 / sqrt(2))
    assert 8 not in scores  # mean: no failing test runs it
    top = suspicious_lines(baseline, request.module_file)
    assert [line for line, _ in top[:2]] == [12, 13]  # no module frame in the trace


def test_the_trace_comes_first_and_a_result_reports_the_lines():
    request, baseline = _baseline("total.py", "test_total.py")  # loops: the trace names it
    top = suspicious_lines(baseline, request.module_file)
    assert top[0][1] == 1.0 and top[0][0] in (4, 5)
    request = tasks.make_request(
        "repair", file=TASKS / "stats.py", tests=TASKS / "test_stats.py", candidates="edits"
    )
    result = tasks.run("repair", request, None)
    assert [line for line, _ in result.to_json()["suspicious"][:2]] == [12, 13]

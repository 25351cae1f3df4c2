"""Condition clauses ranked by the values at the conditions in passing and failing
runs (tasks/repair/angelic.py, Nopol-style): the tests' asserted calls, the values the
probe records at a watched line, the consistent clauses first."""

from __future__ import annotations

from codeintel import tasks
from codeintel.tasks import parse_python
from codeintel.tasks.repair import Assessment, CandidateSource, RepairOutcome
from codeintel.tasks.repair.angelic import Snapshot, expected_calls, observe, ranked
from codeintel.tasks.repair.localize import block_of
from codeintel.tasks.repair.synthesis import condition_lines, synthesized_edits
from parsers.text import dedent
from tests.conftest_paths import FIXTURES

TASKS = FIXTURES / "tasks"
SOURCE = (TASKS / "discount.py").read_text()
FUNCTION = dedent(SOURCE[SOURCE.index("def discount") :])
FIX = "member and total >= threshold"


def _snapshot(total: int, member: bool, failing: bool, threshold: int = 50) -> Snapshot:
    values = {"total": repr(total), "member": repr(member), "threshold": repr(threshold)}
    return Snapshot(4, {**values, "rate": "0"}, failing)


SNAPSHOTS = (
    _snapshot(100, True, False),
    _snapshot(50, True, False),
    _snapshot(40, True, True),  # a member under the threshold: discounted, wrongly
    _snapshot(80, False, False),
    _snapshot(40, True, False, threshold=30),
)


def test_the_tests_asserted_calls_are_read_with_their_expected_values():
    tests = (TASKS / "test_discount.py").read_text()
    found = expected_calls([tests], "discount")
    assert (((None, "100"), (None, "True")), "90") in found
    assert (((None, "40"), (None, "True"), ("threshold", "30")), "36") in found
    unittest_style = "class T(TestCase):\n    def test(self):\n        self.assertEqual(9, f(3))\n"
    assert expected_calls([unittest_style], "f") == [(((None, "3"),), "9")]
    assert expected_calls(["assert f(x) == 1\nassert f(1) < 2\n"], "f") == []  # not literal
    helper = "def check(candidate):\n    assert candidate([1]) == 1\n\ndef test():\n    check(f)\n"
    assert expected_calls([helper], "f") == [(((None, "[1]"),), "1")]


def test_clauses_that_change_only_failing_evaluations_come_first():
    clauses = ["total >= threshold", "total > 45", "not member", "rate == 0", "total > 60"]
    found = ranked("member", clauses, SNAPSHOTS)
    assert found[0] == ("total >= threshold", "and")
    assert ("total > 60", "and") not in found  # it would change a passing run (50, True)
    assert ("not member", "and") not in found and ("rate == 0", "or") not in found
    assert ranked("member", clauses, [s for s in SNAPSHOTS if not s.failing]) == []


def test_the_values_move_the_fix_to_the_front_of_its_family():
    assert condition_lines(FUNCTION) == [4]

    def clauses(snapshots):
        edits = synthesized_edits(FUNCTION, frozenset(), snapshots)
        return [e.after for e in edits if e.family == "condition_clause"]

    assert clauses(SNAPSHOTS)[0] == FIX
    assert clauses(())[:50].count(FIX) == 0  # unguided: far down the family


def _request():
    return tasks.make_request(
        "repair",
        file=TASKS / "discount.py",
        tests=TASKS / "test_discount.py",
        budget=60,
        candidates="edits",
        timeout=3,
    )


def test_the_values_at_a_condition_are_recorded_in_the_sandbox():
    request = _request()
    parsed = parse_python(request.source, request.module_file)
    block = block_of(parsed, parsed.find("discount"))
    found = observe(request, block, [4], seconds=5)
    assert {s.line for s in found} == {4} and len(found) == 5  # one per asserted call
    failing = [dict(s.values) for s in found if s.failing]
    assert failing == [{"total": "40", "member": "True", "threshold": "50", "rate": "0"}]
    assert observe(request, block, [], seconds=5) == ()  # nothing watched: nothing run


def test_a_missing_clause_is_repaired_from_the_values_at_its_condition():
    result = tasks.run("repair", _request(), None)
    assert result.outcome is RepairOutcome.FIXED
    assert result.winner.source is CandidateSource.SYNTHESIS
    namespace: dict = {}
    exec(result.patched_source, namespace)
    assert [namespace["discount"](t, True) for t in (49, 50, 60)] == [49, 45, 54]
    assert result.assessment.assessment is Assessment.CONFIDENT  # `threshold <= total` agrees

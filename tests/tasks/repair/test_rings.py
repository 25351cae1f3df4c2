"""The anytime search (tasks/repair/__init__.py): rings of candidates until a fix or
the deadline; synthesized statements and expressions, second-order edits built on
partial progress, and the end of the search said."""

from __future__ import annotations

from codeintel import tasks
from codeintel.tasks.repair import Assessment, CandidateSource, RepairOutcome
from tests.conftest_paths import FIXTURES

TASKS = FIXTURES / "tasks"


def _repair(module: str, budget: float = 60):
    request = tasks.make_request(
        "repair",
        file=TASKS / f"{module}.py",
        tests=TASKS / f"test_{module}.py",
        budget=budget,
        candidates="edits",
        timeout=3,
    )
    return tasks.run("repair", request, None)


def _run(result, name: str, *args):
    namespace: dict = {}
    exec(result.patched_source, namespace)
    return namespace[name](*args)


def test_a_statement_the_function_lacks_is_synthesized():
    result = _repair("repeat")  # `seen.add(x)` is missing from the loop
    assert result.outcome is RepairOutcome.FIXED and result.winner_family == "fill_collection"
    assert "seen.add(x)" in result.patched_source
    assert _run(result, "first_repeat", [4, 5, 6, 5, 4]) == 5  # the fix, beyond the tests
    # one synthesized patch and no other to agree with it: said, and not written by --write
    assert result.assessment.assessment is Assessment.UNCORROBORATED
    assert result.validated_families["fill_collection"] >= 1


def test_an_expression_needing_a_name_in_scope_is_synthesized():
    result = _repair("scale")  # `value * 2` should be `value * factor`
    assert result.outcome is RepairOutcome.FIXED
    assert result.winner.source is CandidateSource.SYNTHESIS
    assert _run(result, "scale", [1, -2, 5], 7) == [7, -14, 35]
    assert result.assessment.assessment is Assessment.CONFIDENT  # `factor * value` agrees


def test_a_field_read_by_the_wrong_name_is_swapped():
    result = _repair("links")  # `current.successor` for `current.successors`
    assert result.outcome is RepairOutcome.FIXED and result.winner_family == "swap_attribute"
    assert "todo.extend(current.successors)" in result.patched_source
    # its calls take the Link objects the tests build from literals (`Link(1, [Link(2)])`)
    found = result.assessment
    assert found.inputs > 0 and found.misbehaving == 0
    assert found.assessment is Assessment.UNCORROBORATED  # the one plausible patch


def test_a_missing_function_call_is_synthesized():
    result = _repair("gaps")  # `b - a` for `abs(b - a)`
    assert result.outcome is RepairOutcome.FIXED and result.winner_family == "wrap_call"
    assert _run(result, "largest_gap", [3, 20, 1, 4]) == 19  # the fix, beyond the tests


def test_a_two_edit_bug_is_fixed_on_top_of_partial_progress():
    result = _repair("summary")  # `max` for the low value, and a count one too many
    assert result.outcome is RepairOutcome.FIXED
    assert result.winner.source is CandidateSource.SECOND_ORDER
    assert _run(result, "summary", [9, -4, 2, 7]) == {"low": -4, "high": 9, "count": 4}
    assert result.assessment.assessment is Assessment.CONFIDENT


def test_a_search_with_nothing_left_to_try_ends_early_and_says_so():
    result = _repair("greeting")
    assert result.outcome is RepairOutcome.NO_FIX_FOUND and result.exhausted
    assert "every ring of candidates was tried" in result.message
    assert result.validated["synthesis"] > 0 and result.validated["second_order"] > 0


def test_a_search_cut_by_the_deadline_says_the_budget_ended():
    result = _repair("greeting", budget=1.5)  # far less than every ring takes
    assert result.outcome is RepairOutcome.NO_FIX_FOUND and not result.exhausted
    assert result.message.endswith("within the budget")

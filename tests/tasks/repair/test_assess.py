"""Patch assessment (tasks/repair/assess.py): alternatives are looked for once a patch
passes the tests, every plausible patch runs on the same generated calls in the
sandbox, and only a confident fix is written without --accept-plausible."""

from __future__ import annotations

import shutil

from codeintel import tasks
from codeintel.cli import main
from codeintel.tasks.repair import Assessment, RepairConfig, RepairOutcome
from codeintel.tasks.repair.assess import (
    calls_in_tests,
    derived,
    edit_size,
    mutated,
    optional,
    outcome,
    unused_parameters,
)
from codeintel.tasks.testgen.plan import Focal, Param
from tests.conftest_paths import FIXTURES, REPO

TASKS = FIXTURES / "tasks"


def _repair(module: str, tests: str, budget: float = 20, config: RepairConfig | None = None):
    request = tasks.make_request(
        "repair",
        file=TASKS / module,
        tests=TASKS / tests,
        budget=budget,
        candidates="edits",
        timeout=3,
        config=config,
    )
    return tasks.run("repair", request, None)


def test_weak_tests_let_two_patches_pass_and_the_zero_tells_them_apart():
    # three plausible patches at most (the three rule edits: `>`, `>=`, `not <`), so
    # that one behaviour is the majority's
    config = RepairConfig(max_plausible=3)
    result = _repair("nonnegative.py", "test_nonnegative.py", config=config)
    assert result.outcome is RepairOutcome.FIXED
    found = result.assessment
    assert found.assessment is Assessment.DIFFERS and found.plausible >= 2
    assert "differs from alternatives" in found.label
    assert "count_nonnegative([0, 2, 3])" in found.example  # a zero: what the tests lacked
    assert found.differing >= 1 and found.misbehaving == 0
    namespace: dict = {}
    exec(result.patched_source, namespace)  # the chosen one agrees with the majority
    assert namespace["count_nonnegative"]([0, 2, 3]) == 3


def test_a_patch_that_hangs_where_another_returns_is_not_chosen():
    result = _repair("bsearch.py", "test_bsearch.py", budget=40)
    assert result.outcome is RepairOutcome.FIXED
    found = result.assessment
    assert found.assessment is not Assessment.CONFIDENT and found.plausible >= 2
    assert found.misbehaving == 0  # the chosen one hangs nowhere another does not
    assert "hung" in found.example or found.assessment is Assessment.DIFFERS
    source = result.patched_source
    assert "lo = mid\n" not in source


def test_a_clear_fix_is_confident():
    result = _repair("total.py", "test_total.py", budget=40)  # it loops: validations are slow
    assert result.outcome is RepairOutcome.FIXED
    assert result.assessment.assessment is Assessment.CONFIDENT, result.assessment
    assert result.assessment.inputs > 0 and result.assessment.label.startswith("confident")


def test_write_takes_only_a_confident_fix_unless_accepted(tmp_path, capsys):
    for name in ("nonnegative.py", "test_nonnegative.py"):
        shutil.copy(TASKS / name, tmp_path / name)
    module, before = tmp_path / "nonnegative.py", (TASKS / "nonnegative.py").read_text()
    argv = [str(module), "--tests", str(tmp_path / "test_nonnegative.py")]
    argv += ["--candidates", "edits", "--budget", "30", "--write"]
    assert main(["repair", *argv]) == 1
    err = capsys.readouterr().err
    assert "assessment: tests pass, behaviour differs" in err and "not written" in err
    assert module.read_text() == before and not (tmp_path / "nonnegative.py.orig").exists()
    assert main(["repair", *argv, "--accept-plausible"]) == 0
    assert module.read_text() != before and (tmp_path / "nonnegative.py.orig").exists()


def test_a_patch_that_ignores_a_parameter_the_tests_never_pass_is_not_confident():
    # the tests never pass `threshold`: `total >= 50` passes them as `total >= threshold`
    # does; a generated call passing threshold tells them apart
    result = _repair("discount.py", "test_discount_default.py", budget=30)
    assert result.outcome is RepairOutcome.FIXED
    assert "total >= threshold" in result.patched_source  # it reads the parameter
    found = result.assessment
    assert found.assessment is Assessment.DIFFERS and found.plausible >= 2
    assert "threshold=" in found.example


def test_the_bundled_example_is_confident_and_written(tmp_path, capsys):
    for name in ("running_mean.py", "test_running_mean.py"):
        shutil.copy(REPO / "examples" / "repair" / name, tmp_path / name)
    argv = [str(tmp_path / "running_mean.py"), "--tests", str(tmp_path / "test_running_mean.py")]
    assert main(["repair", *argv, "--candidates", "edits", "--write"]) == 0
    assert "assessment: confident" in capsys.readouterr().err


# --- the pure parts ------------------------------------------------------------------------


def test_the_tests_inputs_are_mutated_and_varied_from_the_pools():
    examples = [((None, "[1, 2, 3]"), (None, "2"))]
    found = mutated(examples, 10, seed=3)
    assert found and all(len(args) == 2 for args in found) and examples[0] not in found
    assert len(set(found)) == len(found)
    focal = Focal(
        "f",
        "function",
        1,
        2,
        (Param("xs", "either", None, "list"), Param("k", "either", None, "int")),
    )
    varied = derived(focal, examples)
    assert ((None, "[1, 2, 3]"), (None, "0")) in varied  # k from the int pool
    assert all(args != examples[0] for args in varied)


def test_optional_parameters_the_tests_leave_out_are_passed_in_turn():
    params = (
        Param("xs", "positional", None, None),
        Param("start", "positional", "0", None),
        Param("key", "either", "None", None),
        Param("reverse", "keyword", "False", None),
    )
    focal = Focal("f", "function", 1, 2, params)
    examples = [((None, "[3, 1]"),), ((None, "[2]"), (None, "1"), ("reverse", "True"))]
    found = optional(focal, examples)
    assert ((None, "[3, 1]"), (None, "1")) in found  # the next positional-only one
    assert ((None, "[3, 1]"), ("reverse", "True")) in found  # True: not the default
    assert any(a[:3] == examples[1] and a[3][0] == "key" for a in found)  # by keyword
    # passed already, or positional-only and not next: never added
    assert not any(len([k for k, _ in a if k == "reverse"]) > 1 for a in found)
    assert not any(a[:1] == ((None, "[2]"),) and len(a) > 4 for a in found)
    assert len({a[-1][0] for a in found[:3]}) == 3  # each parameter before any twice


def test_unused_parameters_are_counted_in_the_patched_function():
    read = "def f(total, member, threshold=50):\n    return member and total >= threshold\n"
    ignored = read.replace(">= threshold", ">= 50")
    assert unused_parameters(read, "f") == 0
    assert unused_parameters(ignored, "f") == 1
    method = "class A:\n    def m(self, x, y=1):\n        return x\n"
    assert unused_parameters(method, "A.m") == 1  # self is not a parameter here
    assert unused_parameters("def f(:\n", "f") == 0  # not Python: nothing known


def test_the_tests_calls_are_found_through_helpers_and_with_objects():
    source = (
        "class Box:\n    def __init__(self, n):\n        self.n = n\n\n\n"
        "def f(box, k=1):\n    return box.n * k\n"
    )
    tests = (
        "from m import Box, f\n\n\ndef check(candidate):\n    assert candidate(Box(3)) == 3\n"
        "    assert candidate(Box(2), k=2) == 4\n\n\ndef test_f():\n    check(f)\n"
        "    assert f(Box(x)) == 1\n"
    )
    request = tasks.make_request(
        "repair", source=source, module_file="m.py", tests={"test_m.py": tests}
    )
    assert calls_in_tests(request, "f") == [((None, "Box(3)"),), ((None, "Box(2)"), ("k", "2"))]


def test_outcomes_and_edit_sizes():
    assert outcome({"status": "returned", "value": {"literal": "3"}}) == "returned 3"
    equal = {"status": "returned", "value": {"literal": "{'n': 3.0, 'm': [2.5, 1.0]}"}}
    assert outcome(equal) == "returned {'n': 3, 'm': [2.5, 1]}"  # equal under ==, alike
    assert outcome({"status": "raised", "error": {"type": "KeyError"}}) == "raised KeyError"
    assert outcome({"status": "timeout"}) == "hung"
    assert outcome({"status": "bad_args"}) is None and outcome(None) is None
    changed = {"status": "returned", "value": {"literal": "None"}, "mutated": [[0, "[1]"]]}
    assert outcome(changed) == 'returned None, changed [[[0, "[1]"]]]'
    text = "x = 1\n" * 500 + "if a < b:\n    pass\n"
    assert edit_size(text, text.replace("a < b", "a <= b")) == 1
    assert edit_size(text, text.replace("    pass", "    count -= 1")) > 5


def test_a_path_is_not_needed_to_repair_from_text():
    source = (TASKS / "stats.py").read_text()
    request = tasks.make_request(
        "repair",
        source=source,
        module_file="stats.py",
        tests={"test_stats.py": (TASKS / "test_stats.py").read_text()},
        candidates="edits",
        budget=20,
    )
    result = tasks.run("repair", request, None)
    assert result.outcome is RepairOutcome.FIXED and result.assessment is not None
    assert result.function == "Stats.largest" and result.assessment.inputs > 0  # a method


def _in_the_process_tier(allow_process_tier: bool | None = None):
    """stats.py repaired in the process tier (no bubblewrap), edits only."""
    from codeintel.sandbox import SandboxConfig, Tier

    request = tasks.make_request(
        "repair",
        file=TASKS / "stats.py",
        tests=TASKS / "test_stats.py",
        candidates="edits",
        budget=20,
        allow_process_tier=allow_process_tier,
        config=RepairConfig(sandbox=SandboxConfig(tier=Tier.PROCESS)),
    )
    return tasks.run("repair", request, None)


def test_without_bubblewrap_no_generated_call_is_made():
    result = _in_the_process_tier()
    assert result.outcome is RepairOutcome.FIXED
    assert result.assessment.assessment is Assessment.UNASSESSED
    assert "with your rights" in result.assessment.label and result.assessment.inputs == 0
    assert "--allow-process-tier" in result.assessment.label


def test_without_bubblewrap_the_user_can_accept_the_generated_calls():
    from codeintel.sandbox import Tier

    result = _in_the_process_tier(allow_process_tier=True)
    assert result.assessment.assessment is not Assessment.UNASSESSED, result.assessment
    assert result.assessment.inputs > 0 and result.tier is Tier.PROCESS

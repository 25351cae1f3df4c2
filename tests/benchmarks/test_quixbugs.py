import json
import random
import shutil
from pathlib import Path

import pytest

from benchmarks.quixbugs import (
    Check,
    Outcome,
    adapt_tests,
    compare,
    generated_inputs,
    inputs_from_tests,
    json_inputs,
    literal_inputs,
    load_program,
    main,
    perturb,
    perturb_args,
    program_names,
    pytest_flags,
    read_records,
    same,
)
from tests.conftest_paths import FIXTURES

CHECKOUT = FIXTURES / "quixbugs" / "checkout"
FAST = ["--candidates", "edits", "--timeout", "2"]  # a hanging candidate costs 2 s, not 10


def run_main(capsys, *args: str) -> tuple[dict, str]:
    assert main([*args, *FAST]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


# --- the runner on the fixture checkout ----------------------------------------------------


def test_runner_fixes_checks_writes_and_resumes(tmp_path: Path, capsys):
    out, records = tmp_path / "out", tmp_path / "records.jsonl"
    base = ["--root", str(CHECKOUT), "--out", str(out), "--json", str(records)]
    summary, err = run_main(capsys, *base, "--only", "gcd", "count_nonnegative")
    assert summary["programs"] == 2 and summary["fixed"] == 2
    assert summary["fixed_correct"] == 1 and summary["false_positives"] == 1

    summary, err = run_main(capsys, *base)  # resumes: only the two programs not yet recorded
    assert "gcd:" not in err and "count_nonnegative:" not in err
    assert "bitcount:" in err and "reachable:" in err
    assert summary == {**summary, "programs": 4, "fixed": 4, "fixed_correct": 2,
                       "false_positives": 1, "fixed_unchecked": 1, "not_fixed": 0, "errors": 0,
                       "fixed_by_source": {"edit": 4}}
    by_name = {r["name"]: r for r in read_records(records)}
    assert sorted(by_name) == ["bitcount", "count_nonnegative", "gcd", "reachable"]
    assert len(read_records(records)) == 4

    gcd, fp = by_name["gcd"], by_name["count_nonnegative"]
    assert gcd["outcome"] == "fixed-correct" and gcd["winner"].startswith("swap_arguments")
    assert gcd["check"]["test_inputs"] == 6 and gcd["check"]["generated_inputs"] > 0
    assert gcd["check"]["differing"] == 0 and gcd["validated"]["edit"] >= 1
    # the tests pass with `x > 0`, the correct program has `x >= 0`: a generated zero shows it
    assert fp["outcome"] == "fixed-false-positive" and "'>'" in fp["winner"]
    assert fp["check"]["differing"] > 0 and "0" in fp["check"]["example"]
    assert by_name["reachable"]["outcome"] == "fixed-unchecked"  # Node inputs: not replayable
    assert by_name["reachable"]["check"] is None
    assert by_name["bitcount"]["outcome"] == "fixed-correct"

    assert sorted(p.name for p in out.iterdir()) == [
        "bitcount.py", "count_nonnegative.py", "gcd.py", "reachable.py"]
    for name in ("gcd", "bitcount", "reachable"):
        assert (out / f"{name}.py").read_text() == (
            CHECKOUT / "correct_python_programs" / f"{name}.py").read_text()

    summary, err = run_main(capsys, *base)  # everything recorded: nothing runs again
    assert err == "" and summary["programs"] == 4 and len(read_records(records)) == 4


def test_tests_that_already_pass_are_an_error_and_not_fixed_is_reported(tmp_path: Path, capsys):
    root = tmp_path / "qb"
    shutil.copytree(CHECKOUT, root)
    correct = (root / "correct_python_programs" / "gcd.py").read_text()
    (root / "python_programs" / "gcd.py").write_text(correct)
    (root / "python_programs" / "bitcount.py").write_text(
        "def bitcount(n):\n    return str(n).count('1') * 0 + 5\n")
    summary, _ = run_main(capsys, "--root", str(root), "--only", "gcd", "bitcount")
    assert summary["errors"] == 1 and summary["not_fixed"] == 1 and summary["fixed"] == 0


def test_not_a_checkout_is_exit_2(tmp_path: Path):
    assert main(["--root", str(tmp_path)]) == 2


# --- reading the checkout ----------------------------------------------------------------


def test_program_names_and_only():
    assert program_names(CHECKOUT) == ["bitcount", "count_nonnegative", "gcd", "reachable"]
    assert program_names(CHECKOUT, ["gcd", "nope"]) == ["gcd"]


def test_conftest_flags_read_as_false():
    flags = pytest_flags(CHECKOUT)
    assert {"use_correct", "run_slow"} <= flags
    text = "if pytest.use_correct:\n    x = 1\n@pytest.mark.skipif(not pytest.run_slow)\n"
    adapted = adapt_tests(text, flags)
    assert "if False:" in adapted and "not False" in adapted and "pytest.mark.skipif" in adapted
    assert adapt_tests("pytest.use_correctness", {"use_correct"}) == "pytest.use_correctness"


def test_support_files_are_what_the_tests_import():
    gcd = load_program(CHECKOUT, "gcd", pytest_flags(CHECKOUT))
    assert set(gcd.support) == {"load_testdata.py", "json_testcases/gcd.json",
                                "python_testcases/__init__.py"}
    assert "pytest.use_correct" not in gcd.tests and gcd.correct is not None
    graph = load_program(CHECKOUT, "reachable", {"use_correct"})
    assert set(graph.support) == {"python_programs/node.py", "python_testcases/__init__.py"}
    bitcount = load_program(CHECKOUT, "bitcount", {"use_correct"})  # `from python_programs import`
    assert "python_programs/bitcount.py" not in bitcount.support
    assert "json_testcases/bitcount.json" in bitcount.support


def test_modules_beside_the_tests_are_importable_from_the_root_too(tmp_path: Path):
    root = tmp_path / "qb"
    shutil.copytree(CHECKOUT, root)
    (root / "python_testcases" / "node.py").write_text("class Node:\n    pass\n")
    test = root / "python_testcases" / "test_reachable.py"
    test.write_text(test.read_text().replace("python_programs.node import", "node import"))
    support = load_program(root, "reachable", {"use_correct"}).support
    assert support["node.py"] == support["python_testcases/node.py"] == "class Node:\n    pass\n"
    assert "__init__.py" not in support and "python_testcases/__init__.py" in support


def test_inputs_from_json_testcases_and_literal_calls():
    assert json_inputs('[[17, 0], 17]\n\n[[3], 1]\n["x", 2]\n') == [[17, 0], [3], ["x"]]
    tests = "assert f([1, 2], 'a') == 3\nassert m.f(-1)\nassert f(x)\nassert g(1)\n"
    assert literal_inputs(tests, "f") == [[[1, 2], "a"], [-1]]
    program = load_program(CHECKOUT, "count_nonnegative", {"use_correct"})
    assert inputs_from_tests(program) == [[[1, 2, 3]], [[-1, 2, -5, 7]], [[]]]
    assert inputs_from_tests(load_program(CHECKOUT, "reachable", {"use_correct"})) == []


# --- perturbing inputs ---------------------------------------------------------------------


def test_perturb_ints_bools_floats():
    rng = random.Random(0)
    for value in (0, 7, -5, 10**20):
        changed = [perturb(value, rng) for _ in range(50)]
        assert all(type(c) is int and 1 <= abs(c - value) <= 3 for c in changed)
    assert perturb(True, rng) is False and perturb(False, rng) is True
    assert all(isinstance(perturb(1.5, rng), float) for _ in range(10))
    assert perturb(None, rng) is None


def test_perturb_strings_change_by_one_character():
    rng = random.Random(1)
    for text in ("", "a", "hello world"):
        for _ in range(50):
            changed = perturb(text, rng)
            assert isinstance(changed, str) and changed != text
            assert abs(len(changed) - len(text)) <= 1


def test_perturb_lists_keep_types_and_sortedness():
    rng = random.Random(2)
    for _ in range(100):
        values = [1, 3, 5, 9]
        changed = perturb(values, rng)
        assert values == [1, 3, 5, 9]  # the input is not mutated
        assert abs(len(changed) - 4) <= 1 and all(type(v) is int for v in changed)
        assert changed == sorted(changed)  # sorted input (maybe a precondition) stays sorted
    assert {tuple(perturb([3, 1, 2], rng)) for _ in range(100)} >= {(1, 2, 3), (2, 1, 3)}
    nested = perturb(([[1, 2], [3]], "ab"), random.Random(3))
    assert isinstance(nested, tuple)
    assert perturb([], random.Random(4)) != []  # an empty list gets an element


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
    assert check == Check(test_inputs=2, generated_inputs=3, compared=4, differing=2,
                          example=check.example)
    assert check.example.startswith("args=[4]")


@pytest.mark.parametrize("outcome", list(Outcome))
def test_outcomes_are_the_documented_strings(outcome):
    assert outcome.value in {"fixed-correct", "fixed-false-positive", "fixed-unchecked",
                             "not-fixed", "error"}

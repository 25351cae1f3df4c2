"""The HumanEval runner: problems read from the package's format, programs judged in
the sandbox, pass@k summarized."""

from __future__ import annotations

import gzip
import json

import pytest

from benchmarks.humaneval import default_data, main, passes, read_problems, summarize
from codeintel.errors import InputError
from tests.conftest_paths import FIXTURES

PROBLEMS = FIXTURES / "humaneval" / "problems.jsonl.gz"


def test_canonical_solutions_pass_and_wrong_ones_fail():
    problems = read_problems(PROBLEMS)
    for problem in problems:
        right = problem["prompt"] + problem["canonical_solution"]
        wrong = problem["prompt"] + "    return None\n"
        hang = problem["prompt"] + "    while True:\n        pass\n"
        assert passes(problem, [right, wrong, hang]) == [True, False, False]


def test_helpers_of_the_prompt_are_visible_to_the_check():
    shout = read_problems(PROBLEMS)[1]
    assert passes(shout, [shout["prompt"] + shout["canonical_solution"]]) == [True]


def test_the_canonical_run_reports_all_passing(tmp_path, capsys):
    records = tmp_path / "he.jsonl"
    assert main(["--canonical", "--data", str(PROBLEMS), "--json", str(records)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["problems"] == 3 and summary["pass@1"] == 1.0
    assert len(records.read_text().splitlines()) == 3
    assert main(["--canonical", "--data", str(PROBLEMS), "--json", str(records)]) == 0
    assert len(records.read_text().splitlines()) == 3  # resumed: nothing run again


def test_the_first_problems_of_the_real_data_pass_canonically(capsys):
    assert main(["--canonical", "--limit", "10"]) == 0
    assert json.loads(capsys.readouterr().out)["pass@1"] == 1.0


@pytest.mark.slow
def test_all_164_canonical_solutions_pass(capsys):
    assert main(["--canonical"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["problems"] == 164 and summary["pass@1"] == 1.0
    assert len(read_problems(default_data())) == 164


def test_summarize_uses_the_unbiased_estimator():
    records = [
        {"task_id": "a", "samples": 4, "parsed": 4, "passed": 1, "first_passed": True},
        {"task_id": "b", "samples": 4, "parsed": 2, "passed": 0, "first_passed": False},
    ]
    summary = summarize(records, [1, 4])
    assert summary["pass@1"] == pytest.approx((0.25 + 0.0) / 2)
    assert summary["pass@4"] == pytest.approx(0.5)
    assert summary["parse_rate"] == 0.75 and summary["ranked_first_pass@1"] == 0.5


def test_missing_or_corrupt_data_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["--canonical", "--data", str(tmp_path / "none.jsonl")]) == 2
    assert capsys.readouterr().err.startswith("humaneval: cannot read")
    corrupt = tmp_path / "bad.jsonl.gz"
    corrupt.write_bytes(b"not gzip")
    with pytest.raises(InputError):
        read_problems(corrupt)
    partial = tmp_path / "partial.jsonl.gz"
    with gzip.open(partial, "wt") as handle:
        handle.write(json.dumps({"task_id": "x", "prompt": "def f(): pass"}) + "\n")
    with pytest.raises(InputError, match="line 1 lacks"):
        read_problems(partial)


@pytest.mark.parametrize("args", [["--n", "2", "--k", "5"], ["--k", "one"], ["--n", "0"]])
def test_bad_k_is_exit_2(args, capsys):
    assert main(["--data", str(PROBLEMS), *args]) == 2
    assert "humaneval:" in capsys.readouterr().err


def test_a_causal_checkpoint_is_sampled_with_the_standard_prompt(tmp_path, capsys):
    from tests.models.conftest import tiny_causal

    folder = tiny_causal(tmp_path / "gpt2", "gpt2")
    argv = ["--data", str(PROBLEMS), "--n", "2", "--k", "1,2", "--model", str(folder)]
    assert main([*argv, "--json", str(tmp_path / "he.jsonl")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["problems"] == 3 and summary["model"] == f"causal: {folder}"
    assert 0.0 <= summary["pass@1"] <= summary["pass@2"] <= 1.0
    records = [json.loads(line) for line in (tmp_path / "he.jsonl").read_text().splitlines()]
    assert all(r["samples"] == 2 and r["parsed"] <= 2 for r in records)  # n samples, no extra

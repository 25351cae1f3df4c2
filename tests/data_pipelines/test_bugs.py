"""Synthetic bugs: sampling, fix edits, training records, neural-proposal filter, traces."""

from __future__ import annotations

import importlib
import pathlib
import random

import pytest

from codeintel.edits import Operator, SourceSyntaxError
from codeintel.models import formats
from data_pipelines.bugs import (
    Bug,
    BugKind,
    bug_to_examples,
    filter_proposals,
    make_bugs,
    with_bug,
)

PROJECT = pathlib.Path(__file__).parent.parent / "fixtures" / "data_pipelines" / "bugs_project"
MEAN = (PROJECT / "stats.py").read_text("utf-8")


def test_make_bugs_is_deterministic_and_spread_over_operators():
    a = make_bugs(MEAN, random.Random(3), 6, origin="stats.mean")
    b = make_bugs(MEAN, random.Random(3), 6, origin="stats.mean")
    assert a == b
    assert len(a) == 6
    assert len({bug.operator for bug in a}) == 6  # round-robin: one per family first
    for bug in a:
        assert bug.origin == "stats.mean" and bug.kind is BugKind.RULE
        assert bug.fixed == MEAN and bug.buggy != MEAN


def test_make_bugs_respects_operator_filter_and_limit():
    bugs = make_bugs(MEAN, random.Random(0), 100, operators={Operator.ARITHMETIC})
    assert len(bugs) == 2
    assert {b.buggy.split("\n")[4] for b in bugs} == {
        "    return total * len(values)",
        "    return total // len(values)",
    }
    assert make_bugs(MEAN, random.Random(0), 0) == []


def test_make_bugs_rejects_unparsable_source():
    with pytest.raises(SourceSyntaxError):
        make_bugs("def f(:\n", random.Random(0), 3)


def test_every_bug_has_an_edit_that_fixes_it():
    bugs = make_bugs(MEAN, random.Random(1), 1000)
    assert len(bugs) > 15
    assert Operator.DROP_STATEMENT in {bug.operator for bug in bugs}
    for bug in bugs:
        assert bug.edit is not None, bug.buggy
        assert formats.apply_edit(bug.buggy, bug.edit) == bug.fixed


def test_bug_to_examples_fix_and_break_records():
    bug = make_bugs(MEAN, random.Random(0), 1, origin="o")[0]
    fix, back = bug_to_examples(bug, context="<skeleton>", trace="Traceback ...")
    expected_input = formats.fix_input(bug.buggy, "Traceback ...", "<skeleton>")
    assert fix == {
        "task": "fix",
        "input": expected_input,
        "target": formats.encode_edit(bug.edit),
        "origin": "o",
    }
    assert back["input"] == formats.break_input(MEAN)
    breaking = formats.decode_edit(back["target"])
    assert breaking is not None and formats.apply_edit(MEAN, breaking) == bug.buggy


def test_bug_to_examples_uses_the_stored_trace():
    bug = Bug(
        origin="o",
        kind=BugKind.NEURAL,
        operator=None,
        buggy=MEAN.replace("total", "acc"),
        fixed=MEAN,
        edit=formats.diff_to_edit(MEAN.replace("total", "acc"), MEAN),
        trace="stored trace",
    )
    fix, _ = bug_to_examples(bug, context="")
    assert "stored trace" in fix["input"]
    edit = formats.decode_edit(fix["target"])
    assert edit is not None and formats.apply_edit(bug.buggy, edit) == MEAN


def breaking(after: str) -> str:
    edit = formats.diff_to_edit(MEAN, after)
    assert edit is not None
    return formats.encode_edit(edit)


def test_filter_proposals_keeps_parsing_distinct_real_changes():
    changed = MEAN.replace("total / len", "total // len")
    negated = MEAN.replace("return total", "return -total")
    proposals = [
        breaking(changed),  # kept
        breaking(changed),  # duplicate
        breaking(MEAN.replace("total = 0", "total  =  0")),  # same AST
        formats.encode_edit(formats.Edit("total", "acc")),  # old text is not unique
        formats.encode_edit(formats.Edit("nowhere", "x")),  # old text is not there
        breaking(MEAN.replace("(values)", "(values")),  # does not parse
        changed,  # not an edit
        breaking(negated),  # kept
    ]
    assert filter_proposals(MEAN, proposals) == [changed, negated]


def test_with_bug_replaces_the_function_in_the_one_file_holding_it():
    files = {"stats.py": MEAN, "test_stats.py": (PROJECT / "test_stats.py").read_text("utf-8")}
    bug = make_bugs(MEAN, random.Random(0), 1)[0]
    assert with_bug(files, bug) == {**files, "stats.py": bug.buggy}
    assert with_bug({"other.py": "x = 1\n"}, bug) is None


def test_neural_bugs_uses_the_filter(monkeypatch):
    models = pytest.importorskip("codeintel.models")
    if not hasattr(models, "GenerationConfig"):
        pytest.skip("codeintel.models.GenerationConfig is not written yet")
    from data_pipelines.bugs import neural_bugs

    class Proposal:
        def __init__(self, text):
            self.text, self.logprob = text, 0.0

    class Model:
        def generate(self, inputs, config, edit_sources=None):
            assert inputs == [formats.break_input(MEAN)]
            assert edit_sources == [MEAN]  # decoding constrained to edits of the function
            texts = [breaking(MEAN.replace("/", "*")), formats.encode_edit(formats.Edit("/", "/"))]
            return [tuple(Proposal(t) for t in texts)]

    bugs = neural_bugs(Model(), {"m": MEAN}, n=2)
    assert [(b.kind, b.buggy, b.edit is not None) for b in bugs] == [
        (BugKind.NEURAL, MEAN.replace("/", "*"), True)
    ]


def has_run_tests() -> bool:
    try:
        sandbox = importlib.import_module("codeintel.sandbox")
    except ImportError:
        return False
    return hasattr(sandbox, "run_tests")


@pytest.mark.skipif(not has_run_tests(), reason="codeintel.sandbox.run_tests is not written yet")
def test_bug_trace_runs_the_covering_test_on_the_bug():
    from codeintel.sandbox.types import SandboxConfig
    from data_pipelines.bugs import bug_trace

    files = {p.name: p.read_text("utf-8") for p in PROJECT.glob("*.py")}
    bugs = make_bugs(MEAN, random.Random(0), 50, operators={Operator.ARITHMETIC})
    divide = next(b for b in bugs if "total * len" in b.buggy)
    trace = bug_trace(divide, files, ["test_stats.py"], SandboxConfig())
    assert trace is not None and "mean" in trace

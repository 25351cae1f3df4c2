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
    fix_edit,
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
        "    return total * len(values)", "    return total // len(values)"}
    assert make_bugs(MEAN, random.Random(0), 0) == []


def test_make_bugs_rejects_unparsable_source():
    with pytest.raises(SourceSyntaxError):
        make_bugs("def f(:\n", random.Random(0), 3)


def test_every_one_line_bug_has_an_edit_that_fixes_it():
    bugs = make_bugs(MEAN, random.Random(1), 1000)
    assert len(bugs) > 15
    for bug in bugs:
        if bug.operator is not Operator.DROP_STATEMENT:
            assert bug.edit is not None, bug.buggy
        if bug.edit is not None:
            assert formats.apply_edit(bug.buggy, bug.edit) == bug.fixed


def test_dropped_statement_fix_is_an_insertion_edit():
    buggy = MEAN.replace("    total = 0\n", "")  # re-inserted before the next line
    edit = fix_edit(buggy, MEAN)
    assert edit == formats.LineEdit(old="for value in values:",
                                    new="total = 0\nfor value in values:")
    assert formats.apply_edit(buggy, edit) == MEAN
    two = "def f(a):\n    a.x = 1\n    a.y = 2\n    return a\n"
    buggy = two.replace("    a.y = 2\n", "")  # re-inserted after the line above
    assert fix_edit(buggy, two) == formats.LineEdit(old="a.x = 1", new="a.x = 1\na.y = 2")
    lone = "def f(a):\n    if a:\n        a.x = 1\n    return a\n"
    assert fix_edit(lone.replace("        a.x = 1\n", ""), lone) is None  # indented unlike both


def test_fix_edit_is_none_for_multi_line_changes():
    buggy = MEAN.replace("total", "acc")
    assert fix_edit(buggy, MEAN) is None


def test_bug_to_examples_fix_and_break_records():
    bug = make_bugs(MEAN, random.Random(0), 1, origin="o")[0]
    fix, back = bug_to_examples(bug, context="<skeleton>", trace="Traceback ...")
    expected_input = formats.fix_input(bug.buggy, "Traceback ...", "<skeleton>")
    assert fix == {"task": "fix", "input": expected_input,
                   "target": formats.encode_edit(bug.edit), "origin": "o"}
    assert back == {"task": "break", "input": formats.break_input(MEAN),
                    "target": formats.function_target(bug.buggy), "origin": "o"}
    assert formats.decode_edit(fix["target"]) == bug.edit


def test_bug_to_examples_falls_back_to_whole_function_and_bug_trace():
    bug = Bug(origin="o", kind=BugKind.NEURAL, operator=None, buggy=MEAN.replace("total", "acc"),
              fixed=MEAN, edit=None, trace="stored trace")
    fix, _ = bug_to_examples(bug, context="")
    assert fix["target"] == formats.function_target(MEAN)
    assert "stored trace" in fix["input"]
    assert formats.decode_function(fix["target"]) == MEAN.strip("\n")


def test_filter_proposals_keeps_parsing_distinct_real_changes():
    changed = MEAN.replace("total / len", "total // len")
    proposals = [
        formats.function_target(changed),  # kept
        formats.function_target(changed),  # duplicate
        formats.function_target(MEAN.replace("total = 0", "total  =  0")),  # same AST
        formats.function_target(MEAN),  # unchanged
        formats.function_target("def mean(values:\n    return 0"),  # does not parse
        changed,  # no <function> marker
        formats.function_target(""),  # empty
        formats.function_target(MEAN.replace("return total", "return -total")),  # kept
    ]
    assert filter_proposals(MEAN, proposals) == [
        changed, MEAN.replace("return total", "return -total")]


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
        def generate(self, inputs, config):
            assert inputs == [formats.break_input(MEAN)]
            texts = [formats.function_target(MEAN.replace("/", "*")), formats.function_target(MEAN)]
            return [tuple(Proposal(t) for t in texts)]

    bugs = neural_bugs(Model(), {"m": MEAN}, n=2)
    assert [(b.kind, b.buggy, b.edit is not None) for b in bugs] == [
        (BugKind.NEURAL, MEAN.replace("/", "*"), True)]


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

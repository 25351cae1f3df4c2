import textwrap

from codeintel.models import formats
from codeintel.sandbox import (
    Execution,
    Failure,
    Frame,
    Outcome,
    TestOutcome,
    TestResult,
    TestRun,
    Tier,
)
from codeintel.tasks.repair.candidates import (
    decode_model_output,
    model_target,
    rule_candidates,
    unique_parsable,
)
from codeintel.tasks.repair.localize import block_of, rank_functions, trace_lines
from codeintel.tasks.repair.records import Candidate, CandidateSource
from parsers import parse
from parsers.text import dedent, reindent, splice
from tests.conftest_paths import FIXTURES

SOURCE = (FIXTURES / "tasks" / "stats.py").read_text()


def largest():
    parsed = parse(SOURCE)
    return parsed, block_of(parsed, parsed.find("Stats.largest"))


def test_block_keeps_whole_lines_and_indentation():
    _, block = largest()
    assert block.text.startswith("    def largest(self, k):")
    assert block.indent == "    " and block.start_line == 10
    assert dedent(block.text).startswith("def largest(self, k):\n")
    assert reindent(dedent(block.text), block.indent) == block.text


def test_splice_replaces_only_the_block():
    parsed, block = largest()
    fixed = block.text.replace("k - 1", "k")
    patched = splice(parsed.source, block.start_byte, block.end_byte, fixed).decode()
    assert patched == SOURCE.replace("ordered[: k - 1]", "ordered[: k]")


def test_decode_model_output_applies_edits_keeping_the_indentation():
    _, block = largest()
    edit = formats.encode_edit(formats.Edit("ordered[: k - 1]", "ordered[:k]"))
    assert decode_model_output(block, edit) == block.text.replace("[: k - 1]", "[:k]")
    assert decode_model_output(block, "garbage") is None
    same = formats.encode_edit(formats.Edit("ordered[: k - 1]", "ordered[: k - 1]"))
    assert decode_model_output(block, same) is None


def test_model_target_is_the_shortest_edit():
    _, block = largest()
    target = model_target(block, block.text.replace("k - 1", "k"))
    edit = formats.decode_edit(target)
    assert edit is not None and len(edit.old) < len("return ordered[: k - 1]")
    assert formats.apply_edit(dedent(block.text), edit) == dedent(block.text).replace("k - 1", "k")


def test_edit_candidates_contain_the_fix_and_prefer_trace_lines():
    _, block = largest()
    fix = block.text.replace("ordered[: k - 1]", "ordered[: k]")
    candidates = rule_candidates(block, [(13, 1.0)])
    assert fix in [c.text for c in candidates]
    assert candidates[0].description.endswith("at line 13")
    assert all(c.source is CandidateSource.EDIT for c in candidates)


def test_unique_parsable_drops_duplicates_originals_and_broken_code():
    _, block = largest()
    good = Candidate(CandidateSource.EDIT, "Stats.largest", block.text.replace("k - 1", "k"), "")
    kept = unique_parsable(
        [
            good,
            good,
            Candidate(CandidateSource.MODEL, "Stats.largest", "    def largest(:", ""),
            Candidate(CandidateSource.MODEL, "Stats.largest", block.text, ""),
        ],
        block.text,
    )
    assert kept == [good]


def _run_with_frames(*frames: Frame) -> TestRun:
    failure = Failure("AssertionError", "", frames, "")
    execution = Execution(Outcome.FAILED, 1, "", "", 0.1, 0.1, Tier.PROCESS)
    test = TestResult("test_stats.py::test_largest", TestOutcome.FAILED, 0.1, failure)
    return TestRun(Outcome.FAILED, (test,), execution)


def test_localize_puts_trace_functions_first_then_called_ones():
    parsed = parse(SOURCE)
    run = _run_with_frames(
        Frame("test_stats.py", 9, "test_largest", ""),
        Frame("stats.py", 13, "largest", "return ordered[: k - 1]"),
    )
    lines = trace_lines(run, "stats.py")
    assert lines == (13,)
    tests = textwrap.dedent("""
        def test_clamp():
            assert clamp(5, 0, 3) == 3
    """)
    order = [s.qualified_name for s in rank_functions(parsed, lines, [tests])]
    assert order[:2] == ["Stats.largest", "clamp"]
    assert set(order) == {"Stats.__init__", "Stats.mean", "Stats.largest", "clamp"}

"""The verdict rules, on replies as the judge sends them (pure: no sandbox runs)."""

from __future__ import annotations

import signal

from codeintel.sandbox import Execution, Outcome, TestOutcome, Tier, verdict
from codeintel.sandbox.verdict import TAMPER_FAILURE, coverage

EXECUTION = Execution(Outcome.PASSED, 0, "", "", 0.1, 0.1, Tier.PROCESS)
NODE = "test_mod.py::test_a"


def record(outcome: str, report: str | None = None, node: str = NODE) -> dict:
    found = {"event": "test", "node_id": node, "outcome": outcome, "duration_s": 0.0}
    if report is not None:
        found["report"] = report
    return found


def finish(sent: int, status: int) -> dict:
    return {"event": "finish", "tampered": False, "sent": sent, "status": status}


def reply(records: list[dict], status: int) -> dict:
    wait_status = status << 8  # exited with `status`
    return {"records": records, "status": wait_status, "timed_out": False}


def test_both_witnesses_agreeing_on_a_pass_is_a_pass():
    run = verdict.test_run([reply([record("passed", "passed"), finish(1, 0)], 0)], EXECUTION)
    assert run.outcome is Outcome.PASSED and run.passed == (NODE,)


def test_the_worse_witness_wins():
    """A recorder patched to say passed is outvoted by pytest's own report."""
    run = verdict.test_run([reply([record("passed", "failed"), finish(1, 1)], 1)], EXECUTION)
    assert run.outcome is Outcome.FAILED
    assert run.tests[0].outcome is TestOutcome.FAILED


def test_an_exit_status_that_contradicts_the_records_is_tampering():
    run = verdict.test_run([reply([record("passed", "passed"), finish(1, 1)], 1)], EXECUTION)
    assert run.outcome is Outcome.ERROR and run.tests[0].failure == TAMPER_FAILURE
    lying_finish = verdict.test_run(
        [reply([record("passed", "passed"), finish(1, 0)], 1)], EXECUTION
    )
    assert lying_finish.outcome is Outcome.ERROR


def test_garbage_duplicates_and_missing_finish_never_pass():
    garbage = [{"event": "garbage"}, record("passed", "passed"), finish(1, 0)]
    twice = [record("passed", "passed"), record("passed", "passed"), finish(2, 0)]
    unfinished = [record("passed", "passed")]
    for records in (garbage, twice, unfinished):
        assert verdict.test_run([reply(records, 0)], EXECUTION).outcome is Outcome.ERROR


def test_a_killed_child_is_not_a_pass():
    killed = {"records": [record("passed", "passed")], "status": signal.SIGKILL}
    assert verdict.test_run([killed], EXECUTION).outcome is Outcome.ERROR


def test_every_child_must_pass():
    good = reply([record("passed", "passed"), finish(1, 0)], 0)
    bad = reply([record("failed", "failed", "test_b.py::test_b"), finish(1, 1)], 1)
    run = verdict.test_run([good, bad], EXECUTION)
    assert run.outcome is Outcome.FAILED and run.passed == (NODE,)


def test_coverage_of_several_children_is_their_union():
    def cov(missed: list[int], arcs: list[list[int]]) -> dict:
        return {
            "event": "coverage",
            "module": "mod",
            "statements": [1, 2, 3, 4],
            "lines_missed": missed,
            "branches_total": 2,
            "branch_arcs_missed": arcs,
        }

    replies = [{"records": [cov([3, 4], [[2, 3], [2, 4]])]}, {"records": [cov([4], [[2, 4]])]}]
    merged = coverage(replies)
    assert merged.lines_covered == (1, 2, 3) and merged.lines_missed == (4,)
    assert (merged.branches_covered, merged.branches_total) == (1, 2)


def test_each_test_file_keeps_its_own_coverage_with_the_arcs_it_took():
    def cov(missed: list[int], hit: list[list[int]]) -> dict:
        return {"event": "coverage", "module": "mod", "statements": [1, 2, 3],
                "lines_missed": missed, "branches_total": 2,
                "branch_arcs_missed": [], "branch_arcs_hit": hit}  # fmt: skip

    first = reply([record("passed", "passed"), finish(1, 0), cov([3], [[1, 2]])], 0)
    second = reply([record("passed", "passed", "test_b.py::test_b"), finish(1, 0),
                    cov([2], [[1, 3]])], 0)  # fmt: skip
    run = verdict.test_run([first, second], EXECUTION)
    assert [c.lines_covered for c in run.file_coverage] == [(1, 2), (1, 3)]
    assert [c.branch_arcs for c in run.file_coverage] == [((1, 2),), ((1, 3),)]
    assert run.coverage.branch_arcs == ((1, 2), (1, 3))
    assert verdict.test_run([reply([record("passed", "passed"), finish(1, 0)], 0)],
                            EXECUTION).file_coverage == ()  # fmt: skip


def test_a_test_file_without_a_reply_is_an_error():
    good = reply([record("passed", "passed"), finish(1, 0)], 0)
    run = verdict.test_run([good], EXECUTION, expected=["test_mod.py", "test_b.py"])
    assert run.outcome is Outcome.ERROR and run.failed == ("test_b.py",)

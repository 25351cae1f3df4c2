"""The verdict: a TestRun from what the judge observed of its children. Pure functions.

The judge (harness/judge.py, a process that never runs user code) relays, per test
file or candidate, the child's records (only those signed with that child's secret;
others arrive as garbage), its wait status, and whether it hit the deadline or the
disk limit. A test passes only if:

- both witnesses in its record say passed (the exception its phases raised, and
  pytest's own report; the in-process runner has only the first);
- the records are whole: no garbage, no duplicates, one `finish`, last, whose count
  matches, no tampering seen in the child;
- the child exited by itself, with the status its records imply (0 exactly when no
  test failed) and the one its finish record names.

Anything else is never a pass: disagreement or forgery makes every test of that
child an ERROR with the tampering failure below.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from codeintel.sandbox.types import (
    Coverage,
    Execution,
    Failure,
    Frame,
    Limits,
    Outcome,
    TestOutcome,
    TestResult,
    TestRun,
)

TAMPERED = "the test run tampered with the test harness; no result of it can be trusted"
TAMPER_FAILURE = Failure("TamperingDetected", TAMPERED, (), TAMPERED)
_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
_NO_TESTS = 5  # pytest's exit status when it collected nothing


def _failure(data: dict | None) -> Failure | None:
    if not data:
        return None
    frames = tuple(
        Frame(path=f["path"], line=f["line"], function=f["function"], text=f["text"])
        for f in data.get("frames", ())
    )
    return Failure(
        exc_type=data.get("exc_type", ""),
        message=data.get("message", ""),
        frames=frames,
        trace=data.get("trace", ""),
    )


def _witnessed(record: dict) -> str:
    """The worse of the two witnesses (a record without pytest's has only the first)."""
    seen = [record.get("outcome"), record.get("report", record.get("outcome"))]
    if any(s not in _RANK for s in seen):
        return "error"
    return max(seen, key=_RANK.__getitem__)


def _test_result(record: dict) -> TestResult:
    if record["event"] == "collect_error":
        message = str(record.get("message", ""))
        failure = Failure("CollectionError", message, (), message)
        return TestResult(str(record.get("node_id", "")), TestOutcome.ERROR, 0.0, failure)
    outcome = TestOutcome(_witnessed(record))
    failure = _failure(record.get("failure"))
    if outcome in (TestOutcome.FAILED, TestOutcome.ERROR) and failure is None:
        failure = Failure("ReportedFailure", "pytest reported this test as failing", (), "")
    return TestResult(
        node_id=str(record["node_id"]),
        outcome=outcome,
        duration_s=float(record.get("duration_s", 0.0)),
        failure=failure,
    )


def _forged(records: list[dict], finish: dict | None) -> bool:
    """Records the child's harness cannot have written: garbage, duplicates, a bad count."""
    tests = [r.get("node_id") for r in records if r.get("event") == "test"]
    finishes = [r for r in records if r.get("event") == "finish"]
    if any(r.get("event") == "garbage" for r in records) or len(finishes) > 1:
        return True
    after = records[records.index(finish) + 1 :] if finish is not None else []
    if len(set(tests)) != len(tests) or any(r.get("event") != "coverage" for r in after):
        return True
    return finish is not None and (finish.get("tampered") or finish.get("sent") != len(tests))


def _status_agrees(tests: Sequence[TestResult], finish: dict, status: int | None) -> bool:
    """The child's own exit status against its records: 0 exactly when nothing failed."""
    if status is None or os.WIFSIGNALED(status):
        return True  # killed: not finished, judged by how it ended (timeout, limit)
    code = os.waitstatus_to_exitcode(status)
    if code != finish.get("status"):
        return False
    bad = any(t.outcome in (TestOutcome.FAILED, TestOutcome.ERROR) for t in tests)
    if not tests and code == _NO_TESTS:
        return True
    return (code == 0) == (not bad)


def judged(reply: dict) -> tuple[tuple[TestResult, ...], bool]:
    """The tests of one child and whether it finished with a record that can be trusted."""
    records = [r if isinstance(r, dict) else {"event": "garbage"} for r in reply["records"]]
    finish = next((r for r in records if r.get("event") == "finish"), None)
    tests = tuple(_test_result(r) for r in records if r.get("event") in ("test", "collect_error"))
    untrusted = _forged(records, finish) or (
        finish is not None and not _status_agrees(tests, finish, reply.get("status"))
    )
    if untrusted:
        failure = _tamper_failure(finish)
        tests = tuple(replace(t, outcome=TestOutcome.ERROR, failure=failure) for t in tests) or (
            TestResult("<session>", TestOutcome.ERROR, 0.0, failure),
        )
    return tests, finish is not None and not untrusted


def _tamper_failure(finish: dict | None) -> Failure:
    """TAMPER_FAILURE, naming what the child's seal saw change (when it says)."""
    seen = finish.get("tampered") if finish is not None else None
    if not isinstance(seen, list) or not seen:
        return TAMPER_FAILURE
    message = f"{TAMPERED} ({'; '.join(str(s) for s in seen[:3])[:500]})"
    return Failure("TamperingDetected", message, (), message)


def _memory_error(tests: Sequence[TestResult]) -> bool:
    for t in tests:
        if t.failure is None:
            continue
        if t.failure.exc_type == "MemoryError" or (
            t.failure.exc_type == "CollectionError" and "MemoryError" in t.failure.message
        ):
            return True
    return False


def _outcome(execution: Execution, tests: Sequence[TestResult], finished: bool) -> Outcome:
    limited = (Outcome.TIMEOUT, Outcome.MEMORY, Outcome.KILLED, Outcome.DISK)
    if execution.outcome in limited:
        return execution.outcome
    if _memory_error(tests):
        return Outcome.MEMORY  # the address-space limit, seen by the harness
    if not finished or not tests or any(t.outcome is TestOutcome.ERROR for t in tests):
        return Outcome.ERROR
    if any(t.outcome is TestOutcome.FAILED for t in tests):
        return Outcome.FAILED
    if not any(t.outcome is TestOutcome.PASSED for t in tests):
        return Outcome.ERROR  # everything skipped: nothing was checked
    return Outcome.PASSED


def coverage(replies: Sequence[dict]) -> Coverage | None:
    """One module's coverage over every child: a line or branch counts if any child ran it."""
    found = [
        r
        for reply in replies
        for r in reply["records"]
        if isinstance(r, dict) and r.get("event") == "coverage" and "error" not in r
    ]
    if not found:
        return None
    statements = set().union(*(r["statements"] for r in found))
    missed = set.intersection(*(set(r["lines_missed"]) for r in found))
    arcs = set.intersection(*({tuple(a) for a in r["branch_arcs_missed"]} for r in found))
    total = max(r["branches_total"] for r in found)
    hit = set().union(*({tuple(a) for a in r.get("branch_arcs_hit", ())} for r in found))
    by_test: dict[str, set[int]] = {}
    for r in found:
        for test, lines in dict(r.get("lines_by_test") or {}).items():
            by_test.setdefault(str(test), set()).update(int(n) for n in lines)
    return Coverage(
        module=found[0]["module"],
        lines_covered=tuple(sorted(statements - missed)),
        lines_missed=tuple(sorted(missed)),
        branches_covered=total - len(arcs),
        branches_total=total,
        branch_arcs=tuple(sorted(hit)),
        lines_by_test=tuple((t, tuple(sorted(by_test[t]))) for t in sorted(by_test)),
    )


def _no_reply(name: str) -> TestResult:
    message = f"the judge sent no result for {name} (it was killed, or the run ran out of time)"
    return TestResult(name, TestOutcome.ERROR, 0.0, Failure("MissingResult", message, (), message))


def test_run(
    replies: Sequence[dict], execution: Execution, expected: Sequence[str] = ()
) -> TestRun:
    """A TestRun from the judge's replies, one per name in `expected` (test files) when
    given; missing or untrusted records never pass."""
    tests: tuple[TestResult, ...] = ()
    finished = bool(replies)
    for reply in replies:
        more, done = judged(reply)
        tests += more
        finished &= done
    missing = tuple(expected[len(replies) :])
    tests += tuple(_no_reply(name) for name in missing)
    finished &= not missing
    outcome = _outcome(execution, tests, finished)
    runners = sorted(
        {str(r.get("runner")) for reply in replies for r in reply["records"]
         if isinstance(r, dict) and r.get("event") == "finish" and r.get("runner")}
    )  # fmt: skip
    return TestRun(
        outcome=outcome,
        tests=tests,
        execution=execution,
        coverage=coverage(replies),
        runner="+".join(runners),
        file_coverage=_file_coverage(replies),
    )


def _file_coverage(replies: Sequence[dict]) -> tuple[Coverage | None, ...]:
    """Each child's own coverage (one child per test file); () when none was measured."""
    found = tuple(coverage([reply]) for reply in replies)
    return found if any(c is not None for c in found) else ()


def limit_message(outcome: Outcome, limits: Limits) -> str | None:
    """Which sandbox limit a run hit, and how to raise it; None if it hit none."""
    messages = {
        Outcome.TIMEOUT: f"the wall-clock limit of {limits.timeout_s:g} s "
        f"(or {limits.cpu_s} s of CPU) (Limits.timeout_s / cpu_s; --timeout on the CLI)",
        Outcome.MEMORY: f"the memory limit of {limits.memory_mb} MB of address space per "
        "process (Limits.memory_mb; --memory-mb on the CLI)",
        Outcome.DISK: f"the disk limit of {limits.disk_mb} MB or {limits.max_files} files in "
        "the work dir (Limits.disk_mb / max_files; --disk-mb on the CLI)",
    }
    found = messages.get(outcome)
    return f"the run hit the sandbox's {found}" if found else None

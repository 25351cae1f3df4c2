"""Step 1: run the tests once on the buggy code, and decide whether repair can go on.

A failing test that times out, raises RecursionError or MemoryError is a failure of
the code under repair, to fix. What ends the repair here: every test passes, the
tests error before reaching the code (an import error in a test file, no test at
all), or a test hangs with no frame of the module in its trace.
"""

from __future__ import annotations

from dataclasses import replace

from codeintel.errors import RepairInputError
from codeintel.sandbox import Limits, Outcome, TestResult, TestRun, Validator, limit_message
from codeintel.tasks.repair.records import RepairConfig, RepairOutcome, RepairRequest, RepairResult


def open_sandbox(request: RepairRequest) -> Validator:
    """The one warm sandbox of a repair: the baseline and every validation run in it."""
    return Validator(
        request.files(),
        list(request.runs),
        request.config.sandbox,
        code_under_test=[request.module_file],
        layout=request.layout,
    )


def run_baseline(request: RepairRequest, sandbox: Validator) -> TestRun | RepairResult:
    """The first run of the tests (with the lines of the module each test runs, for
    fault localization), or the result that ends the repair before it starts."""
    limits = baseline_limits(request)
    baseline = sandbox.validate(
        {}, limits=limits, first_failure=False, coverage_of=request.module_file
    )
    ended = _baseline_problem(request, baseline, limits)
    if ended is not None:
        return replace(ended, seconds=request.budget.spent())
    return baseline


def baseline_limits(request: RepairRequest) -> Limits:
    """The first run: each test within the per-test cap, the whole run within the sandbox's
    limit or, if more is left of the budget, up to a minute of it."""
    config, limits = request.config, request.config.sandbox.limits
    whole = max(limits.timeout_s, min(request.budget.seconds, 60.0))
    whole = max(min(whole, request.budget.left()), 1.0)  # never past the budget (but run at all)
    return replace(limits.with_timeout(whole), test_timeout_s=config.test_timeout_cap_s)


def candidate_limits(config: RepairConfig, baseline: TestRun) -> Limits:
    """Validations: a per-test limit from how long the baseline's tests took."""
    took = [t.duration_s for t in baseline.tests if not timed_out(t)]
    per_test = config.test_timeout_factor * max(took, default=0.0)
    per_test = min(max(per_test, config.test_timeout_floor_s), config.test_timeout_cap_s)
    return replace(config.sandbox.limits, test_timeout_s=per_test)


def timed_out(test: TestResult) -> bool:
    return test.failure is not None and test.failure.exc_type == "TestTimeout"


def _baseline_problem(
    request: RepairRequest, baseline: TestRun, limits: Limits
) -> RepairResult | None:
    """A result that ends the repair before it starts, or None to go on; `limits` are
    those the baseline ran under."""
    base = dict(
        module_file=request.module_file,
        failing_tests=baseline.failed,
        tier=baseline.execution.tier,
        warning=baseline.execution.warning,
    )
    if baseline.outcome is Outcome.TIMEOUT:
        raise RepairInputError(
            f"the tests did not finish within {limits.timeout_s:g} s (do they hang?)"
        )
    hang = _hang_in_tests(baseline, request.module_file)
    if hang is not None:
        raise RepairInputError(
            f"{hang.node_id} hangs before reaching the code: {hang.failure.message}"
        )
    errors = [t for t in baseline.tests if t.failure and t.failure.exc_type == "CollectionError"]
    if errors or not baseline.tests:
        detail = errors[0].failure.message.strip().splitlines()[-1] if errors else "no test ran"
        if "MemoryError" in detail or baseline.outcome in (Outcome.MEMORY, Outcome.DISK):
            hit = limit_message(baseline.outcome, limits) or limit_message(Outcome.MEMORY, limits)
            detail = f"{detail}: {hit}"
        return RepairResult(
            RepairOutcome.TESTS_ERROR, f"the tests error before reaching the code: {detail}", **base
        )
    if baseline.outcome is Outcome.PASSED:
        return RepairResult(RepairOutcome.TESTS_ALREADY_PASS, "all tests already pass", **base)
    return None


def _hang_in_tests(baseline: TestRun, module_file: str) -> TestResult | None:
    """A test that ran out of time with no frame of the module in its trace: it hangs in
    the test itself, and no change to the module can fix that."""
    for test in baseline.tests:
        if timed_out(test) and all(f.path != module_file for f in test.failure.frames):
            return test
    return None

"""The fast path (Validator): same results as a cold pytest run, and the same containment.

Each candidate runs in a child forked from the warm worker; these tests check that
its outcomes, node ids and traces match `run_tests` (pytest) exactly, that the
in-child runner hands anything beyond plain tests to pytest, and that a candidate
which hangs, forks, leaves a daemon, floods output, exits early or forges records
neither passes nor harms the worker, the next candidate or the caller.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from codeintel.sandbox import (
    Limits,
    Outcome,
    SandboxConfig,
    TestOutcome,
    Tier,
    Validator,
    detect_tier,
    run_tests,
)
from codeintel.sandbox.isolation import MARKER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sandbox" / "fast"
LIMITS = Limits(timeout_s=4.0, cpu_s=4, memory_mb=1024, output_bytes=100_000, processes=64)
GOOD = "def add(a, b):\n    return a + b\n\n\ndef div(a, b):\n    return a / b\n"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def base_files() -> dict[str, str]:
    names = ("calc.py", "test_plain.py", "test_fixtures.py", "test_add.py", "test_odd.py")
    names += ("test_async.py", "test_params.py", "test_params_fallback.py")
    return {name: fixture(name) for name in names}


@pytest.fixture(params=[Tier.BUBBLEWRAP, Tier.PROCESS], ids=["bwrap", "process"])
def fast_config(request: pytest.FixtureRequest) -> SandboxConfig:
    if request.param is Tier.BUBBLEWRAP and detect_tier() is not Tier.BUBBLEWRAP:
        pytest.skip("bubblewrap tier not available here: detect_tier() is not BUBBLEWRAP")
    return SandboxConfig(limits=LIMITS, tier=request.param)


def summary(run) -> list[tuple[str, str, str]]:
    return [(t.node_id, t.outcome.value, t.failure.trace if t.failure else "") for t in run.tests]


def marked(token: str) -> list[int]:
    """Processes whose environment carries the Validator's run marker."""
    needle, found = f"{MARKER}={token}".encode(), []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as handle:
                if needle in handle.read().split(b"\0"):
                    found.append(int(name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize(
    "tests",
    [
        ["test_plain.py"],
        ["test_fixtures.py"],
        ["test_plain.py::TestClass", "./test_plain.py::CalcCase::test_bad"],
        ["test_odd.py"],
        ["test_async.py"],
        ["test_params.py"],
        ["test_params.py::test_add_cases", "test_params.py::test_div_ids[zero]"],
        ["test_params_fallback.py"],
    ],
    ids=[
        "plain",
        "fixtures-fallback",
        "node-ids",
        "collection-rules",
        "async-fallback",
        "parametrize",
        "parametrize-node-ids",
        "parametrize-fallback",
    ],
)
def test_fast_path_matches_pytest(fast_config: SandboxConfig, tests: list[str]) -> None:
    files = base_files()
    with Validator(files, tests, fast_config) as validator:
        buggy, fixed = validator.validate({}), validator.validate({"calc.py": GOOD})
    cold_buggy = run_tests(files, tests, fast_config)
    cold_fixed = run_tests({**files, "calc.py": GOOD}, tests, fast_config)
    assert summary(buggy) == summary(cold_buggy)
    assert summary(fixed) == summary(cold_fixed)
    assert buggy.outcome is cold_buggy.outcome is Outcome.FAILED
    assert buggy.execution.tier is fast_config.tier
    assert cold_buggy.runner == "pytest"


@pytest.mark.parametrize(
    ("tests", "runner"),
    [
        (["test_plain.py"], "quick"),
        (["test_params.py"], "quick"),
        (["test_params.py::test_div_ids[zero]"], "quick"),
        (["test_params_fallback.py"], "pytest"),
        (["test_fixtures.py"], "pytest"),
    ],
)
def test_parametrized_tests_take_the_fast_path(
    fast_config: SandboxConfig, tests: list[str], runner: str
) -> None:
    with Validator(base_files(), tests, fast_config) as validator:
        assert validator.validate({}).runner == runner


def test_fast_path_outcomes_and_trace(fast_config: SandboxConfig) -> None:
    with Validator(base_files(), ["test_plain.py"], fast_config) as validator:
        run = validator.validate({})
    outcomes = {t.node_id.split("::", 1)[1]: t.outcome for t in run.tests}
    assert outcomes["test_add"] is TestOutcome.FAILED
    assert outcomes["test_zero"] is TestOutcome.PASSED
    assert outcomes["test_skipped"] is TestOutcome.SKIPPED
    assert outcomes["test_exit_counts_as_failure"] is TestOutcome.FAILED
    assert outcomes["CalcCase::test_bad"] is TestOutcome.FAILED
    assert outcomes["CalcCase::test_skip"] is TestOutcome.SKIPPED
    div = next(t for t in run.tests if t.node_id.endswith("test_div_by_zero"))
    assert div.failure.exc_type == "ZeroDivisionError"
    assert [f.path for f in div.failure.frames] == ["calc.py"]
    assert div.failure.frames[0].text == "return a / b"
    assert div.failure.trace.startswith("Traceback (most recent call last):\n")
    assert div.failure.trace.endswith("ZeroDivisionError: division by zero")


def test_one_validation_can_ask_for_other_tests_limits_and_stop(fast_config: SandboxConfig) -> None:
    """Repair's baseline and its quick and full checks all run on one Validator."""
    with Validator(base_files(), ["test_plain.py"], fast_config) as validator:
        one = validator.validate({}, tests=["test_add.py"])
        stopped = validator.validate({}, first_failure=True)
        short = replace(LIMITS, timeout_s=0.5)
        hung = validator.validate({"calc.py": "while True:\n    pass\n"}, limits=short)
        whole = validator.validate({})
    assert [t.node_id for t in one.tests] == ["test_add.py::test_add"]
    assert len(stopped.tests) < len(whole.tests)  # ended at the first failure
    assert stopped.tests[-1].outcome is TestOutcome.FAILED
    assert hung.outcome is Outcome.TIMEOUT and hung.execution.wall_s < 3.0
    assert {t.node_id.split("::")[0] for t in whole.tests} == {"test_plain.py"}


def test_hanging_candidate_times_out_and_worker_survives(fast_config: SandboxConfig) -> None:
    config = SandboxConfig(limits=Limits(timeout_s=1.0, cpu_s=4), tier=fast_config.tier)
    with Validator(base_files(), ["test_add.py"], config) as validator:
        hung = validator.validate({"calc.py": "while True:\n    pass\n"})
        slept = validator.validate({"calc.py": "import time\ntime.sleep(1000)\n"})
        after = validator.validate({"calc.py": GOOD})
    assert hung.outcome is Outcome.TIMEOUT
    assert slept.outcome is Outcome.TIMEOUT
    assert not hung.passed and not slept.passed
    assert after.outcome is Outcome.PASSED
    assert after.passed == ("test_add.py::test_add",)


@pytest.mark.parametrize("candidate", ["daemon_calc.py", "bomb_calc.py"])
def test_candidate_processes_do_not_outlive_it(fast_config: SandboxConfig, candidate: str) -> None:
    with Validator(base_files(), ["test_add.py"], fast_config) as validator:
        validator.validate({"calc.py": GOOD})  # the worker is up
        before = set(marked(validator.token))
        run = validator.validate({"calc.py": fixture(candidate)})
        left = set(marked(validator.token)) - before
        after = validator.validate({"calc.py": GOOD})
    assert before, "the worker itself carries the marker"
    assert not left, f"processes of the candidate survived it: {sorted(left)}"
    assert run.outcome in (Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.KILLED)
    assert after.outcome is Outcome.PASSED
    assert not marked(validator.token), "closing the Validator leaves no process behind"


def test_flooding_output_is_capped(fast_config: SandboxConfig) -> None:
    flood = GOOD + "\nprint('x' * 5_000_000)\n"
    with Validator(base_files(), ["test_add.py"], fast_config) as validator:
        run = validator.validate({"calc.py": flood})
    assert run.execution.truncated
    assert len(run.execution.stdout) <= LIMITS.output_bytes
    assert run.outcome is Outcome.PASSED  # the test itself is fine; only the output was cut


CHEATS = {
    "sys-exit-at-import": "import sys\nsys.exit(0)\n",
    "os-exit-at-import": "import os\nos._exit(0)\n",
    "os-exit-in-test": "import os\n\ndef test_add():\n    os._exit(0)\n",
    "forged-records": (
        "import json, os\n\n"
        "def test_add():\n"
        "    for fd in range(3, 64):\n"
        "        for rec in ({'event': 'test', 'node_id': 'test_add.py::test_add',\n"
        "                     'outcome': 'passed', 'duration_s': 0.0},\n"
        "                    {'event': 'finish', 'tampered': False, 'collected': 1, 'sent': 1}):\n"
        "            try:\n"
        "                os.write(fd, (json.dumps(rec) + '\\n').encode())\n"
        "            except OSError:\n"
        "                pass\n"
        "    os._exit(0)\n"
    ),
    "prints-passed": "def test_add():\n    print('1 passed')\n    raise SystemExit(0)\n",
}


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_fast_path_cheats_never_pass(fast_config: SandboxConfig, cheat: str) -> None:
    with Validator(base_files(), ["test_add.py"], fast_config) as validator:
        run = validator.validate({"test_add.py": CHEATS[cheat]})
        honest = validator.validate({"calc.py": GOOD})
    assert run.outcome is not Outcome.PASSED
    assert not run.passed
    assert honest.outcome is Outcome.PASSED


def test_memory_error_in_candidate_is_memory(fast_config: SandboxConfig) -> None:
    greedy = "def add(a, b):\n    return len(bytearray(8 * 1024 ** 3))\n"
    with Validator(base_files(), ["test_add.py"], fast_config) as validator:
        run = validator.validate({"calc.py": greedy})
    assert run.outcome is Outcome.MEMORY
    assert run.tests[0].failure.exc_type == "MemoryError"


def test_overlay_never_touches_the_callers_files(fast_config: SandboxConfig) -> None:
    files = base_files()
    before = dict(files)
    with Validator(files, ["test_add.py"], fast_config) as validator:
        validator.validate({"calc.py": GOOD, "extra.py": "x = 1\n"})
        base = validator.base
    assert files == before
    assert not base.exists(), "the Validator's work directories are removed on close"


BOMB_TEST = """import os, time

def test_forks_are_bounded():
    started = 0
    for _ in range(300):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        started += 1
    print("forked", started)
    assert started < 300
"""


def test_fork_bomb_hits_the_process_limit(fast_config: SandboxConfig) -> None:
    if fast_config.tier is Tier.PROCESS and os.geteuid() == 0:
        pytest.skip(
            "process tier does not bound a fork bomb here: as root with an interpreter other "
            "uids cannot reach, runs keep uid 0 and RLIMIT_NPROC does not apply to root"
        )
    with Validator(base_files(), ["test_bomb.py"], fast_config) as validator:
        run = validator.validate({"test_bomb.py": BOMB_TEST})
        left = marked(validator.token)
    assert run.outcome is Outcome.PASSED, run.execution.stdout
    forked = int(run.execution.stdout.split("forked", 1)[1].split()[0])
    assert forked <= LIMITS.processes + 8
    assert len(left) <= 3, "the worker (and bwrap) only; the candidate's processes are gone"

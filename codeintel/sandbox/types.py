"""Inputs and results of the sandbox. Frozen dataclasses, JSON-serialisable."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from codeintel.records import JsonRecord

if TYPE_CHECKING:
    from codeintel.sandbox.control import JobControl


class Tier(str, enum.Enum):
    """Isolation tiers, strongest first."""

    BUBBLEWRAP = "bubblewrap"
    PROCESS = "process"


class Outcome(str, enum.Enum):
    """How one sandboxed execution ended."""

    PASSED = "passed"  # ran to the end and (for tests) every test passed
    FAILED = "failed"  # ran to the end; non-zero exit or a failing test
    ERROR = "error"  # could not run properly: collection/import error, missing results
    TIMEOUT = "timeout"  # wall-clock or CPU limit
    MEMORY = "memory"  # address-space limit
    DISK = "disk"  # the work dir grew past Limits.disk_mb or Limits.max_files
    KILLED = "killed"  # killed by a signal or another limit (processes, file size, output)


class TestOutcome(str, enum.Enum):
    __test__ = False  # not a pytest test class

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0  # wall clock for the whole run
    test_timeout_s: float | None = None  # per test: past it the test fails (TestTimeout)
    cpu_s: int = 10
    memory_mb: int = 1024  # address space per process
    output_bytes: int = 1_000_000  # stdout and stderr are each capped to this
    processes: int = 64
    file_size_mb: int = 64  # any one file
    open_files: int = 256
    disk_mb: int = 256  # the whole work dir (and, in bubblewrap, the private /tmp)
    max_files: int = 20_000  # files and folders in the work dir

    def with_timeout(self, seconds: float) -> Limits:
        """These limits with a wall clock of `seconds` and the CPU time that goes with it:
        the one rule, a second more than the wall clock (a run is ended by its clock, the
        CPU limit only catches a process the clock did not)."""
        return replace(self, timeout_s=seconds, cpu_s=int(min(seconds, 10**8)) + 1)


@dataclass(frozen=True)
class SandboxConfig:
    limits: Limits = field(default_factory=Limits)
    tier: Tier | None = None  # None: the strongest tier that works here
    python: str = sys.executable
    # a job's cancel flag and run counter (control.py); None: runs cannot be cancelled
    control: JobControl | None = field(default=None, compare=False, repr=False)
    # PYTHONHASHSEED of its runs: fixed, so that a run repeats; test generation grades a
    # second time with another, so that no kept test depends on the order of a set
    hash_seed: int = 0

    def with_options(
        self,
        timeout: float | None = None,
        memory_mb: int | None = None,
        disk_mb: int | None = None,
        control: JobControl | None = None,
    ) -> SandboxConfig:
        """This config with the user's options where given: `timeout` (wall-clock seconds
        per run, the CPU limit with it), `memory_mb`, `disk_mb`, a job's `control`. The
        one place the CLI's, the API's and the editor's sandbox options become limits."""
        limits = self.limits if timeout is None else self.limits.with_timeout(timeout)
        if memory_mb is not None:
            limits = replace(limits, memory_mb=memory_mb)
        if disk_mb is not None:
            limits = replace(limits, disk_mb=disk_mb)
        return replace(self, limits=limits, control=control or self.control)


@dataclass(frozen=True)
class Execution(JsonRecord):
    outcome: Outcome
    returncode: int | None
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float
    tier: Tier
    truncated: bool = False  # stdout or stderr hit the output cap
    warning: str = ""  # what this tier does not protect here, when it matters (see isolation)


@dataclass(frozen=True)
class Frame(JsonRecord):
    path: str  # relative to the work directory for the code under test
    line: int
    function: str
    text: str  # the source line, stripped


@dataclass(frozen=True)
class Failure(JsonRecord):
    exc_type: str
    message: str
    frames: tuple[Frame, ...]  # reduced to the frames of the code under test
    trace: str  # the reduced trace, formatted as Python prints tracebacks


@dataclass(frozen=True)
class TestResult(JsonRecord):
    __test__ = False

    node_id: str
    outcome: TestOutcome
    duration_s: float
    failure: Failure | None = None


@dataclass(frozen=True)
class Coverage(JsonRecord):
    module: str
    lines_covered: tuple[int, ...]
    lines_missed: tuple[int, ...]
    branches_covered: int
    branches_total: int
    branch_arcs: tuple[tuple[int, int], ...] = ()  # the branch arcs taken: (from line, to line)
    # run_tests with coverage: the lines each test (node id) ran, collection left out
    lines_by_test: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @property
    def line_rate(self) -> float:
        total = len(self.lines_covered) + len(self.lines_missed)
        return len(self.lines_covered) / total if total else 1.0


@dataclass(frozen=True)
class TestRun(JsonRecord):
    __test__ = False

    outcome: Outcome
    tests: tuple[TestResult, ...]
    execution: Execution
    coverage: Coverage | None = None
    runner: str = ""  # which harness ran the tests: "pytest", "quick" (fast path) or both
    # run_tests with coverage: each test file's own coverage, in the order of the files
    file_coverage: tuple[Coverage | None, ...] = ()

    @property
    def passed(self) -> tuple[str, ...]:
        return tuple(t.node_id for t in self.tests if t.outcome is TestOutcome.PASSED)

    @property
    def failed(self) -> tuple[str, ...]:
        bad = (TestOutcome.FAILED, TestOutcome.ERROR)
        return tuple(t.node_id for t in self.tests if t.outcome in bad)

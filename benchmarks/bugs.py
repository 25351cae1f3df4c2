"""Repair a folder of held-out synthetic bugs and report fix rate and time to fix.

    python -m data_pipelines.humaneval_bugs --out benchmarks/data/humaneval_bugs
    python -m benchmarks bugs --root benchmarks/data/humaneval_bugs --budget 30 --json out.jsonl

Each bug is a folder NAME/ with buggy.py, test_buggy.py (imports `buggy`),
fixed.py and meta.json. Records are written one JSON line per bug, so a run
that is stopped resumes where it was (bugs already in --json are skipped).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.executor import add_executor_arguments, read_records, run_jobs
from benchmarks.metrics import normalize_code
from benchmarks.models import add_model_arguments, described
from codeintel.errors import CodeintelError


@dataclass(frozen=True)
class BugRecord:
    name: str
    outcome: str
    seconds: float
    winner_source: str | None
    winner_family: str | None
    winner_rank: int | None
    exact: bool  # the patched program equals fixed.py (layout ignored)
    generated: dict[str, int]
    validated: dict[str, int]
    invertible: bool | None
    families: dict[str, int] | None = None  # candidates generated per family
    assessment: str | None = None  # the fix's assessment (confident, differs, ...)
    validated_families: dict[str, int] | None = None  # validations per family
    exhausted: bool = False  # not fixed, every ring tried before the deadline
    # the fix against fixed.py on the assessment's generated calls: "same", "differs"
    # (a false positive: it passes the tests but is not the fix), or "unchecked"
    versus_fixed: str | None = None


CHECK_S = 10.0  # the comparison of a fix with fixed.py


def bug_folders(root: Path, limit: int | None) -> list[Path]:
    folders = sorted(p for p in root.iterdir() if (p / "buggy.py").is_file())
    return folders[:limit] if limit else folders


def repair_one(folder: Path, budget: float, model: Any, candidates: str) -> BugRecord:
    from codeintel import tasks

    meta = json.loads((folder / "meta.json").read_text()) if (folder / "meta.json").exists() else {}
    started = time.perf_counter()
    request = tasks.make_request(
        "repair",
        file=folder / "buggy.py",
        tests=folder / "test_buggy.py",
        budget=budget,
        candidates=candidates,
    )
    result = tasks.run("repair", request, model)
    seconds = time.perf_counter() - started
    fixed = (folder / "fixed.py").read_text(encoding="utf-8")
    exact = result.patched_source is not None and (
        normalize_code(result.patched_source) == normalize_code(fixed)
    )
    return BugRecord(
        name=folder.name,
        outcome=result.outcome.value,
        seconds=seconds,
        winner_source=result.winner.source.value if result.winner else None,
        winner_family=result.winner_family,
        winner_rank=result.winner_rank,
        exact=exact,
        generated=result.generated,
        validated=result.validated,
        invertible=meta.get("invertible"),
        families=result.families,
        assessment=result.assessment.assessment.value if result.assessment else None,
        validated_families=result.validated_families,
        exhausted=result.exhausted,
        versus_fixed=versus_fixed(request, result, fixed) if result.patched_source else None,
    )


def versus_fixed(request: Any, result: Any, fixed: str) -> str:
    """The chosen patch and the known fix run side by side on the calls the assessment
    generates from the tests' own calls (`assess.py`): "same", "differs" (on some call
    one returns what the other does not, or raises or hangs where the other returns:
    a false positive), or "unchecked" (no call could be made)."""
    from codeintel.tasks.repair import Assessment
    from codeintel.tasks.repair.assess import assess
    from codeintel.tasks.repair.records import Plausible

    if normalize_code(result.patched_source) == normalize_code(fixed):
        return "same"
    known = replace(result.winner, description="the known fix")
    pair = [Plausible(known, fixed, 1), Plausible(result.winner, result.patched_source, 2)]
    _, verdict = assess(request, pair, CHECK_S)
    if verdict.assessment is Assessment.UNASSESSED:
        return "unchecked"
    return "differs" if verdict.differing or verdict.misbehaving else "same"


def _validated_per_fix(fixed: Sequence[dict]) -> float:
    tried = [sum(r["validated"].values()) for r in fixed]
    return round(statistics.mean(tried), 1) if tried else 0.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def summarize(records: Sequence[dict]) -> dict:
    """Fix rate, exact-fix rate and time to fix, split by winning candidate source."""
    fixed = [r for r in records if r["outcome"] == "fixed"]
    times = [r["seconds"] for r in fixed]
    tried = [sum(r["validated"].values()) for r in records]
    return {
        "bugs": len(records),
        "fixed": len(fixed),
        "fix_rate": round(len(fixed) / len(records), 4) if records else 0.0,
        "exact_fixes": sum(r["exact"] for r in records),
        "fixed_by_source": dict(Counter(r["winner_source"] for r in fixed)),
        "by_family": by_family(records),
        "fixed_invertible": sum(1 for r in fixed if r.get("invertible")),
        "bugs_invertible": sum(1 for r in records if r.get("invertible")),
        "time_to_fix_median_s": _median_seconds(fixed),
        "time_to_fix_p90_s": round(_percentile(times, 0.9), 2) if times else None,
        "validated_per_bug_mean": round(statistics.mean(tried), 1) if tried else 0.0,
        "validated_per_fix_mean": _validated_per_fix(fixed),
        "exhausted": sum(bool(r.get("exhausted")) for r in records),
        "outcomes": dict(Counter(r["outcome"] for r in records)),
        # what --write would write (confident), and whether it is the known fix
        "assessed": dict(Counter(r.get("assessment") for r in fixed)),
        "confident_exact": sum(r.get("assessment") == "confident" and r["exact"] for r in fixed),
        "confident_not_exact": sum(
            r.get("assessment") == "confident" and not r["exact"] for r in fixed
        ),
        "not_confident_exact": sum(
            r.get("assessment") != "confident" and r["exact"] for r in fixed
        ),
        # against fixed.py on generated calls: the false positives, and those --write
        # would write (labelled confident)
        "versus_fixed": dict(Counter(r.get("versus_fixed") for r in fixed)),
        "false_positives": sum(r.get("versus_fixed") == "differs" for r in fixed),
        "false_positives_written": sum(
            r.get("versus_fixed") == "differs" and r.get("assessment") == "confident" for r in fixed
        ),
    }


def by_family(records: Sequence[dict]) -> dict[str, dict[str, float | int | None]]:
    """Per candidate family: candidates made and validated over all records, fixes won,
    and the median time to those fixes."""
    made: Counter[str] = Counter()
    validated: Counter[str] = Counter()
    for record in records:
        made.update(record.get("families") or {})
        validated.update(record.get("validated_families") or {})
    won = Counter(r.get("winner_family") for r in records if r.get("winner_family"))
    return {
        f: {
            "made": made[f],
            "validated": validated[f],
            "won": won[f],
            "time_to_fix_median_s": _median_seconds(
                r for r in records if r.get("winner_family") == f
            ),
        }
        for f in sorted(set(made) | set(won))
    }


def _median_seconds(records: Iterable[dict]) -> float | None:
    times = [r["seconds"] for r in records]
    return round(statistics.median(times), 2) if times else None


def bug_job(item: dict) -> dict:
    """Repair one bug folder: a JSON record in, a JSON record out (for any executor); the
    model loaded once per process (none for edits alone)."""
    from benchmarks.models import loaded

    edits = item["candidates"] == "edits"
    model = None if edits else loaded(item["model"], item["model_name"])
    return asdict(repair_one(Path(item["folder"]), item["budget"], model, item["candidates"]))


def describe(record: dict) -> str:
    return (
        f"{record['name']}: {record['outcome']} in {record['seconds']:.1f} s "
        f"({record['winner_source'] or '-'})"
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks bugs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, required=True, help="folder of bug folders")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per bug")
    parser.add_argument("--limit", type=int, default=None, help="only the first N bugs")
    parser.add_argument("--candidates", choices=["all", "model", "edits"], default="all")
    add_model_arguments(parser)
    parser.add_argument("--json", type=Path, default=None, help="JSON lines of records (resumes)")
    add_executor_arguments(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if not args.root.is_dir():
        print(
            f"bugs: no folder {args.root} (make one with "
            "`python -m data_pipelines.humaneval_bugs --out DIR`)",
            file=sys.stderr,
        )
        return 2
    previous = read_records(args.json)
    folders = bug_folders(args.root, args.limit)
    done = {r["name"] for r in previous}
    items = [
        {
            "folder": str(f.resolve()),
            "budget": args.budget,
            "candidates": args.candidates,
            "model": args.model,
            "model_name": args.model_name,
        }
        for f in folders
        if f.name not in done
    ]
    try:
        new = run_jobs(bug_job, items, args, args.json, describe)
    except CodeintelError as exc:
        print(f"bugs: {exc}", file=sys.stderr)
        return 2
    wanted = {f.name for f in folders}
    summary = summarize([r for r in previous + new if r["name"] in wanted])
    summary.update(
        root=str(args.root),
        candidates=args.candidates,
        budget_s=args.budget,
        model="none (edits alone)" if args.candidates == "edits" else described(args),
    )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

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
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.metrics import normalize_code


@dataclass(frozen=True)
class BugRecord:
    name: str
    outcome: str
    seconds: float
    winner_source: str | None
    winner_rank: int | None
    exact: bool  # the patched program equals fixed.py (layout ignored)
    generated: dict[str, int]
    validated: dict[str, int]
    invertible: bool | None


def bug_folders(root: Path, limit: int | None) -> list[Path]:
    folders = sorted(p for p in root.iterdir() if (p / "buggy.py").is_file())
    return folders[:limit] if limit else folders


def repair_one(folder: Path, budget: float, model, config) -> BugRecord:
    from codeintel.tasks.repair import repair

    meta = json.loads((folder / "meta.json").read_text()) if (folder / "meta.json").exists() else {}
    started = time.perf_counter()
    result = repair(
        folder / "buggy.py",
        folder / "test_buggy.py",
        budget_seconds=budget,
        model=model,
        config=config,
    )
    fixed = (folder / "fixed.py").read_text(encoding="utf-8")
    exact = result.patched_source is not None and (
        normalize_code(result.patched_source) == normalize_code(fixed)
    )
    return BugRecord(
        name=folder.name,
        outcome=result.outcome.value,
        seconds=time.perf_counter() - started,
        winner_source=result.winner.source.value if result.winner else None,
        winner_rank=result.winner_rank,
        exact=exact,
        generated=result.generated,
        validated=result.validated,
        invertible=meta.get("invertible"),
    )


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
        "fixed_invertible": sum(1 for r in fixed if r.get("invertible")),
        "bugs_invertible": sum(1 for r in records if r.get("invertible")),
        "time_to_fix_median_s": round(statistics.median(times), 2) if times else None,
        "time_to_fix_p90_s": round(_percentile(times, 0.9), 2) if times else None,
        "validated_per_bug_mean": round(statistics.mean(tried), 1) if tried else 0.0,
        "outcomes": dict(Counter(r["outcome"] for r in records)),
    }


def read_records(path: Path | None) -> list[dict]:
    if path is None or not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run(
    folders: Iterable[Path], out: Path | None, done: set[str], budget: float, model, config
) -> list[dict]:
    records = []
    for folder in folders:
        if folder.name in done:
            continue
        record = asdict(repair_one(folder, budget, model, config))
        records.append(record)
        print(
            f"{record['name']}: {record['outcome']} in {record['seconds']:.1f} s "
            f"({record['winner_source'] or '-'})",
            file=sys.stderr,
        )
        if out is not None:
            with out.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
    return records


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
    parser.add_argument("--model", default=None, help="checkpoint path or bundled name")
    parser.add_argument("--json", type=Path, default=None, help="JSON lines of records (resumes)")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    from codeintel.tasks.repair import CandidateMode, RepairConfig, load_repair_model

    args = parse_args(argv)
    if not args.root.is_dir():
        print(
            f"bugs: no folder {args.root} (make one with "
            "`python -m data_pipelines.humaneval_bugs --out DIR`)",
            file=sys.stderr,
        )
        return 2
    config = RepairConfig(candidates=CandidateMode(args.candidates))
    model = load_repair_model(args.model, config)
    previous = read_records(args.json)
    folders = bug_folders(args.root, args.limit)
    new = run(folders, args.json, {r["name"] for r in previous}, args.budget, model, config)
    wanted = {f.name for f in folders}
    summary = summarize([r for r in previous + new if r["name"] in wanted])
    summary.update(
        root=str(args.root),
        candidates=args.candidates,
        budget_s=args.budget,
        model=str(getattr(model, "path", None)),
    )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

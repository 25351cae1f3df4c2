"""`python -m data_pipelines build --out DATA [--source DIR ...] [--limit-files N] ...`

`python -m data_pipelines neural-bugs --data DATA --out OUT [--model M] [--limit N]`

`python -m data_pipelines traced-bugs --data DATA --out OUT [--split S] [--limit N]`

`python -m data_pipelines search-pairs --out PAIRS.jsonl [--split S]`
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from codeintel.errors import CodeintelError
from data_pipelines.build import build
from data_pipelines.config import BuildConfig
from data_pipelines.sources import default_roots, roots_from_dirs


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m data_pipelines")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the training data set")
    b.add_argument("--out", required=True, type=Path)
    b.add_argument(
        "--source",
        action="append",
        default=[],
        help="a source root (repeatable); default: stdlib and site-packages",
    )
    b.add_argument(
        "--limit-files",
        type=int,
        default=None,
        help="take whole packages (hash order) up to this many files",
    )
    b.add_argument("--workers", type=int, default=None, help="processes; 0 = in this process")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--bugs-per-function", type=int, default=BuildConfig.bugs_per_function)
    b.add_argument("--max-function-lines", type=int, default=BuildConfig.max_function_lines)
    b.add_argument(
        "--max-function-tokens",
        type=int,
        default=BuildConfig.max_function_tokens,
        help="skip functions longer than this (approximate tokens; 0 = no limit)",
    )
    b.add_argument("--max-input-tokens", type=int, default=BuildConfig.max_input_tokens)
    b.add_argument("--max-target-tokens", type=int, default=BuildConfig.max_target_tokens)
    b.add_argument("--shard-size", type=int, default=BuildConfig.shard_size)
    n = sub.add_parser("neural-bugs", help="backtranslation bugs from a trained model")
    n.add_argument("--data", required=True, type=Path, help="a built data set (its functions/)")
    n.add_argument("--out", required=True, type=Path, help="folder for the neural examples")
    n.add_argument("--model", default=None, help="checkpoint path or bundled name")
    n.add_argument("--split", default="train", choices=["train", "valid", "test"])
    n.add_argument("--limit", type=int, default=1000, help="functions to break")
    n.add_argument("--samples", type=int, default=4, help="sampled edits per function")
    n.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("traced-bugs", help="bugs of tested functions, with the failing trace")
    t.add_argument("--data", required=True, type=Path, help="a built data set (its focal/)")
    t.add_argument("--out", required=True, type=Path, help="folder for the traced examples")
    t.add_argument("--split", default="train", choices=["train", "valid", "test"])
    t.add_argument("--limit", type=int, default=100, help="test/function pairs to try")
    t.add_argument("--bugs", type=int, default=4, help="mutants run per pair")
    t.add_argument("--timeout", type=float, default=10.0, help="sandbox seconds per test run")
    t.add_argument("--seed", type=int, default=0)
    s = sub.add_parser("search-pairs", help="docstring -> function pairs for code search")
    s.add_argument("--out", required=True, type=Path, help="a JSON lines file to write")
    s.add_argument("--split", default="train", choices=["train", "valid", "test"])
    return p


def run_search_pairs(args: argparse.Namespace) -> dict:
    from data_pipelines.config import Split
    from data_pipelines.search_pairs import search_pairs

    held_out = (
        frozenset(q for q, _ in search_pairs(Split.TEST)) if args.split != "test" else frozenset()
    )
    pairs = search_pairs(Split(args.split), exclude=held_out)
    lines = (json.dumps({"query": q, "code": c}) for q, c in pairs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return {"split": args.split, "pairs": len(pairs), "out": str(args.out)}


def run_neural(args: argparse.Namespace) -> dict:
    from codeintel.models import load_model  # lazy: torch behind it
    from data_pipelines.neural import write_neural_bugs

    run = write_neural_bugs(
        load_model(args.model),
        args.data,
        args.out,
        split=args.split,
        limit=args.limit,
        samples=args.samples,
        seed=args.seed,
    )
    return {
        "functions": run.functions,
        "proposals": run.proposals,
        "bugs": run.bugs,
        "accepted": round(run.accepted, 4),
        "seconds": run.seconds,
    }


def run_traced(args: argparse.Namespace) -> dict:
    from data_pipelines.traced import write_traced_bugs  # lazy: the sandbox behind it

    run = write_traced_bugs(
        args.data,
        args.out,
        split=args.split,
        limit=args.limit,
        bugs_per_pair=args.bugs,
        seed=args.seed,
        timeout_s=args.timeout,
    )
    return run.__dict__


def run_build(args: argparse.Namespace) -> dict:
    roots = roots_from_dirs(args.source) if args.source else default_roots()
    result = build(args.out, roots, config_of(args), limit=args.limit_files, workers=args.workers)
    return {"counts": result.manifest["counts"], "stats": result.manifest["stats"]}


COMMANDS = {
    "build": run_build,
    "neural-bugs": run_neural,
    "traced-bugs": run_traced,
    "search-pairs": run_search_pairs,
}


def config_of(args: argparse.Namespace) -> BuildConfig:
    return BuildConfig(
        seed=args.seed,
        bugs_per_function=args.bugs_per_function,
        max_function_lines=args.max_function_lines,
        max_function_tokens=args.max_function_tokens,
        max_input_tokens=args.max_input_tokens,
        max_target_tokens=args.max_target_tokens,
        shard_size=args.shard_size,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = COMMANDS[args.command]
    try:
        report = command(args)
    except CodeintelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

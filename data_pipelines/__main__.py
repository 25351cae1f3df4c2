"""`python -m data_pipelines build --out DATA [--source DIR ...] [--limit-files N] ...`"""

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
    b.add_argument("--source", action="append", default=[],
                   help="a source root (repeatable); default: stdlib and site-packages")
    b.add_argument("--limit-files", type=int, default=None,
                   help="take whole packages (hash order) up to this many files")
    b.add_argument("--workers", type=int, default=None, help="processes; 0 = in this process")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--bugs-per-function", type=int, default=BuildConfig.bugs_per_function)
    b.add_argument("--max-function-lines", type=int, default=BuildConfig.max_function_lines)
    b.add_argument("--max-input-tokens", type=int, default=BuildConfig.max_input_tokens)
    b.add_argument("--max-target-tokens", type=int, default=BuildConfig.max_target_tokens)
    b.add_argument("--shard-size", type=int, default=BuildConfig.shard_size)
    return p


def config_of(args: argparse.Namespace) -> BuildConfig:
    return BuildConfig(seed=args.seed, bugs_per_function=args.bugs_per_function,
                       max_function_lines=args.max_function_lines,
                       max_input_tokens=args.max_input_tokens,
                       max_target_tokens=args.max_target_tokens, shard_size=args.shard_size)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = config_of(args)
        roots = roots_from_dirs(args.source) if args.source else default_roots()
        result = build(args.out, roots, config, limit=args.limit_files, workers=args.workers)
    except CodeintelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"counts": result.manifest["counts"], "stats": result.manifest["stats"]},
                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

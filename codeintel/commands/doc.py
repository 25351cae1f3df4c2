"""`codeintel doc FILE [--function NAME] [--index DIR]`: docstring candidates, best first.

Without --function: every function without a docstring, except private ones (`_name`)
and methods that override a base class's (--all documents them too).

With --index (a `codeintel index` folder; by default the project's `.codeintel/index`
when there is one) the summaries of documented near-clones there (the same body up to
renamed local names) are candidates too, each marked with its origin.

A candidate is confident when it is a near-clone's summary, or the model's and it clears
the quality floor (`DocConfidence`); a function with no confident candidate is listed
as "no confident docstring", its candidates marked "not confident".

With --write the best confident candidate of each function is inserted into FILE
atomically (backup FILE.orig, as `repair --write`); nothing else in the file changes.
--budget bounds the whole command, the model's load included.
Exit codes: 0 a confident docstring for some function (written, with --write), 1 none,
2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from codeintel.commands.options import MAX_BUDGET_S, MAX_SAMPLES, count, seconds
from codeintel.commands.progress import ProgressBar
from codeintel.files import replace_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a Python file")
    parser.add_argument("--function", help="this function only (default: every undocumented one)")
    parser.add_argument(
        "--all", action="store_true", help="private functions and overrides too (no --function)"
    )
    parser.add_argument(
        "--style", choices=["oneline", "google", "numpy"], default="oneline", help="sections"
    )
    parser.add_argument(
        "--n", type=count(1, MAX_SAMPLES), default=5, help="candidates per function (default 5)"
    )
    parser.add_argument(
        "--model", help="a bundled name, a checkpoint folder (seq2seq or causal) or a server URL"
    )
    parser.add_argument(
        "--model-name", help="the served model's name (a server URL; $CODEINTEL_MODEL_NAME)"
    )
    parser.add_argument(
        "--index",
        type=Path,
        help="an index to take near-clones' docstrings from (default: the project's "
        ".codeintel/index, when there is one)",
    )
    parser.add_argument(
        "--budget", type=seconds(MAX_BUDGET_S), help="seconds for the whole command"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing docstring")
    parser.add_argument("--write", action="store_true", help="insert the best confident ones")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _print(result: Any) -> None:
    for function in result.functions:
        verdict = "" if function.confident else ": no confident docstring"
        print(f"# {function.function} (line {function.line}){verdict}")
        for candidate in function.candidates:
            labels = [] if candidate.confident else ["not confident"]
            labels += [f"from {candidate.where}"] if candidate.where else []
            if labels:
                print(f"# ({', '.join(labels)})")
            print(candidate.docstring, end="\n\n")


def _report(result: Any) -> None:
    if result.skipped:
        names = ", ".join(result.skipped)
        print(
            f"codeintel: skipped private functions and overrides (--all): {names}", file=sys.stderr
        )
    if result.unfinished:
        names = ", ".join(result.unfinished)
        print(f"codeintel: the budget ran out before {names}", file=sys.stderr)
    sure = sum(f.confident for f in result.functions)
    print(
        f"codeintel: {sure} of {len(result.functions)} functions have a confident docstring",
        file=sys.stderr,
    )


def project_index(file: Path) -> Any:
    """The loaded `.codeintel/index` of the file's project root, when it has one that
    loads; one a warning says is left out (an old format, a broken one) otherwise."""
    from codeintel.errors import CodeintelError, InputError
    from codeintel.project import find_root
    from codeintel.retrieval import load_index

    try:
        index = find_root(file.resolve().parent) / ".codeintel" / "index"
    except InputError:
        return None  # a file outside any project
    if not (index / "manifest.json").is_file():
        return None
    try:
        return load_index(index)
    except CodeintelError as exc:
        print(f"codeintel: warning: {index} is left out: {exc}", file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    from codeintel.budget import Budget
    from codeintel.models.spec import for_file
    from codeintel.tasks.docstring import summarize

    budget = Budget(args.budget) if args.budget is not None else None
    model, model_name = for_file(args.model, args.model_name, args.file)
    with ProgressBar() as progress:
        result = summarize(
            args.file,
            args.function,
            args.style,
            args.n,
            insert=args.write,
            force=args.force,
            model=model,
            index=args.index if args.index is not None else project_index(args.file),
            every=args.all,
            budget=budget,
            progress=progress,
            model_name=model_name,
        )
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        _print(result)
    if args.write and result.patched_source is not None:
        backup = replace_file(args.file, result.patched_source)
        print(f"codeintel: wrote {args.file} (backup in {backup})", file=sys.stderr)
    _report(result)
    return 0 if any(f.confident for f in result.functions) else 1

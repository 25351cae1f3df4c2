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

from codeintel.commands.options import (
    add_budget_argument,
    add_model_arguments,
    add_samples_argument,
)
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
    add_samples_argument(parser, 5, "candidates per function")
    add_model_arguments(parser)
    parser.add_argument(
        "--index",
        type=Path,
        help="an index to take near-clones' docstrings from (default: the project's "
        ".codeintel/index, when there is one)",
    )
    add_budget_argument(parser, None)
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
    from codeintel import tasks
    from codeintel.models.spec import for_file

    with ProgressBar() as progress:
        request = tasks.make_request(
            "doc",
            file=args.file,
            function=args.function,
            style=args.style,
            samples=args.samples,
            force=args.force,
            index=args.index if args.index is not None else project_index(args.file),
            every=args.all,
            insert=args.write,
            budget=args.budget,
            progress=progress,
        )
        model = tasks.start_model("doc", request, *for_file(args.model, args.model_name, args.file))
        result = tasks.run("doc", request, model)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        _print(result)
    if args.write and result.patched_source is not None:
        backup = replace_file(args.file, result.patched_source)
        print(f"codeintel: wrote {args.file} (backup in {backup})", file=sys.stderr)
    _report(result)
    return 0 if any(f.confident for f in result.functions) else 1

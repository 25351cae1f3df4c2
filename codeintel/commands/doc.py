"""`codeintel doc FILE [--function NAME] [--index DIR]`: docstring candidates, best first.

With --index (a `codeintel index` folder) the summaries of the most similar documented
functions there are candidates too, first when they fit (each marked with its origin).

With --write the best candidate of each function is inserted into FILE atomically
(backup FILE.orig, as `repair --write`); nothing else in the file changes.
Exit codes: 0 candidates found (and written, with --write), 1 none, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from codeintel.commands.options import MAX_SAMPLES, count
from codeintel.files import replace_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a Python file")
    parser.add_argument("--function", help="this function only (default: every undocumented one)")
    parser.add_argument(
        "--style", choices=["oneline", "google", "numpy"], default="oneline", help="sections"
    )
    parser.add_argument(
        "--n", type=count(1, MAX_SAMPLES), default=5, help="candidates per function (default 5)"
    )
    parser.add_argument("--model", help="checkpoint path or bundled name")
    parser.add_argument("--index", type=Path, help="an index to take similar docstrings from")
    parser.add_argument("--force", action="store_true", help="replace an existing docstring")
    parser.add_argument("--write", action="store_true", help="insert the best into FILE")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    from codeintel.tasks.docstring import summarize

    result = summarize(
        args.file,
        args.function,
        args.style,
        args.n,
        insert=args.write,
        force=args.force,
        model=args.model,
        index=args.index,
    )
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        for function in result.functions:
            print(f"# {function.function} (line {function.line})")
            for candidate in function.candidates:
                if candidate.where:
                    print(f"# from {candidate.where}")
                print(candidate.docstring, end="\n\n")
    if not any(f.candidates for f in result.functions):
        print("codeintel: no docstring candidates", file=sys.stderr)
        return 1
    if args.write and result.patched_source is not None:
        backup = replace_file(args.file, result.patched_source)
        print(f"codeintel: wrote {args.file} (backup in {backup})", file=sys.stderr)
    return 0

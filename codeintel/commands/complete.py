"""`codeintel complete FILE --line L --column C [--mode line|block] [--index DIR] [--n N]`.

Prints completions at the cursor (1-based line, 0-based column), best first: the
rest of the line, or of the block. With --index, functions retrieved from that index
(`codeintel index`) are part of the model's input. Exit codes: 0 completions found,
1 none, 2 bad input (a cursor outside the file, no such index, a file that is not
UTF-8). The file is not changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from codeintel.commands.options import add_model_arguments, add_samples_argument, count


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the Python file")
    line, column = count(1, 10**7), count(0, 10**7)
    parser.add_argument("--line", type=line, required=True, help="the cursor's line (from 1)")
    parser.add_argument("--column", type=column, required=True, help="the cursor's column (from 0)")
    parser.add_argument("--mode", choices=["line", "block"], default="line")
    parser.add_argument("--index", type=Path, help="an index folder to retrieve from")
    add_samples_argument(parser, 5, "completions")
    add_model_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the completions as JSON")


def run(args: argparse.Namespace) -> int:
    from codeintel import tasks
    from codeintel.models.spec import for_file

    request = tasks.make_request(
        "complete",
        file=args.file,
        line=args.line,
        column=args.column,
        mode=args.mode,
        samples=args.samples,
        index=args.index,
    )
    model = tasks.start_model(
        "complete", request, *for_file(args.model, args.model_name, args.file)
    )
    found = tasks.run("complete", request, model)
    if found and found[0].note:
        print(f"codeintel: note: {found[0].note}", file=sys.stderr)
    if args.json:
        print(json.dumps([c.to_json() for c in found], indent=2))
    else:
        for c in found:
            print(f"{c.score:8.2f} {'' if c.parses else '(does not parse) '}{c.text}")
    if not found:
        print(
            f"codeintel: no completion found at line {args.line}, column {args.column}",
            file=sys.stderr,
        )
    return 0 if found else 1

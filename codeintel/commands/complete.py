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

from codeintel.commands.options import MAX_SAMPLES, count
from codeintel.errors import InputError
from codeintel.files import read_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the Python file")
    line, column = count(1, 10**7), count(0, 10**7)
    parser.add_argument("--line", type=line, required=True, help="the cursor's line (from 1)")
    parser.add_argument("--column", type=column, required=True, help="the cursor's column (from 0)")
    parser.add_argument("--mode", choices=["line", "block"], default="line")
    parser.add_argument("--index", type=Path, help="an index folder to retrieve from")
    parser.add_argument(
        "--n", type=count(1, MAX_SAMPLES), default=5, help="completions (default 5)"
    )
    parser.add_argument(
        "--model", help="a bundled name, a checkpoint folder (seq2seq or causal) or a server URL"
    )
    parser.add_argument(
        "--model-name", help="the served model's name (a server URL; $CODEINTEL_MODEL_NAME)"
    )
    parser.add_argument("--json", action="store_true", help="print the completions as JSON")


def run(args: argparse.Namespace) -> int:
    from codeintel.models.spec import for_file, load_backend
    from codeintel.tasks.completion import complete

    source = read_text(args.file, "file")
    if not source.strip():
        raise InputError(f"{args.file} is empty: there is no code to complete from")
    index, path = None, None
    if args.index is not None:
        from codeintel.retrieval import load_index

        index = load_index(args.index)
        path = index.relative(args.file)
    model = load_backend(*for_file(args.model, args.model_name, args.file))
    found = complete(source, args.line, args.column, index, args.n, args.mode, model, path)
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

"""`codeintel body FILE --function NAME`: body candidates from a signature and docstring.

Prints the candidates best first (passing the tests, or the docstring's examples,
first), each with whether it passed. In a project, the program runs beside the
project's files (its absolute imports of the package work). Exit codes: 0 at least
one candidate passed (or nothing could check them), 1 none passed (or none parsed), 2
bad input. The file is not changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from codeintel.commands.options import (
    add_model_arguments,
    add_samples_argument,
    add_sandbox_arguments,
)
from codeintel.commands.progress import ProgressBar
from codeintel.files import read_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a Python file with the signature and docstring")
    parser.add_argument("--function", required=True, help="the function to write a body for")
    add_samples_argument(parser, 10, "bodies sampled (and half as many searched by beam)")
    parser.add_argument("--tests", type=Path, help="a pytest file that imports `solution`")
    add_model_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the candidates as JSON")
    add_sandbox_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from codeintel import tasks
    from codeintel.models.spec import for_file
    from codeintel.sandbox import tier_warning
    from codeintel.tasks.synthesize import Check

    tests = read_text(args.tests, "test file") if args.tests else None
    warning = tier_warning()
    if warning:
        print(f"codeintel: warning: {warning}", file=sys.stderr)
    with ProgressBar() as progress:
        request = tasks.make_request(
            "body",
            file=args.file,
            function=args.function,
            tests=tests,
            samples=args.samples,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            disk_mb=args.disk_mb,
            progress=progress,
        )
        model = tasks.start_model(
            "body", request, *for_file(args.model, args.model_name, args.file)
        )
        candidates = tasks.run("body", request, model)
    if args.json:
        print(json.dumps([c.to_json() for c in candidates], indent=2))
    else:
        for rank, candidate in enumerate(candidates, 1):
            verdict = {True: "passed", False: "failed", None: "not run"}[candidate.passed]
            print(f"# {rank}: {verdict} ({candidate.check.value}), log p {candidate.logprob:.2f}")
            print(candidate.body, end="\n\n")
    if not candidates:
        print(f"codeintel: no body the model wrote for {args.function} parsed", file=sys.stderr)
        return 1
    checked = [c for c in candidates if c.check is not Check.NONE]
    return 0 if not checked or any(c.passed for c in checked) else 1

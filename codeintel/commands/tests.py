"""`codeintel tests FILE [--function NAME] [--budget S] [--out PATH|-] [--force] [--json]`.

Writes a pytest file of tests that passed against the current code to tests/test_MODULE.py
under the project's root (or --out; a new file, or with --force over an existing one,
atomically, keeping a backup) and prints a summary; `--out -` prints the file instead.
Exit codes: 0 tests kept, 1 none could be kept, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from codeintel.commands.options import (
    add_budget_argument,
    add_model_arguments,
    add_process_tier_argument,
    add_samples_argument,
    add_sandbox_arguments,
)
from codeintel.commands.progress import ProgressBar
from codeintel.files import check_new_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the Python module to test")
    parser.add_argument("--function", help="one function or method (default: every public one)")
    add_budget_argument(parser, 60.0)
    parser.add_argument(
        "--out",
        help="where to write the test file (default: tests/test_MODULE.py under the "
        "project's root, or test_MODULE.py beside the module; '-': print it instead)",
    )
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_model_arguments(parser)
    parser.add_argument("--no-model", action="store_true", help="the execution search alone")
    add_samples_argument(parser, 4, "the model's test candidates per function", low=0)
    parser.add_argument(
        "--mutation-score", action="store_true", help="also run the tests on mutants"
    )
    add_process_tier_argument(parser, "to search for tests")
    add_sandbox_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from codeintel import tasks
    from codeintel.models.spec import for_file

    out = _out(args.out, args.file)
    if out is not None:
        check_new_file(out, args.force)  # before the search, not after it
    with ProgressBar() as progress:
        request = tasks.make_request(
            "tests",
            file=args.file,
            function=args.function,
            budget=args.budget,
            samples=0 if args.no_model else args.samples,
            mutation_score=args.mutation_score,
            allow_process_tier=args.allow_process_tier,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            disk_mb=args.disk_mb,
            progress=progress,
        )
        model = for_file(args.model, args.model_name, args.file)
        result = tasks.run("tests", request, tasks.start_model("tests", request, *model))
    text = portable_file(result, args.file, out) if result.tests else ""
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    elif out is None:
        print(text, end="")
    print(_summary(result), file=sys.stderr)
    for gap in result.uncovered:
        where = _spans(gap.lines)
        print(f"codeintel: not covered: {gap.focal} {where}({gap.why})", file=sys.stderr)
    if result.warning:
        print(f"codeintel: warning: {result.warning}", file=sys.stderr)
    if not result.tests:
        return 1
    if out is not None:
        _write(out, text, args.force)
        print(f"codeintel: wrote {out}", file=sys.stderr)
    return 0


def _out(given: str | None, module: Path) -> Path | None:
    """The file to write: --out, or the convention; None for '-' (standard output)."""
    from codeintel.tasks.testgen import default_out

    if given == "-":
        return None
    return Path(given) if given is not None else default_out(module)


def portable_file(result, module: Path, out: Path | None) -> str:
    """The test file as it is written to `out`: importing the module the way the
    project's own tests do, with a sys.path line (relative to the file) only when the
    project's configuration does not make it importable."""
    from codeintel.tasks.testgen import importable_from_project, project_root
    from codeintel.tasks.testgen.writer import path_setup, suite_file

    if out is None:
        return result.test_file
    root, name = project_root(module)
    setup = path_setup(out, root, importable_from_project(root, name))
    return suite_file(result.module, result.tests, setup)


def _spans(lines: tuple[int, ...]) -> str:
    """'lines 3-5, 9 ' for (3, 4, 5, 9); '' for none."""
    spans: list[list[int]] = []
    for line in lines:
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    text = ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in spans)
    return f"lines {text} " if text else ""


def _summary(result) -> str:
    mutation = ""
    if result.mutation is not None:
        m = result.mutation
        mutation = f", {m.killed}/{m.mutants} mutants killed"
    return (
        f"codeintel: {len(result.tests)} tests kept for {result.module}: lines "
        f"{result.lines_covered}/{result.lines_total}, branches "
        f"{result.branches_covered}/{result.branches_total}{mutation} "
        f"({result.seconds:.1f} s, sandbox: {result.tier.value})"
    )


def _write(out: Path, text: str, force: bool) -> None:
    from codeintel.files import replace_file, write_new_file

    if out.exists() and force:
        replace_file(out, text)
    elif force and out.is_symlink():  # dangling: create the file it names
        write_new_file(Path(os.path.realpath(out)), text)
    else:
        write_new_file(out, text)

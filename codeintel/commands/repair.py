"""`codeintel repair FILE --tests TEST_FILE`: print a validated diff (or write it with --write).

A fix is a patch that makes every test pass, assessed against the other plausible
patches found on generated inputs (tasks/repair/assess.py); its label says whether it
is confident. --write writes only a confident fix, unless --accept-plausible.
Exit codes: 0 fixed (and, with --write, written), 1 no fix found, the tests already
pass, or --write refused a fix that is not confident, 2 bad input (including tests
that error before reaching the code, or hang).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from codeintel.commands.options import (
    add_budget_argument,
    add_model_arguments,
    add_process_tier_argument,
    add_sandbox_arguments,
)
from codeintel.errors import InputError
from codeintel.files import replace_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the Python module to repair")
    parser.add_argument(
        "--tests",
        nargs="+",
        help="test files, folders or node ids (tests/test_mod.py::test_x); default, for a "
        "module of a package: the project's test files that import it",
    )
    parser.add_argument("--root", type=Path, help="the project's root (default: found above FILE)")
    parser.add_argument("--function", help="repair this function (qualified name) only")
    add_budget_argument(parser, 60.0)
    add_model_arguments(parser)
    parser.add_argument(
        "--candidates",
        choices=["all", "model", "edits"],
        default="all",
        help="candidate sources: the model, deterministic edits, or both",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--write",
        action="store_true",
        help="replace FILE atomically with a confident fix (through a symlink, keeping owner "
        "and mode), its old contents in a backup FILE.orig (or FILE.orig.N: never overwritten)",
    )
    parser.add_argument(
        "--accept-plausible",
        action="store_true",
        help="with --write, write a fix whose tests pass even when it is not confident",
    )
    add_process_tier_argument(parser, "to assess a fix")
    add_sandbox_arguments(parser)


def _progress(message: str) -> None:
    print(f"codeintel: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from codeintel import tasks
    from codeintel.models.spec import for_file
    from codeintel.tasks.repair import Assessment, RepairOutcome

    request = tasks.make_request(
        "repair",
        file=args.file,
        tests=_tests(args.tests),
        function=args.function,
        budget=args.budget,
        candidates=args.candidates,
        root=args.root,
        timeout=args.timeout,
        memory_mb=args.memory_mb,
        disk_mb=args.disk_mb,
        allow_process_tier=args.allow_process_tier,
    )
    chosen = ", ".join(request.runs)
    if request.tests_chosen:
        _progress(f"tests: {request.tests_chosen}")
    _progress(f"repairing {args.file} against {chosen} (budget {args.budget:g} s)")
    model = tasks.start_model("repair", request, *for_file(args.model, args.model_name, args.file))
    result = tasks.run("repair", request, model)
    if result.warning:
        _progress(f"warning: {result.warning}")
    if result.outcome is RepairOutcome.TESTS_ERROR:
        raise InputError(result.message)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    elif result.outcome is RepairOutcome.FIXED:
        print(result.diff, end="")
    _progress(_summary(result))
    if result.outcome is not RepairOutcome.FIXED:
        return 1
    _progress(f"assessment: {result.assessment.label}")
    if not args.write:
        return 0
    if result.assessment.assessment is not Assessment.CONFIDENT and not args.accept_plausible:
        _progress("not written: the fix is not confident (--accept-plausible writes it)")
        return 1
    backup = replace_file(args.file, result.patched_source or "")
    _progress(f"wrote {args.file} (backup in {backup})")
    return 0


def _tests(given: list[str] | None) -> str | list[str] | None:
    """One test file as the API takes it, several (or folders, node ids) as a list."""
    if given is None:
        return None
    return given[0] if len(given) == 1 and "::" not in given[0] else given


def _summary(result) -> str:
    tried = ", ".join(f"{n} {s}" for s, n in sorted(result.validated.items())) or "none"
    made = ", ".join(f"{n} {s}" for s, n in sorted(result.generated.items())) or "none"
    head = result.message
    if result.winner is not None:
        head += f" (rank {result.winner_rank}: {result.winner.description})"
    tier = result.tier.value if result.tier else "?"
    return (
        f"{head}; candidates generated: {made}; validated: {tried}; "
        f"{result.seconds:.1f} s (the model loading alongside: {result.startup_seconds:.1f} s); "
        f"sandbox tier: {tier}"
    )

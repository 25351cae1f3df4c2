"""`codeintel repair FILE --tests TEST_FILE`: print a validated diff (or write it with --write).

Exit codes: 0 fixed, 1 no fix found or the tests already pass, 2 bad input
(including tests that error before reaching the code, or hang).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from codeintel.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the Python module to repair")
    parser.add_argument("--tests", type=Path, required=True, help="a pytest file that fails")
    parser.add_argument("--function", help="repair this function (qualified name) only")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument(
        "--model",
        help="checkpoint path or bundled name (default: "
        "$CODEINTEL_MODEL, else the bundled codeintel-small)",
    )
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
        help="replace FILE atomically with the fix, keeping FILE.orig",
    )


def write_atomically(path: Path, text: str) -> Path:
    """Replace `path` with `text` atomically; the old contents are kept in PATH.orig."""
    backup = path.with_name(path.name + ".orig")
    shutil.copy2(path, backup)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def _progress(message: str) -> None:
    print(f"codeintel: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from codeintel.tasks.repair import CandidateMode, RepairConfig, RepairOutcome, repair

    config = RepairConfig(candidates=CandidateMode(args.candidates))
    _progress(f"repairing {args.file} against {args.tests} (budget {args.budget:g} s)")
    result = repair(
        args.file,
        tests=args.tests,
        function=args.function,
        budget_seconds=args.budget,
        model=args.model,
        config=config,
    )
    if result.outcome is RepairOutcome.TESTS_ERROR:
        raise InputError(result.message)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    elif result.outcome is RepairOutcome.FIXED:
        print(result.diff, end="")
    _progress(_summary(result))
    if result.outcome is RepairOutcome.FIXED and args.write:
        backup = write_atomically(args.file, result.patched_source or "")
        _progress(f"wrote {args.file} (backup in {backup})")
    return 0 if result.outcome is RepairOutcome.FIXED else 1


def _summary(result) -> str:
    tried = ", ".join(f"{n} {s}" for s, n in sorted(result.validated.items())) or "none"
    made = ", ".join(f"{n} {s}" for s, n in sorted(result.generated.items())) or "none"
    head = result.message
    if result.winner is not None:
        head += f" (rank {result.winner_rank}: {result.winner.description})"
    tier = result.tier.value if result.tier else "?"
    return (
        f"{head}; candidates generated: {made}; validated: {tried}; "
        f"{result.seconds:.1f} s; sandbox tier: {tier}"
    )

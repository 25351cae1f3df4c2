"""Argument types with bounds, shared by the subcommands: a count or a number of seconds
outside its bounds (or `nan`, `inf`) is bad input, refused by argparse in one line."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

MAX_SAMPLES = 100  # --n, --samples: candidates a model samples for one request
MAX_RESULTS = 1000  # --k: search results
MAX_BUDGET_S = 24 * 3600.0  # --budget: one command's seconds
MAX_TIMEOUT_S = 3600.0  # --timeout: one sandbox run's seconds
MAX_MB = 1024 * 1024  # --memory-mb, --disk-mb
MAX_TOKENS = 1_000_000  # a token budget


def count(low: int, high: int) -> Callable[[str], int]:
    """An int in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    return parse


def seconds(high: float) -> Callable[[str], float]:
    """A finite number of seconds in (0, high]."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value) or not 0 < value <= high:
            raise argparse.ArgumentTypeError(
                f"{text} is not a number of seconds above 0 and at most {high:g}"
            )
        return value

    return parse


class OneLineParser(argparse.ArgumentParser):
    """argparse, but bad arguments get one line on stderr (and exit code 2), as every
    other bad input does."""

    def error(self, message: str):  # type: ignore[override]
        command = self.prog.partition(" ")[2]
        where = f"{command}: " if command else ""
        self.exit(2, f"codeintel: error: {where}{message} (see {self.prog} --help)\n")


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """--model and --model-name, the same on every command that uses a model."""
    parser.add_argument(
        "--model",
        help="a bundled name, a checkpoint folder (seq2seq or causal) or a server URL "
        "(default: $CODEINTEL_MODEL, else [tool.codeintel] model, else codeintel-small)",
    )
    parser.add_argument(
        "--model-name", help="the served model's name (a server URL; $CODEINTEL_MODEL_NAME)"
    )


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """--timeout, --memory-mb, --disk-mb: the sandbox's limits per run (None: the task's
    default), made into limits by `SandboxConfig.with_options`."""
    limits = parser.add_argument_group("sandbox limits, per test run")
    limits.add_argument(
        "--timeout", type=seconds(MAX_TIMEOUT_S), help="wall-clock seconds (default 10)"
    )
    limits.add_argument(
        "--memory-mb", type=count(64, MAX_MB), help="address space per process (default 1024)"
    )
    limits.add_argument(
        "--disk-mb", type=count(1, MAX_MB), help="the work dir's size (default 256)"
    )


def add_samples_argument(
    parser: argparse.ArgumentParser, default: int, what: str, low: int = 1
) -> None:
    """--samples (--n is the same option): how many candidates the model writes."""
    parser.add_argument(
        "--samples",
        "--n",
        dest="samples",
        type=count(low, MAX_SAMPLES),
        default=default,
        help=f"{what} (default {default})",
    )


def add_budget_argument(parser: argparse.ArgumentParser, default: float | None) -> None:
    """--budget: seconds for the whole command, the model's load included."""
    told = f"default {default:g}" if default is not None else "default: no limit"
    parser.add_argument(
        "--budget",
        type=seconds(MAX_BUDGET_S),
        default=default,
        help=f"seconds for the whole command, the model's load included ({told})",
    )


def add_process_tier_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """--allow-process-tier: without bubblewrap, still call the user's functions with
    generated arguments (`what` they are for), with the user's own rights."""
    parser.add_argument(
        "--allow-process-tier",
        action="store_true",
        help=f"without bubblewrap, still call your functions with generated arguments {what} "
        "(with your own rights: a function that deletes files would delete them)",
    )

"""The `codeintel` command: `main(argv) -> int`.

Each subcommand lives in `codeintel/commands/<name>.py` with two functions,
`add_arguments(parser)` and `run(args) -> int`. A task's command is registered with the
task (`codeintel.tasks.TASKS`) and builds its request only through the task's front
door (`tasks.make_request`, `tasks.start_model`, `tasks.run`); the other commands are
in TOOLS.
Command modules import torch/transformers only inside `run`, so `--help` is fast.
Exit codes: 0 success, 1 the job ran but did not succeed (e.g. no fix found),
2 bad input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from codeintel import tasks
from codeintel.commands.options import OneLineParser
from codeintel.errors import USER_ERRORS

# the commands that are not tasks: name -> (module, one-line help)
TOOLS: dict[str, tuple[str, str]] = {
    "context": ("codeintel.commands.context", "print a model input built from a file"),
    "index": ("codeintel.commands.index", "index a codebase's functions for search and completion"),
    "search": ("codeintel.commands.search", "find functions in an index by words or code"),
    "serve": ("codeintel.commands.serve", "the language server for editors (LSP over stdio)"),
    "train-search": ("codeintel.commands.train_search", "train a code-search encoder"),
    "train": ("codeintel.commands.train", "train a seq2seq checkpoint from a config file"),
}


def _commands() -> dict[str, tuple[str, str]]:
    """Every command by name: the tasks' (codeintel.tasks.TASKS; each in
    codeintel/commands/NAME.py) and the tools."""
    found = {
        t.name: (f"codeintel.commands.{t.name}", t.summary)
        for t in tasks.TASKS.values()
        if t.command
    }
    return dict(sorted({**found, **TOOLS}.items()))


COMMANDS = _commands()


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="codeintel",
        description="Code intelligence whose suggestions are graded by running tests.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0), or bad arguments: one line said, exit 2
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.run(args))
    except USER_ERRORS as exc:
        print(f"codeintel: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("codeintel: interrupted", file=sys.stderr)
        return 130


def entry() -> NoReturn:
    """The console script: `main`, then, with the output flushed, an exit that skips the
    interpreter's teardown. Once torch is loaded that teardown takes about a second
    (BENCHMARKS.md), and a model still loading in a daemon thread (repair loads it
    alongside its first validations, and may have finished without it) would be
    waited for. Every file the commands write is closed before `main` returns."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()

"""The task table: every task the CLI, LSP and benchmarks can run, by name.

Each entry names a task's `run(request, model) -> result`, the whole pipeline of
that task (see `codeintel.tasks.repair`). `parse_python` is the check every task's
source input goes through.
"""

from __future__ import annotations

import ast
import importlib
from typing import Any

from codeintel.errors import InputError
from parsers import ParsedFile, parse
from parsers.text import python_ast

# name -> "module:function" of the task's run(request, model)
TASKS: dict[str, str] = {
    "repair": "codeintel.tasks.repair:run",
    "synthesize": "codeintel.tasks.synthesize:run",
    "docstring": "codeintel.tasks.docstring:run",
    "testgen": "codeintel.tasks.testgen:run",
    "asserts": "codeintel.tasks.asserts:run",
    "completion": "codeintel.tasks.completion:run",
}


def parse_python(source: str, name: str) -> ParsedFile:
    """The parsed source of a task's input; InputError naming the first syntax error."""
    parsed = parse(source, "python")
    if parsed.has_errors:
        raise InputError(parsed.syntax_summary(name))
    return parsed


def python_module(source: str, name: str) -> ast.Module:
    """Python's own syntax tree of a task's input; InputError when Python cannot parse it
    (a syntax error tree-sitter let through, or nesting too deep for Python's parser)."""
    tree = python_ast(source)
    if tree is None:
        raise InputError(f"{name}: Python cannot parse it (a syntax error, or nesting too deep)")
    return tree


def get_task(name: str) -> Any:
    """The `run` function registered under `name`; InputError for an unknown name."""
    if name not in TASKS:
        raise InputError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))}")
    module_name, _, attribute = TASKS[name].partition(":")
    return getattr(importlib.import_module(module_name), attribute)

"""The task front door: every task the CLI, the LSP and the benchmarks run, by name.

    request = tasks.make_request("repair", file=Path("pkg/mod.py"), budget=60)
    result = tasks.run("repair", request, tasks.start_model("repair", request))
    print(result.to_json())

Each task is a module of the same small shape (build input -> generate -> post-process
-> grade) with three functions: `make_request(**options)` builds the request (a frozen
dataclass) and is where its options are checked (InputError); `needs_model(request)`
says whether that request uses a model at all; `run(request, model)` is the pipeline,
`model` a ModelHandle (loading in the background) or a loaded backend, and returns a
result record (`to_json()`). An option has one name everywhere: the CLI's `--memory-mb`
is the API's `memory_mb` and the editor's `memoryMb` (README, "Settings").

`parse_python` and `python_module` are the checks every task's source input goes through.
"""

from __future__ import annotations

import ast
import enum
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeintel.errors import InputError
from parsers import ParsedFile, parse
from parsers.text import python_ast


class ModelUse(str, enum.Enum):
    """Whether a task runs without a model."""

    REQUIRED = "required"  # it writes what the model writes (docstrings, bodies)
    OPTIONAL = "optional"  # the model adds candidates to an execution search (repair, tests)


@dataclass(frozen=True)
class Task:
    name: str  # the CLI's command and the API's task name
    module: str  # the module with make_request, needs_model and run
    summary: str  # one line: the CLI's help
    model: ModelUse
    command: bool = True  # a `codeintel NAME` command (codeintel/commands/NAME.py)


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task(
            "repair",
            "codeintel.tasks.repair",
            "repair a function so that failing tests pass",
            ModelUse.OPTIONAL,
        ),
        Task(
            "tests",
            "codeintel.tasks.testgen",
            "write pytest tests that pass and cover a module",
            ModelUse.OPTIONAL,
        ),
        Task(
            "doc",
            "codeintel.tasks.docstring",
            "write docstrings for functions (--write inserts them)",
            ModelUse.REQUIRED,
        ),
        Task(
            "body",
            "codeintel.tasks.synthesize",
            "write a function body from its docstring, run it",
            ModelUse.REQUIRED,
        ),
        Task(
            "complete",
            "codeintel.tasks.completion",
            "complete the line or block at a cursor",
            ModelUse.REQUIRED,
        ),
        Task(
            "asserts",
            "codeintel.tasks.asserts",
            "assert statements for a test prefix",
            ModelUse.REQUIRED,
            command=False,
        ),
    )
}


def get(name: str) -> Task:
    """The task registered under `name`; InputError for an unknown name."""
    if name not in TASKS:
        raise InputError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))}")
    return TASKS[name]


def module_of(name: str) -> Any:
    return importlib.import_module(get(name).module)


def make_request(name: str, **options: Any) -> Any:
    """The request of task `name` from its options; InputError for a bad one."""
    return module_of(name).make_request(**options)


def start_model(
    name: str,
    request: Any,
    model: Any = None,
    model_name: str | None = None,
    root: Path | None = None,
) -> Any:
    """The ModelHandle a request runs with: none when the request uses no model, else
    `model` (a spec: bundled name, checkpoint folder, server URL; None: the chosen
    default, `models.spec.choose_model` from `root`) loading in the background, so a
    task with work to do before it needs the model starts at once."""
    from codeintel.models.loading import ModelHandle
    from codeintel.models.spec import start_backend

    if not module_of(name).needs_model(request):
        return ModelHandle(None)
    if isinstance(model, ModelHandle):
        return model
    if model is None or isinstance(model, (str, Path)):
        return start_backend(model, model_name, root)
    return ModelHandle(model)


def run(name: str, request: Any, model: Any) -> Any:
    """Task `name`'s pipeline on `request` with `model` (a ModelHandle from start_model,
    or a loaded backend); its result record."""
    return module_of(name).run(request, model)


def loaded(model: Any) -> Any:
    """The backend behind `model`: a ModelHandle waited for (its load error raised
    here), anything else as it is. For the tasks that need the model at their start."""
    from codeintel.models.loading import ModelHandle

    return model.get() if isinstance(model, ModelHandle) else model


def positive(value: int | float, what: str) -> None:
    """InputError unless `value` (an option of a request) is above 0."""
    if isinstance(value, bool) or not value > 0:
        raise InputError(f"{what} must be a positive number, not {value!r}")


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

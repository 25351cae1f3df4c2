"""The task table: every task the CLI, LSP and benchmarks can run, by name."""

from __future__ import annotations

import importlib
from typing import Any

from codeintel.errors import InputError

# name -> "module:attribute" of the task object
TASKS: dict[str, str] = {
    "repair": "codeintel.tasks.repair:REPAIR",
}


def get_task(name: str) -> Any:
    """The task object registered under `name`; InputError for an unknown name."""
    if name not in TASKS:
        raise InputError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))}")
    module_name, _, attribute = TASKS[name].partition(":")
    return getattr(importlib.import_module(module_name), attribute)

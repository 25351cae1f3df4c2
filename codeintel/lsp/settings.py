"""The server's settings: from `initializationOptions` and `workspace/didChangeConfiguration`.

Editors send camelCase keys under a `codeintel` section (VS Code's settings of the
extension); either that section or its contents is accepted. A bad value is a
ConfigError naming the key; keys that only the client uses are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from codeintel.errors import ConfigError


@dataclass(frozen=True)
class ServerSettings:
    """Each setting has the name of the task option it sets (`model_name` is the CLI's
    --model-name and the editor's `modelName`); None: the task's own default."""

    # a bundled name, a checkpoint folder (seq2seq or causal) or a server URL; None:
    # $CODEINTEL_MODEL, else [tool.codeintel] of the workspace, else the bundled default
    model: str | None = None
    model_name: str | None = None  # the served model's name (a server URL)
    budget: float = 60.0  # seconds for one action (Fix this function, Generate tests)
    samples: int | None = None  # candidates a model writes (bodies: 10, completions: 5)
    # where "Fix this function" and "Run tests" look for a module's tests, in order: each
    # pattern is tried in the module's folder, then in each folder above it up to the
    # workspace root. "Generate tests" creates the first pattern in the workspace root
    # when its folder exists there, else the last beside the module.
    test_files: tuple[str, ...] = ("tests/test_{module}.py", "test_{module}.py")
    timeout: float | None = None  # seconds per sandbox run (the task's default: repair 10)
    memory_mb: int | None = None  # address space per sandboxed process (default 1024)
    apply_edits: bool = True  # send workspace/applyEdit (else only return the edit)
    completion: bool = True  # answer textDocument/completion


# the editor's key (the option's name in camelCase) -> (field, type)
KEYS: dict[str, tuple[str, type]] = {
    "model": ("model", str),
    "modelName": ("model_name", str),
    "budget": ("budget", float),
    "samples": ("samples", int),
    "testFiles": ("test_files", tuple),
    "timeout": ("timeout", float),
    "memoryMb": ("memory_mb", int),
    "applyEdits": ("apply_edits", bool),
    "completion": ("completion", bool),
}
# keys of earlier versions -> the one name each has now
RENAMED = {
    "repairBudget": "budget",
    "testsBudget": "budget",
    "bodySamples": "samples",
    "completionItems": "samples",
    "sandboxTimeout": "timeout",
    "sandboxMemoryMb": "memoryMb",
}
CLIENT_ONLY = {"serverPath", "serverArgs", "trace"}  # the VS Code client's own settings


def _value(key: str, value: Any, kind: type) -> Any:
    """The checked value of one key; ConfigError for a wrong type or range."""
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"setting codeintel.{key} must be true or false, not {value!r}")
        return value
    if kind is str:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"setting codeintel.{key} must be a non-empty string")
        return value
    if kind is tuple:
        good = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        if not good or not all("{module}" in v for v in value):
            raise ConfigError(
                f"setting codeintel.{key} must be a list of paths containing {{module}}"
            )
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"setting codeintel.{key} must be a number greater than 0")
    return kind(value)


def updated(settings: ServerSettings, options: Any) -> ServerSettings:
    """`settings` with the keys of `options` applied; ConfigError for a bad one.
    None (no options) leaves them as they are; a `null` value restores the default."""
    if options is None:
        return settings
    if not isinstance(options, Mapping):
        raise ConfigError(f"codeintel settings must be an object, not {options!r}")
    if isinstance(options.get("codeintel"), Mapping):
        options = options["codeintel"]
    defaults = {f.name: f.default for f in fields(ServerSettings)}
    changes = {}
    for key, value in options.items():
        if key in CLIENT_ONLY:
            continue
        if key in RENAMED:
            raise ConfigError(f"setting codeintel.{key} is now codeintel.{RENAMED[key]}")
        if key not in KEYS:
            known = ", ".join(sorted(KEYS))
            raise ConfigError(f"unknown setting codeintel.{key}; known: {known}")
        name, kind = KEYS[key]
        changes[name] = defaults[name] if value is None else _value(key, value, kind)
    return replace(settings, **changes)

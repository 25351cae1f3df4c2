"""Runs inside the sandbox, never in the build: gives a function the code of its mutant.

`data_pipelines.traced` copies this file into the work dir as
`codeintel_trace_patch.py`, with `codeintel_trace_patch.json` beside it, and appends
`import codeintel_trace_patch` to the end of the test file. By then the test module
has imported the code under test, however it did so (and the standard library's
modules were imported before the test), so this swaps the `__code__` of the one
function object every reference shares. The mutant is compiled from the mutated
module file in the work dir, so a trace through it names that file and the mutant's
lines, as a user's trace would.

The JSON holds: module (dotted name), qualname (Class.method or function), path
(the mutated module, relative to the work dir) and line (the def's first line).
Standard library only; any failure raises, the test module fails to import, and
the caller drops the run.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import types

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = "codeintel_trace_patch.json"


def _function(owner: object, name: str) -> types.FunctionType:
    raw = vars(owner)[name]
    return inspect.unwrap(getattr(raw, "__func__", raw))  # staticmethod, classmethod, wraps


def _target(module: types.ModuleType, qualname: str) -> types.FunctionType:
    *classes, name = qualname.split(".")
    owner: object = module
    for part in classes:
        owner = getattr(owner, part)
    return _function(owner, name)


def _is_def(node: ast.AST, name: str, line: int) -> bool:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != name:
        return False
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return line in (first, node.lineno)


def _find(body: list[ast.stmt], names: list[str], line: int, chain: list[ast.ClassDef]):
    """The def of the qualname `names` and its classes, looking inside if/try/with blocks."""
    for node in body:
        if len(names) == 1 and _is_def(node, names[0], line):
            return node, chain
        if isinstance(node, ast.ClassDef) and len(names) > 1 and node.name == names[0]:
            found = _find(node.body, names[1:], line, [*chain, node])
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            blocks = [node.body, getattr(node, "orelse", []), getattr(node, "finalbody", [])]
            blocks += [h.body for h in getattr(node, "handlers", [])]
            found = next((f for b in blocks if (f := _find(b, names, line, chain))), None)
        else:
            continue
        if found:
            return found
    return None


def _definition(tree: ast.Module, qualname: str, line: int) -> ast.Module:
    """A module holding only the def (no decorators), inside its classes (for `super()`)."""
    found = _find(tree.body, qualname.split("."), line, [])
    if found is None:
        raise LookupError(f"no def of {qualname} at line {line}")
    node, chain = found
    node.decorator_list = []
    for cls in reversed(chain):
        cls.body, cls.decorator_list, cls.bases, cls.keywords = [node], [], [], []
        node = cls
    return ast.Module(body=[node], type_ignores=[])


def _code_named(code: types.CodeType, name: str) -> types.CodeType | None:
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found = const if const.co_name == name else _code_named(const, name)
            if found is not None:
                return found
    return None


def apply(spec: dict) -> None:
    path = os.path.join(HERE, spec["path"])
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    module_code = compile(_definition(tree, spec["qualname"], spec["line"]), path, "exec")
    code = _code_named(module_code, spec["qualname"].rsplit(".", 1)[-1])
    if code is None:
        raise LookupError(f"no code for {spec['qualname']} in {path}")
    _target(importlib.import_module(spec["module"]), spec["qualname"]).__code__ = code


if __name__ == "codeintel_trace_patch":  # the copy in the sandbox, not this module
    with open(os.path.join(HERE, SPEC), encoding="utf-8") as _handle:
        apply(json.load(_handle))

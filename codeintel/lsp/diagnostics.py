""" "Run tests": the module's test file run in the sandbox; each failing test becomes
diagnostics on the lines of its trace (in the module) and on the test's own line."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from codeintel.errors import InputError
from codeintel.lsp.documents import Document, find_test_file, text_of, utf16_length
from codeintel.lsp.records import Target
from codeintel.sandbox import JobControl, TestResult, TestRun
from parsers.text import python_ast

SOURCE = "codeintel"  # the diagnostics' source, which the fix action looks for
COMMAND = "codeintel.runTests"


@dataclass(frozen=True)
class ModuleTests:
    """A module's test file, the text it was run with, and the run."""

    path: Path
    text: str
    run: TestRun
    module_file: str  # the module's path in the sandbox (what trace frames name)


def run_module_tests(target: Target, control: JobControl) -> ModuleTests:
    """The module's tests (the editor's text of both files) run against the module, over
    its project when it belongs to a package (`projects.sandbox_view`)."""
    from codeintel.lsp.projects import sandbox_view
    from codeintel.sandbox import SandboxConfig, run_tests

    document, settings = target.document, target.settings
    test = find_test_file(document.path, target.root, settings.test_files)
    if test is None:
        patterns = ", ".join(target.settings.test_files)
        raise InputError(f"no test file for {document.path.name} (looked for {patterns})")
    control.stage(f"running {test.name}")
    view = sandbox_view(document, test, target.open_documents)
    run = run_tests(
        view.files,
        [view.test_file],
        SandboxConfig().with_options(settings.timeout, settings.memory_mb, control=control),
        code_under_test=[view.module_file],
        layout=view.layout,
    )
    return ModuleTests(test, text_of(test, target.open_documents), run, view.module_file)


def _line(line: int, text: Sequence[str]) -> types.Range:
    """The whole of 1-based `line` (its indentation left out)."""
    content = text[line - 1] if 0 < line <= len(text) else ""
    start = len(content) - len(content.lstrip())
    end = utf16_length(content.rstrip("\r\n"))
    return types.Range(
        start=types.Position(line=max(line - 1, 0), character=start),
        end=types.Position(line=max(line - 1, 0), character=max(end, start)),
    )


def _message(result: TestResult) -> str:
    name = result.node_id.partition("::")[2] or result.node_id
    failure = result.failure
    if failure is None:
        return f"{name} {result.outcome.value}"
    return f"{name}: {failure.exc_type}: {failure.message}".rstrip(": ")


def module_diagnostics(
    document: Document, test_text: str, run: TestRun, module_file: str = ""
) -> list[types.Diagnostic]:
    """One diagnostic per line of each failing test's trace in the module; when the trace
    never enters the module (an assertion on a returned value), one on the `def` line of
    each module function the test calls."""
    lines = document.text.splitlines(keepends=True)
    defs = _definitions(document.text)
    tests = _functions(test_text)
    found = []
    for result in (t for t in run.tests if t.node_id in run.failed):
        frames = result.failure.frames if result.failure else ()
        name = module_file or document.path.name
        where = [(f.line, f.function) for f in frames if f.path == name]
        if not where:
            called = _called_names(tests.get(_test_name(result.node_id)))
            where = [(defs[name].lineno, name) for name in called if name in defs]
        for line, function in where:
            found.append(_diagnostic(line, lines, result, {"function": function}))
    return found


def _diagnostic(
    line: int, lines: Sequence[str], result: TestResult, data: dict
) -> types.Diagnostic:
    return types.Diagnostic(
        range=_line(line, lines),
        message=_message(result),
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
        data={"test": result.node_id, **data},
    )


def _definitions(text: str) -> dict[str, ast.AST]:
    """Top-level functions and classes of `text` by name (none when it does not parse)."""
    tree = python_ast(text)
    if tree is None:
        return {}
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {n.name: n for n in tree.body if isinstance(n, kinds)}


def _functions(text: str) -> dict[str, ast.AST]:
    """Every function of `text` by name, methods of test classes included."""
    tree = python_ast(text)
    if tree is None:
        return {}
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return {n.name: n for n in ast.walk(tree) if isinstance(n, kinds)}


def _called_names(node: ast.AST | None) -> list[str]:
    """Names called directly inside `node`, first call first, each once."""
    if node is None:
        return []
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.func.id for n in calls))


def _test_name(node_id: str) -> str:
    return node_id.rpartition("::")[2].partition("[")[0]


def diagnostics_in_tests(test_text: str, run: TestRun) -> list[types.Diagnostic]:
    """One diagnostic per failing test, on its `def` line in the test file."""
    where = {name: node.lineno for name, node in _functions(test_text).items()}
    lines = test_text.splitlines(keepends=True)
    return [
        _diagnostic(where.get(_test_name(result.node_id), 1), lines, result, {})
        for result in run.tests
        if result.node_id in run.failed
    ]

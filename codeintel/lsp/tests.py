""" "Generate tests": tests that passed against the current code, written into the
module's test file (created when there is none, extended when there is one)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types

from codeintel.lsp.documents import end_of, find_test_file, new_test_file, text_of, uri_of
from codeintel.lsp.records import Action, Proposal, Target
from codeintel.sandbox import JobControl
from parsers import Scope
from parsers.text import python_ast


def offered(target: Target, scope: Scope) -> bool:
    return not scope.name.startswith("_") or scope.name == "__init__"


def run(target: Target, control: JobControl, model: Any) -> Proposal:
    from codeintel import tasks

    document, settings = target.document, target.settings
    request = tasks.make_request(
        "tests",
        file=document.path,
        source=document.text,
        function=target.function,
        budget=settings.budget,
        timeout=settings.timeout,
        memory_mb=settings.memory_mb,
        control=control,
        progress=lambda what, share: control.stage(what),
    )
    result = tasks.run("tests", request, model)
    if not result.tests:
        return Proposal(f"no test for {target.function} passed against the current code")
    existing = find_test_file(document.path, target.root, target.settings.test_files)
    if existing is None:
        path, old = new_test_file(document.path, target.root, target.settings.test_files), ""
    else:
        path, old = existing, text_of(existing, target.open_documents)
    text = _file_text(result, path, request.root, old)
    counts = f"lines {result.lines_covered}/{result.lines_total}"
    message = f"{len(result.tests)} tests for {target.function} ({counts}) in {path.name}"
    return Proposal(message, _edit(path, old, text, created=existing is None))


def _file_text(result: Any, path: Path, root: Path, old: str) -> str:
    """What to add to the test file: a whole new file, or the new tests (renamed where
    the file already defines the name) with the imports they need, after the old text."""
    from codeintel.tasks.testgen import importable_from_project
    from codeintel.tasks.testgen.writer import path_setup, suite_file

    taken = _defined(old)
    tests = [_renamed(t, taken) for t in result.tests]
    importable = importable_from_project(root, result.module)
    setup = path_setup(path, root, importable) if not old else ""
    text = suite_file(result.module, tests, setup)
    if not old:
        return text
    body = text.split("\n", 2)[2] if text.startswith("#") else text  # the header line goes
    return ("\n\n" if old.endswith("\n") else "\n\n\n") + body


def _defined(source: str) -> set[str]:
    tree = python_ast(source)
    if tree is None:
        return set()
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _renamed(test: Any, taken: set[str]) -> Any:
    name, k = test.name, 2
    while name in taken:
        name, k = f"{test.name}_{k}", k + 1
    taken.add(name)
    if name == test.name:
        return test
    source = test.source.replace(f"def {test.name}(", f"def {name}(", 1)
    return replace(test, name=name, source=source)


def _edit(path: Path, old: str, added: str, created: bool) -> types.WorkspaceEdit:
    uri = uri_of(path)
    identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
    end = end_of(old)
    insert = types.TextEdit(range=types.Range(start=end, end=end), new_text=added)
    changes: Sequence[Any] = [types.TextDocumentEdit(text_document=identifier, edits=[insert])]
    if created:
        changes = [types.CreateFile(uri=uri), *changes]
    return types.WorkspaceEdit(document_changes=list(changes))


ACTION = Action(
    task="tests",
    command="codeintel.generateTests",
    title="Generate tests",
    kind=types.CodeActionKind.Source,
    offered=offered,
    run=run,
)

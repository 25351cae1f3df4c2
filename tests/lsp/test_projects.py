"""Run tests and Fix this function on a package project (tests/fixtures/projects/): the
tests import the package, load the project's conftest.py fixture, and the module's
siblings; the editor's unsaved text is what runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import apply, command, open_file, start, until

PROJECTS = Path(__file__).resolve().parents[1] / "fixtures" / "projects"
PACKAGE = {"flat": "inventory", "srclayout": "src/inventory"}


@pytest.mark.parametrize("layout", sorted(PACKAGE))
async def test_run_tests_and_fix_over_the_project(
    client: LanguageClient, tmp_path: Path, layout: str
) -> None:
    root = tmp_path / layout
    shutil.copytree(PROJECTS / layout, root)
    path = root / PACKAGE[layout] / "stock.py"
    await start(client, root)
    buggy = path.read_text().replace("level <= threshold", "level < threshold")
    uri = open_file(client, path)
    client.text_document_did_change(  # unsaved: only the editor has the bug
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=buggy)],
        )
    )
    result = await command(client, "codeintel.runTests", uri=uri)
    assert result["failed"] == ["tests/test_stock.py::test_needs_reorder_at_the_threshold"]
    assert result["message"].startswith("6 passed, 1 failed"), result  # conftest fixture used
    await until(client, "textDocument/publishDiagnostics", lambda: uri in client.diagnostics)
    (diagnostic,) = client.diagnostics[uri]
    assert diagnostic.range.start.line == 13  # def needs_reorder: the test calls it
    fixed = await command(client, "codeintel.fixFunction", uri=uri, function="needs_reorder")
    assert fixed["status"] == "applied", fixed
    (change,) = client.applied[0].document_changes
    assert apply(buggy, change.edits) == path.read_text()  # back to the correct text

"""The LSP setting `codeintel.model` with a causal checkpoint (a tiny random-weight
StarCoder2 built here): completion answers by its FIM template, Generate docstring
opens the docstring in place for it."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import command, open_file, start
from tests.models.conftest import tiny_causal


async def test_a_causal_model_completes_and_writes_docstrings(
    client: LanguageClient, workspace: Path, tmp_path: Path
) -> None:
    folder = tiny_causal(tmp_path / "starcoder2", "starcoder2")
    await start(client, workspace, {"model": str(folder)})
    uri = open_file(client, workspace / "calc.py")
    said = await command(client, "codeintel.generateDocstring", uri=uri, function="add")
    assert said["status"] in ("applied", "unchanged"), said  # a random model: rarely confident
    assert said["message"].startswith(("docstring for add", "no confident docstring for add"))
    at = types.Position(line=8, character=4)
    params = types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=at
    )
    found = await client.text_document_completion_async(params)
    assert found is not None and 1 <= len(found.items) <= 5  # the model loaded above
    for item in found.items:
        assert "\n" not in item.text_edit.new_text

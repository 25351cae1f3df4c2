"""The language server end to end: the real `codeintel serve` over stdio, driven by
pytest-lsp's client on a copy of tests/fixtures/lsp/workspace."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lsp" / "workspace"
REPO = Path(__file__).resolve().parents[2]
WAIT_S = 120.0  # a guard against a hang, never a measured time


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(FIXTURE, root)
    return root


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    return env


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "codeintel", "serve"], server_env=_environment()
    )
)
async def client(lsp_client: LanguageClient):
    lsp_client.applied = []  # the edits the server asked this client to apply
    _read_code_actions_as_sent(lsp_client)

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        lsp_client.applied.append(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    yield
    if lsp_client._server is None or lsp_client._server.returncode is None:  # still running
        await lsp_client.shutdown_session()


def _read_code_actions_as_sent(client: LanguageClient) -> None:
    """lsprotocol 2025.0 reads any code action with a `command` key as a bare Command,
    so a CodeAction that carries a Command loses its kind and diagnostics on the client
    side (the JSON on the wire is right). Tell the two apart by the type of `command`."""
    converter = client.protocol._converter

    def structure(obj: Any, _: type) -> types.Command | types.CodeAction:
        bare = isinstance(obj.get("command"), str)
        return converter.structure(obj, types.Command if bare else types.CodeAction)

    # The hook is keyed on the exact typing.Union lsprotocol's types use.
    union = Union[types.Command, types.CodeAction]  # noqa: UP007
    converter.register_structure_hook(union, structure)


async def start(client: LanguageClient, root: Path, options: dict | None = None) -> Any:
    """initialize (with `options` as initializationOptions) and initialized."""
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        initialization_options=options,
    )
    return await asyncio.wait_for(client.initialize_session(params), WAIT_S)


def open_file(client: LanguageClient, path: Path, version: int = 1) -> str:
    uri = path.as_uri()
    item = types.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=path.read_text()
    )
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    return uri


async def until(client: LanguageClient, method: str, holds: Callable[[], bool]) -> None:
    """Wait for notifications of `method` until `holds()` (registered before checking,
    so none is missed)."""
    while True:
        future = client.protocol.wait_for_notification_async(method)
        if holds():
            return
        await asyncio.wait_for(future, WAIT_S)


async def command(client: LanguageClient, name: str, **argument: Any) -> Any:
    params = types.ExecuteCommandParams(command=name, arguments=[argument])
    return await asyncio.wait_for(client.workspace_execute_command_async(params), WAIT_S)


def ended(client: LanguageClient) -> list[types.WorkDoneProgressEnd]:
    return [
        v
        for reports in client.progress_reports.values()
        for v in reports
        if isinstance(v, types.WorkDoneProgressEnd)
    ]


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """`text` with the edits applied, as an editor would (positions in the old text)."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    ordered = sorted(edits, key=lambda e: offset(e.range.start), reverse=True)
    for edit in ordered:
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def index_a_clone_of_scale(workspace: Path) -> None:
    """A documented near-clone of calc.py's `scale` in the workspace's index: the one
    docstring `Generate docstring` is confident of with any model."""
    from codeintel.retrieval import build_index

    (workspace / "units.py").write_text(
        'def scale_all(numbers, by=2):\n    """Multiply every value by factor."""\n'
        "    return [n * by for n in numbers]\n"  # scale with its names changed
    )
    build_index([workspace], workspace / ".codeintel" / "index")

"""What the server reads from disk: only documents inside its workspace folders, only
regular files, at most files.MAX_SOURCE_BYTES. The server runs under a 6 GB address-space
limit, so a regression (reading /dev/zero whole) ends the server, not the machine."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import WAIT_S, _environment, command, start
from tests.lsp.test_robustness import _code_actions, _still_serving

LIMITED = (
    "import os, resource, sys; limit = 6 * 1024**3; "
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); "
    "os.execv(sys.executable, [sys.executable, '-m', 'codeintel', 'serve'])"
)


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-c", LIMITED], server_env=_environment()
    )
)
async def limited(lsp_client: LanguageClient):
    yield
    if lsp_client._server is None or lsp_client._server.returncode is None:
        await lsp_client.shutdown_session()


async def _refused(client: LanguageClient, path: Path, why: str) -> None:
    uri = path.as_uri()
    actions = client.text_document_code_action_async(_code_actions(uri, 0))
    assert await asyncio.wait_for(actions, WAIT_S) is None
    result = await command(client, "codeintel.generateDocstring", uri=uri, line=0)
    assert result["status"] == "failed" and why in result["message"], result


async def test_devices_fifos_and_files_outside_the_workspace_are_refused(
    limited: LanguageClient, workspace: Path
) -> None:
    await start(limited, workspace)
    await _refused(limited, Path("/dev/zero"), "not in a workspace folder")
    await _refused(limited, Path("/etc/passwd"), "not in a workspace folder")
    (workspace / "zero.py").symlink_to("/dev/zero")  # inside, but it leads outside
    await _refused(limited, workspace / "zero.py", "not in a workspace folder")
    os.mkfifo(workspace / "pipe.py")
    await _refused(limited, workspace / "pipe.py", "not a regular file")
    big = workspace / "big.py"
    big.write_text("x = 1\n" * (4 * 1024 * 1024 // 6 + 10))
    await _refused(limited, big, "codeintel reads files up to 4 MB")
    await _still_serving(limited, workspace)


async def test_an_open_document_is_read_from_the_editor_wherever_it_lies(
    limited: LanguageClient, workspace: Path, tmp_path: Path
) -> None:
    await start(limited, workspace)
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text("def f(x):\n    return x\n")
    item = types.TextDocumentItem(
        uri=elsewhere.as_uri(), language_id="python", version=1, text=elsewhere.read_text()
    )
    limited.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    actions = limited.text_document_code_action_async(_code_actions(elsewhere.as_uri(), 1))
    assert await asyncio.wait_for(actions, WAIT_S)

"""Bad input of every kind: the server answers with an LSP error or a message, and
keeps serving. Also shutdown/exit, and `codeintel serve --tcp`."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcMethodNotFound
from pytest_lsp import ClientServerConfig, LanguageClient

from codeintel.cli import main
from tests.lsp.conftest import FIXTURE, WAIT_S, _environment, command, open_file, start, until


def _code_actions(uri: str, line: int) -> types.CodeActionParams:
    position = types.Position(line=line, character=0)
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=position, end=position),
        context=types.CodeActionContext(diagnostics=[]),
    )


def _write(client: LanguageClient, body: bytes) -> None:
    """Bytes to the server as one message, as they are (the client would check them)."""
    client.protocol.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _raw_request(client: LanguageClient, msg_id: str, method: str, params: dict) -> asyncio.Future:
    """A request the client's types would refuse to send; its answer's future."""
    future = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = future
    message = {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}
    _write(client, json.dumps(message).encode())
    return future


async def _still_serving(client: LanguageClient, workspace: Path) -> None:
    uri = open_file(client, workspace / "calc.py")
    actions = await asyncio.wait_for(
        client.text_document_code_action_async(_code_actions(uri, 4)), WAIT_S
    )
    assert actions and any(a.title == "codeintel: Fix this function" for a in actions)


async def test_malformed_json_is_shown_and_the_server_goes_on(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace)
    _write(client, b'{"jsonrpc": "2.0", "id": 7, "method": ')
    errors = lambda: [m for m in client.messages if m.type == types.MessageType.Error]  # noqa: E731
    await until(client, "window/showMessage", lambda: bool(errors()))
    await _still_serving(client, workspace)


async def test_unknown_method_and_unknown_command(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    with pytest.raises(JsonRpcMethodNotFound):
        await asyncio.wait_for(client.protocol.send_request_async("codeintel/nothing", {}), WAIT_S)
    with pytest.raises(JsonRpcException, match=r"codeintel\.nothing"):
        await command(client, "codeintel.nothing", uri=(workspace / "calc.py").as_uri())
    await _still_serving(client, workspace)


async def test_invalid_params(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    bad_arguments = types.ExecuteCommandParams(command="codeintel.fixFunction", arguments=[42])
    with pytest.raises(JsonRpcInvalidParams, match="expected one argument"):
        await asyncio.wait_for(client.workspace_execute_command_async(bad_arguments), WAIT_S)
    no_range = {"textDocument": {"uri": (workspace / "calc.py").as_uri()}, "context": {}}
    sent = _raw_request(client, "no-range", "textDocument/codeAction", no_range)
    with pytest.raises(JsonRpcInvalidParams):
        await asyncio.wait_for(sent, WAIT_S)
    await _still_serving(client, workspace)


async def test_a_file_that_does_not_parse(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    uri = open_file(client, workspace / "broken.py")
    params = _code_actions(uri, 1)
    assert await asyncio.wait_for(client.text_document_code_action_async(params), WAIT_S) is None
    result = await command(client, "codeintel.generateDocstring", uri=uri, function="oops")
    assert result["status"] == "failed"
    assert "line 1" in result["message"], result
    await until(client, "window/showMessage", lambda: bool(client.messages))
    assert client.messages[-1].type == types.MessageType.Error
    missing = await command(client, "codeintel.fixFunction", uri=uri, function="nowhere")
    assert missing["status"] == "failed"


async def test_a_function_the_file_does_not_define(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    uri = open_file(client, workspace / "calc.py")
    result = await command(client, "codeintel.fixFunction", uri=uri, function="nowhere")
    assert result["status"] == "failed" and "nowhere" in result["message"]
    assert (workspace / "calc.py").read_text() == (FIXTURE / "calc.py").read_text()


async def test_shutdown_then_exit_ends_the_server_with_0(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace)
    await asyncio.wait_for(client.shutdown_async(None), WAIT_S)
    client.exit(None)
    assert await asyncio.wait_for(client._server.wait(), WAIT_S) == 0


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, str(FIXTURE.parent / "raising_server.py")],
        server_env=_environment(),
    )
)
async def raising(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_a_task_that_raises_is_shown_and_the_server_goes_on(
    raising: LanguageClient, workspace: Path
) -> None:
    await start(raising, workspace)
    uri = open_file(raising, workspace / "calc.py")
    result = await command(raising, "codeintel.raises", uri=uri, function="add")
    assert result["status"] == "failed" and "the task broke" in result["message"]
    await until(raising, "window/showMessage", lambda: bool(raising.messages))
    assert "Raise failed" in raising.messages[-1].message
    await _still_serving(raising, workspace)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _message(stream, payload: dict) -> None:
    body = json.dumps(payload).encode()
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def _answer(stream) -> dict:
    length = 0
    while line := stream.readline().strip():
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def _connect(port: int, server: subprocess.Popen) -> socket.socket:
    """Connect once the server listens (it may still be importing)."""
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
        except ConnectionRefusedError:
            assert server.poll() is None, server.stderr.read()
            continue


def test_serve_over_tcp(tmp_path: Path) -> None:
    port = _free_port()
    command_line = [sys.executable, "-m", "codeintel", "serve", "--tcp", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command_line, env=_environment(), stderr=subprocess.PIPE)
    try:
        with _connect(port, server) as connection, connection.makefile("rwb") as stream:
            init = {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}
            _message(stream, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init})
            answer = _answer(stream)
            assert (
                answer["id"] == 1 and "executeCommandProvider" in answer["result"]["capabilities"]
            )
            _message(stream, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
            assert _answer(stream)["id"] == 2
            _message(stream, {"jsonrpc": "2.0", "method": "exit"})
        assert server.wait(WAIT_S) == 0
    finally:
        server.kill()
        server.wait()


def test_serve_rejects_a_bad_address(capsys) -> None:
    assert main(["serve", "--tcp", "localhost"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "HOST:PORT" in err

"""Long work: cancellation (both ways), the model loading, outdated answers, diagnostics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

from codeintel.sandbox.harness.toolkit import descendants
from tests.lsp.conftest import (
    WAIT_S,
    apply,
    command,
    ended,
    index_a_clone_of_scale,
    open_file,
    start,
    until,
)

SLOW = {"timeout": 300}  # the slow test sleeps 120 s: only a cancel ends it sooner


def _reported(client: LanguageClient) -> bool:
    """A progress report says the job's first sandbox run has started."""
    return any(
        isinstance(v, types.WorkDoneProgressReport) and v.message.endswith(": 1 sandbox runs")
        for reports in client.progress_reports.values()
        for v in reports
    )


def _run_tests(client: LanguageClient, uri: str, msg_id: str) -> asyncio.Future:
    params = types.ExecuteCommandParams(command="codeintel.runTests", arguments=[{"uri": uri}])
    sent = client.protocol.send_request_async("workspace/executeCommand", params, msg_id=msg_id)
    return asyncio.ensure_future(sent)


async def test_cancel_request_kills_the_job(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace, SLOW)
    uri = open_file(client, workspace / "slow.py")
    answer = _run_tests(client, uri, "slow-1")
    await until(client, "$/progress", lambda: _reported(client))
    assert descendants(client._server.pid)  # the sandbox is running the test
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="slow-1"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(answer, WAIT_S)
    await until(client, "$/progress", lambda: bool(ended(client)))  # after the kill
    assert [e.message for e in ended(client)] == ["cancelled"]
    assert descendants(client._server.pid) == []


async def test_cancel_progress_kills_the_job(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace, SLOW)
    uri = open_file(client, workspace / "slow.py")
    answer = _run_tests(client, uri, "slow-2")
    await until(client, "$/progress", lambda: _reported(client))
    (token,) = client.progress_reports
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(answer, WAIT_S)
    assert result["status"] == "cancelled"
    assert descendants(client._server.pid) == []


async def test_request_before_the_model_is_ready_waits_with_progress(
    client: LanguageClient, workspace: Path
) -> None:
    index_a_clone_of_scale(workspace)
    await start(client, workspace)  # the model starts loading now, in the background
    uri = open_file(client, workspace / "calc.py")
    result = await command(client, "codeintel.generateDocstring", uri=uri, function="scale")
    assert result["status"] == "applied", result
    (reports,) = client.progress_reports.values()
    messages = [r.message or "" for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert any(m.startswith("loading the model") for m in messages)
    (change,) = client.applied[0].document_changes
    new = apply((workspace / "calc.py").read_text(), change.edits)
    assert new.count('"""') == (workspace / "calc.py").read_text().count('"""') + 2
    # without a confident candidate the best guess is shown, labelled, and not inserted
    guess = await command(client, "codeintel.generateDocstring", uri=uri, function="add")
    assert guess["message"].startswith("no confident docstring for add (best guess"), guess
    assert len(client.applied) == 1


async def test_a_model_that_fails_to_load(client: LanguageClient, workspace: Path) -> None:
    missing = workspace / "no-such-model"
    await start(client, workspace, {"model": str(missing)})
    await until(client, "window/showMessage", lambda: bool(client.messages))
    assert "the model cannot load" in client.messages[0].message
    uri = open_file(client, workspace / "calc.py")
    result = await command(client, "codeintel.generateDocstring", uri=uri, function="scale")
    assert result["status"] == "failed" and "needs the model" in result["message"]
    fixed = await command(client, "codeintel.fixFunction", uri=uri, function="add")
    assert fixed["status"] == "applied"  # repair's edits need no model


async def test_an_answer_for_an_old_version_is_dropped(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace, {"budget": 3})  # the slow test runs past it
    path = workspace / "slow.py"
    uri = open_file(client, path)
    params = types.ExecuteCommandParams(
        command="codeintel.fixFunction", arguments=[{"uri": uri, "function": "wait"}]
    )
    answer = asyncio.ensure_future(client.workspace_execute_command_async(params))
    await until(client, "$/progress", lambda: bool(client.progress_reports))  # it has begun
    edited = path.read_text() + "\n# typed while the fix ran\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
        )
    )
    result = await asyncio.wait_for(answer, WAIT_S)
    assert result["status"] == "dropped", result
    assert client.applied == []


async def test_run_tests_publishes_failures_and_offers_the_fix(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace)
    path = workspace / "calc.py"
    uri = open_file(client, path)
    result = await command(client, "codeintel.runTests", uri=uri)
    assert result["failed"] == ["test_calc.py::test_add"]
    await until(client, "textDocument/publishDiagnostics", lambda: uri in client.diagnostics)
    (diagnostic,) = client.diagnostics[uri]
    assert diagnostic.range.start.line == 3  # def add(a, b): the test calls it
    assert "test_add" in diagnostic.message and "AssertionError" in diagnostic.message
    test_uri = (workspace / "tests" / "test_calc.py").as_uri()
    (on_test,) = client.diagnostics[test_uri]
    assert on_test.range.start.line == 3  # def test_add():
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    )
    actions = await client.text_document_code_action_async(params)
    (fix,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert fix.diagnostics and fix.diagnostics[0].message == diagnostic.message
    assert fix.command.command == "codeintel.fixFunction"

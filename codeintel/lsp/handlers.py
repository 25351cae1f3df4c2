"""Every LSP message codeintel answers, registered on a new server by `build_server`."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from codeintel.errors import USER_ERRORS, Cancelled
from codeintel.lsp import completion, diagnostics
from codeintel.lsp.actions import ACTIONS
from codeintel.lsp.documents import function_at, parse_or_none, uri_of
from codeintel.lsp.jobs import run_job
from codeintel.lsp.records import Action
from codeintel.lsp.server import (
    CodeintelServer,
    command_arguments,
    execute,
    log,
)
from codeintel.lsp.server import outcome as command_outcome
from codeintel.sandbox import tier_warning


def build_server() -> CodeintelServer:
    server = CodeintelServer()
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.SHUTDOWN)(shutdown)
    kinds = sorted({a.kind for a in ACTIONS.values()})
    options = types.CodeActionOptions(code_action_kinds=kinds)
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)(code_actions)
    for action in ACTIONS.values():
        server.command(action.command)(_command(action))
    server.command(diagnostics.COMMAND)(run_tests)
    triggers = types.CompletionOptions(trigger_characters=completion.TRIGGERS)
    server.feature(types.TEXT_DOCUMENT_COMPLETION, triggers)(complete)
    return server


def initialize(server: CodeintelServer, params: types.InitializeParams) -> None:
    server.configure(params.initialization_options)


def initialized(server: CodeintelServer, params: types.InitializedParams) -> None:
    if server.model is None and not server.model_failure:
        server.start_model()
    warning = tier_warning()  # what the sandbox does not protect here, said once
    if warning:
        server.show(types.MessageType.Warning, f"codeintel: warning: {warning}")


def did_change_configuration(
    server: CodeintelServer, params: types.DidChangeConfigurationParams
) -> None:
    server.configure(params.settings)


def shutdown(server: CodeintelServer, *args: Any) -> None:
    """Cancel every job, and answer every pending request as cancelled here: pygls
    would cancel them while iterating over the dict their answers remove them from."""
    for control in list(server.jobs):
        control.cancel()
    protocol = server.protocol
    for msg_id, future in list(protocol._request_futures.items()):
        if msg_id != protocol.msg_id and not future.done():
            future.cancel()


async def complete(server: CodeintelServer, params: types.CompletionParams) -> types.CompletionList:
    return await completion.complete_at(server, params)


def code_actions(
    server: CodeintelServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    """The actions offered on the function at the start of the range: nothing for a
    file that does not parse (the commands say why when run)."""
    try:
        document = server.document(params.text_document.uri)
    except USER_ERRORS as exc:
        log.info("no code actions: %s", exc)
        return None
    parsed = parse_or_none(document)
    scope = function_at(parsed, params.range.start.line + 1) if parsed else None
    if scope is None:
        return None
    target = server.target_of(document, scope.qualified_name)
    ours = [d for d in params.context.diagnostics if d.source == diagnostics.SOURCE]
    argument = {"uri": document.uri, "function": scope.qualified_name}
    found = []
    for action in ACTIONS.values():
        if action.offered(target, scope):
            found.append(_code_action(action, argument, ours))
    return found


def _code_action(action: Action, argument: dict, ours: list[types.Diagnostic]) -> types.CodeAction:
    quick_fix = action.kind == types.CodeActionKind.QuickFix
    return types.CodeAction(
        title=f"codeintel: {action.title}",
        kind=action.kind,
        command=types.Command(title=action.title, command=action.command, arguments=[argument]),
        diagnostics=ours if quick_fix and ours else None,
        is_preferred=True if quick_fix and ours else None,
    )


def _command(action: Action):
    async def handler(server: CodeintelServer, *args: Any) -> dict:
        return await execute(server, action, args)

    handler.__name__ = action.command.replace(".", "_")
    return handler


async def run_tests(server: CodeintelServer, *args: Any) -> dict:
    """The module's tests; failing ones published as diagnostics (module and test file)."""
    spec = command_arguments(args)
    try:
        document = server.document(spec.uri)
        target = server.target_of(document, None)
        tests = await run_job(
            server, "codeintel: Run tests", lambda c: diagnostics.run_module_tests(target, c)
        )
    except Cancelled:
        return command_outcome("cancelled", "Run tests: cancelled")
    except USER_ERRORS as exc:
        server.show(types.MessageType.Error, f"codeintel: Run tests: {exc}")
        return command_outcome("failed", str(exc))
    if not server.is_current(document):
        return command_outcome("dropped", f"{document.path.name} changed while its tests ran")
    run = tests.run
    for uri, found in (
        (
            document.uri,
            diagnostics.module_diagnostics(document, tests.text, run, tests.module_file),
        ),
        (uri_of(tests.path), diagnostics.diagnostics_in_tests(tests.text, run)),
    ):
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=found)
        )
    message = f"{len(run.passed)} passed, {len(run.failed)} failed ({run.outcome.value})"
    server.show(types.MessageType.Info, f"codeintel: {tests.path.name}: {message}")
    return {**command_outcome("done", message), "failed": list(run.failed)}

"""The language server (pygls 2): handlers a few lines long that look up the action
table and the jobs; no task logic here.

    initialize            settings from initializationOptions; capabilities
    initialized           the model starts loading in the background (once)
    didChangeConfiguration  settings again (a new model path loads the new model)
    codeAction            the actions offered on the function at the cursor
    executeCommand        an action as a job (progress, cancellable); its edit applied
                          through workspace/applyEdit if the document is unchanged
    codeintel.runTests    the module's tests; failures published as diagnostics
    shutdown              every running job cancelled
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from codeintel import __version__
from codeintel.errors import USER_ERRORS, Cancelled, ConfigError, InputError, ModelError
from codeintel.files import read_text
from codeintel.lsp.actions import WITHOUT_MODEL
from codeintel.lsp.completion import WorkspaceIndex
from codeintel.lsp.documents import Document, function_at, parsed_python, path_of
from codeintel.lsp.jobs import WatchedModel, run_job
from codeintel.lsp.records import Action, Proposal, Target
from codeintel.lsp.settings import ServerSettings, updated
from codeintel.models.loading import ModelHandle
from codeintel.models.spec import start_backend
from codeintel.sandbox import JobControl

log = logging.getLogger("codeintel.lsp")


class CodeintelProtocol(LanguageServerProtocol):
    """pygls' protocol, but a request whose params do not fit its method gets an
    InvalidParams answer (pygls only logs it, and the client would wait forever)."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
            raise


class CodeintelServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("codeintel", __version__, protocol_cls=CodeintelProtocol)
        self.settings = ServerSettings()
        self.model: ModelHandle | None = None  # None until `initialized`, or if it failed
        self.model_failure = ""
        self.jobs: set[JobControl] = set()
        self.workspace_index = WorkspaceIndex()

    # --- messages ---------------------------------------------------------------------

    def show(self, kind: types.MessageType, message: str) -> None:
        log.info("%s: %s", kind.name, message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # --- settings and the model -------------------------------------------------------

    def configure(self, options: Any) -> None:
        """Apply editor settings; a bad one is shown and the others are kept."""
        try:
            new = updated(self.settings, options)
        except ConfigError as exc:
            self.show(types.MessageType.Error, f"codeintel: {exc}")
            return
        which = (new.model, new.model_name)
        reload = self.model is not None and which != (self.settings.model, self.settings.model_name)
        self.settings = new
        if reload:
            self.start_model()

    def start_model(self) -> None:
        try:
            self.model, self.model_failure = (
                start_backend(self.settings.model, self.settings.model_name),
                "",
            )
        except USER_ERRORS as exc:
            self.model, self.model_failure = None, str(exc)
            self.show(types.MessageType.Error, f"codeintel: the model cannot load: {exc}")

    def model_for(self, action: Action, control: JobControl) -> ModelHandle:
        """The model as `action`'s job sees it; ModelError if it needs one that failed."""
        if self.model is not None:
            return WatchedModel(self.model, control)
        if action.command in WITHOUT_MODEL:
            return ModelHandle(None)
        why = self.model_failure or "it was not started (no `initialized` notification yet)"
        raise ModelError(f"{action.title} needs the model, which did not load: {why}")

    # --- documents ----------------------------------------------------------------------

    def document(self, uri: str) -> Document:
        """The editor's text of an open document; else the disk's, for a file inside a
        workspace folder only, read as every file is (a regular file, at most
        files.MAX_SOURCE_BYTES, UTF-8): never a device, a FIFO or a file elsewhere."""
        path = path_of(uri)
        opened = self.workspace.text_documents.get(uri)
        if opened is not None:
            return Document(uri, path, opened.source, opened.version)
        if not self.in_workspace(path):
            raise InputError(f"{path} is not in a workspace folder; codeintel serves only those")
        return Document(uri, path, read_text(path, "file"), None)

    def in_workspace(self, path: Path) -> bool:
        """Whether `path` (its symlinks resolved) lies inside a workspace folder."""
        folders = [path_of(f.uri) for f in self.workspace.folders.values()]
        if self.workspace.root_path:
            folders.append(Path(self.workspace.root_path))
        real = Path(os.path.realpath(path))
        return any(real.is_relative_to(os.path.realpath(folder)) for folder in folders)

    def is_current(self, document: Document) -> bool:
        """The document is still as it was when the job read it."""
        try:
            now = self.document(document.uri)
        except InputError:
            return False
        return (now.version, now.text) == (document.version, document.text)

    def root(self, document: Document) -> Path:
        root = self.workspace.root_path
        if root and document.path.is_relative_to(root):
            return Path(root)
        return document.path.parent

    def target(self, spec: CommandArguments) -> Target:
        """The function the arguments name (or the one at their line) in the document,
        which must parse and define it."""
        document = self.document(spec.uri)
        parsed = parsed_python(document)
        if spec.function is not None:
            parsed.find(spec.function)  # ScopeNotFoundError for a name it does not define
            return self.target_of(document, spec.function)
        if spec.line is None:
            raise InputError("no function given (a name or a line)")
        scope = function_at(parsed, spec.line + 1)
        if scope is None:
            raise InputError(f"no function at line {spec.line + 1} of {document.path.name}")
        return self.target_of(document, scope.qualified_name)

    def target_of(self, document: Document, function: str | None) -> Target:
        opened = {
            path_of(d.uri): d.source
            for d in self.workspace.text_documents.values()
            if d.uri.startswith("file:")
        }
        root = self.root(document)
        return Target(document, function, root, self.settings, opened, self.workspace_index)


@dataclass(frozen=True)
class CommandArguments:
    uri: str
    function: str | None = None  # a qualified name, as code actions send it
    line: int | None = None  # or a 0-based line inside it, as the editor's commands send


def command_arguments(args: tuple[Any, ...]) -> CommandArguments:
    """The one argument every codeintel command takes:
    {"uri": "file://...", "function": "name"} or {"uri": ..., "line": 0-based line}."""
    if len(args) != 1 or not isinstance(args[0], dict) or not isinstance(args[0].get("uri"), str):
        raise JsonRpcInvalidParams.of(
            ValueError('expected one argument {"uri": "file://...", "function": "name"}')
        )
    function, line = args[0].get("function"), args[0].get("line")
    if function is not None and not isinstance(function, str):
        raise JsonRpcInvalidParams.of(ValueError("function must be a string"))
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 0):
        raise JsonRpcInvalidParams.of(ValueError("line must be a line number (from 0)"))
    return CommandArguments(args[0]["uri"], function, line)


def outcome(status: str, message: str, edit: types.WorkspaceEdit | None = None) -> dict:
    """A command's answer: status (applied, proposed, unchanged, dropped, cancelled,
    failed), what happened, and the edit (applied or for the client to apply)."""
    return {"status": status, "message": message, "edit": edit}


async def execute(server: CodeintelServer, action: Action, args: tuple[Any, ...]) -> dict:
    """`action` on the function the arguments name, as a job; its edit delivered."""
    spec = command_arguments(args)
    try:
        target = server.target(spec)
        proposal = await run_job(
            server,
            f"codeintel: {action.title}",
            lambda control: action.run(target, control, server.model_for(action, control)),
        )
    except Cancelled:
        return outcome("cancelled", f"{action.title}: cancelled")
    except USER_ERRORS as exc:
        server.show(types.MessageType.Error, f"codeintel: {action.title}: {exc}")
        return outcome("failed", str(exc))
    except Exception as exc:  # a task that raised: shown, logged, and the server goes on
        log.exception("%s failed", action.command)
        server.show(types.MessageType.Error, f"codeintel: {action.title} failed: {exc!r}")
        return outcome("failed", repr(exc))
    return await deliver(server, target.document, action, proposal)


async def deliver(
    server: CodeintelServer, document: Document, action: Action, proposal: Proposal
) -> dict:
    """The edit, applied if the document did not change meanwhile (else dropped)."""
    if not server.is_current(document):
        message = f"{document.path.name} changed while {action.title} ran; its answer is dropped"
        server.show(types.MessageType.Warning, f"codeintel: {message}")
        return outcome("dropped", message)
    if proposal.edit is None:
        server.show(types.MessageType.Info, f"codeintel: {proposal.message}")
        return outcome("unchanged", proposal.message)
    workspace = server.client_capabilities.workspace
    if not proposal.apply:  # not confident: the user decides (the client's "Apply")
        server.show(types.MessageType.Warning, f"codeintel: {proposal.message}")
        return outcome("proposed", proposal.message, proposal.edit)
    if not server.settings.apply_edits or not (workspace and workspace.apply_edit):
        return outcome("proposed", proposal.message, proposal.edit)
    params = types.ApplyWorkspaceEditParams(edit=proposal.edit, label=action.title)
    applied = await server.workspace_apply_edit_async(params)
    server.show(types.MessageType.Info, f"codeintel: {proposal.message}")
    status = "applied" if applied.applied else "proposed"
    return outcome(status, proposal.message, proposal.edit)

"""What a code action is given and what it gives back: frozen dataclasses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from codeintel.lsp.documents import Document, text_edits
from codeintel.lsp.settings import ServerSettings
from codeintel.sandbox import JobControl
from parsers import Scope


@dataclass(frozen=True)
class Target:
    """The function an action works on, in its document, with the server's settings."""

    document: Document
    function: str | None  # qualified name (None: the whole module)
    root: Path  # the workspace root
    settings: ServerSettings
    open_documents: Mapping[Path, str] = field(default_factory=dict)  # editor texts by path
    workspace_index: Any = None  # the server's WorkspaceIndex (loads `.codeintel/index`)


@dataclass(frozen=True)
class Proposal:
    """An action's answer: what happened, in a sentence, and the edit, if it has one."""

    message: str
    edit: types.WorkspaceEdit | None = None
    # False: the edit is only offered, never applied by the server (a fix that is not
    # confident: the message says why)
    apply: bool = True


def document_edit(document: Document, new_text: str) -> types.WorkspaceEdit:
    """The edit turning the document's text into `new_text` (for its version, if open)."""
    identifier = types.OptionalVersionedTextDocumentIdentifier(
        uri=document.uri, version=document.version
    )
    change = types.TextDocumentEdit(
        text_document=identifier, edits=list(text_edits(document.text, new_text))
    )
    return types.WorkspaceEdit(document_changes=[change])


@dataclass(frozen=True)
class Action:
    """One code action: offered on a function when `offered` says so, run as a job.

    `run(target, control, model)` runs in a worker thread; `model` is a ModelHandle
    (jobs.WatchedModel while it loads; ModelHandle(None) where the load failed and the
    action's task can go on without it, see actions.WITHOUT_MODEL)."""

    task: str  # the task it runs (codeintel.tasks.TASKS)
    command: str  # the workspace/executeCommand name, e.g. "codeintel.fixFunction"
    title: str  # what the editor shows, e.g. "Fix this function"
    kind: str  # a CodeActionKind
    offered: Callable[[Target, Scope], bool]
    run: Callable[[Target, JobControl, Any], Proposal]

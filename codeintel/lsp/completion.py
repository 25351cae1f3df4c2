"""`textDocument/completion`: the completion task at the cursor, with the workspace's
index (`.codeintel/index` under the root, built by `codeintel index`) when there is one.

Completions are quick and frequent, so they are not jobs with progress: the task
runs in a worker thread, and while the model is still loading the answer is an empty,
incomplete list (the editor asks again as the user types). An answer computed for a
version of the document that is no longer current is dropped the same way.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types

from codeintel.errors import USER_ERRORS
from codeintel.lsp.documents import column_of, utf16_length

log = logging.getLogger("codeintel.lsp")
INDEX = Path(".codeintel") / "index"
TRIGGERS = [".", "(", "[", ",", "=", " "]
EMPTY = types.CompletionList(is_incomplete=True, items=[])
COMPLETION_ITEMS = 5  # the samples setting's default here


class WorkspaceIndex:
    """The root's index, loaded once and again whenever its manifest changes."""

    def __init__(self) -> None:
        self._key: tuple[Path, float] | None = None
        self._index: Any = None

    def get(self, root: Path) -> Any:
        manifest = root / INDEX / "manifest.json"
        try:
            key = (manifest, manifest.stat().st_mtime)
        except OSError:
            return None
        if key != self._key:
            from codeintel.retrieval import load_index

            try:
                self._index = load_index(root / INDEX)
            except Exception as exc:  # a broken index: completion goes on without it
                log.warning("the index %s cannot be used: %s", root / INDEX, exc)
                self._index = None
            self._key = key
        return self._index


def _items(found: list[Any], position: types.Position, end: int) -> list[types.CompletionItem]:
    span = types.Range(start=position, end=types.Position(line=position.line, character=end))
    return [
        types.CompletionItem(
            label=c.text.strip().split("\n")[0] or c.text,
            kind=types.CompletionItemKind.Text,
            detail=f"codeintel · log p {c.score:.2f}" + ("" if c.parses else " · does not parse"),
            sort_text=f"{rank:03d}",
            text_edit=types.TextEdit(range=span, new_text=c.text),
        )
        for rank, c in enumerate(found)
    ]


async def complete_at(server: Any, params: types.CompletionParams) -> types.CompletionList:
    """The completions at the cursor (none while the model loads, or when off)."""
    if not server.settings.completion or server.model is None or not server.model.ready():
        return EMPTY
    try:
        return await _complete(server, params)
    except USER_ERRORS as exc:  # asked at every keystroke: logged, not shown
        log.info("no completion: %s", exc)
        return EMPTY


async def _complete(server: Any, params: types.CompletionParams) -> types.CompletionList:
    from codeintel import tasks

    document = server.document(params.text_document.uri)
    lines = document.text.split("\n")
    position = params.position
    if position.line >= len(lines):
        return EMPTY
    text = lines[position.line]
    request = tasks.make_request(
        "complete",
        file=document.path,
        source=document.text,
        line=position.line + 1,
        column=column_of(text, position.character),
        samples=server.settings.samples or COMPLETION_ITEMS,
        index=server.workspace_index.get(server.root(document)),
    )
    model = server.model.get()
    loop = asyncio.get_running_loop()
    found = await loop.run_in_executor(None, tasks.run, "complete", request, model)
    if not server.is_current(document):
        return EMPTY
    end = utf16_length(text)
    return types.CompletionList(is_incomplete=False, items=_items(found, position, end))

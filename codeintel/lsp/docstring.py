""" "Generate docstring": the best confident docstring inserted into the function; the
model's, or the summary of a documented near-clone in the workspace's index
(`.codeintel/index`, built by `codeintel index`). When no candidate is confident, the best
guess is shown in the message, labelled, and nothing is inserted."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from codeintel.lsp.records import Action, Proposal, Target, document_edit
from codeintel.sandbox import JobControl
from parsers import Scope


def offered(target: Target, scope: Scope) -> bool:
    return not scope.docstring


def run(target: Target, control: JobControl, model: Any) -> Proposal:
    from codeintel.tasks.docstring import DocstringRequest, DocStyle
    from codeintel.tasks.docstring import run as summarize

    holder = target.workspace_index
    index = holder.get(target.root) if holder is not None else None
    path = index.relative(target.document.path) if index is not None else None
    text = target.document.text
    request = DocstringRequest(text, target.function, DocStyle.ONELINE, 5, False, index, path)
    loaded = model.get()
    control.stage(f"writing a docstring for {target.function}")
    result = summarize(request, loaded, insert_best=True)
    found = result.functions[0] if result.functions else None
    if found is None or not found.candidates:
        return Proposal(f"no docstring candidate for {target.function}")
    best = found.candidates[0]
    summary = best.docstring.splitlines()[0] if best.docstring else ""
    if not found.confident or result.patched_source is None:
        return Proposal(
            f"no confident docstring for {target.function} (best guess, not inserted: {summary})"
        )
    origin = f" (from {best.where})" if best.where else ""
    message = f"docstring for {target.function}: {summary}{origin}"
    return Proposal(message, document_edit(target.document, result.patched_source))


ACTION = Action(
    command="codeintel.generateDocstring",
    title="Generate docstring",
    kind=types.CodeActionKind.RefactorRewrite,
    offered=offered,
    run=run,
)

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
    from codeintel import tasks

    holder = target.workspace_index
    request = tasks.make_request(
        "doc",
        file=target.document.path,
        source=target.document.text,
        function=target.function,
        index=holder.get(target.root) if holder is not None else None,
        insert=True,
    )
    loaded = model.get()
    control.stage(f"writing a docstring for {target.function}")
    result = tasks.run("doc", request, loaded)
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
    task="doc",
    command="codeintel.generateDocstring",
    title="Generate docstring",
    kind=types.CodeActionKind.RefactorRewrite,
    offered=offered,
    run=run,
)

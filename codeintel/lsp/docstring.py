""" "Generate docstring": the model's best docstring inserted into the function."""

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

    request = DocstringRequest(target.document.text, target.function, DocStyle.ONELINE, 5, False)
    loaded = model.get()
    control.stage(f"writing a docstring for {target.function}")
    result = summarize(request, loaded, insert_best=True)
    if result.patched_source is None or not any(f.candidates for f in result.functions):
        return Proposal(f"no docstring candidate for {target.function}")
    best = result.functions[0].candidates[0].docstring
    message = f"docstring for {target.function}: {best.splitlines()[0] if best else ''}"
    return Proposal(message, document_edit(target.document, result.patched_source))


ACTION = Action(
    command="codeintel.generateDocstring",
    title="Generate docstring",
    kind=types.CodeActionKind.RefactorRewrite,
    offered=offered,
    run=run,
)

""" "Complete body": a body written from the signature and docstring, run against the
docstring's examples when it has some; the best one inserted."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lsprotocol import types

from codeintel.lsp.records import Action, Proposal, Target, document_edit
from codeintel.sandbox import JobControl
from parsers import Scope


def offered(target: Target, scope: Scope) -> bool:
    """A function that has a docstring and nothing after it."""
    if not scope.docstring or scope.docstring_span is None:
        return False
    source = target.document.text.encode("utf-8")
    return not source[scope.docstring_span.end_byte : scope.span.end_byte].strip()


def run(target: Target, control: JobControl, model: Any) -> Proposal:
    from codeintel.tasks.synthesize import (
        Check,
        SynthesisConfig,
        SynthesisRequest,
        project_support,
    )
    from codeintel.tasks.synthesize import run as synthesize

    n = target.settings.body_samples
    config = SynthesisConfig(samples=n, beam=max(n // 2, 1))
    config = replace(config, sandbox=replace(config.sandbox, control=control))
    support, layout = project_support(target.document.path)  # the package beside it
    text = target.document.text
    request = SynthesisRequest(text, target.function, None, config, support, layout)
    loaded = model.get()
    control.stage(f"writing a body for {target.function}")
    candidates = synthesize(request, loaded)
    if not candidates:
        return Proposal(f"no body candidate for {target.function} parsed")
    best = candidates[0]
    if best.check is Check.NONE:
        note = "not run: the docstring has no examples to check it against"
    elif best.passed:
        note = "it passed the docstring's examples"
    else:
        return Proposal(f"no body for {target.function} passed the docstring's examples")
    edit = document_edit(target.document, best.program)
    return Proposal(f"body for {target.function} ({note})", edit)


ACTION = Action(
    command="codeintel.completeBody",
    title="Complete body",
    kind=types.CodeActionKind.RefactorRewrite,
    offered=offered,
    run=run,
)

""" "Complete body": a body written from the signature and docstring, run against the
docstring's examples when it has some; the best one inserted."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from codeintel.lsp.records import Action, Proposal, Target, document_edit
from codeintel.sandbox import JobControl
from parsers import Scope

BODY_SAMPLES = 10  # the samples setting's default here


def offered(target: Target, scope: Scope) -> bool:
    """A function that has a docstring and nothing after it."""
    if not scope.docstring or scope.docstring_span is None:
        return False
    source = target.document.text.encode("utf-8")
    return not source[scope.docstring_span.end_byte : scope.span.end_byte].strip()


def run(target: Target, control: JobControl, model: Any) -> Proposal:
    from codeintel import tasks
    from codeintel.tasks.synthesize import Check

    settings = target.settings
    request = tasks.make_request(
        "body",
        file=target.document.path,  # the program runs beside its package
        source=target.document.text,
        function=target.function,
        samples=settings.samples or BODY_SAMPLES,
        timeout=settings.timeout,
        memory_mb=settings.memory_mb,
        control=control,
    )
    loaded = model.get()
    control.stage(f"writing a body for {target.function}")
    candidates = tasks.run("body", request, loaded)
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
    task="body",
    command="codeintel.completeBody",
    title="Complete body",
    kind=types.CodeActionKind.RefactorRewrite,
    offered=offered,
    run=run,
)

""" "Fix this function": repair against the module's test file (over the module's project
when it belongs to a package, `projects.sandbox_view`), the fix as an edit: applied when
it is confident (assess.py), otherwise offered with its label, for the user to apply."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from codeintel.errors import InputError
from codeintel.lsp.documents import find_test_file, text_of
from codeintel.lsp.projects import sandbox_view
from codeintel.lsp.records import Action, Proposal, Target, document_edit
from codeintel.sandbox import JobControl
from parsers import Scope


def _test_file(target: Target):
    patterns = target.settings.test_files
    return find_test_file(target.document.path, target.root, patterns)


def offered(target: Target, scope: Scope) -> bool:
    return _test_file(target) is not None


def run(target: Target, control: JobControl, model: Any) -> Proposal:
    from codeintel import tasks
    from codeintel.tasks.repair import Assessment, RepairOutcome

    test = _test_file(target)
    if test is None:
        raise InputError(f"no test file found for {target.document.path.name}")
    view = sandbox_view(target.document, test, target.open_documents)
    control.stage(f"repairing {target.function} against {test.name}")
    support = {k: v for k, v in view.files.items() if k not in (view.module_file, view.test_file)}
    settings = target.settings
    request = tasks.make_request(
        "repair",
        source=target.document.text,
        module_file=view.module_file,
        tests={view.test_file: text_of(test, target.open_documents)},
        support=support,
        layout=view.layout,
        function=target.function,
        budget=settings.budget,
        timeout=settings.timeout,
        memory_mb=settings.memory_mb,
        control=control,
    )
    result = tasks.run("repair", request, model)
    if result.outcome is not RepairOutcome.FIXED or result.patched_source is None:
        return Proposal(result.message)
    edit = document_edit(target.document, result.patched_source)
    confident = result.assessment.assessment is Assessment.CONFIDENT
    return Proposal(f"{result.message}; {result.assessment.label}", edit, apply=confident)


ACTION = Action(
    task="repair",
    command="codeintel.fixFunction",
    title="Fix this function",
    kind=types.CodeActionKind.QuickFix,
    offered=offered,
    run=run,
)

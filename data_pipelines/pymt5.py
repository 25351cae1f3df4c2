"""Stage 4: PyMT5 pairs for documented functions (doc, body and sig modes).

Parts, the same at training and at inference (codeintel.tasks.docstring):
`signature` is the header as written (`def f(a, b=1) -> int:`), `docstring` the
cleaned docstring, `body` the body without its docstring, at column 0.
"""

from __future__ import annotations

from codeintel.models import formats
from data_pipelines.config import BuildConfig, Task
from data_pipelines.examples import Example, make
from data_pipelines.functions import FunctionRecord
from parsers import ParsedFile, Scope
from parsers.text import body_without_docstring

MODES = (
    (formats.Prefix.DOC, Task.DOC),
    (formats.Prefix.BODY, Task.BODY),
    (formats.Prefix.SIG, Task.SIG),
)


def pymt5_examples(
    parsed: ParsedFile, scope: Scope, record: FunctionRecord, config: BuildConfig
) -> list[Example]:
    doc = (scope.docstring or "").strip()
    body = body_without_docstring(parsed, scope)
    if not doc or not body.strip():
        return []
    parts = {Task.DOC: doc, Task.BODY: body, Task.SIG: scope.signature}
    out = []
    for prefix, task in MODES:
        text = formats.pymt5_input(prefix, scope.signature, doc, body)
        example = make(task, text, parts[task], record.id, config)
        if example is not None:
            out.append(example)
    return out

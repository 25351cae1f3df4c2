"""Stage 6: completion samples from eWASH windows.

For a sampled cursor line inside a function's body: the input is
`formats.complete_input(context, before_cursor)`, where `before_cursor` is the
function's code before the line (column 0, cut from the front to fit) and
`context` is the eWASH window of the file without that code (eWASH puts the
target last; it is taken off the end so it is not shown twice). Two targets
per cursor: the next line, and the rest of the function.
"""

from __future__ import annotations

import random

from codeintel.context import build_ewash
from codeintel.models import formats
from data_pipelines.config import BuildConfig, Task
from data_pipelines.examples import MIN_CONTEXT, Example, cut, make, room
from data_pipelines.functions import FunctionRecord
from parsers import ParsedFile, Scope


def cursor_lines(parsed: ParsedFile, scope: Scope) -> list[int]:
    """Body lines that hold code (not blank, not the docstring), 1-based."""
    lines = parsed.source.decode("utf-8").split("\n")
    doc = scope.docstring_span
    return [
        n
        for n in range(scope.body_span.start_line, scope.span.end_line + 1)
        if n > scope.span.start_line
        and lines[n - 1].strip()
        and not lines[n - 1].lstrip().startswith("#")
        and not (doc and doc.start_line <= n <= doc.end_line)
    ]


def _dedented(lines: list[str], indent: int) -> str:
    return "\n".join(ln[indent:] if not ln[:indent].strip() else ln.lstrip() for ln in lines)


def _context(parsed: ParsedFile, scope: Scope, line: int, before: str, budget: int) -> str:
    if budget < MIN_CONTEXT:
        return ""
    text = build_ewash(parsed, budget, target=scope.qualified_name, line=line).text
    full = text.rstrip("\n")
    return full[: -len(before)].rstrip("\n") if before and full.endswith(before) else ""


def completion_examples(
    parsed: ParsedFile,
    scope: Scope,
    record: FunctionRecord,
    config: BuildConfig,
    rng: random.Random,
) -> list[Example]:
    candidates = cursor_lines(parsed, scope)
    if not candidates:
        return []
    lines = record.code.split("\n")
    indent = len(lines[0]) - len(lines[0].lstrip())
    out: list[Example] = []
    n = min(len(candidates), config.completions_per_function)
    for line in sorted(rng.sample(candidates, n)):
        at = line - record.start_line
        before_full = _dedented(lines[:at], indent)
        before = cut(before_full, config.max_input_tokens // 2, keep_tail=True)
        context = _context(parsed, scope, line, before_full, room(config, before))
        text = formats.complete_input(context, before)
        for target in (_dedented(lines[at : at + 1], indent), _dedented(lines[at:], indent)):
            example = make(Task.COMPLETE, text, target, record.id, config)
            if example is not None and example not in out:
                out.append(example)
    return out

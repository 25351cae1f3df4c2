"""Step 2: which functions to repair, most suspicious first, and what the model sees.

A function is handled as a *block*: its whole source lines with their original
indentation (decorators included). The model sees it at column 0
(`parsers.text.dedent`, as in training), with the failing test's trace and the
file's skeleton.
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from codeintel.context import build_skeleton
from codeintel.errors import UnknownFunctionError
from codeintel.models import formats
from codeintel.sandbox import TestRun
from codeintel.tasks.repair.records import Block, RepairRequest, Target
from parsers import ParsedFile, ParseError, Scope
from parsers.text import dedent, leading_indent, line_start, python_ast, whole_lines


def localize(request: RepairRequest, parsed: ParsedFile, baseline: TestRun) -> tuple[Target, ...]:
    """The functions to repair: the one the request names, or those localization ranks
    first (at most `config.max_functions`)."""
    if request.function is not None:
        try:
            scopes = [parsed.find(request.function)]
        except ParseError as exc:
            raise UnknownFunctionError(str(exc)) from exc
    else:
        hot = [line for line, _ in suspicious_lines(baseline, request.module_file)]
        failing = failing_test_sources(request.tests, baseline.failed)
        ranked = rank_functions(parsed, hot, request.tests.values(), failing)
        scopes = ranked[: request.config.max_functions]
    return tuple(Target(block_of(parsed, s)) for s in scopes)


def trace_lines(baseline: TestRun, module_file: str) -> tuple[int, ...]:
    """Lines of the module named in the failing tests' traces, innermost frame first."""
    lines: list[int] = []
    for test in baseline.tests:
        if test.failure is None:
            continue
        for frame in reversed(test.failure.frames):
            if frame.path == module_file and frame.line not in lines:
                lines.append(frame.line)
    return tuple(lines)


def ochiai(baseline: TestRun) -> dict[int, float]:
    """Each line's suspiciousness by the Ochiai spectrum formula over the baseline's
    per-test coverage: ef / sqrt(F * (ef + ep)), ef and ep the failing and passing tests
    that run the line, F the failing tests; lines no failing test runs are left out."""
    coverage, failed = baseline.coverage, set(baseline.failed)
    if coverage is None or not failed:
        return {}
    ran_failing: Counter[int] = Counter()
    ran_passing: Counter[int] = Counter()
    for test, lines in coverage.lines_by_test:
        (ran_failing if test in failed else ran_passing).update(lines)
    return {
        line: ef / math.sqrt(len(failed) * (ef + ran_passing[line]))
        for line, ef in ran_failing.items()
    }


def suspicious_lines(baseline: TestRun, module_file: str) -> tuple[tuple[int, float], ...]:
    """The module's lines by suspicion: those in the failing traces first (innermost
    frame first, scored 1.0), then by Ochiai score (ties: in source order)."""
    scores = ochiai(baseline)
    ranked = {line: 1.0 for line in trace_lines(baseline, module_file)}
    for line in sorted(scores, key=lambda n: (-scores[n], n)):
        ranked.setdefault(line, round(scores[line], 4))
    return tuple(ranked.items())


def first_trace(baseline: TestRun) -> str:
    failures = [t.failure.trace for t in baseline.tests if t.failure is not None]
    return failures[0] if failures else ""


def rank_functions(
    parsed: ParsedFile,
    lines: Sequence[int],
    test_sources: Iterable[str],
    failing_sources: Iterable[str] = (),
) -> list[Scope]:
    """Functions to repair, most suspicious first: those holding the suspicious `lines` in
    their order (the trace's, then by Ochiai score), then those the failing tests call,
    then those any test calls, then the rest."""
    ordered: list[Scope] = []
    for line in lines:
        scope = _innermost_function(parsed, line)
        if scope is not None and scope not in ordered:
            ordered.append(scope)
    functions = list(parsed.functions())
    for sources in (failing_sources, test_sources):
        called = _called_names(sources)
        ordered += [s for s in functions if s.name in called and s not in ordered]
    ordered += [s for s in functions if s not in ordered]
    return ordered


def failing_test_sources(tests: Mapping[str, str], failed: Sequence[str]) -> list[str]:
    """The source of each failing test's function (found by its node id in its file)."""
    found = []
    for node_id in failed:
        path, _, rest = node_id.partition("::")
        tree = python_ast(tests.get(path, ""))
        names = [n.partition("[")[0] for n in rest.split("::") if n]
        scope = list(tree.body) if tree is not None else []
        node = None
        for name in names:
            node = next((n for n in scope if getattr(n, "name", None) == name), None)
            scope = list(getattr(node, "body", []))
        if node is not None:
            found.append(ast.unparse(node))
    return found


def _innermost_function(parsed: ParsedFile, line: int) -> Scope | None:
    best = None
    for scope in parsed.functions():
        if scope.span.contains_line(line):
            best = scope
    return best


def _called_names(test_sources: Iterable[str]) -> set[str]:
    return {m.group(1) for src in test_sources for m in re.finditer(r"\b(\w+)\s*\(", src)}


def block_of(parsed: ParsedFile, scope: Scope) -> Block:
    """The scope's whole lines (`parsers.text.whole_lines`)."""
    span = scope.span
    text = whole_lines(parsed.source, span.start_byte, span.end_byte)
    start = line_start(parsed.source, span.start_byte)
    end = start + len(text.encode("utf-8"))
    return Block(scope.qualified_name, start, end, span.start_line, text, leading_indent(text))


def function_block(text: str, name: str = "function") -> Block:
    """The block of a function given on its own (at column 0, from line 1)."""
    return Block(name, 0, len(text.encode("utf-8")), 1, text, "")


def with_model_input(target: Target, parsed: ParsedFile, trace: str, model: Any) -> Target:
    """The target with the model's input: the function, the trace, and as much of the
    file's skeleton as fits the model's input length (none without a model)."""
    function = dedent(target.block.text)
    if model is None:
        return Target(target.block, formats.fix_input(function, trace, ""))
    used = model.count_tokens(formats.fix_input(function, trace, ""))
    budget = max(model.max_input_tokens - used, 1)
    context = build_skeleton(
        parsed, target.block.qualified_name, budget, model.count_tokens, include_target=False
    )
    return Target(target.block, formats.fix_input(function, trace, context.text))

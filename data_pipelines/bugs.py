"""Synthetic bugs for training the repair model (DeepDebug).

Two sources of bugs:

- rule mutations (`make_bugs`): `codeintel.edits.mutations` applied to a
  correct function, sampled across operator families so that one family
  (wrong variable has the most sites) does not crowd out the others;
- neural mutations (`neural_bugs`): a model trained on the reverse task
  (`break:` correct function -> buggy function, backtranslation) proposes
  bugs; `filter_proposals` keeps the usable ones.

`bug_to_examples` turns a bug into training records in the formats of
`codeintel.models.formats`; `bug_trace` runs a covering test on the bug in
the sandbox to get the stack trace that becomes part of the input.

Pure functions except `bug_trace` (sandbox) and `neural_bugs` (model).
"""

from __future__ import annotations

import ast
import enum
import random
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from codeintel.edits import Mutation, Operator, mutations, parses
from codeintel.models import formats
from codeintel.records import JsonRecord


class BugKind(str, enum.Enum):
    RULE = "rule"  # one of the mutation operators of codeintel.edits
    NEURAL = "neural"  # proposed by a bug-creator model (backtranslation)


@dataclass(frozen=True)
class Bug(JsonRecord):
    origin: str  # id of the correct function it was made from
    kind: BugKind
    operator: Operator | None  # None for neural bugs
    buggy: str  # the buggy function source
    fixed: str  # the correct function source
    edit: formats.LineEdit | None  # the one-line fix buggy -> fixed, when there is one
    trace: str | None = None  # reduced stack trace of a covering test run on the bug


def fix_edit(buggy: str, fixed: str) -> formats.LineEdit | None:
    """The one-line edit that fixes `buggy`, including re-inserting a dropped line."""
    return formats.diff_to_edit(buggy, fixed) or _insertion_edit(buggy, fixed)


def _insertion_edit(buggy: str, fixed: str) -> formats.LineEdit | None:
    """`fixed` is `buggy` plus one line: re-insert it after the line above or before the next.

    `LineEdit` re-indents to the old line's indentation, so this works where the
    missing line is indented like one of its neighbours.
    """
    a, b = buggy.split("\n"), fixed.split("\n")
    if len(b) != len(a) + 1:
        return None
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if b[:at] + b[at + 1 :] != a:
        return None
    line = b[at].strip()
    neighbours = [(at - 1, True), (at, False)]  # (index in buggy, old line comes first)
    for index, above in neighbours:
        old = a[index].strip() if 0 <= index < len(a) else ""
        if not old or sum(1 for x in a if x.strip() == old) != 1:
            continue
        edit = formats.LineEdit(old=old, new=f"{old}\n{line}" if above else f"{line}\n{old}")
        if formats.apply_edit(buggy, edit) == fixed:
            return edit
    return None


def bug_from_mutation(origin: str, fixed: str, mutation: Mutation) -> Bug:
    return Bug(origin=origin, kind=BugKind.RULE, operator=mutation.operator,
               buggy=mutation.source, fixed=fixed, edit=fix_edit(mutation.source, fixed))


def sample_across_operators(found: Sequence[Mutation], rng: random.Random,
                            k: int) -> list[Mutation]:
    """Up to `k` mutations, round-robin over operator families in random order."""
    groups: dict[Operator, list[Mutation]] = {}
    for m in found:
        groups.setdefault(m.operator, []).append(m)
    for group in groups.values():
        rng.shuffle(group)
    order = list(groups)
    rng.shuffle(order)
    chosen: list[Mutation] = []
    while len(chosen) < k and any(groups.values()):
        for op in order:
            if groups[op] and len(chosen) < k:
                chosen.append(groups[op].pop())
    return chosen


def make_bugs(source: str, rng: random.Random, max_per_function: int, *, origin: str = "",
              operators: Iterable[Operator] | None = None) -> list[Bug]:
    """Up to `max_per_function` rule bugs of the correct function `source`.

    Deterministic for a given `rng` state. Raises `codeintel.edits.SourceSyntaxError`
    if `source` does not parse.
    """
    ops = None if operators is None else frozenset(operators)
    found = list(mutations(source, operators=ops))
    return [bug_from_mutation(origin, source, m)
            for m in sample_across_operators(found, rng, max_per_function)]


def bug_to_examples(bug: Bug, context: str, trace: str | None = None) -> list[dict[str, str]]:
    """Training records: the fix example, and the reverse `break` example."""
    trace = trace if trace is not None else bug.trace
    target = formats.encode_edit(bug.edit) if bug.edit else formats.function_target(bug.fixed)
    return [
        {"task": "fix", "input": formats.fix_input(bug.buggy, trace, context),
         "target": target, "origin": bug.origin},
        {"task": "break", "input": formats.break_input(bug.fixed),
         "target": formats.function_target(bug.buggy), "origin": bug.origin},
    ]


# --- neural bugs (backtranslation) -----------------------------------------------------


def _normal(source: str) -> str | None:
    try:
        return ast.dump(ast.parse(textwrap.dedent(source)))
    except (SyntaxError, ValueError):
        return None


def filter_proposals(original: str, proposals: Iterable[str]) -> list[str]:
    """Generated `break:` targets -> distinct buggy functions that parse and really differ.

    A proposal is kept if it decodes (`formats.decode_function`), parses, is not the
    original up to formatting (same AST), and was not kept before.
    """
    base, kept = _normal(original), []
    seen: set[str] = set()
    for text in proposals:
        function = formats.decode_function(text)
        if function is None or not function.strip() or not parses(function + "\n"):
            continue
        shape = _normal(function)
        if shape is None or shape == base or shape in seen:
            continue
        seen.add(shape)
        kept.append(function + "\n" if original.endswith("\n") else function)
    return kept


def neural_bugs(model: Any, functions: Mapping[str, str], n: int) -> list[Bug]:
    """Bugs proposed by a bug-creator model: `n` samples per function (id -> source).

    `model` is a `codeintel.models` model (`generate(inputs, GenerationConfig)`).
    """
    from codeintel.models import DecodeMode, GenerationConfig  # lazy: torch behind it

    ids = list(functions)
    inputs = [formats.break_input(functions[i]) for i in ids]
    outputs = model.generate(inputs, GenerationConfig(n=n, mode=DecodeMode.SAMPLE))
    bugs = []
    for origin, candidates in zip(ids, outputs, strict=True):
        fixed = functions[origin]
        for buggy in filter_proposals(fixed, (c.text for c in candidates)):
            bugs.append(Bug(origin=origin, kind=BugKind.NEURAL, operator=None, buggy=buggy,
                            fixed=fixed, edit=fix_edit(buggy, fixed)))
    return bugs


# --- traces ----------------------------------------------------------------------------


def with_bug(files: Mapping[str, str], bug: Bug) -> dict[str, str] | None:
    """The project files with the correct function replaced by the bug; None if not found."""
    holders = [path for path, text in files.items() if text.count(bug.fixed) == 1]
    if len(holders) != 1:
        return None
    path = holders[0]
    return {**files, path: files[path].replace(bug.fixed, bug.buggy, 1)}


def bug_trace(bug: Bug, files: Mapping[str, str], tests: Sequence[str], config: Any) -> str | None:
    """The reduced trace of the first covering test that fails on the bug, if any.

    `files` is the project with the correct function (path -> text), `tests` the
    tests that cover it and pass on it; `config` a `codeintel.sandbox.SandboxConfig`.
    """
    from codeintel.sandbox import run_tests  # lazy: data_pipelines sits above codeintel

    mutated = with_bug(files, bug)
    if mutated is None:
        return None
    run = run_tests(mutated, tests, config)
    failing = [t for t in run.tests if t.failure is not None and t.failure.trace]
    return failing[0].failure.trace if failing else None


def with_trace(bug: Bug, trace: str | None) -> Bug:
    return replace(bug, trace=trace)

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from codeintel.edits import Mutation, Operator, mutations
from codeintel.models import formats
from codeintel.records import JsonRecord
from parsers.text import dedent, parses


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
    edit: formats.Edit | None  # the span edit buggy -> fixed (None if they are equal)
    trace: str | None = None  # reduced stack trace of a covering test run on the bug


def bug_from_mutation(origin: str, fixed: str, mutation: Mutation) -> Bug:
    buggy = mutation.source
    return Bug(
        origin=origin,
        kind=BugKind.RULE,
        operator=mutation.operator,
        buggy=buggy,
        fixed=fixed,
        edit=formats.diff_to_edit(buggy, fixed),
    )


def sample_across_operators(
    found: Sequence[Mutation], rng: random.Random, k: int
) -> list[Mutation]:
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


def make_bugs(
    source: str,
    rng: random.Random,
    max_per_function: int,
    *,
    origin: str = "",
    operators: Iterable[Operator] | None = None,
) -> list[Bug]:
    """Up to `max_per_function` rule bugs of the correct function `source`.

    Deterministic for a given `rng` state. Raises `codeintel.edits.SourceSyntaxError`
    if `source` does not parse.
    """
    ops = None if operators is None else frozenset(operators)
    found = list(mutations(source, operators=ops))
    return [
        bug_from_mutation(origin, source, m)
        for m in sample_across_operators(found, rng, max_per_function)
    ]


def bug_to_examples(bug: Bug, context: str, trace: str | None = None) -> list[dict[str, str]]:
    """Training records: the fix example, and the reverse `break` example (both span edits)."""
    trace = trace if trace is not None else bug.trace
    breaking = formats.diff_to_edit(bug.fixed, bug.buggy)
    if bug.edit is None or breaking is None:
        return []
    return [
        {
            "task": "fix",
            "input": formats.fix_input(bug.buggy, trace, context),
            "target": formats.encode_edit(bug.edit),
            "origin": bug.origin,
        },
        {
            "task": "break",
            "input": formats.break_input(bug.fixed),
            "target": formats.encode_edit(breaking),
            "origin": bug.origin,
        },
    ]


# --- neural bugs (backtranslation) -----------------------------------------------------


def _normal(source: str) -> str | None:
    try:
        return ast.dump(ast.parse(dedent(source)))
    except (SyntaxError, ValueError):
        return None


def filter_proposals(original: str, proposals: Iterable[str]) -> list[str]:
    """Generated `break:` targets -> distinct buggy functions that parse and really differ.

    A proposal is kept if it is an edit that applies to the original
    (`formats.decode_edit`, `formats.apply_edit`), parses, is not the original up
    to formatting (same AST), and was not kept before.
    """
    base, kept = _normal(original), []
    seen: set[str] = set()
    for text in proposals:
        edit = formats.decode_edit(text)
        function = formats.apply_edit(original, edit) if edit is not None else None
        if function is None or not function.strip() or not parses(function + "\n"):
            continue
        shape = _normal(function)
        if shape is None or shape == base or shape in seen:
            continue
        seen.add(shape)
        kept.append(function)
    return kept


MAX_EDIT_TOKENS = 96  # generated edits are short; longer samples are cut there


def neural_bugs(model: Any, functions: Mapping[str, str], n: int, seed: int = 0) -> list[Bug]:
    """Bugs proposed by a bug-creator model: `n` samples per function (id -> source).

    `model` is a `codeintel.models` model (`generate(inputs, GenerationConfig)`).
    """
    from codeintel.models import DecodeMode, GenerationConfig  # lazy: torch behind it

    ids = list(functions)
    inputs = [formats.break_input(functions[i]) for i in ids]
    config = GenerationConfig(
        n=n, mode=DecodeMode.SAMPLE, max_new_tokens=MAX_EDIT_TOKENS, seed=seed
    )
    outputs = model.generate(inputs, config, edit_sources=[functions[i] for i in ids])
    bugs = []
    for origin, candidates in zip(ids, outputs, strict=True):
        fixed = functions[origin]
        for buggy in filter_proposals(fixed, (c.text for c in candidates)):
            bugs.append(
                Bug(
                    origin=origin,
                    kind=BugKind.NEURAL,
                    operator=None,
                    buggy=buggy,
                    fixed=fixed,
                    edit=formats.diff_to_edit(buggy, fixed),
                )
            )
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

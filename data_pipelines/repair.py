"""Stage 7: fix/break examples from synthetic bugs (DeepDebug).

The bug helper's `make_bugs` mutates the correct function (at column 0) up to
`config.bugs_per_function` times; `bug_to_examples` turns each bug into a `fix`
example (buggy function + empty trace + code skeleton -> edit or fixed function)
and its reverse `break` example. The skeleton is `build_skeleton(parsed, target,
budget, include_target=False)`, within the room the function leaves.
"""

from __future__ import annotations

import random

from codeintel.context import build_skeleton
from codeintel.edits import Operator, SourceSyntaxError
from data_pipelines.bugs import bug_to_examples, make_bugs
from data_pipelines.config import BuildConfig, Task
from data_pipelines.examples import MIN_CONTEXT, Example, make, room
from data_pipelines.functions import FunctionRecord
from parsers import ParsedFile, Scope


def skeleton(parsed: ParsedFile, scope: Scope, budget: int) -> str:
    if budget < MIN_CONTEXT:
        return ""
    return build_skeleton(parsed, scope.qualified_name, budget, include_target=False).text


def operator_sample(config: BuildConfig, rng: random.Random) -> list[Operator] | None:
    n = config.bug_operators_per_function
    return None if n <= 0 or n >= len(Operator) else rng.sample(list(Operator), n)


def repair_examples(
    parsed: ParsedFile,
    scope: Scope,
    record: FunctionRecord,
    config: BuildConfig,
    rng: random.Random,
) -> list[Example]:
    if config.bugs_per_function == 0:
        return []
    try:
        bugs = make_bugs(
            record.text,
            rng,
            config.bugs_per_function,
            origin=record.id,
            operators=operator_sample(config, rng),
        )
    except SourceSyntaxError:
        return []
    if not bugs:
        return []
    context = skeleton(parsed, scope, room(config, record.text))
    out = []
    for bug in bugs:
        for raw in bug_to_examples(bug, context):
            example = make(Task(raw["task"]), raw["input"], raw["target"], record.id, config)
            if example is not None:
                out.append(example)
    return out

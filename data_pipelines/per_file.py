"""The per-file work of a build, as pure functions over plain JSON records.

`file_records(data, ...)`: one file's bytes -> its functions (with dedup keys),
its per-function examples (pymt5, completion, fix/break) and, for a test file,
its test cases. `focal_file_records(data, pairs, ...)`: one focal file's bytes
and the test pairs that point into it -> test and assert examples. Both return
dicts that cross process boundaries and are cached as they are.
"""

from __future__ import annotations

import enum
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from codeintel.context.source import scope_text
from codeintel.errors import CodeintelError
from data_pipelines import completion, dedup, focal, pymt5, repair
from data_pipelines.config import BuildConfig
from data_pipelines.examples import Example
from data_pipelines.functions import FunctionRecord, keep, parse_source, record_of
from parsers import ParsedFile, ParseError, Scope

# Errors a context builder or mutator may raise on an odd function; the function
# keeps its record, it only gives no examples.
EXAMPLE_ERRORS = (CodeintelError, ParseError, ValueError, RecursionError, IndexError)


class FileStatus(str, enum.Enum):
    OK = "ok"
    UNREADABLE = "unreadable"  # not UTF-8 or syntax errors


@dataclass(frozen=True)
class FileMeta:
    path: str  # `label/relpath`
    package: str
    is_test: bool


def _rng(config: BuildConfig, ident: str, stage: str) -> random.Random:
    return random.Random(f"{config.seed}:{stage}:{ident}")


def function_examples(
    parsed: ParsedFile,
    scope: Scope,
    record: FunctionRecord,
    config: BuildConfig,
    with_context: bool = True,
) -> list[Example]:
    out = pymt5.pymt5_examples(parsed, scope, record, config)
    if not with_context:
        return out
    out += completion.completion_examples(
        parsed, scope, record, config, _rng(config, record.id, "complete")
    )
    out += repair.repair_examples(parsed, scope, record, config, _rng(config, record.id, "bugs"))
    return out


def _function_json(record: FunctionRecord, config: BuildConfig) -> dict:
    data = record.to_json()
    data["exact"] = dedup.exact_key(record.code)
    data["minhash"] = dedup.minhash(record.code, config.minhash_perms)
    return data


def file_records(data: bytes, meta: FileMeta, config: BuildConfig) -> dict:
    parsed = parse_source(data)
    if parsed is None:
        return {
            "status": FileStatus.UNREADABLE.value,
            "functions": [],
            "examples": [],
            "tests": [],
            "errors": 0,
        }
    scopes = [s for s in parsed.functions() if keep(parsed, s, config)]
    names = Counter(s.qualified_name for s in parsed.functions())
    records = [record_of(parsed, s, meta.path, meta.package, meta.is_test) for s in scopes]
    examples: list[Example] = []
    errors = 0
    chosen = context_sample(records, config)
    for scope, record in zip(scopes, records, strict=True):
        if names[scope.qualified_name] != 1:
            continue  # contexts look functions up by name; an overloaded name is ambiguous
        try:
            examples += function_examples(parsed, scope, record, config, record.id in chosen)
        except EXAMPLE_ERRORS:
            errors += 1
    tests = focal.test_cases(parsed, records) if meta.is_test else []
    return {
        "status": FileStatus.OK.value,
        "functions": [_function_json(r, config) for r in records],
        "examples": [example_json(e) for e in examples],
        "tests": [t.to_json() for t in tests],
        "errors": errors,
    }


def context_sample(records: Sequence[FunctionRecord], config: BuildConfig) -> set[str]:
    """The ids of the functions of a file that get the context tasks."""
    ids = sorted(r.id for r in records)
    if len(ids) <= config.context_functions_per_file:
        return set(ids)
    rng = _rng(config, ids[0], "sample")
    return set(rng.sample(ids, config.context_functions_per_file))


def example_json(example: Example) -> dict:
    return {**example.output(), "refs": list(example.refs)}


def focal_file_records(data: bytes, pairs: Sequence[dict], config: BuildConfig) -> dict:
    parsed = parse_source(data)
    if parsed is None:
        return {"examples": [], "errors": 0}
    examples: list[Example] = []
    errors = 0
    for raw in pairs:
        pair = focal.FocalPair(
            focal.TestCase.from_json(raw["test"]),
            raw["focal_id"],
            raw["focal_path"],
            raw["focal_name"],
        )
        try:
            scope = parsed.find(pair.focal_name)
            text = scope_text(parsed, scope, indent="")
            examples += focal.pair_examples(parsed, pair, text, config)
        except EXAMPLE_ERRORS:
            errors += 1
    return {"examples": [example_json(e) for e in examples], "errors": errors}

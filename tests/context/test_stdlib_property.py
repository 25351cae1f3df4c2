"""Property: on random functions of the standard library, every builder holds its budget
and keeps the target first (whole when it fits, cut from it otherwise)."""

from __future__ import annotations

import random
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

import parsers
from codeintel.context import PieceKind, approx_tokens, build_ewash, build_focal, build_skeleton
from codeintel.context.common import target_text
from parsers.scopes import ParsedFile, Scope

STDLIB = Path(sysconfig.get_paths()["stdlib"])
LENGTHS = {"approx_tokens": approx_tokens, "len": len}


def stdlib_files() -> list[Path]:
    skip = {"test", "tests", "site-packages", "dist-packages", "idlelib", "lib2to3", "__pycache__"}
    return sorted(p for p in STDLIB.rglob("*.py") if skip.isdisjoint(p.relative_to(STDLIB).parts))


def sample(seed: int, files: int, per_file: int) -> Iterator[tuple[ParsedFile, Scope]]:
    rng = random.Random(seed)
    paths = stdlib_files()
    for path in rng.sample(paths, min(files, len(paths))):
        try:
            parsed = parsers.parse(path.read_bytes(), "python")
        except parsers.ParseError:
            continue
        functions = list(parsed.functions())
        for scope in rng.sample(functions, min(per_file, len(functions))):
            yield parsed, parsed.find(scope.qualified_name)


def build(parsed: ParsedFile, scope: Scope, mode: str, budget: int, length, line: int | None):
    name = scope.qualified_name
    if mode == "ewash":
        return build_ewash(parsed, budget, length, target=name, line=line)
    if mode == "focal":
        return build_focal(parsed, name, budget, length)
    return build_skeleton(parsed, name, budget, length, include_target=mode == "skeleton")


def cursor(scope: Scope, rng: random.Random) -> int | None:
    """A line inside the body half the time (None: the whole function)."""
    span = scope.span
    if span.end_line == span.start_line or rng.random() < 0.5:
        return None
    return rng.randint(span.start_line + 1, span.end_line)


def check(parsed: ParsedFile, scope: Scope, rng: random.Random) -> None:
    name = scope.qualified_name
    budget = int(10 ** rng.uniform(0, 3.7))
    mode = rng.choice(["skeleton", "skeleton-bare", "focal", "ewash"])
    line = cursor(scope, rng) if mode == "ewash" else None
    expected = target_text(parsed, scope)
    if line is not None:  # the code before the cursor
        expected = "\n".join(expected.split("\n")[: line - scope.span.start_line]).rstrip("\n")
    for label, length in LENGTHS.items():
        context = build(parsed, scope, mode, budget, length, line)
        where = f"{mode} {name} line={line} budget={budget} length={label}"
        assert length(context.text) == context.tokens <= budget, where
        if mode == "skeleton-bare":
            assert all(p.kind is not PieceKind.TARGET for p in context.kept), where
            assert not context.truncated
            continue
        assert context.kept[0].kind is PieceKind.TARGET and context.kept[0].scope == name, where
        if length(expected) <= budget:
            assert not context.truncated, where
            placed = context.text.endswith if mode == "ewash" else context.text.startswith
            assert placed(expected), where
        else:
            assert context.truncated and len(context.kept) == 1, where
            cut = expected.endswith if line is not None else expected.startswith
            assert cut(context.text), where


def run(seed: int, files: int, per_file: int) -> int:
    rng = random.Random(seed)
    count = 0
    for parsed, scope in sample(seed, files, per_file):
        check(parsed, scope, rng)
        count += 1
    return count


def test_budget_holds_and_target_comes_first_on_stdlib_sample():
    assert run(seed=20211, files=40, per_file=5) >= 150


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_budget_holds_and_target_comes_first_on_large_stdlib_sample(seed):
    assert run(seed=seed, files=200, per_file=10) >= 1000

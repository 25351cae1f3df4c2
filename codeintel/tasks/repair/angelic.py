"""The values names take at the function's conditions in passing and failing calls,
to rank the clauses `condition_clause` adds (Nopol-style guidance).

The calls are the tests' own asserts on the function with literal sides
(`assert f(3, [1, 2]) == 4`, `self.assertEqual(f(3), 4)`; an argument may be an object
of the module's classes built from literals, `f(Link(1)) == 1`): each is run once on the
original function in the sandbox (the test generator's probe), with the locals recorded
as literals each time a condition's line is reached. A call that returns the expected
value is a passing run; one that returns something else or raises, a failing one.

A clause `k` added to a condition `c` is consistent with the runs when it changes no
evaluation of a passing run and changes some of a failing run: for `c or k`, `k` is
false wherever `c` is false in a passing run and true somewhere `c` is false in a
failing run; for `c and k`, the same with `c` true and `k` false. Consistent clauses
are tried first, those that change the most failing evaluations first (`ranked`). Only
a ranking: every other clause is still tried after them.

`observe` is the sandboxed edge; `expected_calls` and `ranked` are pure.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from codeintel.errors import CodeintelError
from codeintel.tasks.repair.assess import (
    CALL_SECONDS,
    IMPORT_SECONDS,
    call_names,
    calls_allowed,
    module_classes,
    module_of,
)
from codeintel.tasks.repair.records import Block, RepairRequest
from codeintel.tasks.testgen.plan import Args, Call, is_literal, literal_args
from codeintel.tasks.testgen.search import probe
from parsers.text import python_ast

CALLS = 40  # the tests' asserts run, at most
SNAPSHOTS = 80  # distinct snapshots of one condition a clause is checked against
# what a condition or a clause may call when evaluated on a snapshot's values
SAFE = {name: getattr(builtins, name) for name in (
    "len", "abs", "min", "max", "sum", "sorted", "any", "all", "set", "frozenset", "list",
    "tuple", "dict", "int", "float", "str", "bool", "range", "isinstance", "round")}  # fmt: skip


@dataclass(frozen=True)
class Snapshot:
    """The locals at one evaluation of a condition: its line in the function's block
    (1-based), each name's value as a literal, and whether the run failed."""

    line: int
    values: Mapping[str, str]
    failing: bool


def expected_calls(
    tests: Iterable[str], name: str, builders: Collection[str] = ()
) -> list[tuple[Args, str]]:
    """(argument list, expected value) of each assert in `tests` that compares a call
    of `name` (or of a helper's parameter it is passed to) with literal arguments (or
    objects `builders` build from literals) to a literal: `assert name(...) == v`,
    `v == name(...)`, `self.assertEqual(name(...), v)`."""
    trees = [t for t in map(python_ast, tests) if t is not None]
    names = call_names(trees, name)
    found: list[tuple[Args, str]] = []
    for tree in trees:
        for node in ast.walk(tree):
            found += _expected(node, names, builders)
    return list(dict.fromkeys(found))


def _expected(node: ast.AST, names: set[str], builders: Collection[str]) -> list[tuple[Args, str]]:
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
        sides = (node.left, node.comparators[0])
    elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("assertEqual"):
        sides = tuple(node.args[:2]) if len(node.args) >= 2 else ()
    else:
        return []
    out = []
    for call, value in (sides, sides[::-1]) if sides else ():
        if _calls(call, names) and is_literal(value):
            args = literal_args(call, builders)  # type: ignore[arg-type]
            out += [(args, ast.unparse(value))] if args is not None else []
    return out


def _calls(node: ast.AST, names: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)) in names


def observe(
    request: RepairRequest, block: Block, lines: Sequence[int], seconds: float
) -> tuple[Snapshot, ...]:
    """The snapshots at `lines` (1-based in the block) of the tests' asserted calls of the
    function (a module-level function), run on the original module; () when there are
    none, or the module cannot be run."""
    name = block.qualified_name
    classes = module_classes(request.source)
    expected = expected_calls(request.tests.values(), name, classes)[:CALLS]
    if "." in name or not expected or not lines or not calls_allowed(request):
        return ()
    module = module_of(request, request.source)
    calls = [Call(i, name, "function", name, args) for i, (args, _) in enumerate(expected)]
    watch = [block.start_line + line - 1 for line in lines]
    settings = (CALL_SECONDS, request.config.sandbox, IMPORT_SECONDS)
    try:
        found = probe(
            module.files, module.name, module.path, calls, seconds, *settings, watch=watch
        )  # type: ignore[arg-type]
    except CodeintelError:
        return ()
    snapshots = []
    for seen in found.observed:
        failing = not _passed(seen.record, expected[seen.call.id][1])
        for line, values in seen.record.get("watched", ()):
            snapshots.append(Snapshot(line - block.start_line + 1, values, failing))
    return tuple(snapshots)


def _passed(record: Mapping, expected: str) -> bool:
    """It returned the expected value: equal under `==` ({'a': 1, 'b': 2} as the test
    writes it and the dict's repr in another order are the same value)."""
    if record.get("status") != "returned":
        return False
    got = (record.get("value") or {}).get("literal")
    try:
        return got is not None and ast.literal_eval(got) == ast.literal_eval(expected)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def ranked(
    condition: str, clauses: Iterable[str], snapshots: Sequence[Snapshot]
) -> list[tuple[str, str]]:
    """The (clause, "and" | "or") pairs consistent with the runs at one condition, the
    most failing evaluations changed first (ties: in the order given)."""
    distinct = {(s.failing, tuple(sorted(s.values.items()))): s for s in snapshots}
    states = [(s.failing, _namespace(s.values)) for s in list(distinct.values())[:SNAPSHOTS]]
    before = [(failing, names, _truth(condition, names)) for failing, names in states]
    before = [(f, n, c) for f, n, c in before if c is not None]
    if not any(f for f, _, _ in before):
        return []
    scored = []
    for clause in clauses:
        code = _compiled(clause)
        values = [(f, c, _truth(code, n) if code else None) for f, n, c in before]
        for word, changes in (("or", False), ("and", True)):
            score = _changed(values, word, changes)
            if score:
                scored.append((-score, len(scored), clause, word))
    return [(clause, word) for _, _, clause, word in sorted(scored)]


def _changed(values: Sequence[tuple[bool, bool, bool | None]], word: str, when: bool) -> int:
    """Failing evaluations `c word k` changes; 0 when it changes a passing one or `k`
    cannot be evaluated somewhere it would matter."""
    count = 0
    for failing, condition, clause in values:
        if condition != when:
            continue  # `c or k` with c true, `c and k` with c false: unchanged
        if clause is None:
            return 0
        flips = clause != when  # or: k true flips a false c; and: k false flips a true c
        if flips and not failing:
            return 0
        count += flips and failing
    return count


def _namespace(values: Mapping[str, str]) -> dict:
    names = {}
    for name, text in values.items():
        try:
            names[name] = eval(text, {"__builtins__": SAFE})  # our own literals
        except Exception:
            continue
    return names


def _compiled(expression: str):
    try:
        return compile(expression, "<clause>", "eval")
    except SyntaxError:
        return None


def _truth(expression, names: Mapping) -> bool | None:
    try:
        return bool(eval(expression, {"__builtins__": SAFE}, dict(names)))
    except Exception:
        return None

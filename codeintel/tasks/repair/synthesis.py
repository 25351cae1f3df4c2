"""Synthesized candidates: expressions and statements the function does not contain,
built from its own vocabulary (the names in scope, its constants, one operator).

Pure: a dedented function source and its suspicious lines in, FamilyEdits out. General
repair operators from the literature, not tuned to any benchmark, each a family with
its own cap:

- fill_collection: a collection the function builds empty and reads but never changes
  (`seen = set()` ... `if x in seen`) filled where it is read: `seen.add(x)` with a
  name in scope, loop variables first, at each position inside a loop first;
- change_operator: the operator of a binary, augmented or comparison operation replaced
  by every other of its kind (the rule edits swap only inverse pairs);
- rebuild_return: a returned value rebuilt from the names in scope: a name, a constant,
  or `a OP b`;
- condition_clause: a condition strengthened (`c and k`) or weakened (`c or k`) with a
  clause `k` over a name in scope: `x`, `not x`, `x CMP v` (v a constant or a name),
  the names the condition already reads first;
- synthesize_statement: a statement inserted at the positions nearest the suspicious
  lines: a method call on a collection in scope (`seen.add(item)`: the methods of the
  collection's type, or those the function calls on its collections), a key stored in a
  dict, an assignment or augmented assignment of a local, an early return;
- replace_expression: a name, constant or binary operation on a suspicious line replaced
  by an expression of depth <= 2 over the names in scope and the constants
  (`v * 2` -> `v * factor`);
- swap_attribute: a field read (`node.successor`) replaced by another field the
  function reads or writes, or its plural or singular (`node.successors`);
- wrap_call: a value on a suspicious line (a name, field, item or binary operation)
  passed through a one-argument function the function calls, then a few builtins
  (`b - a` -> `abs(b - a)`, `sorted(xs)`), or a one-argument call unwrapped
  (`len(xs)` -> `xs`).

Families are interleaved (one edit of each in turn), so a fix in any family is reached
after about as many validations times the number of families as its place in its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice, zip_longest

from codeintel.tasks.repair.angelic import Snapshot, ranked
from codeintel.tasks.repair.families import (
    MUTATORS,
    FamilyEdit,
    capped,
    conditions,
    hot_positions,
    inserted,
    parsed_function,
    segment,
    spliced,
)

LIMITS = {  # candidates per family and function
    "fill_collection": 60,
    "change_operator": 60,
    "rebuild_return": 150,
    "condition_clause": 300,
    "synthesize_statement": 400,
    "replace_expression": 400,
    "swap_attribute": 60,
    "wrap_call": 120,
}
WRAPPERS = ("abs", "len", "sorted", "list", "set", "int", "str", "reversed")  # after its own
POSITIONS = 8  # insertion points tried, nearest the suspicious lines
GUIDED_CLAUSES = 600  # clauses of a condition checked against the values seen there
_ARITHMETIC = ("+", "-", "*", "/", "//", "%", "**")
_COMBINE = ("+", "-", "*", "//")  # the operators of synthesized expressions
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")
_KIND_METHODS = {  # the methods a statement may call, by the collection's type
    "set": ("add", "discard", "remove"),
    "list": ("append", "pop", "remove"),
    "dict": ("pop",),
    "deque": ("append", "appendleft", "pop", "popleft"),
}
_NO_ARGUMENT = frozenset({"pop", "popleft", "clear"})
_FILLERS = frozenset({"add", "append", "appendleft"})  # methods that put one item in
_CONSTRUCTORS = {"set": "set", "frozenset": "set", "list": "list", "dict": "dict",
                 "defaultdict": "dict", "Counter": "dict", "OrderedDict": "dict",
                 "deque": "deque"}  # fmt: skip
_LITERALS = {ast.Set: "set", ast.SetComp: "set", ast.List: "list", ast.ListComp: "list",
             ast.Dict: "dict", ast.DictComp: "dict"}  # fmt: skip


@dataclass(frozen=True)
class Vocabulary:
    """What synthesized code is made of."""

    names: tuple[str, ...]  # parameters, loop variables, other locals, `self.x` read
    locals: tuple[str, ...]  # names the function assigns (targets of statements)
    constants: tuple[str, ...]  # the function's constants as written, then 0 and 1
    collections: tuple[tuple[str, tuple[str, ...]], ...]  # name -> methods to call
    dicts: tuple[str, ...]  # names bound to dicts

    @property
    def atoms(self) -> tuple[str, ...]:
        return self.names + self.constants


def synthesized_edits(
    source: str, hot: frozenset[int] = frozenset(), snapshots: Sequence[Snapshot] = ()
) -> list[FamilyEdit]:
    """Every family's edits of the dedented function `source`, interleaved, each family
    capped (`LIMITS`); `hot`: the most suspicious lines (1-based in `source`);
    `snapshots`: the values at its conditions in passing and failing runs, which rank
    the condition clauses (`angelic`)."""
    function = parsed_function(source)
    if function is None:
        return []
    words = vocabulary(function)
    families = {
        "fill_collection": _fills(function, source, words, hot),
        "change_operator": _operators(function, source),
        "rebuild_return": _returns(function, source, words),
        "condition_clause": _clauses(function, source, words, snapshots),
        "synthesize_statement": _statements(function, source, words, hot),
        "replace_expression": _expressions(function, source, words, hot),
        "swap_attribute": _attributes(function, source, hot),
        "wrap_call": _wrapped(function, source, hot),
    }
    kept = [capped(source, [edits], LIMITS[name]) for name, edits in families.items()]
    return _interleaved(kept, source)


def _interleaved(families: Iterable[list[FamilyEdit]], source: str) -> list[FamilyEdit]:
    seen, found = {source}, []
    for row in zip_longest(*families):
        for edit in row:
            if edit is not None and edit.source not in seen:
                seen.add(edit.source)
                found.append(edit)
    return found


# --- the vocabulary ------------------------------------------------------------------


def vocabulary(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Vocabulary:
    args = function.args
    params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    params = [p for p in params if p not in ("self", "cls")]
    loops, assigned, kinds = _bindings(function)
    names = list(dict.fromkeys([*params, *loops, *assigned, *_self_attributes(function)]))
    collections = _collections(function, names, kinds)
    dicts = tuple(n for n, kind in kinds.items() if kind == "dict")
    return Vocabulary(tuple(names), tuple(assigned), _constants(function), collections, dicts)


def _bindings(function: ast.AST) -> tuple[list[str], list[str], dict[str, str]]:
    """Loop variables, other assigned names, and the collection kind of those bound to a
    set, list, dict or deque (comprehension variables are not in scope)."""
    loops, assigned, kinds = [], [], {}
    for node in ast.walk(function):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            loops += [n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in (t for t in targets if isinstance(t, ast.Name)):
                assigned.append(target.id)
                kind = _kind(node.value)
                if kind is not None:
                    kinds[target.id] = kind
    return list(dict.fromkeys(loops)), list(dict.fromkeys(assigned)), kinds


def _kind(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return _CONSTRUCTORS.get(name)
    return _LITERALS.get(type(value)) if value is not None else None


def _self_attributes(function: ast.AST) -> list[str]:
    return [
        f"self.{n.attr}"
        for n in ast.walk(function)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
        and isinstance(n.ctx, ast.Load)
    ]  # fmt: skip


def _called_methods(function: ast.AST) -> tuple[list[str], list[str]]:
    """The owners (as written) the function calls a mutating method on, and those methods."""
    owners, methods = [], []
    for node in ast.walk(function):
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS:
            owners.append(ast.unparse(func.value))
            methods.append(func.attr)
    return list(dict.fromkeys(owners)), list(dict.fromkeys(methods))


def _collections(
    function: ast.AST, names: list[str], kinds: dict[str, str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    owners, used = _called_methods(function)
    found = []
    for name in dict.fromkeys([*kinds, *(o for o in owners if o in names)]):
        typed = _KIND_METHODS.get(kinds.get(name, ""), ())
        methods = typed if name in kinds else tuple(used)
        found.append((name, tuple(dict.fromkeys([*methods, *(m for m in used if m in typed)]))))
    return tuple(found)


def _constants(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    docstring = ast.get_docstring(function, clean=False)
    found = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Constant) or node.value == docstring:
            continue
        value = node.value
        if isinstance(value, (int, float, str)) and len(repr(value)) <= 20:
            found.append(repr(value))
    return tuple(dict.fromkeys([*found, "0", "1"]))


def _expressions_of(words: Vocabulary) -> Iterator[str]:
    """Atoms, then `name OP atom`: the expressions of depth <= 2."""
    yield from words.atoms
    for op in _COMBINE:
        for left in words.names:
            for right in words.atoms:
                if right != left or op in ("+", "*"):
                    yield f"{left} {op} {right}"


# --- change_operator -----------------------------------------------------------------


def _operators(function: ast.AST, source: str) -> Iterator[FamilyEdit]:
    for node in ast.walk(function):
        before = segment(source, node) if isinstance(node, (ast.BinOp, ast.Compare)) else None
        if before is None or "\n" in before:
            continue
        for after in _other_operators(node):
            yield FamilyEdit("change_operator", node.lineno, before, after,
                             spliced(source, node, after))  # fmt: skip


def _other_operators(node: ast.BinOp | ast.Compare) -> Iterator[str]:
    if isinstance(node, ast.BinOp):
        left, right = ast.unparse(node.left), ast.unparse(node.right)
        left = f"({left})" if isinstance(node.left, (ast.BinOp, ast.BoolOp)) else left
        right = f"({right})" if isinstance(node.right, (ast.BinOp, ast.BoolOp)) else right
        mine = _symbol(node.op)
        yield from (f"{left} {op} {right}" for op in _ARITHMETIC if op != mine)
    elif len(node.ops) == 1:
        left, right = ast.unparse(node.left), ast.unparse(node.comparators[0])
        mine = _symbol(node.ops[0])
        yield from (f"{left} {op} {right}" for op in _COMPARE if op != mine)


def _symbol(op: ast.AST) -> str:
    """An operator's symbol, as ast.unparse writes it."""
    text = (
        ast.unparse(ast.BinOp(ast.Name("a"), op, ast.Name("b")))
        if isinstance(op, ast.operator)
        else ast.unparse(ast.Compare(ast.Name("a"), [op], [ast.Name("b")]))
    )
    return text.split(" ")[1]


# --- rebuild_return ------------------------------------------------------------------


def _returns(function: ast.AST, source: str, words: Vocabulary) -> Iterator[FamilyEdit]:
    returns = [n for n in ast.walk(function) if isinstance(n, ast.Return) and n.value]
    for expression in _expressions_of(words):
        for node in returns:
            before = segment(source, node.value)
            if before is not None and before != expression:
                yield FamilyEdit("rebuild_return", node.lineno, before, expression,
                                 spliced(source, node.value, expression))  # fmt: skip


# --- condition_clause ----------------------------------------------------------------


def _clause_texts(condition: ast.expr, words: Vocabulary) -> Iterator[str]:
    read = [n.id for n in ast.walk(condition) if isinstance(n, ast.Name)]
    names = list(dict.fromkeys([*(r for r in read if r in words.names), *words.names]))
    for name in names:
        yield name
        yield f"not {name}"
    for name in names:
        for op in _COMPARE:
            for value in words.atoms:
                if value != name:
                    yield f"{name} {op} {value}"


def condition_lines(source: str) -> list[int]:
    """The lines (1-based in the dedented function `source`) of its one-line conditions:
    where `angelic.observe` records the values the clauses are ranked by."""
    function = parsed_function(source)
    if function is None:
        return []
    return sorted({t.lineno for t in one_line_conditions(function, source)})


def one_line_conditions(function: ast.AST, source: str) -> list[ast.expr]:
    """The function's conditions written on one line (those a clause is added to)."""
    return [t for t in conditions(function) if (s := segment(source, t)) and "\n" not in s]


def _clauses(
    function: ast.AST, source: str, words: Vocabulary, snapshots: Sequence[Snapshot] = ()
) -> Iterator[FamilyEdit]:
    """The clauses the values at each condition single out first (every condition in
    turn), then every clause of every condition in turn."""
    tests = one_line_conditions(function, source)
    guided = [_guided(test, source, words, snapshots) for test in tests]
    streams = [_clauses_of(test, source, words) for test in tests]
    for row in [*zip_longest(*guided), *zip_longest(*streams)]:
        yield from (edit for edit in row if edit is not None)


def _guided(
    test: ast.expr, source: str, words: Vocabulary, snapshots: Sequence[Snapshot]
) -> Iterator[FamilyEdit]:
    seen = [s for s in snapshots if s.line == test.lineno]
    if not seen:
        return
    clauses = islice(_clause_texts(test, words), GUIDED_CLAUSES)
    for clause, word in ranked(segment(source, test) or "", clauses, seen):
        yield _clause_edit(test, source, clause, word)


def _clauses_of(test: ast.expr, source: str, words: Vocabulary) -> Iterator[FamilyEdit]:
    for clause in _clause_texts(test, words):
        for word in ("and", "or"):
            yield _clause_edit(test, source, clause, word)


def _clause_edit(test: ast.expr, source: str, clause: str, word: str) -> FamilyEdit:
    before, after = segment(source, test) or "", f"{_bracketed(source, test)} {word} {clause}"
    return FamilyEdit("condition_clause", test.lineno, before, after, spliced(source, test, after))


def _bracketed(source: str, test: ast.expr) -> str:
    text = segment(source, test) or ""
    loose = (ast.BoolOp, ast.IfExp, ast.NamedExpr, ast.Lambda)
    return f"({text})" if isinstance(test, loose) else text


# --- synthesize_statement ------------------------------------------------------------


def _statement_texts(words: Vocabulary, in_loop: bool) -> Iterator[str]:
    for owner, methods in words.collections:
        for method in methods:
            if method in _NO_ARGUMENT:
                yield f"{owner}.{method}()"
                continue
            yield from (f"{owner}.{method}({a})" for a in words.atoms if a != owner)
    for owner in words.dicts:
        yield from (f"{owner}[{k}] = {v}" for k in words.names for v in words.atoms
                    if owner not in (k, v))  # fmt: skip
    for target in words.locals:
        for op in ("+=", "-="):
            yield from (f"{target} {op} {v}" for v in words.atoms if v != target)
        yield from (f"{target} = {v}" for v in words.atoms if v != target)
    yield from (f"return {a}" for a in words.atoms)
    if in_loop:
        yield from ("break", "continue")


def _statements(
    function: ast.AST, source: str, words: Vocabulary, hot: frozenset[int]
) -> Iterator[FamilyEdit]:
    lines = source.split("\n")
    loops = _loops(function)
    for position in hot_positions(function, hot)[:POSITIONS]:
        for text in _statement_texts(words, _in_loop(loops, position)):
            yield inserted("synthesize_statement", lines, position, text)


def _loops(function: ast.AST) -> list[ast.stmt]:
    return [n for n in ast.walk(function) if isinstance(n, (ast.For, ast.While))]


def _in_loop(loops: Iterable[ast.stmt], position: tuple[int, int]) -> bool:
    """Whether an insertion at `position` lands in the body of one of `loops`."""
    return any(loop.lineno <= position[0] < (loop.end_lineno or 0) for loop in loops)


# --- fill_collection -----------------------------------------------------------------


def _starved(function: ast.AST, words: Vocabulary) -> list[tuple[str, tuple[str, ...]]]:
    """The collections (and the methods that fill them) the function binds once to an
    empty one, reads, and never changes: a state it forgets to keep."""
    stores: dict[str, int] = {}
    changed, read, empty = set(), set(), set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
            else:
                read.add(node.id)
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS:
            changed.add(ast.unparse(func.value))
        if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
            changed.add(ast.unparse(node.value))
        if isinstance(node, ast.AugAssign):
            changed.add(ast.unparse(node.target))
        if isinstance(node, ast.Assign) and _is_empty(node.value):
            empty.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return [
        (name, tuple(m for m in methods if m in _FILLERS))
        for name, methods in words.collections
        if name in empty and name in read and name not in changed and stores.get(name) == 1
    ]


def _is_empty(value: ast.expr) -> bool:
    if isinstance(value, ast.Call):
        return not value.args and not value.keywords and _kind(value) is not None
    return isinstance(value, (ast.List, ast.Set, ast.Dict)) and not any(
        getattr(value, field, None) for field in ("elts", "keys")
    )


def _loop_variables(loops: Iterable[ast.stmt]) -> set[str]:
    targets = [loop.target for loop in loops if isinstance(loop, ast.For)]
    return {n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)}


def _fills(
    function: ast.AST, source: str, words: Vocabulary, hot: frozenset[int]
) -> Iterator[FamilyEdit]:
    starved = _starved(function, words)
    if not starved:
        return
    lines = source.split("\n")
    loops = _loops(function)
    places = sorted(hot_positions(function, hot), key=lambda p: not _in_loop(loops, p))
    loop_variables = _loop_variables(loops)
    keys = sorted(words.names, key=lambda name: name not in loop_variables)
    texts = [
        f"{owner}[{key}] = {key}" if not methods else f"{owner}.{method}({key})"
        for owner, methods in starved
        for method in (methods or ("",))
        for key in keys
        if key != owner
    ]
    for position in places:
        for text in texts:
            yield inserted("fill_collection", lines, position, text)


def _callees(function: ast.AST) -> set[int]:
    """The ids of the nodes the function calls (`f` of `f(x)`, `xs.sort` of `xs.sort()`)."""
    return {id(n.func) for n in ast.walk(function) if isinstance(n, ast.Call)}


# --- replace_expression --------------------------------------------------------------


def _sites(function: ast.AST, words: Vocabulary, hot: frozenset[int]) -> list[ast.expr]:
    """Names in scope, constants and one-operator expressions, on the hot lines (every
    line without them), first on the line; never a called name or a docstring."""
    called = _callees(function)
    docstring = getattr(function, "body", [None])[0]
    found = []
    for node in ast.walk(function):
        if id(node) in called or not isinstance(node, (ast.Name, ast.Constant, ast.BinOp)):
            continue
        if isinstance(node, ast.Name) and (node.id not in words.names or
                                           not isinstance(node.ctx, ast.Load)):  # fmt: skip
            continue
        if isinstance(docstring, ast.Expr) and node is docstring.value:
            continue
        if node.lineno == node.end_lineno and (not hot or node.lineno in hot):
            found.append(node)
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _expressions(
    function: ast.AST, source: str, words: Vocabulary, hot: frozenset[int]
) -> Iterator[FamilyEdit]:
    streams = [_replacements(site, source, words) for site in _sites(function, words, hot)]
    for row in zip_longest(*streams):  # every site in turn
        yield from (edit for edit in row if edit is not None)


def _replacements(site: ast.expr, source: str, words: Vocabulary) -> Iterator[FamilyEdit]:
    before = segment(source, site) or ""
    for text in _expressions_of(words):
        if text != before:
            after = f"({text})" if " " in text else text
            yield FamilyEdit("replace_expression", site.lineno, before, after,
                             spliced(source, site, after))  # fmt: skip


# --- swap_attribute ------------------------------------------------------------------


def _fields(function: ast.AST) -> list[ast.Attribute]:
    """The attributes the function uses as fields (not the methods it calls)."""
    called = _callees(function)
    found = [n for n in ast.walk(function) if isinstance(n, ast.Attribute) and id(n) not in called]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _attributes(function: ast.AST, source: str, hot: frozenset[int]) -> Iterator[FamilyEdit]:
    fields = _fields(function)
    names = list(dict.fromkeys(f.attr for f in fields))
    sites = [f for f in fields if isinstance(f.ctx, ast.Load) and f.lineno == f.end_lineno]
    sites.sort(key=lambda f: not hot or f.lineno not in hot)  # the suspicious lines first
    for site in sites:
        before = segment(source, site) or ""
        owner = before[: before.rfind(".")]
        plural = site.attr[:-1] if site.attr.endswith("s") else f"{site.attr}s"
        for name in dict.fromkeys([plural, *names]):
            if name != site.attr:
                after = f"{owner}.{name}"
                yield FamilyEdit("swap_attribute", site.lineno, before, after,
                                 spliced(source, site, after))  # fmt: skip


# --- wrap_call -----------------------------------------------------------------------


def _wrappers(function: ast.AST) -> list[str]:
    """The functions the function calls by name with one argument, then `WRAPPERS`."""
    own = [call.func.id for call in _one_argument_calls(function)]  # type: ignore[attr-defined]
    return list(dict.fromkeys([*own, *WRAPPERS]))


def _wrapped(function: ast.AST, source: str, hot: frozenset[int]) -> Iterator[FamilyEdit]:
    called = _callees(function)
    owners = {id(n.value) for n in ast.walk(function) if isinstance(n, ast.Attribute)}
    values = (ast.Name, ast.Attribute, ast.Subscript, ast.BinOp)
    sites = [
        n for n in ast.walk(function)
        if isinstance(n, values) and isinstance(getattr(n, "ctx", ast.Load()), ast.Load)
        and id(n) not in called and id(n) not in owners
        and n.lineno == n.end_lineno and (not hot or n.lineno in hot)
    ]  # fmt: skip
    sites.sort(key=lambda n: (n.lineno, n.col_offset))
    wrappers = _wrappers(function)
    for call in _one_argument_calls(function, hot):
        inner = segment(source, call.args[0]) or ""
        yield FamilyEdit("wrap_call", call.lineno, segment(source, call) or "", inner,
                         spliced(source, call, inner))  # fmt: skip
    inside = {  # the function a site is already the argument of: not wrapped twice
        id(arg): n.func.id
        for n in ast.walk(function)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        for arg in n.args
    }
    streams = [_wraps(site, source, [w for w in wrappers if w != inside.get(id(site))])
               for site in sites]  # fmt: skip
    for row in zip_longest(*streams):  # every site in turn
        yield from (edit for edit in row if edit is not None)


def _one_argument_calls(function: ast.AST, hot: frozenset[int] = frozenset()) -> list[ast.Call]:
    """Calls of a name with one plain argument, on one line, on a `hot` line if any."""
    return [
        n for n in ast.walk(function)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and len(n.args) == 1
        and not n.keywords and not isinstance(n.args[0], ast.Starred)
        and n.lineno == n.end_lineno and (not hot or n.lineno in hot)
    ]  # fmt: skip


def _wraps(site: ast.expr, source: str, wrappers: Sequence[str]) -> Iterator[FamilyEdit]:
    before = segment(source, site) or ""
    for name in wrappers:
        if name != before:
            after = f"{name}({before})"
            yield FamilyEdit("wrap_call", site.lineno, before, after,
                             spliced(source, site, after))  # fmt: skip

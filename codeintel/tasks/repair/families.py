"""Candidate fixes that no one-token rule makes, built from the function's own code.

Pure: a dedented function source in, candidate sources out. Each family is generic,
driven by the function's own statements, names and expressions:

- insert_statement: one of the function's own single-line statements (or an update
  of one of its counters: `n += 1`, `total += x` for a loop variable `x`) inserted at
  each statement position, at that position's indentation;
- guard_clause: `if <param> <cmp> <0|1>: return <r>` at the top of the body, for each
  parameter and each value the function already returns (or its parameter);
- drop_clause: one operand of an `and`/`or` condition removed;
- add_clause: a comparison that the function makes elsewhere added to a condition
  (`a and b` -> `a and b and c`);
- loop_guard: the test of a `while` loop replaced by a name the loop's body changes
  (`while True:` -> `while queue:` when the body pops from `queue`);
- slice_bound: a bound of a slice dropped (`a[i:j]` -> `a[i:]`, `a[:j]`), or a
  missing one added (`a[i:]` -> `a[i:-1]`, `a[:j]` -> `a[1:j]`);
- swap_operands: the operands of an operator whose order matters swapped
  (`a - b` -> `b - a`; also `/`, `//`, `%`, `**`, `<<`, `>>`, `@`).

Only candidates that parse and differ from the input are kept, in a deterministic
order, without duplicates, at most `limit` per family.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from parsers.text import parses, python_ast

_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Break, ast.Continue)
_LIMIT = 120  # candidates per family and function


@dataclass(frozen=True)
class FamilyEdit:
    family: str
    line: int  # 1-based line of the dedented function where the edit is
    before: str
    after: str
    source: str  # the whole edited function


def family_edits(
    source: str, hot: frozenset[int] = frozenset(), limit: int = _LIMIT
) -> list[FamilyEdit]:
    """Every candidate of every family, deduplicated: the small families first, and
    insertions nearest the `hot` lines (1-based, those in the failing trace) first."""
    function = parsed_function(source)
    if function is None:
        return []
    lines = source.split("\n")
    families = (
        _dropped_clauses(function, source),
        _added_clauses(function, source),
        _loop_guards(function, source),
        _slice_bounds(function, source),
        _swapped_operands(function, source),
        _guards(function, lines),
        _insertions(function, lines, hot),
    )
    return capped(source, families, limit)


def parsed_function(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The first function defined in `source`, or None (it does not parse, or has none)."""
    tree = python_ast(source)
    if tree is None:
        return None
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    return next((n for n in ast.walk(tree) if isinstance(n, functions)), None)


def capped(source: str, families: Iterable[Iterator[FamilyEdit]], limit: int) -> list[FamilyEdit]:
    """The edits of each family in order, at most `limit` a family, those that do not
    parse, equal `source` or repeat an earlier edit left out."""
    seen, found = {source}, []
    for edits in families:
        kept = 0
        for edit in edits:
            if kept >= limit:
                break
            if edit.source not in seen and parses(edit.source):
                seen.add(edit.source)
                found.append(edit)
                kept += 1
    return found


# --- insertions ----------------------------------------------------------------------


def _bodies(function: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every statement list inside the function, its own body first."""
    for node in ast.walk(function):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body
        for handler in getattr(node, "handlers", ()):
            yield handler.body


def positions(function: ast.AST) -> list[tuple[int, int]]:
    """(0-based line index to insert before, indentation column), in source order."""
    found = set()
    for body in _bodies(function):
        column = body[0].col_offset
        for stmt in body:
            found.add((stmt.lineno - 1, column))
        found.add((body[-1].end_lineno, column))
    return sorted(found)


def hot_positions(function: ast.AST, hot: frozenset[int]) -> list[tuple[int, int]]:
    """`positions`, nearest a `hot` line first (stable: source order among equals)."""
    found = positions(function)
    if hot:
        found.sort(key=lambda p: min(abs(p[0] + 1 - h) for h in hot))
    return found


def _own_statements(function: ast.FunctionDef, lines: list[str]) -> list[str]:
    """The function's single-line simple statements, as text, first occurrence first."""
    texts = []
    for node in ast.walk(function):
        if isinstance(node, _SIMPLE) and node.lineno == node.end_lineno:
            text = lines[node.lineno - 1][node.col_offset : node.end_col_offset].strip()
            if text and text not in texts:
                texts.append(text)
    return texts


def _is_number(node: ast.expr) -> bool:
    value = getattr(node, "value", None) if isinstance(node, ast.Constant) else None
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _counters(function: ast.FunctionDef) -> list[str]:
    """Updates of the function's counters: `n += 1` for a name it sets to a number,
    `total += x` for such a name and a loop variable `x`."""
    numbers, loop_vars = [], []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_number(node.value):
            numbers += [t.id for t in node.targets if isinstance(t, ast.Name)]
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
            loop_vars.append(node.target.id)
    updates = [f"{n} += 1" for n in numbers] + [f"{n} -= 1" for n in numbers]
    updates += [f"{n} += {v}" for n in numbers for v in loop_vars if n != v]
    return list(dict.fromkeys(updates))


def _insertions(
    function: ast.FunctionDef, lines: list[str], hot: frozenset[int]
) -> Iterator[FamilyEdit]:
    statements = _own_statements(function, lines) + _counters(function)
    for index, column in hot_positions(function, hot):
        for text in statements:
            yield inserted("insert_statement", lines, (index, column), text)


def inserted(family: str, lines: list[str], position: tuple[int, int], text: str) -> FamilyEdit:
    """The edit that inserts the line `text` at `position` (0-based line index to insert
    before, indentation column)."""
    index, column = position
    edited = [*lines[:index], " " * column + text, *lines[index:]]
    return FamilyEdit(family, index + 1, "", text, "\n".join(edited))


# --- guard clauses -------------------------------------------------------------------


def _returned(function: ast.FunctionDef, lines: list[str]) -> list[str]:
    values = []
    for node in ast.walk(function):
        value = node.value if isinstance(node, ast.Return) else None
        if value is not None and value.lineno == value.end_lineno:
            values.append(lines[value.lineno - 1][value.col_offset : value.end_col_offset])
    return list(dict.fromkeys(values))


def _guards(function: ast.FunctionDef, lines: list[str]) -> Iterator[FamilyEdit]:
    params = [a.arg for a in function.args.args if a.arg not in ("self", "cls")]
    first = function.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        body = function.body[1:] or function.body  # after the docstring
        first = body[0]
    index, indent = first.lineno - 1, " " * first.col_offset
    results = _returned(function, lines) + params + ["0", "None"]
    for param in params:
        for condition in (f"not {param}", f"{param} <= 0", f"{param} == 0", f"{param} <= 1"):
            for result in dict.fromkeys(results):
                guard = f"if {condition}: return {result}"
                edited = [*lines[:index], indent + guard, *lines[index:]]
                yield FamilyEdit("guard_clause", index + 1, "", guard, "\n".join(edited))


# --- clauses of conditions -----------------------------------------------------------


def segment(source: str, node: ast.expr) -> str | None:
    return ast.get_source_segment(source, node)


def spliced(source: str, node: ast.expr, text: str) -> str:
    offsets = line_offsets(source)
    start = offsets[node.lineno - 1] + node.col_offset
    end = offsets[node.end_lineno - 1] + node.end_col_offset
    return source[:start] + text + source[end:]


def line_offsets(source: str) -> list[int]:
    offsets, total = [], 0
    for line in source.split("\n"):
        offsets.append(total)
        total += len(line) + 1
    return offsets


def _bool_ops(function: ast.FunctionDef) -> list[ast.BoolOp]:
    return [n for n in ast.walk(function) if isinstance(n, ast.BoolOp)]


def _dropped_clauses(function: ast.FunctionDef, source: str) -> Iterator[FamilyEdit]:
    for node in _bool_ops(function):
        before = segment(source, node)
        texts = [segment(source, v) for v in node.values]
        if before is None or None in texts:
            continue
        word = " and " if isinstance(node.op, ast.And) else " or "
        for i in range(len(texts)):
            after = word.join(t for j, t in enumerate(texts) if j != i)
            yield FamilyEdit(
                "drop_clause", node.lineno, before, after, spliced(source, node, after)
            )


def conditions(function: ast.FunctionDef) -> list[ast.expr]:
    """Tests of if/while/assert/ternaries, and the comparisons the function makes."""
    found = []
    for node in ast.walk(function):
        if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            found.append(node.test)
    return found


def _added_clauses(function: ast.FunctionDef, source: str) -> Iterator[FamilyEdit]:
    comparisons = [
        text
        for node in ast.walk(function)
        if isinstance(node, ast.Compare) and (text := segment(source, node)) is not None
    ]
    for test in conditions(function):
        before = segment(source, test)
        if before is None or "\n" in before:
            continue
        for extra in dict.fromkeys(comparisons):
            if extra in before:
                continue
            for word in ("and", "or"):
                after = f"{before} {word} {extra}"
                yield FamilyEdit(
                    "add_clause", test.lineno, before, after, spliced(source, test, after)
                )


# --- loop guards ---------------------------------------------------------------------

MUTATORS = frozenset(
    {"pop", "popleft", "popitem", "append", "appendleft", "extend", "remove", "discard",
     "add", "insert", "clear", "update", "push"}
)  # fmt: skip


def _changed_names(loop: ast.While) -> list[str]:
    """Names the loop's body assigns, updates or changes through a mutating method."""
    names = []
    for node in (n for stmt in loop.body for n in ast.walk(stmt)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if node.func.attr in MUTATORS and isinstance(owner, ast.Name):
                names.append(owner.id)
    return list(dict.fromkeys(names))


def _loop_guards(function: ast.FunctionDef, source: str) -> Iterator[FamilyEdit]:
    for loop in (n for n in ast.walk(function) if isinstance(n, ast.While)):
        before = segment(source, loop.test)
        if before is None or "\n" in before:
            continue
        for name in _changed_names(loop):
            if name != before:
                yield FamilyEdit(
                    "loop_guard", loop.test.lineno, before, name, spliced(source, loop.test, name)
                )


# --- slice bounds --------------------------------------------------------------------


def _slice_bounds(function: ast.FunctionDef, source: str) -> Iterator[FamilyEdit]:
    for node in ast.walk(function):
        if not isinstance(node, ast.Slice) or node.step is not None:
            continue
        before = segment(source, node)
        if before is None or "\n" in before:
            continue
        one, minus_one = ast.Constant(1), ast.UnaryOp(ast.USub(), ast.Constant(1))
        variants = (
            (None, node.upper) if node.lower is not None else (one, node.upper),
            (node.lower, None) if node.upper is not None else (node.lower, minus_one),
        )
        for lower, upper in variants:
            after = _bound_text(source, lower, upper)
            if after is not None and after != before:
                yield FamilyEdit(
                    "slice_bound", node.lineno, before, after, spliced(source, node, after)
                )


def _bound_text(source: str, lower: ast.expr | None, upper: ast.expr | None) -> str | None:
    """`lower:upper`, each bound as written in `source` (or unparsed, if made here)."""
    parts = []
    for bound in (lower, upper):
        if bound is None:
            parts.append("")
        elif getattr(bound, "lineno", None) is None:
            parts.append(ast.unparse(bound))
        else:
            text = segment(source, bound)
            if text is None:
                return None
            parts.append(text)
    return ":".join(parts)


# --- operand order -------------------------------------------------------------------

_ORDERED = {
    ast.Sub: "-", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
    ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@",
}  # fmt: skip


def _offset(offsets: list[int], line: int, column: int) -> int:
    return offsets[line - 1] + column


def _swapped_operands(function: ast.FunctionDef, source: str) -> Iterator[FamilyEdit]:
    """`left OP right` -> `right OP left`, brackets and spacing kept with each side."""
    offsets = line_offsets(source)
    for node in ast.walk(function):
        symbol = _ORDERED.get(type(node.op)) if isinstance(node, ast.BinOp) else None
        if symbol is None or node.lineno != node.end_lineno:
            continue
        start = _offset(offsets, node.lineno, node.col_offset)
        end = _offset(offsets, node.end_lineno, node.end_col_offset)
        left_end = _offset(offsets, node.left.end_lineno, node.left.end_col_offset)
        right_start = _offset(offsets, node.right.lineno, node.right.col_offset)
        gap = source[left_end:right_start]  # closing brackets, the operator, opening ones
        at = gap.find(symbol)
        if at < 0:
            continue
        before_op, after_op = gap[:at], gap[at + len(symbol) :]
        left = source[start:left_end] + before_op.rstrip(" ")
        right = after_op.lstrip(" ") + source[right_start:end]
        spaces = (
            before_op[len(before_op.rstrip(" ")) :],
            after_op[: len(after_op) - len(after_op.lstrip(" "))],
        )
        after = f"{right}{spaces[0]}{symbol}{spaces[1]}{left}"
        yield FamilyEdit(
            "swap_operands", node.lineno, source[start:end], after, spliced(source, node, after)
        )

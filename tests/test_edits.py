"""Mutation operators: exact mutants per family, symmetry (round trip), validity, determinism."""

from __future__ import annotations

import ast
import pathlib
import random
import sysconfig
import textwrap

import pytest

from codeintel.edits import (
    Mutation,
    Operator,
    SourceSyntaxError,
    mutations,
    repair_candidates,
)
from codeintel.errors import InputError

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "edits"


def edits(source: str, op: Operator) -> list[tuple[str, str]]:
    return [(m.before, m.after) for m in mutations(source, operators={op})]


def sources(source: str, op: Operator) -> list[str]:
    return [m.source for m in mutations(source, operators={op})]


def normal(source: str) -> str:
    return ast.dump(ast.parse(textwrap.dedent(source)))


# --- each family on small examples ---------------------------------------------------


def test_comparison_swaps_within_each_group():
    src = "def f(a, b):\n    return a < b or a is not None or a in b\n"
    assert edits(src, Operator.COMPARISON) == [
        ("<", "<="),
        ("<", ">"),
        ("<", ">="),
        ("<", "=="),
        ("<", "!="),
        ("is not", "is"),
        ("in", "not in"),
    ]


def test_arithmetic_and_boolean_swaps():
    src = "def f(a, b):\n    return a + b * 2 // 3 and a % b or a\n"
    assert edits(src, Operator.ARITHMETIC) == [
        ("+", "-"),
        ("//", "/"),
        ("//", "%"),
        ("*", "/"),
        ("%", "//"),
    ]
    assert sources(src, Operator.BOOLEAN) == [
        "def f(a, b):\n    return a + b * 2 // 3 and a % b and a\n",
        "def f(a, b):\n    return a + b * 2 // 3 or a % b or a\n",
    ]


def test_augmented_assignment_swaps_and_plain_assignment():
    src = "def f(a):\n    t = 0\n    t += a\n    return t\n"
    assert edits(src, Operator.AUGMENTED) == [("+=", "-="), ("+=", "="), ("=", "+=")]
    assert sources(src, Operator.AUGMENTED)[1] == "def f(a):\n    t = 0\n    t = a\n    return t\n"


def test_off_by_one_on_integer_constants_including_negative_literals():
    src = "def f(a):\n    return a[-1] + 0\n"
    assert edits(src, Operator.OFF_BY_ONE) == [("-1", "0"), ("-1", "-2"), ("0", "1"), ("0", "-1")]


def test_off_by_one_on_slice_bounds_indices_and_range_arguments():
    src = "def f(a, i, n):\n    for k in range(n):\n        a[k] = a[:i+1]\n"
    assert edits(src, Operator.BOUND) == [
        ("n", "n + 1"),
        ("n", "n - 1"),
        ("k", "k+1"),
        ("k", "k-1"),
        ("i+1", "i"),
    ]


def test_bound_does_not_add_to_low_precedence_expressions():
    src = "def f(a, i, j):\n    return a[i or j], a[i << j]\n"
    assert edits(src, Operator.BOUND) == []


def test_swapped_call_arguments_keep_keywords_and_spacing():
    src = "def f(a, b, c):\n    return g(a,  b, c, key=1)\n"
    assert edits(src, Operator.SWAP_ARGS) == [
        ("a,  b", "b,  a"),
        ("a,  b, c", "c,  b, a"),
        ("b, c", "c, b"),
    ]


def test_wrong_variable_replaces_reads_of_locals_only():
    src = "def f(self, a, b=1):\n    x = a.b\n    return g(key=x)\n"
    assert edits(src, Operator.WRONG_VARIABLE) == [
        ("a", "b"),
        ("a", "x"),
        ("x", "a"),
        ("x", "b"),
    ]


def test_negate_condition_adds_and_removes_not():
    src = "def f(a, b):\n    if a and not b:\n        return 1\n    while a or b:\n        pass\n"
    assert edits(src, Operator.NEGATE) == [
        ("a and not b", "not (a and not b)"),
        ("a", "not a"),
        ("not b", "b"),
        ("a or b", "not (a or b)"),
        ("a", "not a"),
        ("b", "not b"),
    ]


def test_wrong_return_marks_only_invertible_replacements():
    src = "def f(a, b):\n    if a:\n        return None\n    if b:\n        return a\n"
    src += "    return a + b\n"
    found = mutations(src, operators={Operator.WRONG_RETURN})
    got = [(m.before, m.after, m.invertible) for m in found]
    assert got == [
        ("None", "a", True),
        ("None", "b", True),
        ("a", "None", True),
        ("a", "b", True),
        ("a + b", "None", False),
    ]


def test_wrong_method_swaps_names_and_sort_sorted():
    src = "def f(a, b):\n    a.append(b)\n    b.sort(key=len)\n    return max(a), sorted(b)\n"
    assert edits(src, Operator.WRONG_METHOD) == [
        ("append", "extend"),
        ("append", "appendleft"),
        ("b.sort(key=len)", "sorted(b, key=len)"),
        ("max", "min"),
        ("sorted", "reversed"),
        ("sorted(b)", "b.sort()"),
    ]


def test_constant_swaps():
    src = "def f():\n    return True, 0, 7\n"
    assert edits(src, Operator.CONSTANT) == [("True", "False"), ("0", "1")]


def test_drop_statement_removes_whole_lines_and_is_not_invertible():
    src = 'def f(a):\n    """Doc."""\n    a.x = 1  # set\n'
    src += "    if a:\n        return 2\n    return a\n"
    got = list(mutations(src, operators={Operator.DROP_STATEMENT}))
    assert [m.source for m in got] == [
        'def f(a):\n    """Doc."""\n    if a:\n        return 2\n    return a\n',
        'def f(a):\n    """Doc."""\n    a.x = 1  # set\n    if a:\n        return 2\n',
    ]
    assert [m.line for m in got] == [3, 6]
    assert not any(m.invertible for m in got)
    candidates = list(repair_candidates(src))
    assert candidates == [m for m in mutations(src) if m.invertible]
    assert {m.operator for m in candidates}.isdisjoint({Operator.DROP_STATEMENT})


# --- whole-source properties -----------------------------------------------------------


def test_indented_method_keeps_every_other_byte():
    src = (FIXTURES / "method.py").read_text("utf-8")
    found = list(mutations(src))
    assert len(found) > 15
    for m in found:
        assert isinstance(m, Mutation)
        lines, new = src.split("\n"), m.source.split("\n")
        assert new[: m.line - 1] == lines[: m.line - 1]
        if m.operator is not Operator.DROP_STATEMENT:
            assert len(new) == len(lines)
            assert [a for a, b in zip(lines, new, strict=True) if a != b] == [lines[m.line - 1]]
    mutant = next(m for m in found if m.operator is Operator.COMPARISON)
    assert mutant.line == 5
    assert mutant.source == src.replace("size <= 0", "size < 0")


def test_splices_are_exact():
    src = (FIXTURES / "method.py").read_text("utf-8")
    for m in mutations(src):
        line_start = len("".join(src.splitlines(keepends=True)[: m.line - 1]))
        starts = range(line_start, line_start + len(src.split("\n")[m.line - 1]) + 1)
        spliced = {
            src[:at] + m.after + src[at + len(m.before) :]
            for at in starts
            if src.startswith(m.before, at)
        }
        assert m.source in spliced


def test_mutants_parse_differ_and_are_unique():
    src = (FIXTURES / "method.py").read_text("utf-8")
    found = [m.source for m in mutations(src)]
    assert src not in found
    assert len(found) == len(set(found))
    for mutant in found:
        ast.parse(textwrap.dedent(mutant))


def test_deterministic():
    src = (FIXTURES / "method.py").read_text("utf-8")
    assert list(mutations(src)) == list(mutations(src))


def test_unparsable_source_is_a_typed_error():
    with pytest.raises(SourceSyntaxError) as info:
        list(mutations("def f(:\n    pass\n"))
    assert isinstance(info.value, InputError)


# --- round trip: invertible mutants are fixed by a repair candidate -------------------


def stdlib_functions(n: int, seed: int) -> list[str]:
    """`n` function sources (whole lines, original indentation) from the standard library."""
    files = sorted(pathlib.Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    rng = random.Random(seed)
    rng.shuffle(files)
    out: list[str] = []
    for path in files:
        try:
            text = path.read_text("utf-8")
            tree = ast.parse(text)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        defs = [d for d in ast.walk(tree) if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef)]
        if defs:
            node = rng.choice(defs)
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            out.append("\n".join(text.split("\n")[start - 1 : node.end_lineno]) + "\n")
        if len(out) == n:
            break
    return out


def check_round_trip(n_functions: int, per_function: int, seed: int) -> int:
    rng, checked = random.Random(seed), 0
    for src in stdlib_functions(n_functions, seed):
        invertible = [m for m in mutations(src) if m.invertible]
        for m in rng.sample(invertible, min(per_function, len(invertible))):
            candidates = [c.source for c in repair_candidates(m.source)]
            fixed = src in candidates or normal(src) in {normal(c) for c in candidates}
            assert fixed, (m.operator, m.line, m.before, m.after)
            checked += 1
    return checked


def test_round_trip_on_stdlib_sample():
    assert check_round_trip(n_functions=6, per_function=4, seed=0) > 10


@pytest.mark.slow
def test_round_trip_on_bigger_stdlib_sample():
    assert check_round_trip(n_functions=60, per_function=10, seed=1) > 300


@pytest.mark.slow
def test_every_family_fires_on_stdlib():
    seen = {m.operator for src in stdlib_functions(80, 2) for m in mutations(src)}
    assert seen == set(Operator)


def test_removing_not_drops_parentheses_where_the_grouping_is_the_same():
    src = "def f(a, b, c):\n    if not (a or b) or c:\n        return not (a or b)\n"
    assert edits(src, Operator.NEGATE)[:3] == [
        ("not (a or b) or c", "not (not (a or b) or c)"),
        ("not (a or b)", "a or b"),
        ("c", "not c"),
    ]
    src = "def f(a, b, c):\n    if not (a and b):\n        return not (a or b) and c\n"
    assert ("not (a and b)", "a and b") in edits(src, Operator.NEGATE)
    assert ("not (a or b)", "(a or b)") in edits(src, Operator.NEGATE)

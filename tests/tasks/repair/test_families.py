"""The candidate families built from a function's own code (pure)."""

from __future__ import annotations

from collections import Counter

from codeintel.tasks.repair.families import family_edits
from parsers.text import parses

MISSING_UPDATE = """def total(xs):
    t = 0
    i = 0
    while i < len(xs):
        t += xs[i]
    return t
"""
FIXED_UPDATE = MISSING_UPDATE.replace("t += xs[i]\n", "t += xs[i]\n        i += 1\n")

MISSING_GUARD = """def mean(xs):
    return sum(xs) / len(xs)
"""

EXTRA_CLAUSE = """def in_range(x, low, high):
    if x >= low and x <= high and x != low:
        return True
    return False
"""

MISSING_CLAUSE = """def between(x, low, high):
    if x <= high:
        return x >= low
    return False
"""

ENDLESS = """def drain(queue):
    out = []
    while True:
        out.append(queue.pop())
    return out
"""

WRONG_SLICE = """def tail(xs):
    return xs[1:-1]
"""


def sources(source: str, family: str, hot: frozenset[int] = frozenset()) -> list[str]:
    return [e.source for e in family_edits(source, hot) if e.family == family]


def test_a_missing_update_is_among_the_inserted_statements():
    assert FIXED_UPDATE in sources(MISSING_UPDATE, "insert_statement")


def test_insertions_near_the_trace_come_first():
    near = sources(MISSING_UPDATE, "insert_statement", frozenset({5}))
    far = sources(MISSING_UPDATE, "insert_statement", frozenset({1}))
    assert near.index(FIXED_UPDATE) < far.index(FIXED_UPDATE)


def test_a_guard_clause_from_the_parameters_and_returns():
    guarded = sources(MISSING_GUARD, "guard_clause")
    assert "def mean(xs):\n    if not xs: return 0\n    return sum(xs) / len(xs)\n" in guarded


def test_a_clause_can_be_dropped_or_added():
    dropped = sources(EXTRA_CLAUSE, "drop_clause")
    assert EXTRA_CLAUSE.replace(" and x != low", "") in dropped
    added = sources(MISSING_CLAUSE, "add_clause")
    assert MISSING_CLAUSE.replace("if x <= high:", "if x <= high and x >= low:") in added


def test_every_candidate_parses_differs_and_is_unique():
    for source in (MISSING_UPDATE, MISSING_GUARD, EXTRA_CLAUSE, MISSING_CLAUSE):
        edits = family_edits(source)
        texts = [e.source for e in edits]
        assert all(parses(t) and t != source for t in texts)
        assert len(set(texts)) == len(texts)


def test_each_family_is_capped_and_input_that_does_not_parse_gives_nothing():
    long = "def f(a):\n" + "".join(f"    a{i} = a + {i}\n" for i in range(30)) + "    return a\n"
    counts = Counter(e.family for e in family_edits(long, limit=25))
    assert counts["insert_statement"] == 25
    assert family_edits("def f(:\n    pass\n") == []


def test_a_loop_guard_becomes_a_name_the_loop_changes():
    guards = sources(ENDLESS, "loop_guard")
    assert ENDLESS.replace("while True:", "while queue:") in guards
    assert ENDLESS.replace("while True:", "while out:") in guards
    assert not any("while drain" in g for g in guards)  # only names the body changes


def test_a_slice_bound_can_be_dropped_or_added():
    bounds = sources(WRONG_SLICE, "slice_bound")
    assert WRONG_SLICE.replace("xs[1:-1]", "xs[1:]") in bounds
    assert WRONG_SLICE.replace("xs[1:-1]", "xs[:-1]") in bounds
    added = sources("def head(xs):\n    return xs[:2]\n", "slice_bound")
    assert "def head(xs):\n    return xs[1:2]\n" in added


def test_operands_of_an_ordered_operator_can_be_swapped():
    source = "def gap(a, b):\n    return a - b * 2\n"
    swapped = sources(source, "swap_operands")
    assert "def gap(a, b):\n    return b * 2 - a\n" in swapped
    assert not sources("def add(a, b):\n    return a + b\n", "swap_operands")

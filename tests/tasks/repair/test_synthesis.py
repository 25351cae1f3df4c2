"""Synthesized candidates (tasks/repair/synthesis.py): pure, a function's source in."""

from __future__ import annotations

from collections import Counter

from codeintel.tasks.repair.families import parsed_function
from codeintel.tasks.repair.synthesis import LIMITS, synthesized_edits, vocabulary
from parsers.text import parses
from tests.conftest_paths import FIXTURES

TASKS = FIXTURES / "tasks"


def edits(name: str, hot: frozenset[int] = frozenset()):
    return synthesized_edits((TASKS / name).read_text(), hot)


def test_the_vocabulary_is_the_names_in_scope_constants_and_collections():
    source = (TASKS / "repeat.py").read_text()
    words = vocabulary(parsed_function(source))
    assert words.names == ("arr", "x", "seen") and words.locals == ("seen",)
    assert words.constants == ("0", "1")
    assert dict(words.collections) == {"seen": ("add", "discard", "remove")}


def test_a_missing_statement_is_synthesized_from_a_collection_in_scope():
    fixed = (
        (TASKS / "repeat.py")
        .read_text()
        .replace("            return x\n", "            return x\n        seen.add(x)\n")
    )
    found = [e for e in edits("repeat.py", frozenset({5, 6})) if e.source == fixed]
    # `seen` is built empty and read but never filled: filled first, where it is read
    assert [(e.family, e.after) for e in found] == [("fill_collection", "seen.add(x)")]
    assert edits("repeat.py", frozenset({5, 6})).index(found[0]) < 60


def test_a_constant_is_replaced_by_a_name_in_scope():
    fixed = (TASKS / "scale.py").read_text().replace("value * 2", "value * factor")
    assert fixed in [e.source for e in edits("scale.py", frozenset({3}))]


def test_a_collection_that_is_filled_somewhere_is_not_starved():
    filled = (
        "def f(xs):\n    seen = set()\n    for x in xs:\n        seen.add(x)\n"
        "    return 1 in seen\n"
    )
    assert not [e for e in synthesized_edits(filled) if e.family == "fill_collection"]
    never_read = filled.replace("        seen.add(x)\n", "        pass\n").replace("1 in seen", "1")
    assert not [e for e in synthesized_edits(never_read) if e.family == "fill_collection"]


def test_operators_conditions_and_returns_are_rebuilt():
    source = "def f(a, b):\n    if a < b:\n        return a - b\n    return 0\n"
    found = synthesized_edits(source, frozenset({2, 3}))
    afters = {(e.family, e.after) for e in found}
    assert ("change_operator", "a * b") in afters and ("change_operator", "a >= b") in afters
    assert ("condition_clause", "a < b and b > 0") in afters
    assert ("rebuild_return", "b - a") in afters
    assert all(parses(e.source) and e.source != source for e in found)
    assert len({e.source for e in found}) == len(found)


def test_a_field_is_swapped_for_another_the_function_uses_or_its_plural():
    source = (
        "def last(node):\n    while node.next:\n        node = node.successor\n"
        "    return node.value\n"
    )
    found = {(e.family, e.before, e.after) for e in synthesized_edits(source, frozenset({3}))}
    assert ("swap_attribute", "node.successor", "node.successors") in found  # plural
    assert ("swap_attribute", "node.successor", "node.next") in found  # a field it reads
    assert ("swap_attribute", "node.next", "node.nexts") in found  # off the hot line too
    methods = "def f(xs):\n    xs.sort()\n    return xs\n"
    assert not [e for e in synthesized_edits(methods) if e.family == "swap_attribute"]


def test_a_value_is_passed_through_a_function_or_a_call_unwrapped():
    source = "def spread(xs):\n    low = min(xs)\n    return len(xs) - low\n"
    found = {(e.family, e.before, e.after) for e in synthesized_edits(source, frozenset({3}))}
    assert ("wrap_call", "low", "min(low)") in found  # a function it calls, first
    assert ("wrap_call", "low", "abs(low)") in found  # then the builtins
    assert ("wrap_call", "len(xs)", "xs") in found  # unwrapped
    assert not any(f == "wrap_call" and b == "xs" and a.startswith("len") for f, b, a in found)
    on_line_2 = [e for e in synthesized_edits(source, frozenset({3})) if e.line == 2]
    assert not [e for e in on_line_2 if e.family == "wrap_call"]  # hot lines only
    owner = "def f(p):\n    return p.x\n"
    afters = {e.after for e in synthesized_edits(owner) if e.family == "wrap_call"}
    assert "abs(p.x)" in afters and not any(a.startswith("abs(p)") for a in afters)


def test_families_are_capped_and_interleaved():
    source = "def f(a, b, c, d, e):\n    x = a + b\n    y = c * d\n    return x - y + e\n"
    found = synthesized_edits(source)
    counts = Counter(e.family for e in found)
    assert all(counts[name] <= limit for name, limit in LIMITS.items())
    first = [e.family for e in found[: len(counts)]]
    assert sorted(first) == sorted(counts)  # one of each family before a second of any


def test_a_source_without_a_function_gives_nothing():
    assert synthesized_edits("x = 1\n") == [] and synthesized_edits("def (:\n") == []

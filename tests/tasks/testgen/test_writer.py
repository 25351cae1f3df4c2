"""Observed calls -> tests with regression assertions; minimisation (pure functions)."""

import ast
from pathlib import Path

from codeintel.tasks.testgen.minimize import greedy_cover
from codeintel.tasks.testgen.plan import Call, focal_functions
from codeintel.tasks.testgen.writer import suite_file, unique_names, write_test

SHAPES = (Path(__file__).resolve().parents[2] / "fixtures" / "testgen" / "shapes.py").read_text()
FOCALS = {f.qualname: f for f in focal_functions(ast.parse(SHAPES))}


def written(focal, args, record, ctor=()):
    kind = FOCALS[focal].kind
    test = write_test(Call(0, focal, kind, focal, args, ctor), record, FOCALS[focal], "shapes")
    return test


def test_a_returned_value_is_asserted_and_named():
    record = {
        "status": "returned",
        "deterministic": True,
        "value": {"type": "str", "module": "builtins", "literal": "'odd'"},
    }
    test = written("classify", ((None, "1"),), record)
    assert test.name == "test_classify_returns_odd"
    assert test.source == (
        "def test_classify_returns_odd():\n    result = classify(1)\n    assert result == 'odd'\n"
    )
    assert test.names == ("classify",)


def test_an_exception_becomes_pytest_raises_with_the_module_s_class():
    record = {
        "status": "raised",
        "deterministic": True,
        "error": {"type": "ParseError", "module": "shapes", "message": "comment"},
    }
    test = written("split_fields", ((None, "'#'"),), record)
    assert "with pytest.raises(ParseError):\n        split_fields('#')" in test.source
    assert "import pytest" in test.imports and "from shapes import ParseError" in test.imports


def test_a_mutated_argument_is_bound_to_its_name_and_checked_after():
    record = {
        "status": "returned",
        "deterministic": True,
        "mutated": [[0, "[1, 2]"]],
        "value": {"type": "int", "module": "builtins", "literal": "2"},
    }
    test = written("add_all", ((None, "[]"), (None, "[1, 2]")), record)
    assert "    items = []\n    result = add_all(items, [1, 2])\n" in test.source
    assert test.source.endswith("    assert items == [1, 2]\n")


def test_a_value_that_changed_between_runs_is_not_asserted_on():
    record = {
        "status": "returned",
        "deterministic": False,
        "value": {"type": "int", "module": "builtins", "literal": "4"},
    }
    assert written("clamp", ((None, "4"),), record) is None  # nothing it could assert
    flaky = {
        "status": "raised",
        "deterministic": False,
        "error": {"type": "ValueError", "module": "builtins", "message": ""},
    }
    assert written("clamp", ((None, "4"),), flaky) is None
    assert written("clamp", ((None, "4"),), {"status": "timeout"}) is None


def test_methods_build_their_object_and_check_the_state_they_changed():
    record = {
        "status": "returned",
        "deterministic": True,
        "state": {"value": "1"},
        "value": {"type": "int", "module": "builtins", "literal": "1"},
    }
    test = written("Counter.tick", (), record, ctor=())
    assert test.source.splitlines()[1:] == [
        "    obj = Counter()",
        "    result = obj.tick()",
        "    assert result == 1",
        "    assert obj.value == 1",
    ]


def test_an_instance_the_constructor_could_not_make_is_called_through_the_class():
    record = {
        "status": "returned",
        "deterministic": True,
        "value": {"type": "int", "module": "builtins", "literal": "3"},
    }
    call = Call(0, "Counter.tick", "method", "Counter.tick", ((None, "2"),), (), "2.5")
    test = write_test(call, record, FOCALS["Counter.tick"], "shapes")
    assert test.source.splitlines()[1:] == [
        "    obj = 2.5  # an instance of Counter",
        "    result = Counter.tick(obj, 2)",
        "    assert result == 3",
    ]


def test_an_object_without_a_literal_is_checked_by_type_size_and_attributes():
    record = {
        "status": "returned",
        "deterministic": True,
        "value": {"type": "Pattern", "module": "re", "len": 3, "attrs": {"flags": "0"}},
    }
    test = written("clamp", ((None, "1"),), record)
    assert "assert isinstance(result, re.Pattern)" in test.source
    assert "import re" in test.imports
    assert "assert len(result) == 3" in test.source and "assert result.flags == 0" in test.source


def test_names_are_unique_and_the_file_parses():
    record = {
        "status": "returned",
        "deterministic": True,
        "value": {"type": "int", "module": "builtins", "literal": "0"},
    }
    tests = unique_names(
        [written("clamp", ((None, "-1"),), record), written("clamp", ((None, "0"),), record)]
    )
    assert [t.name for t in tests] == ["test_clamp_returns_0", "test_clamp_returns_0_2"]
    text = suite_file("shapes", tests)
    assert "from shapes import clamp" in text
    assert [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)] == [
        "test_clamp_returns_0",
        "test_clamp_returns_0_2",
    ]


def test_greedy_cover_keeps_the_fewest_items_reaching_the_same_coverage():
    sets = {"a": {1, 2}, "b": {2, 3, 4}, "c": {1}, "d": {4}, "e": set()}
    picked = greedy_cover(list(sets), lambda k: frozenset(sets[k]))
    assert picked == ["b", "a"]
    cheap = greedy_cover(["x", "y"], lambda k: frozenset({1}), cost=lambda k: k == "x")
    assert cheap == ["y"]  # a tie goes to the cheaper

"""Call sequences on objects (issue #32): the probe's sequence search, the tests written
from it (operators through their syntax, the object's state after the calls), results
of private types asserted through their behaviour, and no test without an assert."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from codeintel.tasks.testgen import TestgenConfig, generate_tests
from codeintel.tasks.testgen.plan import Call, focal_functions
from codeintel.tasks.testgen.probe import is_statement, protocol_forms
from codeintel.tasks.testgen.writer import asserts_anything, write_sequence, write_test

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "testgen"
BAG = (FIXTURES / "bag.py").read_text()
FOCALS = {f.qualname: f for f in focal_functions(ast.parse(BAG))}


def _bag_class():
    namespace: dict = {}
    exec(BAG, namespace)
    return namespace["Bag"], namespace["MinQueue"]


def test_the_syntax_a_class_supports_becomes_step_forms():
    bag, queue = _bag_class()
    changes, observes = protocol_forms(bag)
    assert changes == ["obj |= other"]
    assert {"obj | other", "obj - other", "len(obj)", "list(obj)", "{x} in obj"} <= set(observes)
    assert "obj == other" in observes and "obj & other" not in observes
    assert protocol_forms(queue) == ([], ["len(obj)"])
    assert is_statement("obj |= other") and is_statement("obj[1] = 2")
    assert not is_statement("obj | other") and not is_statement("obj == other")


def _sequence(steps, outcomes, observed, status="returned", error=None):
    call = Call(0, "Bag.add", "sequence", "Bag", (), ((None, "(1, 2)"),), steps=steps,
                other=((None, "[3]"),))  # fmt: skip
    record = {"status": status, "deterministic": True, "outcomes": outcomes,
              "observed": observed, "error": error}  # fmt: skip
    return write_sequence(call, record, FOCALS["Bag.add"], "bag")


def test_a_sequence_becomes_one_readable_test_with_the_state_after_it():
    merged = {"type": "Bag", "module": "bag", "len": 3, "items": "[1, 2, 3]"}
    test = _sequence(
        ("obj.add(2)", "3 in obj", "obj | other"),
        [{"status": "returned", "value": {"literal": "None"}},
         {"status": "returned", "value": {"literal": "False"}},
         {"status": "returned", "value": merged}],
        {"len": 3, "items": "[1, 2, 2]"},
    )  # fmt: skip
    assert test.name == "test_bag_add_contains_or"
    assert test.source == (
        "def test_bag_add_contains_or():\n"
        "    obj = Bag((1, 2))\n"
        "    other = Bag([3])\n"
        "    obj.add(2)\n"
        "    assert 3 not in obj\n"
        "    result_3 = obj | other\n"
        "    assert type(result_3).__name__ == 'Bag'\n"
        "    assert len(result_3) == 3\n"
        "    assert list(result_3) == [1, 2, 3]\n"
        "    assert len(obj) == 3\n"
        "    assert list(obj) == [1, 2, 2]\n"
    )
    assert test.names == ("Bag",) and "__or__" not in test.source


def test_a_step_that_raises_ends_the_sequence_in_pytest_raises():
    error = {"type": "KeyError", "module": "builtins", "message": "5"}
    test = _sequence(
        ("obj |= other", "obj.remove(5)"),
        [{"status": "returned", "value": None}, {"status": "raised", "error": error}],
        {},
        status="raised",
        error=error,
    )
    assert test.source.endswith(
        "    obj |= other\n    with pytest.raises(KeyError):\n        obj.remove(5)\n"
    )
    assert "import pytest" in test.imports


def test_a_sequence_that_asserts_nothing_or_varies_gives_no_test():
    silent = [{"status": "returned", "value": {"literal": "None"}}]
    assert _sequence(("obj.add(2)",), silent, {}) is None
    call = Call(0, "Bag.add", "sequence", "Bag", (), (), steps=("len(obj)",))
    varying = {"status": "returned", "deterministic": False, "outcomes": [], "observed": {}}
    assert write_test(call, varying, FOCALS["Bag.add"], "bag") is None


def test_a_private_result_type_is_asserted_through_its_behaviour():
    value = {"type": "_Summary", "module": "bag", "attrs": {"low": "1", "high": "3"}}
    record = {"status": "returned", "deterministic": True, "value": value}
    call = Call(0, "summarize", "function", "summarize", ((None, "[1, 2, 3]"),))
    test = write_test(call, record, FOCALS["summarize"], "bag")
    assert "isinstance" not in test.source and "_Summary" not in "".join(test.imports)
    assert "assert type(result).__name__ == '_Summary'" in test.source
    assert "assert result.low == 1" in test.source and "assert result.high == 3" in test.source


def test_tests_without_an_assert_are_told_apart():
    assert asserts_anything("def test_a():\n    assert f() == 1\n")
    assert asserts_anything("def test_a():\n    with pytest.raises(KeyError):\n        f()\n")
    assert asserts_anything("class T(unittest.TestCase):\n    def test_a(self):\n"
                            "        self.assertEqual(f(), 1)\n")  # fmt: skip
    assert not asserts_anything("def test_a():\n    obj = Bits()\n")


@pytest.fixture(scope="module")
def bag_result():
    return generate_tests(FIXTURES / "bag.py", budget=30, config=TestgenConfig(samples=0))


def test_stateful_classes_are_tested_through_call_sequences(bag_result):
    sources = [t.source for t in bag_result.tests]
    pushes = [s for s in sources if s.count("obj.push(") >= 2 and "obj.pop()" in s]
    assert pushes, "no test pushes several items and pops"
    assert any(re.search(r"obj (\|=?|-) other", s) for s in sources)  # operators, as syntax
    assert not any(re.search(r"\.__\w+__\(", s) for s in sources)  # never a dunder by name
    assert all(asserts_anything(s) for s in sources) and all(t.passed for t in bag_result.tests)
    covered = {line for t in bag_result.tests for line in t.lines}
    sift_down = BAG.split("\n").index("                    smallest = child") + 1
    assert sift_down in covered  # a heap of three or more, popped: only a sequence reaches it


def test_a_function_returning_a_private_type_keeps_its_test(bag_result):
    summarize = next(f for f in bag_result.functions if f.focal == "summarize")
    assert summarize.tests and "'_Summary'" in summarize.tests[0].source

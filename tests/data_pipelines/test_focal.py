from __future__ import annotations

from codeintel.models import formats
from data_pipelines import focal as focal_stage
from data_pipelines.config import Task
from data_pipelines.focal import (
    FocalIndex,
    FocalPair,
    TestCase,
    assert_sites,
    module_of,
    name_candidates,
    pair_examples,
    pairs,
)

from .conftest import records_of


def _setup(corpus_root, config):
    _, focal_records = records_of(corpus_root, "shapes/geometry.py", config)
    parsed_tests, test_records = records_of(corpus_root, "shapes/tests/test_geometry.py", config)
    return focal_records, focal_stage.test_cases(parsed_tests, test_records)


def test_test_cases_are_unittest_and_pytest_tests(corpus_root, config) -> None:
    _, cases = _setup(corpus_root, config)
    names = [c.id.rsplit(":", 1)[1] for c in cases]
    assert names == [
        "TestRect.test_area",
        "TestRect.test_scale",
        "test_perimeter",
        "test_round_numbers",
    ]
    area = cases[0]
    assert area.names == (("Rect", "area"),)
    assert "area" in area.calls and "Rect" in area.calls
    assert ("Rect", "shapes.geometry") in area.imports
    assert TestCase.from_json(area.to_json()) == area


def test_name_candidates() -> None:
    assert name_candidates("TestBar.test_baz_qux", "TestBar") == (
        ("Bar", "baz_qux"),
        ("Bar", "baz"),
    )
    assert name_candidates("test_parse", "") == (("", "parse"),)
    assert module_of("corpus/shapes/geometry.py") == "shapes.geometry"
    assert module_of("stdlib/json/__init__.py") == "json"


def test_resolution_by_name_and_by_call(corpus_root, config) -> None:
    focal_records, cases = _setup(corpus_root, config)
    found = {
        p.test.id.rsplit(":", 1)[1]: p.focal_name for p in pairs(cases, FocalIndex(focal_records))
    }
    assert found == {
        "TestRect.test_area": "Rect.area",
        "TestRect.test_scale": "Rect.scale",
        "test_perimeter": "perimeter",
        "test_round_numbers": "circle_area",
    }  # by its one package call
    other_package = FocalIndex(r for r in focal_records if False)
    assert pairs(cases, other_package) == []


def test_assert_sites() -> None:
    test = (
        "def test_x(self):\n    a = f(1)\n    self.assertEqual(a, 2)\n"
        "    with self.assertRaises(E):\n        f(0)\n    assert a,\\\n        'msg'\n"
    )
    sites = list(assert_sites(test))
    assert [s for _, s in sites] == ["self.assertEqual(a, 2)", "assert a,\\\n    'msg'"]
    assert sites[0][0] == "def test_x(self):\n    a = f(1)"


def test_pair_examples(corpus_root, config) -> None:
    focal_records, cases = _setup(corpus_root, config)
    parsed, _ = records_of(corpus_root, "shapes/geometry.py", config)
    pair = next(p for p in pairs(cases, FocalIndex(focal_records)) if p.focal_name == "Rect.scale")
    assert isinstance(pair, FocalPair)
    focal = next(r.text for r in focal_records if r.qualified_name == "Rect.scale")
    examples = pair_examples(parsed, pair, focal, config)
    test = examples[0]
    assert test.task is Task.TEST and test.target == pair.test.text
    method, _, context = test.input.partition(f"\n{formats.FOCAL}\n")
    assert method == f"{formats.Prefix.TEST.value} {focal}"
    assert context.startswith("class Rect:") and "def scale" not in context
    asserts = [e for e in examples if e.task is Task.ASSERT]
    assert [e.target for e in asserts] == [
        "self.assertEqual(bigger.width, 4)",
        "self.assertEqual(bigger.height, 6)",
    ]
    assert asserts[1].input == formats.assert_input(
        "def test_scale(self):\n    rect = Rect(2, 3)\n    bigger = rect.scale(2)\n"
        "    self.assertEqual(bigger.width, 4)",
        focal,
    )
    assert all(e.refs == (pair.focal_id,) and e.origin == pair.test.id for e in examples)

"""Inputs the search has to grow or build (issue #32): the constants a comparison looks
at, module constants, values shaped like a container annotation, both sides of a type
test, arguments of kept calls mutated and then shrunk, results observed through their
truth value and repr, and functions pytest would collect reached through the module."""

from __future__ import annotations

import ast
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codeintel.tasks.testgen import TestgenConfig, generate_tests, probe
from codeintel.tasks.testgen.plan import (
    Call,
    annotated_values,
    body_literals,
    compared_constants,
    explore_targets,
    focal_functions,
    module_literals,
)
from codeintel.tasks.testgen.probe import Explorer, _agreed, _cuts, observe
from codeintel.tasks.testgen.writer import collected_by_pytest, suite_file, write_test

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "testgen"
SOURCE = (FIXTURES / "detectors.py").read_text()
TREE = ast.parse(SOURCE)
FOCALS = {f.qualname: f for f in focal_functions(TREE)}


def _body(name: str) -> ast.FunctionDef:
    return next(n for n in TREE.body if isinstance(n, ast.FunctionDef) and n.name == name)


def test_the_constants_a_comparison_looks_at_come_first():
    found = body_literals(_body("char_class"))
    assert found[:4] == ("'['", "'!'", "0", "'-'")  # compared, though not with a parameter
    assert "'not a bracket expression'" in found  # then the rest
    assert module_literals(TREE) == ("'alpha'", "'beta'")
    assert FOCALS["Registry.default_names"].constants == ("'alpha'", "'beta'")
    names = ast.parse("__all__ = ['f', 'g']\n__version__ = '1.0'\nKIND: str = 'x'\n")
    assert module_literals(names) == ("'x'",)  # names and versions are not data


def test_a_container_annotation_gets_a_value_of_its_shape():
    assert annotated_values("dict[str, list[str]] | None", ["'alpha'"]) == [
        "{'abc': ['abc']}",
        "{'alpha': ['alpha']}",
    ]
    assert annotated_values("Optional[Mapping[str, int]]") == ["{'abc': 1}"]
    assert annotated_values("list[tuple[str, int]]") == ["[('abc', 1)]"]
    assert annotated_values("tuple[int, ...]") == ["(1,)"]
    assert annotated_values("int") == [] and annotated_values("Callable[[int], str]") == []
    assert annotated_values("not an annotation (") == []


def test_a_type_test_gets_values_for_both_of_its_sides():
    hints = compared_constants(_body("build_view"), {"source"})["source"]
    assert "lambda: [1, 2]" in hints  # callable(source)
    assert "[1, 2, 3]" in hints and "iter([1, 2])" in hints  # isinstance(source, list) or not


def test_cuts_remove_halves_first_then_single_items():
    assert _cuts("abcd") == ["cd", "ab", "bcd", "acd", "abd", "abc"]
    assert _cuts([1]) == [] and _cuts(5) == []


def test_kept_arguments_are_mutated_into_values_of_their_type():
    explorer = Explorer([], {"__builtins__": __builtins__}, seed=3)
    explorer.strings = ["[", "-", "]"]
    explorer.kept = ["[a]", b"RIFF", [1, 2], 7]
    for value in explorer.kept:
        changed = [explorer.mutated(value) for _ in range(20)]
        assert all(type(c) is type(value) for c in changed)
        assert any(c != value for c in changed)
    grown = {explorer.mutated("[a]") for _ in range(50)}
    assert any("-" in g for g in grown)  # a piece of the code's own constants went in


def test_results_show_their_truth_value_items_and_repr():
    namespace: dict = {"__name__": "detectors"}  # its classes' module (not builtins)
    exec(SOURCE, namespace)
    shown = observe(namespace["build_view"](lambda: [1, 2]))
    assert shown["items"] == "[1, 2]" and shown["bool"] is True  # iterable without len
    assert shown["repr"] == "_FactoryView([1, 2])"
    assert "repr" not in observe(namespace["Registry"]())  # object's repr: an address
    first = {"status": "returned", "value": {"repr": "Clock(3)", "bool": True}}
    second = {"status": "returned", "value": {"repr": "Clock(4)", "bool": True}}
    agreed = _agreed(first, second)  # a repr that varies is dropped, not the call
    assert agreed["deterministic"] and agreed["value"] == {"bool": True}
    assert not _agreed(first, {"status": "raised"})["deterministic"]


def test_a_function_pytest_would_collect_is_reached_through_the_module(tmp_path):
    assert collected_by_pytest("test_header") and collected_by_pytest("TestCase")
    assert not collected_by_pytest("char_class")
    call = Call(0, "test_header", "function", "test_header", ((None, "b'SND'"),))
    record = {"status": "returned", "deterministic": True, "value": {"literal": "'snd'"}}
    test = write_test(call, record, FOCALS["test_header"], "detectors")
    assert "result = detectors.test_header(b'SND')" in test.source
    assert test.names == () and "import detectors" in test.imports
    assert test.name == "test_test_header_returns_snd"
    (tmp_path / "detectors.py").write_text(SOURCE)
    (tmp_path / "test_detectors.py").write_text(suite_file("detectors", [test]))
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_detectors.py"]
    done = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout


@pytest.fixture(scope="module")
def detectors_result():
    return generate_tests(FIXTURES / "detectors.py", budget=20, config=TestgenConfig(samples=0))


def _line(text: str) -> int:
    return SOURCE.split("\n").index(text) + 1


def test_the_search_grows_inputs_the_pools_cannot_make(detectors_result):
    covered = {line for t in detectors_result.tests for line in t.lines}
    assert _line("        return _FactoryView(source)") in covered  # a callable
    assert _line("        source = list(source)") in covered  # an iterator
    assert _line("            return list(self._entries[DEFAULT_KIND])") in covered
    assert _line('        return "raw"') in covered
    assert all(t.passed for t in detectors_result.tests)


@pytest.fixture
def alarm():
    """The probe's call timeout (SIGALRM), as its main() sets it, for in-process runs."""
    before = signal.signal(signal.SIGALRM, probe._on_alarm)
    yield
    signal.signal(signal.SIGALRM, before)


def test_the_random_search_reaches_a_range_and_shrinks_its_pattern(alarm):
    spec = importlib.util.spec_from_file_location("detectors_in_process", FIXTURES / "detectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    targets = explore_targets([FOCALS["char_class"]], {}, {"function"})
    explorer = Explorer(targets, {"__builtins__": __builtins__}, seed=0)
    tracer = probe.Tracer(os.path.realpath(FIXTURES / "detectors.py"))
    wanted = ("char_class", _line("            ranges.append((body[i], body[i + 2]))"))
    seen: set = set()
    until = (time.monotonic() + 120, 120.0)  # the draws are seeded: only the end is timed
    kept = []
    for record in explorer.run(module, tracer, seen, until, 1.0, 1):
        kept.append(record)
        if wanted in seen:
            break
    assert wanted in seen, "no drawn pattern reached a range such as '[a-c]'"
    pattern = ast.literal_eval(kept[-1]["call"]["args"][0][1])
    assert pattern.startswith("[") and "-" in pattern and len(pattern) <= 8, pattern
    assert explorer.kept  # the kept calls' arguments, for later mutation

"""Body synthesis: bodies placed under the signature, checked by running them."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeintel.errors import InputError, UnknownFunctionError
from codeintel.models import Generation
from codeintel.sandbox import Layout, SandboxConfig
from codeintel.tasks.synthesize import (
    Check,
    SynthesisConfig,
    SynthesisRequest,
    docstring_examples,
    model_input,
    place_body,
    run,
    synthesize,
)
from parsers import parse
from tests.tasks.conftest import TASK_FORMATS

ADD = '''import math


def add(a, b):
    """The sum of a and b.

    >>> add(1, 2)
    3

    add(2, 2) == 4
    add(2, 2) -> not an expression here
    """
'''


class Proposals:
    """A generator that proposes the given bodies, in order, with falling scores."""

    capabilities = TASK_FORMATS

    def __init__(self, *bodies: str) -> None:
        self.bodies = bodies
        self.inputs: list[str] = []

    def generate(self, inputs, config, edit_sources=None):
        self.inputs += inputs
        n = min(config.n, len(self.bodies))
        return [tuple(Generation(b, -float(i)) for i, b in enumerate(self.bodies[:n]))]


def request(text: str = ADD, tests: str | None = None) -> SynthesisRequest:
    return SynthesisRequest(text, None, tests, SynthesisConfig(beam=0, samples=4))


def test_the_model_sees_the_signature_and_docstring_in_body_mode():
    _, scope, text = model_input(request())
    assert scope.name == "add"
    assert text.startswith("body: <sig> def add(a, b):\n<doc> The sum of a and b.")


def test_docstring_examples_are_doctests_and_equalities():
    examples = docstring_examples(parse(ADD).find("add").docstring, "add")
    assert examples == [("add(1, 2)", "3"), ("add(2, 2)", "4")]


def test_the_body_goes_under_the_docstring_at_its_indentation():
    parsed = parse(ADD)
    program = place_body(parsed, parsed.find("add"), "total = a + b\nreturn total")
    assert program == ADD + "    total = a + b\n    return total\n"


def test_passing_bodies_rank_first_and_broken_ones_are_dropped():
    model = Proposals("return a - b", "return (a +", "return a + b", "return a - b")
    candidates = run(request(), model)
    assert [c.body for c in candidates] == ["return a + b", "return a - b"]
    assert [c.passed for c in candidates] == [True, False]
    assert all(c.check is Check.EXAMPLES for c in candidates)


def test_given_tests_replace_the_examples():
    tests = "from solution import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    candidates = run(request(tests=tests), Proposals("return 5", "return a + b"))
    assert [(c.body, c.passed, c.check) for c in candidates] == [
        ("return 5", True, Check.TESTS),
        ("return a + b", True, Check.TESTS),
    ]


def test_without_tests_or_examples_nothing_is_run():
    text = 'def add(a, b):\n    """The sum."""\n'
    candidates = run(request(text), Proposals("return a + b"))
    assert [(c.check, c.passed) for c in candidates] == [(Check.NONE, None)]


def test_bad_input_is_a_typed_error():
    with pytest.raises(InputError, match="does not parse"):
        model_input(request("def add(a, b:\n"))
    with pytest.raises(InputError, match="no function"):
        model_input(request("x = 1\n"))
    with pytest.raises(UnknownFunctionError):
        model_input(SynthesisRequest(ADD, "sub", None, SynthesisConfig()))
    with pytest.raises(InputError, match="positive"):
        synthesize(ADD, samples=0)


@pytest.mark.slow
def test_the_bundled_model_proposes_only_parsable_programs():
    for candidate in synthesize(ADD, samples=4):
        assert parse(candidate.program).has_errors is False


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    from codeintel.cli import main

    source = tmp_path / "add.py"
    source.write_text(ADD)
    before = source.read_bytes()
    assert main(["body", str(source), "--function", "sub"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert main(["body", str(tmp_path / "none.py"), "--function", "add"]) == 2
    assert main(["body", str(source), "--function", "add", "--n", "0"]) == 2
    assert source.read_bytes() == before


def test_examples_with_ragged_indentation_are_still_read():
    docstring = 'Join.\n    >>> join("a",\n    ... "b")\n  "ab"\n>>> join("", "")\n\'\'\n'
    assert docstring_examples(docstring, "join") == [
        ('join("a",\n"b")', '"ab"'),
        ('join("", "")', "''"),
    ]


def test_in_a_project_the_program_imports_its_package(tmp_path):
    import shutil

    from codeintel.tasks.synthesize import passing, project_support

    root = tmp_path / "flat"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "projects" / "flat", root)
    module = root / "inventory" / "stock.py"
    support, layout = project_support(module)
    assert {"inventory/units.py", "inventory/stock.py"} <= set(support)
    assert layout.pythonpath == (".",)
    program = (
        "from inventory.units import items_in\n\n\ndef boxes(n):\n    return items_in(n, 'small')\n"
    )
    tests = (
        "from solution import *  # noqa: F403\n\n\ndef test_boxes():\n    assert boxes(2) == 12\n"
    )
    assert passing([program], tests, SandboxConfig(), support, layout) == [True]
    assert passing([program], tests, SandboxConfig()) == [False]  # the package is not there
    assert project_support(tmp_path / "loose.py") == ({}, Layout())

"""Assert generation: observed values, the model's statements, each run after the prefix."""

from pathlib import Path

import pytest

from codeintel.errors import InputError
from codeintel.tasks.asserts import AssertRequest, generate_asserts, run, runnable_test
from tests.tasks.conftest import TASK_FORMATS

FOCAL = (Path(__file__).resolve().parents[1] / "fixtures" / "testgen" / "shapes.py").read_text()


def test_observed_values_give_validated_asserts_last_assigned_first():
    prefix = "def test_clamp():\n    low = clamp(-5)\n    high = clamp(15, 0, 10)\n"
    found = generate_asserts(prefix, FOCAL, samples=5, model=False)
    assert [c.statement for c in found] == ["assert high == 10", "assert low == 0"]
    assert all(c.validated and c.origin == "observed" for c in found)


def test_unittest_prefixes_get_assert_equal_and_run_in_a_test_case():
    prefix = "def test_split(self):\n    fields = split_fields('a, b')\n"
    found = generate_asserts(prefix, FOCAL, samples=3, model=False)
    assert found[0].statement == "self.assertEqual(fields, ['a', 'b'])" and found[0].validated
    assert "class TestAssert(unittest.TestCase):" in runnable_test(prefix, "pass")


class Fixed:
    """A model whose beam is given: two statements, one true and one false."""

    capabilities = TASK_FORMATS

    def generate(self, inputs, config):
        from codeintel.models import Generation

        assert inputs[0].startswith("assert: def test_classify")
        texts = [("assert kind == 'even'", -1.0), ("assert kind == 'odd'", -0.5), ("x ==", -2.0)]
        return [tuple(Generation(t, s) for t, s in texts)]


def test_model_statements_are_validated_and_ranked():
    request = AssertRequest("def test_classify():\n    kind = classify(4)\n", FOCAL, samples=5)
    found = run(request, Fixed())
    by_statement = {c.statement: c for c in found}
    assert by_statement["assert kind == 'even'"].validated
    assert not by_statement["assert kind == 'odd'"].validated
    assert "x ==" not in by_statement  # does not parse
    assert found[0].statement == "assert kind == 'even'" and found[0].origin == "model"


def test_a_prefix_that_is_not_a_test_function_is_bad_input():
    with pytest.raises(InputError, match="test function"):
        generate_asserts("x = 1\n", FOCAL, model=False)
    with pytest.raises(InputError, match="does not parse"):
        generate_asserts("def test_x(:\n", FOCAL, model=False)


def test_a_causal_model_continues_the_assert_line(tmp_path, monkeypatch):
    from codeintel.models.causal import CausalModel
    from codeintel.models.seq2seq import Generation
    from tests.models.conftest import spy, tiny_causal

    model = CausalModel.load(tiny_causal(tmp_path / "gpt2", "gpt2"))
    seen = spy(monkeypatch, model, "generate", Generation("kind == 'even'", -0.1))
    request = AssertRequest("def test_classify():\n    kind = classify(4)\n", FOCAL, samples=3)
    found = run(request, model)
    prompt = seen[0][0]
    assert prompt.startswith(FOCAL.rstrip()) and prompt.endswith(
        "def test_classify():\n    kind = classify(4)\n    assert "
    )
    right = [c for c in found if c.statement == "assert kind == 'even'"]
    assert right and right[0].validated and right[0].origin == "model"

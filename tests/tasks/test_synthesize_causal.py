"""Bodies from a causal model: the text up to the docstring's end as the prompt (the
HumanEval prompt), continuations cut where the function ends, graded by the docstring's
examples. A tiny random-weight Llama built here: the tests assert the pipeline."""

from __future__ import annotations

from codeintel.models.causal import CausalModel
from codeintel.tasks.synthesize import Check, synthesize
from tests.models.conftest import tiny_causal

TEXT = '''import math


def hypot2(x, y):
    """The length of the vector (x, y).

    >>> hypot2(3, 4)
    5.0
    """
'''


def test_a_causal_model_continues_the_prompt_and_its_bodies_are_graded(tmp_path, monkeypatch):
    model = CausalModel.load(tiny_causal(tmp_path / "llama", "llama"))
    prompts = []
    real = model.generate

    def spy(texts, config):
        prompts.extend(texts)
        return real(texts, config)

    monkeypatch.setattr(model, "generate", spy)
    found = synthesize(TEXT, samples=3, model=model)
    assert prompts and all(p == TEXT.rstrip() + "\n" for p in prompts)  # as HumanEval's
    for candidate in found:
        assert candidate.check is Check.EXAMPLES and isinstance(candidate.passed, bool)
        assert candidate.program.startswith(TEXT.rstrip())
        assert not candidate.body.startswith((" ", "\t"))  # at column 0
    right = CausalModel.generate  # a body the examples accept ranks first, whatever scores

    def with_a_right_one(self, texts, config):
        from codeintel.models.seq2seq import Generation

        made = right(self, texts, config)
        return [(*m, Generation("    return math.hypot(x, y)\n", -99.0)) for m in made]

    monkeypatch.setattr(CausalModel, "generate", with_a_right_one)
    ranked = synthesize(TEXT, samples=2, model=CausalModel.load(tmp_path / "llama"))
    assert ranked[0].body == "return math.hypot(x, y)" and ranked[0].passed

"""Docstrings from a causal model: the docstring opened in place (the file up to the
body and `\"\"\"` as the prefix, the body as the suffix through the FIM template), ended
at the closing quotes, assessed as the seq2seq model's are; a backend without scores
never makes its own summary confident. A tiny random-weight Qwen2 built here."""

from __future__ import annotations

from codeintel.models.causal import CausalModel
from codeintel.tasks.docstring import Assessor, Origin, summarize
from tests.models.conftest import record, tiny_causal

SOURCE = """import math


def hypot2(x, y):
    return math.sqrt(x * x + y * y)
"""


def test_the_docstring_is_opened_in_place(tmp_path, monkeypatch):
    model = CausalModel.load(tiny_causal(tmp_path / "qwen2", "qwen2"))
    seen = record(monkeypatch, model)
    result = summarize(SOURCE, "hypot2", samples=3, model=model)
    prefix, suffix, config = seen[0]
    assert prefix == 'import math\n\n\ndef hypot2(x, y):\n    """'
    assert suffix == '"""\n    return math.sqrt(x * x + y * y)\n'
    assert config.stop == ('"""',) and seen[1][2].n == 2  # greedy, then samples
    (function,) = result.functions
    assert all(c.origin is Origin.MODEL for c in function.candidates)
    assert all('"""' not in c.docstring for c in function.candidates)


def test_without_scores_the_models_own_summary_is_never_confident():
    def words(text: str) -> int:
        return len(text.split())

    sure = Assessor(frozenset({"x"}), words)
    unscored = Assessor(frozenset({"x"}), words, scores=False)
    assert sure("Return x.", 0.0, Origin.MODEL) and not unscored("Return x.", 0.0, Origin.MODEL)
    assert unscored("Return x.", 0.0, Origin.RETRIEVED)  # a near-clone's, as ever

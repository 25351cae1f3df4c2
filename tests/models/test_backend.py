"""The one backend interface: every kind of model says what it can do, and the tasks
read that (`prompted`) instead of guessing from the object's methods."""

from __future__ import annotations

from codeintel.models import load_model
from codeintel.models.backend import prompted
from codeintel.models.causal import CausalModel
from tests.models.conftest import tiny_causal


def test_the_bundled_model_takes_task_inputs_and_a_causal_one_is_prompted(tmp_path):
    bundled = load_model()
    caps = bundled.capabilities
    assert caps.task_formats and caps.scores and caps.fim is None and not caps.chat
    assert caps.context_length == bundled.max_input_tokens and not prompted(bundled)
    causal = CausalModel.load(tiny_causal(tmp_path / "qwen2", "qwen2"))
    assert not causal.capabilities.task_formats and prompted(causal)
    assert all(hasattr(causal, name) for name in ("fill_in_middle", "chat", "score"))

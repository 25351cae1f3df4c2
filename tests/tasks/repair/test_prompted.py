"""Repair with a causal model: a chat model is shown the function, the failing test's
code and its trace and answers with the whole function in a code block; a model without
a chat template continues a plain prompt. Their functions are validated with the rule
edits; one that passes wins. Tiny random-weight checkpoints built here (their own
answers are noise; a right answer is added to theirs to see it validated and chosen)."""

from __future__ import annotations

import shutil
from pathlib import Path

from codeintel.models.causal import CausalModel
from codeintel.models.seq2seq import Generation
from codeintel.tasks.repair import CandidateMode, RepairConfig, RepairOutcome, repair
from codeintel.tasks.repair.prompted import function_in, messages, plain_prompt
from tests.models.conftest import spy, tiny_causal

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
BUGGY = "return level < threshold"
FIXED = "def needs_reorder(level, threshold=10):\n    return level <= threshold\n"


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "flat"
    shutil.copytree(PROJECTS / "flat", root)
    module = root / "inventory" / "stock.py"
    module.write_text(module.read_text().replace("return level <= threshold", BUGGY))
    return module


def test_answers_become_functions():
    fenced = "Here it is:\n```python\ndef f(x):\n    return x + 1\n```\nDone."
    assert function_in(fenced, "f") == "def f(x):\n    return x + 1"
    assert function_in("def f(x):\n    return x\n\nprint(1)", "f") == "def f(x):\n    return x"
    assert function_in("```python\ndef g():\n    pass\n```", "f") is None
    assert function_in("no code here", "f") is None
    turn = messages(
        "def f(x):\n    return x", "def test_f():\n    assert f(1) == 2", "E  assert 1 == 2"
    )
    assert [m["role"] for m in turn] == ["system", "user"]
    assert "def test_f()" in turn[1]["content"] and "assert 1 == 2" in turn[1]["content"]
    plain = plain_prompt("@cache\ndef f(x):\n    return x", "", "boom")
    assert plain.endswith("# The fixed function:\n@cache\ndef f(x):\n")


def test_a_chat_model_rewrites_the_function_and_its_fix_wins(tmp_path, monkeypatch):
    module = _project(tmp_path)
    model = CausalModel.load(tiny_causal(tmp_path / "qwen2", "qwen2"))
    asked = spy(monkeypatch, model, "chat", Generation(f"```python\n{FIXED}```", -1.0))
    config = RepairConfig(candidates=CandidateMode.MODEL, beam=2)
    result = repair(module, function="needs_reorder", model=model, config=config)
    assert result.outcome is RepairOutcome.FIXED, result.message
    assert result.winner.description == "the model's function"
    assert "return level <= threshold" in result.patched_source
    user = asked[0][1]["content"]
    assert BUGGY in user and "def test_needs_reorder_at_the_threshold" in user
    assert "assert" in user.split("What went wrong:")[1]  # the trace


def test_a_plain_model_continues_the_signature(tmp_path, monkeypatch):
    module = _project(tmp_path)
    model = CausalModel.load(tiny_causal(tmp_path / "gpt2", "gpt2"))
    right = Generation("    return level <= threshold\n", -1.0)
    seen = spy(monkeypatch, model, "generate", right)  # each call's list of prompts
    config = RepairConfig(candidates=CandidateMode.MODEL, beam=2)
    result = repair(module, function="needs_reorder", model=model, config=config)
    assert result.outcome is RepairOutcome.FIXED, result.message
    assert seen[0][0].endswith("# The fixed function:\ndef needs_reorder(level, threshold=10):\n")


def test_a_failing_answer_goes_back_to_the_chat_model_with_its_failure(tmp_path, monkeypatch):
    module = _project(tmp_path)
    model = CausalModel.load(tiny_causal(tmp_path / "qwen2", "qwen2"))
    wrong = "def needs_reorder(level, threshold=10):\n    return level > threshold\n"
    turns = []

    def chat(turn, config):
        turns.append(turn)
        answer = FIXED if turn[-2]["role"] == "assistant" else wrong  # right once told
        return (Generation(f"```python\n{answer}```", -1.0),)

    monkeypatch.setattr(model, "chat", chat)
    config = RepairConfig(candidates=CandidateMode.MODEL, beam=1)
    result = repair(module, function="needs_reorder", model=model, config=config)
    assert result.outcome is RepairOutcome.FIXED, result.message
    told = turns[-1]
    assert [m["role"] for m in told] == ["system", "user", "assistant", "user"]
    assert "return level > threshold" in told[2]["content"]
    assert told[3]["content"].startswith("That still fails:") and "assert" in told[3]["content"]


def test_the_model_samples_again_at_rising_temperatures(tmp_path, monkeypatch):
    module = _project(tmp_path)
    model = CausalModel.load(tiny_causal(tmp_path / "gpt2", "gpt2"))
    configs = []
    real = model.generate

    def generate(prompts, config, *args):
        configs.append(config)
        return real(prompts, config, *args)

    monkeypatch.setattr(model, "generate", generate)
    config = RepairConfig(candidates=CandidateMode.MODEL, beam=1, samples=2, hotter=(1.0, 1.3))
    result = repair(module, function="needs_reorder", model=model, config=config)
    assert result.outcome is RepairOutcome.NO_FIX_FOUND  # a random model's noise
    hotter = [(c.n, c.temperature) for c in configs if c.temperature in (1.0, 1.3)]
    assert hotter == [(2, 1.0), (2, 1.3)]  # after the greedy answer and its samples
    assert result.exhausted and "every ring of candidates was tried" in result.message

"""Completion with a causal model: its family's fill-in-the-middle prompt (the file's
window and the function's code before the cursor as the prefix, the code after it as
the suffix), the line and block modes, through the API and the CLI. The models are
tiny random-weight checkpoints built here: the tests assert the pipeline."""

from __future__ import annotations

import json

import pytest

from codeintel.models.causal import CausalModel
from codeintel.tasks.completion import complete
from tests.models.conftest import record, tiny_causal

SOURCE = '''"""Stock levels."""

LIMIT = 10


def needs_reorder(level, threshold=LIMIT):
    low = level <= threshold
    return low


def restock(levels, name, amount):
    levels[name] = levels.get(name, 0) + amount
    return levels
'''


@pytest.fixture(scope="module")
def starcoder(tmp_path_factory):
    return tiny_causal(tmp_path_factory.mktemp("starcoder2"), "starcoder2")


def test_the_fim_prompt_and_the_candidates(starcoder, monkeypatch):
    model = CausalModel.load(starcoder)
    calls = record(monkeypatch, model)
    found = complete(SOURCE, line=7, column=10, model=model, samples=3)  # "    low = |level ..."
    prefix, suffix, config = calls[0]
    assert prefix.endswith("def needs_reorder(level, threshold=LIMIT):\n    low = ")
    assert "LIMIT = 10" in prefix  # the window before the function
    assert suffix.startswith("level <= threshold\n    return low\n")
    assert config.stop == ("\n",) and config.n == 1 and calls[1][2].n == 2  # greedy, samples
    assert 1 <= len(found) <= 3
    for completion in found:
        assert "\n" not in completion.text and completion.mode == "line"
        assert isinstance(completion.parses, bool)
    rendered = model.template.render(prefix, suffix)
    assert rendered.startswith("<fim_prefix>") and rendered.endswith("<fim_middle>")


def test_block_mode_keeps_the_function_only(starcoder):
    found = complete(SOURCE, line=12, column=4, model=str(starcoder), samples=2, mode="block")
    for completion in found:
        lines = completion.text.split("\n")
        assert all(not ln.strip() or ln[0].isspace() for ln in lines[1:])  # under the def


def test_the_cli_completes_with_a_causal_folder(starcoder, tmp_path, capsys):
    from codeintel.cli import main

    path = tmp_path / "stock.py"
    path.write_text(SOURCE)
    argv = ["complete", str(path), "--line", "7", "--column", "10", "--json"]
    assert main([*argv, "--model", str(starcoder)]) in (0, 1)
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list) and all("\n" not in c["text"] for c in out)

"""Backtranslation bugs: sampling functions, filtering proposals, writing examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeintel.models import formats
from data_pipelines.__main__ import main
from data_pipelines.neural import sample_functions, write_neural_bugs
from tests.models.conftest import tiny_model_dir, tokenizer_dir  # noqa: F401

FUNCTIONS = {
    "m.py:1:add": "def add(a, b):\n    return a + b\n",
    "m.py:4:Box.size": "    def size(self):\n        return self.w * self.h\n",
    "m.py:7:neg": "def neg(x):\n    return -x\n",
}


def write_functions(root: Path) -> Path:
    (root / "functions").mkdir(parents=True)
    lines = [json.dumps({"id": k, "code": v}) for k, v in FUNCTIONS.items()]
    (root / "functions" / "train-00000.jsonl").write_text("\n".join(lines) + "\n")
    return root


class Proposal:
    def __init__(self, text: str) -> None:
        self.text, self.logprob = text, 0.0


class SwapsPlusForMinus:
    """Proposes the edit + -> - (kept where there is one "+") and a non-edit (dropped)."""

    path = Path("fake-model")

    def generate(self, inputs, config, edit_sources=None):
        assert edit_sources is not None and len(edit_sources) == len(inputs)
        return [
            (Proposal(formats.encode_edit(formats.Edit("+", "-"))), Proposal("garbage"))
            for _ in inputs
        ]


def test_sample_functions_is_seeded_and_dedents(tmp_path: Path) -> None:
    data = write_functions(tmp_path / "data")
    first = sample_functions(data, "train", 2, seed=1)
    assert first == sample_functions(data, "train", 2, seed=1) and len(first) == 2
    everything = sample_functions(data, "train", 10, seed=0)
    assert everything["m.py:4:Box.size"].startswith("def size(self):")


def test_write_neural_bugs_keeps_applicable_edits(tmp_path: Path) -> None:
    data, out = write_functions(tmp_path / "data"), tmp_path / "neural"
    run = write_neural_bugs(SwapsPlusForMinus(), data, out, limit=10, samples=2)
    assert (run.functions, run.proposals, run.bugs) == (3, 6, 1)  # only `add` has a "+"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["bugs"] == 1 and manifest["accepted"] == round(1 / 6, 4)
    shard = out / "examples" / "train" / "neural-00000.jsonl"
    assert list(manifest["files"]) == ["examples/train/neural-00000.jsonl"]
    fix, broken = [json.loads(line) for line in shard.read_text().splitlines()]
    assert fix["task"] == "fix" and "return a - b" in fix["input"]
    edit = formats.decode_edit(fix["target"])
    assert edit is not None
    assert formats.apply_edit("def add(a, b):\n    return a - b\n", edit) == FUNCTIONS["m.py:1:add"]
    assert broken["task"] == "break"


def test_cli_runs_a_real_checkpoint_and_reports(tmp_path, tiny_model_dir, capsys) -> None:  # noqa: F811
    data, out = write_functions(tmp_path / "data"), tmp_path / "neural"
    argv = [
        "neural-bugs",
        "--data",
        str(data),
        "--out",
        str(out),
        "--model",
        str(tiny_model_dir),
        "--limit",
        "2",
        "--samples",
        "2",
    ]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["functions"] == 2 and report["proposals"] == 4
    assert json.loads((out / "manifest.json").read_text())["bugs"] == report["bugs"]


def test_cli_missing_data_is_a_clear_error(tmp_path, tiny_model_dir, capsys) -> None:  # noqa: F811
    argv = [
        "neural-bugs",
        "--data",
        str(tmp_path / "none"),
        "--out",
        str(tmp_path / "o"),
        "--model",
        str(tiny_model_dir),
    ]
    assert main(argv) == 2
    assert "no train shards" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["build", "neural-bugs"])
def test_help_lists_each_command(command, capsys) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--out" in capsys.readouterr().out

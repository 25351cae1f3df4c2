"""Which model a command uses, as a user sets it: `--model`, then $CODEINTEL_MODEL, then
`[tool.codeintel] model` in the project's pyproject.toml (found above the file), then
the bundled default; a task that runs seq2seq checkpoints only (test generation)
refuses another kind at once, in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

from codeintel.cli import main
from tests.models.conftest import tiny_causal

PROJECTS = Path(__file__).resolve().parents[1] / "fixtures" / "projects"


def _project(tmp_path: Path, model: str) -> Path:
    root = tmp_path / "flat"
    shutil.copytree(PROJECTS / "flat", root)
    settings = root / "pyproject.toml"
    settings.write_text(settings.read_text() + f'\n[tool.codeintel]\nmodel = "{model}"\n')
    return root


def test_the_precedence_from_the_project_up(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CODEINTEL_MODEL", raising=False)
    root = _project(tmp_path, str(tmp_path / "nowhere"))
    monkeypatch.chdir(root)
    complete = ["complete", "inventory/stock.py", "--line", "16", "--column", "11", "--json"]
    assert main(complete) == 2  # the project's setting is read: its folder is not there
    assert f"no model checkpoint at {tmp_path / 'nowhere'}" in capsys.readouterr().err
    folder = tiny_causal(tmp_path / "starcoder2", "starcoder2")
    monkeypatch.setenv("CODEINTEL_MODEL", str(folder))  # the environment comes first
    assert main(complete) in (0, 1)
    capsys.readouterr()
    monkeypatch.setenv("CODEINTEL_MODEL", str(tmp_path / "elsewhere"))
    assert main([*complete, "--model", str(folder)]) in (0, 1)  # --model before all


def test_a_seq2seq_only_task_refuses_a_causal_model_at_once(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CODEINTEL_MODEL", raising=False)
    folder = tiny_causal(tmp_path / "llama", "llama")
    root = _project(tmp_path, str(folder))
    monkeypatch.chdir(root)
    assert main(["tests", "inventory/stock.py", "--budget", "5", "--out", "-"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "holds a causal model" in err[-1] and "seq2seq checkpoints only" in err[-1]

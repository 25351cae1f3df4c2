"""Which model a command uses, as a user sets it: `--model`, then $CODEINTEL_MODEL, then
`[tool.codeintel] model` in the project's pyproject.toml (found above the file), then
the bundled default."""

from __future__ import annotations

import json
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


def test_the_projects_causal_model_writes_tests_from_the_root(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CODEINTEL_MODEL", raising=False)
    folder = tiny_causal(tmp_path / "llama", "llama")
    root = _project(tmp_path, str(folder))
    monkeypatch.chdir(root)
    argv = ["tests", "inventory/stock.py", "--budget", "20", "--out", "-", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model_samples"] > 0  # the project's model wrote candidates
    assert any(f["tests"] for f in result["functions"])  # the search's, graded with them

"""Test generation on the fixture projects (tests/fixtures/projects/), from the root as a
user types it: the written file imports the package as the project's own tests do, with
no sys.path line where the project's configuration makes it importable (and never an
absolute path where it does not), and passes under plain pytest from the root, also after
the project is moved. Its inputs come from the project's own calls first."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from codeintel.cli import main
from tests.conftest_paths import editable_venv, plain_pytest

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
MODULE = {"flat": "inventory/stock.py", "srclayout": "src/inventory/stock.py"}


def _pytest(root: Path):
    """Plain `pytest` from the root, as a user runs it (not `python -m pytest`)."""
    return plain_pytest(root, script=True)


@pytest.mark.parametrize("layout", sorted(MODULE))
def test_the_written_file_is_portable(tmp_path, monkeypatch, capsys, layout):
    root = tmp_path / layout
    shutil.copytree(PROJECTS / layout, root)
    monkeypatch.chdir(root)
    out = "tests/test_stock_generated.py"
    argv = ["tests", MODULE[layout], "--no-model", "--budget", "30", "--out", out]
    assert main(argv) == 0
    said = capsys.readouterr()
    assert said.out == "" and f"wrote {out}" in said.err  # a summary, not the file
    text = (root / out).read_text()
    assert "from inventory.stock import" in text
    assert "sys.path" not in text and str(tmp_path) not in text
    assert "total_items([(2, 'small'), (1, 'large')])" in text  # the project's own call
    assert _pytest(root).returncode == 0
    moved = tmp_path / "elsewhere" / layout
    shutil.move(root, moved)
    done = _pytest(moved)
    assert done.returncode == 0, done.stdout[-1500:]


def test_without_configuration_a_relative_line_and_never_an_absolute_path(
    tmp_path, monkeypatch, capsys
):
    root = tmp_path / "plain"
    shutil.copytree(PROJECTS / "flat", root)
    settings = root / "pyproject.toml"
    settings.write_text(settings.read_text().replace('pythonpath = ["."]\n', ""))
    monkeypatch.chdir(root)
    out = "tests/test_stock_generated.py"
    assert main(["tests", MODULE["flat"], "--no-model", "--budget", "30", "--out", out]) == 0
    text = (root / out).read_text()
    assert "Path(__file__).resolve().parents[1]" in text and str(tmp_path) not in text
    outside = tmp_path / "outside_test.py"
    argv = ["tests", MODULE["flat"], "--no-model", "--budget", "30", "--out", str(outside)]
    assert main(argv) == 0
    assert "sys.path" not in outside.read_text()  # no absolute path, ever


AUTOUSE = '''

@pytest.fixture(autouse=True)
def _bigger_boxes(monkeypatch):
    """The project's own fixture: every test here sees large boxes of 48."""
    from inventory import units

    monkeypatch.setenv("INVENTORY_UNITS", "metric")
    monkeypatch.setitem(units.PER_BOX, "large", 48)
'''


@pytest.mark.parametrize("layout", sorted(MODULE))
def test_candidates_are_graded_under_the_projects_conftest(tmp_path, monkeypatch, capsys, layout):
    """The candidates run where the file goes (tests/), with the project's conftest.py: a
    test that holds only without its autouse fixture is not kept, and the project's
    fixtures may change the environment (the effect guard judges the tests' own code)."""
    root = tmp_path / layout
    shutil.copytree(PROJECTS / layout, root)
    with (root / "tests" / "conftest.py").open("a") as handle:
        handle.write(AUTOUSE)
    own = root / "tests" / "test_stock.py"  # the project's own test: 48 a large box
    own.write_text(own.read_text().replace('(1, "large")]) == 36', '(1, "large")]) == 60'))
    monkeypatch.chdir(root)
    out = "tests/test_stock_generated.py"
    argv = ["tests", MODULE[layout], "--no-model", "--budget", "30", "--out", out, "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    kept = [t for f in result["functions"] for t in f["tests"]]
    assert {t["focal"] for t in kept} >= {"needs_reorder", "top_sellers", "restock"}
    (total,) = [f for f in result["functions"] if f["focal"] == "total_items"]
    # the search's own run (no pytest, no fixture) saw 36; under the conftest it is 60
    failed = [r for r in total["rejected"] if r["reason"].startswith("fails")]
    assert any("== 36" in r["source"] and "60" in r["detail"] for r in failed), failed
    text = (root / out).read_text()
    assert "== 36" not in text
    done = _pytest(root)
    assert done.returncode == 0, done.stdout[-1500:]


def test_with_an_editable_install_the_written_file_passes_there_too(tmp_path):
    from codeintel.commands.tests import portable_file
    from codeintel.sandbox import SandboxConfig
    from codeintel.tasks.testgen import TestgenConfig, generate_tests

    root = tmp_path / "srclayout"
    shutil.copytree(PROJECTS / "srclayout", root)
    python = editable_venv(tmp_path, root)
    config = TestgenConfig(samples=0, sandbox=SandboxConfig(python=str(python)))
    module = root / MODULE["srclayout"]
    result = generate_tests(module, budget=30, config=config)
    assert result.tests and all(t.passed for t in result.tests)
    out = root / "tests" / "test_stock_generated.py"
    out.write_text(portable_file(result, module, out))
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-1500:]

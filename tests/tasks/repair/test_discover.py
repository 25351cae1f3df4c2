"""Repair's test discovery: one coverage run of the tests that import the module, the
failing tests that reach it and the passing ones that reach the function, cached by the
files' hashes (tests/fixtures/projects/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codeintel.cli import main
from codeintel.project import load_project, project_files
from codeintel.sandbox import SandboxConfig
from codeintel.tasks.repair import discover
from codeintel.tasks.repair.discover import Reach, cache_file, choose, chosen_tests

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
PACKAGE = {"flat": "inventory", "srclayout": "src/inventory"}
TAKE = "tests/test_stock.py::test_take"


def test_choose_takes_failing_tests_then_passing_ones_reaching_the_function():
    reach = Reach(
        "k",
        failed=("t::bad", "t::elsewhere"),
        passed=("t::good", "t::other", "t::import_only"),
        lines={"t::bad": (3, 4), "t::good": (4,), "t::other": (20,)},
    )
    # t::elsewhere fails without reaching the module; t::import_only reaches nothing
    assert choose(reach, (1, 5), [(1, 5), (18, 22)]) == ("t::bad", "t::good")
    # no failing test runs lines 18-22: changing that function cannot fix one
    assert choose(reach, (18, 22), [(1, 5), (18, 22)]) == ()
    assert choose(reach, None, [(1, 5), (18, 22)]) == ("t::bad", "t::good")
    # two bugs in the module: each function gets the failing tests that run it
    two = Reach("k", ("t::bad", "t::bad2"), reach.passed, {**reach.lines, "t::bad2": (19,)})
    assert choose(two, (18, 22), [(1, 5), (18, 22)]) == ("t::bad2", "t::other")
    assert choose(two, (1, 5), [(1, 5), (18, 22)]) == ("t::bad", "t::good")
    assert choose(two, None, [(1, 5), (18, 22)]) == ("t::bad", "t::bad2", "t::good", "t::other")
    passing = Reach("k", (), ("t::good",), {"t::good": (4,)})
    assert choose(passing, None, [(1, 5)]) == ()  # nothing fails: nothing to choose by


@pytest.mark.parametrize("layout", sorted(PACKAGE))
def test_the_tests_reaching_a_buggy_method_are_chosen_and_cached(tmp_path, monkeypatch, layout):
    root = tmp_path / layout
    shutil.copytree(PROJECTS / layout, root)
    module = root / PACKAGE[layout] / "stock.py"
    module.write_text(module.read_text().replace("< amount:", "<= amount:"))  # 4 of 4 fails
    project = load_project(module)
    module_file = project.relative(module)
    files = project_files(project)
    chosen = chosen_tests(project, files, module_file, "Stock.take", SandboxConfig())
    assert chosen.tests == (f"{TAKE}[4-4-0]", f"{TAKE}[5-2-3]", f"{TAKE}_too_much")
    assert "1 failing test(s)" in chosen.how and "2 passing test(s) that reach Stock.take" in (
        chosen.how
    )
    assert cache_file(project, module_file).is_file()

    def measured_again(*args):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(discover, "measure", measured_again)
    again = chosen_tests(project, files, module_file, None, SandboxConfig())
    assert again.tests == chosen.tests  # without --function: what the failing test reaches
    monkeypatch.undo()
    changed = {**files, "tests/conftest.py": files["tests/conftest.py"] + b"\n# edited\n"}
    calls = []
    monkeypatch.setattr(
        discover, "measure", lambda *args: calls.append(args) or discover.Reach("x", (), (), {})
    )
    fallback = chosen_tests(project, changed, module_file, None, SandboxConfig())
    assert len(calls) == 1  # a changed file: measured again
    assert fallback.tests == ("tests/test_stock.py",)
    assert "no failing test of theirs reaches it" in fallback.how


def test_the_cli_says_which_tests_it_chose(tmp_path, monkeypatch, capsys):
    root = tmp_path / "flat"
    shutil.copytree(PROJECTS / "flat", root)
    module = root / "inventory" / "stock.py"
    module.write_text(module.read_text().replace("level <= threshold", "level < threshold"))
    monkeypatch.chdir(root)
    assert main(["repair", "inventory/stock.py", "--budget", "30", "--candidates", "edits"]) == 0
    err = capsys.readouterr().err
    assert "tests: 1 failing test(s) that reach inventory/stock.py" in err
    assert "against tests/test_stock.py::test_needs_reorder_at_the_threshold (budget" in err

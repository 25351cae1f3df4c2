"""Generated tests cannot destroy files: on a package whose functions delete folders and
files, write files and start processes, whose own code calls them on a canary folder
outside the project and a canary file inside it, the kept tests run in `tmp_path`, name
no existing path, and leave both canaries and the project untouched, in the sandbox and
when run afterwards with plain pytest, as a user does. Without bubblewrap, generation
refuses to call the functions unless the user accepts the process tier."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codeintel.cli import main
from codeintel.errors import IsolationError
from codeintel.sandbox import SandboxConfig, Tier, detect_tier
from codeintel.tasks.testgen import TestgenConfig, generate_tests
from codeintel.tasks.testgen.records import Rejection
from tests.conftest_paths import plain_pytest
from tests.sandbox.conftest import tree_hash

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "testgen" / "destructive"


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """(the project root, a canary folder outside it that its code purges)."""
    root = tmp_path / "proj"
    shutil.copytree(FIXTURE, root)
    outside = tmp_path / "outside" / "dir"
    outside.mkdir(parents=True)
    (outside / "keep.txt").write_text("keep\n")
    (root / "canary").mkdir()
    (root / "canary" / "b.txt").write_text("b\n")
    for name in ("files.py", "cli.py"):
        module = root / "pkg" / name
        module.write_text(module.read_text().replace("CANARY", str(outside)))
    return root, outside


def _tiers() -> list:
    bwrap = pytest.mark.skipif(
        detect_tier() is not Tier.BUBBLEWRAP, reason="bubblewrap tier not available here"
    )
    return [pytest.param(Tier.BUBBLEWRAP, marks=bwrap, id="bwrap"), pytest.param(Tier.PROCESS)]


@pytest.mark.parametrize("tier", _tiers())
def test_generated_tests_leave_the_canaries_and_the_project_untouched(project, tier):
    root, outside = project
    before_project, before_outside = tree_hash(root), tree_hash(outside.parent)
    config = TestgenConfig(
        samples=0, sandbox=SandboxConfig(tier=tier), allow_process_tier=tier is Tier.PROCESS
    )
    result = generate_tests(root / "pkg" / "files.py", budget=30, config=config)
    assert tree_hash(root) == before_project and tree_hash(outside.parent) == before_outside

    text = result.test_file
    assert str(outside) not in text and "canary/b.txt" not in text
    kept = {f.focal: f for f in result.functions}
    assert kept["double"].tests and kept["save"].tests
    for name in ("purge", "wipe", "save", "reset"):
        for test in kept[name].tests:  # any test of a file function runs in tmp_path
            assert "(tmp_path, monkeypatch):\n    monkeypatch.chdir(tmp_path)" in test.source
    assert not kept["announce"].tests  # it starts a process: blocked, never kept
    reasons = {r.reason for f in result.functions for r in f.rejected}
    assert Rejection.EFFECTS in reasons
    assert "reset()" not in text  # the default names the canary: never run with it

    (root / "tests" / "test_files.py").write_text(text)
    done = plain_pytest(root)
    assert done.returncode == 0, done.stdout[-2000:]
    assert tree_hash(outside.parent) == before_outside
    (root / "tests" / "test_files.py").unlink()
    for cache in root.rglob("__pycache__"):
        shutil.rmtree(cache)
    assert tree_hash(root) == before_project  # no `w`, `abc` or other file left behind


def test_the_process_tier_is_refused_unless_accepted(project):
    root, _ = project
    config = TestgenConfig(samples=0, sandbox=SandboxConfig(tier=Tier.PROCESS))
    with pytest.raises(IsolationError, match="--allow-process-tier"):
        generate_tests(root / "pkg" / "files.py", budget=10, config=config)


def test_the_cli_refuses_the_process_tier_with_one_line(project, capsys, monkeypatch):
    root, _ = project
    monkeypatch.setattr("codeintel.tasks.testgen.detect_tier", lambda: Tier.PROCESS)  # no bwrap
    assert main(["tests", str(root / "pkg" / "files.py"), "--no-model"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--allow-process-tier" in err

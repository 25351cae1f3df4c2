"""Repair on projects laid out as people lay them out (tests/fixtures/projects/): a package
beside its tests (`flat`) and a `src/` layout, each with tests/ that import the package,
a conftest.py fixture the tests use and a sibling module the code calls. Bugs of several
kinds are injected one at a time and repaired through the CLI from the project's root,
as a user types it; also with the package installed in editable mode (the installed
copy must not shadow the candidate), and bad input."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from codeintel.cli import main
from codeintel.sandbox import SandboxConfig, Tier
from codeintel.tasks.repair import CandidateMode, RepairConfig, RepairOutcome, repair
from tests.conftest_paths import editable_venv, plain_pytest

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
PACKAGE = {"flat": "inventory", "srclayout": "src/inventory"}
# (what the bug is, the correct text, the buggy text); a dropped statement or return is
# beyond today's candidate families (the repair issue's synthesis would add them)
BUGS = [
    ("< for <=", "return level <= threshold", "return level < threshold"),
    ("off-by-one slice", "return ranked[:n]", "return ranked[: n - 1]"),
    ("swapped arguments", "total += items_in(count, size)", "total += items_in(size, count)"),
    (
        "swapped operands",
        "self.levels[name] -= amount",
        "self.levels[name] = amount - self.levels[name]",
    ),
    ("wrong default", "levels.get(name, 0) + amount", "levels.get(name, 1) + amount"),
]


def _copy(tmp_path: Path, layout: str) -> tuple[Path, Path]:
    root = tmp_path / layout
    shutil.copytree(PROJECTS / layout, root)
    return root, root / PACKAGE[layout] / "stock.py"


def _inject(module: Path, good: str, bad: str) -> str:
    text = module.read_text()
    assert good in text, good
    module.write_text(text.replace(good, bad, 1))
    return text


@pytest.mark.parametrize("layout", sorted(PACKAGE))
@pytest.mark.parametrize(("kind", "good", "bad"), BUGS, ids=[b[0] for b in BUGS])
def test_repair_from_the_root_as_a_user_types_it(
    tmp_path, monkeypatch, capsys, layout, kind, good, bad
):
    root, module = _copy(tmp_path, layout)
    original = _inject(module, good, bad)
    monkeypatch.chdir(root)
    rel = module.relative_to(root).as_posix()
    argv = ["repair", rel, "--budget", "25", "--candidates", "edits", "--write"]
    assert main(argv) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "against tests/test_stock.py" in err  # the tests it chose, said
    fixed = module.read_text()
    done = plain_pytest(root)
    assert done.returncode == 0, (kind, fixed, done.stdout[-1500:])
    assert fixed.count("\n") == original.count("\n")


@pytest.mark.parametrize(
    "tests",
    [
        ["tests/"],
        ["tests/test_stock.py"],
        ["tests/test_stock.py::test_needs_reorder_at_the_threshold"],
    ],
    ids=["folder", "file", "node-id"],
)
def test_tests_as_folders_files_and_node_ids(tmp_path, monkeypatch, capsys, tests):
    root, module = _copy(tmp_path, "flat")
    _inject(module, *BUGS[0][1:])
    monkeypatch.chdir(root)
    argv = ["repair", "inventory/stock.py", "--tests", *tests, "--candidates", "edits"]
    argv += ["--budget", "20"]  # (the alternatives search takes a share of it)
    assert main(argv) == 0
    assert "+    return level <= threshold" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--tests", "tests/test_stock.py::test_nope"], "has no test"),
        (["--tests", "tests/test_gone.py"], "no test file or folder"),
        (["--tests", "empty/"], "holds no test files"),
        (["--root", "/"], "not a project"),
    ],
)
def test_bad_project_input_is_one_line(tmp_path, monkeypatch, capsys, argv, says):
    root, _ = _copy(tmp_path, "flat")
    (root / "empty").mkdir()
    monkeypatch.chdir(root)
    assert main(["repair", "inventory/stock.py", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err, err


@pytest.mark.parametrize("tier", [Tier.BUBBLEWRAP, Tier.PROCESS], ids=["bwrap", "process"])
def test_an_editable_install_does_not_shadow_the_candidate(tmp_path, tier):
    from codeintel.sandbox import detect_tier

    if tier is Tier.BUBBLEWRAP and detect_tier() is not Tier.BUBBLEWRAP:
        pytest.skip("bubblewrap tier not available here")
    root, module = _copy(tmp_path, "srclayout")
    python = editable_venv(tmp_path, root)
    found = subprocess.run(
        [str(python), "-c", "import inventory; print(inventory.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == str(module.parent / "__init__.py")  # installed, editable
    _inject(module, *BUGS[0][1:])
    config = RepairConfig(
        candidates=CandidateMode.EDITS, sandbox=SandboxConfig(tier=tier, python=str(python))
    )
    result = repair(module, config=config, budget=25)
    assert result.outcome is RepairOutcome.FIXED, result.message
    assert "return level <= threshold" in result.patched_source


def test_a_lone_module_keeps_its_two_file_repair(tmp_path):
    (tmp_path / "mod.py").write_text("def double(x):\n    return x * 3\n")
    (tmp_path / "test_mod.py").write_text(
        "from mod import double\n\n\ndef test_double():\n    assert double(2) == 4\n"
    )
    config = RepairConfig(candidates=CandidateMode.EDITS)
    result = repair(tmp_path / "mod.py", tmp_path / "test_mod.py", config=config)
    assert result.outcome is RepairOutcome.FIXED


def test_the_projects_data_files_reach_the_sandbox_byte_for_byte(tmp_path, monkeypatch, capsys):
    root, module = _copy(tmp_path, "flat")
    (root / "tests" / "blob.bin").write_bytes(b"\xff\x00\xfe")  # not UTF-8
    (root / "tests" / "test_blob.py").write_text(
        "from pathlib import Path\n\nfrom inventory.stock import needs_reorder\n\n\n"
        "def test_blob_and_threshold():\n"
        '    assert Path(__file__).with_name("blob.bin").read_bytes() == b"\\xff\\x00\\xfe"\n'
        "    assert needs_reorder(10)\n"
    )
    _inject(module, *BUGS[0][1:])
    monkeypatch.chdir(root)
    argv = [
        "repair",
        "inventory/stock.py",
        "--tests",
        "tests/test_blob.py",
        "--candidates",
        "edits",
    ]
    assert main(argv) == 0, capsys.readouterr().err

"""Bad input that used to give a traceback, hang or eat the machine: one line on stderr,
exit code 2, nothing written. Counts and seconds are bounded; every file codeintel reads
is a regular file within its kind's size limit (devices, FIFOs, symlinks to /dev/zero
refused at once); files that cannot be written are refused before long work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from codeintel.cli import main
from codeintel.retrieval import build_index

MODULE = "def double(x):\n    return 2 * x\n"
TESTS = "from mod import double\n\n\ndef test_double():\n    assert double(2) == 5\n"


def refused(capsys, argv: list[str], *expected: str) -> None:
    """`codeintel ARGV` exits 2 with one line on stderr that says each of `expected`."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    for text in expected:
        assert text in err, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mod.py").write_text(MODULE)
    (tmp_path / "test_mod.py").write_text(TESTS)
    return tmp_path


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "0", "-3", "soon"])
def test_budgets_and_timeouts_must_be_finite_seconds(capsys, project, value):
    mod, tests = str(project / "mod.py"), str(project / "test_mod.py")
    refused(capsys, ["repair", mod, "--tests", tests, "--budget", value], "--budget")
    refused(capsys, ["repair", mod, "--tests", tests, "--timeout", value], "--timeout")
    refused(capsys, ["tests", mod, "--budget", value], "--budget")
    assert (project / "mod.py").read_text() == MODULE


@pytest.mark.parametrize(
    "argv",
    [
        ["complete", "{mod}", "--line", "1", "--column", "0", "--n", "100000"],
        ["complete", "{mod}", "--line", "0", "--column", "0"],
        ["doc", "{mod}", "--n", "0"],
        ["body", "{mod}", "--function", "double", "--n", "1000000"],
        ["search", "anything", "--k", "100000000"],
        ["tests", "{mod}", "--samples", "-1"],
        ["repair", "{mod}", "--tests", "{tests}", "--memory-mb", "99999999999"],
        ["context", "skeleton", "{mod}", "--budget", "99999999999"],
    ],
)
def test_counts_are_bounded(capsys, project, argv):
    mod, tests = str(project / "mod.py"), str(project / "test_mod.py")
    refused(capsys, [a.format(mod=mod, tests=tests) for a in argv], "error:")


def _fifo(folder: Path, name: str) -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def test_train_reads_only_small_regular_utf8_configs(capsys, tmp_path):
    refused(capsys, ["train", "/dev/zero"], "not a regular file")
    refused(capsys, ["train", str(_fifo(tmp_path, "config.toml"))], "not a regular file")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    refused(capsys, ["train", str(binary)], "not UTF-8")
    nul = tmp_path / "nul.toml"
    nul.write_bytes(b"steps = 1\x00\x00\n")
    refused(capsys, ["train", str(nul)], "config")
    huge = tmp_path / "huge.json"
    huge.write_text("{}" + " " * (2 * 1024 * 1024))
    refused(capsys, ["train", str(huge)], "up to 1 MB")


def test_train_search_reads_only_regular_pairs_files(capsys, tmp_path):
    out = str(tmp_path / "encoder")
    refused(capsys, ["train-search", "--pairs", "/dev/zero", "--out", out], "not a regular")
    fifo = str(_fifo(tmp_path, "pairs.jsonl"))
    refused(capsys, ["train-search", "--pairs", fifo, "--out", out], "not a regular")
    assert not Path(out).exists()


@pytest.fixture
def index(tmp_path: Path, project: Path) -> Path:
    folder = tmp_path / "index"
    build_index([project], folder)
    return folder


def _index_users(project: Path, index: Path) -> list[list[str]]:
    mod = str(project / "mod.py")
    return [
        ["search", "double a number", "--index", str(index)],
        ["complete", mod, "--line", "2", "--column", "4", "--index", str(index)],
        ["doc", mod, "--index", str(index)],
    ]


def test_an_index_of_devices_fifos_or_huge_dims_is_refused(capsys, project, index):
    rows = index / "functions.jsonl"
    rows.unlink()
    rows.symlink_to("/dev/zero")
    for argv in _index_users(project, index):
        refused(capsys, argv, "not a regular file")
    rows.unlink()
    _fifo(index, "functions.jsonl")
    for argv in _index_users(project, index):
        refused(capsys, argv, "not a regular file")


def test_an_index_whose_vectors_are_a_fifo_is_refused(capsys, project, index):
    (index / "search.faiss").unlink()
    _fifo(index, "search.faiss")
    refused(capsys, _index_users(project, index)[0], "not a regular file")


def test_an_index_manifest_with_absurd_dimensions_is_refused(capsys, project, index):
    manifest = json.loads((index / "manifest.json").read_text())
    manifest["embedder"]["dim"] = 2e9
    (index / "manifest.json").write_text(json.dumps(manifest))
    refused(capsys, _index_users(project, index)[0], "dimensions")


def test_index_embedder_dimensions_are_bounded(capsys, project, tmp_path):
    out = str(tmp_path / "idx")
    refused(capsys, ["index", str(project), "--out", out, "--embedder", "hashed:99999999999"])
    assert not Path(out).exists()


def test_index_skips_binary_and_non_utf8_files_and_says_so(capsys, project, tmp_path):
    (project / "binary.py").write_bytes(b"\x00\x01\x02" * 100)
    (project / "latin1.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    out = tmp_path / "idx"
    assert main(["index", str(project), "--out", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "2 skipped (binary, not UTF-8" in summary, summary
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert "binary.py" not in files and "latin1.py" not in files and "mod.py" in files


def test_complete_on_an_empty_file_is_one_line(capsys, tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("\n\n")
    refused(capsys, ["complete", str(empty), "--line", "1", "--column", "0"], "empty")


def test_tests_out_is_checked_before_the_search(capsys, project, tmp_path):
    dangling = tmp_path / "dangling_test.py"
    dangling.symlink_to(tmp_path / "nowhere" / "x.py")
    mod = str(project / "mod.py")
    refused(capsys, ["tests", mod, "--out", str(dangling)], "symbolic link", "--force")
    refused(capsys, ["tests", mod, "--out", "/proc/test_mod.py"], "cannot write")
    refused(capsys, ["tests", mod, "--out", str(tmp_path / "no" / "t.py")], "does not exist")


def _immutable(path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    return done.returncode == 0


def test_write_onto_an_immutable_file_is_one_line_and_leaves_no_backup(capsys, tmp_path):
    from codeintel.retrieval import build_index

    module = tmp_path / "u.py"
    module.write_text("def get_user_name(user):\n    return user.name\n")
    (tmp_path / "lib").mkdir()  # a documented near-clone: a confident docstring to write
    clone = 'def name_of(person):\n    """Return the name."""\n    return person.name\n'
    (tmp_path / "lib" / "people.py").write_text(clone)
    build_index([tmp_path / "lib"], tmp_path / "index")
    if not _immutable(module):
        pytest.skip("chattr +i is not available here")
    try:
        argv = ["doc", str(module), "--function", "get_user_name", "--write"]
        argv += ["--index", str(tmp_path / "index")]
        refused(capsys, argv, "cannot write", "Operation not permitted")
        assert not list(tmp_path.glob("u.py.orig*")) and not list(tmp_path.glob(".u.py.*"))
    finally:
        subprocess.run(["chattr", "-i", str(module)], check=False)


def test_deep_nesting_anywhere_is_one_line_not_a_crash(capsys, tmp_path):
    deep = "y = " + "-" * 5000 + "1\n"
    (tmp_path / "deep.py").write_text(deep)
    refused(capsys, ["tests", str(tmp_path / "deep.py"), "--budget", "5"], "nesting too deep")
    body = tmp_path / "body.py"
    body.write_text('def g(x):\n    """Twice x."""\n\n\n' + deep)
    refused(capsys, ["body", str(body), "--function", "g", "--n", "1"], "nesting too deep")


def test_a_deeply_nested_sibling_does_not_stop_test_generation(capsys, project):
    (project / "caller.py").write_text("from mod import double\ny = double(" + "-" * 5000 + "1)\n")
    assert (
        main(["tests", str(project / "mod.py"), "--no-model", "--budget", "10", "--out", "-"]) == 0
    )
    assert "def test_double" in capsys.readouterr().out

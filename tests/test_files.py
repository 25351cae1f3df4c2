"""A user's files: reading refuses what is not a small regular UTF-8 file; replacing is
atomic, writes through symlinks, keeps owner and mode, and never overwrites a backup."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from codeintel.cli import main
from codeintel.errors import InputError
from codeintel.files import MAX_SOURCE_BYTES, free_backup_name, read_text, replace_file

OLD, NEW = "def f():\n    return 1\n", "def f():\n    return 2\n"


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "mod.py"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_text(fifo)


def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_text(Path("/dev/zero"))


def test_a_huge_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    with big.open("wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)
    with pytest.raises(InputError, match="reads files up to 4 MB"):
        read_text(big)


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"x = '\xff'\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_text(bad)


@pytest.mark.parametrize("source", ["fifo", "/dev/zero", "huge"])
def test_cli_bad_source_is_one_line_and_exit_2(
    tmp_path: Path, source: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tests = tmp_path / "test_mod.py"
    tests.write_text("from mod import f\n\ndef test_f():\n    assert f() == 2\n")
    if source == "fifo":
        path = tmp_path / "mod.py"
        os.mkfifo(path)
    elif source == "huge":
        path = tmp_path / "mod.py"
        path.write_bytes(b"#" * (MAX_SOURCE_BYTES + 10))
    else:
        path = Path(source)
    assert main(["repair", str(path), "--tests", str(tests), "--candidates", "edits"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len([line for line in err if "error" in line]) == 1, err
    assert err[-1].startswith("codeintel: error: ")


def test_replace_keeps_a_backup_and_never_overwrites_one(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(OLD)
    (tmp_path / "mod.py.orig").write_text("the user's own backup\n")
    backup = replace_file(path, NEW)
    assert backup == tmp_path / "mod.py.orig.1"
    assert backup.read_text() == OLD
    assert (tmp_path / "mod.py.orig").read_text() == "the user's own backup\n"
    assert path.read_text() == NEW
    assert replace_file(path, OLD) == tmp_path / "mod.py.orig.2"


def test_a_dangling_backup_link_is_not_written_through(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(OLD)
    (tmp_path / "mod.py.orig").symlink_to(tmp_path / "elsewhere.py")
    assert free_backup_name(path) == tmp_path / "mod.py.orig.1"
    replace_file(path, NEW)
    assert not (tmp_path / "elsewhere.py").exists()


def test_replace_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "src" / "mod.py"
    real.parent.mkdir()
    real.write_text(OLD)
    link = tmp_path / "mod.py"
    link.symlink_to(real)
    backup = replace_file(link, NEW)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == NEW
    assert backup == real.with_name("mod.py.orig") and backup.read_text() == OLD


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_replace_keeps_owner_group_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(OLD)
    os.chown(path, 12345, 23456)
    path.chmod(0o640)
    backup = replace_file(path, NEW)
    for written in (path, backup):
        info = written.stat()
        assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (12345, 23456, 0o640)


def test_replace_keeps_mode_as_a_user(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(OLD)
    path.chmod(0o751)
    replace_file(path, NEW)
    assert path.stat().st_mode & 0o7777 == 0o751


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from codeintel.files import replace_file
    path = Path(sys.argv[1])
    texts = [Path(sys.argv[2]).read_text(), Path(sys.argv[3]).read_text()]
    print("ready", flush=True)
    i = 0
    while True:
        replace_file(path, texts[i % 2])
        i += 1
    """
)


def _writer(path: Path, old: str, new: str) -> subprocess.Popen:
    texts = path.parent / "texts"
    texts.mkdir(exist_ok=True)
    (texts / "old").write_text(old)
    (texts / "new").write_text(new)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(texts / "old"), str(texts / "new")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_from_a_shell,
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _as_from_a_shell() -> None:
    """The writer starts with SIGINT and SIGQUIT at their defaults, as a command typed in
    a shell does. Late in the whole suite the test process was seen holding both ignored
    (/proc/self/status SigIgn 0x1001006, a second native thread: the mark of a C
    `system()` call running somewhere in the process), and a child inherits an ignored
    signal through exec: the writer then never saw the SIGINT this test sends."""
    for sig in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGQUIT})


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "sigint"])
def test_a_signal_at_any_moment_leaves_old_or_new_whole(tmp_path: Path, sig: int) -> None:
    old, new = OLD * 20_000, NEW * 20_000  # ~0.4 MB each: a write takes a while
    rng = random.Random(sig)
    for attempt in range(6):
        path = tmp_path / f"mod{attempt}.py"
        path.write_text(old)
        proc = _writer(path, old, new)
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(sig)
        proc.wait(10)
        assert path.read_text() in (old, new), "a truncated or mixed file"
        for backup in tmp_path.glob(f"mod{attempt}.py.orig*"):
            assert backup.read_text() in (old, new), backup
        if sig == signal.SIGINT:  # an interrupt cleans up its temporary file
            assert not list(tmp_path.glob(f".mod{attempt}.py.*.tmp"))


def test_temporaries_of_a_killed_write_are_removed_by_the_next(tmp_path: Path) -> None:
    """kill -9 mid-write can leave `.mod.py.codeintel-PID-START-X.tmp`; the next write of
    the same file removes those whose writer is gone, and nothing else."""
    old, new = OLD * 20_000, NEW * 20_000
    path = tmp_path / "mod.py"
    path.write_text(old)
    left = []
    for attempt in range(20):
        proc = _writer(path, old, new)
        time.sleep(random.Random(attempt).uniform(0.0, 0.2))
        proc.kill()
        proc.wait(10)
        left = list(tmp_path.glob(".mod.py.*.tmp"))
        if left:
            break
    assert left, "no kill in 20 landed mid-write"
    users = tmp_path / ".mod.py.backup.tmp"  # not ours: kept
    users.write_text("mine")
    replace_file(path, NEW)
    assert list(tmp_path.glob(".mod.py.*.tmp")) == [users]


def test_a_hard_linked_file_is_refused_with_one_line(tmp_path: Path) -> None:
    path, other = tmp_path / "mod.py", tmp_path / "same.py"
    path.write_text(OLD)
    os.link(path, other)
    with pytest.raises(InputError, match="2 hard links"):
        replace_file(path, NEW)
    assert path.read_text() == OLD == other.read_text()
    assert not list(tmp_path.glob("mod.py.orig*"))

"""Disk bounds, cleanup after a killed caller, honest exit codes and messages, the judge's
own protection, and the visible warning of the weak tier."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from codeintel.sandbox import (
    Limits,
    Outcome,
    SandboxConfig,
    Tier,
    Validator,
    limit_message,
    run,
    run_tests,
    sweep_stale_workdirs,
)
from codeintel.sandbox.harness.toolkit import start_time
from codeintel.sandbox.isolation import isolation_warning, pick_uid
from tests.sandbox.conftest import LIMITS

SMALL_DISK = dataclasses.replace(LIMITS, disk_mb=20, max_files=300, timeout_s=8.0, cpu_s=8)
# 1 MB files (the per-file limit) until 200 MB: only the work dir's total bounds it
FILL_TEST = """
def test_fill():
    block = b"x" * (1024 * 1024 - 4096)
    for i in range(200):
        with open(f"f{i}", "wb") as handle:
            handle.write(block)
"""
INODES_TEST = """
def test_inodes():
    for i in range(2000):
        open(f"e{i}", "wb").close()
"""


def _small(config: SandboxConfig) -> SandboxConfig:
    return dataclasses.replace(config, limits=SMALL_DISK)


@pytest.mark.parametrize("test", [FILL_TEST, INODES_TEST], ids=["bytes", "inodes"])
def test_filling_the_work_dir_is_a_disk_outcome(config: SandboxConfig, test: str) -> None:
    files = {"test_fill.py": test}
    assert run_tests(files, ["test_fill.py"], _small(config)).outcome is Outcome.DISK
    with Validator(files, ["test_fill.py"], _small(config)) as validator:
        assert validator.validate({}).outcome is Outcome.DISK
        honest = validator.validate({"test_fill.py": "def test_ok():\n    pass\n"})
        assert honest.outcome is Outcome.PASSED, "the judge survives a full work dir"


def test_a_command_filling_the_work_dir_is_a_disk_outcome(config: SandboxConfig) -> None:
    code = "for i in range(200):\n    open(f'f{i}', 'wb').write(b'x' * 1000000)\n"
    execution = run(["python", "-c", code], {}, _small(config))
    assert execution.outcome is Outcome.DISK


def test_private_tmp_is_bounded_in_bubblewrap(config: SandboxConfig) -> None:
    if config.tier is not Tier.BUBBLEWRAP:
        pytest.skip("the process tier shares the host's /tmp (documented)")
    code = (
        "import errno\ntry:\n"
        "    for i in range(200):\n"
        "        open(f'/tmp/f{i}', 'wb').write(b'x' * 1000000)\n"
        "except OSError as e:\n    raise SystemExit(7 if e.errno == errno.ENOSPC else 1)\n"
    )
    assert run(["python", "-c", code], {}, _small(config)).returncode == 7


def _marked(folder: Path, pid: int, start: int | None) -> None:
    (folder / "sub").mkdir(parents=True)
    record = {"made_by": "codeintel sandbox work dir", "pid": pid, "start": start}
    Path(f"{folder}.owner").write_text(json.dumps(record))


def test_stale_work_dirs_are_swept(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = [tmp_path / f"codeintel-{gone.pid}-abc", tmp_path / f"codeintel-fast-{gone.pid}-x1"]
    for folder in stale:
        _marked(folder, gone.pid, 1)
    live = tmp_path / f"codeintel-{os.getpid()}-mine"
    _marked(live, os.getpid(), start_time(os.getpid()))
    reused = tmp_path / f"codeintel-{os.getpid()}-reused"  # our pid, another start: stale
    _marked(reused, os.getpid(), 1)
    other = tmp_path / "codeintel-notapid"
    (other / "sub").mkdir(parents=True)
    assert sweep_stale_workdirs.__wrapped__(str(tmp_path)) == 3
    assert not any(p.exists() or Path(f"{p}.owner").exists() for p in [*stale, reused])
    assert live.exists() and other.exists()


def test_the_sweep_never_removes_a_user_folder_by_its_name(tmp_path: Path) -> None:
    """`codeintel-2024-backup`: a codeintel-like name, a pid that is not running, no owner
    record of ours (or one that is not ours): kept, every time."""
    users = [tmp_path / "codeintel-2024-backup", tmp_path / "codeintel-fast-99999-x"]
    for folder in users:
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "keep.txt").write_text("mine\n")
    Path(f"{users[1]}.owner").write_text('{"made_by": "someone else", "pid": 99999}')
    assert sweep_stale_workdirs.__wrapped__(str(tmp_path)) == 0
    assert all((f / "data" / "keep.txt").read_text() == "mine\n" for f in users)


KILLED_CALLER = textwrap.dedent(
    """
    from codeintel.sandbox import Validator
    v = Validator({"test_a.py": "def test_a():\\n    pass\\n"}, ["test_a.py"])
    print(v.base, flush=True)
    import time
    time.sleep(60)
    """
)


def test_a_caller_killed_with_9_leaves_a_dir_the_next_one_sweeps() -> None:
    command = [sys.executable, "-c", KILLED_CALLER]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    base = Path(proc.stdout.readline().strip())
    assert base.is_dir()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert base.is_dir(), "kill -9 leaves it: nothing ran to remove it"
    sweep_stale_workdirs.__wrapped__()
    assert not base.exists()


def test_process_tier_timeout_is_minus_9_without_a_traceback() -> None:
    config = SandboxConfig(limits=dataclasses.replace(LIMITS, timeout_s=1.0), tier=Tier.PROCESS)
    execution = run(["python", "-c", "import time\ntime.sleep(30)"], {}, config)
    assert execution.outcome is Outcome.TIMEOUT
    assert execution.returncode == -signal.SIGKILL
    assert "Traceback" not in execution.stderr


JUDGE_PROBE = """
import os
import pytest

def test_judge_is_out_of_reach():
    judge = os.getppid()
    for where in ("mem", "environ", "fd"):
        with pytest.raises(PermissionError):
            path = f"/proc/{judge}/{where}"
            os.listdir(path) if where == "fd" else open(path, "rb").read(1)
"""


def test_the_judge_cannot_be_read_from_a_test(config: SandboxConfig) -> None:
    root_without_uid = os.geteuid() == 0 and pick_uid(config.python, Tier.PROCESS) is None
    if config.tier is Tier.PROCESS and root_without_uid:
        pytest.skip("process tier as root: the test runs as root and may read anything")
    files = {"test_probe.py": JUDGE_PROBE}
    assert run_tests(files, ["test_probe.py"], config).outcome is Outcome.PASSED
    with Validator(files, ["test_probe.py"], config) as validator:
        assert validator.validate({}).outcome is Outcome.PASSED


def test_one_test_file_cannot_forge_another(config: SandboxConfig) -> None:
    """Each test file runs in its own child: a module imported by one cannot reach the
    recorder of the other."""
    files = {
        "mod.py": "def value():\n    return 1\n",
        "test_a.py": "import gc\nfrom mod import value\n\ndef test_a():\n    assert value() == 1\n",
        "test_b.py": "from mod import value\n\ndef test_b():\n    assert value() == 2\n",
    }
    result = run_tests(files, ["test_a.py", "test_b.py"], config)
    assert result.passed == ("test_a.py::test_a",)
    assert result.failed == ("test_b.py::test_b",)


def test_weak_tier_is_named_in_every_result() -> None:
    config = SandboxConfig(limits=LIMITS, tier=Tier.PROCESS)
    uid = pick_uid(config.python, Tier.PROCESS)
    expected = isolation_warning(Tier.PROCESS, uid)
    files = {"test_a.py": "def test_a():\n    pass\n"}
    assert run_tests(files, ["test_a.py"], config).execution.warning == expected
    assert run(["python", "-c", "pass"], {}, config).warning == expected
    if os.geteuid() == 0 and uid is None:
        assert "runs as root" in expected or "run as root" in expected


def test_weak_tier_warning_only_where_it_applies() -> None:
    assert isolation_warning(Tier.BUBBLEWRAP, None) == ""
    assert isolation_warning(Tier.PROCESS, 61001) == ""
    assert bool(isolation_warning(Tier.PROCESS, None)) == (os.geteuid() == 0)


def test_limit_messages_name_the_limit_and_how_to_raise_it() -> None:
    limits = Limits(memory_mb=1024, disk_mb=256, timeout_s=10)
    assert "1024 MB" in limit_message(Outcome.MEMORY, limits)
    assert "--memory-mb" in limit_message(Outcome.MEMORY, limits)
    assert "256 MB" in limit_message(Outcome.DISK, limits)
    assert limit_message(Outcome.FAILED, limits) is None


def test_memory_limit_at_import_is_reported_as_the_limit(config: SandboxConfig) -> None:
    files = {
        "mod.py": "DATA = bytearray(4 * 1024 ** 3)\n\ndef f():\n    return 1\n",
        "test_mod.py": "from mod import f\n\ndef test_f():\n    assert f() == 2\n",
    }
    result = run_tests(files, ["test_mod.py"], config)
    assert result.outcome is Outcome.MEMORY


def test_killing_the_judge_from_a_later_test_file_never_passes(config: SandboxConfig) -> None:
    """test_a passes and its reply is sent; test_b's child then kills the judge. The
    verdict wants one reply per test file, so the missing one is an error, not a pass."""
    files = {
        "test_a.py": "def test_a():\n    pass\n",
        "test_b.py": "import os, signal\n\n"
        "def test_b():\n    os.kill(os.getppid(), signal.SIGKILL)\n",
    }
    result = run_tests(files, ["test_a.py", "test_b.py"], config)
    assert result.outcome is not Outcome.PASSED
    assert result.passed == ("test_a.py::test_a",) and result.failed == ("test_b.py",)
    assert result.tests[-1].failure.exc_type == "MissingResult"


ORPHAN_TEST = """
import os, sys, time

def test_leaves_a_daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            code = "import time\\nwhile True: time.sleep(0.1)  # {marker}"
            os.execve(sys.executable, [sys.executable, "-c", code], {{}})  # no environment
        os._exit(0)
    time.sleep(60)
"""

RUNS_A_TEST = textwrap.dedent(
    """
    import sys
    from codeintel.sandbox import SandboxConfig, Limits, Tier, run_tests
    tier, name, text = Tier(sys.argv[1]), sys.argv[2], sys.argv[3]
    config = SandboxConfig(limits=Limits(timeout_s=60, cpu_s=60), tier=tier)
    run_tests({name: text}, [name], config)
    """
)


def _with_marker(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_killing_codeintel_kills_its_whole_run(config: SandboxConfig) -> None:
    """kill -9 of the caller mid-run: the supervisor (or bwrap), the judge, the test and a
    double-forked setsid daemon with an empty environment all end within seconds, not at
    the run's deadline (60 s)."""
    marker = f"orphan{os.getpid()}x{time.monotonic_ns()}"
    name = f"test_{marker}.py"
    argv = [sys.executable, "-c", RUNS_A_TEST, config.tier.value, name]
    caller = subprocess.Popen([*argv, ORPHAN_TEST.format(marker=marker)])
    try:
        daemon = lambda: [p for p in _with_marker(marker) if p != caller.pid]  # noqa: E731
        assert _wait(lambda: len(daemon()) >= 2, 30), "the run and its daemon never started"
        caller.kill()
        caller.wait()
        assert _wait(lambda: not _with_marker(marker), 5), f"survivors: {_with_marker(marker)}"
    finally:
        caller.kill()
        for pid in _with_marker(marker):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_every_command_that_runs_code_says_the_weak_tier_warning(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """`tests` and `body` print it (as `repair` does), before their work or with it."""
    import sys as _sys

    from codeintel.cli import main

    monkeypatch.setattr("codeintel.sandbox.isolation.detect_tier", lambda: Tier.PROCESS)
    expected = isolation_warning(Tier.PROCESS, pick_uid(_sys.executable, Tier.PROCESS))
    if not expected:
        pytest.skip("the process tier is sound here (a private uid, or not root)")
    module = tmp_path / "add.py"
    module.write_text('def add(a, b):\n    """Sum.\n\n    >>> add(1, 2)\n    3\n    """\n')
    main(["body", str(module), "--function", "add", "--n", "1"])
    assert f"codeintel: warning: {expected}" in capsys.readouterr().err

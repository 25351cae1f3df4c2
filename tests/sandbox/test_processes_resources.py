"""Process and resource attacks, in both tiers."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import replace
from pathlib import Path

import pytest

from codeintel.sandbox import Outcome, SandboxConfig, Tier, run, run_tests
from tests.sandbox.conftest import needs_containment

pytestmark = pytest.mark.usefixtures("guarded")  # the caller's files stay untouched


def py(code: str, config: SandboxConfig, files: dict | None = None):
    return run(["python", "-c", code], files or {}, config)


def with_timeout(config: SandboxConfig, seconds: float) -> SandboxConfig:
    return replace(config, limits=replace(config.limits, timeout_s=seconds))


def survivors(marker: str) -> list[int]:
    """Host processes whose command line carries `marker` (the run's own code)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(name))
    return found


def no_survivors(marker: str, within: float = 0.5) -> bool:
    deadline = time.monotonic() + within
    while survivors(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_bounded_fork_bomb(config: SandboxConfig) -> None:
    marker = f"bomb-{secrets.token_hex(6)}"
    code = f"""# {marker}
import os, time
n = 0
for _ in range(200):
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
    except OSError:
        break
print("forked", n)
"""
    done = py(code, config)
    assert done.outcome is Outcome.PASSED
    assert done.stdout.startswith("forked")
    assert no_survivors(marker)


DAEMON = """# {marker}
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for i in range(600):
            try:
                open(os.path.join({where!r}, f"beat-{{i}}"), "w").close()
            except OSError:
                pass
            time.sleep(0.1)
        os._exit(0)
    os._exit(0)
time.sleep(0.3)
print("daemon started")
"""


def test_double_fork_daemon_is_killed(config: SandboxConfig, tmp_path: Path) -> None:
    marker = f"daemon-{secrets.token_hex(6)}"
    where = tmp_path / "beats"
    where.mkdir()
    where.chmod(0o777)
    done = py(DAEMON.format(marker=marker, where=str(where)), config)
    assert done.outcome is Outcome.PASSED
    assert done.stdout.strip() == "daemon started"
    assert no_survivors(marker)
    written = set(os.listdir(where))
    time.sleep(0.5)
    assert set(os.listdir(where)) == written, "the daemon kept writing after run() returned"
    if config.tier is Tier.BUBBLEWRAP:
        assert not written, "bubblewrap let the daemon write outside the work dir"


def test_killing_the_parent_spares_the_caller(config: SandboxConfig) -> None:
    marker = f"parent-{secrets.token_hex(6)}"
    code = f"""# {marker}
import os, signal, time
try:
    os.kill(os.getppid(), signal.SIGKILL)
except PermissionError:
    print("denied")
time.sleep(0.2)
"""
    done = py(code, config)
    assert os.getppid() > 1  # we (the caller) are alive and still attached
    if config.tier is Tier.BUBBLEWRAP:  # the parent is bwrap, outside the user namespace
        assert (done.outcome, done.stdout) == (Outcome.PASSED, "denied\n")
    else:  # the parent is the supervisor: the run is reported killed
        assert done.outcome is Outcome.KILLED
    assert no_survivors(marker)


def test_ignoring_sigterm_is_killed_at_timeout(config: SandboxConfig) -> None:
    code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(1000)"
    done = py(code, with_timeout(config, 1.0))
    assert done.outcome is Outcome.TIMEOUT


@pytest.mark.parametrize(
    "code",
    ["while True: pass", "import time\ntime.sleep(1000)"],
    ids=["busy", "sleep"],
)
def test_endless_runs_time_out(config: SandboxConfig, code: str) -> None:
    done = py(code, with_timeout(config, 1.0))
    assert done.outcome is Outcome.TIMEOUT


def test_huge_allocation_is_memory(config: SandboxConfig) -> None:
    done = py("x = bytearray(8 * 1024 ** 3)\nprint('allocated')", config)
    assert done.outcome is Outcome.MEMORY
    assert "allocated" not in done.stdout


def test_deep_recursion_fails_the_test(config: SandboxConfig) -> None:
    source = "def down(n):\n    return down(n + 1)\n\ndef test_deep():\n    down(0)\n"
    source = "def down(n):\n    return down(n + 1)\n\ndef test_deep():\n    down(0)\n"
    files = {"test_deep.py": source}
    result = run_tests(files, ["test_deep.py"], config)
    assert result.outcome is Outcome.FAILED
    assert [t.outcome.value for t in result.tests] == ["failed"]
    assert result.tests[0].failure.exc_type == "RecursionError"


def test_huge_stdout_is_capped(config: SandboxConfig) -> None:
    done = py("import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 100_000)", config)
    assert done.truncated
    assert len(done.stdout) <= config.limits.output_bytes
    assert done.outcome is Outcome.PASSED


def test_huge_file_fails(config: SandboxConfig) -> None:
    """Python ignores SIGXFSZ, so the write fails with EFBIG rather than a kill."""
    code = "with open('big', 'wb') as f:\n    for _ in range(8):\n        f.write(b'x' * 1024 ** 2)"
    done = py(code, config)
    assert done.outcome is Outcome.FAILED
    assert "File too large" in done.stderr


def test_huge_file_from_a_shell_is_killed(config: SandboxConfig) -> None:
    """A program that keeps the default SIGXFSZ action is killed by the file-size limit."""
    done = run(["/bin/sh", "-c", "exec head -c 8000000 /dev/zero > big"], {}, config)
    assert done.outcome is Outcome.KILLED


def test_huge_file_never_exceeds_cap(config: SandboxConfig) -> None:
    code = """
import os, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
try:
    with open('big', 'wb') as f:
        for _ in range(8):
            f.write(b'x' * 1024 ** 2)
except OSError as exc:
    print(os.path.getsize('big'), type(exc).__name__)
    sys.exit(1)
"""
    done = py(code, config)
    assert done.outcome is Outcome.FAILED
    size, error = done.stdout.split()
    assert int(size) <= config.limits.file_size_mb * 1024**2
    assert error == "OSError"


def test_fd_exhaustion(config: SandboxConfig) -> None:
    code = """
import os
fds = []
try:
    while True:
        fds.append(os.open('/dev/null', os.O_RDONLY))
except OSError as exc:
    print(len(fds), exc.errno)
"""
    done = py(code, config)
    assert done.outcome is Outcome.PASSED
    count, errno = map(int, done.stdout.split())
    assert count < config.limits.open_files
    assert errno == 24  # EMFILE


def test_code_does_not_run_as_root(config: SandboxConfig) -> None:
    needs_containment(config, "root's uid", "the interpreter is under /root (mode 700)")
    done = py("import os\nprint(os.getuid())", config)
    assert done.outcome is Outcome.PASSED
    assert int(done.stdout) != 0

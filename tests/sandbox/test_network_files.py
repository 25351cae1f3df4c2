"""Network and file-system attacks: contained in bubblewrap, skipped (with the reason)
where the process tier cannot contain them."""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from codeintel.sandbox import Outcome, SandboxConfig, run
from tests.sandbox.conftest import needs_containment

pytestmark = pytest.mark.usefixtures("guarded")  # the caller's files stay untouched

NO_NETNS = "no network namespace, the code shares the host's network"
NO_FS = "no mount namespace; as root the code may write wherever root may"
AS_ROOT = "the run keeps root's uid here (the interpreter is under /root, mode 700)"


def py(code: str, config: SandboxConfig, files: dict | None = None):
    return run(["python", "-c", code], files or {}, config)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.3)
    yield sock
    sock.close()


def _no_connection(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return True
    conn.close()
    return False


CONNECT = """
import socket, sys
s = socket.socket(socket.{family}, socket.SOCK_STREAM)
s.settimeout(1)
try:
    s.connect({address!r})
    print("CONNECTED")
except OSError as exc:
    print("BLOCKED", type(exc).__name__)
"""


def test_tcp_to_local_listener(config: SandboxConfig, listener: socket.socket) -> None:
    needs_containment(config, "TCP", NO_NETNS)
    code = CONNECT.format(family="AF_INET", address=listener.getsockname())
    done = py(code, config)
    assert done.outcome is Outcome.PASSED
    assert done.stdout.startswith("BLOCKED")
    assert _no_connection(listener)


def test_ipv6_loopback(config: SandboxConfig) -> None:
    needs_containment(config, "IPv6", NO_NETNS)
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock.bind(("::1", 0))
    except OSError as exc:
        pytest.skip(f"the host has no IPv6 loopback: {exc}")
    with sock:
        sock.listen(8)
        sock.settimeout(0.3)
        done = py(CONNECT.format(family="AF_INET6", address=sock.getsockname()[:2]), config)
        assert done.outcome is Outcome.PASSED
        assert done.stdout.startswith("BLOCKED")
        assert _no_connection(sock)


def test_udp_to_local_socket(config: SandboxConfig) -> None:
    needs_containment(config, "UDP", NO_NETNS)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.5)
        code = (
            "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"for _ in range(5):\n    s.sendto(b'leak', {sock.getsockname()!r})\nprint('SENT')"
        )
        done = py(code, config)
        assert done.outcome in (Outcome.PASSED, Outcome.FAILED)
        with pytest.raises((TimeoutError, socket.timeout)):
            sock.recvfrom(64)


def test_dns_lookup(config: SandboxConfig) -> None:
    try:
        socket.getaddrinfo("example.com", 80)
    except OSError as exc:
        pytest.skip(f"the host itself cannot resolve names, so the case cannot fail: {exc}")
    needs_containment(config, "DNS", NO_NETNS)
    code = (
        "import socket\ntry:\n    print('RESOLVED', socket.getaddrinfo('example.com', 80)[0])\n"
        "except OSError as exc:\n    print('BLOCKED', exc)"
    )
    done = py(code, config)
    assert done.outcome is Outcome.PASSED
    assert done.stdout.startswith("BLOCKED")


def test_unix_socket_outside_workdir(config: SandboxConfig) -> None:
    needs_containment(config, "AF_UNIX", NO_FS)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(path)
            server.listen(1)
            server.settimeout(0.3)
            code = CONNECT.format(family="AF_UNIX", address=path)
            done = py(code, config)
            assert done.outcome is Outcome.PASSED
            assert done.stdout.startswith("BLOCKED")
            assert _no_connection(server)


WRITE = """
import os, sys
try:
    with open({path!r}, "w") as handle:
        handle.write("escaped")
    print("WROTE")
except OSError as exc:
    print("BLOCKED", type(exc).__name__)
"""


def _target(directory: str, stem: str) -> Path:
    return Path(directory) / f"{stem}-{secrets.token_hex(6)}"


@pytest.mark.parametrize("where", ["/root", "/tmp", "/var/tmp"])
def test_write_outside(config: SandboxConfig, guarded: Path, where: str) -> None:
    needs_containment(config, f"writes to {where}", NO_FS)
    target = _target(where, "codeintel-escape")
    try:
        done = py(WRITE.format(path=str(target)), config)
        assert done.outcome is Outcome.PASSED
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)


def test_write_to_parent_dir(config: SandboxConfig, guarded: Path) -> None:
    needs_containment(config, "writes through '..'", NO_FS)
    name = f"codeintel-dotdot-{secrets.token_hex(6)}"
    code = WRITE.format(path=f"../{name}") + "print(os.path.realpath('..'))"
    done = py(code, config)
    parent = Path(done.stdout.splitlines()[-1])
    try:
        assert done.outcome is Outcome.PASSED
        assert not (parent / name).exists()
    finally:
        (parent / name).unlink(missing_ok=True)


def test_symlink_out_of_workdir(config: SandboxConfig, guarded: Path) -> None:
    needs_containment(config, "writes through a symlink", NO_FS)
    code = (
        f"import os\nos.symlink({str(guarded)!r}, 'out')\n"
        + WRITE.format(path="out/data.txt")
        + WRITE.format(path="out/new.txt")
    )
    done = py(code, config)
    assert done.outcome is Outcome.PASSED
    assert "WROTE" not in done.stdout
    assert not (guarded / "new.txt").exists()


def test_files_handed_in_cannot_escape(config: SandboxConfig, guarded: Path) -> None:
    from codeintel.errors import InputError

    for bad in ("../x.py", "/tmp/x.py", "a/../../x.py"):
        with pytest.raises(InputError):
            run(["python", "-c", "pass"], {bad: "x = 1\n"}, config)


READ = """
import sys
try:
    with open({path!r}, "rb") as handle:
        sys.stdout.write(handle.read().decode("latin-1"))
except OSError as exc:
    print("BLOCKED", type(exc).__name__)
"""


def test_read_root_secret(config: SandboxConfig) -> None:
    needs_containment(config, "reads of root's files", AS_ROOT)
    secret = secrets.token_hex(16)
    path = Path("/root") / f".codeintel-secret-{secrets.token_hex(4)}"
    path.write_text(secret)
    path.chmod(0o600)
    try:
        done = py(READ.format(path=str(path)) + READ.format(path="/root/.ssh/id_rsa"), config)
    finally:
        path.unlink()
    assert done.outcome is Outcome.PASSED
    assert secret not in done.stdout + done.stderr
    assert "PRIVATE KEY" not in done.stdout


def test_read_etc_shadow(config: SandboxConfig) -> None:
    needs_containment(config, "/etc/shadow", AS_ROOT)
    try:
        real = Path("/etc/shadow").read_text()
    except OSError as exc:
        pytest.skip(f"cannot read /etc/shadow here to compare: {exc}")
    done = py(READ.format(path="/etc/shadow"), config)
    assert done.outcome is Outcome.PASSED
    assert real.splitlines()[0] not in done.stdout


def test_parent_environment_invisible(config: SandboxConfig) -> None:
    needs_containment(config, "the parent's /proc/<pid>/environ", AS_ROOT + "; /proc is shared")
    mine = Path(f"/proc/{os.getpid()}/environ").read_bytes().split(b"\0")
    secret = next(e for e in mine if e.startswith(b"PATH=")).decode()
    code = f"""
import os
for pid in [os.getppid(), {os.getpid()}] + [p for p in os.listdir('/proc') if p.isdigit()]:
    try:
        print(open(f'/proc/{{pid}}/environ', 'rb').read().decode('latin-1'))
    except OSError as exc:
        print('BLOCKED', pid, type(exc).__name__)
"""
    done = py(code, config)
    assert done.outcome is Outcome.PASSED
    assert secret not in done.stdout + done.stderr


def test_the_hash_seed_is_fixed_and_can_be_changed(config: SandboxConfig) -> None:
    code = "print(hash('codeintel'))"
    first, again = py(code, config), py(code, config)
    other = py(code, replace(config, hash_seed=1))
    assert first.stdout == again.stdout  # a run repeats
    assert first.stdout != other.stdout  # a test that holds only in one order is caught

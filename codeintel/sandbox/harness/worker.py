"""The warm worker of the fast path. It runs INSIDE the sandbox and never imports
the code under test itself: for each request it forks a child that gets its own
rlimits, session and process group, runs the tests in a fresh directory (the
in-process runner `quick.py` for plain tests, pytest otherwise) under a
deadline, and relays the child's records and capped output.

Protocol: requests on stdin, one JSON line each: {"dir": path, "timeout": s};
replies on the channel fd, one JSON line each: {"records": [...], "status": n,
"timed_out": bool, "wall_s": s, "cpu_s": s, "output": str, "truncated": bool}.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves it out

import quick
from reporter import Channel, run_session

_MB = 1024 * 1024
_MARKER = f"CODEINTEL_SANDBOX_RUN={os.environ.get('CODEINTEL_SANDBOX_RUN', '')}".encode()


def _ancestors() -> set[int]:
    keep, pid = {os.getpid()}, os.getpid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
        keep.add(pid)
    return keep


def _mine(pid: str, private_uid: bool) -> bool:
    """Of this run: this sandbox's own uid, else this run's marker in the environment."""
    if private_uid:
        return os.stat(f"/proc/{pid}").st_uid == os.getuid()
    with open(f"/proc/{pid}/environ", "rb") as handle:
        return _MARKER in handle.read().split(b"\0")


def _children_of_mine(private_uid: bool) -> list[int]:
    """Processes of this run, except this worker and its ancestors."""
    keep, found = _ancestors(), []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in keep:
            with contextlib.suppress(OSError):
                if _mine(name, private_uid):
                    found.append(int(name))
    return found


def _sweep(pgid: int, private_uid: bool) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)
    for _ in range(5):
        victims = _children_of_mine(private_uid)
        for pid in victims:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if not victims:
            return
        time.sleep(0.005)


def _limit(limits: dict) -> None:
    """The candidate's own rlimits (the worker itself runs with a loose CPU limit)."""
    cpu, memory = limits["cpu_s"], limits["memory_mb"] * _MB
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    size = limits["file_size_mb"] * _MB
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))


def _child(request: dict, channel_w: int, out_w: int, spec: dict, harness_dir: str) -> None:
    os.setsid()
    _limit(request["limits"])
    workdir = request["dir"]
    os.chdir(workdir)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    sys.path.insert(0, os.path.realpath(workdir))
    channel = Channel(channel_w, request.get("nonce", ""))
    try:
        items = quick.collect(spec["tests"])
        code = frozenset(spec.get("code", ()))
        if items is None:
            status = run_session(channel, spec, harness_dir)
        else:
            status = quick.run_items(channel, items, os.path.realpath(workdir), code)
    except BaseException:
        status = 3
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    os._exit(status)


class _Child:
    """The forked candidate: reaped once, its leftovers killed."""

    def __init__(self, pid: int, private_uid: bool) -> None:
        self.pid, self.private_uid = pid, private_uid
        self.status: int | None = None
        self.cpu_s = 0.0

    def exited(self) -> bool:
        if self.status is None:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                self.status, self.cpu_s = status, usage.ru_utime + usage.ru_stime
        return self.status is not None

    def sweep(self) -> None:
        _sweep(self.pid, self.private_uid)

    def finish(self) -> None:
        self.sweep()
        if self.status is None:
            _, self.status, usage = os.wait4(self.pid, 0)
            self.cpu_s = usage.ru_utime + usage.ru_stime


class _Drain:
    """Reads the channel and the output pipe until both close or the deadline passes."""

    def __init__(self, channel: int, output: int, cap: int) -> None:
        self.fds = {channel: bytearray(), output: bytearray()}
        self.channel, self.output, self.cap = channel, output, cap
        self.truncated = False

    def run(self, deadline: float, child: _Child) -> bool:
        """True if the deadline passed first. Once the child exits, what it left is killed."""
        open_fds = set(self.fds)
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            for fd in select.select(list(open_fds), [], [], min(left, 0.05))[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    open_fds.discard(fd)
                self._keep(fd, chunk)
            if child.exited():
                child.sweep()
        return False

    def _keep(self, fd: int, chunk: bytes) -> None:
        buffer = self.fds[fd]
        if fd == self.output and len(buffer) + len(chunk) > self.cap:
            self.truncated = True
            chunk = chunk[: max(self.cap - len(buffer), 0)]
        buffer += chunk


def _parse(line: str) -> dict:
    try:
        record = json.loads(line)
    except ValueError:
        return {"event": "garbage"}
    return record if isinstance(record, dict) else {"event": "garbage"}


def serve_one(request: dict, spec: dict, reply: Channel, harness_dir: str) -> None:
    started = time.monotonic()
    channel_r, channel_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for fd in (channel_r, out_r, reply.fd):
            os.close(fd)
        _child(request, channel_w, out_w, spec, harness_dir)
    os.close(channel_w)
    os.close(out_w)
    drain = _Drain(channel_r, out_r, request["limits"]["output_bytes"])
    child = _Child(pid, spec.get("private_uid", False))
    timed_out = drain.run(started + request["timeout"], child)
    child.finish()
    os.close(channel_r)
    os.close(out_r)
    lines = bytes(drain.fds[channel_r]).decode("utf-8", "replace").splitlines()
    reply.send(
        {
            "records": [_parse(line) for line in lines if line],
            "status": child.status,
            "timed_out": timed_out,
            "wall_s": time.monotonic() - started,
            "cpu_s": child.cpu_s,
            "output": bytes(drain.fds[out_r]).decode("utf-8", "replace"),
            "truncated": drain.truncated,
        }
    )


def main(argv: list[str]) -> int:
    """`python -I worker.py FD SPEC_JSON`; then requests on stdin."""
    harness_dir = os.path.dirname(os.path.abspath(__file__))
    reply, spec = Channel(int(argv[1])), json.loads(argv[2])
    for line in sys.stdin:
        serve_one(json.loads(line), spec, reply, harness_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""The warm worker of the fast path. It runs INSIDE the sandbox and never imports
the code under test itself: for each request it forks a child that runs the
tests in a fresh directory, under a deadline, and relays the child's records.

Protocol: requests on stdin, one JSON line each: {"dir": path, "timeout": s};
replies on the channel fd, one JSON line each: {"records": [...], "status": n,
"timed_out": bool, "wall_s": s}.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves it out

import contextlib

from reporter import Channel, run_session


def _children_of_mine() -> list[int]:
    """Processes of this sandbox uid, except this worker and its ancestors."""
    keep, pid = {os.getpid()}, os.getpid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
        keep.add(pid)
    uid = os.getuid()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in keep:
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    found.append(int(name))
            except OSError:
                pass
    return found


def _sweep(pgid: int, private_uid: bool) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)
    if private_uid:
        for pid in _children_of_mine():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _child(workdir: str, channel_w: int, spec: dict, harness_dir: str) -> None:
    os.setsid()
    os.chdir(workdir)
    out = os.open(
        os.path.join(workdir, "..", os.path.basename(workdir) + ".out"),
        os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
        0o600,
    )
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    sys.path.insert(0, workdir)
    try:
        status = run_session(Channel(channel_w), spec, harness_dir)
    except BaseException:
        status = 3
    os._exit(status)


def _collect(fd: int, pid: int, deadline: float) -> tuple[bytes, bool]:
    data, timed_out = bytearray(), False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(data), True
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                return bytes(data), timed_out
            data += chunk


def _parse(line: str) -> dict:
    try:
        record = json.loads(line)
    except ValueError:
        return {"event": "garbage"}
    return record if isinstance(record, dict) else {"event": "garbage"}


def serve_one(request: dict, spec: dict, reply: Channel, harness_dir: str) -> None:
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        os.close(reply.fd)
        _child(request["dir"], write_fd, spec, harness_dir)
    os.close(write_fd)
    data, timed_out = _collect(read_fd, pid, started + request["timeout"])
    os.close(read_fd)
    _sweep(pid, spec.get("private_uid", False))
    _, status = os.waitpid(pid, 0)
    records = [_parse(line) for line in data.decode("utf-8", "replace").splitlines() if line]
    reply.send(
        {
            "records": records,
            "status": status,
            "timed_out": timed_out,
            "wall_s": time.monotonic() - started,
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

"""The judge: the trusted parent of every test run. It runs INSIDE the sandbox and never
executes user code: it imports no test module and no code under test.

For each request it forks a child that gets its own rlimits, session and process
group, closes every fd of the judge's (the reply channel, the request pipe), and
only then runs the tests in the request's directory (the in-process runner
`quick.py` for plain tests when asked, a pytest session with `reporter.py`
otherwise). The judge observes the child from outside: its wait status, whether it
outlived the deadline, its work dir's disk use, and the records it sent on a pipe
of its own, each signed with a secret made for that child alone. It relays what it
observed; the host decides the verdict from it (`codeintel.sandbox.verdict`).

The judge is not dumpable, so a child (same uid, no capabilities) cannot ptrace it,
read its memory or open its fds through /proc. The judge holds no secret of the
host's: the reply channel is its own fd, closed in every child.

Protocol: `python -I judge.py FD SPEC_JSON`; requests on stdin, one JSON line each:
{"dir", "tests", "timeout", "limits", "quick", "coverage", "first_failure"}; one reply
per request on fd FD: {"records", "status", "timed_out", "disk", "wall_s", "cpu_s",
"output", "truncated"}. The judge ends at the end of stdin.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves it out

import integrity
import toolkit
from reporter import Channel, Session, run_session

_CHANNEL_CAP = 64 * toolkit.MB
_CRASHED = 3  # the child's exit code when the harness itself raised
_NEEDS_PYTEST = 4  # the fast path's runner found tests it cannot run: fork again for pytest


def _child(request: dict, secret: str, fds: dict[str, int], spec: dict) -> None:
    """In the forked child: shed the judge's fds, take the limits, run the tests, exit."""
    for fd in fds["close"]:
        os.close(fd)
    os.setsid()
    toolkit.set_limits(request["limits"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(fds["output"], 1)
    os.dup2(fds["output"], 2)
    workdir = os.path.realpath(request["dir"])
    os.chdir(workdir)
    for entry in [*reversed(spec.get("pythonpath", ())), "."]:  # the project's, then its root
        sys.path.insert(0, os.path.normpath(os.path.join(workdir, entry)))
    channel = Channel(fds["channel"], secret)
    session = Session(
        tests=request["tests"],
        code=frozenset(spec.get("code", ())),
        coverage_of=request.get("coverage"),
        test_timeout=request["limits"].get("test_timeout_s"),
        first_failure=bool(request.get("first_failure")),
        guard_effects=bool(spec.get("guard_effects")),
        conftest=bool(spec.get("conftest")),
    )
    guarded = session.guard_effects  # the guard is the reporter's: pytest runs those tests
    quick = sys.modules.get("quick") if request.get("quick") and not guarded else None
    try:
        items = quick.collect(session.tests, session.conftest) if quick is not None else None
        if quick is not None and items is None:
            status = _NEEDS_PYTEST  # the test modules ran here: pytest gets a fresh child
        elif items is None:
            status = run_session(channel, session)  # seals pytest before collecting
        else:
            status = quick.run_items(channel, items, workdir, session, SEAL)
    except BaseException:
        status = _CRASHED
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    os._exit(status)


class _Child:
    """The forked child, observed from outside: reaped once, its leftovers killed."""

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
        """Kill the child's group, then whatever of this run is left (but the judge)."""
        toolkit.kill_group(self.pid)
        if self.private_uid:
            toolkit.kill_run(os.getuid(), attempts=5)
        else:
            toolkit.kill_run(None, os.environ.get(toolkit.MARKER, ""), attempts=5)

    def finish(self) -> None:
        """Kill the group, reap the child, then kill whatever of the run is left."""
        toolkit.kill_group(self.pid)
        if self.status is None:
            _, self.status, usage = os.wait4(self.pid, 0)
            self.cpu_s = usage.ru_utime + usage.ru_stime
        self.sweep()


def _verified(line: str, secret: str) -> dict:
    """The record, if it carries this child's secret; otherwise a garbage marker."""
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return {"event": "garbage"}
    seen = record.pop("nonce", None)
    if not (isinstance(seen, str) and hmac.compare_digest(seen.encode(), secret.encode())):
        return {"event": "garbage"}
    return record


def observe(request: dict, spec: dict, started: float, reply_fd: int) -> dict:
    """Fork a child for `request` and observe it to the end: what the judge replies."""
    secret = secrets.token_hex(16)
    channel_r, channel_w = os.pipe()
    out_r, out_w = os.pipe()
    close = (channel_r, out_r, reply_fd, 0)
    pid = os.fork()
    if pid == 0:
        _child(request, secret, {"close": close, "channel": channel_w, "output": out_w}, spec)
    os.close(channel_w)
    os.close(out_w)
    caps = {"channel": _CHANNEL_CAP, "output": request["limits"]["output_bytes"]}
    drain = toolkit.Drain({"channel": channel_r, "output": out_r}, caps, capped=["output"])
    child = _Child(pid, spec.get("private_uid", False))
    disk = toolkit.DiskWatch(request["dir"], request["limits"])
    deadline = started + request["timeout"]
    timed_out, disk_full = toolkit.watch(drain, disk, deadline, child.exited, child.sweep)
    child.finish()
    drain.close()
    os.close(channel_r)
    os.close(out_r)
    lines = bytes(drain.data["channel"]).decode("utf-8", "replace").splitlines()
    return {
        "records": [_verified(line, secret) for line in lines if line],
        "status": child.status,
        "timed_out": timed_out,
        "disk": disk_full,
        "wall_s": time.monotonic() - started,
        "cpu_s": child.cpu_s,
        "output": bytes(drain.data["output"]).decode("utf-8", "replace"),
        "truncated": drain.truncated,
    }


def serve_one(request: dict, spec: dict, reply: Channel) -> None:
    """One request: its child observed (and, when the fast path's runner hands the tests
    over to pytest, a fresh child for pytest, within the same deadline)."""
    global SEAL
    if request.get("quick") and SEAL is None:
        import quick  # noqa: F401  (in the judge, before the fork: every child has it warm)

        SEAL = integrity.Seal(integrity.watched_modules(harness_only=True))  # no user code yet
    started = time.monotonic()
    observed = observe(request, spec, started, reply.fd)
    status = observed["status"]
    needs_pytest = os.WIFEXITED(status) and os.WEXITSTATUS(status) == _NEEDS_PYTEST
    if needs_pytest and not observed["timed_out"]:
        if observed["records"]:  # the fast path's runner sends none before it hands over
            observed["records"].append({"event": "garbage"})
        else:
            observed = observe({**request, "quick": False}, spec, started, reply.fd)
    reply.send(observed)


SEAL: integrity.Seal | None = None  # the harness, sealed before the first fast-path fork


def main(argv: list[str]) -> int:
    """`python -I judge.py FD SPEC_JSON`; then requests on stdin."""
    toolkit.not_dumpable()
    reply, spec = Channel(int(argv[1])), json.loads(argv[2])
    for line in sys.stdin:
        serve_one(json.loads(line), spec, reply)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

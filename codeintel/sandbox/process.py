"""Start one sandboxed process, collect its capped output and its channel, enforce the deadline."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from codeintel.errors import Cancelled
from codeintel.sandbox.control import JobControl
from codeintel.sandbox.harness import toolkit
from codeintel.sandbox.isolation import bwrap_prefix, kill_run, limit_process, sandbox_env
from codeintel.sandbox.types import Execution, Limits, Outcome, Tier

_CHANNEL_CAP = 64 * 1024 * 1024  # the trusted channel is ours; cap it anyway
SUPERVISOR = Path(__file__).resolve().parent / "harness" / "supervise.py"
_GRACE_S = 1.0  # how long the supervisor gets to sweep after SIGTERM


@dataclass(frozen=True)
class Launch:
    """Where and how to start: the run's directory, tier, uid and limits."""

    workdir: Path
    tier: Tier
    uid: int | None
    limits: Limits
    python: str
    token: str = ""  # marks every process of the run (environment), for cleanup
    warning: str = ""  # what the tier does not protect here (isolation.isolation_warning)
    control: JobControl | None = None  # cancels the run (control.py)
    hash_seed: int = 0  # PYTHONHASHSEED of the run


@dataclass(frozen=True)
class Raw:
    returncode: int | None
    stdout: bytes
    stderr: bytes
    channel: bytes
    wall_s: float
    cpu_s: float
    timed_out: bool
    truncated: bool
    disk: bool = False  # the work dir grew past Limits.disk_mb


def command_for(launch: Launch, argv: list[str]) -> list[str]:
    argv = [launch.python if a == "python" else a for a in argv]
    if launch.tier is Tier.BUBBLEWRAP:
        prefix = bwrap_prefix(
            launch.workdir,
            launch.python,
            launch.uid,
            launch.token,
            launch.limits.disk_mb,
            launch.hash_seed,
        )
        return [*prefix, *argv]
    return [launch.python, "-I", "-S", str(SUPERVISOR), *argv]


def spawn(
    launch: Launch,
    argv: list[str],
    channel_fd: int | None,
    stdin: int | None = None,
    output: int = subprocess.PIPE,
) -> subprocess.Popen:
    """Start the process (in its own session, under its limits and uid).

    In the process tier it runs below the supervisor (harness/supervise.py), which
    kills everything it leaves behind.
    """
    pass_fds = (channel_fd,) if channel_fd is not None else ()
    return subprocess.Popen(
        command_for(launch, argv),
        cwd=launch.workdir,
        env=sandbox_env(launch.workdir, launch.token, launch.hash_seed),
        stdin=subprocess.DEVNULL if stdin is None else stdin,
        stdout=output,
        stderr=output,
        pass_fds=pass_fds,
        preexec_fn=limit_process(
            launch.limits,
            launch.uid,
            extra_processes=8,
            switch=launch.tier is Tier.PROCESS,
            # the supervisor sweeps what it supervises on SIGTERM; bwrap dies on SIGKILL,
            # and --die-with-parent takes the sandbox with it
            parent_death=signal.SIGTERM if launch.tier is Tier.PROCESS else signal.SIGKILL,
        ),
    )


def _stop(proc: subprocess.Popen, tier: Tier) -> None:
    """At the deadline: let the supervisor sweep what escaped the group, then kill the group."""
    if tier is Tier.PROCESS and proc.poll() is None:
        with contextlib.suppress(OSError):
            os.kill(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(_GRACE_S)
    toolkit.kill_group(proc.pid)


def _pipe_with(data: bytes | None) -> int | None:
    """The read end of a pipe already holding `data` (and closed for writing)."""
    if data is None:
        return None
    read_fd, write_fd = os.pipe()
    os.write(write_fd, data)
    os.close(write_fd)
    return read_fd


def execute(
    launch: Launch,
    argv: list[str],
    channel_r: int | None = None,
    channel_w: int | None = None,
    stdin_data: bytes | None = None,
) -> Raw:
    """Run argv to completion or to the wall-clock limit; kill everything it left.

    `stdin_data` (small) is all the process can read on stdin.
    """
    if launch.control is not None:
        launch.control.started_run()
    started, cpu0 = time.perf_counter(), os.times()
    stdin = _pipe_with(stdin_data)
    try:
        proc = spawn(launch, argv, channel_w, stdin=stdin)
    finally:
        for fd in (stdin, channel_w):
            if fd is not None:
                os.close(fd)
    pipes = {"stdout": proc.stdout.fileno(), "stderr": proc.stderr.fileno()}
    caps = {"stdout": launch.limits.output_bytes, "stderr": launch.limits.output_bytes}
    if channel_r is not None:
        pipes["channel"], caps["channel"] = channel_r, _CHANNEL_CAP
    reader = toolkit.Drain(pipes, caps, capped=("stdout", "stderr"))
    disk_watch = toolkit.DiskWatch(str(launch.workdir), asdict(launch.limits))
    deadline = time.monotonic() + launch.limits.timeout_s
    timed_out, disk = toolkit.watch(
        reader, disk_watch, deadline, _ended(proc, launch.control), _leftovers(proc, launch)
    )
    _stop(proc, launch.tier)
    kill_run(launch.uid, launch.token)
    returncode = proc.wait()
    while reader.pump(0):
        pass
    reader.close()
    cpu1 = os.times()
    for stream in (proc.stdout, proc.stderr):
        stream.close()
    if channel_r is not None:
        os.close(channel_r)
    if launch.control is not None and launch.control.cancelled:
        raise Cancelled("cancelled: the sandbox run was killed")
    return Raw(
        returncode=returncode,
        stdout=bytes(reader.data["stdout"]),
        stderr=bytes(reader.data["stderr"]),
        channel=bytes(reader.data.get("channel", b"")),
        wall_s=time.perf_counter() - started,
        cpu_s=(cpu1.children_user - cpu0.children_user)
        + (cpu1.children_system - cpu0.children_system),
        timed_out=timed_out,
        truncated=reader.truncated,
        disk=disk,
    )


def _ended(proc: subprocess.Popen, control: JobControl | None) -> Callable[[], bool]:
    """True once the process exited, or the job was cancelled (then the sweep kills it)."""
    if control is None:
        return lambda: proc.poll() is not None
    return lambda: control.cancelled or proc.poll() is not None


def _leftovers(proc: subprocess.Popen, launch: Launch) -> Callable[[], None]:
    """Kill what still holds the pipes once the process is done."""

    def sweep() -> None:
        toolkit.kill_group(proc.pid)
        kill_run(launch.uid, launch.token)

    return sweep


def signal_of(raw: Raw, tier: Tier) -> int | None:
    """The signal that ended the process, if one did (bwrap reports it as 128 + n)."""
    if raw.returncode is None:
        return None
    if raw.returncode < 0:
        return -raw.returncode
    if tier is Tier.BUBBLEWRAP and raw.returncode > 128:
        return raw.returncode - 128
    return None


def outcome_of(raw: Raw, tier: Tier) -> Outcome:
    if raw.timed_out:
        return Outcome.TIMEOUT
    if raw.disk:
        return Outcome.DISK
    sig = signal_of(raw, tier)
    if sig == signal.SIGXCPU:
        return Outcome.TIMEOUT
    if b"MemoryError" in raw.stderr[-4096:]:
        return Outcome.MEMORY
    if sig is not None:
        return Outcome.KILLED
    return Outcome.PASSED if raw.returncode == 0 else Outcome.FAILED


def to_execution(raw: Raw, tier: Tier, warning: str = "") -> Execution:
    return Execution(
        outcome=outcome_of(raw, tier),
        returncode=raw.returncode,
        stdout=raw.stdout.decode("utf-8", errors="replace"),
        stderr=raw.stderr.decode("utf-8", errors="replace"),
        wall_s=raw.wall_s,
        cpu_s=raw.cpu_s,
        tier=tier,
        truncated=raw.truncated,
        warning=warning,
    )

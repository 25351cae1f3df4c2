"""Child-subreaper helpers (standard library only; runs INSIDE the sandbox).

A process that calls `become_subreaper()` adopts every orphan among its
descendants, so a double-forked `setsid` daemon stays below it and `sweep()`
can kill it. This is what cleans up escaped processes in the process tier
when the run cannot get a uid of its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux); False where the kernel refuses."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children(parent: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent:
            found.append(int(name))
    return found


def _reap_ready() -> bool:
    """Reap every exited child; False once there are no children at all."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def sweep(rounds: int = 2000) -> None:
    """Kill and reap every descendant of this process (orphans come back to us)."""
    me = os.getpid()
    for _ in range(rounds):
        for pid in _children(me):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if not _reap_ready():
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(-1, 0)  # blocks until one more is gone; its orphans come to us

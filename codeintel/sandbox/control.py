"""A running job's cancel flag and run counter, shared by the thread that runs the job
and the one that watches it (the language server).

The sandbox is where a job spends its time, so it is where a job stops: with a
`JobControl` in `SandboxConfig.control`, every run and validation checks it before it
starts, a run in flight is killed (its whole process group and every process of the
run) within one poll tick of `cancel()`, and `Cancelled` is raised. Each run started
is counted, so a watcher can report how far the job is without the task's help.
"""

from __future__ import annotations

import threading

from codeintel.errors import Cancelled


class JobControl:
    """`cancel()` from any thread; the job's own thread sees it at its next `check()`."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._runs = 0
        self._stage = ""

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Cancelled if the job was cancelled; nothing otherwise."""
        if self._cancelled.is_set():
            raise Cancelled("cancelled")

    def started_run(self) -> None:
        """One sandbox run (or validation) starts: checked, then counted."""
        self.check()
        with self._lock:
            self._runs += 1

    def stage(self, what: str) -> None:
        """What the job is doing now, in a few words (for a watcher's report)."""
        self.check()
        with self._lock:
            self._stage = what

    def snapshot(self) -> tuple[str, int]:
        """(stage, runs started so far)."""
        with self._lock:
            return self._stage, self._runs

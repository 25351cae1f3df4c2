"""The sandbox's process toolkit: standard library only, imported by both sides.

The host imports it as `codeintel.sandbox.harness.toolkit`; the harness inside
the sandbox (started with `python -I`, harness/ first on sys.path) imports it as
`toolkit`. It is the one place that sets a run's rlimits, finds and kills a
run's processes, drains capped pipes under a deadline, measures a work dir's
disk use, supervises orphans (child subreaper) and ends a supervisor the way
its program ended.
"""

from __future__ import annotations

import contextlib
import functools
import os
import resource
import selectors
import signal
import time
from collections.abc import Callable, Iterable

MARKER = "CODEINTEL_SANDBOX_RUN"  # names the run in the environment of every process it starts
MB = 1024 * 1024
TICK_S = 0.05  # how often a run's deadline and disk use are checked
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


# --- limits ---------------------------------------------------------------------------------


def set_limits(limits: dict, processes: int | None = None) -> None:
    """Apply a run's rlimits (a `Limits` as a dict) to this process and its children."""
    memory, size = limits["memory_mb"] * MB, limits["file_size_mb"] * MB
    cpu = int(min(limits["cpu_s"], 10**9))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if processes is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))


@functools.lru_cache(maxsize=1)
def _libc_prctl() -> Callable[..., int] | None:
    """libc's prctl, loaded once (call it before a fork: a child of a threaded process
    must not import or load libraries, which can deadlock on a lock another thread held)."""
    import ctypes  # here, not at the top: most users of the toolkit never call prctl

    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def load_prctl() -> bool:
    """Load prctl now (in the parent, before a fork); whether this system has it."""
    return _libc_prctl() is not None


def _prctl(option: int, value: int) -> bool:
    prctl = _libc_prctl()
    return prctl is not None and prctl(option, value, 0, 0, 0) == 0


def not_dumpable() -> bool:
    """Forbid other processes of our uid to ptrace us or open /proc/self/{mem,fd,environ}.

    A judge calls this before it forks a child that runs user code: the child (same
    uid, no capabilities) then cannot read the judge's memory or reach its fds."""
    return _prctl(PR_SET_DUMPABLE, 0)


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """Get `sig` when the parent (pid `parent`, the thread that forked us) dies; if it
    died already, die now. Call it after any change of uid: that clears the setting."""
    _prctl(PR_SET_PDEATHSIG, sig)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux), so a double-forked daemon stays below us."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


# --- finding and killing processes ------------------------------------------------------------


def pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat(pid: int) -> list[bytes]:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...); [] if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return []


def start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot): with the pid, its identity, which
    a later process reusing the pid does not share; None if it is gone."""
    fields = _stat(pid)
    return int(fields[19]) if len(fields) > 19 else None


def running(pid: int, started: int) -> bool:
    """Whether the process `pid` that started at `started` still runs."""
    return start_time(pid) == started


def parent_of(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if len(fields) > 1 else None


def uid_of(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def has_marker(pid: int, token: str) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return f"{MARKER}={token}".encode() in handle.read().split(b"\0")
    except OSError:
        return False


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (its children, theirs, ...)."""
    children: dict[int, list[int]] = {}
    for child in pids():
        parent = parent_of(child)
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def ancestors() -> set[int]:
    """This process and every process above it."""
    keep, pid = set(), os.getpid()
    while pid > 0 and pid not in keep:
        keep.add(pid)
        pid = parent_of(pid) or 0
    return keep


def kill_run(uid: int | None, token: str = "", attempts: int = 20) -> None:
    """Kill every process of a run, until none is left: those owned by its own `uid`, else
    those whose environment carries its `token`; never us or our ancestors."""
    if uid is None and not token:
        return
    spared = ancestors()

    def match(pid: int) -> bool:
        if pid in spared:
            return False
        return uid_of(pid) == uid if uid is not None else has_marker(pid, token)

    kill_matching(match, attempts)


def zombie(pid: int) -> bool:
    """Exited but not yet reaped (or gone): nothing left to kill."""
    fields = _stat(pid)
    return not fields or fields[0] == b"Z"


def kill_matching(match: Callable[[int], bool], attempts: int = 20) -> None:
    for _ in range(attempts):
        victims = [pid for pid in pids() if match(pid) and not zombie(pid)]
        if not victims:
            return
        for pid in victims:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)


def kill_group(pgid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)


def _reap_ready() -> bool:
    """Reap every exited child; False once there are no children at all."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def sweep_descendants(rounds: int = 2000) -> None:
    """Kill and reap every descendant of this subreaper (orphans come back to us)."""
    me = os.getpid()
    for _ in range(rounds):
        for pid in [p for p in pids() if parent_of(p) == me]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if not _reap_ready():
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(-1, 0)  # blocks until one more is gone; its orphans come to us


def end_like(status: int) -> None:
    """Exit the way a child with wait status `status` ended: same code, or same signal."""
    if not os.WIFSIGNALED(status):
        os._exit(os.waitstatus_to_exitcode(status))
    sig = os.WTERMSIG(status)
    if sig not in (signal.SIGKILL, signal.SIGSTOP):  # those two keep their default action
        signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    os.kill(os.getpid(), signal.SIGKILL)  # a signal whose default is to go on


# --- pipes and disk ---------------------------------------------------------------------------


class Drain:
    """Reads pipes without blocking, keeping at most `caps[name]` bytes of each.

    `truncated` is set when a pipe named in `capped` lost bytes to its cap."""

    def __init__(self, pipes: dict[str, int], caps: dict[str, int], capped: Iterable[str]) -> None:
        self.selector = selectors.DefaultSelector()
        self.data = {name: bytearray() for name in pipes}
        self.caps, self.capped = caps, frozenset(capped)
        self.truncated = False
        for name, fd in pipes.items():
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ, name)

    def pump(self, timeout: float) -> bool:
        """Read what is ready (waiting at most `timeout`); False once every pipe is closed."""
        if not self.selector.get_map():
            return False
        for key, _ in self.selector.select(max(timeout, 0)):
            try:
                chunk = os.read(key.fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                self.selector.unregister(key.fd)
                continue
            buffer, cap = self.data[key.data], self.caps[key.data]
            room = cap - len(buffer)
            buffer += chunk[: max(room, 0)]
            self.truncated |= len(chunk) > room and key.data in self.capped
        return bool(self.selector.get_map())

    def close(self) -> None:
        self.selector.close()


def disk_use(root: str, max_entries: int) -> tuple[int, int]:
    """(bytes allocated, entries) below `root`, stopping once entries pass `max_entries`."""
    used, entries, stack = 0, 0, [root]
    while stack and entries <= max_entries:
        try:
            scan = os.scandir(stack.pop())
        except OSError:
            continue
        with scan:
            for entry in scan:
                entries += 1
                if entries > max_entries:
                    break
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    used += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
    return used, entries


class DiskWatch:
    """Whether a work dir has grown past its limits (`disk_mb`, `max_files` of a Limits dict).

    Checked at most every `interval` seconds, and never more often than four times the
    last walk took, so a large tree does not turn the watch into the run's main cost."""

    def __init__(self, root: str, limits: dict, interval: float = 0.05) -> None:
        self.root, self.interval = root, interval
        self.limit, self.max_files = limits["disk_mb"] * MB, limits["max_files"]
        self.next_check = 0.0

    def over(self, now_or_never: bool = False) -> bool:
        """Past the limits? Between paced checks False, unless `now_or_never` (the last
        check, after the run: a run that filled the disk and ended within one interval)."""
        now = time.monotonic()
        if now < self.next_check and not now_or_never:
            return False
        used, entries = disk_use(self.root, self.max_files)
        took = time.monotonic() - now
        self.next_check = now + max(self.interval, 4 * took)
        return used > self.limit or entries > self.max_files


def watch(
    drain: Drain,
    disk: DiskWatch,
    deadline: float,
    exited: Callable[[], bool],
    sweep: Callable[[], None],
) -> tuple[bool, bool]:
    """Drain until every pipe closes: (timed out, over the disk limit), the disk checked
    once more at the end. `deadline` is on the time.monotonic clock; once `exited()`,
    `sweep()` kills what still holds a pipe."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return True, False
        if disk.over():
            return False, True
        if not drain.pump(min(left, TICK_S)):
            return False, disk.over(now_or_never=True)
        if exited():
            sweep()

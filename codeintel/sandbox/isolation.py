"""Isolation tiers: which one works here, and how to start a process inside it.

Tier 1, bubblewrap: the command runs under `bwrap` with every namespace unshared
(no network, own PID namespace), the whole system mounted read-only, fresh
/proc and /dev, private tmpfs on /tmp, /var/tmp, /run and (where they do not
hold the interpreter) /home and /root, only the work directory writable, a
cleared environment, a new session, and death with the parent.

Tier 2, process: a fresh `python -I`, a cleared environment, stdin closed, a
new session, rlimits, and a wall-clock kill of the whole process group.

In both tiers, when codeintel runs as root, each run gets its own unprivileged
uid, so the run cannot read root's files, RLIMIT_NPROC counts exactly the run's
processes, and every process left with that uid after the run is killed
(this is how escaped daemons are cleaned up).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import random
import secrets
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from codeintel.sandbox.harness import toolkit
from codeintel.sandbox.harness.toolkit import MARKER, kill_run
from codeintel.sandbox.types import Limits, Tier

UID_RANGE = (61000, 62999)  # unprivileged uids handed to runs when codeintel runs as root
_PATH = "/usr/local/bin:/usr/bin:/bin"
SETPRIV = "/usr/bin/setpriv"


def new_token() -> str:
    return secrets.token_hex(8)


def sandbox_env(home: Path, token: str = "", hash_seed: int = 0) -> dict[str, str]:
    """The whole environment a sandboxed process sees (nothing of the parent's); a fixed
    hash seed, so that runs repeat (`SandboxConfig.hash_seed` changes it)."""
    return {
        MARKER: token,
        "PATH": _PATH,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": str(hash_seed),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }


def interpreter_paths(python: str) -> list[str]:
    """What a sandboxed run must reach: the interpreter, its prefixes (and, for another
    environment's interpreter, that environment's folder), and this package (whose
    harness/ folder holds the trusted test reporter)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    environment = os.path.dirname(os.path.dirname(os.path.abspath(python)))  # bin/..
    return [os.path.realpath(python), environment, sys.prefix, sys.base_prefix, package]


def reachable_by_others(path: str) -> bool:
    """True if a user who is neither owner nor in the group can traverse to `path`."""
    parts = Path(os.path.realpath(path)).parts
    for i in range(1, len(parts) + 1):
        try:
            mode = os.stat(os.path.join(*parts[:i])).st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


def reachable_in_bwrap(path: str) -> bool:
    """Like `reachable_by_others`, inside bubblewrap, where hidden folders are 0755 tmpfs."""
    real = os.path.realpath(path)
    for hidden in _HIDDEN:
        if real.startswith(hidden + "/"):
            top = os.path.join(hidden, real[len(hidden) + 1 :].split("/")[0])
            return _others_may_enter(top, real)
    return reachable_by_others(real)


def _others_may_enter(top: str, path: str) -> bool:
    while True:
        try:
            if not os.stat(path).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
        if path == top:
            return True
        path = os.path.dirname(path)


def can_drop_in_bwrap() -> bool:
    """As root, bubblewrap runs privileged and setpriv drops to the run's uid inside."""
    return os.geteuid() == 0 and os.access(SETPRIV, os.X_OK)


def pick_uid(python: str, tier: Tier = Tier.PROCESS) -> int | None:
    """A private uid no process uses now, when running as root and the interpreter is
    reachable by that uid in `tier`; None otherwise (then the run keeps our uid)."""
    if os.geteuid() != 0:
        return None
    if tier is Tier.BUBBLEWRAP:
        ok = can_drop_in_bwrap() and all(map(reachable_in_bwrap, interpreter_paths(python)))
    else:
        ok = all(map(reachable_by_others, interpreter_paths(python)))
    if not ok:
        return None
    busy = {toolkit.uid_of(pid) for pid in toolkit.pids()}
    free = [uid for uid in range(*UID_RANGE) if uid not in busy]
    return random.choice(free)


_HIDDEN = ("/tmp", "/var/tmp", "/run", "/home", "/root", "/dev/shm", "/etc/ssh")
_MASKED = ("/etc/shadow", "/etc/gshadow")
_SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # writable by the run (sticky), size-limited


def _bind_back(hidden: str, keep: list[str]) -> list[str]:
    """The top folders under `hidden` that lead to a path in `keep`."""
    tops = set()
    for path in keep:
        if path.startswith(hidden + "/"):
            tops.add(os.path.join(hidden, path[len(hidden) + 1 :].split("/")[0]))
    return sorted(tops)


def _hide(keep: list[str], tmpfs_bytes: int) -> list[str]:
    args: list[str] = []
    for hidden in _HIDDEN:
        if os.path.isdir(hidden) and not any(k == hidden for k in keep):
            perms = ["--perms", "1777"] if hidden in _SCRATCH else []
            args += [*perms, "--size", str(tmpfs_bytes), "--tmpfs", hidden]
            for top in _bind_back(hidden, keep):
                args += ["--ro-bind", top, top]
    for masked in _MASKED:
        if os.path.exists(masked):
            args += ["--ro-bind", "/dev/null", masked]
    return args


_UNSHARE = ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]


def bwrap_prefix(
    writable: Path,
    python: str,
    uid: int | None,
    token: str = "",
    tmpfs_mb: int = 256,
    hash_seed: int = 0,
) -> list[str]:
    """bwrap arguments that run a command with only `writable` writable (and private,
    size-limited tmpfs folders: /tmp, /var/tmp, /run, ...).

    As root with a private `uid`, bwrap runs privileged (no user namespace) and
    setpriv drops the command to `uid` with no capabilities, so RLIMIT_NPROC
    counts the run's processes. As root without one, the command runs as uid
    65534 in a user namespace with every capability dropped.
    """
    keep = [*interpreter_paths(python), str(writable)]
    hide = _hide(keep, tmpfs_mb * toolkit.MB)
    args = ["bwrap", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", *hide]
    args += ["--bind", str(writable), str(writable), "--chdir", str(writable)]
    args += ["--die-with-parent", "--new-session", "--clearenv"]
    for name, value in sandbox_env(writable, token, hash_seed).items():
        args += ["--setenv", name, value]
    if uid is not None:
        return [*args, *_UNSHARE, "--unshare-cgroup-try", "--", *setpriv(uid)]
    args += ["--unshare-all"]
    if os.geteuid() == 0:
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"]
    return [*args, "--"]


def setpriv(uid: int) -> list[str]:
    ids = ["--reuid", str(uid), "--regid", str(uid), "--clear-groups"]
    return [SETPRIV, *ids, "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def limit_process(
    limits: Limits,
    uid: int | None,
    extra_processes: int = 0,
    switch: bool = True,
    parent_death: int = signal.SIGKILL,
) -> Callable[[], None]:
    """A preexec function: new session, rlimits, then drop to `uid` (if given and `switch`;
    in bubblewrap setpriv drops it inside the sandbox), and `parent_death` sent to the
    process when its parent (codeintel) dies, so a killed codeintel leaves no run behind
    (the process tier's supervisor takes SIGTERM and kills all it supervises)."""
    as_dict = dataclasses.asdict(limits)
    nproc = limits.processes + extra_processes if uid is not None else None
    parent = os.getpid()
    toolkit.load_prctl()  # here, before the fork: the child only calls it

    def preexec() -> None:
        os.setsid()
        toolkit.set_limits(as_dict, nproc)
        if uid is not None and switch:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        toolkit.die_with_parent(parent, parent_death)  # after setuid, which clears it

    return preexec


def give_to(path: Path, uid: int | None) -> None:
    """Make a run's directory tree owned by its uid (no-op when not root)."""
    if uid is None:
        return
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, uid)
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, uid)


@functools.lru_cache(maxsize=1)
def detect_tier() -> Tier:
    """The strongest tier that works here, found once by running bwrap for real."""
    if shutil.which("bwrap") is None:
        return Tier.PROCESS
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        uid = pick_uid(sys.executable, Tier.BUBBLEWRAP)
        give_to(Path(tmp), uid)
        prefix = bwrap_prefix(Path(tmp), sys.executable, uid, tmpfs_mb=64)
        probe = [*prefix, sys.executable, "-I", "-c", "import pytest"]
        try:
            done = subprocess.run(
                probe,
                capture_output=True,
                timeout=30,
                check=False,
                preexec_fn=limit_process(Limits(), uid, extra_processes=8, switch=False),
            )
        except (OSError, subprocess.SubprocessError):
            return Tier.PROCESS
        finally:
            kill_run(uid)
    return Tier.BUBBLEWRAP if done.returncode == 0 else Tier.PROCESS


WEAK_TIER = (
    "process tier as root without a private uid (the interpreter is in a folder only root "
    "may enter): tests run as root and can read your files and environment, write /etc and "
    "reach the network; install bubblewrap (apt-get install bubblewrap) for isolation"
)


def tier_warning(config_tier: Tier | None = None, python: str = sys.executable) -> str:
    """The warning runs made here with these settings will carry, before any is made (for
    a command or an editor to say once, up front)."""
    tier = config_tier or detect_tier()
    return isolation_warning(tier, pick_uid(python, tier))


def isolation_warning(tier: Tier, uid: int | None) -> str:
    """One line on what this run's isolation does not protect, or "" when it is sound."""
    if tier is Tier.PROCESS and uid is None and os.geteuid() == 0:
        return WEAK_TIER
    return ""

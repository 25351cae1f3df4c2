"""What a generated test may do to the machine: standard library only, runs INSIDE the sandbox.

`EffectGuard` is an audit hook (PEP 578) that, while armed, blocks every effect of the
code it watches outside one folder (`allowed`): writing, creating, removing, renaming or
changing a file or folder there, starting a process or sending a signal, opening a
network connection, changing the environment, adding an audit hook. A blocked
operation raises PermissionError in the code that tried it, and the guard keeps a
line naming it (`blocked`), which the code cannot take back by catching the error.
File effects inside `allowed` are allowed and noted (`touched_files`).

Test generation arms it around every call it tries (`probe.py`, `allowed` = a fresh
empty folder that is the call's working directory) and around every candidate test
(`reporter.py`, `allowed` = pytest's base temporary folder), so a test is kept only
if everything it does stays inside its own temporary folder; written to the user's
project it runs there (`monkeypatch.chdir(tmp_path)`), never in the project.

This guards model-written and search-generated code against accidents. It is not a
wall against code written to defeat it (ctypes, a C extension, or code that finds this
object through `gc` can get around an in-process hook); the sandbox's tiers are.
"""

from __future__ import annotations

import errno
import os
import sys

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# event -> (what it does, the positions of the paths it changes)
PATH_EVENTS: dict[str, tuple[str, tuple[int, ...]]] = {
    "os.remove": ("remove", (0,)),
    "os.rmdir": ("remove the folder", (0,)),
    "shutil.rmtree": ("remove the tree", (0,)),
    "os.mkdir": ("create the folder", (0,)),
    "os.rename": ("rename", (0, 1)),
    "os.link": ("link", (1,)),
    "os.symlink": ("link", (1,)),
    "os.truncate": ("truncate", (0,)),
    "os.chmod": ("change the mode of", (0,)),
    "os.chown": ("change the owner of", (0,)),
    "os.chflags": ("change the flags of", (0,)),
    "os.utime": ("change the times of", (0,)),
    "os.setxattr": ("change the attributes of", (0,)),
    "os.removexattr": ("change the attributes of", (0,)),
    "shutil.copyfile": ("write", (1,)),
    "shutil.copytree": ("write", (1,)),
    "shutil.copymode": ("change the mode of", (1,)),
    "shutil.copystat": ("change the mode of", (1,)),
    "shutil.chown": ("change the owner of", (0,)),
    "shutil.unpack_archive": ("unpack into", (1,)),
    "shutil.make_archive": ("write", (0,)),
    "tempfile.mkstemp": ("create", (0,)),
    "tempfile.mkdtemp": ("create the folder", (0,)),
}
# events blocked wherever they point: processes, signals, the network, the environment
BLOCKED_EVENTS: dict[str, str] = {
    "subprocess.Popen": "start a process",
    "os.system": "run a shell command",
    "os.exec": "replace the process",
    "os.posix_spawn": "start a process",
    "os.spawn": "start a process",
    "os.fork": "fork",
    "os.forkpty": "fork",
    "pty.spawn": "start a process",
    "os.kill": "send a signal",
    "os.killpg": "send a signal",
    "socket.connect": "open a network connection",
    "socket.bind": "listen on the network",
    "socket.sendto": "send over the network",
    "socket.sendmsg": "send over the network",
    "socket.getaddrinfo": "look up a host name",
    "socket.gethostbyname": "look up a host name",
    "os.putenv": "change the environment",
    "os.unsetenv": "change the environment",
    "os.chroot": "change the root folder",
    "sys.addaudithook": "add an audit hook",
    "webbrowser.open": "open a web browser",
}


OWN_VARIABLES = frozenset({"PYTEST_CURRENT_TEST"})  # pytest sets it around every test phase


def _name(key: object) -> str:
    return os.fsdecode(key) if isinstance(key, (str, bytes)) else ""


class EffectGuard:
    """An audit hook, installed once per process, armed by `armed(allowed)`."""

    def __init__(self) -> None:
        self.allowed: str | None = None
        self.blocked: list[str] = []
        self.touched_files = False
        self._inside = False  # the hook's own calls (realpath, readlink) raise events too

    def install(self) -> EffectGuard:
        sys.addaudithook(self)
        return self

    def arm(self, allowed: str) -> None:
        """Watch from now on: effects outside `allowed` (a folder) are blocked."""
        self.allowed = os.path.realpath(allowed)
        self.blocked, self.touched_files = [], False

    def disarm(self) -> tuple[list[str], bool]:
        """Stop watching; (what was blocked, whether files inside `allowed` were touched)."""
        self.allowed = None
        return self.blocked, self.touched_files

    def __call__(self, event: str, args: tuple) -> None:
        if self.allowed is None or self._inside:
            return
        self._inside = True
        try:
            refused = self._refused(event, args)
        finally:
            self._inside = False
        if refused:
            self.blocked.append(refused[:300])
            if event == "sys.addaudithook":  # a RuntimeError refuses the new hook
                raise RuntimeError(f"codeintel blocked this: {refused}")
            raise PermissionError(errno.EPERM, f"codeintel blocked this: {refused}")

    def _refused(self, event: str, args: tuple) -> str | None:
        """A line saying what was refused, or None when the event is allowed."""
        if event in ("os.putenv", "os.unsetenv") and args and _name(args[0]) in OWN_VARIABLES:
            return None
        if event in BLOCKED_EVENTS:
            return f"{BLOCKED_EVENTS[event]} ({event})"
        if event == "open":
            return self._open(args)
        if event == "os.chdir":
            return None
        found = PATH_EVENTS.get(event)
        if found is None:
            return None
        what, positions = found
        for i in positions:
            path = _path(args, i, _dir_fd(event, args))
            if path is None:
                continue
            if not self._inside_allowed(path, follow=False):
                return f"{what} {path}"
            self.touched_files = True
        return None

    def _open(self, args: tuple) -> str | None:
        path, mode, flags = (*args, None, None, None)[:3]
        if isinstance(path, int) and 0 <= path <= 2:  # True and False are 1 and 0
            return f"open (and close) the standard stream descriptor {path}"
        writes = isinstance(mode, str) and any(c in mode for c in "wax+")
        writes |= isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
        if not writes or isinstance(path, int):
            return None
        found = _path((path,), 0, None)
        if found is None:
            return None
        if not self._inside_allowed(found, follow=True):
            return f"write {found}"
        self.touched_files = True
        return None

    def _inside_allowed(self, path: str, follow: bool) -> bool:
        """Whether `path` lies in the allowed folder (its parent resolved, or all of it)."""
        if follow:
            real = os.path.realpath(path)
        else:
            real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        allowed = self.allowed or ""
        return real == allowed or real.startswith(allowed + os.sep)


def _dir_fd(event: str, args: tuple) -> int | None:
    """The folder fd a path is relative to (os.remove(name, dir_fd=...) inside rmtree)."""
    if event in ("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.utime"):
        last = args[-1] if args else None
        return last if isinstance(last, int) and last >= 0 else None
    return None


def _path(args: tuple, i: int, dir_fd: int | None) -> str | None:
    """The absolute path of argument `i` (str, bytes or os.PathLike), or None."""
    if i >= len(args) or args[i] is None or isinstance(args[i], int):
        return None
    try:
        path = os.fsdecode(os.fspath(args[i]))
    except TypeError:
        return None
    if os.path.isabs(path):
        return os.path.normpath(path)
    base = os.getcwd()
    if dir_fd is not None:
        try:
            base = os.readlink(f"/proc/self/fd/{dir_fd}")
        except OSError:
            return os.path.normpath(os.path.join("/proc/self/fd", str(dir_fd), path))
    return os.path.normpath(os.path.join(base, path))

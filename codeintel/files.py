"""The user's files: one place that reads them (refusing what is not a regular, small,
UTF-8 file) and one that replaces them (atomically, through symlinks, keeping owner
and mode, never overwriting a backup)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from codeintel.errors import InputError
from codeintel.sandbox.harness import toolkit

MAX_SOURCE_BYTES = 4 * 1024 * 1024  # larger Python files are generated, not written
_MAX_BACKUPS = 1000


def _open_regular(path: Path, what: str) -> int:
    """An fd of `path`, refused unless it is a regular file (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise InputError(f"{what} {path} is not a regular file")
    if info.st_size > MAX_SOURCE_BYTES:
        os.close(fd)
        mb = info.st_size / 1024 / 1024
        limit = MAX_SOURCE_BYTES // 1024 // 1024
        raise InputError(f"{what} {path} is {mb:.1f} MB; codeintel reads files up to {limit} MB")
    return fd


def read_bytes(path: Path, what: str = "file") -> bytes:
    """The bytes of a regular file of at most MAX_SOURCE_BYTES; InputError otherwise."""
    fd = _open_regular(Path(path), what)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:  # it grew while we read
        raise InputError(f"{what} {path} is larger than {MAX_SOURCE_BYTES} bytes")
    return data


def read_text(path: Path, what: str = "file") -> str:
    """The UTF-8 text of `path`; InputError (one actionable line) if it cannot be read."""
    data = read_bytes(path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {path} is not UTF-8 text (byte offset {exc.start})") from exc


def free_backup_name(target: Path) -> Path:
    """TARGET.orig, else TARGET.orig.1, .2, ...: the first name nothing holds."""
    for n in range(_MAX_BACKUPS):
        name = target.with_name(target.name + (".orig" if n == 0 else f".orig.{n}"))
        if not os.path.lexists(name):
            return name
    raise InputError(f"{target}: {_MAX_BACKUPS} backups exist already; remove some first")


def _fill(fd: int, data: bytes, like: os.stat_result) -> None:
    """Write `data` to the open file `fd`, then give it the owner, group and mode of `like`."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    if os.geteuid() == 0 or like.st_uid == os.geteuid():
        with contextlib.suppress(PermissionError):
            os.fchown(fd, like.st_uid, like.st_gid)
    os.fchmod(fd, stat.S_IMODE(like.st_mode))
    os.fsync(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temporary_prefix(target: Path) -> str:
    """`.NAME.codeintel-PID-START-`: whose temporary file it is, for `sweep_temporaries`."""
    pid = os.getpid()
    return f".{target.name}.codeintel-{pid}-{toolkit.start_time(pid)}-"


def sweep_temporaries(target: Path) -> int:
    """Remove the temporary files of earlier writes of `target` whose writer is gone (a
    `kill -9` mid-write): regular files named by `_temporary_prefix` for this target,
    of our uid, made by a process that no longer runs. Returns how many it removed."""
    pattern = re.compile(re.escape(f".{target.name}.codeintel-") + r"(\d+)-(\d+)-\w+\.tmp")
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            found = pattern.fullmatch(entry.name)
            if not found or toolkit.running(int(found[1]), int(found[2])):
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
                os.unlink(entry.path)
                removed += 1
    return removed


def _temporary(target: Path, data: bytes, like: os.stat_result) -> Path:
    """A hidden temporary file beside `target` holding `data`, with `like`'s owner and mode."""
    prefix = _temporary_prefix(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
    try:
        _fill(fd, data, like)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return Path(tmp)


def _backup(target: Path, old: bytes, like: os.stat_result) -> Path:
    """Write `old` to the first free backup name, whole or not at all: a hard link of a
    finished temporary file, which fails rather than replace a name taken meanwhile."""
    tmp = _temporary(target, old, like)
    try:
        for _ in range(_MAX_BACKUPS):
            backup = free_backup_name(target)
            try:
                os.link(tmp, backup)
            except FileExistsError:
                continue
            return backup
        raise InputError(f"{target}: could not find a free backup name")
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (then arrive as usual), so an
    interrupt never leaves a temporary file or half a backup behind."""
    deferred = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, deferred)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def replace_file(path: Path, text: str) -> Path:
    """Replace the file at `path` (the file a symlink points to, keeping the link) with
    `text`, atomically, keeping its owner, group and mode. Its old bytes go to a backup
    beside it under a free name (never over an existing one), which is returned."""
    with _interrupts_deferred():
        return _replace(Path(os.path.realpath(path)), text)


def _replace(target: Path, text: str) -> Path:
    old = read_bytes(target, "file")
    like = os.stat(target)
    if like.st_nlink > 1:
        raise InputError(
            f"{target} has {like.st_nlink} hard links; replacing it would leave the other "
            "names with the old text (copy it to a file of its own first)"
        )
    sweep_temporaries(target)
    backup = _backup(target, old, like)
    tmp = _temporary(target, text.encode("utf-8"), like)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return backup


def write_new_file(path: Path, text: str) -> None:
    """Create `path` holding `text`, whole or not at all; InputError if it exists (a hard
    link of a finished temporary file, which fails rather than replace a file)."""
    target = Path(os.path.abspath(path))
    if not target.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {target.parent} does not exist")
    like = os.stat(target.parent)
    sweep_temporaries(target)
    with _interrupts_deferred():
        tmp = _temporary(target, text.encode("utf-8"), like)
        try:
            os.chmod(tmp, 0o644)
            os.link(tmp, target)
        except FileExistsError as exc:
            raise InputError(f"{path} exists; pass --force to replace it") from exc
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(target.parent)

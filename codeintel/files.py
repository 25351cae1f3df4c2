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
from typing import BinaryIO

from codeintel.errors import InputError
from codeintel.sandbox.harness import toolkit

# The size limits of what codeintel reads, by kind (each file must also be a regular file:
# never a device, a FIFO or a socket, so nothing blocks or grows without end).
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # sources, tests, editor documents: larger are generated
MAX_CONFIG_BYTES = 1024 * 1024  # training configs, index manifests, a checkpoint's settings
MAX_DATA_BYTES = 4 * 1024**3  # training data, pairs files, an index's rows and vectors
_MAX_BACKUPS = 1000


def _size(n: int) -> str:
    return f"{n / 1024**3:.0f} GB" if n >= 1024**3 else f"{n / 1024 / 1024:.0f} MB"


def _open_regular(path: Path, what: str, limit: int) -> int:
    """An fd of `path`, refused unless it is a regular file of at most `limit` bytes
    (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise InputError(f"{what} {path} is not a regular file")
    if info.st_size > limit:
        os.close(fd)
        mb = info.st_size / 1024 / 1024
        raise InputError(
            f"{what} {path} is {mb:.1f} MB; codeintel reads files up to {_size(limit)}"
        )
    os.set_blocking(fd, True)
    return fd


def open_regular(path: Path, what: str = "file", limit: int = MAX_DATA_BYTES) -> BinaryIO:
    """A binary stream of a regular file of at most `limit` bytes; InputError otherwise.
    For files too large to read at once (training data), read line by line."""
    return os.fdopen(_open_regular(Path(path), what, limit), "rb")


def read_bytes(path: Path, what: str = "file", limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; InputError otherwise."""
    with open_regular(path, what, limit) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we read
        raise InputError(f"{what} {path} is larger than {_size(limit)}")
    return data


def read_text(path: Path, what: str = "file", limit: int = MAX_SOURCE_BYTES) -> str:
    """The UTF-8 text of `path`; InputError (one actionable line) if it cannot be read."""
    data = read_bytes(path, what, limit)
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
    with _unwritable(target):
        backup = _backup(target, old, like)
        try:
            tmp = _temporary(target, text.encode("utf-8"), like)
            try:
                os.replace(tmp, target)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        except BaseException:
            backup.unlink(missing_ok=True)  # nothing was replaced: no backup of it either
            raise
    _fsync_dir(target.parent)
    return backup


@contextlib.contextmanager
def _unwritable(target: Path) -> Iterator[None]:
    """An OSError while writing `target` (a read-only or full folder, an immutable
    file) becomes one InputError line."""
    try:
        yield
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc


def check_new_file(path: Path, force: bool = False) -> None:
    """Before long work whose result goes to `path`: InputError unless it can be written
    there (it does not exist, or `force`; not a symbolic link unless `force`; its folder
    exists and takes a new file, tried with a temporary one that is removed at once)."""
    target = Path(os.path.abspath(path))
    if os.path.lexists(target) and not force:
        what = "is a symbolic link" if os.path.islink(target) else "exists"
        raise InputError(f"{path} {what}; pass --force to replace it, or --out another file")
    if not target.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {Path(path).parent} does not exist")
    with _unwritable(target):
        fd, tmp = tempfile.mkstemp(
            dir=target.parent, prefix=_temporary_prefix(target), suffix=".tmp"
        )
        os.close(fd)
        os.unlink(tmp)


def write_new_file(path: Path, text: str) -> None:
    """Create `path` holding `text`, whole or not at all; InputError if it exists (a hard
    link of a finished temporary file, which fails rather than replace a file) or cannot
    be written."""
    target = Path(os.path.abspath(path))
    if os.path.islink(target):
        raise InputError(f"{path} is a symbolic link; pass --force to write the file it names")
    if not target.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {target.parent} does not exist")
    like = os.stat(target.parent)
    sweep_temporaries(target)
    with _interrupts_deferred(), _unwritable(target):
        tmp = _temporary(target, text.encode("utf-8"), like)
        try:
            os.chmod(tmp, 0o644)
            os.link(tmp, target)
        except FileExistsError as exc:
            raise InputError(f"{path} exists; pass --force to replace it") from exc
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(target.parent)

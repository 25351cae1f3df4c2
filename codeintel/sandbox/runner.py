"""`run`, `run_tests` and the fast-path `Validator`: the sandbox's public operations.

Tests always run below the judge (harness/judge.py): a process in the sandbox that
never runs user code, forks one child per test file (run_tests) or per candidate
(Validator), and relays what it observed; `verdict.py` decides from that.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import secrets
import select
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath

from codeintel.errors import InputError, SandboxError
from codeintel.sandbox import verdict
from codeintel.sandbox.harness import toolkit
from codeintel.sandbox.harness.toolkit import TICK_S
from codeintel.sandbox.isolation import (
    detect_tier,
    give_to,
    isolation_warning,
    kill_run,
    new_token,
    pick_uid,
)
from codeintel.sandbox.process import Launch, Raw, execute, spawn, to_execution
from codeintel.sandbox.types import Execution, Limits, SandboxConfig, TestRun, Tier

HARNESS = Path(__file__).resolve().parent / "harness"
JUDGE = str(HARNESS / "judge.py")
Files = Mapping[str, "str | bytes"]
_WORKDIR = re.compile(r"codeintel-(?:fast-)?\d+-[A-Za-z0-9_]+$")
OWNER_SUFFIX = ".owner"  # codeintel-...-X.owner beside each work dir: who made it (JSON)
_SIGNATURE = "codeintel sandbox work dir"


def is_test_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def write_files(root: Path, files: Files) -> None:
    """Write `files` (relative paths) under `root`; InputError for paths that escape it."""
    for rel, content in files.items():
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
            raise InputError(f"sandbox file path must be relative and inside the work dir: {rel!r}")
        path = root.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        path.write_bytes(data)


def _owner_record() -> bytes:
    pid = os.getpid()
    mine = {"made_by": _SIGNATURE, "pid": pid, "start": toolkit.start_time(pid)}
    return json.dumps(mine).encode()


def _stale(marker: Path) -> bool:
    """Whether `marker` is a work dir's owner record whose process no longer runs."""
    try:
        info = marker.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > 4096 or info.st_uid != os.geteuid():
            return False
        owner = json.loads(marker.read_bytes())
        pid, started = int(owner["pid"]), int(owner["start"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return owner.get("made_by") == _SIGNATURE and not toolkit.running(pid, started)


@functools.lru_cache(maxsize=1)
def sweep_stale_workdirs(tmp: str | None = None) -> int:
    """Remove work dirs left by codeintel processes that are gone (killed with -9, say).

    Only folders this tool made and marked are removed: beside each work dir
    `codeintel-[fast-]PID-RANDOM` lies `codeintel-...-RANDOM.owner`, written before the
    folder, naming its maker's pid and start time; the folder is stale once no process
    with that pid and start time runs. A folder with such a name but no owner record (a
    user's `codeintel-2024-backup`) is never touched. Runs once per process, before its
    first work dir. Returns how many it removed."""
    base = Path(tmp or tempfile.gettempdir())
    removed = 0
    with contextlib.suppress(OSError):
        for marker in base.glob("codeintel-*" + OWNER_SUFFIX):
            folder = marker.with_name(marker.name[: -len(OWNER_SUFFIX)])
            if not _WORKDIR.match(folder.name) or not _stale(marker):
                continue
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
            if not folder.exists():
                marker.unlink(missing_ok=True)
    return removed


def make_workdir(fast: bool = False) -> Path:
    """A fresh private work dir named after this process, its owner record written
    beside it first (see sweep_stale_workdirs)."""
    sweep_stale_workdirs()
    kind = "fast-" if fast else ""
    base = Path(tempfile.gettempdir())
    for _ in range(100):
        root = base / f"codeintel-{kind}{os.getpid()}-{secrets.token_hex(6)}"
        try:
            fd = os.open(f"{root}{OWNER_SUFFIX}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(_owner_record())
        os.mkdir(root)
        root.chmod(0o755)  # whatever the umask: a run's private uid must enter it
        return root
    raise SandboxError(f"could not make a work dir in {base}")


def remove_workdir(root: Path) -> None:
    """The work dir, then its owner record."""
    shutil.rmtree(root, ignore_errors=True)
    Path(f"{root}{OWNER_SUFFIX}").unlink(missing_ok=True)


@contextlib.contextmanager
def workspace(files: Files, config: SandboxConfig) -> Iterator[Launch]:
    """A fresh private directory holding `files`, owned by the run's uid, and how to start
    a process in it; every process of the run is killed and the directory removed after."""
    tier = config.tier or detect_tier()
    uid, token = pick_uid(config.python, tier), new_token()
    root = make_workdir()
    try:
        write_files(root, files)
        give_to(root, uid)
        warning = isolation_warning(tier, uid)
        yield Launch(
            root,
            tier,
            uid,
            config.limits,
            config.python,
            token,
            warning,
            config.control,
            config.hash_seed,
        )
    finally:
        kill_run(uid, token)
        remove_workdir(root)


def run(command: Sequence[str], files: Files, config: SandboxConfig | None = None) -> Execution:
    """Run `command` in a fresh work dir holding `files` ("python" means config.python)."""
    config = config or SandboxConfig()
    if not command:
        raise InputError("no command given to run")
    with workspace(files, config) as launch:
        raw = execute(launch, list(command))
    return to_execution(raw, launch.tier, launch.warning)


@dataclass(frozen=True)
class Layout:
    """How the files form a project: folders (relative to the work dir) put on sys.path
    before it, as pytest's `pythonpath` or a `src/` layout do, and whether the project's
    own conftest.py files load (they are the user's; a run of model-written files alone
    keeps pytest's --noconftest)."""

    pythonpath: tuple[str, ...] = ()
    conftest: bool = False


def _spec(
    files: Files,
    tests: Sequence[str],
    code: Sequence[str],
    private_uid: bool,
    guard_effects: bool = False,
    layout: Layout = Layout(),
) -> dict:
    """What the judge keeps for the whole run: the tests, the code under test, the uid,
    whether tests may act only inside their temporary folder, and the project's layout."""
    if not tests or isinstance(tests, str):
        raise InputError("tests must be a non-empty list of test files or node ids")
    code = list(code) or [p for p in files if p.endswith(".py") and not is_test_file(p)]
    return {
        "tests": list(tests),
        "code": code,
        "private_uid": private_uid,
        "guard_effects": guard_effects,
        "pythonpath": list(layout.pythonpath),
        "conftest": layout.conftest,
    }


def by_file(tests: Sequence[str]) -> dict[str, list[str]]:
    """Test files (in order of first mention) and the node ids asked of each."""
    grouped: dict[str, list[str]] = {}
    for test in tests:
        grouped.setdefault(test.partition("::")[0], []).append(test)
    return grouped


def _request(
    workdir: Path,
    tests: list[str],
    limits: Limits,
    quick: bool,
    coverage_of: str | None = None,
    first_failure: bool = False,
) -> dict:
    return {
        "dir": str(workdir),
        "tests": tests,
        "timeout": limits.timeout_s,
        "limits": asdict(limits),
        "quick": quick,
        "coverage": coverage_of,
        "first_failure": first_failure,
    }


def run_tests(
    files: Files,
    tests: Sequence[str],
    config: SandboxConfig | None = None,
    *,
    coverage_of: str | None = None,
    code_under_test: Sequence[str] = (),
    guard_effects: bool = False,
    layout: Layout = Layout(),
) -> TestRun:
    """Run pytest on `tests` (files or node ids) over `files`, one judged child per test
    file; the verdict comes from what the judge observed (`verdict.py`).

    `guard_effects`: each test may write only in its `tmp_path` (pytest's base temporary
    folder); a test that writes, removes or changes a file elsewhere, starts a process,
    uses the network or changes the environment is blocked and fails with EffectBlocked
    (harness/effects.py). Test generation grades its candidates this way."""
    config = config or SandboxConfig()
    spec = _spec(files, tests, code_under_test, False, guard_effects, layout)  # checked first
    with workspace(files, config) as launch:
        spec["private_uid"] = launch.uid is not None
        groups = by_file(spec["tests"])
        requests = [
            _request(launch.workdir, group, config.limits, False, coverage_of)
            for group in groups.values()
        ]
        stdin = "".join(json.dumps(r) + "\n" for r in requests).encode()
        read_fd, write_fd = os.pipe()
        argv = ["python", "-I", JUDGE, str(write_fd), json.dumps(spec)]
        raw = execute(launch, argv, read_fd, write_fd, stdin_data=stdin)
    replies = parse_replies(raw.channel)
    execution = merged_execution(raw, replies, launch.tier, launch.warning)
    return verdict.test_run(replies, execution, expected=list(groups))


def parse_replies(channel: bytes) -> list[dict]:
    """The judge's replies (the judge is trusted; a malformed line means it broke)."""
    replies = []
    for line in channel.decode("utf-8", errors="replace").splitlines():
        try:
            reply = json.loads(line)
        except ValueError as exc:
            raise SandboxError(f"the judge sent a malformed reply: {line[:200]!r}") from exc
        replies.append(reply)
    return replies


def merged_execution(
    raw: Raw | None, replies: Sequence[dict], tier: Tier, warning: str = ""
) -> Execution:
    """One Execution for the children the judge ran (and the judge's own run, if given):
    their output, the worst exit code, and any deadline or limit that any of them hit."""
    statuses = [int(r["status"]) for r in replies if r.get("status") is not None]
    codes = [os.waitstatus_to_exitcode(status) for status in statuses]
    output = "".join(str(r.get("output", "")) for r in replies).encode("utf-8", "replace")
    signalled = [c for c in codes if c < 0]
    code = signalled[0] if signalled else max(codes, default=0)
    merged = Raw(
        returncode=code if raw is None or raw.returncode == 0 else raw.returncode,
        stdout=output,
        stderr=raw.stderr if raw is not None else b"",
        channel=b"",
        wall_s=raw.wall_s if raw is not None else sum(float(r["wall_s"]) for r in replies),
        cpu_s=raw.cpu_s if raw is not None else sum(float(r.get("cpu_s", 0)) for r in replies),
        timed_out=(raw is not None and raw.timed_out) or any(r["timed_out"] for r in replies),
        truncated=(raw is not None and raw.truncated) or any(r["truncated"] for r in replies),
        disk=(raw is not None and raw.disk) or any(r.get("disk") for r in replies),
    )
    if b"MemoryError" in output[-4096:]:
        merged = replace(merged, stderr=merged.stderr + output[-4096:])
    return to_execution(merged, tier, warning)


class SharedFiles:
    """A validation's unchanged files, written once (read-only) into a folder of their own
    and hard-linked into each candidate's directory, so a candidate costs its changed
    files, not a copy of the project. The inodes stay the host's (never given to the
    run's uid) and mode 0444, so with a private uid a candidate cannot change them; where
    it could (one uid for all), `restore` notices any change by the inode's stamp and
    writes the file again before the next candidate, which so sees the files as a fresh
    copy would."""

    def __init__(self, folder: Path, files: Files) -> None:
        self.folder, self.files = folder, files
        self.paths = {rel: os.path.join(folder, *PurePosixPath(rel).parts) for rel in files}
        self.stamps: dict[str, tuple[int, int, int, int]] = {}
        for rel in files:
            self._write(rel)

    def _write(self, rel: str) -> None:
        path = self.paths[rel]
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        write_files(self.folder, {rel: self.files[rel]})
        os.chmod(path, 0o444)
        self.stamps[rel] = self._stamp(path)

    @staticmethod
    def _stamp(path: str) -> tuple[int, int, int, int]:
        found = os.lstat(path)
        return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)

    def link_into(self, workdir: Path, skip: Files) -> None:
        """Every file but those in `skip` as a hard link under `workdir`; the stamps are
        taken after (a new link changes an inode's ctime)."""
        made: set[str] = set()
        for rel, path in self.paths.items():
            if rel in skip:
                continue
            target = os.path.join(workdir, *PurePosixPath(rel).parts)
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            os.link(path, target)
        for rel, path in self.paths.items():
            self.stamps[rel] = self._stamp(path)

    def restore(self) -> int:
        """Write again every file whose inode changed, moved or went since `link_into`
        (call it before the candidate's links are removed); how many."""
        changed = 0
        for rel, stamp in self.stamps.items():
            try:
                same = self._stamp(self.paths[rel]) == stamp
            except OSError:
                same = False
            if not same:
                self._write(rel)
                changed += 1
        return changed


def give_candidate(workdir: Path, changed: Files, uid: int | None) -> None:
    """A candidate's directories and changed files to the run's uid; the linked shared
    files stay the host's (read-only to the candidate)."""
    if uid is None:
        return
    for root, dirs, _ in os.walk(workdir):
        os.chown(root, uid, uid)
        for name in dirs:
            os.lchown(os.path.join(root, name), uid, uid)
    for rel in changed:
        os.lchown(workdir / rel, uid, uid)


class Validator:
    """The fast path: one warm judge (pytest imported) in the sandbox, one fork per candidate.

    with Validator(files, ["test_mod.py"]) as v:
        run = v.validate({"mod.py": candidate_source})
    """

    def __init__(
        self,
        files: Files,
        tests: Sequence[str],
        config: SandboxConfig | None = None,
        *,
        code_under_test: Sequence[str] = (),
        first_failure: bool = False,
        layout: Layout = Layout(),
    ) -> None:
        """`first_failure`: stop each validation at its first failing test (for a quick
        reject; the run then reports only the tests up to it)."""
        self.config = config or SandboxConfig()
        self.first_failure = first_failure
        self.files = dict(files)
        self.tier = self.config.tier or detect_tier()
        self.uid, self.token = pick_uid(self.config.python, self.tier), new_token()
        self.spec = _spec(files, tests, code_under_test, self.uid is not None, layout=layout)
        self.warning = isolation_warning(self.tier, self.uid)
        self.base = make_workdir(fast=True)
        give_to(self.base, self.uid)
        # apart from the run's dir, never the run's uid's: a candidate cannot swap it
        self.shared = SharedFiles(make_workdir(fast=True), self.files)
        self.count = 0
        self.proc: subprocess.Popen | None = None
        self._start()

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        # the judge only forks; each candidate child sets its own limits (see the request)
        limits = replace(self.config.limits, timeout_s=float("inf"), cpu_s=10**6)
        launch = Launch(self.base, self.tier, self.uid, limits, self.config.python, self.token)
        argv = ["python", "-I", JUDGE, str(write_fd), json.dumps(self.spec)]
        pipe, null = subprocess.PIPE, subprocess.DEVNULL
        self.proc = spawn(launch, argv, write_fd, stdin=pipe, output=null)
        os.close(write_fd)
        self.replies, self.buffer = read_fd, b""

    def _stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        kill_run(self.uid, self.token)
        self.proc.wait()
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        os.close(self.replies)
        self.proc = None

    def _judge_hung(self) -> bool:
        """After a missing reply: True if the judge still runs (it hung), False if it died."""
        try:
            self.proc.wait(3.0)  # the sandbox exits within ms of its judge; 3 s under load
        except subprocess.TimeoutExpired:
            return True
        return False

    def _check_cancelled(self) -> None:
        """Cancelled, with the judge and the candidate's processes killed, if the job was."""
        control = self.config.control
        if control is not None and control.cancelled:
            self._stop()
            control.check()

    def close(self) -> None:
        self._stop()
        remove_workdir(self.base)
        remove_workdir(self.shared.folder)

    def __enter__(self) -> Validator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reply(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not select.select([self.replies], [], [], min(left, TICK_S))[0]:
                self._check_cancelled()
                continue
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def validate(
        self,
        changed: Files,
        timeout_s: float | None = None,
        *,
        tests: Sequence[str] | None = None,
        limits: Limits | None = None,
        first_failure: bool | None = None,
        coverage_of: str | None = None,
    ) -> TestRun:
        """Run the tests with `changed` overlaid on the files, in a fresh directory
        (within `timeout_s`, if given and below the limit). `tests`, `limits` and
        `first_failure`, if given, replace the Validator's own for this run only.
        `coverage_of`: measure that module's lines, per test (`Coverage.lines_by_test`;
        the run goes through pytest, not the quick path)."""
        if self.proc is None:
            raise SandboxError("validate() on a closed Validator")
        if self.config.control is not None:
            self.config.control.started_run()
        self.count += 1
        workdir = self.base / f"c{self.count}"
        self.shared.link_into(workdir, changed)
        write_files(workdir, changed)
        give_candidate(workdir, changed, self.uid)
        limits = limits or self.config.limits
        if timeout_s is not None and timeout_s < limits.timeout_s:
            limits = replace(limits, timeout_s=max(timeout_s, 0.01))
        stop = self.first_failure if first_failure is None else first_failure
        asked = list(tests) if tests is not None else self.spec["tests"]
        request = _request(workdir, asked, limits, coverage_of is None, coverage_of, stop)
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
            reply = self._reply(limits.timeout_s + 10)
        except (OSError, ValueError):
            reply = None
        self.shared.restore()
        shutil.rmtree(workdir, ignore_errors=True)
        if reply is None:  # the judge itself died (a candidate killed it?) or hung
            hung = self._judge_hung()
            self._stop()
            self._start()
            reply = {
                "records": [],
                "status": signal.SIGKILL,
                "timed_out": hung,
                "wall_s": limits.timeout_s,
                "truncated": False,
            }
        execution = merged_execution(None, [reply], self.tier, self.warning)
        return verdict.test_run([reply], execution)

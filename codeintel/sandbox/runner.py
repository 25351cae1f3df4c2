"""`run`, `run_tests` and the fast-path `Validator`: the sandbox's public operations."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from codeintel.errors import InputError, SandboxError
from codeintel.sandbox.isolation import detect_tier, give_to, kill_uid, pick_uid
from codeintel.sandbox.process import Launch, Raw, execute, spawn, to_execution
from codeintel.sandbox.types import (
    Coverage,
    Execution,
    Failure,
    Frame,
    Outcome,
    SandboxConfig,
    TestOutcome,
    TestResult,
    TestRun,
    Tier,
)

HARNESS = Path(__file__).resolve().parent / "harness"
Files = Mapping[str, "str | bytes"]
_TAMPERED = "the test run tampered with the test harness; no result of it can be trusted"


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


@contextlib.contextmanager
def workspace(files: Files, uid: int | None) -> Iterator[Path]:
    """A fresh private directory holding `files`, owned by the run's uid, removed after."""
    root = Path(tempfile.mkdtemp(prefix="codeintel-"))
    try:
        write_files(root, files)
        root.chmod(0o755)
        give_to(root, uid)
        yield root
    finally:
        kill_uid(uid)
        shutil.rmtree(root, ignore_errors=True)


def _tier(config: SandboxConfig) -> Tier:
    return config.tier or detect_tier()


def run(command: Sequence[str], files: Files, config: SandboxConfig | None = None) -> Execution:
    """Run `command` in a fresh work dir holding `files` ("python" means config.python)."""
    config = config or SandboxConfig()
    tier, uid = _tier(config), pick_uid(config.python)
    with workspace(files, uid) as workdir:
        raw = execute(Launch(workdir, tier, uid, config.limits, config.python), list(command))
    return to_execution(raw, tier)


def _spec(
    files: Files,
    tests: Sequence[str],
    code: Sequence[str],
    coverage_of: str | None,
    private_uid: bool,
) -> dict:
    if not tests:
        raise InputError("no tests given to run")
    code = list(code) or [p for p in files if p.endswith(".py") and not is_test_file(p)]
    return {"tests": list(tests), "code": code, "coverage": coverage_of, "private_uid": private_uid}


def run_tests(
    files: Files,
    tests: Sequence[str],
    config: SandboxConfig | None = None,
    *,
    coverage_of: str | None = None,
    code_under_test: Sequence[str] = (),
) -> TestRun:
    """Run pytest on `tests` (files or node ids) over `files`; results from the trusted channel."""
    config = config or SandboxConfig()
    tier, uid = _tier(config), pick_uid(config.python)
    spec = _spec(files, tests, code_under_test, coverage_of, uid is not None)
    read_fd, write_fd = os.pipe()
    argv = ["python", "-I", str(HARNESS / "reporter.py"), str(write_fd), json.dumps(spec)]
    with workspace(files, uid) as workdir:
        raw = execute(
            Launch(workdir, tier, uid, config.limits, config.python), argv, read_fd, write_fd
        )
    return test_run(parse_records(raw.channel), to_execution(raw, tier))


def parse_records(channel: bytes) -> list[dict]:
    records = []
    for line in channel.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        records.append(record if isinstance(record, dict) else {"event": "garbage"})
    return records


def _failure(data: dict | None) -> Failure | None:
    if not data:
        return None
    frames = tuple(
        Frame(path=f["path"], line=f["line"], function=f["function"], text=f["text"])
        for f in data.get("frames", ())
    )
    return Failure(
        exc_type=data.get("exc_type", ""),
        message=data.get("message", ""),
        frames=frames,
        trace=data.get("trace", ""),
    )


def _test_result(record: dict) -> TestResult:
    if record["event"] == "collect_error":
        failure = Failure(
            "CollectionError", record.get("message", ""), (), record.get("message", "")
        )
        return TestResult(record.get("node_id", ""), TestOutcome.ERROR, 0.0, failure)
    return TestResult(
        node_id=record["node_id"],
        outcome=TestOutcome(record["outcome"]),
        duration_s=float(record.get("duration_s", 0.0)),
        failure=_failure(record.get("failure")),
    )


def _coverage(records: list[dict]) -> Coverage | None:
    for r in records:
        if r.get("event") == "coverage" and "error" not in r:
            return Coverage(
                module=r["module"],
                lines_covered=tuple(r["lines_covered"]),
                lines_missed=tuple(r["lines_missed"]),
                branches_covered=r["branches_covered"],
                branches_total=r["branches_total"],
            )
    return None


def _distrust(tests: tuple[TestResult, ...]) -> tuple[TestResult, ...]:
    failure = Failure("TamperingDetected", _TAMPERED, (), _TAMPERED)
    return tuple(replace(t, outcome=TestOutcome.ERROR, failure=failure) for t in tests)


def _outcome(execution: Execution, tests: tuple[TestResult, ...], finished: bool) -> Outcome:
    if execution.outcome in (Outcome.TIMEOUT, Outcome.MEMORY, Outcome.KILLED):
        return execution.outcome
    if not finished or not tests or any(t.outcome is TestOutcome.ERROR for t in tests):
        return Outcome.ERROR
    if any(t.outcome is TestOutcome.FAILED for t in tests):
        return Outcome.FAILED
    if not any(t.outcome is TestOutcome.PASSED for t in tests):
        return Outcome.ERROR  # everything skipped: nothing was checked
    return Outcome.PASSED


def test_run(records: list[dict], execution: Execution) -> TestRun:
    """A TestRun from the channel's records; missing or untrusted records never pass."""
    events = {r.get("event") for r in records}
    finish = next((r for r in records if r.get("event") == "finish"), None)
    tests = tuple(_test_result(r) for r in records if r.get("event") in ("test", "collect_error"))
    untrusted = "garbage" in events or (finish is not None and finish.get("tampered"))
    if untrusted:
        tests = _distrust(tests) or (
            TestResult(
                "<session>",
                TestOutcome.ERROR,
                0.0,
                Failure("TamperingDetected", _TAMPERED, (), _TAMPERED),
            ),
        )
    outcome = _outcome(execution, tests, finish is not None and not untrusted)
    return TestRun(outcome=outcome, tests=tests, execution=execution, coverage=_coverage(records))


class Validator:
    """The fast path: one warm worker (pytest imported) in the sandbox, one fork per candidate.

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
    ) -> None:
        self.config = config or SandboxConfig()
        self.files = dict(files)
        self.tier, self.uid = _tier(self.config), pick_uid(self.config.python)
        self.spec = _spec(files, tests, code_under_test, None, self.uid is not None)
        self.base = Path(tempfile.mkdtemp(prefix="codeintel-fast-"))
        self.base.chmod(0o755)
        give_to(self.base, self.uid)
        self.count = 0
        self.proc: subprocess.Popen | None = None
        self._start()

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        limits = replace(self.config.limits, timeout_s=float("inf"))
        launch = Launch(self.base, self.tier, self.uid, limits, self.config.python)
        argv = ["python", "-I", str(HARNESS / "worker.py"), str(write_fd), json.dumps(self.spec)]
        self.proc = spawn(launch, argv, write_fd, stdin=subprocess.PIPE, output=subprocess.DEVNULL)
        os.close(write_fd)
        self.replies, self.buffer = read_fd, b""

    def _stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        kill_uid(self.uid)
        self.proc.wait()
        for stream in (self.proc.stdin,):
            with contextlib.suppress(OSError):
                stream.close()
        os.close(self.replies)
        self.proc = None

    def close(self) -> None:
        self._stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Validator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reply(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            ready = select.select([self.replies], [], [], max(left, 0))[0] if left > 0 else []
            chunk = os.read(self.replies, 1 << 20) if ready else b""
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def validate(self, changed: Files) -> TestRun:
        """Run the tests with `changed` overlaid on the files, in a fresh directory."""
        if self.proc is None:
            raise SandboxError("validate() on a closed Validator")
        self.count += 1
        workdir = self.base / f"c{self.count}"
        write_files(workdir, {**self.files, **changed})
        give_to(workdir, self.uid)
        timeout = self.config.limits.timeout_s
        try:
            self.proc.stdin.write(
                (json.dumps({"dir": str(workdir), "timeout": timeout}) + "\n").encode()
            )
            self.proc.stdin.flush()
            reply = self._reply(timeout + 10)
        except (OSError, ValueError):
            reply = None
        output = self._output(workdir)
        if reply is None:  # the worker itself died or hung: start a new one
            self._stop()
            self._start()
            reply = {"records": [], "status": signal.SIGKILL, "timed_out": True, "wall_s": timeout}
        return test_run(reply["records"], self._execution(reply, output))

    def _output(self, workdir: Path) -> bytes:
        out = workdir.with_name(workdir.name + ".out")
        try:
            with out.open("rb") as handle:
                data = handle.read(self.config.limits.output_bytes + 1)
        except OSError:
            data = b""
        shutil.rmtree(workdir, ignore_errors=True)
        out.unlink(missing_ok=True)
        return data

    def _execution(self, reply: dict, output: bytes) -> Execution:
        status = int(reply["status"])
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        cap = self.config.limits.output_bytes
        raw = Raw(
            returncode=code,
            stdout=output[:cap],
            stderr=b"",
            channel=b"",
            wall_s=float(reply["wall_s"]),
            cpu_s=0.0,
            timed_out=bool(reply["timed_out"]),
            truncated=len(output) > cap,
        )
        if b"MemoryError" in output[-4096:]:
            raw = replace(raw, stderr=output[-4096:])
        return to_execution(raw, self.tier)

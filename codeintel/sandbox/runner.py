"""`run`, `run_tests` and the fast-path `Validator`: the sandbox's public operations."""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path, PurePosixPath

from codeintel.errors import InputError, SandboxError
from codeintel.sandbox.isolation import detect_tier, give_to, kill_run, new_token, pick_uid
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
)

HARNESS = Path(__file__).resolve().parent / "harness"
Files = Mapping[str, "str | bytes"]
_TAMPERED = "the test run tampered with the test harness; no result of it can be trusted"
_TAMPER_FAILURE = Failure("TamperingDetected", _TAMPERED, (), _TAMPERED)


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
def workspace(files: Files, config: SandboxConfig) -> Iterator[Launch]:
    """A fresh private directory holding `files`, owned by the run's uid, and how to start
    a process in it; every process of the run is killed and the directory removed after."""
    tier = config.tier or detect_tier()
    uid, token = pick_uid(config.python, tier), new_token()
    root = Path(tempfile.mkdtemp(prefix="codeintel-"))
    try:
        write_files(root, files)
        root.chmod(0o755)
        give_to(root, uid)
        yield Launch(root, tier, uid, config.limits, config.python, token)
    finally:
        kill_run(uid, token)
        shutil.rmtree(root, ignore_errors=True)


def run(command: Sequence[str], files: Files, config: SandboxConfig | None = None) -> Execution:
    """Run `command` in a fresh work dir holding `files` ("python" means config.python)."""
    config = config or SandboxConfig()
    if not command:
        raise InputError("no command given to run")
    with workspace(files, config) as launch:
        raw = execute(launch, list(command))
    return to_execution(raw, launch.tier)


def _spec(
    files: Files,
    tests: Sequence[str],
    code: Sequence[str],
    coverage_of: str | None,
    private_uid: bool,
) -> dict:
    if not tests or isinstance(tests, str):
        raise InputError("tests must be a non-empty list of test files or node ids")
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
    spec = _spec(files, tests, code_under_test, coverage_of, False)  # checked before any work
    with workspace(files, config) as launch:
        spec["private_uid"] = launch.uid is not None
        read_fd, write_fd = os.pipe()
        argv = ["python", "-I", str(HARNESS / "reporter.py"), str(write_fd), json.dumps(spec)]
        nonce = secrets.token_hex(16)
        raw = execute(launch, argv, read_fd, write_fd, stdin_data=nonce.encode() + b"\n")
    return test_run(parse_records(raw.channel, nonce), to_execution(raw, launch.tier))


def parse_records(channel: bytes, nonce: str) -> list[dict]:
    """The channel's records; a line that is not a record of this run is garbage."""
    records = []
    for line in channel.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        records.append(record if isinstance(record, dict) else {"event": "garbage"})
    return signed(records, nonce)


def signed(records: list, nonce: str) -> list[dict]:
    """Records carrying this run's nonce; any other (forged) record becomes garbage."""
    garbage = {"event": "garbage"}
    return [
        r if isinstance(r, dict) and _same(r.get("nonce"), nonce) else garbage for r in records
    ]


def _same(seen: object, nonce: str) -> bool:
    return isinstance(seen, str) and hmac.compare_digest(seen.encode(), nonce.encode())


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
    return tuple(replace(t, outcome=TestOutcome.ERROR, failure=_TAMPER_FAILURE) for t in tests)


def _outcome(execution: Execution, tests: tuple[TestResult, ...], finished: bool) -> Outcome:
    if execution.outcome in (Outcome.TIMEOUT, Outcome.MEMORY, Outcome.KILLED):
        return execution.outcome
    if any(t.failure is not None and t.failure.exc_type == "MemoryError" for t in tests):
        return Outcome.MEMORY  # the address-space limit, seen by the reporter
    if not finished or not tests or any(t.outcome is TestOutcome.ERROR for t in tests):
        return Outcome.ERROR
    if any(t.outcome is TestOutcome.FAILED for t in tests):
        return Outcome.FAILED
    if not any(t.outcome is TestOutcome.PASSED for t in tests):
        return Outcome.ERROR  # everything skipped: nothing was checked
    return Outcome.PASSED


def _forged(records: list[dict], finish: dict | None) -> bool:
    """Records the reporter cannot have written: garbage, duplicates, a count that differs."""
    tests = [r.get("node_id") for r in records if r.get("event") == "test"]
    finishes = [r for r in records if r.get("event") == "finish"]
    if any(r.get("event") == "garbage" for r in records) or len(finishes) > 1:
        return True
    after = records[records.index(finish) + 1 :] if finish is not None else []
    if len(set(tests)) != len(tests) or any(r.get("event") != "coverage" for r in after):
        return True
    return finish is not None and (finish.get("tampered") or finish.get("sent") != len(tests))


def test_run(records: list[dict], execution: Execution) -> TestRun:
    """A TestRun from the channel's records; missing or untrusted records never pass."""
    finish = next((r for r in records if r.get("event") == "finish"), None)
    tests = tuple(_test_result(r) for r in records if r.get("event") in ("test", "collect_error"))
    untrusted = _forged(records, finish)
    if untrusted:
        tests = _distrust(tests) or (
            TestResult("<session>", TestOutcome.ERROR, 0.0, _TAMPER_FAILURE),
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
        self.tier = self.config.tier or detect_tier()
        self.uid, self.token = pick_uid(self.config.python, self.tier), new_token()
        self.spec = _spec(files, tests, code_under_test, None, self.uid is not None)
        self.base = Path(tempfile.mkdtemp(prefix="codeintel-fast-"))
        self.base.chmod(0o755)
        give_to(self.base, self.uid)
        self.count = 0
        self.proc: subprocess.Popen | None = None
        self._start()

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        # the worker only forks; each candidate child sets its own limits (see the request)
        limits = replace(self.config.limits, timeout_s=float("inf"), cpu_s=10**6)
        launch = Launch(self.base, self.tier, self.uid, limits, self.config.python, self.token)
        argv = ["python", "-I", str(HARNESS / "worker.py"), str(write_fd), json.dumps(self.spec)]
        pipe, null = subprocess.PIPE, subprocess.DEVNULL
        self.proc = spawn(launch, argv, write_fd, stdin=pipe, output=null, supervised=False)
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
        timeout, nonce = self.config.limits.timeout_s, secrets.token_hex(16)
        request = {"dir": str(workdir), "timeout": timeout, "nonce": nonce,
                   "limits": asdict(self.config.limits)}
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
            reply = self._reply(timeout + 10)
        except (OSError, ValueError):
            reply = None
        shutil.rmtree(workdir, ignore_errors=True)
        if reply is None:  # the worker itself died or hung: start a new one
            self._stop()
            self._start()
            reply = {"records": [], "status": signal.SIGKILL, "timed_out": True, "wall_s": timeout}
        return test_run(signed(reply["records"], nonce), self._execution(reply))

    def _execution(self, reply: dict) -> Execution:
        """The candidate's Execution from the worker's reply (output is capped there)."""
        status = int(reply["status"])
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        output = str(reply.get("output", "")).encode("utf-8", "replace")
        raw = Raw(
            returncode=code,
            stdout=output,
            stderr=b"",
            channel=b"",
            wall_s=float(reply["wall_s"]),
            cpu_s=float(reply.get("cpu_s", 0.0)),
            timed_out=bool(reply["timed_out"]),
            truncated=bool(reply.get("truncated", False)),
        )
        if b"MemoryError" in output[-4096:]:
            raw = replace(raw, stderr=output[-4096:])
        return to_execution(raw, self.tier)

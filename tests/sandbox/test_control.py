"""Cancelling a job: runs and validations in flight are killed, none starts after."""

from __future__ import annotations

import secrets
import threading
from dataclasses import replace

import pytest

from codeintel.errors import Cancelled
from codeintel.sandbox import JobControl, SandboxConfig, Validator, run, run_tests
from tests.sandbox.test_processes_resources import survivors


def _cancel_when_started(control: JobControl, marker_seen: threading.Event) -> None:
    """Cancel once the run's code is seen running (its marker among the processes)."""

    def watch() -> None:
        while not marker_seen.wait(0.02):
            pass
        control.cancel()

    threading.Thread(target=watch, daemon=True).start()


def _mark_when_running(marker: str, seen: threading.Event) -> None:
    def poll() -> None:
        while not seen.is_set():
            if survivors(marker):
                seen.set()
            else:
                threading.Event().wait(0.02)

    threading.Thread(target=poll, daemon=True).start()


def _controlled(config: SandboxConfig, seconds: float) -> tuple[SandboxConfig, JobControl]:
    control = JobControl()
    limits = replace(config.limits, timeout_s=seconds, cpu_s=int(seconds) + 1)
    return replace(config, limits=limits, control=control), control


def test_cancel_kills_a_run_in_flight(config: SandboxConfig) -> None:
    marker = f"codeintel-cancel-{secrets.token_hex(4)}"
    config, control = _controlled(config, 60)
    seen = threading.Event()
    _mark_when_running(marker, seen)
    _cancel_when_started(control, seen)
    with pytest.raises(Cancelled):
        run(["python", "-c", f"import time  # {marker}\ntime.sleep(60)"], {}, config)
    assert survivors(marker) == []
    with pytest.raises(Cancelled):  # nothing starts once cancelled
        run(["python", "-c", "pass"], {}, config)


def test_cancel_kills_a_validation_in_flight(config: SandboxConfig) -> None:
    marker = f"codeintel_cancel_{secrets.token_hex(4)}"
    config, control = _controlled(config, 60)
    files = {"test_slow.py": f"import time\n\ndef test_{marker}():\n    time.sleep(60)\n"}
    with Validator(files, ["test_slow.py"], config) as validator:
        threading.Timer(0.5, control.cancel).start()
        with pytest.raises(Cancelled):
            validator.validate({})
        assert validator.proc is None  # the judge and its children were killed
    assert control.snapshot()[1] == 1


def test_runs_are_counted(config: SandboxConfig) -> None:
    config, control = _controlled(config, 20)
    run_tests({"test_a.py": "def test_a():\n    pass\n"}, ["test_a.py"], config)
    run(["python", "-c", "pass"], {}, config)
    assert control.snapshot() == ("", 2)


def test_descendants_are_every_process_below() -> None:
    import os
    import signal
    import subprocess
    import sys

    from codeintel.sandbox.harness.toolkit import descendants

    # the child starts a grandchild and says so on stdout once it has
    code = (
        "import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', "
        "'import time; time.sleep(60)']); print(p.pid, flush=True); p.wait()"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        grandchild = int(child.stdout.readline())
        assert descendants(child.pid) == [grandchild]
        assert {child.pid, grandchild} <= set(descendants(os.getpid()))
    finally:
        for pid in descendants(child.pid):
            os.kill(pid, signal.SIGKILL)
        child.kill()
        child.wait()

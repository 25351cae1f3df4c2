"""Running untrusted code: generated fixes, generated tests, user code.

Every execution goes through here. Test verdicts come from the judge
(harness/judge.py), a process in the sandbox that never runs user code: it forks
one child per test file (run_tests) or per candidate (Validator), which sheds the
judge's fds before it collects anything, and relays what it observed of the child
(signed records, wait status, deadline, disk use). `verdict.py` passes a test only
when the recorder's exception witness and pytest's own report agree, the
transcript is whole and the child's exit status matches it. The exit code and
stdout of the code under test are never trusted. The README's "Threat model"
says what this guarantees against model-written and against hostile code.

Guarantees by tier (the active one is `detect_tier()`, and every Execution
names the tier it ran in):

- bubblewrap: no network at all (own network namespace: no TCP, UDP, DNS,
  IPv6, and no reaching the host's AF_UNIX sockets outside the work dir), the
  system read-only, only the work directory writable, private size-limited
  /tmp, /var/tmp and /dev/shm, the host's /home and /root hidden (unless they
  hold the interpreter, then they are protected by file permissions only), a
  fresh /proc of its own PID namespace (the parent's environment is not
  visible), a cleared environment, a new session, and everything killed when
  the run ends or the parent dies.
- process (when bubblewrap is missing or refused): a fresh `python -I` with a
  cleared environment, stdin closed, a new session, rlimits on address space,
  CPU, file size, open files and core dumps, and a wall-clock kill of the
  process group. The program runs below a supervisor (harness/supervise.py, a
  child subreaper) that adopts whatever the program orphans and kills it all
  when the program ends or the deadline passes (then it ends with SIGKILL), so
  a double-forked daemon does not survive the run, and `os.kill(os.getppid(),
  ...)` hits the supervisor, not the caller. It does NOT isolate the network or
  the file system: code can connect out and write wherever its uid may (e.g.
  /tmp); run as root without a private uid, it can also read root's files and
  signal root's processes, and every Execution says so in `warning`.
- Both tiers: the work dir is bounded by Limits.disk_mb and Limits.max_files
  (Outcome.DISK), and work dirs left by a codeintel process that was killed are
  removed by the next one (`sweep_stale_workdirs`: only those with the owner record
  written beside them, never a folder by its name). Every process a run starts gets a
  parent-death signal, so a killed codeintel leaves no run behind (the process
  tier's supervisor takes SIGTERM and kills everything below it).
- `run_tests(guard_effects=True)`: each test may act only inside its tmp_path
  (harness/effects.py); test generation grades its candidates this way.
- The recorders check a seal of pytest's and the harness's code after every test
  (harness/integrity.py); a run that patched them is never a pass.
- Private uid: when codeintel runs as root, each bubblewrap run drops (with
  setpriv, inside the sandbox) to its own unprivileged uid: it cannot read
  root's files (~/.ssh, /etc/shadow), RLIMIT_NPROC bounds its processes, and
  every process left with that uid is killed after the run. The process tier
  does the same only when the interpreter is reachable by other users; where
  it lives in a root-only folder (e.g. pyenv under /root) the process tier runs
  as root, with the weak guarantees above. When not root, runs keep the
  caller's uid and are cleaned up by process group and supervisor.
"""

from codeintel.sandbox.control import JobControl
from codeintel.sandbox.isolation import detect_tier, tier_warning
from codeintel.sandbox.runner import (
    Layout,
    Validator,
    is_test_file,
    run,
    run_tests,
    sweep_stale_workdirs,
)
from codeintel.sandbox.types import (
    Coverage,
    Execution,
    Failure,
    Frame,
    Limits,
    Outcome,
    SandboxConfig,
    TestOutcome,
    TestResult,
    TestRun,
    Tier,
)
from codeintel.sandbox.verdict import limit_message

__all__ = [
    "Coverage",
    "Execution",
    "Failure",
    "Frame",
    "JobControl",
    "Layout",
    "Limits",
    "Outcome",
    "SandboxConfig",
    "TestOutcome",
    "TestResult",
    "TestRun",
    "Tier",
    "Validator",
    "detect_tier",
    "is_test_file",
    "limit_message",
    "run",
    "run_tests",
    "sweep_stale_workdirs",
    "tier_warning",
]

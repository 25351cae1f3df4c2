"""Which tests repair runs when it is given none: the ones that exercise the function.

The project's test files (under its testpaths) run once in the sandbox with line
coverage of the module, one coverage context per test (`Coverage.lines_by_test`). Repair
then runs the failing tests that reach the function under repair and the passing tests
that reach it (without --function: the failing tests that reach the module, and the
passing tests that reach a function one of those reaches). The
measurement is cached per project and module, keyed by a hash of every file the sandbox
sees, so a change to any of them measures again. Without a failing test that reaches
the module (or when the measuring run itself breaks) the test files that import the
module are used, as before; the reason is said.

    chosen = choose_tests(project, files, "pkg/mod.py", lines=(10, 24), config=...)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codeintel.errors import CodeintelError, InputError, SandboxError
from codeintel.files import read_text
from codeintel.project import Project, module_name, test_files, tests_importing
from codeintel.sandbox import Layout, SandboxConfig, run_tests

CACHE_VERSION = 1


@dataclass(frozen=True)
class Reach:
    """What one coverage run of the project's tests saw of one module."""

    key: str  # hash of the files it ran over
    failed: tuple[str, ...]  # node ids
    passed: tuple[str, ...]
    lines: Mapping[str, tuple[int, ...]]  # node id -> the module's lines it ran

    def to_json(self) -> dict:
        return {
            "version": CACHE_VERSION,
            "key": self.key,
            "failed": list(self.failed),
            "passed": list(self.passed),
            "lines": {k: list(v) for k, v in self.lines.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> Reach | None:
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return None
        lines = {str(k): tuple(int(n) for n in v) for k, v in dict(data["lines"]).items()}
        return cls(str(data["key"]), tuple(data["failed"]), tuple(data["passed"]), lines)


@dataclass(frozen=True)
class Chosen:
    tests: tuple[str, ...]  # node ids (or test files, when measured nothing could choose)
    how: str  # one line: how they were chosen


def files_key(files: Mapping[str, bytes | str], module_file: str) -> str:
    """A hash of every file (name and content) and the module's name."""
    digest = hashlib.sha256(module_file.encode("utf-8"))
    for name in sorted(files):
        data = files[name]
        data = data.encode("utf-8") if isinstance(data, str) else data
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def cache_file(project: Project, module_file: str) -> Path:
    """Where the measurement of this project's module is kept ($XDG_CACHE_HOME, or
    ~/.cache, under codeintel/reach/)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    name = hashlib.sha256(f"{project.root}\0{module_file}".encode()).hexdigest()[:32]
    return base / "codeintel" / "reach" / f"{name}.json"


def _read_cache(path: Path, key: str) -> Reach | None:
    try:
        found = Reach.from_json(json.loads(read_text(path, "cache file")))
    except (CodeintelError, ValueError, KeyError, TypeError):  # missing or broken: measure
        return None
    return found if found is not None and found.key == key else None


def _write_cache(path: Path, reach: Reach) -> None:
    """Atomically; a cache that cannot be written is only a slower next run."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".reach-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(reach.to_json(), handle)
        os.replace(temporary, path)
    except OSError:
        pass


def measure(
    files: Mapping[str, bytes | str],
    tests: Sequence[str],
    module_file: str,
    config: SandboxConfig,
    layout: Layout,
) -> Reach:
    """Run the test files once with per-test coverage of the module."""
    run = run_tests(files, list(tests), config, coverage_of=module_file, layout=layout)
    lines = dict(run.coverage.lines_by_test) if run.coverage is not None else {}
    return Reach(files_key(files, module_file), run.failed, run.passed, lines)


def reach_of(
    project: Project,
    files: Mapping[str, bytes | str],
    module_file: str,
    config: SandboxConfig,
) -> Reach | None:
    """The cached measurement when the files are unchanged, else a new one (cached);
    None when the project has no test file, or the run broke."""
    every = test_files(project, dict(files))
    if not every:
        return None
    key, path = files_key(files, module_file), cache_file(project, module_file)
    cached = _read_cache(path, key)
    if cached is not None:
        return cached
    try:
        reach = measure(files, every, module_file, config, Layout(project.pythonpath, True))
    except SandboxError:
        return None
    _write_cache(path, reach)
    return reach


def choose(
    reach: Reach, function_lines: tuple[int, int] | None, spans: Sequence[tuple[int, int]]
) -> tuple[str, ...]:
    """The failing tests that reach the function (`function_lines`, first and last),
    then the passing ones that reach it; without one, the failing tests that reach the
    module, then the passing ones that reach any function (`spans`) those reach. (A
    test that fails without running the function cannot be fixed by changing it: with
    two bugs in a module, each function is repaired against its own failing tests.)"""

    def reaches(test: str, targets: Sequence[tuple[int, int]]) -> bool:
        return any(lo <= n <= hi for n in reach.lines.get(test, ()) for lo, hi in targets)

    failing = [t for t in reach.failed if reach.lines.get(t)]
    if function_lines is not None:
        targets = [function_lines]
        failing = [t for t in failing if reaches(t, targets)]
    else:
        ran = {n for t in failing for n in reach.lines[t]}
        targets = [s for s in spans if any(s[0] <= n <= s[1] for n in ran)]
    reaching = [t for t in reach.passed if reaches(t, targets)]
    return tuple(failing + reaching) if failing else ()


def _spans(source: str) -> tuple[dict[str, tuple[int, int]], list[tuple[int, int]]]:
    from parsers import parse

    functions = list(parse(source, "python").functions())
    spans = {f.qualified_name: (f.span.start_line, f.span.end_line) for f in functions}
    return spans, list(spans.values())


def chosen_tests(
    project: Project,
    files: Mapping[str, bytes | str],
    module_file: str,
    function: str | None,
    config: SandboxConfig,
) -> Chosen:
    """The tests repair runs when given none (see the module's docstring); InputError
    when no test file of the project imports the module."""
    imports = tests_importing(project, dict(files), module_file)
    if not imports:
        raise InputError(
            f"no test file of {project.root} imports {module_name(project, module_file)}; "
            "pass --tests"
        )
    fallback = f"the test files that import {module_file}"
    reach = reach_of(project, files, module_file, config)
    if reach is None:
        return Chosen(tuple(imports), fallback)
    source = files[module_file]
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    named, spans = _spans(text)
    tests = choose(reach, named.get(function) if function else None, spans)
    if not tests:
        return Chosen(tuple(imports), f"{fallback} (no failing test of theirs reaches it)")
    failing = sum(t in reach.failed for t in tests)
    passing = len(tests) - failing
    if function:
        how = f"{failing} failing test(s) and {passing} passing test(s) that reach {function}"
    else:
        how = (
            f"{failing} failing test(s) that reach {module_file} and {passing} passing "
            "test(s) that reach the functions those reach"
        )
    how += " (measured by coverage)"
    return Chosen(tests, how)

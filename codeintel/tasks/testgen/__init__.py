"""Unit-test generation (AthenaTest, then beyond it with execution).

    result = generate_tests("pkg/mod.py", budget=60)
    print(result.test_file)

`run` is the pipeline, every step bounded by the request's budget:

1. input: the module is parsed and its focal functions found (`plan.focal_functions`:
   public functions, public classes' constructors and methods).
2. search (`plan`, `search`, `probe.py`): argument sets from signatures, type hints
   (a container hint gets a value of its shape: `dict[str, list[str]]` ->
   `{'sha256': ['abc']}`), defaults, doctests, call sites in the project, the
   constants the body compares with (first) or holds, the module's own string
   constants, and both sides of the type tests on a parameter (`callable(x)`,
   `isinstance(x, list)`); each call runs twice in the sandbox, with its lines and
   arcs traced. Then a coverage-guided random search (`probe.Explorer`) that also
   mutates the arguments of the calls it kept (a piece of the code's constants
   inserted, a character dropped) and shrinks each new keeper's str, bytes and list
   arguments to what still reaches its new lines (`'[!b-]'`, not thirty characters). Methods
   run on objects their constructor made, or, for a class no constructor call makes
   (an abstract base class), through the class on values that are its instances
   (`Real.conjugate(2)`: builtins registered as virtual subclasses). With the time
   left, sequences of calls on one object (`probe.Sequencer`): its methods, and the
   operators and protocols its class defines through their syntax (`a | b`, `a |= b`,
   `x in a`, `len(a)`, `a[i]`, iteration, `==`, `<`, `with a:`), kept when they reach
   new lines or arcs and cut to the steps that reach them; the object is observed
   after them (its size, items and public attributes).
3. generate (`model`): the model samples `test:` candidates from the focal context.
4. post-process (`writer`): each observed call becomes a test asserting what it did
   (value, exception, changed arguments and state; a value of a private type through
   what it shows: its type's name, size, items, truth value, repr, public attributes;
   a function or class pytest would collect by its name, such as sndhdr's
   `test_au(h, f)`, is called through the module, `sndhdr.test_au(...)`), each sequence a
   test of its steps and the object's state after them; the search's tests are first
   cut to those that add coverage (`minimize`). A test that asserts nothing is not
   kept (the model's samples without an assert are rejected unread).
5. grade (`check`): every candidate runs alone, twice, under `run_tests`; the judge's
   per-test coverage then picks the smallest set reaching the same coverage; the kept
   tests run together as the final file, whose coverage is the result's, and the lines
   of each focal function it does not run are reported with the likely reason
   (`uncovered`: no constructor worked, every call timed out, no argument could be
   built, or no generated input reached them). Optionally, the share of mutants of the
   focal code the file kills (`mutation`).
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from codeintel.budget import Budget
from codeintel.errors import InputError, IsolationError
from codeintel.files import read_text
from codeintel.models.loading import ModelHandle
from codeintel.project import is_test_file, load_project, walk
from codeintel.sandbox import Tier, detect_tier
from codeintel.tasks import parse_python, python_module
from codeintel.tasks.testgen import check, model, mutation, writer
from codeintel.tasks.testgen.minimize import greedy_cover
from codeintel.tasks.testgen.plan import (
    Focal,
    PathCheck,
    call_sites,
    focal_functions,
    sites_without_paths,
    without_paths,
)
from codeintel.tasks.testgen.records import (
    FocalTests,
    GeneratedTest,
    Origin,
    Placement,
    RejectedTest,
    Rejection,
    TestgenConfig,
    TestgenRequest,
    TestSuiteResult,
    Uncovered,
)
from codeintel.tasks.testgen.search import Observed, SearchSettings, search

__all__ = [
    "TestSuiteResult",
    "TestgenConfig",
    "generate_tests",
    "make_request",
    "needs_model",
    "run",
]


# --- the request: the module, its project root, the files the sandbox gets ------------


def project_root(path: Path) -> tuple[Path, str]:
    """The folder the module is imported from (above its packages) and its dotted name."""
    path = path.resolve()
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    if not all(p.isidentifier() for p in parts):
        raise InputError(f"{path} cannot be imported as a module: {'.'.join(parts)!r}")
    return folder, ".".join(parts)


def importable_from_project(import_root: Path, module: str) -> bool:
    """Whether plain `pytest`, run from the project's root, imports `module` without help:
    the folder it is imported from is on the project's `pythonpath`, or is the root and
    holds a conftest.py (pytest puts its folder on sys.path), or the environment has the
    package installed from that folder (an editable install)."""
    try:
        project = load_project(import_root)
    except InputError:
        return False
    rel = Path(os.path.relpath(import_root.resolve(), project.root)).as_posix()
    if rel in {Path(p).as_posix() for p in project.pythonpath}:
        return True
    if rel == "." and (project.root / "conftest.py").is_file():
        return True
    return _installed_from(module.split(".")[0], import_root)


def _installed_from(top: str, folder: Path) -> bool:
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    places = list(spec.submodule_search_locations or []) if spec else []
    places += [spec.origin] if spec and spec.origin else []
    return any(Path(p).resolve().is_relative_to(folder.resolve()) for p in places)


def default_out(path: Path) -> Path:
    """Where `codeintel tests` writes by convention: tests/test_<module>.py under the
    project's root when it has a tests/ folder, else test_<module>.py beside the module."""
    try:
        root = load_project(path).root
    except InputError:
        root = None
    if root is not None and (root / "tests").is_dir():
        return root / "tests" / f"test_{path.stem}.py"
    return path.parent / f"test_{path.stem}.py"


def project_tests(path: Path, limit: int = 200) -> dict[str, str]:
    """The project's own test files (relative path -> text), read for the arguments their
    calls pass (the search tries those first); {} for a module outside a project."""
    try:
        root = load_project(path).root
    except InputError:
        return {}
    found: dict[str, str] = {}
    for path in (p for p in walk(root) if is_test_file(p.name)):
        if len(found) >= limit:
            break
        with contextlib.suppress(InputError):
            found[path.relative_to(root).as_posix()] = read_text(path)
    return found


def project_files(root: Path, module: str, path: Path, limit: int) -> dict[str, str]:
    """The module, its package's other modules and the modules beside it (at most
    `limit`, the nearest first), as relative path -> text; unreadable ones are skipped."""
    top = root / module.split(".")[0]
    found = sorted(top.rglob("*.py")) if top.is_dir() else []
    found += sorted(p for p in root.glob("*.py"))
    files = {path.resolve().relative_to(root).as_posix(): read_text(path, "file")}
    for candidate in found:
        if len(files) >= limit:
            break
        rel = candidate.relative_to(root).as_posix()
        if rel not in files and "test" not in candidate.name:
            try:
                files[rel] = read_text(candidate, "file")
            except InputError:
                continue
    return files


def placement(path: Path, import_root: Path, package: dict[str, str]) -> Placement:
    """Where the module's candidate tests are graded (`Placement`): the files the search
    runs (`package`, relative to `import_root`) at their place in the project, with the
    project's conftest.py files and the modules beside them, pytest's pythonpath (and
    the import root), the candidates in the folder `default_out` writes to. The default
    for a module outside any project."""
    from codeintel.sandbox import Layout

    try:
        found = load_project(path)
    except InputError:
        return Placement()
    offset = Path(os.path.relpath(import_root.resolve(), found.root)).as_posix()
    if offset.startswith(".."):
        return Placement()
    prefix = "" if offset == "." else f"{offset}/"
    files: dict[str, str | bytes] = {f"{prefix}{rel}": text for rel, text in package.items()}
    files.update(_conftest_files(found.root))
    out = default_out(path).parent.resolve()
    tests_dir = out.relative_to(found.root).as_posix() if out.is_relative_to(found.root) else ""
    pythonpath = tuple(dict.fromkeys([*found.pythonpath, offset]))
    return Placement(
        files,
        f"{prefix}{path.resolve().relative_to(import_root.resolve()).as_posix()}",
        "" if tests_dir == "." else tests_dir,
        Layout(pythonpath, conftest=True),
    )


def _conftest_files(root: Path, limit: int = 200) -> dict[str, str]:
    """The project's conftest.py files and the Python files beside them (what they may
    import), relative to the root; unreadable ones are left out."""
    found: dict[str, str] = {}
    for conftest in (p for p in walk(root) if p.name == "conftest.py"):
        for near in sorted(conftest.parent.glob("*.py")):
            if len(found) >= limit:
                return found
            with contextlib.suppress(InputError):
                found.setdefault(near.relative_to(root).as_posix(), read_text(near))
    return found


def make_request(
    *,
    file: str | Path,
    source: str | None = None,
    function: str | None = None,
    budget: float | Budget = 60.0,
    samples: int | None = None,
    mutation_score: bool = False,
    allow_process_tier: bool | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
    disk_mb: int | None = None,
    control: Any = None,
    config: TestgenConfig | None = None,
    progress: Any = None,
) -> TestgenRequest:
    """A request for the module `file` (`source`: its text as the editor has it, else
    read); InputError for a file that cannot be used. The budget's clock starts here.
    `samples`: the model's test candidates per function (0: the execution search
    alone); the sandbox options are the search's and the grading's."""
    clock = budget if isinstance(budget, Budget) else Budget(budget)
    config = config or TestgenConfig()
    if samples is not None:
        config = replace(config, samples=samples)
    if allow_process_tier is not None:
        config = replace(config, allow_process_tier=allow_process_tier)
    sandbox = config.sandbox.with_options(timeout, memory_mb, disk_mb, control)
    config = replace(config, sandbox=sandbox)
    path = Path(file)
    if path.suffix != ".py":
        raise InputError(f"{path} is not a Python file (.py)")
    source = source if source is not None else read_text(path, "file")
    if not source.strip():
        raise InputError(f"{path} is empty: there is nothing to test")
    parse_python(source, str(path))
    focal_functions(python_module(source, str(path)), function)  # an unknown name: now
    root, module = project_root(path)
    files = project_files(root, module, path, config.max_project_files)
    files[path.resolve().relative_to(root).as_posix()] = source
    return TestgenRequest(
        path,
        module,
        root,
        source,
        files,
        function,
        clock,
        mutation_score,
        config,
        progress,
        placement(path, root, files),
    )


def needs_model(request: TestgenRequest) -> bool:
    return request.config.samples > 0


def existing_path(root: Path) -> PathCheck:
    """Whether a text names a file or folder that exists: absolute, under the user's home
    (`~`), or relative to the project root or the current folder."""

    def exists(text: str) -> bool:
        if len(text) > 4096 or "\0" in text:
            return False
        path = Path(text).expanduser() if text.startswith("~") else Path(text)
        try:
            if path.is_absolute():
                return os.path.lexists(path)
            return os.path.lexists(root / path) or os.path.lexists(path)
        except (OSError, ValueError):
            return False

    return exists


# --- the pipeline ---------------------------------------------------------------------


def _say(request: TestgenRequest, what: str, share: float) -> None:
    if request.progress is not None:
        request.progress(what, share)


PROCESS_TIER_RISK = (
    "bubblewrap is not available here, so test generation would call your functions with "
    "generated arguments with your own rights, on this machine: a function that writes, "
    "removes or sends something would do it for real (only the obvious file, process and "
    "network calls are blocked). Install bubblewrap (apt-get install bubblewrap), or accept "
    "the risk with --allow-process-tier (TestgenConfig(allow_process_tier=True))"
)


def check_isolation(config: TestgenConfig) -> None:
    """IsolationError unless the strong tier runs the search, or the user accepted the
    process tier (as Pynguin asks for its danger flag)."""
    tier = config.sandbox.tier or detect_tier()
    if tier is Tier.PROCESS and not config.allow_process_tier:
        raise IsolationError(PROCESS_TIER_RISK)


def run(request: TestgenRequest, model_handle: Any) -> TestSuiteResult:
    """input -> search -> generate -> post-process -> grade; see the module docstring."""
    check_isolation(request.config)
    budget = request.budget
    deadline = budget.deadline
    tree = python_module(request.source, str(request.path))
    focals = focal_functions(tree, request.function)
    if not focals:
        raise InputError(f"{request.path} has no public function or method to test")
    files, config = request.project, request.config
    module_file = request.path.resolve().relative_to(request.root).as_posix()
    exists = existing_path(request.root)
    planned = [without_paths(f, exists) for f in _with_constructors(tree, focals)]
    others = {k: v for k, v in files.items() if k != module_file}
    sites = call_sites({**others, **project_tests(request.path)}, focals)
    _say(request, "searching for inputs", 0.05)
    observed, execution = search(
        files,
        request.module,
        module_file,
        planned,
        sites_without_paths(sites, exists),
        budget.seconds * 0.5,
        _settings(config),
    )
    chosen = {f.qualname for f in focals}
    built = {o.call.focal.rpartition(".")[0] for o in observed if _built(o)}
    observed = [o for o in observed if o.call.focal in chosen]
    found, unwritten = _search_tests(observed, focals, request.module)
    _say(request, "running the search's tests", 0.4)
    per_test = config.call_seconds * 3 + 1
    graded = check.grade(
        _where(request),
        writer.unique_names(found),
        config.sandbox,
        budget.seconds * 0.3,
        per_test,
    )
    _say(request, "writing the model's tests", 0.6)
    sampled = _model_tests(request, model_handle, focals, budget.started + budget.seconds * 0.8)
    from_model = _grade_model(request, graded.kept, sampled, _left(deadline) * 0.6, per_test)
    passed = [*graded.kept, *from_model.kept]
    kept, extra = _minimal(passed)
    _say(request, "running the kept tests together", 0.8)
    final, kept, dropped = _final(request, focals, kept, deadline, per_test)
    rejected = [*unwritten, *graded.rejected, *from_model.rejected, *extra, *dropped]
    score = None
    if request.mutation_score and kept:
        _say(request, "running the tests on mutants", 0.9)
        score = _mutation(request, focals, kept, deadline)
    _say(request, "done", 1.0)
    coverage = final.coverage if final is not None else None
    return TestSuiteResult(
        module=request.module,
        path=str(request.path),
        functions=_grouped(focals, kept, rejected),
        test_file=writer.suite_file(request.module, kept) if kept else "",
        lines_covered=len(coverage.lines_covered) if coverage else 0,
        lines_total=len(coverage.lines_covered) + len(coverage.lines_missed) if coverage else 0,
        branches_covered=coverage.branches_covered if coverage else 0,
        branches_total=coverage.branches_total if coverage else 0,
        tier=final.execution.tier if final is not None else execution.tier,
        model_samples=len(sampled),
        model_passed=len(from_model.kept),
        mutation=score,
        seconds=budget.spent(),
        warning=execution.warning,
        uncovered=_uncovered(focals, observed, built, coverage),
    )


def _built(seen: Observed) -> bool:
    return seen.call.kind == "constructor" and seen.record.get("status") == "returned"


def _uncovered(
    focals: Sequence[Focal], observed: Sequence[Observed], built: set[str], coverage: Any
) -> tuple[Uncovered, ...]:
    """Each focal function with lines the final file does not run, and why."""
    missed = set(coverage.lines_missed) if coverage is not None else set()
    out = []
    for focal in focals:
        lines = tuple(sorted(n for n in missed if focal.line <= n <= focal.end_line))
        if lines or coverage is None:
            calls = [o.record for o in observed if o.call.focal == focal.qualname]
            out.append(Uncovered(focal.qualname, lines, _why(focal, calls, built)))
    return tuple(out)


def _why(focal: Focal, calls: Sequence[dict], built: set[str]) -> str:
    needs_object = focal.kind in ("method", "property")
    if needs_object and focal.owner not in built:
        return f"no constructor call of {focal.owner} worked"
    statuses = {r.get("status") for r in calls}
    if not calls:
        return "no call of it was made in the time"
    if statuses <= {"timeout"}:
        return "every call of it ran past its time limit"
    if statuses <= {"bad_args", "ctor_raised"}:
        return "no argument the pools make could be built for it"
    return "no generated call or sequence reached these lines"


def _with_constructors(tree: ast.Module, focals: Sequence[Focal]) -> list[Focal]:
    """The focal functions, and the constructors of their methods' classes (the search
    needs objects to call the methods on)."""
    owners = {f.owner for f in focals if f.kind in ("method", "property")}
    names = {f.qualname for f in focals}
    extra = [
        f
        for f in focal_functions(tree)
        if f.kind == "constructor" and f.owner in owners and f.qualname not in names
    ]
    return [*extra, *focals]


def _grade_model(
    request: TestgenRequest,
    kept: Sequence[GeneratedTest],
    sampled: Sequence[GeneratedTest],
    seconds: float,
    per_test: float,
) -> check.Graded:
    """The model's samples graded as the search's were (named apart from the kept);
    a sample that asserts nothing is rejected unread."""
    asserting = [t for t in sampled if writer.asserts_anything(t.source)]
    silent = [
        RejectedTest(t.focal, t.origin, t.source, Rejection.NO_ASSERT, "it has no assert")
        for t in sampled
        if not writer.asserts_anything(t.source)
    ]
    if not asserting:
        return check.Graded((), tuple(silent))
    named = writer.unique_names([*kept, *asserting])[len(kept) :]
    graded = check.grade(_where(request), named, request.config.sandbox, seconds, per_test)
    return check.Graded(graded.kept, (*graded.rejected, *silent))


def _where(request: TestgenRequest) -> check.Where:
    files, module_file = request.graded_files()
    return check.Where(files, module_file, request.module, request.placement)


def _settings(config: TestgenConfig) -> SearchSettings:
    return SearchSettings(
        config.calls_per_function,
        config.constructors_per_class,
        config.call_seconds,
        config.import_seconds,
        config.sandbox,
        config.stale_s,
    )


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 1.0)


def _search_tests(
    observed: Sequence[Observed], focals: Sequence[Focal], module: str
) -> tuple[list[GeneratedTest], list[RejectedTest]]:
    """The observed calls worth a test: written, then cut to those adding coverage by
    the search's own trace (the judge measures again later). Calls whose outcome
    changed between the two runs are rejected as flaky."""
    by_name = {f.qualname: f for f in focals}
    written: list[tuple[GeneratedTest, Observed]] = []
    rejected = []
    for seen in observed:
        test = writer.write_test(seen.call, seen.record, by_name[seen.call.focal], module)
        if test is not None:
            written.append((test, seen))
        elif seen.record.get("blocked"):
            rejected.append(_acts_outside(seen))
        elif seen.record.get("status") == "returned":
            rejected.append(_unasserted(seen))
        elif seen.record.get("status") == "raised":
            text = _call_text(seen)
            rejected.append(
                RejectedTest(
                    seen.call.focal,
                    Origin.SEARCH,
                    text,
                    Rejection.FLAKY,
                    "the call ended differently on two runs",
                )
            )
    chosen = greedy_cover(written, lambda pair: pair[1].coverage, _cost)
    return [test for test, _ in chosen], rejected


def _call_text(seen: Observed) -> str:
    """What a rejected call shows instead of a test: the focal function and its arguments."""
    return f"# {seen.call.focal}{seen.call.args}"


def _unasserted(seen: Observed) -> RejectedTest:
    why = "its value changes between runs" if not seen.record.get("deterministic") else ""
    why = why or "it returns an object with no value or state to compare"
    return RejectedTest(
        seen.call.focal,
        Origin.SEARCH,
        _call_text(seen),
        Rejection.NO_ASSERT,
        why,
    )


def _acts_outside(seen: Observed) -> RejectedTest:
    blocked = seen.record["blocked"]
    more = f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else ""
    return RejectedTest(
        seen.call.focal,
        Origin.SEARCH,
        _call_text(seen),
        Rejection.EFFECTS,
        f"tried to {blocked[0]}{more}; blocked in the sandbox",
    )


def _cost(pair: tuple[GeneratedTest, Observed]) -> float:
    """Among tests that cover as much: prefer one whose value is stable and asserted,
    then one that returns (then the earlier planned:
    doctest and call-site arguments come first, as a reader would write them)."""
    record = pair[1].record
    return float(record.get("status") != "returned") + 2.0 * (not record.get("deterministic"))


def _covers(test: GeneratedTest, baseline: frozenset[int]) -> frozenset:
    lines = {(test.focal, line) for line in test.lines if line not in baseline}
    return frozenset(lines | {(test.focal, arc) for arc in test.branches})


def _minimal(passed: Sequence[GeneratedTest]) -> tuple[list[GeneratedTest], list[RejectedTest]]:
    """The smallest set of passing tests with their coverage (by the judge's numbers),
    credited per focal function so that each keeps a test of its own."""
    shared = _shared_lines(passed)
    chosen = greedy_cover(list(passed), lambda t: _covers(t, shared))
    names = {t.name for t in chosen}
    extra = [
        RejectedTest(t.focal, t.origin, t.source, Rejection.NO_COVERAGE)
        for t in passed
        if t.name not in names
    ]
    return chosen, extra


def _shared_lines(tests: Sequence[GeneratedTest]) -> frozenset[int]:
    """Lines that every passing test runs (the module's import), credited to none."""
    sets = [set(t.lines) for t in tests if t.lines]
    return frozenset(set.intersection(*sets)) if len(sets) > 1 else frozenset()


def _final(
    request: TestgenRequest,
    focals: Sequence[Focal],
    kept: list[GeneratedTest],
    deadline: float,
    per_test: float,
) -> tuple[Any, list[GeneratedTest], list[RejectedTest]]:
    """Run the kept tests as one file; a test that fails only there (it depends on
    another's state) is dropped, and the rest run again."""
    dropped: list[RejectedTest] = []
    run = None
    for _ in range(3):
        if not kept:
            return run, kept, dropped
        order = {f.qualname: i for i, f in enumerate(focals)}
        kept = sorted(kept, key=lambda t: order[t.focal])
        run, failing = check.final_run(
            _where(request), kept, request.config.sandbox, _left(deadline), per_test
        )
        if not failing:
            return run, [replace(t, passed=True) for t in kept], dropped
        dropped += [
            RejectedTest(
                t.focal,
                t.origin,
                t.source,
                Rejection.FAILS,
                "fails when run with the other kept tests",
            )
            for t in kept
            if t.name in failing
        ]
        kept = [t for t in kept if t.name not in failing]
    unsettled = "the kept tests did not pass together within three runs"
    dropped += [
        RejectedTest(t.focal, t.origin, t.source, Rejection.ERRORS, unsettled) for t in kept
    ]
    return None, [], dropped


def _model_tests(
    request: TestgenRequest, handle: Any, focals: Sequence[Focal], until: float
) -> list[GeneratedTest]:
    """The model's samples, one focal function at a time while there is time."""
    if handle is None or request.config.samples <= 0 or time.monotonic() > until:
        return []
    loaded = handle.get() if isinstance(handle, ModelHandle) else handle
    if loaded is None:
        return []
    parsed = parse_python(request.source, str(request.path))
    out: list[GeneratedTest] = []
    for focal in focals:
        if time.monotonic() > until:
            break
        out += model.candidates(loaded, parsed, [focal], request.config.samples, request.module)
    return out


def _mutation(
    request: TestgenRequest,
    focals: Sequence[Focal],
    kept: Sequence[GeneratedTest],
    deadline: float,
) -> Any:
    variants = mutation.mutants(request.source, focals, request.config.mutants_per_function)
    where = _where(request)
    final = check.final_name(where)
    files = {**where.files, final: writer.suite_file(request.module, kept)}
    return mutation.mutation_score(
        files,
        where.module_file,
        [final],
        variants,
        request.config.sandbox,
        _left(deadline),
        request.placement.layout,
    )


def _grouped(
    focals: Sequence[Focal], kept: Sequence[GeneratedTest], rejected: Sequence[RejectedTest]
) -> tuple[FocalTests, ...]:
    return tuple(
        FocalTests(
            focal.qualname,
            focal.line,
            tuple(t for t in kept if t.focal == focal.qualname),
            tuple(r for r in rejected if r.focal == focal.qualname),
        )
        for focal in focals
    )


# --- the API --------------------------------------------------------------------------


def generate_tests(
    path: str | Path,
    function: str | None = None,
    budget: float = 60,
    model: Any = None,
    *,
    mutation_score: bool = False,
    config: TestgenConfig | None = None,
    progress: Any = None,
) -> TestSuiteResult:
    """Pytest tests for `function` (or every public function and method) of the module
    at `path`; see the module docstring. `model` is a spec (bundled name, checkpoint
    folder, server URL), a loaded model or None for the default; `config.samples = 0`
    runs the search alone. Nothing of the user's is written: `result.test_file` is the
    file's text."""
    from codeintel import tasks

    request = make_request(
        file=path,
        function=function,
        budget=budget,
        mutation_score=mutation_score,
        config=config,
        progress=progress,
    )
    return run(request, tasks.start_model("tests", request, model))

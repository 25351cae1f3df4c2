"""Traced bugs (DeepDebug): bugs of functions a passing test covers, with that test's trace.

    python -m data_pipelines traced-bugs --data DATA --out OUT [--split train] [--limit N]

Reads the focal pairs of a build (`DATA/focal/{split}-*.jsonl`: each test and the
function it exercises, with their files on disk) and the functions
(`DATA/functions`). For a seeded sample of `--limit` pairs it runs the test on the
correct function in the sandbox (the fast path, one warm worker per pair). If it
passes, up to `--bugs` rule mutants of the function (`make_bugs`) are run under
the same test; each mutant the test fails on becomes a fix example whose input
carries the reduced trace (`formats.fix_input`), and its reverse break example.
Mutants the test still passes are dropped: the test cannot see them.

How a test runs on a mutant: the work dir holds the test file (at its path under
its root), the mutated module (at its path under its root, with the rest of its
package when that is small and pure Python, so a package that is not installed
imports), and `trace_patch.py`, imported at the end of the test file, which gives
the function object the mutant's code. That works even where the module was
imported before the test, as the standard library's are.

Writes `OUT/examples/{split}/traced-NNNNN.jsonl` and a manifest, like
`neural-bugs`: mixing them into a training run is that run's decision
(`TrainConfig.extra_data`).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from codeintel.errors import ConfigError
from codeintel.models.data import read_jsonl
from codeintel.sandbox import Limits, Outcome, SandboxConfig, TestRun, Validator
from data_pipelines.bugs import Bug, bug_to_examples, make_bugs, with_trace
from data_pipelines.config import BuildConfig, Task
from data_pipelines.examples import make, room
from data_pipelines.focal import module_of
from data_pipelines.functions import parse_source
from data_pipelines.repair import skeleton
from data_pipelines.shards import write_example_set
from parsers.text import dedent, reindent

PATCH, PATCH_SPEC = "codeintel_trace_patch.py", "codeintel_trace_patch.json"
PATCH_SOURCE = Path(__file__).with_name("trace_patch.py")
MAX_PACKAGE_FILES = 300  # a larger package is not copied (the installed one is imported)
COMPILED = frozenset({".so", ".pyd", ".dylib"})


@dataclass(frozen=True)
class Covered:
    """A test and the function it covers, with their files (a line of DATA/focal)."""

    test_id: str  # label/relpath:line:Class.test_name
    test_file: Path
    test_root: Path
    focal_id: str
    focal_file: Path
    focal_root: Path
    focal_name: str

    @classmethod
    def from_json(cls, d: dict) -> Covered:
        paths = ("test_file", "test_root", "focal_file", "focal_root")
        return cls(**{k: Path(v) if k in paths else v for k, v in d.items()})

    @property
    def test_path(self) -> str:
        return self.test_file.relative_to(self.test_root).as_posix()

    @property
    def focal_path(self) -> str:
        return self.focal_file.relative_to(self.focal_root).as_posix()

    @property
    def node_id(self) -> str:
        """The pytest node id of the test in the work dir."""
        return "::".join([self.test_path, *self.test_id.rsplit(":", 1)[1].split(".")])


@dataclass(frozen=True)
class TracedRun:
    pairs: int  # focal pairs tried
    passing: int  # pairs whose test passed on the correct function
    mutants: int  # mutants run
    bugs: int  # mutants the test failed on, with a trace
    seconds: float


# --- pure parts -------------------------------------------------------------------------


def package_files(covered: Covered) -> dict[str, Path] | None:
    """Files to copy into the work dir (relative path -> file): the focal module's top-level
    package (its .py files) when it has no compiled modules and at most MAX_PACKAGE_FILES;
    else the module alone, unless it is a package's `__init__.py`, which would hide the
    installed package (None: the pair is skipped)."""
    top = covered.focal_path.split("/")[0]
    folder = covered.focal_root / top
    if folder.is_dir():
        files = [p for p in folder.rglob("*.py") if "__pycache__" not in p.parts]
        compiled = any(p.suffix in COMPILED for p in folder.rglob("*"))
        if len(files) <= MAX_PACKAGE_FILES and not compiled:
            return {p.relative_to(covered.focal_root).as_posix(): p for p in files}
        if covered.focal_file.name == "__init__.py":
            return None
    return {covered.focal_path: covered.focal_file}


def patch_spec(covered: Covered) -> dict:
    _, line, qualname = covered.focal_id.rsplit(":", 2)
    module = module_of(f"root/{covered.focal_path}")
    return {"module": module, "qualname": qualname, "path": covered.focal_path, "line": int(line)}


def patched_test(test_source: str) -> str:
    """The test file, then the import that swaps in the mutant (after the test's imports)."""
    return f"{test_source.rstrip()}\n\nimport codeintel_trace_patch  # noqa: E402, F401\n"


def mutated_module(module: str, code: str, buggy: str) -> str | None:
    """The module with the function's lines (`code`, original indentation) replaced by the
    bug (at column 0); None unless those lines occur exactly once."""
    if module.count(code) != 1:
        return None
    indent = code[: len(code) - len(code.lstrip())]
    return module.replace(code, reindent(buggy, indent), 1)


def first_trace(run: TestRun) -> str | None:
    failing = [t for t in run.tests if t.failure is not None and t.failure.trace]
    if run.outcome is Outcome.PASSED or not failing:
        return None
    failure = failing[0].failure
    return None if failure.exc_type == "CollectionError" else failure.trace


# --- running ----------------------------------------------------------------------------


def project(covered: Covered) -> dict[str, str] | None:
    package = package_files(covered)
    if package is None:
        return None
    try:
        files = {rel: p.read_text("utf-8") for rel, p in package.items()}
    except (OSError, UnicodeDecodeError):
        return None
    files[covered.test_path] = patched_test(covered.test_file.read_text("utf-8"))
    files[PATCH] = PATCH_SOURCE.read_text("utf-8")
    files[PATCH_SPEC] = json.dumps(patch_spec(covered))
    return files


def traced_bugs(
    covered: Covered, record: dict, bugs: list[Bug], sandbox: SandboxConfig
) -> tuple[bool, list[Bug]]:
    """Whether the test passes on the correct function, and the bugs it fails on (traced)."""
    files = project(covered)
    if files is None:
        return False, []
    module = files[covered.focal_path]  # the correct module, as copied
    traced: list[Bug] = []
    with Validator(files, [covered.node_id], sandbox, code_under_test=[covered.focal_path]) as v:
        if v.validate({}).outcome is not Outcome.PASSED:
            return False, []
        for bug in bugs:
            mutated = mutated_module(module, record["code"], bug.buggy)
            trace = first_trace(v.validate({covered.focal_path: mutated})) if mutated else None
            if trace is not None:
                traced.append(with_trace(bug, trace))
    return True, traced


def examples(covered: Covered, record: dict, bugs: list[Bug], config: BuildConfig) -> list[dict]:
    if not bugs:
        return []
    parsed = parse_source(covered.focal_file.read_bytes())
    if parsed is None:
        return []
    scope = parsed.find(record["qualified_name"])
    context = skeleton(parsed, scope, room(config, dedent(record["code"])))
    out = []
    for bug in bugs:
        for raw in bug_to_examples(bug, context):
            example = make(Task(raw["task"]), raw["input"], raw["target"], bug.origin, config)
            if example is not None:
                out.append(example.output())
    return out


def load_pairs(data: Path, split: str, limit: int, seed: int) -> list[Covered]:
    paths = sorted((data / "focal").glob(f"{split}-*.jsonl"))
    if not paths:
        raise ConfigError(f"{data}/focal has no {split} shards (build the data with this version)")
    pairs = [Covered.from_json(d) for d in read_jsonl(paths)]
    return random.Random(seed).sample(pairs, min(limit, len(pairs)))


def _functions(data: Path, split: str) -> dict[str, dict]:
    return {r["id"]: r for r in read_jsonl(sorted((data / "functions").glob(f"{split}-*.jsonl")))}


def run_pairs(
    pairs: list[Covered],
    functions: dict[str, dict],
    config: BuildConfig,
    bugs_per_pair: int,
    sandbox: SandboxConfig,
    counts: dict[str, int],
) -> Iterator[dict]:
    for covered in pairs:
        record = functions.get(covered.focal_id)
        if record is None:
            continue
        rng = random.Random(f"{config.seed}:{covered.test_id}")
        bugs = make_bugs(dedent(record["code"]), rng, bugs_per_pair, origin=record["id"])
        passed, traced = traced_bugs(covered, record, bugs, sandbox)
        counts["pairs"] += 1
        counts["passing"] += passed
        counts["mutants"] += len(bugs) if passed else 0
        counts["bugs"] += len(traced)
        yield from examples(covered, record, traced, config)


def write_traced_bugs(
    data: Path,
    out: Path,
    *,
    split: str = "train",
    limit: int = 100,
    bugs_per_pair: int = 4,
    seed: int = 0,
    timeout_s: float = 10.0,
) -> TracedRun:
    started = time.perf_counter()
    pairs = load_pairs(data, split, limit, seed)
    manifest = json.loads((data / "manifest.json").read_text("utf-8"))
    config = BuildConfig(**{**manifest["config"], "seed": seed})
    counts = dict(pairs=0, passing=0, mutants=0, bugs=0)
    sandbox = SandboxConfig(limits=Limits(timeout_s=timeout_s))
    records = run_pairs(pairs, _functions(data, split), config, bugs_per_pair, sandbox, counts)
    info = {"data": str(data), "split": split, "seed": seed, "bugs_per_pair": bugs_per_pair}

    summary: dict = {}

    def describe() -> dict:  # called once the records are written
        summary.update(info, **counts, seconds=round(time.perf_counter() - started, 1))
        return summary

    write_example_set(out, split, "traced", records, describe)
    return TracedRun(**counts, seconds=summary["seconds"])

"""Bug repair (DeepDebug for Python): localize with traces, generate, validate in the sandbox.

    result = repair("mod.py", tests="test_mod.py")

1. build_input: run the tests in the sandbox, keep the failing ones and their
   traces, localize (trace frames first, then functions the tests call), and
   build the model input: prefix, the function, the reduced trace, the skeleton.
2. generate: the model's candidates (beam and sampling; localized edits or whole
   functions) and deterministic edit candidates (inverse mutation operators).
3. post_process: drop duplicates and candidates that do not parse; rank the rule
   edits first, then the model's candidates, each by the model's log-likelihood
   (without a model: rule edits on trace lines first).
4. grade: validate in rank order on the sandbox's fast path until one makes the
   failing tests pass without breaking a passing one, or the budget runs out.
"""

from __future__ import annotations

import difflib
import enum
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codeintel.context import build_skeleton
from codeintel.errors import InputError, RepairInputError, UnknownFunctionError
from codeintel.files import read_text
from codeintel.models import formats
from codeintel.records import JsonRecord
from codeintel.sandbox import (
    Limits,
    Outcome,
    SandboxConfig,
    TestResult,
    TestRun,
    Tier,
    Validator,
    limit_message,
    run_tests,
)
from codeintel.tasks.base import Done, run_task
from codeintel.tasks.repair_candidates import (
    Block,
    Candidate,
    CandidateSource,
    block_of,
    decode_model_output,
    dedented,
    edit_candidates,
    family_candidates,
    family_of,
    localize,
    model_target,
    splice,
    trace_lines,
    unique_parsable,
)
from parsers import ParsedFile, ParseError, parse


class RepairOutcome(str, enum.Enum):
    FIXED = "fixed"
    NO_FIX_FOUND = "no_fix_found"
    TESTS_ALREADY_PASS = "tests_already_pass"
    TESTS_ERROR = "tests_error"  # the tests fail before reaching the code (e.g. import error)


class CandidateMode(str, enum.Enum):
    ALL = "all"
    MODEL = "model"
    EDITS = "edits"


@dataclass(frozen=True)
class RepairConfig:
    candidates: CandidateMode = CandidateMode.ALL
    beam: int = 10  # beam-search candidates per function
    beam_width: int = 20  # beams searched for them (the `beam` best are kept)
    samples: int = 10  # sampled candidates per function
    temperature: float = 0.8
    max_candidates: int = 400  # per function, after de-duplication
    max_functions: int = 3  # functions tried, in localization order
    sandbox: SandboxConfig = field(
        default_factory=lambda: SandboxConfig(limits=Limits(timeout_s=10))
    )
    # Per-test time limit: the baseline runs with the cap; candidates with `factor` times
    # the slowest test that finished in the baseline, kept within [floor, cap]. A test past
    # it fails with a trace that names the looping line (TestTimeout), as a bug to fix.
    test_timeout_floor_s: float = 0.5
    test_timeout_cap_s: float = 2.0
    test_timeout_factor: float = 10.0


@dataclass(frozen=True)
class RepairRequest:
    source: str
    module_file: str  # the file name the tests import, e.g. "mod.py"
    tests: Mapping[str, str]  # test file name -> content
    support: Mapping[str, str]  # other files the tests need, by relative path
    function: str | None
    budget_seconds: float
    config: RepairConfig
    started: float = field(default_factory=time.perf_counter)  # the deadline counts from here

    @property
    def deadline(self) -> float:
        return self.started + self.budget_seconds

    def left(self) -> float:
        return self.deadline - time.perf_counter()


@dataclass(frozen=True)
class Target:
    block: Block
    model_input: str


@dataclass(frozen=True)
class RepairInput:
    request: RepairRequest
    parsed: ParsedFile
    baseline: TestRun
    targets: tuple[Target, ...]
    hot_lines: tuple[int, ...]  # lines of the module in the failing tests' traces


@dataclass(frozen=True)
class RepairResult(JsonRecord):
    outcome: RepairOutcome
    message: str
    module_file: str
    patched_source: str | None = None
    diff: str = ""
    function: str | None = None
    winner: Candidate | None = None
    winner_rank: int | None = None  # 1-based rank among the candidates of its function
    generated: dict[str, int] = field(default_factory=dict)  # candidates per source
    families: dict[str, int] = field(default_factory=dict)  # candidates per family
    winner_family: str | None = None  # the winner's rule or family name, or "model"
    validated: dict[str, int] = field(default_factory=dict)  # validations per source
    failing_tests: tuple[str, ...] = ()
    seconds: float = 0.0
    tier: Tier | None = None
    warning: str = ""  # what the sandbox tier does not protect here (Execution.warning)
    startup_seconds: float = 0.0  # of `seconds`: loading the model (imports included)


# --- build input --------------------------------------------------------------------------


def _files(request: RepairRequest) -> dict[str, str]:
    return {**request.support, **request.tests, request.module_file: request.source}


def _baseline_problem(
    request: RepairRequest, baseline: TestRun, limits: Limits
) -> RepairResult | None:
    """A result that ends the repair before it starts, or None to go on; `limits` are
    those the baseline ran under."""
    base = dict(
        module_file=request.module_file,
        failing_tests=baseline.failed,
        tier=baseline.execution.tier,
        warning=baseline.execution.warning,
    )
    if baseline.outcome is Outcome.TIMEOUT:
        raise RepairInputError(
            f"the tests did not finish within {limits.timeout_s:g} s (do they hang?)"
        )
    hang = _hang_in_tests(baseline, request.module_file)
    if hang is not None:
        raise RepairInputError(
            f"{hang.node_id} hangs before reaching the code: {hang.failure.message}"
        )
    errors = [t for t in baseline.tests if t.failure and t.failure.exc_type == "CollectionError"]
    if errors or not baseline.tests:
        detail = errors[0].failure.message.strip().splitlines()[-1] if errors else "no test ran"
        if "MemoryError" in detail or baseline.outcome in (Outcome.MEMORY, Outcome.DISK):
            hit = limit_message(baseline.outcome, limits) or limit_message(Outcome.MEMORY, limits)
            detail = f"{detail}: {hit}"
        return RepairResult(
            RepairOutcome.TESTS_ERROR, f"the tests error before reaching the code: {detail}", **base
        )
    if baseline.outcome is Outcome.PASSED:
        return RepairResult(RepairOutcome.TESTS_ALREADY_PASS, "all tests already pass", **base)
    return None


def _hang_in_tests(baseline: TestRun, module_file: str) -> TestResult | None:
    """A test that ran out of time with no frame of the module in its trace: it hangs in
    the test itself, and no change to the module can fix that."""
    for test in baseline.tests:
        if _timed_out(test) and all(f.path != module_file for f in test.failure.frames):
            return test
    return None


def baseline_sandbox(request: RepairRequest) -> SandboxConfig:
    """The first run: each test within the per-test cap, the whole run within the sandbox's
    limit or, if more is left of the budget, up to a minute of it."""
    config, sandbox = request.config, request.config.sandbox
    whole = max(sandbox.limits.timeout_s, min(request.budget_seconds, 60.0))
    whole = max(min(whole, request.left()), 1.0)  # never past the budget (but run at all)
    limits = replace(sandbox.limits, test_timeout_s=config.test_timeout_cap_s, timeout_s=whole)
    return replace(sandbox, limits=replace(limits, cpu_s=max(limits.cpu_s, int(whole) + 1)))


def candidate_sandbox(config: RepairConfig, baseline: TestRun) -> SandboxConfig:
    """Validations: a per-test limit from how long the baseline's tests took."""
    took = [t.duration_s for t in baseline.tests if not _timed_out(t)]
    per_test = config.test_timeout_factor * max(took, default=0.0)
    per_test = min(max(per_test, config.test_timeout_floor_s), config.test_timeout_cap_s)
    limits = replace(config.sandbox.limits, test_timeout_s=per_test)
    return replace(config.sandbox, limits=limits)


def _timed_out(test: TestResult) -> bool:
    return test.failure is not None and test.failure.exc_type == "TestTimeout"


def _skeleton_budget(model: Any, function: str, trace: str) -> int:
    used = model.count_tokens(formats.fix_input(function, trace, ""))
    return max(model.max_input_tokens - used, 1)


def _model_input(parsed: ParsedFile, block: Block, trace: str, model: Any) -> str:
    function = dedented(block)
    if model is None:
        return formats.fix_input(function, trace, "")
    budget = _skeleton_budget(model, function, trace)
    context = build_skeleton(
        parsed, block.qualified_name, budget, model.count_tokens, include_target=False
    )
    return formats.fix_input(function, trace, context.text)


def _scopes(request: RepairRequest, parsed: ParsedFile, hot_lines: Sequence[int]) -> list:
    if request.function is not None:
        try:
            return [parsed.find(request.function)]
        except ParseError as exc:
            raise UnknownFunctionError(str(exc)) from exc
    scopes = localize(parsed, hot_lines, request.tests.values())
    return scopes[: request.config.max_functions]


def _trace(baseline: TestRun) -> str:
    failures = [t.failure.trace for t in baseline.tests if t.failure is not None]
    return failures[0] if failures else ""


def parse_module(source: str, module_file: str) -> ParsedFile:
    parsed = parse(source, "python")
    if parsed.has_errors:
        line = parsed.errors[0].span.start_line
        raise InputError(f"{module_file} does not parse (syntax error at line {line})")
    return parsed


# --- the task -------------------------------------------------------------------------------


class RepairTask:
    """The repair task: build input -> generate -> post-process -> grade."""

    name = "repair"

    def build_input(self, request: RepairRequest, model: Any) -> RepairInput | Done[RepairResult]:
        parsed = parse_module(request.source, request.module_file)
        sandbox = baseline_sandbox(request)
        baseline = run_tests(
            _files(request), list(request.tests), sandbox, code_under_test=[request.module_file]
        )
        problem = _baseline_problem(request, baseline, sandbox.limits)
        if problem is not None:
            return Done(replace(problem, seconds=time.perf_counter() - request.started))
        trace, hot = _trace(baseline), tuple(trace_lines(baseline, request.module_file))
        targets = tuple(
            Target(block, _model_input(parsed, block, trace, model))
            for block in (block_of(parsed, s) for s in _scopes(request, parsed, hot))
        )
        return RepairInput(request, parsed, baseline, targets, hot)

    def generate(self, repair_input: RepairInput, model: Any) -> list[Candidate]:
        config = repair_input.request.config
        found: list[Candidate] = []
        deadline = repair_input.request.deadline
        for target in repair_input.targets:
            in_time = time.perf_counter() < deadline
            found += target_candidates(
                target, repair_input.hot_lines, model if in_time else None, config
            )
        return found

    def post_process(
        self, repair_input: RepairInput, candidates: Sequence[Candidate], model: Any
    ) -> list[Candidate]:
        limit = repair_input.request.config.max_candidates
        return [
            ranked
            for target in repair_input.targets
            for ranked in rank_candidates(target, candidates, model, limit)
        ]

    def grade(self, repair_input: RepairInput, candidates: Sequence[Candidate]) -> RepairResult:
        return _validate(repair_input, candidates)


REPAIR = RepairTask()


def target_candidates(
    target: Target, hot_lines: Sequence[int], model: Any, config: RepairConfig
) -> list[Candidate]:
    """One function's candidates: the rule edits (hot lines first), given a model its beam
    and samples, then the families built from the function's code, as `config.candidates`
    asks ("edits": every deterministic one, rules and families)."""
    deterministic = config.candidates is not CandidateMode.MODEL
    found = edit_candidates(target.block, hot_lines) if deterministic else []
    if config.candidates is not CandidateMode.EDITS and model is not None:
        found += _model_candidates(target, model, config)
    if deterministic:
        found += family_candidates(target.block, hot_lines)
    return found


def rank_candidates(
    target: Target, candidates: Sequence[Candidate], model: Any, limit: int
) -> list[Candidate]:
    """The function's own candidates, parsable and de-duplicated (at most `limit`), ranked
    by the model's log-likelihood (without a model, in the given order)."""
    own = [c for c in candidates if c.function == target.block.qualified_name]
    return _rank(target, unique_parsable(own, target.block.text)[:limit], model)


def _model_candidates(target: Target, model: Any, config: RepairConfig) -> list[Candidate]:
    from codeintel.models import DecodeMode, GenerationConfig

    runs = [
        GenerationConfig(
            n=config.beam,
            mode=DecodeMode.BEAM,
            max_new_tokens=192,
            beam_width=max(config.beam, config.beam_width),
        ),
        GenerationConfig(
            n=config.samples,
            mode=DecodeMode.SAMPLE,
            max_new_tokens=192,
            temperature=config.temperature,
        ),
    ]
    found = []
    source = [dedented(target.block)]  # decoding is constrained to edits that apply to it
    for generation in runs:
        if generation.n <= 0:
            continue
        for generated in model.generate([target.model_input], generation, source)[0]:
            text = decode_model_output(target.block, generated.text)
            if text is not None:
                found.append(
                    Candidate(
                        CandidateSource.MODEL,
                        target.block.qualified_name,
                        text,
                        generated.text,
                        generated.logprob,
                    )
                )
    return found


_TIERS = {CandidateSource.EDIT: 0, CandidateSource.MODEL: 1, CandidateSource.FAMILY: 2}


def _to_score(candidate: Candidate) -> bool:
    return candidate.score is None and candidate.source is not CandidateSource.FAMILY


def _rank(target: Target, candidates: list[Candidate], model: Any) -> list[Candidate]:
    """Three tiers: rule edits, then the model's own candidates, each ranked by the
    model's log-likelihood, then the families in their given order (nearest the trace
    first); without a model keep the given order.

    Rules first because the model ranks rule edits well among themselves but puts its
    own wrong candidates above them: on 400 held-out bugs (valid split) the fix is in
    the top 10 for 249 with tiers, 187 with one list by log-likelihood, and 223 with
    the rules in their fixed order (`benchmarks heldout --candidates repair`).
    Families last and unscored: they are many (up to 480 a function), and scoring
    them in one list with the rules cost 2 of 24 fixes on 30 HumanEval mutants, the
    budget spent before validation (BENCHMARKS.md).
    """
    if model is None or not candidates:
        return candidates
    unscored = [c for c in candidates if _to_score(c)]
    targets = [model_target(target.block, c.text) for c in unscored]
    scores = iter(model.score(target.model_input, targets)) if targets else iter(())
    scored = [replace(c, score=next(scores)) if _to_score(c) else c for c in candidates]
    return sorted(scored, key=lambda c: (_TIERS[c.source], -(c.score or 0.0)))


# --- grade ----------------------------------------------------------------------------------


def _fixes(run: TestRun, must_pass: set[str]) -> bool:
    return run.outcome is Outcome.PASSED and must_pass <= set(run.passed)


def _validate(repair_input: RepairInput, candidates: Sequence[Candidate]) -> RepairResult:
    request, baseline = repair_input.request, repair_input.baseline
    failing, must_pass = list(baseline.failed), set(baseline.failed) | set(baseline.passed)
    files, config = _files(request), candidate_sandbox(request.config, baseline)
    validated: Counter[str] = Counter()
    blocks = {t.block.qualified_name: t.block for t in repair_input.targets}
    with (
        Validator(files, failing, config, first_failure=True) as quick,
        Validator(files, list(request.tests), config) as full,
    ):
        for candidate in candidates:
            if request.left() <= 0:
                break
            patched = splice(repair_input.parsed, blocks[candidate.function], candidate.text)
            validated[candidate.source.value] += 1
            change = {request.module_file: patched}
            if quick.validate(change, request.left()).outcome is Outcome.PASSED and _fixes(
                full.validate(change, request.left()), must_pass
            ):
                return _fixed(repair_input, candidate, patched, candidates, validated)
    return _result(
        repair_input,
        candidates,
        validated,
        RepairOutcome.NO_FIX_FOUND,
        "no candidate made the failing tests pass within the budget",
    )


def _counts(candidates: Sequence[Candidate]) -> dict[str, int]:
    return dict(Counter(c.source.value for c in candidates))


def _result(
    repair_input: RepairInput,
    candidates: Sequence[Candidate],
    validated: Counter,
    outcome: RepairOutcome,
    message: str,
    **extra: Any,
) -> RepairResult:
    return RepairResult(
        outcome=outcome,
        message=message,
        module_file=repair_input.request.module_file,
        generated=_counts(candidates),
        families=dict(Counter(family_of(c) for c in candidates)),
        validated=dict(validated),
        failing_tests=repair_input.baseline.failed,
        seconds=time.perf_counter() - repair_input.request.started,
        tier=repair_input.baseline.execution.tier,
        warning=repair_input.baseline.execution.warning,
        **extra,
    )


def _fixed(
    repair_input: RepairInput,
    winner: Candidate,
    patched: str,
    candidates: Sequence[Candidate],
    validated: Counter,
) -> RepairResult:
    name = repair_input.request.module_file
    diff = "".join(
        difflib.unified_diff(
            repair_input.request.source.splitlines(keepends=True),
            patched.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )
    own = [c for c in candidates if c.function == winner.function]
    return _result(
        repair_input,
        candidates,
        validated,
        RepairOutcome.FIXED,
        f"fixed {winner.function} ({winner.source.value} candidate)",
        patched_source=patched,
        diff=diff,
        function=winner.function,
        winner=winner,
        winner_family=family_of(winner),
        winner_rank=own.index(winner) + 1,
    )


# --- the API -------------------------------------------------------------------------------


def _tests_of(tests: str | Path | Mapping[str, str]) -> dict[str, str]:
    if isinstance(tests, Mapping):
        return dict(tests)
    path = Path(tests)
    return {path.name: read_text(path, "test file")}


def load_repair_model(model: Any, config: RepairConfig) -> Any:
    if config.candidates is CandidateMode.EDITS:
        return None
    if model is None or isinstance(model, (str, Path)):
        from codeintel.models import load_model

        return load_model(None if model is None else str(model))
    return model


def make_request(
    path_or_source: str | Path,
    tests: str | Path | Mapping[str, str],
    function: str | None,
    budget_seconds: float,
    config: RepairConfig,
    support: Mapping[str, str] | None = None,
    module_file: str | None = None,
) -> RepairRequest:
    """A request from a path (or source text containing a newline) and tests."""
    text = str(path_or_source)
    if isinstance(path_or_source, Path) or "\n" not in text:
        path = Path(text)
        source, module_file = read_text(path, "file"), module_file or path.name
    else:
        source, module_file = text, module_file or "module.py"
    if budget_seconds <= 0:
        raise InputError("the budget must be a positive number of seconds")
    return RepairRequest(
        source, module_file, _tests_of(tests), dict(support or {}), function, budget_seconds, config
    )


def repair(
    path_or_source: str | Path,
    tests: str | Path | Mapping[str, str],
    function: str | None = None,
    budget_seconds: float = 60,
    model: Any = None,
    config: RepairConfig | None = None,
    *,
    support: Mapping[str, str] | None = None,
    module_file: str | None = None,
) -> RepairResult:
    """Repair a Python module so that its failing tests pass; see the module docstring.

    `path_or_source` is a file path, or source text (then the tests import it as
    `module_file`, default "module.py"). `tests` is a test file path or a mapping
    of test file names to contents. `support` holds other files the tests need.
    `model` is a path, a bundled name, a loaded model, or None for the default.
    """
    config = config or RepairConfig()
    request = make_request(
        path_or_source, tests, function, budget_seconds, config, support, module_file
    )
    loaded = load_repair_model(model, config)
    startup = time.perf_counter() - request.started
    return replace(run_task(REPAIR, request, loaded), startup_seconds=round(startup, 3))

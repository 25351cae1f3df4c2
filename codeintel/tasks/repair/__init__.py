"""Bug repair (DeepDebug for Python): localize with traces, generate, validate in the sandbox.

    result = repair("mod.py", tests="test_mod.py")

`run` is the whole pipeline, one step a module, in this order:

1. baseline: run the tests once; stop if they pass, or error before reaching the code.
2. localize: the functions to repair (trace frames first, then functions the tests
   call), as blocks of whole lines.
3. candidates: rule edits (inverse mutation operators), the model's beam and samples,
   families built from the function's own code, synthesized expressions and
   statements (`synthesis`; its condition clauses ranked by the values names take at
   the conditions in the tests' passing and failing calls, `angelic`), and
   second-order edits on partial fixes.
4. rank: rule edits, then the model's candidates, each by the model's log-likelihood;
   the rest come in rings (`RINGS`): families, the model's samples at rising
   temperature, synthesized candidates, second-order candidates.
5. validate: ring by ring on the sandbox's fast path, until one makes the failing
   tests pass without breaking a passing one (then alternatives from the same ring,
   and the assessment), every ring is tried, or the budget runs out.

One deadline counts from the request, model loading included. The model loads in a
background thread (`loading`) while steps 1 and 2 run and the rule edits are
validated in their fixed order; once it is loaded, the rule edits not yet tried are
ranked with the model's candidates. So with a model loaded in advance (benchmarks)
the order is fully ranked, and a one-off command fixes what a rule edit fixes without
waiting for the model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from codeintel.budget import Budget
from codeintel.errors import InputError
from codeintel.files import read_text
from codeintel.models import backend
from codeintel.models.loading import ModelHandle
from codeintel.project import (
    load_project,
    project_files,
    test_ids,
)
from codeintel.sandbox import Layout
from codeintel.tasks import parse_python
from codeintel.tasks.repair import angelic
from codeintel.tasks.repair.assess import assess, unassessed
from codeintel.tasks.repair.baseline import open_sandbox, run_baseline
from codeintel.tasks.repair.candidates import (
    family_candidates,
    model_candidates,
    rule_candidates,
    second_order_candidates,
    synthesized_candidates,
    unique_parsable,
)
from codeintel.tasks.repair.discover import chosen_tests
from codeintel.tasks.repair.localize import (
    first_trace,
    localize,
    suspicious_lines,
    with_model_input,
)
from codeintel.tasks.repair.prompted import prompted_candidates
from codeintel.tasks.repair.rank import rank
from codeintel.tasks.repair.records import (
    Assessment,
    Candidate,
    CandidateMode,
    CandidateSource,
    RepairConfig,
    RepairOutcome,
    RepairRequest,
    RepairResult,
    Target,
)
from codeintel.tasks.repair.synthesis import condition_lines
from codeintel.tasks.repair.validate import Validation
from parsers.text import dedent as parsers_dedent

ANGELIC_SECONDS = 3.0  # the sandboxed run that records the values at the conditions

__all__ = [
    "Assessment",
    "Candidate",
    "CandidateMode",
    "CandidateSource",
    "ModelHandle",
    "RepairConfig",
    "RepairOutcome",
    "RepairRequest",
    "RepairResult",
    "Target",
    "make_request",
    "needs_model",
    "repair",
    "run",
]


def run(request: RepairRequest, model: Any) -> RepairResult:
    """The pipeline: baseline -> localize -> candidates -> rank -> validate -> result.
    `model`: a ModelHandle (loading while the rule edits are tried) or a loaded model."""
    model = model if isinstance(model, ModelHandle) else ModelHandle(model)
    parsed = parse_python(request.source, request.module_file)
    with open_sandbox(request) as sandbox:
        baseline = run_baseline(request, sandbox)
        if isinstance(baseline, RepairResult):
            return baseline
        targets = localize(request, parsed, baseline)
        suspicious = suspicious_lines(baseline, request.module_file)
        validation = Validation(request, parsed, baseline, targets, sandbox, suspicious)
        loaded = _first_rings(validation, targets, model)
        for ring in RINGS:
            if validation.done or validation.plausible:  # alternatives: from its own ring
                break
            ring(validation, targets, loaded)
        validation.exhausted = not validation.done and not validation.plausible
        return _assessed(validation, model.seconds())


def _first_rings(validation: Validation, targets: Sequence[Target], model: ModelHandle) -> Any:
    """The rule edits (while the model loads), then the model's beam and samples with
    the rule edits not yet tried; the loaded model is returned (None: none, or still
    loading when a plausible patch was found)."""
    edits = validation.request.config.candidates is not CandidateMode.MODEL
    suspicious = validation.suspicious
    rules = [c for t in targets for c in rule_candidates(t.block, suspicious)] if edits else []
    validation.made_all(rules)
    untried = validation.try_each(rules, stop=model.ready)  # while the model loads
    if validation.done:
        return None
    waits = not validation.plausible or model.ready()  # (alternatives: without waiting)
    loaded = model.get() if waits else None
    _with_model(validation, targets, untried, loaded)
    return loaded


def _edits_ring(make: Any) -> Any:
    """A ring of candidates `make(block, suspicious)` makes per function, made only when
    reached (they are many); none when the request asks for the model's alone."""

    def ring(validation: Validation, targets: Sequence[Target], model: Any) -> None:
        if validation.request.config.candidates is CandidateMode.MODEL:
            return
        for target in targets:
            if validation.done:
                return
            found = make(target.block, validation.suspicious)
            validation.made_all(found)
            validation.try_each(found)

    return ring


def _hotter_samples(validation: Validation, targets: Sequence[Target], model: Any) -> None:
    """The model's samples at each rising temperature (`RepairConfig.hotter`)."""
    config = validation.request.config
    if model is None or config.candidates is CandidateMode.EDITS:
        return
    trace = first_trace(validation.baseline)
    for temperature in config.hotter:
        for target in targets:
            if validation.done:
                return
            found = _samples(validation, target, model, trace, temperature)
            found = unique_parsable(found, target.block.text)
            validation.made_all(found)
            validation.try_each(found)


def _samples(
    validation: Validation, target: Target, model: Any, trace: str, temperature: float
) -> list[Candidate]:
    config = validation.request.config
    if backend.prompted(model):
        tests = validation.request.tests
        return prompted_candidates(target, model, tests, trace, config.samples, temperature)
    target = with_model_input(target, validation.parsed, trace, model)
    hot = replace(config, beam=0, temperature=temperature)
    return model_candidates(target, model, hot)


def _second_order(validation: Validation, targets: Sequence[Target], model: Any) -> None:
    """Edits on top of the most promising first-order candidates (`Validation.parents`)."""
    config = validation.request.config
    if config.candidates is CandidateMode.MODEL:
        return
    blocks = {t.block.qualified_name: t.block for t in targets}
    for parent in validation.parents(config.parents):
        if validation.done:
            return
        found = second_order_candidates(parent, blocks[parent.function], validation.suspicious)
        found = unique_parsable(found, blocks[parent.function].text)[: config.max_candidates]
        validation.made_all(found)
        validation.try_each(found)


def _synthesized(validation: Validation, targets: Sequence[Target], model: Any) -> None:
    """Synthesized candidates per function, their condition clauses ranked by the values
    at its conditions in the tests' passing and failing calls (`angelic.observe`, a
    sandboxed run of at most ANGELIC_SECONDS)."""
    request = validation.request
    if request.config.candidates is CandidateMode.MODEL:
        return
    for target in targets:
        if validation.done:
            return
        lines = condition_lines(parsers_dedent(target.block.text))
        seconds = min(ANGELIC_SECONDS, request.budget.left() / 4)
        snapshots = angelic.observe(request, target.block, lines, seconds)
        found = synthesized_candidates(target.block, validation.suspicious, snapshots)
        validation.made_all(found)
        validation.try_each(found)


# the rings after the rule edits and the model's first candidates, in order
RINGS = (
    _edits_ring(family_candidates),
    _hotter_samples,
    _synthesized,
    _second_order,
)


def _assessed(validation: Validation, startup_seconds: float) -> RepairResult:
    """The result with the chosen plausible patch and its assessment (assess.py)."""
    if not validation.plausible:
        return validation.result(startup_seconds)
    request, plausible = validation.request, validation.plausible
    seconds = min(request.config.assess_s, request.budget.left())
    if seconds < 1.0:
        why = "the budget ran out before it could be assessed"
        return validation.result(startup_seconds, plausible[0], unassessed(len(plausible), why))
    chosen, assessment = assess(request, plausible, seconds)
    return validation.result(startup_seconds, chosen, assessment)


def _with_model(
    validation: Validation, targets: Sequence[Target], untried: list[Candidate], model: Any
) -> None:
    """Function by function: the model's candidates and the rule edits not yet tried,
    ranked by the model (in their given order without one), validated."""
    trace, limit = first_trace(validation.baseline), validation.request.config.max_candidates
    if model is not None and backend.prompted(model):  # a causal model, a server
        _with_prompts(validation, targets, untried, model, trace)
        return
    for target in targets:
        if validation.done:
            return
        target = with_model_input(target, validation.parsed, trace, model)
        generated = _generated(target, model, validation.request.config, validation)
        validation.try_each(rank(target, untried + generated, model, limit))


def _with_prompts(
    validation: Validation,
    targets: Sequence[Target],
    untried: list[Candidate],
    model: Any,
    trace: str,
) -> None:
    """Function by function: the rule edits not yet tried, then the functions a causal
    model (or a server) rewrites when shown the failing test and trace (`prompted`)."""
    config, request = validation.request.config, validation.request
    for target in targets:
        if validation.done:
            return
        n = max(config.beam, 1)
        found = prompted_candidates(target, model, request.tests, trace, n)
        found = unique_parsable(found, target.block.text)
        validation.made_all(found)
        validation.try_each(rank(target, untried + found, None, config.max_candidates))
        if model.capabilities.chat:
            _converse(validation, target, model, trace, found)


CHAT_TURNS = 3  # answers the model is told a failure of, at most, per function


def _converse(
    validation: Validation, target: Target, model: Any, trace: str, found: list[Candidate]
) -> None:
    """While the budget lasts: the failure of the model's first function goes back to
    it, and its new answers are validated (ChatRepair's conversation)."""
    from codeintel.tasks.repair import prompted

    function = parsers_dedent(target.block.text)
    test = prompted.failing_test_source(validation.request.tests, trace)
    turn = prompted.messages(function, test, trace)
    for _ in range(CHAT_TURNS):
        if validation.done or not found:
            return
        tried = found[0]
        failure = validation.failures.get((tried.function, tried.text.strip()))
        if failure is None:
            return  # not tried (or a duplicate of a rule edit): nothing to tell
        turn = prompted.follow_up(turn, parsers_dedent(tried.text), failure)
        found = unique_parsable(prompted.answered(target, model, turn, 1), target.block.text)
        validation.made_all(found)
        validation.try_each(found)


def _generated(
    target: Target, model: Any, config: RepairConfig, validation: Validation
) -> list[Candidate]:
    """The model's candidates for the target while there is time (none without a model)."""
    if model is None or validation.done:
        return []
    found = unique_parsable(model_candidates(target, model, config), target.block.text)
    validation.made_all(found)
    return found


# --- the API -------------------------------------------------------------------------------


def _tests_of(tests: str | Path | Mapping[str, str]) -> dict[str, str]:
    if isinstance(tests, Mapping):
        return dict(tests)
    path = Path(tests)
    return {path.name: read_text(path, "test file")}


Tests = str | Path | Sequence[str | Path] | Mapping[str, str] | None


def in_a_package(path: Path, root: Path | None) -> bool:
    """Whether repair runs the tests over the module's project (its root found above it,
    or `root`): when `root` is given, or the module is part of a package or a `src/`
    layout, whose tests import it by its package. A lone module is run with its tests."""
    if root is not None:
        return True
    resolved = Path(os.path.realpath(path))
    return (resolved.parent / "__init__.py").is_file() or "src" in resolved.parts


def project_request(
    path: Path,
    tests: Tests,
    function: str | None,
    budget: Budget,
    config: RepairConfig,
    root: Path | None = None,
) -> RepairRequest:
    """A request over the module's project: every file of it in the sandbox at its own
    path, the project's sys.path folders and conftest.py files, the module shadowing any
    installed copy of itself; `tests` as files, folders or node ids (None: the tests
    that exercise the function, `discover.chosen_tests`)."""
    project = load_project(path, root)
    files = project_files(project)  # bytes: data files reach the sandbox as they are
    module_file = project.relative(path)
    how = "as given (--tests)"
    if tests is None:
        chosen = chosen_tests(project, files, module_file, function, config.sandbox)
        ids, how = list(chosen.tests), chosen.how
    else:
        specs = [tests] if isinstance(tests, (str, Path)) else list(tests)
        ids = test_ids(project, specs)
    test_files = {i.partition("::")[0] for i in ids}
    source = read_text(path, "file")
    files.pop(module_file, None)
    tests_text = {name: read_text(project.root / name, "test file") for name in sorted(test_files)}
    for name in tests_text:
        files.pop(name, None)
    layout = Layout(project.pythonpath, conftest=True)
    return RepairRequest(
        source,
        module_file,
        tests_text,
        files,
        function,
        budget,
        config,
        test_ids=tuple(ids),
        layout=layout,
        tests_chosen=how,
    )


def needs_model(request: RepairRequest) -> bool:
    return request.config.candidates is not CandidateMode.EDITS


def _config(
    config: RepairConfig | None,
    candidates: str | CandidateMode | None,
    sandbox: dict[str, Any],
) -> RepairConfig:
    """The config with the request's options applied; InputError for a bad one."""
    config = config or RepairConfig()
    if candidates is not None:
        try:
            config = replace(config, candidates=CandidateMode(candidates))
        except ValueError:
            known = ", ".join(m.value for m in CandidateMode)
            raise InputError(f"candidates must be one of {known}, not {candidates!r}") from None
    return replace(config, sandbox=config.sandbox.with_options(**sandbox))


def make_request(
    *,
    file: str | Path | None = None,
    source: str | None = None,
    module_file: str | None = None,
    tests: Tests = None,
    support: Mapping[str, str | bytes] | None = None,
    function: str | None = None,
    budget: float | Budget = 60.0,
    candidates: str | CandidateMode | None = None,
    root: str | Path | None = None,
    layout: Layout | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
    disk_mb: int | None = None,
    control: Any = None,
    allow_process_tier: bool | None = None,
    config: RepairConfig | None = None,
) -> RepairRequest:
    """A request for the module `file` (or its `source` text, imported by the tests as
    `module_file`, default "module.py"). A file of a package (or any file, given its
    project's `root`) is repaired over its project (`project_request`): `tests` may be
    files, folders and node ids, or None for the tests that reach the function. Else
    `tests` is a test file or a mapping of test file names to contents, and `support`
    the other files they need. `allow_process_tier`: without bubblewrap, the assessment
    still calls the function with generated arguments. The budget's clock starts here."""
    clock = budget if isinstance(budget, Budget) else Budget(budget)
    options = {"timeout": timeout, "memory_mb": memory_mb, "disk_mb": disk_mb, "control": control}
    config = _config(config, candidates, options)
    if allow_process_tier is not None:
        config = replace(config, allow_process_tier=allow_process_tier)
    if (file is None) == (source is None):
        raise InputError("give the module as a file or as source text (one of them)")
    root = Path(root) if root is not None else None
    over_project = file is not None and not isinstance(tests, Mapping) and not support
    if over_project and in_a_package(Path(str(file)), root):
        read_text(Path(str(file)), "file")  # a file that cannot be read fails first, in one line
        return project_request(Path(str(file)), tests, function, clock, config, root)
    if tests is None:
        raise InputError("no tests given (a test file, or a module inside a project)")
    if not isinstance(tests, (str, Path, Mapping)):
        raise InputError("several test files or folders need a module inside a project")
    if file is not None:
        source, module_file = read_text(Path(file), "file"), module_file or Path(file).name
    return RepairRequest(
        source or "",
        module_file or "module.py",
        _tests_of(tests),
        dict(support or {}),
        function,
        clock,
        config,
        layout=layout or Layout(),
    )


def repair(
    path_or_source: str | Path,
    tests: Tests = None,
    function: str | None = None,
    budget: float = 60,
    model: Any = None,
    config: RepairConfig | None = None,
    *,
    support: Mapping[str, str] | None = None,
    module_file: str | None = None,
    root: str | Path | None = None,
) -> RepairResult:
    """Repair a Python module so that its failing tests pass; see the module docstring.

    `path_or_source` is a file path, or source text (then the tests import it as
    `module_file`, default "module.py"). `tests` is a test file path or a mapping
    of test file names to contents. `support` holds other files the tests need.
    A module that is part of a package (or any module, given its project's `root`) is
    repaired over its project: `tests` may then be files, folders and node ids, or None
    for the project's test files that import the module.
    `model` is a spec (a bundled name, a checkpoint folder, a server URL), a loaded
    model (or ModelHandle), or None for the default.
    """
    text = str(path_or_source)
    is_path = isinstance(path_or_source, Path) or "\n" not in text
    where = {"file": path_or_source} if is_path else {"source": text}
    request = make_request(
        **where,
        tests=tests,
        function=function,
        budget=budget,
        config=config,
        support=support,
        module_file=module_file,
        root=root,
    )
    from codeintel import tasks

    return run(request, tasks.start_model("repair", request, model))

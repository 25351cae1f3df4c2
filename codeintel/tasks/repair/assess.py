"""Step 6: assess the plausible patches (the tests pass: but is it the fix?).

Tests that pass are a weak oracle: `lo += mid` passes three tests of a binary search
where `lo = mid + 1` was meant, and hangs on other inputs. So once validation has found
plausible patches (the first, and the alternatives it goes on to look for within a
bounded share of the budget, `Validation.plausible`), each is run on the same generated
calls of the fixed function, in the sandbox (the test generator's probe): the tests'
own argument lists (the calls of the function in the test files whose arguments are
literals, or objects of the module's classes built from literals), those passing
an optional parameter the tests leave at its default (a patch that ignores it would look
like the fix otherwise), those with one argument replaced by a value of the test
generator's pools for that parameter, and the pools' own argument sets (`testgen.plan`).
A method is called on objects built the same way from its class's constructor.

Each call's outcome is compared across the patches (returned what, raised what, what
it changed in its arguments and object, or hung); values equal under `==` are the same
outcome (3 and 3.0). Where a patch raises what the original raised, the input is outside
the function's domain: no difference there counts. The chosen patch is the one that
misbehaves least (hangs, or raises where another plausible patch returns), then leaves
fewest parameters unread (`total >= 50` where the function has a `threshold=50` it never
reads is a guess at the fix `total >= threshold`), then agrees most with the others,
then is the smallest edit, then ranked first. Its assessment:

- confident: no generated call hangs it or makes it raise where another plausible patch
  returns, and every other plausible patch found behaves the same on every call;
- differs: it behaves well, but another plausible patch behaves differently on some
  generated call (one of them is not the fix, and the tests cannot tell which);
- uncorroborated: it behaves well, but it is a synthesized or second-order patch and no
  other plausible patch behaves like it (found among many candidates, it may fit the
  tests by chance);
- misbehaves: it hangs, or raises where another plausible patch returns;
- unassessed: no generated call could run it (a private function, a class no
  constructor call could build, no time left), or bubblewrap is missing: the process
  tier would call the user's code with generated arguments with the user's own rights,
  which test generation asks consent for, so repair does not do it.

Only a confident patch is written by `--write` (unless `--accept-plausible`) and
applied by the editor without asking.
"""

from __future__ import annotations

import ast
import difflib
import itertools
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from codeintel.errors import CodeintelError
from codeintel.sandbox import Tier, detect_tier
from codeintel.tasks.repair.records import (
    Assessment,
    Candidate,
    CandidateSource,
    PatchAssessment,
    Plausible,
    RepairRequest,
)
from codeintel.tasks.testgen.plan import (
    Args,
    Call,
    Focal,
    argument_sets,
    focal_functions,
    literal_calls,
    plan_calls,
    pool,
)
from codeintel.tasks.testgen.search import probe
from codeintel.tasks.testgen.values import boundary_variants, perturb_args
from parsers.text import python_ast

HUNG = "hung"  # the outcome of a call past CALL_SECONDS
CALLS = 60  # generated calls of the function, at most
FROM_TESTS = 40  # of them, at most: those made from the tests' calls (the pools get the rest)
CTOR_CALLS = 8  # constructor calls tried to build objects for a method
CALL_SECONDS = 0.5  # one call; past it, the call hangs (generated inputs are small)
IMPORT_SECONDS = 5.0


@dataclass(frozen=True)
class Module:
    """The files of a run as the probe imports them: from the sys.path folder that holds
    the module, the module's dotted name and its path there."""

    files: dict[str, str | bytes]
    name: str
    path: str


def module_of(request: RepairRequest, source: str) -> Module:
    """The request's files with `source` as the module, re-rooted at the pythonpath folder
    that holds it (a `src/` layout), or as they are."""
    files = {**request.files(), request.module_file: source}
    folder = next(
        (
            f.strip("/")
            for f in request.layout.pythonpath
            if request.module_file.startswith(f"{f}/")
        ),
        "",
    )
    if folder:
        cut = len(folder) + 1
        files = {k[cut:]: v for k, v in files.items() if k.startswith(f"{folder}/")}
    path = request.module_file[len(folder) + 1 :] if folder else request.module_file
    dotted = path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    return Module(files, dotted, path)


# --- the calls ----------------------------------------------------------------------------


def _focal(source: str, function: str) -> tuple[Focal | None, list[Focal]]:
    """The function as the test generator sees it (a nested one: the function around
    it), and its class's constructor."""
    tree = python_ast(source)
    if tree is None:
        return None, []
    focals = focal_functions(tree)
    names = function.split(".")  # a nested function is reached through the one around it
    enclosing = [".".join(names[:n]) for n in range(len(names), 0, -1)]
    found = next((f for name in enclosing for f in focals if f.qualname == name), None)
    if found is None or found.kind == "constructor":
        return None, []
    ctors = [f for f in focals if f.kind == "constructor" and f.owner == found.owner]
    return found, ctors if found.kind in ("method", "property") else []


def calls_in_tests(request: RepairRequest, name: str) -> list[Args]:
    """The argument lists the test files call `name` with (directly, or through a
    helper it is passed to) whose arguments are literals or objects of the module's
    classes built from literals (`Link(1, [Link(2)])`)."""
    classes = module_classes(request.source)
    texts = list(request.tests.values())
    names = call_names([t for t in map(python_ast, texts) if t is not None], name)
    found: list[Args] = []
    for text in texts:
        for called in sorted(names):
            found += literal_calls(text, called, classes)
    return list(dict.fromkeys(found))


def call_names(trees: Sequence[ast.Module], name: str) -> set[str]:
    """The names a test calls the function by: its own, and the parameter of a helper
    of the tests it is passed to (`def check(candidate): ...` called as `check(name)`)."""
    names = {name}
    for tree in trees:
        helpers = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        for call in ast.walk(tree):
            helper = helpers.get(getattr(getattr(call, "func", None), "id", ""))
            for at, arg in enumerate(getattr(call, "args", []) if helper else []):
                params = helper.args.posonlyargs + helper.args.args  # type: ignore[union-attr]
                if isinstance(arg, ast.Name) and arg.id == name and at < len(params):
                    names.add(params[at].arg)
    return names


def module_classes(source: str) -> frozenset[str]:
    """The names of the classes the module defines at its top level."""
    tree = python_ast(source)
    body = tree.body if tree is not None else []
    return frozenset(n.name for n in body if isinstance(n, ast.ClassDef))


def derived(focal: Focal, examples: Sequence[Args], per_value: int = 3) -> list[Args]:
    """Each example with one argument replaced by one of the first `per_value` values of
    that parameter's pool (the tests' inputs, mutated)."""
    params = {p.name: p for p in focal.params}
    order = [p.name for p in focal.params]
    out: list[Args] = []
    for example in examples:
        for at, (keyword, source) in enumerate(example):
            name = keyword or (order[at] if at < len(order) else None)
            if name not in params:
                continue
            for value in pool(params[name], focal)[:per_value]:
                if value != source:
                    out.append((*example[:at], (keyword, value), *example[at + 1 :]))
    return out


def optional(focal: Focal, examples: Sequence[Args], per_value: int = 2) -> list[Args]:
    """The examples with one optional parameter they leave at its default passed one of
    the first `per_value` values of that parameter's pool, the parameters taken in turn:
    a patch that ignores the parameter (`total >= 50` for `total >= threshold`) behaves
    like the original only while the tests never pass it."""
    per_param: list[list[Args]] = []
    for at, param in enumerate(focal.params):
        if param.default is None:
            continue
        values = pool(param, focal)[:per_value]
        per_param.append(
            [(*e, arg) for v in values for e in examples if (arg := _argument(focal, e, at, v))]
        )
    turns = itertools.zip_longest(*per_param)  # one call of each parameter, then again
    return [args for turn in turns for args in turn if args is not None]


def _argument(focal: Focal, example: Args, at: int, value: str) -> tuple[str | None, str] | None:
    """The argument passing `value` to the `at`th parameter after `example`'s arguments,
    or None where the example passes it or cannot reach it (positional-only, not next)."""
    param = focal.params[at]
    if param.name in _passed_names(focal, example):
        return None
    if param.how == "positional":
        return (None, value) if at == len(example) else None
    return (param.name, value)


def _passed_names(focal: Focal, example: Args) -> set[str]:
    """The parameters an argument list passes, by position or keyword."""
    order = [p.name for p in focal.params]
    positional = [k for k, _ in example if k is None]
    return set(order[: len(positional)]) | {k for k, _ in example if k is not None}


def mutated(examples: Sequence[Args], count: int, seed: int = 0) -> list[Args]:
    """The examples with one int moved to a boundary (0, its negation), then up to `count`
    with one argument (sometimes two) perturbed: a number moved by 1 to 3, a list with
    an element changed, dropped or added (`testgen.values`); examples whose arguments are
    not all literals are left alone."""
    literal = [e for e in examples if all(_value(source) is not None for _, source in e)]
    found = [_with(e, v) for e in literal for v in boundary_variants(_values(e), 4)]
    rng, random_ones = random.Random(seed), []
    for attempt in range(count * 3):
        if len(random_ones) >= count or not literal:
            break
        example = literal[attempt % len(literal)]
        changed = _with(example, perturb_args(_values(example), rng))
        if changed != example and all(_value(source) is not None for _, source in changed):
            random_ones.append(changed)
    return list(dict.fromkeys([*found, *random_ones]))


def _values(example: Args) -> list:
    return [(_value(source) or (None,))[0] for _, source in example]


def _with(example: Args, values: Sequence[object]) -> Args:
    """The example's keywords with `values` as the arguments' sources."""
    return tuple((k, repr(v)) for (k, _), v in zip(example, values, strict=True))


def _value(source: str) -> tuple[object] | None:
    """(the literal's value,), or None for source that is not a literal."""
    try:
        return (ast.literal_eval(source),)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _calls(request: RepairRequest, focal: Focal, ctors: dict[str, list[Args]]) -> list[Call]:
    """The calls every patch is run on: the tests' own argument lists, those passing an
    optional parameter they leave out, those mutated, those with one argument from the
    pools, then the pools' own argument sets."""
    examples = calls_in_tests(request, focal.name)
    varied = optional(focal, examples)[: FROM_TESTS // 4]
    found = [*examples, *varied, *mutated(examples, CALLS // 4), *derived(focal, examples)]
    found = list(dict.fromkeys(found))[:FROM_TESTS]
    return plan_calls([focal], ctors, {focal.qualname: found}, CALLS)


def _objects(request: RepairRequest, module: Module, ctors: Sequence[Focal], seconds: float):
    """Constructor argument lists that built an object of the method's class."""
    if not ctors:
        return {}
    ctor = ctors[0]
    sites = calls_in_tests(request, ctor.owner or "")
    sets = argument_sets(ctor, sites, CTOR_CALLS)
    calls = [Call(i, ctor.qualname, "constructor", ctor.qualname, a) for i, a in enumerate(sets)]
    seen = _probe(request, module, calls, seconds)
    built = [c.args for c in calls if (seen.get(c.id) or {}).get("status") == "returned"]
    return {ctor.owner or "": built[:3]} if built else {}


def _probe(request: RepairRequest, module: Module, calls: Sequence[Call], seconds: float):
    """What each call did (by call id); {} when the module could not be imported."""
    try:
        found = probe(
            module.files,  # type: ignore[arg-type]
            module.name,
            module.path,
            calls,
            seconds,
            CALL_SECONDS,
            request.config.sandbox,
            IMPORT_SECONDS,
        )
    except CodeintelError:
        return {}
    return {o.call.id: o.record for o in found.observed}


# --- comparing the patches ----------------------------------------------------------------


def _canonical(literal: str) -> str:
    """A literal with every whole float written as an int (3.0 -> 3), so that values
    equal under `==` compare the same; as it is when it is not a plain literal."""
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return literal
    return repr(_whole(value))


def _whole(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_whole(v) for v in value)
    if isinstance(value, dict):
        return {_whole(k): _whole(v) for k, v in value.items()}
    return value


def outcome(record: dict | None) -> str | None:
    """A call's outcome as compared across patches; None for a call that did not run as
    a call of the function (its arguments or object could not be made, or the probe's
    time ended before it)."""
    if record is None:
        return None
    status = record.get("status")
    if status == "returned":
        value = record.get("value") or {}
        shown = _canonical(value["literal"]) if "literal" in value else _json(value)
        changed = [c for c in (record.get("mutated"), record.get("state")) if c]
        return f"returned {shown}" + (f", changed {_json(changed)}" if changed else "")
    if status == "raised":
        return "raised " + str((record.get("error") or {}).get("type"))
    return HUNG if status == "timeout" else None


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class Scored:
    index: int  # among the plausible patches, in the order found
    misbehaves: int  # calls it hangs on, or raises on where another patch returns
    disagrees: int  # calls where it differs from the outcome most patches had
    size: int  # characters changed
    unused: int = 0  # parameters the patched function never reads

    @property
    def key(self) -> tuple[int, int, int, int, int]:
        return (self.misbehaves, self.unused, self.disagrees, self.size, self.index)


def _misbehaves(seen: str | None, others: Sequence[str | None], original: str | None) -> bool:
    """It hangs where the original function or another plausible patch does not, or
    raises where another plausible patch returns and the original did not raise (a hang
    everywhere, or raising as the original did, on an input outside the function's
    domain, tells nothing)."""
    if seen == HUNG:
        return original != HUNG or any(o != HUNG for o in others)
    returned = any((o or "").startswith("returned") for o in others)
    raised_before = (original or "").startswith("raised")
    return (seen or "").startswith("raised") and returned and not raised_before


def _raises_as_before(seen: str | None, original: str | None) -> bool:
    """It raises what the original function raised on that input (outside its domain)."""
    return seen is not None and seen == original and seen.startswith("raised")


def _majority(outcomes: Sequence[str | None]) -> str | None:
    """The outcome more than half of the patches had, if one did."""
    found, times = Counter(outcomes).most_common(1)[0]
    return found if 2 * times > len(outcomes) else None


def _score(index: int, table: list[list], original: list, size: int, unused: int) -> Scored:
    bad = disagrees = 0
    for at, seen in enumerate(table[index]):
        others = [row[at] for row in table]
        bad += _misbehaves(seen, others, original[at])
        common = _majority(others)
        disagrees += common is not None and seen != common
    return Scored(index, bad, disagrees, size, unused)


def unused_parameters(source: str, function: str) -> int:
    """How many of the function's parameters its body never reads: a patch that writes
    a parameter's default as a literal (`total >= 50` for `total >= threshold`) leaves
    the parameter unread, which the patch reading it does not."""
    focal, _ = _focal(source, function)
    tree = python_ast(source)
    if focal is None or tree is None:
        return 0
    functions = (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    node = next((n for n in functions if n.lineno == focal.line), None)
    if node is None:
        return 0
    read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return sum(p.name not in read for p in focal.params)


def edit_size(before: str, after: str) -> int:
    """Characters removed and added between two texts (their common start and end cut
    first, so a one-line patch of a large file costs no more than the line)."""
    start = _common(before, after)
    tail = _common(before[start:][::-1], after[start:][::-1])
    a, b = before[start : len(before) - tail], after[start : len(after) - tail]
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in opcodes if op != "equal")


def _common(a: str, b: str) -> int:
    """The length of the common start of two texts."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def _call_text(focal: Focal, call: Call) -> str:
    args = ", ".join(f"{k}={v}" if k else v for k, v in call.args)
    return f"{focal.name}({args})"


def _far_fetched(candidate: Candidate) -> bool:
    """A synthesized or second-order candidate: one of many, fit to the tests by search."""
    return candidate.source in (CandidateSource.SYNTHESIS, CandidateSource.SECOND_ORDER)


def _verdict(
    chosen: Scored,
    scored: Sequence[Scored],
    table: list[list],
    original: list,
    calls,
    focal,
    chosen_candidate: Candidate,
) -> PatchAssessment:
    """The assessment of the chosen patch from the outcomes of every patch; where another
    patch misbehaves (hangs, or raises where one returns) it is no alternative there, and
    where one of the two raises what the original raised, they do not differ there."""
    mine, n = table[chosen.index], len(table)
    others = [[row[at] for row in table] for at in range(len(mine))]
    bad = [at for at, seen in enumerate(mine) if _misbehaves(seen, others[at], original[at])]
    peers = [s for s in scored if s.misbehaves <= chosen.misbehaves]

    def differs(at: int) -> bool:
        before = original[at]
        if _raises_as_before(mine[at], before):
            return False
        return any(
            seen != mine[at]
            and not _misbehaves(seen, others[at], before)
            and not _raises_as_before(seen, before)
            for seen in others[at]
        )

    differ = [at for at in range(len(mine)) if differs(at)]
    inputs = len(mine)
    at = (bad or differ or [None])[0]
    example = ""
    if at is not None:
        done = "; ".join(f"patch {i + 1}: {row[at]}" for i, row in enumerate(table))
        example = f"{_call_text(focal, calls[at])}: {done}"[:400]
    if bad:
        label = (
            f"tests pass, but it hangs (where the original function does not) or raises "
            f"(where another plausible patch returns) on {len(bad)} of {inputs} generated inputs"
        )
        kind = Assessment.MISBEHAVES
    elif differ:
        label = (
            f"tests pass, behaviour differs from alternatives on {len(differ)} of {inputs} "
            f"generated inputs ({n} plausible patches)"
        )
        kind = Assessment.DIFFERS
    elif len(peers) == 1 and _far_fetched(chosen_candidate):
        label = (
            f"tests pass and it behaves well on {inputs} generated inputs, but it is a "
            f"{chosen_candidate.source.value.replace('_', '-')} edit no other patch agrees "
            "with: it may fit the tests by chance"
        )
        kind = Assessment.UNCORROBORATED
    else:
        if n == 1:
            alike = "the one plausible patch behaves well"
        elif len(peers) == n:
            alike = f"all {n} plausible patches behave alike"
        else:
            alike = f"{len(peers)} of {n} plausible patches behave well, alike,"
        label = f"confident: {alike} on {inputs} generated inputs"
        if len(peers) < n:
            label += " (the others hang or raise where it returns)"
        kind = Assessment.CONFIDENT
    return PatchAssessment(kind, label, n, inputs, len(differ), len(bad), example)


def unassessed(n: int, why: str) -> PatchAssessment:
    return PatchAssessment(Assessment.UNASSESSED, f"tests pass; not assessed: {why}", n, 0, 0, 0)


def calls_allowed(request: RepairRequest) -> bool:
    """Whether generated calls of the user's code may run: in bubblewrap, or in the
    process tier where the user accepts it (`--allow-process-tier`)."""
    tier = request.config.sandbox.tier or detect_tier()
    return tier is not Tier.PROCESS or request.config.allow_process_tier


def assess(
    request: RepairRequest, plausible: Sequence[Plausible], seconds: float
) -> tuple[Plausible, PatchAssessment]:
    """The chosen patch among the plausible ones (in the order found) and its assessment,
    within about `seconds`."""
    first, n = plausible[0], len(plausible)
    if not calls_allowed(request):
        why = (
            "without bubblewrap, generated calls of your code would run with your rights "
            "(--allow-process-tier makes them)"
        )
        return first, unassessed(n, why)
    focal, ctors = _focal(request.source, first.candidate.function)
    if focal is None:
        return first, unassessed(n, "generated calls cannot reach this function")
    if any(p.candidate.function != first.candidate.function for p in plausible):
        plausible = [p for p in plausible if p.candidate.function == first.candidate.function]
    share = max(seconds / (len(plausible) + 1), 2.0)
    objects = _objects(request, module_of(request, request.source), ctors, share)
    calls = _calls(request, focal, objects)
    if not calls:
        return first, unassessed(n, "no call of it could be made")
    runs = [_probe(request, module_of(request, p.patched), calls, share) for p in plausible]
    before = _probe(request, module_of(request, request.source), calls, share)
    if any(not run for run in runs):
        return first, unassessed(n, "a patched module could not be imported to call it")
    table = [[outcome(run.get(c.id)) for c in calls] for run in runs]
    ran = [at for at in range(len(calls)) if all(row[at] is not None for row in table)]
    if not ran:
        return first, unassessed(n, "none of the generated calls could run")
    table = [[row[at] for at in ran] for row in table]
    if not any((seen or "").startswith("returned") for row in table for seen in row):
        return first, unassessed(
            n, "no generated call returned (they raise or hang in every patch)"
        )
    original = [outcome(before.get(calls[at].id)) for at in ran]
    sizes = [edit_size(request.source, p.patched) for p in plausible]
    unused = [unused_parameters(p.patched, p.candidate.function) for p in plausible]
    scored = [_score(i, table, original, sizes[i], unused[i]) for i in range(len(plausible))]
    best = min(scored, key=lambda s: s.key)
    chosen_calls = [calls[at] for at in ran]
    chosen = plausible[best.index].candidate
    verdict = _verdict(best, scored, table, original, chosen_calls, focal, chosen)
    return plausible[best.index], verdict

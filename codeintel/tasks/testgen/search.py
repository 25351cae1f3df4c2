"""The execution search: run the planned calls in the sandbox (probe.py) and read back
what each did. Constructors go first, so that methods are called on objects that
could be built; then functions and methods, one call each; then, with the time left,
sequences of calls on objects of the classes whose constructor worked."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from codeintel.errors import InputError
from codeintel.sandbox import Execution, Outcome, SandboxConfig
from codeintel.sandbox import run as sandbox_run
from codeintel.tasks.testgen.plan import (
    INSTANCE_CANDIDATES,
    Args,
    Call,
    Focal,
    constructor_calls,
    explore_targets,
    instance_owners,
    plan_calls,
    sequence_targets,
)

PROBE = str(Path(__file__).resolve().parent / "probe.py")
SPEC = "codeintel_probe.json"


@dataclass(frozen=True)
class Observed:
    """One planned call and the probe's record of it."""

    call: Call
    record: dict

    @property
    def coverage(self) -> frozenset:
        """What it ran of the focal module: lines and arcs, tagged with its focal."""
        lines = {(self.call.focal, line) for line in self.record.get("lines", ())}
        arcs = {(self.call.focal, tuple(arc)) for arc in self.record.get("arcs", ())}
        return frozenset(lines | arcs)


@dataclass(frozen=True)
class Probe:
    observed: tuple[Observed, ...]
    execution: Execution
    instances: dict[str, list[str]]  # class -> expressions of instances (when asked)


def probe(
    files: dict[str, str],
    module: str,
    module_path: str,
    calls: Sequence[Call],
    seconds: float,
    call_seconds: float,
    config: SandboxConfig,
    import_seconds: float,
    explore: Sequence[dict] = (),
    instance_owners: Sequence[str] = (),
    sequences: Sequence[dict] = (),
    stale_s: float = 10.0,
    watch: Sequence[int] = (),
) -> Probe:
    """Run `calls`, then the random search over `explore` while time is left, in one
    sandboxed process; InputError when the module cannot be imported (it raised, or
    its import did not finish). `watch`: lines of the module at which each planned
    call's record gets the locals' values (`watched`: [[line, {name: literal}], ...])."""
    token = "@@" + secrets.token_hex(8) + "@@"
    spec = {
        "module": module,
        "path": module_path,
        "token": token,
        "seconds": seconds,
        "call_seconds": call_seconds,
        "calls": [c.to_spec() for c in calls],
        "explore": list(explore),
        "sequences": list(sequences),
        "stale_s": stale_s,
        "watch": list(watch),
        "instances": {"owners": list(instance_owners), "candidates": list(INSTANCE_CANDIDATES)},
    }
    wall = seconds + import_seconds + 2 * call_seconds + 2
    limits = config.limits.with_timeout(wall)
    execution = sandbox_run(
        ["python", "-I", PROBE, SPEC],
        {**files, SPEC: json.dumps(spec)},
        replace(config, limits=limits),
    )
    records = [
        json.loads(line[len(token) :])
        for line in execution.stdout.splitlines()
        if line.startswith(token)
    ]
    header = records[0] if records else None
    _check_import(header, module, execution, import_seconds)
    by_id = {c.id: c for c in calls}
    observed = tuple(
        Observed(by_id[r["id"]] if r.get("id") in by_id else _found_call(r["call"]), r)
        for r in records[1:]
        if r.get("id") in by_id or "call" in r
    )
    return Probe(observed, execution, dict(header.get("instances") or {}))


def _found_call(spec: dict) -> Call:
    """A call the probe's random search made up."""

    def args(pairs: list) -> Args:
        return tuple((keyword, source) for keyword, source in pairs)

    target = spec["target"]
    return Call(
        spec["id"],
        target,
        spec["kind"],
        target,
        args(spec["args"]),
        args(spec["ctor"]),
        spec.get("instance"),
        tuple(spec.get("steps") or ()),
        args(spec.get("other") or []),
    )


def sequence_focal(call: Call, focals: Sequence[Focal]) -> Call:
    """A sequence credited to a focal method of its class: the first its steps call,
    else the class's first (its constructor when the class has no focal method)."""
    if call.kind != "sequence":
        return call
    own = [f for f in focals if f.owner == call.target and f.kind != "constructor"]
    for step in call.steps:
        for focal in own:
            if step.startswith(f"obj.{focal.name}"):
                return replace(call, focal=focal.qualname)
    first = own[0].qualname if own else f"{call.target}.__init__"
    return replace(call, focal=first)


def _check_import(header: dict | None, module: str, execution: Execution, seconds: float) -> None:
    if header is None:
        if execution.outcome is Outcome.TIMEOUT:
            raise InputError(
                f"importing {module} did not finish within {seconds:g} s "
                "(does it wait for input, or loop or sleep at import?)"
            )
        tail = (execution.stderr.strip().splitlines() or [execution.outcome.value])[-1]
        raise InputError(f"importing {module} failed in the sandbox: {tail[:300]}")
    if header.get("import") == "failed":
        error = header["error"]
        raise InputError(f"cannot import {module}: {error['type']}: {error['message']}")


def search(
    files: dict[str, str],
    module: str,
    module_path: str,
    focals: Sequence[Focal],
    sites: dict[str, list[Args]],
    seconds: float,
    settings: SearchSettings,
) -> tuple[list[Observed], Execution]:
    """Both phases: constructors, then functions and methods (on objects whose
    constructor worked), sharing `seconds` one third to two thirds."""
    ctor_calls = constructor_calls(focals, settings.ctors_per_class)
    share = 1 / 3 if ctor_calls else 0.05
    first = probe(
        files,
        module,
        module_path,
        ctor_calls,
        seconds * share,
        settings.call_seconds,
        settings.sandbox,
        settings.import_seconds,
        explore_targets(focals, {}, {"constructor"}),
        instance_owners(focals),
        stale_s=settings.stale_s,
    )
    ctors: dict[str, list[Args]] = {}
    for seen in first.observed:
        if seen.record.get("status") == "returned":
            ctors.setdefault(seen.call.focal.rpartition(".")[0], []).append(seen.call.args)
    ctors = {owner: found[:3] for owner, found in ctors.items()}  # objects to call methods on
    instances = {c: found for c, found in first.instances.items() if c not in ctors}
    calls = plan_calls(
        focals, ctors, sites, settings.calls_per_function, len(ctor_calls), instances
    )
    if not calls:
        return list(first.observed), first.execution
    started, classes = time.monotonic(), sequence_targets(focals, ctors)
    second = probe(
        files,
        module,
        module_path,
        calls,
        seconds * (1 - share) * (0.6 if classes else 1.0),
        settings.call_seconds,
        settings.sandbox,
        settings.import_seconds,
        explore_targets(focals, ctors, {"function", "method", "static"}),
        stale_s=settings.stale_s,
    )
    observed = [*first.observed, *second.observed]
    left = seconds * (1 - share) - (time.monotonic() - started)
    if not classes or left < 1.0:
        return observed, second.execution
    third = probe(
        files,
        module,
        module_path,
        (),
        left,
        settings.call_seconds,
        settings.sandbox,
        settings.import_seconds,
        sequences=classes,
        stale_s=settings.stale_s,
    )
    found = [replace(o, call=sequence_focal(o.call, focals)) for o in third.observed]
    return [*observed, *found], second.execution


@dataclass(frozen=True)
class SearchSettings:
    calls_per_function: int
    ctors_per_class: int
    call_seconds: float
    import_seconds: float
    sandbox: SandboxConfig
    stale_s: float = 10.0  # a random search stops after this long without new coverage

"""The strength check: the share of mutants of the focal code that the kept tests kill.

Mutants are `codeintel.edits.mutations` of each focal function (the operators repair
learns to invert), a few per function, each spliced into the module. A mutant is
killed when the test file does not pass on it (it fails, errors or hangs), run on the
sandbox's fast path.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from codeintel.edits import SourceSyntaxError, mutations
from codeintel.sandbox import Layout, Outcome, SandboxConfig, Validator
from codeintel.tasks.testgen.plan import Focal
from codeintel.tasks.testgen.records import MutationScore


def mutants(source: str, focals: Sequence[Focal], per_function: int) -> list[str]:
    """Whole-module mutants: up to `per_function` for each focal function, in order."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    for focal in focals:
        if focal.kind == "constructor" and not focal.params and focal.line == focal.end_line:
            continue  # a class without its own constructor
        text = "".join(lines[focal.line - 1 : focal.end_line])
        try:
            found = list(itertools.islice(mutations(text), per_function))
        except SourceSyntaxError:
            continue
        for mutation in found:
            before, after = lines[: focal.line - 1], lines[focal.end_line :]
            out.append("".join(before) + mutation.source + "".join(after))
    return out


def mutation_score(
    files: dict[str, str],
    module_file: str,
    tests: Sequence[str],
    variants: Sequence[str],
    config: SandboxConfig,
    seconds: float,
    layout: Layout | None = None,
) -> MutationScore:
    """Run `tests` (test files or node ids among `files`) on each variant of the module,
    within `seconds` in all."""
    if not variants:
        return MutationScore(0, 0)
    per = max(seconds / len(variants), 0.5)
    killed = 0
    with Validator(files, list(tests), config, layout=layout or Layout()) as validator:
        for variant in variants:
            run = validator.validate({module_file: variant}, timeout_s=per, first_failure=True)
            killed += run.outcome is not Outcome.PASSED
    return MutationScore(len(variants), killed)

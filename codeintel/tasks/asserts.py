"""Assert generation (Tufano et al.): a test prefix and its focal code -> ranked assert
statements, each run to see whether it passes.

    for c in generate_asserts(prefix, focal_source):
        print(c.validated, c.statement)

`run` is the pipeline:

1. input: `assert:` + the test prefix + the focal code (`formats.assert_input`, the
   training format of `data_pipelines/focal.py`).
2. generate: the model's beam of statements, scored by log-likelihood.
3. post-process: statements that do not parse are dropped; the values the prefix's
   variables hold when it ends (observed by running it in the sandbox) give
   `assert name == value` candidates where the model has none.
4. grade: each statement runs after the prefix, against the focal code, in the
   sandbox; passing ones rank first, then the model's (by score), then observed ones.
"""

from __future__ import annotations

import ast
import json
import secrets
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeintel.errors import InputError
from codeintel.models import formats
from codeintel.models.backend import prompted
from codeintel.records import JsonRecord
from codeintel.sandbox import Outcome, SandboxConfig, Validator
from codeintel.sandbox import run as sandbox_run
from codeintel.tasks import loaded, positive
from parsers.text import python_ast

FOCAL = "focal.py"
TEST = "test_assert.py"
PROBE = Path(__file__).resolve().parent / "testgen" / "probe.py"


@dataclass(frozen=True)
class AssertCandidate(JsonRecord):
    statement: str
    score: float  # the model's log-likelihood; 0.0 for an observed value
    validated: bool  # it passed when run after the prefix
    origin: str  # "model" or "observed"


@dataclass(frozen=True)
class AssertRequest:
    test_prefix: str  # a test function up to (not including) its assert
    focal_source: str  # the focal code: a function, or the whole module it lives in
    samples: int = 10
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    header: str | None = None  # the test file's imports; None: the focal module's names


def _prefix_tree(prefix: str) -> ast.FunctionDef:
    try:
        tree = ast.parse(textwrap.dedent(prefix) + "\n        pass")
    except SyntaxError:
        try:
            tree = ast.parse(textwrap.dedent(prefix))
        except SyntaxError as exc:
            raise InputError(
                f"the test prefix does not parse: {exc.msg} (line {exc.lineno})"
            ) from exc
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef):
        raise InputError("the test prefix must start with a test function: def test_...():")
    return node


def _unittest(node: ast.FunctionDef) -> bool:
    return bool(node.args.args) and node.args.args[0].arg == "self"


def runnable_test(prefix: str, statement: str, header: str | None = None) -> str:
    """The runnable test file: the focal module's names (or `header`), the prefix, the
    statement."""
    node = _prefix_tree(prefix)
    body = textwrap.dedent(prefix).rstrip("\n")
    lines = [ln for ln in body.split("\n")[1:] if ln.strip()]
    indent = (lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())] if lines else "") or "    "
    function = f"{body}\n{indent}{statement}\n"
    names = "import focal\nfrom focal import *  # noqa: F403\n" if header is None else header
    head = f"import unittest\n{names.rstrip()}\n\n\n"
    if _unittest(node):
        return head + "class TestAssert(unittest.TestCase):\n" + textwrap.indent(function, "    ")
    return head + function


def parses(statement: str) -> bool:
    tree = python_ast(statement)
    if tree is None:
        return False
    return len(tree.body) == 1


def observed_values(request: AssertRequest) -> dict[str, str]:
    """Literals of the prefix's local variables when it ends, from a sandboxed run."""
    node = _prefix_tree(request.test_prefix)
    token = "@@" + secrets.token_hex(8) + "@@"
    script = _OBSERVE.format(name=node.name, token=token, unittest=_unittest(node))
    files = {
        FOCAL: request.focal_source,
        TEST: runnable_test(request.test_prefix, "pass", request.header),
        "codeintel_probe.py": PROBE.read_text(encoding="utf-8"),
        "codeintel_observe.py": script,
    }
    execution = sandbox_run(["python", "-I", "codeintel_observe.py"], files, request.sandbox)
    for line in execution.stdout.splitlines():
        if line.startswith(token):
            return {k: v for k, v in json.loads(line[len(token) :]).items() if v is not None}
    return {}


_OBSERVE = """
import os, sys, json
sys.path.insert(0, os.getcwd())
import codeintel_probe, test_assert
captured = {{}}
def tracer(frame, event, arg):
    if frame.f_code.co_name != {name!r}:
        return None
    def local(frame, event, arg):
        if event == "return":
            captured.update(frame.f_locals)
        return local
    return local
if {unittest}:
    test = getattr(test_assert.TestAssert({name!r}), {name!r})
else:
    test = getattr(test_assert, {name!r})
sys.settrace(tracer)
try:
    test()
finally:
    sys.settrace(None)
values = {{k: codeintel_probe.literal(v) for k, v in captured.items()
          if k != "self" and not k.startswith("_")}}
print({token!r} + json.dumps(values))
"""


def observed_candidates(request: AssertRequest) -> list[str]:
    """`assert name == value` (or `self.assertEqual`) for the variables the prefix
    assigns, the last assigned first."""
    node = _prefix_tree(request.test_prefix)
    values = observed_values(request)
    assigned = [
        t.id
        for sub in ast.walk(node)
        if isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        for t in (sub.targets if isinstance(sub, ast.Assign) else [sub.target])
        if isinstance(t, ast.Name)
    ]
    names = [n for n in reversed(dict.fromkeys(assigned)) if n in values]
    if _unittest(node):
        return [f"self.assertEqual({n}, {values[n]})" for n in names]
    return [f"assert {n} == {values[n]}" for n in names]


def causal_prompt(request: AssertRequest) -> str:
    """The focal code, then the test up to its assert and the assert's start, which a
    causal model continues."""
    prefix = textwrap.dedent(request.test_prefix).rstrip()
    last = prefix.splitlines()[-1] if prefix else ""
    indent = last[: len(last) - len(last.lstrip())] or "    "
    return f"{request.focal_source.rstrip()}\n\n\n{prefix}\n{indent}assert "


def causal_asserts(request: AssertRequest, model: Any) -> list[tuple[str, float, str]]:
    """Assert statements from a causal model or a server: the rest of the `assert` line
    (the greedy one, then samples)."""
    from codeintel.models.causal import greedy_and_samples

    prompt = causal_prompt(request)
    found = greedy_and_samples(
        lambda c: model.generate([prompt], c)[0], request.samples, 48, ("\n",)
    )
    return [(f"assert {g.text.strip()}", g.logprob, "model") for g in found if g.text.strip()]


def run(request: AssertRequest, model: Any) -> list[AssertCandidate]:
    """input -> generate -> post-process -> grade; see the module docstring."""
    _prefix_tree(request.test_prefix)
    model = loaded(model)
    generated: list[tuple[str, float, str]] = []
    if model is not None and prompted(model):  # a causal model, a server
        generated = causal_asserts(request, model)
    elif model is not None:
        from codeintel.models import DecodeMode, GenerationConfig

        text = formats.assert_input(request.test_prefix.rstrip(), request.focal_source)
        beam = GenerationConfig(n=request.samples, mode=DecodeMode.BEAM, beam_width=request.samples)
        generated = [(g.text.strip(), g.logprob, "model") for g in model.generate([text], beam)[0]]
    generated += [(s, 0.0, "observed") for s in observed_candidates(request)]
    seen: set[str] = set()
    unique = []
    for statement, score, origin in generated:
        if parses(statement) and statement not in seen:
            seen.add(statement)
            unique.append((statement, score, origin))
    return ranked(grade(request, unique))[: request.samples]


def grade(request: AssertRequest, found: list[tuple[str, float, str]]) -> list[AssertCandidate]:
    if not found:
        return []
    files = {
        FOCAL: request.focal_source,
        TEST: runnable_test(request.test_prefix, "pass", request.header),
    }
    out = []
    with Validator(files, [TEST], request.sandbox) as validator:
        for statement, score, origin in found:
            source = runnable_test(request.test_prefix, statement, request.header)
            run_ = validator.validate({TEST: source})
            out.append(AssertCandidate(statement, score, run_.outcome is Outcome.PASSED, origin))
    return out


def ranked(candidates: list[AssertCandidate]) -> list[AssertCandidate]:
    """Validated first; then the model's by score, then observed ones."""
    return sorted(candidates, key=lambda c: (not c.validated, c.origin != "model", -c.score))


def needs_model(request: AssertRequest) -> bool:
    return True


def make_request(
    *,
    test_prefix: str,
    focal_source: str,
    samples: int = 10,
    header: str | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
    disk_mb: int | None = None,
    control: Any = None,
) -> AssertRequest:
    """A request for a test prefix (a test function up to its assert) and its focal
    code; InputError for a prefix that is not a test function."""
    positive(samples, "samples")
    _prefix_tree(test_prefix)
    sandbox = SandboxConfig().with_options(timeout, memory_mb, disk_mb, control)
    return AssertRequest(test_prefix, focal_source, samples, sandbox, header)


def generate_asserts(
    test_prefix: str, focal_source: str, samples: int = 10, model: Any = None
) -> list[AssertCandidate]:
    """Ranked assert statements for a test prefix and its focal code; see the module
    docstring. `model` is a spec (bundled name, checkpoint folder, server URL), a loaded
    model, or None (the default); `model=False` ranks the observed values alone."""
    from codeintel import tasks

    request = make_request(test_prefix=test_prefix, focal_source=focal_source, samples=samples)
    if model is False:
        return run(request, None)
    return run(request, tasks.start_model("asserts", request, model))

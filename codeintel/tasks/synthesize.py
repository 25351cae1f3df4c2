"""Body synthesis (PyMT5 body mode): function bodies from a signature and docstring,
ranked by running them.

    candidates = synthesize(open("add.py").read())  # def add(a, b): + a docstring

`run` is the pipeline:

1. input: the text is parsed, the function found (the last one, or the one named),
   and the model sees `body:` + its signature and docstring (`formats.pymt5_input`,
   as in the training data, `data_pipelines/pymt5.py`).
2. generate: the model's beam and samples of the body.
3. post-process: each body is indented under the signature and appended to the
   text; programs that do not parse are dropped, and duplicates.
4. grade: each program runs in the sandbox against the given tests, or, without
   tests, against the docstring's own examples (`>>> f(x)` with the expected output
   on the next line, and lines like `f(x) == y`). Passing candidates rank first,
   then by the model's log-likelihood (the generate-then-filter idea of CodeT).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codeintel.context.source import body_indent
from codeintel.errors import InputError, UnknownFunctionError
from codeintel.files import read_text
from codeintel.models import formats
from codeintel.models.backend import prompted
from codeintel.models.loading import ModelHandle
from codeintel.records import JsonRecord
from codeintel.sandbox import Layout, Limits, Outcome, SandboxConfig, Validator
from codeintel.tasks import loaded, parse_python, positive, python_module
from parsers import ParsedFile, ParseError, Scope
from parsers.text import dedent, lines_within, parses, python_ast, reindent

MODULE = "solution.py"  # the program's file name in the sandbox; tests import it
TESTS = "test_solution.py"


class Check(str, enum.Enum):
    """What a candidate was run against."""

    TESTS = "tests"  # the tests the caller gave
    EXAMPLES = "examples"  # the docstring's own examples
    NONE = "none"  # nothing to run it against


@dataclass(frozen=True)
class SynthesisConfig:
    beam: int = 5
    samples: int = 10
    temperature: float = 0.8
    max_new_tokens: int = 256
    sandbox: SandboxConfig = field(
        default_factory=lambda: SandboxConfig(limits=Limits().with_timeout(3.0))
    )


@dataclass(frozen=True)
class SynthesisRequest:
    text: str  # signature and docstring (and any code before them)
    function: str | None
    tests: str | None  # a pytest file that imports the program as `solution`
    config: SynthesisConfig
    # the project around the file (relative path -> content) and its sys.path folders:
    # the program, as solution.py at the root, imports its package's modules from there
    support: Mapping[str, str | bytes] = field(default_factory=dict)
    layout: Layout = field(default_factory=Layout)
    progress: Any = field(default=None, compare=False)  # progress(what, share)


@dataclass(frozen=True)
class BodyCandidate(JsonRecord):
    body: str  # at column 0
    program: str  # the text with the body in place
    logprob: float
    check: Check
    passed: bool | None  # None: not run (nothing to check it against)


# --- input -------------------------------------------------------------------------------


def _function(parsed: ParsedFile, name: str | None) -> Scope:
    functions = list(parsed.functions())
    if name is not None:
        try:
            return parsed.find(name)
        except ParseError as exc:
            raise UnknownFunctionError(str(exc)) from exc
    if not functions:
        raise InputError("the text defines no function to write a body for")
    return functions[-1]


def model_input(request: SynthesisRequest) -> tuple[ParsedFile, Scope, str]:
    """The parsed text, the function, and the model's `body:` input."""
    parsed = parse_python(request.text, "the text")
    python_module(request.text, "the text")  # candidates are whole programs: Python parses them
    scope = _function(parsed, request.function)
    docstring = (scope.docstring or "").strip()
    return parsed, scope, formats.pymt5_input(formats.Prefix.BODY, scope.signature, docstring, "")


# --- post-process ------------------------------------------------------------------------


def place_body(parsed: ParsedFile, scope: Scope, body: str) -> str:
    """The text with `body` (at column 0) as the function's body, after its docstring."""
    source = parsed.source.decode("utf-8")
    end = len(parsed.source[: scope.span.end_byte].decode("utf-8"))
    indented = reindent(body.strip("\n"), body_indent(parsed, scope))
    return source[:end].rstrip() + "\n" + indented + "\n" + source[end:].lstrip("\n")


def programs(parsed: ParsedFile, scope: Scope, generated: Sequence[Any]) -> list[BodyCandidate]:
    """Candidates whose program parses, first occurrence of each body kept."""
    seen, kept = set(), []
    for generation in generated:
        body = generation.text.strip("\n")
        if not body.strip() or body in seen:
            continue
        seen.add(body)
        program = place_body(parsed, scope, body)
        if parses(program):
            kept.append(BodyCandidate(body, program, generation.logprob, Check.NONE, None))
    return kept


# --- grade -------------------------------------------------------------------------------


def docstring_examples(docstring: str, name: str) -> list[tuple[str, str]]:
    """(call, expected) pairs from the docstring: `>>>` examples and `name(...) == y`
    (or `➞`, `=>`, `->`) lines whose both sides are Python expressions."""
    pairs = doctests(docstring.splitlines())
    pattern = re.compile(rf"^\s*({re.escape(name)}\(.*\))\s*(?:==|➞|=>|->)\s*(.+?)\s*$")
    pairs += [m.groups() for m in map(pattern.match, docstring.splitlines()) if m]
    return [(call, want) for call, want in pairs if _expression(call) and _expression(want)]


def doctests(lines: Sequence[str]) -> list[tuple[str, str]]:
    """(source, expected output) of each `>>>` example with an output: `...` lines
    continue the source, and the output runs to a blank line or the next `>>>`.
    Indentation is ignored (doctest itself refuses what is inconsistently indented)."""
    found: list[tuple[str, str]] = []
    source: list[str] | None = None
    want: list[str] = []
    for line in [*map(str.strip, lines), ""]:
        if source is not None and (not line or line.startswith(">>>")):
            if want:
                found.append(("\n".join(source), "\n".join(want)))
            source, want = None, []
        if line.startswith(">>>"):
            source = [line[3:].strip()]
        elif source is not None and line.startswith("...") and not want:
            source.append(line[3:].strip())
        elif source is not None and line:
            want.append(line)
    return found


def _expression(text: str) -> bool:
    return python_ast(text, "eval") is not None


def examples_test(examples: Sequence[tuple[str, str]]) -> str:
    """A pytest file with one test per example."""
    lines = ["from solution import *  # noqa: F403", ""]
    for i, (call, want) in enumerate(examples):
        lines += ["", f"def test_example_{i}():", f"    assert ({call}) == ({want})", ""]
    return "\n".join(lines)


def passing(
    programs: Sequence[str],
    tests: str,
    config: SandboxConfig,
    support: Mapping[str, str | bytes] | None = None,
    layout: Layout | None = None,
) -> list[bool]:
    """For each program (as `solution.py`, beside the `support` files), whether the pytest
    file `tests` passes on it; all in one warm sandbox."""
    if not programs:
        return []
    files = {**(support or {}), MODULE: programs[0], TESTS: tests}
    with Validator(
        files, [TESTS], config, code_under_test=[MODULE], layout=layout or Layout()
    ) as validator:
        return [validator.validate({MODULE: p}).outcome is Outcome.PASSED for p in programs]


def grade(
    candidates: Sequence[BodyCandidate], tests: str, check: Check, request: SynthesisRequest
) -> list[BodyCandidate]:
    """Each candidate run against `tests`."""
    programs = [c.program for c in candidates]
    sandbox = request.config.sandbox
    verdicts = passing(programs, tests, sandbox, request.support, request.layout)
    return [replace(c, check=check, passed=v) for c, v in zip(candidates, verdicts, strict=True)]


def ranked(candidates: Sequence[BodyCandidate]) -> list[BodyCandidate]:
    """Passing first, then by the model's log-likelihood."""
    return sorted(candidates, key=lambda c: (c.passed is not True, -c.logprob))


# --- the pipeline and the API -------------------------------------------------------------


STOPS = ("\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#")  # Codex's HumanEval stops


def generate(request: SynthesisRequest, model: Any) -> list[Any]:
    """The seq2seq model's beam and samples for the `body:` input."""
    from codeintel.models import DecodeMode, GenerationConfig

    _, _, text = model_input(request)
    config, generated = request.config, []
    for mode, n in ((DecodeMode.BEAM, config.beam), (DecodeMode.SAMPLE, config.samples)):
        if n > 0:
            generation = GenerationConfig(
                n=n, mode=mode, temperature=config.temperature, max_new_tokens=config.max_new_tokens
            )
            generated += model.generate([text], generation)[0]
    return generated


def generate_causal(request: SynthesisRequest, model: Any) -> list[Any]:
    """A causal model's continuations of the text up to the docstring's end (the
    HumanEval prompt): its greedy one (when the config asks for a beam) and `samples`
    samples, each cut where the function ends and moved to column 0."""
    from codeintel.models.causal import CausalGeneration

    parsed, scope, _ = model_input(request)
    config = request.config
    prompt = parsed.source[: scope.span.end_byte].decode("utf-8").rstrip() + "\n"
    tokens, found = config.max_new_tokens, []
    if config.beam > 0:  # the greedy continuation stands for the beam
        found += model.generate([prompt], CausalGeneration(max_new_tokens=tokens, stop=STOPS))[0]
    if config.samples > 0:
        sampled = CausalGeneration(
            n=config.samples, max_new_tokens=tokens, temperature=config.temperature, stop=STOPS
        )
        found += model.generate([prompt], sampled)[0]
    head = request.text.split("\n")[scope.span.start_line - 1]
    indent = head[: len(head) - len(head.lstrip())]
    return [replace(g, text=dedent("\n".join(lines_within(g.text, indent)))) for g in found]


def run(request: SynthesisRequest, model: Any) -> list[BodyCandidate]:
    """input -> generate -> post-process -> grade -> ranked candidates; `progress(what,
    share)` hears of each step. A causal model continues the text itself."""
    parsed, scope, _ = model_input(request)
    say = request.progress or (lambda what, share: None)
    if isinstance(model, ModelHandle) and not model.ready():
        say("loading the model", 0.0)
    model = loaded(model)
    say(f"writing bodies for {scope.qualified_name}", 0.1)
    causal = prompted(model)
    generated = (generate_causal if causal else generate)(request, model)
    candidates = programs(parsed, scope, generated)
    examples = docstring_examples(scope.docstring or "", scope.name)
    if request.tests is not None or examples:
        say(f"running {len(candidates)} candidates in the sandbox", 0.7)
    if request.tests is not None:
        candidates = grade(candidates, request.tests, Check.TESTS, request)
    elif examples:
        candidates = grade(candidates, examples_test(examples), Check.EXAMPLES, request)
    return ranked(candidates)


def needs_model(request: SynthesisRequest) -> bool:
    return True


def project_support(path: Path) -> tuple[dict[str, str | bytes], Layout]:
    """The files of the project around `path` (the file itself as it is on disk: its
    package may import it) and its sys.path folders; nothing outside any project."""
    from codeintel import project as projects

    try:
        found = projects.load_project(path)
        files: dict[str, str | bytes] = dict(projects.project_files(found))
    except InputError:
        return {}, Layout()
    return files, Layout(found.pythonpath)


def make_request(
    *,
    file: str | Path | None = None,
    source: str | None = None,
    function: str | None = None,
    tests: str | None = None,
    samples: int = 10,
    timeout: float | None = None,
    memory_mb: int | None = None,
    disk_mb: int | None = None,
    control: Any = None,
    config: SynthesisConfig | None = None,
    progress: Any = None,
) -> SynthesisRequest:
    """A request for the function in `source` (the signature and docstring; the last
    function, or `function`), or in the file `file` (with `source` too: that file's
    text as the editor has it). `tests`: a pytest file's text importing the program as
    `solution` (None: the docstring's examples). `samples` bodies are sampled and half
    as many searched by beam. With `file`, the program runs beside its project's files,
    so its absolute imports of the package's modules work."""
    if file is None and source is None:
        raise InputError("give the file or its source text")
    text = source if source is not None else read_text(Path(str(file)), "file")
    positive(samples, "samples")
    config = config or replace(SynthesisConfig(), samples=samples, beam=max(samples // 2, 1))
    sandbox = config.sandbox.with_options(timeout, memory_mb, disk_mb, control)
    config = replace(config, sandbox=sandbox)
    support, layout = project_support(Path(file)) if file is not None else ({}, Layout())
    request = SynthesisRequest(text, function, tests, config, support, layout, progress)
    model_input(request)  # bad input fails before the model loads
    return request


def synthesize(
    signature_and_docstring: str,
    samples: int = 10,
    tests: str | None = None,
    *,
    function: str | None = None,
    model: Any = None,
    config: SynthesisConfig | None = None,
    path: Path | None = None,
    progress: Any = None,
    model_name: str | None = None,
) -> list[BodyCandidate]:
    """Bodies for the function in `signature_and_docstring` (the last one, or `function`):
    `samples` samples and half as many beams, run against `tests` (a pytest file
    importing the program as `solution`) or the docstring's examples; passing ones
    first. With `path` (the file the text is from), the program runs beside its
    project's files, so its absolute imports of the package's modules work."""
    from codeintel import tasks

    request = make_request(
        file=path,
        source=signature_and_docstring,
        function=function,
        tests=tests,
        samples=samples,
        config=config,
        progress=progress,
    )
    return run(request, tasks.start_model("body", request, model, model_name))

"""Docstrings (PyMT5 doc mode): candidates for functions, ranked, and inserted on request.

    result = summarize("mod.py", style="google")
    print(result.functions[0].candidates[0].docstring)

`run` is the pipeline:

1. input: the functions to document (the one named, or every function without a
   docstring except private ones and overrides of a base class's method, unless
   `every`); for each, `doc:` + its signature and body (`formats.pymt5_input`, as
   in the training data, `data_pipelines/pymt5.py`). With an index (`codeintel
   index`), also the documented functions nearest to it there (`neighbours`).
2. generate: the model's beam, best first; and the model's log-likelihood of each
   neighbour's summary given this function (`retrieved`).
3. post-process: the summary cleaned (one paragraph, first letter capital, a full
   stop), duplicates dropped; the neighbours' summaries that fit come first, best fit
   first (`DocRetrieval`: the model's mean token log-probability plus a weight times
   the similarity), then the beam; for the "google" and "numpy" styles the parameter
   and return sections come from the signature's type hints, and only with content.
3b. assess: a candidate is confident when it is a near-clone's summary, or the model's
   with a mean token log-probability at or above `DocConfidence.min_mean_logprob`;
   either way every ``name`` it quotes must be a name the function uses. Confident
   candidates come first; a function with none has "no confident docstring".
4. insert (only when asked): the best confident candidate becomes the function's docstring,
   at the body's indentation, quoted; every byte outside the insertion stays as it
   was, and the result must parse.
"""

from __future__ import annotations

import ast
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codeintel.budget import Budget
from codeintel.context.source import body_indent
from codeintel.errors import InputError, UnknownFunctionError
from codeintel.files import read_text
from codeintel.models import formats
from codeintel.models.backend import prompted
from codeintel.models.loading import ModelHandle
from codeintel.records import JsonRecord
from codeintel.tasks import loaded, parse_python, positive
from parsers import ParsedFile, ParseError, Scope, parse
from parsers.text import (
    body_without_docstring,
    code_shape,
    line_start,
    parses,
    python_ast,
    splice,
)


@dataclass(frozen=True)
class DocDecoding:
    """How summaries are decoded (chosen on the valid split, BENCHMARKS.md)."""

    beam_width: int = 5
    max_new_tokens: int = 64
    no_repeat_ngram_size: int = 3  # same best candidates on valid; no "if x if x if x" below
    length_penalty: float = 0.0

    def generation(self, n: int) -> Any:
        from codeintel.models import DecodeMode, GenerationConfig

        return GenerationConfig(
            n=n,
            mode=DecodeMode.BEAM,
            max_new_tokens=self.max_new_tokens,
            beam_width=max(n, self.beam_width),
            no_repeat_ngram_size=self.no_repeat_ngram_size,
            length_penalty=self.length_penalty,
        )


@dataclass(frozen=True)
class DocRetrieval:
    """How the docstrings of similar functions become candidates (chosen on the valid
    split, BENCHMARKS.md "Retrieved docstrings", with the hashed embedder: an index of
    another embedder has other cosines, and the floor and weight were not tuned for it)."""

    k: int = 5  # nearest documented functions whose summaries are candidates
    similarity_weight: float = 5.0  # fit = mean token log-prob + this * cosine
    min_similarity: float = 0.2  # less similar than this: not a candidate
    fetched: int = 50  # index neighbours searched for k documented ones


@dataclass(frozen=True)
class DocConfidence:
    """When a model-written summary is confident enough to offer as the answer (the floor
    was chosen on the valid split, BENCHMARKS.md "The docstring quality floor")."""

    min_mean_logprob: float = -1.0  # the summary's log p per token, end of text included


class Origin(str, enum.Enum):
    MODEL = "model"  # the model's beam
    RETRIEVED = "retrieved"  # the summary of a similar documented function


class DocStyle(str, enum.Enum):
    ONELINE = "oneline"
    GOOGLE = "google"
    NUMPY = "numpy"


@dataclass(frozen=True)
class DocstringRequest:
    source: str
    function: str | None  # None: every function without a docstring
    style: DocStyle
    samples: int  # candidates per function
    force: bool  # replace a docstring the named function already has
    index: Any = None  # a retrieval.CodeIndex to take neighbours from, or None
    path: str | None = None  # the file's path under the index's root (its own rows skipped)
    retrieval: DocRetrieval = DocRetrieval()
    confidence: DocConfidence = DocConfidence()
    every: bool = False  # private functions and overrides too (when function is None)
    insert: bool = False  # the result's patched_source: the best confident ones inserted
    # a function is started only when the mean time of those done so far still fits
    budget: Budget | None = None
    progress: Any = field(default=None, compare=False)  # progress(what, share)


@dataclass(frozen=True)
class Neighbour:
    """A documented function similar to the one being documented."""

    summary: str  # its docstring's first paragraph, cleaned as the model's are
    similarity: float  # cosine to the function being documented
    where: str  # file:line in the index, or another label


@dataclass(frozen=True)
class Retrieved:
    neighbour: Neighbour
    logprob: float  # the model's log p(summary | this function)
    fit: float  # what ranks the retrieved candidates (DocRetrieval)


@dataclass(frozen=True)
class DocstringCandidate(JsonRecord):
    docstring: str  # the text inside the quotes, at column 0
    logprob: float  # the model's log p of the summary given the function
    origin: Origin = Origin.MODEL
    where: str = ""  # for a retrieved one: the function it comes from
    confident: bool = False  # see DocConfidence; what is not confident is never written


@dataclass(frozen=True)
class FunctionDocstrings(JsonRecord):
    function: str  # qualified name
    line: int  # where the function starts
    candidates: tuple[DocstringCandidate, ...]  # confident ones first, best first
    confident: bool = False  # its first candidate is confident (what --write inserts)


@dataclass(frozen=True)
class DocstringResult(JsonRecord):
    functions: tuple[FunctionDocstrings, ...]
    patched_source: str | None = None  # with the best confident candidates inserted
    skipped: tuple[str, ...] = ()  # private functions and overrides left out (not `every`)
    unfinished: tuple[str, ...] = ()  # functions the budget left no time for


# --- input -------------------------------------------------------------------------------


def _methods(node: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return {m.name: m for m in node.body if isinstance(m, kinds)}


def _inherited(classes: dict[str, ast.ClassDef], node: ast.ClassDef, name: str) -> bool:
    """Whether a base of `node` defined in the file (transitively) has method `name`."""
    seen, todo = {node.name}, [node]
    while todo:
        for base in todo.pop().bases:
            parent = classes.get(base.id) if isinstance(base, ast.Name) else None
            if parent is None or parent.name in seen:
                continue
            if name in _methods(parent):
                return True
            seen.add(parent.name)
            todo.append(parent)
    return False


def _decorated_override(method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(ast.unparse(d).rsplit(".", 1)[-1] == "override" for d in method.decorator_list)


def overrides(tree: ast.Module) -> set[str]:
    """Qualified names of the methods that override a base class's: decorated with
    `override`, or named as a method of a base class defined in the same file (bases
    imported from elsewhere are not looked into)."""
    nested = [(node, "") for node in tree.body if isinstance(node, ast.ClassDef)]
    every: list[tuple[ast.ClassDef, str]] = []
    while nested:
        node, prefix = nested.pop(0)
        every.append((node, prefix))
        inner = f"{prefix}{node.name}."
        nested += [(c, inner) for c in node.body if isinstance(c, ast.ClassDef)]
    classes = {node.name: node for node, _ in reversed(every)}
    return {
        f"{prefix}{node.name}.{name}"
        for node, prefix in every
        for name, method in _methods(node).items()
        if _decorated_override(method) or _inherited(classes, node, name)
    }


def undocumented(parsed: ParsedFile, every: bool) -> tuple[list[Scope], list[Scope]]:
    """(to document, skipped): the functions without a docstring; private ones (`_name`,
    dunders included) and overrides are skipped unless `every`."""
    bare = [s for s in parsed.functions() if not (s.docstring or "").strip()]
    if every:
        return bare, []
    tree = python_ast(parsed.source.decode("utf-8"))
    overriding = overrides(tree) if tree is not None else set()
    skip = [s for s in bare if s.name.startswith("_") or s.qualified_name in overriding]
    return [s for s in bare if s not in skip], skip


def targets(parsed: ParsedFile, request: DocstringRequest) -> list[Scope]:
    """The function named (an error if it has a docstring, unless forced), or every
    function that has none (see `undocumented`)."""
    if request.function is None:
        return undocumented(parsed, request.every)[0]
    try:
        scope = parsed.find(request.function)
    except ParseError as exc:
        raise UnknownFunctionError(str(exc)) from exc
    if (scope.docstring or "").strip() and not request.force:
        raise InputError(f"{scope.qualified_name} already has a docstring (--force replaces it)")
    return [scope]


def model_input(parsed: ParsedFile, scope: Scope) -> str:
    body = body_without_docstring(parsed, scope)
    return formats.pymt5_input(formats.Prefix.DOC, scope.signature, None, body)


def neighbours(request: DocstringRequest, parsed: ParsedFile, scope: Scope) -> list[Neighbour]:
    """The documented near-clones of `scope` in the index (the same `code_shape`: its body
    up to renamed local names), itself left out; another function's docstring would
    describe something else."""
    if request.index is None:
        return []
    from codeintel.retrieval.collect import body_hash

    shape = code_shape(parsed.text(scope.span))
    if shape is None:
        return []
    own, found = body_hash(scope), []
    for function in request.index.with_shape(shape):
        itself = function.file == request.path and function.qualified_name == scope.qualified_name
        if itself or function.body_hash == own:
            continue  # the function itself, as it was indexed (or a copy, docstring and all)
        summary = summary_line(function.docstring)
        if summary:
            found.append(Neighbour(summary, 1.0, function.where))
    return found


# --- generate ------------------------------------------------------------------------------


def fit(logprob: float, tokens: int, similarity: float, config: DocRetrieval) -> float:
    """How well a retrieved summary suits the function: mean token log-prob + similarity."""
    return logprob / max(tokens, 1) + config.similarity_weight * similarity


def scores_continuations(model: Any) -> bool:
    """Whether the model gives log-probabilities of given continuations."""
    return model.capabilities.scores


def retrieved(
    model: Any, text: str, found: Sequence[Neighbour], config: DocRetrieval = DocRetrieval()
) -> list[Retrieved]:
    """The k most similar neighbours (above the floor, one per summary), best fit first;
    `text` is the function's model input."""
    near = {n.summary: n for n in reversed(found) if n.similarity >= config.min_similarity}
    chosen = sorted(near.values(), key=lambda n: -n.similarity)[: config.k]
    if not scores_continuations(model):  # a server: the near-clones by similarity alone
        scores: tuple[float, ...] = tuple(0.0 for _ in chosen)
    else:
        scores = model.score(text, [n.summary for n in chosen]) if chosen else ()
    ranked = [
        Retrieved(n, s, fit(s, model.count_tokens(n.summary), n.similarity, config))
        for n, s in zip(chosen, scores, strict=True)
    ]
    return sorted(ranked, key=lambda r: -r.fit)


# --- post-process ------------------------------------------------------------------------


def summary_line(text: str) -> str:
    """The generated text as one summary paragraph: spaces folded, a capital, a stop."""
    summary = " ".join(text.replace('"""', "").split("\n\n", 1)[0].split())
    if not summary:
        return ""
    summary = summary[0].upper() + summary[1:]
    return summary if summary[-1] in ".!?" else summary + "."


def _parameters(signature: str) -> tuple[list[tuple[str, str]], str]:
    """[(name, type)] of the parameters (self and cls left out) and the return type."""
    try:
        tree = ast.parse(signature.strip() + "\n    pass\n")
    except SyntaxError:
        return [], ""
    function = tree.body[0]
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [], ""
    args = function.args
    every = [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]
    params = [
        (a.arg, ast.unparse(a.annotation) if a.annotation else "")
        for a in every
        if a is not None and a.arg not in ("self", "cls")
    ]
    returns = ast.unparse(function.returns) if function.returns else ""
    return params, returns


def styled(summary: str, signature: str, style: DocStyle) -> str:
    """The docstring text: the summary, then the sections of the style that have content
    (a parameter's entry its type hint, the return section the return type's; an
    unannotated parameter gets no empty entry)."""
    if style is DocStyle.ONELINE:
        return summary
    params, returns = _parameters(signature)
    typed = [(n, t) for n, t in params if t]
    returns = "" if returns == "None" else returns
    lines = [summary]
    if style is DocStyle.GOOGLE:
        if typed:
            lines += ["", "Args:", *(f"    {n} ({t}):" for n, t in typed)]
        if returns:
            lines += ["", "Returns:", f"    {returns}"]
    else:
        if typed:
            lines += ["", "Parameters", "----------", *(f"{n} : {t}" for n, t in typed)]
        if returns:
            lines += ["", "Returns", "-------", returns]
    return "\n".join(lines)


_QUOTED = re.compile(r"`{1,2}([A-Za-z_][\w.]*)`{1,2}")
_CONSTANTS = frozenset({"True", "False", "None"})


@dataclass(frozen=True)
class Assessor:
    """Whether a candidate is confident (see the module's docstring)."""

    names: frozenset[str]  # every identifier of the function's code
    count_tokens: Any  # str -> int, the model's tokenizer
    config: DocConfidence = DocConfidence()
    scores: bool = True  # the model's log-probabilities mean something (not a server's)

    def quotes_only_own_names(self, summary: str) -> bool:
        quoted = {q.split(".")[0] for q in _QUOTED.findall(summary)}
        return quoted <= self.names | _CONSTANTS

    def __call__(self, summary: str, logprob: float, origin: Origin) -> bool:
        if not self.quotes_only_own_names(summary):
            return False
        if origin is Origin.RETRIEVED:
            return True  # a near-clone's own summary (`neighbours`)
        if not self.scores:
            return False  # no probability to judge the model's own summary by
        mean = logprob / (self.count_tokens(summary) + 1)
        return mean >= self.config.min_mean_logprob


def assessor(code: str, model: Any, config: DocConfidence) -> Assessor:
    names = frozenset(re.findall(r"[A-Za-z_]\w*", code))
    return Assessor(names, model.count_tokens, config, scores_continuations(model))


def candidates(
    signature: str,
    generated: Sequence[Any],
    style: DocStyle,
    found: Sequence[Retrieved] = (),
    assess: Any = None,
) -> tuple[DocstringCandidate, ...]:
    """The retrieved summaries (best fit first), then the beam's; each summary once; the
    confident ones (`assess(summary, logprob, origin)`; None: none is) first."""
    summaries = [
        (r.neighbour.summary, r.logprob, Origin.RETRIEVED, r.neighbour.where) for r in found
    ]
    summaries += [(summary_line(g.text), g.logprob, Origin.MODEL, "") for g in generated]
    seen, kept = set(), []
    for summary, logprob, origin, where in summaries:
        if summary and summary not in seen:
            seen.add(summary)
            text = styled(summary, signature, style)
            sure = assess is not None and assess(summary, logprob, origin)
            kept.append(DocstringCandidate(text, logprob, origin, where, sure))
    return tuple(sorted(kept, key=lambda c: not c.confident))


# --- insert --------------------------------------------------------------------------------


def quoted(text: str, indent: str) -> str:
    """`text` as a triple-quoted literal at `indent` (backslashes and quotes escaped)."""
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if "\n" not in body:
        return f'{indent}"""{body}{" " if body.endswith(chr(34)) else ""}"""'
    lines = [f"{indent}{line}" if line else "" for line in body.split("\n")]
    return f'{indent}"""' + "\n".join(lines)[len(indent) :] + f'\n{indent}"""'


def docstring_lines(source: bytes, scope: Scope) -> tuple[int, int]:
    """Byte range of the scope's docstring's whole lines; without one, the empty range at
    the start of its body's first line (where one goes)."""
    if scope.docstring_span is None:
        start = line_start(source, scope.body_span.start_byte)
        return start, start
    start = line_start(source, scope.docstring_span.start_byte)
    end = source.find(b"\n", scope.docstring_span.end_byte)
    return start, len(source) if end < 0 else end + 1


def insert(parsed: ParsedFile, scope: Scope, docstring: str) -> bytes:
    """The file with `docstring` as the scope's docstring (replacing its own, if any)."""
    source = parsed.source
    start, end = docstring_lines(source, scope)
    if scope.docstring_span is None and source[start : scope.body_span.start_byte].strip():
        raise InputError(
            f"{scope.qualified_name} has its body on the line of its signature; "
            "put the body on a line of its own first"
        )
    literal = quoted(docstring, body_indent(parsed, scope)) + "\n"
    return splice(source, start, end, literal)


def insert_all(source: str, chosen: Sequence[tuple[str, str]]) -> str:
    """`source` with each (function, docstring) inserted, last in the file first."""
    parsed = parse(source, "python")
    spans = {s.qualified_name: s.span.start_byte for s in parsed.functions()}
    for name, docstring in sorted(chosen, key=lambda c: -spans[c[0]]):
        parsed = parse(source, "python")
        source = insert(parsed, parsed.find(name), docstring).decode("utf-8")
    if not parses(source):
        raise InputError("inserting the docstrings would break the file; nothing was changed")
    return source


# --- the pipeline and the API -------------------------------------------------------------


def causal_prompt(parsed: ParsedFile, scope: Scope) -> tuple[str, str]:
    """(prefix, suffix) for a causal model: the file up to the function's body with a
    docstring opened at the body's indentation; the body after it (the suffix is only
    seen through a FIM template)."""
    source = parsed.source
    start, end = docstring_lines(source, scope)  # its own docstring left out (forced)
    prefix = source[:start].decode("utf-8") + f'{body_indent(parsed, scope)}"""'
    return prefix, f'"""\n{source[end:].decode("utf-8")}'


def causal_summaries(parsed: ParsedFile, scope: Scope, model: Any, n: int) -> list[Any]:
    """A causal model's docstrings for the function: its greedy one, then samples, each
    ended at the closing quotes."""
    from codeintel.models.causal import greedy_and_samples

    prefix, suffix = causal_prompt(parsed, scope)
    return greedy_and_samples(
        lambda c: model.fill_in_middle(prefix, suffix, c), n, 64, stop=('"""',)
    )


def document(
    request: DocstringRequest, parsed: ParsedFile, scope: Scope, model: Any
) -> FunctionDocstrings:
    """One function's candidates: generated, retrieved from near-clones, assessed."""
    text = model_input(parsed, scope)
    if prompted(model):  # a code model: the docstring opened in place
        generated = causal_summaries(parsed, scope, model, request.samples)
    else:
        generated = model.generate([text], DocDecoding().generation(request.samples))[0]
    near = retrieved(model, text, neighbours(request, parsed, scope), request.retrieval)
    code = parsed.text(scope.span)
    assess = assessor(code, model, request.confidence)
    found = candidates(scope.signature, generated, request.style, near, assess)[: request.samples]
    sure = bool(found) and found[0].confident
    return FunctionDocstrings(scope.qualified_name, scope.span.start_line, found, sure)


def _starts(budget: Budget, began: float, done: int) -> bool:
    """Whether one more function fits: time is left, and the mean time of the functions
    done since `began` (budget.spent() when the first started) fits in it."""
    return budget.left() > 0 and (done == 0 or budget.fits((budget.spent() - began) / done))


def run(request: DocstringRequest, model: Any) -> DocstringResult:
    """input -> generate -> post-process -> assess (-> insert the best confident one of
    each function, `request.insert`). With a budget, a function is started only when
    the mean time of those done so far still fits; the rest are `unfinished`."""
    parsed = parse_python(request.source, "the file")
    if request.function is None:
        chosen, left_out = undocumented(parsed, request.every)
    else:
        chosen, left_out = targets(parsed, request), []
    say, budget = request.progress, request.budget
    if say is not None and isinstance(model, ModelHandle) and not model.ready():
        say("loading the model", 0.0)
    model = loaded(model)
    done: list[FunctionDocstrings] = []
    began = budget.spent() if budget is not None else 0.0
    for number, scope in enumerate(chosen):
        if budget is not None and not _starts(budget, began, len(done)):
            break
        if say is not None:
            say(f"documenting {scope.qualified_name}", number / len(chosen))
        done.append(document(request, parsed, scope, model))
    unfinished = tuple(s.qualified_name for s in chosen[len(done) :])
    skipped = tuple(s.qualified_name for s in left_out)
    result = DocstringResult(tuple(done), None, skipped, unfinished)
    if not request.insert:
        return result
    best = [(f.function, f.candidates[0].docstring) for f in done if f.confident]
    patched = insert_all(request.source, best) if best else None
    return replace(result, patched_source=patched)


def needs_model(request: DocstringRequest) -> bool:
    return True


def make_request(
    *,
    file: str | Path | None = None,
    source: str | None = None,
    function: str | None = None,
    style: DocStyle | str = "oneline",
    samples: int = 5,
    force: bool = False,
    index: str | Path | Any = None,
    every: bool = False,
    insert: bool = False,
    budget: Budget | float | None = None,
    progress: Any = None,
) -> DocstringRequest:
    """A request for the file `file`, or `source` text (with `file` too: that file's
    text as the editor has it); InputError for a bad option or a file that cannot be
    used, before any model loads. `index`: a `codeintel index` folder or a loaded
    CodeIndex, whose documented near-clones are candidates too."""
    if file is None and source is None:
        raise InputError("give the file or its source text")
    clock = Budget(budget) if isinstance(budget, (int, float)) else budget
    text = source if source is not None else read_text(Path(str(file)), "file")
    positive(samples, "samples")
    try:
        chosen = DocStyle(style)
    except ValueError as exc:
        names = ", ".join(s.value for s in DocStyle)
        raise InputError(f"unknown docstring style {style!r}; one of {names}") from exc
    if isinstance(index, (str, Path)):
        from codeintel.retrieval import load_index

        index = load_index(index)
    path = index.relative(Path(file)) if index is not None and file is not None else None
    request = DocstringRequest(
        text,
        function,
        chosen,
        samples,
        force,
        index,
        path,
        every=every,
        insert=insert,
        budget=clock,
        progress=progress,
    )
    targets(parse_python(text, "the file"), request)  # an unknown name fails now
    return request


def summarize(
    path_or_source: str | Path,
    function: str | None = None,
    style: DocStyle | str = "oneline",
    samples: int = 5,
    *,
    insert: bool = False,
    force: bool = False,
    model: Any = None,
    index: str | Path | Any = None,
    every: bool = False,
    budget: Budget | float | None = None,
    progress: Any = None,
    model_name: str | None = None,
) -> DocstringResult:
    """Docstring candidates for `function` (or every public, non-overriding function
    without one; `every=True` also private ones and overrides) of a file path or source
    text; `insert=True` also returns the source with the best confident candidate of
    each function inserted (`patched_source`; the file itself is not touched: the CLI's
    --write does that). With `index` (a `codeintel index` folder or a loaded CodeIndex)
    the summaries of near-clones documented there are candidates too. `budget`
    (seconds, or a Budget started earlier) bounds the whole call, the model's load
    included; functions it leaves no time for are `unfinished`. `model`: a spec
    (bundled name, checkpoint folder, server URL), a loaded model, or None."""
    from codeintel import tasks

    text = str(path_or_source)
    is_path = isinstance(path_or_source, Path) or "\n" not in text
    request = make_request(
        **({"file": path_or_source} if is_path else {"source": text}),
        function=function,
        style=style,
        samples=samples,
        force=force,
        index=index,
        every=every,
        insert=insert,
        budget=budget,
        progress=progress,
    )
    return run(request, tasks.start_model("doc", request, model, model_name))

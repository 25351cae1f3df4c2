"""Code completion (eWASH, retrieval-augmented): the rest of the line or of the block.

    completions = complete(source, line=12, column=8)  # 1-based line, 0-based column

`run` is the pipeline:

1. input: the code of the function before the cursor (`before`, at the function's
   column 0, as in the training data, `data_pipelines/completion.py`) and a window of
   the rest of the file: the eWASH window (the enclosing scopes first, then the file's
   syntax hierarchy by priority) or, with `window=PREFIX`, the plain text before the
   function; with an index, the functions it retrieves (MMR-diverse) first. The one
   budget is the model's input length, split by this rule: `before` takes up to half
   (cut from its front), retrieved code up to a quarter when an index is given (whole
   functions, best first, each cut to fit), and the window the rest. The input is
   `formats.complete_input(retrieved + window, before)`.
2. generate: beam search, the decoder forced to start with what is typed of the
   cursor's line, half-typed word included. (Forcing only up to the word and keeping
   the beams that continue it, "token healing", left 28 of 50 held-out cursors with
   no completion at all for the bundled model, and scored lower: edit similarity
   17.1 against 27.8.)
3. post-process: candidates that do not continue the typed text are dropped; the
   line mode keeps the first line; the block mode keeps the rest of the function,
   re-indented; empty and repeated ones go.
4. grade: each completed file is parsed with tree-sitter; a candidate that leaves a
   syntax error at the lines it fills ranks last. Then by the model's log-likelihood.

A file that does not parse is completed anyway from its text (`Completion.note`
says so); at a cursor outside every function, `before` is the file's text before it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codeintel.context import build_ewash
from codeintel.context.assemble import truncate
from codeintel.errors import InputError
from codeintel.files import read_text
from codeintel.models import formats
from codeintel.models.backend import prompted
from codeintel.records import JsonRecord
from codeintel.tasks import loaded, positive
from parsers import ParsedFile, Scope, parse
from parsers.text import lines_within


class CompletionMode(str, enum.Enum):
    LINE = "line"  # the rest of the line
    BLOCK = "block"  # the rest of the function body


class WindowKind(str, enum.Enum):
    EWASH = "ewash"  # the file's syntax hierarchy by priority (eWASH)
    PREFIX = "prefix"  # the file's text just before the function


LINE_SECONDS = 0.1  # chosen on the valid split (BENCHMARKS.md, "Completion latency")


@dataclass(frozen=True)
class CompletionConfig:
    mode: CompletionMode = CompletionMode.LINE
    samples: int = 5  # completions returned
    beam: int = 5  # beams searched (>= samples); more find more, each slower (BENCHMARKS.md)
    window: WindowKind = WindowKind.EWASH
    retrieved: int = 3  # functions taken from the index, at most
    mmr_lambda: float = 0.7
    line_tokens: int = 24  # new tokens at most, line mode (block: the checkpoint's cap)
    # line mode: decoding stops after this many seconds and the beams decoded by then are
    # the candidates (an editor wants a shorter suggestion in time over a longer one
    # late; BENCHMARKS.md measures what it costs); None: no limit
    line_seconds: float | None = LINE_SECONDS

    def __post_init__(self) -> None:
        if self.samples < 1 or self.beam < self.samples:
            raise InputError(
                f"samples must be at least 1 and beam at least samples, not "
                f"{self.samples}/{self.beam}"
            )
        if self.line_seconds is not None and self.line_seconds <= 0:
            raise InputError(f"line_seconds must be positive or None, not {self.line_seconds}")


@dataclass(frozen=True)
class CompletionRequest:
    source: str
    line: int  # 1-based
    column: int  # 0-based, in characters
    config: CompletionConfig = field(default_factory=CompletionConfig)
    index: Any = None  # a retrieval.CodeIndex, or None
    path: str | None = None  # the file's path under the index's root (its own rows skipped)


@dataclass(frozen=True)
class Completion(JsonRecord):
    text: str  # what replaces the rest of the cursor's line
    score: float  # the beam's log-likelihood of what the model added (not what is typed)
    parses: bool  # the completed file has no syntax error where this text goes
    mode: str
    note: str = ""  # e.g. "the file does not parse: completed from its text"


@dataclass(frozen=True)
class Cursor:
    """Where the cursor is, and the text around it that the input is built from."""

    parsed: ParsedFile
    lines: tuple[str, ...]  # the source's lines
    line: int
    column: int
    scope: Scope | None  # the innermost function around the cursor line
    indent: str  # the column the model's text is relative to (the def's indent)
    before: str  # the code before the cursor's line, at that column
    typed: str  # the cursor's line before the cursor, at that column
    lead: str  # the part of `indent` the cursor's line lacks before the cursor

    def lines_before(self, line: int) -> str:
        """The function's code before `line`, at the def's column."""
        first = self.scope.span.start_line if self.scope else 1
        return "\n".join(_dedent(ln, self.indent) for ln in self.lines[first - 1 : line - 1])


# --- input ---------------------------------------------------------------------------


def cursor_of(source: str, line: int, column: int) -> Cursor:
    """The cursor checked against the source; InputError for one outside it."""
    lines = tuple(source.split("\n"))
    if isinstance(line, bool) or not isinstance(line, int) or not 1 <= line <= len(lines):
        raise InputError(f"line {line!r} is not in the file (it has {len(lines)} lines)")
    text = lines[line - 1]
    if isinstance(column, bool) or not isinstance(column, int) or not 0 <= column <= len(text):
        raise InputError(f"column {column!r} is not on line {line} (it has {len(text)} characters)")
    parsed = parse(source, "python")
    scope = _function_at(parsed, lines, line)
    indent = _indent(lines[scope.span.start_line - 1]) if scope else ""
    typed = text[:column]
    lead = indent[len(typed) :] if not typed.strip() and len(typed) < len(indent) else ""
    cursor = Cursor(parsed, lines, line, column, scope, indent, "", _dedent(typed, indent), lead)
    return replace(cursor, before=cursor.lines_before(line))


def _function_at(parsed: ParsedFile, lines: tuple[str, ...], line: int) -> Scope | None:
    """The innermost function whose body holds `line` (not its `def` line), or which
    ends on the line above when `line` is indented under it (a new last line)."""
    best = None
    for scope in parsed.functions():
        inside = scope.span.start_line < line <= scope.span.end_line
        deeper = len(_indent(lines[line - 1])) > len(_indent(lines[scope.span.start_line - 1]))
        if inside or (line == scope.span.end_line + 1 and deeper):
            best = scope
    return best


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _dedent(text: str, indent: str) -> str:
    return text[len(indent) :] if text.startswith(indent) else text.lstrip()


def _window(cursor: Cursor, budget: int, length, kind: WindowKind) -> str:
    """The file's context under `budget` tokens, without the code `before` shows."""
    if budget <= 0:
        return ""
    if kind is WindowKind.PREFIX or cursor.parsed.has_errors:
        start = cursor.scope.span.start_line if cursor.scope else cursor.line
        return truncate("\n".join(cursor.lines[: start - 1]), budget, length, keep_tail=True)
    if cursor.scope is None:
        return build_ewash(cursor.parsed, budget, length, line=cursor.line).text.rstrip("\n")
    at = min(cursor.line, cursor.scope.span.end_line)  # eWASH's cursor is inside the span
    window = build_ewash(cursor.parsed, budget, length, line=at).text  # (names may repeat)
    shown = cursor.lines_before(at)  # eWASH ends with the function's code before `at`
    window = window.rstrip("\n")
    return window[: -len(shown)].rstrip("\n") if shown and window.endswith(shown) else window


def _retrieved(request: CompletionRequest, cursor: Cursor, budget: int, length) -> str:
    """The index's functions nearest to the code before the cursor, under `budget`."""
    if request.index is None or budget <= 0:
        return ""
    from codeintel.retrieval import SearchConfig, search

    config = request.config
    query = f"{cursor.before}\n{cursor.typed}"
    if not query.strip():
        return ""
    search_config = SearchConfig(k=config.retrieved + 1, mmr_lambda=config.mmr_lambda)
    pieces, used = [], 0
    for hit in search(request.index, query, search_config):
        function = hit.function
        if request.path == function.file and (
            function.start_line <= cursor.line <= function.end_line
        ):
            continue  # the function being written, as it was indexed
        piece = truncate(f"# {function.where}\n{function.code}", budget - used, length, False)
        if piece and len(pieces) < config.retrieved:
            pieces.append(piece)
            used += length(piece) + 1
    return "\n".join(pieces)


def build_input(request: CompletionRequest, cursor: Cursor, model: Any) -> str:
    """`complete:` + retrieved code and the window, then the code before the cursor."""
    length = model.count_tokens
    budget = model.max_input_tokens - 8  # the prefix, markers and specials
    before = truncate(cursor.before, budget // 2, length, keep_tail=True)
    rest = budget - length(before)  # what is typed goes to the decoder, not here
    retrieved = _retrieved(request, cursor, rest // 4 if request.index else 0, length)
    room = rest - (length(retrieved) if retrieved else 0)
    window = _window(cursor, room, length, request.config.window)
    context = "\n".join(p for p in (retrieved, window) if p)
    return formats.complete_input(context, before)


# --- generate and post-process ---------------------------------------------------------


def generate(request: CompletionRequest, cursor: Cursor, model: Any) -> list[tuple[str, float]]:
    from codeintel.models.seq2seq import GenerationConfig

    config = request.config
    tokens = config.line_tokens if config.mode is CompletionMode.LINE else 256
    line = config.mode is CompletionMode.LINE
    generation = GenerationConfig(
        n=config.beam,
        max_new_tokens=tokens,
        rescore=False,
        stop_at_newline=line,
        max_seconds=config.line_seconds if line else None,
    )
    prefix = cursor.typed
    text = build_input(request, cursor, model)
    (found,) = model.generate([text], generation, prefixes=[prefix] if prefix else None)
    return [(g.text, g.logprob) for g in found]


def fim_prompt(request: CompletionRequest, cursor: Cursor, model: Any) -> tuple[str, str]:
    """(prefix, suffix) for a causal model's fill-in-the-middle: retrieved code and the
    file's window (eWASH) before the function, the function's code up to the cursor at
    its own indentation; the file after the cursor as the suffix. A quarter of the
    context goes to the suffix, the new tokens are kept room for."""
    length, config = model.count_tokens, request.config
    room = model.capabilities.context_length - _new_tokens(config) - 8
    first = cursor.scope.span.start_line if cursor.scope else cursor.line
    own = [
        *cursor.lines[first - 1 : cursor.line - 1],
        cursor.lines[cursor.line - 1][: cursor.column],
    ]
    before = truncate("\n".join(own), room // 2, length, keep_tail=True)
    after = "\n".join(
        [cursor.lines[cursor.line - 1][cursor.column :], *cursor.lines[cursor.line :]]
    )
    suffix = truncate(after, room // 4, length, keep_tail=False)
    rest = room - length(before) - length(suffix)
    retrieved = _retrieved(request, cursor, rest // 4 if request.index else 0, length)
    window = _window(cursor, rest - (length(retrieved) if retrieved else 0), length, config.window)
    head = "\n".join(p for p in (retrieved, window) if p)
    return (f"{head}\n\n{before}" if head and first > 1 else before), suffix


def _new_tokens(config: CompletionConfig) -> int:
    return config.line_tokens if config.mode is CompletionMode.LINE else 256


def generate_fim(request: CompletionRequest, cursor: Cursor, model: Any) -> list[tuple[str, float]]:
    """A causal model's middles at the cursor (its greedy one, then samples), as text
    that starts with what is typed at the def's column, as `generate` gives."""
    from codeintel.models.causal import greedy_and_samples

    config = request.config
    prefix, suffix = fim_prompt(request, cursor, model)
    stop = ("\n",) if config.mode is CompletionMode.LINE else ()
    found = greedy_and_samples(
        lambda c: model.fill_in_middle(prefix, suffix, c), config.samples, _new_tokens(config), stop
    )
    return [(cursor.typed + _at_def_column(g.text, cursor.indent), g.logprob) for g in found]


def _at_def_column(middle: str, indent: str) -> str:
    """A middle's lines after the first moved to the def's column; the block ends at the
    first line that is not inside the function (no deeper than its def)."""
    first, *others = lines_within(middle, indent)
    return "\n".join([first, *(_dedent(line, indent) for line in others)])


def post_process(cursor: Cursor, mode: CompletionMode, text: str) -> str | None:
    """The text to insert at the cursor, or None if the candidate does not continue
    what is typed (or adds nothing)."""
    if not text.startswith(cursor.typed):
        return None
    first, *others = text[len(cursor.typed) :].rstrip().split("\n")
    if mode is CompletionMode.LINE or not others:
        return cursor.lead + first if first.strip() else None
    indented = [cursor.indent + ln if ln.strip() else "" for ln in others]
    return "\n".join([cursor.lead + first, *indented])


# --- grade ---------------------------------------------------------------------------


def parses_there(cursor: Cursor, insertion: str) -> bool:
    """The source with `insertion` in place of the rest of the cursor's line has no
    syntax error on the lines it fills (a line ending in `:` gets an indented `pass`
    after it for the check). Only the function around the cursor is parsed again
    (dedented to its `def`), or the whole file at module level: a big file is not
    parsed once per candidate."""
    lines = cursor.lines
    current = lines[cursor.line - 1]
    filled = current[: cursor.column] + insertion
    check = filled
    if filled.rstrip().endswith(":"):
        indent = _indent(filled.split("\n")[-1])
        check += "\n" + indent + "    pass"
    first, end = _region(cursor)
    region = "\n".join([*lines[first - 1 : cursor.line - 1], check, *lines[cursor.line : end]])
    text = "\n".join(_dedent(ln, cursor.indent) for ln in region.split("\n"))
    low, high = cursor.line - first + 1, cursor.line - first + 1 + check.count("\n")
    issues = parse(text, "python").errors
    return not any(i.span.start_line <= high and i.span.end_line >= low for i in issues)


def _region(cursor: Cursor) -> tuple[int, int]:
    """The 1-based first and last lines that `parses_there` parses."""
    if cursor.scope is None:
        return 1, len(cursor.lines)
    return cursor.scope.span.start_line, max(cursor.scope.span.end_line, cursor.line)


def run(request: CompletionRequest, model: Any) -> list[Completion]:
    """Up to `samples` completions at the cursor, the ones that parse first, then by score."""
    cursor = cursor_of(request.source, request.line, request.column)
    model = loaded(model)
    note = (
        f"{cursor.parsed.syntax_summary()}: completed from its text"
        if cursor.parsed.has_errors
        else ""
    )
    mode = request.config.mode
    found: dict[str, Completion] = {}
    causal = prompted(model)  # a code model: its FIM template
    for text, score in (generate_fim if causal else generate)(request, cursor, model):
        insertion = post_process(cursor, mode, text)
        if insertion is None or insertion in found:
            continue
        ok = parses_there(cursor, insertion)
        found[insertion] = Completion(insertion, score, ok, mode.value, note)
    return ranked(list(found.values()))[: request.config.samples]


def ranked(completions: list[Completion]) -> list[Completion]:
    """The ones that parse first, then by the model's score."""
    return sorted(completions, key=lambda c: (not c.parses, -c.score))


def needs_model(request: CompletionRequest) -> bool:
    return True


def make_request(
    *,
    line: int,
    column: int,
    file: str | Path | None = None,
    source: str | None = None,
    mode: CompletionMode | str = "line",
    samples: int = 5,
    index: str | Path | Any = None,
    config: CompletionConfig | None = None,
) -> CompletionRequest:
    """A request at (1-based `line`, 0-based `column`) of the file `file`, or of `source`
    (with `file` too: that file's text as the editor has it): the rest of the line
    (`mode="line"`) or of the block (`"block"`), with an index folder or CodeIndex to
    retrieve from (the file's own functions left out of it). `config`, when given, is
    taken as it is (its mode and samples over `mode` and `samples`)."""
    if file is None and source is None:
        raise InputError("give the file or its source text")
    text = source if source is not None else read_text(Path(str(file)), "file")
    if not text.strip():
        raise InputError(f"{file or 'the source'} is empty: there is no code to complete from")
    try:
        kind = CompletionMode(mode)
    except ValueError:
        raise InputError(f"mode must be line or block, not {mode!r}") from None
    positive(samples, "samples")
    if isinstance(index, (str, Path)):
        from codeintel.retrieval import load_index

        index = load_index(index)
    path = index.relative(Path(file)) if index is not None and file is not None else None
    if config is None:
        beam = max(samples, CompletionConfig.beam)
        config = CompletionConfig(mode=kind, samples=samples, beam=beam)
    cursor_of(text, line, column)  # a cursor outside the file fails now
    return CompletionRequest(text, line, column, config, index, path)


def complete(
    source: str,
    line: int,
    column: int,
    index: str | Path | Any = None,
    samples: int = 5,
    mode: str = "line",
    model: Any = None,
    path: str | None = None,
) -> list[Completion]:
    """Completions at (1-based `line`, 0-based `column`) of `source`: the rest of the line
    (`mode="line"`) or of the block (`"block"`), with an index folder or CodeIndex to
    retrieve from (`path`: the file's path under the index's root, its own rows left
    out). `model`: a loaded model, a spec (bundled name, checkpoint folder, server URL),
    or None for the default; a causal model fills in the middle by its family's
    template, the code after the cursor as the suffix."""
    from codeintel import tasks

    request = make_request(
        line=line, column=column, source=source, mode=mode, samples=samples, index=index
    )
    request = replace(request, path=path)
    return run(request, tasks.loaded(tasks.start_model("complete", request, model)))

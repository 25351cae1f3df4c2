"""eWASH: a fixed window filled with file-level context by syntax hierarchy.

Clement et al. 2021 ("Long-Range Modeling of Source Code Files with eWASH:
Extended Window Access by Syntax Hierarchy") fill a model's window with the
file around the code being completed, most general scopes first, and drop
the most specific, least relevant scopes first when it does not fit.

Priority: the target (a whole function, or at a cursor line the code of the
innermost function before that line) and the headers of the scopes that
enclose it; the module's imports and global assignments; class headers and
fields; every signature; docstrings (the enclosing scopes' and the module's
first); and last the bodies of other functions, nearest to the target first.
The window is the rest of the file in file order, followed by the target, so
the text ends where a completion continues.

A target that does not fit alone is cut to its first lines, or at a cursor
to the lines just before it. At a cursor outside every function there is no
target piece: the window is the file's hierarchy ordered by distance to the line.
"""

from __future__ import annotations

from codeintel.context import common
from codeintel.context import source as src
from codeintel.context.assemble import Target, assemble, check_budget
from codeintel.context.model import Context
from codeintel.context.tokens import LengthFn, approx_tokens
from codeintel.context.units import Key, Universe, ancestors, build_universe
from codeintel.errors import InputError
from parsers.scopes import ParsedFile, Scope


def ewash_priority(universe: Universe) -> list[Key]:
    path = list(universe.path)
    rest = common.by_distance(universe, (n for n in universe.nodes if not n.on_path))
    classes = [n for n in rest if common.is_class(n)]
    functions = [n.index for n in rest if not common.is_class(n)]
    priority = common.headers(universe, path) + universe.imports() + universe.globals()
    priority += common.fields(universe, path)
    priority += common.header_and_fields(universe, classes)
    priority += common.headers(universe, functions)
    priority += common.docs(universe, path) + universe.module_doc()
    priority += common.docs(universe, (n.index for n in rest))
    priority += common.bodies(universe, functions)
    return priority


def _check_line(parsed: ParsedFile, line: int) -> None:
    last = parsed.source.count(b"\n") + 1
    if isinstance(line, bool) or not isinstance(line, int) or not 1 <= line <= last:
        raise InputError(f"line {line!r} is not in the file (it has {last} lines)")


def _function_at(parsed: ParsedFile, line: int) -> Scope | None:
    """The innermost function that starts before `line` and contains it."""
    best = None
    for scope in parsed.functions():
        if scope.span.start_line < line <= scope.span.end_line:
            best = scope
    return best


def _prefix(parsed: ParsedFile, scope: Scope, line: int) -> str:
    """The scope's code before `line`, moved to column 0."""
    start = scope.span.start_byte
    end = src.line_offset(parsed.source, line) - 1
    text = src.placed(parsed.source, start, max(start, end), "")
    return text.rstrip("\n")


def _enclosing_classes(parsed: ParsedFile, line: int) -> tuple[Scope, ...]:
    return tuple(
        s
        for s in parsed.scopes()
        if not s.is_function and s.span.start_line < line <= s.span.end_line
    )


def _at_line(parsed: ParsedFile, target: str | None, line: int) -> tuple[Scope | None, str]:
    _check_line(parsed, line)
    if target is None:
        scope = _function_at(parsed, line)
        if scope is None:
            return None, ""
    else:
        scope = common.find_target(parsed, target)
        if not scope.span.start_line < line <= scope.span.end_line:
            span = scope.span
            raise InputError(
                f"line {line} is not inside the body of {scope.qualified_name} "
                f"(lines {span.start_line}-{span.end_line})"
            )
    return scope, _prefix(parsed, scope, line)


def build_ewash(
    parsed: ParsedFile,
    budget: int,
    length: LengthFn = approx_tokens,
    *,
    target: str | None = None,
    line: int | None = None,
) -> Context:
    """The eWASH window for the function `target`, or for a cursor at `line`, or both.

    With only `target`, the target piece is the whole function; with `line`, it is
    the code of the function (`target`, or the innermost one around the line)
    before that line, and what follows the cursor is left out.
    """
    check_budget(budget)
    if line is None:
        if target is None:
            raise InputError("eWASH needs a target function or a cursor line")
        scope = common.find_target(parsed, target)
        return _window(parsed, scope, common.target_text(parsed, scope), None, budget, length)
    scope, text = _at_line(parsed, target, line)
    if scope is None:
        path = _enclosing_classes(parsed, line)
        universe = build_universe(parsed, None, path, (line, line))
        return assemble(universe, None, ewash_priority(universe), budget, length)
    return _window(parsed, scope, text, line, budget, length)


def _window(
    parsed: ParsedFile, scope: Scope, text: str, line: int | None, budget: int, length: LengthFn
) -> Context:
    span = scope.span
    anchor = (span.start_line, span.end_line if line is None else line)
    universe = build_universe(parsed, scope, ancestors(parsed, scope), anchor)
    head = Target(text, scope.qualified_name, last=True, keep_tail=line is not None)
    return assemble(universe, head, ewash_priority(universe), budget, length)

"""A function's text, in one place for training data and repair. Pure: no I/O.

A function is cut from its file as whole lines (`whole_lines`), shown to the
model at column 0 (`dedent`), and put back at its own indentation (`reindent`,
`splice`). Both the data pipelines and repair use these, so the model sees a
function at inference exactly as it saw functions in training.

The one indentation rule (`shift`): a line that starts with the old indentation
has it replaced by the new one; a line that does not (inside a multi-line string
literal, say) and a blank line stay as they are.
"""

from __future__ import annotations

import ast
import hashlib
import textwrap
import warnings

from parsers.scopes import Language, ParsedFile, Scope
from parsers.syntax import get_parser

_WRAPPER = "if 1:\n"  # lets an indented block parse with its indentation kept


def line_start(source: bytes, pos: int) -> int:
    """Byte offset of the start of the line that contains `pos`."""
    return source.rfind(b"\n", 0, pos) + 1


def indent_at(source: bytes, pos: int) -> str:
    """The leading whitespace of the line that contains `pos`."""
    start = line_start(source, pos)
    end = source.find(b"\n", start)
    line = source[start : len(source) if end == -1 else end]
    return line[: len(line) - len(line.lstrip(b" \t"))].decode("utf-8")


def whole_lines(source: bytes, start: int, end: int) -> str:
    """The lines that bytes `start:end` touch, whole: from the start of the first to the
    end of the last (without its newline)."""
    line_end = source.find(b"\n", end)
    line_end = len(source) if line_end < 0 else line_end
    return source[line_start(source, start) : line_end].decode("utf-8")


def leading_indent(text: str) -> str:
    """The indentation of the first line of `text` that is not blank."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return first[: len(first) - len(first.lstrip(" \t"))]


def shift(text: str, old: str, new: str) -> str:
    """Lines that start with `old` (and are not blank) get `new` in its place."""
    return "\n".join(
        new + line[len(old) :] if line.startswith(old) and line.strip() else line
        for line in text.split("\n")
    )


def dedent(text: str) -> str:
    """Whole lines at column 0: the first non-blank line's indentation taken off every
    line that has it."""
    return shift(text, leading_indent(text), "")


def reindent(text: str, indent: str) -> str:
    """Text at column 0 (as `dedent` makes it) moved to `indent`."""
    return shift(text, "", indent) if indent else text


def splice(source: bytes, start: int, end: int, replacement: str) -> bytes:
    """`source` with bytes `start:end` replaced by `replacement`, every other byte kept."""
    return source[:start] + replacement.encode("utf-8") + source[end:]


# what ast.parse raises on text it cannot parse: a syntax error, a null byte or text
# that cannot be encoded (ValueError), nesting too deep for its parser (RecursionError,
# MemoryError: 5,000 nested unary minuses)
AST_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


def python_ast(text: str, mode: str = "exec") -> ast.AST | None:
    """Python's own syntax tree of `text`, or None when it cannot be parsed (AST_ERRORS)."""
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" for `1if`
            warnings.simplefilter("ignore", SyntaxWarning)
            return ast.parse(text, mode=mode)
    except AST_ERRORS:
        return None


def parses(source: str) -> bool:
    """True if `source` (whole lines, any indentation) parses as Python: tree-sitter finds
    no error and `ast.parse` accepts it."""
    text = (_WRAPPER if is_indented(source) else "") + source
    try:
        if get_parser(Language.PYTHON).parse(text.encode("utf-8")).root_node.has_error:
            return False
    except ValueError:  # UnicodeEncodeError is a ValueError
        return False
    return python_ast(text) is not None


def is_indented(source: str) -> bool:
    """True if the first line of code (not blank, not a comment) is indented."""
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return line[:1] in (" ", "\t")
    return False


def body_without_docstring(parsed: ParsedFile, scope: Scope) -> str:
    """The body's lines at column 0 relative to the body, its docstring statement left out."""
    source = parsed.source
    body = scope.body_span
    lines = whole_lines(source, body.start_byte, body.end_byte).split("\n")
    first = body.start_line
    doc = scope.docstring_span
    if doc is not None:
        lines = [ln for i, ln in enumerate(lines, first) if not doc.start_line <= i <= doc.end_line]
    return dedent("\n".join(lines)).strip("\n")


class _Renamed(ast.NodeTransformer):
    """Parameters and the names a function binds, renamed by first appearance."""

    def __init__(self, bound: set[str]) -> None:
        self.bound, self.names = bound, {}

    def rename(self, name: str) -> str:
        return self.names.setdefault(name, f"_v{len(self.names)}")

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.bound:
            node.id = self.rename(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg, node.annotation = self.rename(node.arg), None
        return node


def code_shape(code: str) -> str | None:
    """A hash of a function's code with its name, docstring, annotations and comments gone
    and its parameters and local names renamed: two functions with the same shape are
    near-clones (attributes, calls of other names and constants must match). None when
    `code` is not one whole function."""
    tree = python_ast(textwrap.dedent(code))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], kinds):
        return None
    function = tree.body[0]
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    bound = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    bound |= {
        n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    renamer = _Renamed(bound)
    args = renamer.visit(function.args)
    renamed = [renamer.visit(statement) for statement in body]
    dump = ast.dump(ast.Module(body=renamed, type_ignores=[])) + ast.dump(args)
    return hashlib.sha256(dump.encode("utf-8")).hexdigest()


def lines_within(text: str, indent: str) -> list[str]:
    """The lines of `text` (a continuation from inside a block) up to the first non-empty
    line after the first that is not deeper than `indent` (the block's header column):
    where a generated block ends."""
    first, *others = text.split("\n")
    kept = [first]
    for line in others:
        if line.strip() and len(line) - len(line.lstrip()) <= len(indent):
            break
        kept.append(line)
    return kept

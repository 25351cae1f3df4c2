"""Text of scopes cut from the original source, placed at a chosen indentation.

Every helper is pure: it takes the file's bytes and a scope and returns text or
a `Fragment` (a piece of text with its byte position in the file, used to order
the output as in the file).
"""

from __future__ import annotations

from dataclasses import dataclass

from parsers.scopes import Language, ParsedFile, Scope, ScopeKind
from parsers.text import indent_at, line_start, shift

INDENT_UNIT = "    "


@dataclass(frozen=True)
class Fragment:
    """Text placed at byte `start` of the file.

    A header fragment has `block_end` >= 0 (its scope's end byte) and gets
    `empty_suffix` (` ...` or `;`) when no other kept fragment falls inside its
    block. A whole-scope fragment has `cover_end` >= 0; other fragments that start
    in `[start, cover_end)` are already part of it and are left out.
    """

    start: int
    text: str
    block_end: int = -1
    empty_suffix: str = ""
    cover_end: int = -1


def line_offset(source: bytes, line: int) -> int:
    """Byte offset of the start of 1-based `line` (len(source) past the end)."""
    pos = 0
    for _ in range(line - 1):
        nxt = source.find(b"\n", pos)
        if nxt == -1:
            return len(source)
        pos = nxt + 1
    return pos


def placed(source: bytes, start: int, end: int, indent: str) -> str:
    """`source[start:end]` with its first line at `indent`, later lines shifted alike
    (`parsers.text.shift`: lines indented less than the first, inside a string
    literal, stay as they are)."""
    own = indent_at(source, start)
    return shift(own + source[start:end].decode("utf-8"), own, indent)


def has_body(scope: Scope) -> bool:
    return bool(scope.body.strip()) and scope.body_span.start_byte > scope.span.start_byte


def _header_end(scope: Scope) -> int:
    return scope.body_span.start_byte if has_body(scope) else scope.span.end_byte


def header_text(parsed: ParsedFile, scope: Scope) -> str:
    """Decorators/annotations and the header as written, at the scope's own indentation."""
    start = scope.span.start_byte
    text = placed(parsed.source, start, _header_end(scope), indent_at(parsed.source, start))
    text = text.rstrip()
    if parsed.language is Language.JAVA:
        text = text.rstrip("{;").rstrip()
    return text


def body_indent(parsed: ParsedFile, scope: Scope) -> str:
    """Indentation of the scope's body block (one unit deeper than the header if inline)."""
    source = parsed.source
    own = indent_at(source, scope.span.start_byte)
    if has_body(scope):
        body_start = scope.body_span.start_byte
        if line_start(source, body_start) > line_start(source, scope.span.start_byte):
            body_line = indent_at(source, body_start)
            if len(body_line) > len(own):
                return body_line
    return own + ("\t" if own.startswith("\t") else INDENT_UNIT)


def scope_text(parsed: ParsedFile, scope: Scope, indent: str | None = None) -> str:
    """The whole scope as written; at `indent` (default: its own indentation)."""
    start = scope.span.start_byte
    own = indent_at(parsed.source, start) if indent is None else indent
    return placed(parsed.source, start, scope.span.end_byte, own)


def header_fragments(parsed: ParsedFile, scope: Scope) -> tuple[Fragment, ...]:
    """The header with its body elided; Java classes get braces around their members."""
    start, end = scope.span.start_byte, scope.span.end_byte
    header = header_text(parsed, scope)
    if parsed.language is Language.JAVA:
        if scope.kind is ScopeKind.CLASS:
            closing = indent_at(parsed.source, start) + "}"
            return (Fragment(start, header + " {"), Fragment(max(start, end - 1), closing))
        return (Fragment(start, header, block_end=end, empty_suffix=";"),)
    suffix = " ..." if header.endswith(":") else "\n" + body_indent(parsed, scope) + "..."
    return (Fragment(start, header, block_end=end, empty_suffix=suffix),)


def docstring_fragment(parsed: ParsedFile, scope: Scope) -> Fragment | None:
    span = scope.docstring_span
    if span is None:
        return None
    if span.start_byte < scope.span.start_byte:  # a Java comment before the declaration
        indent = indent_at(parsed.source, scope.span.start_byte)
    else:
        indent = body_indent(parsed, scope)
    return Fragment(span.start_byte, placed(parsed.source, span.start_byte, span.end_byte, indent))


def body_fragment(parsed: ParsedFile, scope: Scope) -> Fragment:
    start, end = scope.span.start_byte, scope.span.end_byte
    return Fragment(start, scope_text(parsed, scope), cover_end=end)


def statement_fragment(parsed: ParsedFile, start: int, text: str, indent: str) -> Fragment:
    """A statement found at byte `start` (an import or a field), placed at `indent`."""
    return Fragment(start, placed(parsed.source, start, start + len(text.encode()), indent))

"""Checks shared by the parser tests: exact byte positions of every scope."""

from __future__ import annotations

from parsers import ParsedFile, Scope, Span


def span_text(parsed: ParsedFile, span: Span) -> str:
    return parsed.source[span.start_byte : span.end_byte].decode("utf-8")


def line_of(parsed: ParsedFile, byte: int) -> int:
    return parsed.source.count(b"\n", 0, byte) + 1


def check_span_lines(parsed: ParsedFile, span: Span) -> None:
    assert span.start_line == line_of(parsed, span.start_byte)
    last = max(span.start_byte, span.end_byte - 1)
    assert span.end_line == line_of(parsed, last) or span.end_byte == span.start_byte


def check_scope_positions(parsed: ParsedFile, scope: Scope, header: str) -> None:
    """The span starts with `header` (decorator/def/class), body and signature are exact."""
    text = span_text(parsed, scope.span)
    assert text.startswith(header), (scope.qualified_name, text[:40])
    assert span_text(parsed, scope.body_span) == scope.body
    assert scope.signature in text
    if scope.docstring_span is not None:
        assert scope.docstring_span.start_byte < scope.docstring_span.end_byte
    for span in (scope.span, scope.body_span):
        check_span_lines(parsed, span)
    assert scope.span.start_byte <= scope.body_span.start_byte
    assert scope.body_span.end_byte <= scope.span.end_byte


def python_header(scope: Scope) -> str:
    if scope.decorators:
        return scope.decorators[0]
    return scope.signature.split("(")[0].split(":")[0]


def check_python_file(parsed: ParsedFile) -> None:
    for scope in parsed.scopes():
        check_scope_positions(parsed, scope, python_header(scope))
        assert parsed.splice(scope.span, span_text(parsed, scope.span)) == parsed.source

"""Tree-sitter parsing into a language-neutral Scope hierarchy.

`parse(source, language)` returns a `ParsedFile`: the module scope with its
classes, functions and methods (signature, docstring, body, decorators,
imports, fields) at exact byte positions, plus the syntax errors tree-sitter
recovered from.

Grammars come from the per-language packages `tree-sitter-python` and
`tree-sitter-java`; the old `tree-sitter-languages` bundle does not work with
tree-sitter >= 0.22.
"""

from __future__ import annotations

from parsers.errors import (
    AmbiguousScopeError,
    ParseError,
    ScopeNotFoundError,
    SourceDecodeError,
    UnsupportedLanguageError,
)
from parsers.scopes import Language, ParsedFile, Scope, ScopeKind, Span, SyntaxIssue
from parsers.syntax import to_bytes, to_language

__all__ = [
    "AmbiguousScopeError",
    "Language",
    "ParseError",
    "ParsedFile",
    "Scope",
    "ScopeKind",
    "ScopeNotFoundError",
    "SourceDecodeError",
    "Span",
    "SyntaxIssue",
    "UnsupportedLanguageError",
    "parse",
]


def parse(source: str | bytes, language: Language | str = Language.PYTHON) -> ParsedFile:
    """Parse `source` (str, or UTF-8 bytes) into a ParsedFile.

    Raises UnsupportedLanguageError for a language without a grammar and
    SourceDecodeError for bytes that are not UTF-8. Syntax errors do not raise:
    the recovered scopes are returned and `ParsedFile.errors` lists the problems.
    """
    lang = to_language(language)
    data = to_bytes(source)
    if lang is Language.PYTHON:
        from parsers.python import parse_python

        return parse_python(data)
    from parsers.java import parse_java

    return parse_java(data)

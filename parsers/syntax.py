"""Tree-sitter helpers shared by the language modules: parsers, decoding, spans, text, errors.

We use the per-language grammar packages (`tree-sitter-python`, `tree-sitter-java`)
with `tree_sitter.Language(<pkg>.language())`. The old `tree-sitter-languages`
bundle does not work with tree-sitter >= 0.22 (its compiled grammars use the
removed `Language(path, name)` API), so it is not a dependency.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import tree_sitter

from parsers.errors import SourceDecodeError, UnsupportedLanguageError
from parsers.scopes import Language, Span, SyntaxIssue

Node = tree_sitter.Node


def to_language(language: Language | str) -> Language:
    """`Language` from an enum member or a case-insensitive name."""
    if isinstance(language, Language):
        return language
    try:
        return Language(str(language).strip().lower())
    except ValueError:
        known = ", ".join(lang.value for lang in Language)
        raise UnsupportedLanguageError(
            f"no grammar for language {language!r}; supported: {known}"
        ) from None


def _grammar(language: Language) -> object:
    if language is Language.PYTHON:
        import tree_sitter_python

        return tree_sitter_python.language()
    if language is Language.JAVA:
        import tree_sitter_java

        return tree_sitter_java.language()
    raise UnsupportedLanguageError(f"no grammar for language {language.value!r}")


@functools.cache
def get_parser(language: Language) -> tree_sitter.Parser:
    """One cached tree-sitter parser per language (a cache, not configuration)."""
    return tree_sitter.Parser(tree_sitter.Language(_grammar(language)))


def to_bytes(source: str | bytes) -> bytes:
    """UTF-8 bytes of `source`; raises SourceDecodeError naming the bad offset."""
    if isinstance(source, str):
        try:
            return source.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SourceDecodeError(
                f"source text is not encodable as UTF-8 at character {exc.start}: {exc.reason}"
            ) from None
    data = bytes(source)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceDecodeError(
            f"source is not valid UTF-8 at byte offset {exc.start}: {exc.reason}"
        ) from None
    return data


def make_span(start: Node, end: Node | None = None) -> Span:
    """The span from the start of `start` to the end of `end` (default: `start`).

    A node that ends at column 0 of a line (after a newline) ends on the line before.
    """
    end = start if end is None else end
    end_row, end_col = end.end_point
    start_byte, end_byte = start.start_byte, end.end_byte
    if end_col == 0 and end_byte > start_byte and end_row > 0:
        end_row -= 1
    return Span(start_byte, end_byte, start.start_point[0] + 1, end_row + 1)


def empty_span_at(node: Node) -> Span:
    """A zero-width span at the end of `node` (for a missing body)."""
    line = node.end_point[0] + 1
    return Span(node.end_byte, node.end_byte, line, line)


def whole_span(source: bytes) -> Span:
    lines = source.count(b"\n") + (0 if source.endswith(b"\n") else 1)
    return Span(0, len(source), 1, max(1, lines))


def first_named_child(node: Node | None) -> Node | None:
    """The first named child, or None (`Node.named_child` raises IndexError)."""
    if node is None or node.named_child_count == 0:
        return None
    return node.named_child(0)


def text(source: bytes, node: Node | None) -> str:
    if node is None:
        return ""
    return source[node.start_byte : node.end_byte].decode("utf-8")


def text_between(source: bytes, start: int, end: int) -> str:
    return source[start:end].decode("utf-8")


def _issue(node: Node) -> SyntaxIssue:
    if node.is_error:
        return SyntaxIssue(make_span(node), "syntax error")
    kind = node.type
    what = f"'{kind}'" if not node.is_named else kind
    return SyntaxIssue(make_span(node), f"missing {what}")


def _error_nodes(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            yield node
        elif node.has_error:
            stack.extend(reversed(node.children))


def syntax_issues(root: Node) -> tuple[SyntaxIssue, ...]:
    """Every outermost ERROR node and every MISSING node, in source order."""
    if not root.has_error:
        return ()
    issues = [_issue(node) for node in _error_nodes(root)]
    return tuple(sorted(issues, key=lambda i: (i.span.start_byte, i.span.end_byte)))

"""Python source -> Scope hierarchy (tree-sitter-python).

Only statement-level nodes are visited: a scope's body is scanned statement by
statement, descending through compound statements (if/try/with/for/while/match
and recovered ERROR nodes) but never into expressions or nested definitions,
which become child scopes of their own.

A def anywhere in a class body (also under an `if`/`try` there) is a METHOD.
Imports and fields are collected the same way, so the module's imports include
those under top-level if/try blocks, and the module's `fields` are its
top-level assignments (globals and constants).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from dataclasses import dataclass

from parsers.scopes import Language, ParsedFile, Scope, ScopeKind
from parsers.syntax import (
    Node,
    empty_span_at,
    first_named_child,
    get_parser,
    make_span,
    syntax_issues,
    text,
    text_between,
    whole_span,
)

_DEFINITIONS = frozenset({"function_definition", "class_definition", "decorated_definition"})
_IMPORTS = frozenset({"import_statement", "import_from_statement", "future_import_statement"})
_COMPOUND = frozenset(
    {
        "block",
        "if_statement",
        "elif_clause",
        "else_clause",
        "try_statement",
        "except_clause",
        "except_group_clause",
        "finally_clause",
        "with_statement",
        "for_statement",
        "while_statement",
        "match_statement",
        "case_clause",
        "ERROR",
    }
)
_ASSIGNMENTS = frozenset({"assignment", "augmented_assignment"})


@dataclass(frozen=True)
class _Members:
    """The statements of one scope body that matter to its Scope."""

    definitions: tuple[Node, ...]
    imports: tuple[Node, ...]
    assignments: tuple[Node, ...]


def parse_python(source: bytes) -> ParsedFile:
    tree = get_parser(Language.PYTHON).parse(source)
    root = tree.root_node
    return ParsedFile(Language.PYTHON, source, _module_scope(source, root), syntax_issues(root))


def statements(node: Node) -> Iterator[Node]:
    """Statement nodes under `node`, through compound statements, not into definitions."""
    stack = [iter(node.children)]  # iterative: nesting depth is unbounded in broken files
    while stack:
        for child in stack[-1]:
            if child.type in _COMPOUND:
                stack.append(iter(child.children))
                break
            yield child
        else:
            stack.pop()


def _members(body: Node | None) -> _Members:
    definitions: list[Node] = []
    imports: list[Node] = []
    assignments: list[Node] = []
    if body is not None:
        for stmt in statements(body):
            kind = stmt.type
            if kind in _DEFINITIONS:
                definitions.append(stmt)
            elif kind in _IMPORTS:
                imports.append(stmt)
            elif kind == "expression_statement" and _is_assignment(stmt):
                assignments.append(stmt)
    return _Members(tuple(definitions), tuple(imports), tuple(assignments))


def _is_assignment(stmt: Node) -> bool:
    first = first_named_child(stmt)
    return first is not None and first.type == "assignment"


def _module_scope(source: bytes, root: Node) -> Scope:
    members = _members(root)
    span = whole_span(source)
    doc, doc_node = _docstring(source, root)
    return Scope(
        kind=ScopeKind.MODULE,
        name="",
        qualified_name="",
        span=span,
        signature="",
        docstring=doc,
        docstring_span=make_span(doc_node) if doc_node is not None else None,
        decorators=(),
        body=source.decode("utf-8"),
        body_span=span,
        imports=tuple(text(source, n) for n in members.imports),
        fields=tuple(text(source, n) for n in members.assignments),
        children=_child_scopes(source, members, "", ScopeKind.MODULE),
    )


def _child_scopes(
    source: bytes, members: _Members, qual: str, kind: ScopeKind
) -> tuple[Scope, ...]:
    scopes = (_definition_scope(source, node, qual, kind) for node in members.definitions)
    return tuple(scope for scope in scopes if scope is not None)


def _unwrap(node: Node) -> tuple[Node | None, tuple[Node, ...]]:
    """(class/function node, decorator nodes) of a definition statement."""
    if node.type != "decorated_definition":
        return node, ()
    decorators = tuple(c for c in node.children if c.type == "decorator")
    return node.child_by_field_name("definition"), decorators


def _definition_scope(
    source: bytes, node: Node, parent_qual: str, parent_kind: ScopeKind
) -> Scope | None:
    definition, decorators = _unwrap(node)
    if definition is None:
        return None
    if definition.type == "class_definition":
        kind = ScopeKind.CLASS
    else:
        kind = ScopeKind.METHOD if parent_kind is ScopeKind.CLASS else ScopeKind.FUNCTION
    name = text(source, definition.child_by_field_name("name"))
    qual = f"{parent_qual}.{name}" if parent_qual else name
    body = definition.child_by_field_name("body")
    members = _members(body)
    doc, doc_node = _docstring(source, body)
    fields = _class_fields(source, members) if kind is ScopeKind.CLASS else ()
    return Scope(
        kind=kind,
        name=name,
        qualified_name=qual,
        span=make_span(node),
        signature=_signature(source, definition, body),
        docstring=doc,
        docstring_span=make_span(doc_node) if doc_node is not None else None,
        decorators=tuple(text(source, d) for d in decorators),
        body=text(source, body),
        body_span=make_span(body) if body is not None else empty_span_at(definition),
        imports=tuple(text(source, n) for n in members.imports),
        fields=fields,
        children=_child_scopes(source, members, qual, kind),
    )


def _signature(source: bytes, definition: Node, body: Node | None) -> str:
    """Header text from `def`/`async def`/`class` through the colon before the body."""
    end = definition.end_byte if body is None else body.start_byte
    colon_end = None
    for child in definition.children:
        if child.start_byte >= end:
            break
        if child.type == ":":
            colon_end = child.end_byte
    stop = colon_end if colon_end is not None else end
    return text_between(source, definition.start_byte, stop).rstrip()


def _docstring(source: bytes, body: Node | None) -> tuple[str | None, Node | None]:
    """(cleaned docstring, string node) when the body's first statement is a string."""
    if body is None:
        return None, None
    first = next((c for c in body.children if c.type != "comment"), None)
    if first is None or first.type != "expression_statement" or first.named_child_count != 1:
        return None, None
    literal = first_named_child(first)
    if literal is None or literal.type not in ("string", "concatenated_string"):
        return None, None
    value = _string_value(text(source, literal))
    if value is None:
        return None, None
    return inspect.cleandoc(value), literal


def _string_value(literal: str) -> str | None:
    """The value of a string literal (a fast path for plain triple-quoted docstrings)."""
    quote = literal[:3]
    plain = quote in ('"""', "'''") and "\\" not in literal and quote not in literal[3:-3]
    if plain and len(literal) >= 6 and literal.endswith(quote):
        return literal[3:-3].replace("\r\n", "\n").replace("\r", "\n")  # as Python reads it
    try:
        value = ast.literal_eval(literal)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _class_fields(source: bytes, members: _Members) -> tuple[str, ...]:
    fields = [text(source, n) for n in members.assignments]
    init = _find_init(source, members.definitions)
    if init is not None:
        fields.extend(text(source, n) for n in _self_assignments(source, init))
    return tuple(fields)


def _find_init(source: bytes, definitions: tuple[Node, ...]) -> Node | None:
    for node in definitions:
        definition, _ = _unwrap(node)
        if definition is None or definition.type != "function_definition":
            continue
        if text(source, definition.child_by_field_name("name")) == "__init__":
            return definition
    return None


def _self_name(source: bytes, function: Node) -> str:
    params = function.child_by_field_name("parameters")
    first = first_named_child(params)
    if first is not None and first.type == "identifier":
        return text(source, first)
    return "self"


def _self_assignments(source: bytes, init: Node) -> Iterator[Node]:
    """`self.x = ...` statements in `__init__` (through compound statements)."""
    self_name = _self_name(source, init)
    body = init.child_by_field_name("body")
    if body is None:
        return
    for stmt in statements(body):
        if stmt.type != "expression_statement":
            continue
        assignment = first_named_child(stmt)
        if assignment is None or assignment.type not in _ASSIGNMENTS:
            continue
        if _targets_self(source, assignment.child_by_field_name("left"), self_name):
            yield stmt


def _targets_self(source: bytes, target: Node | None, self_name: str) -> bool:
    if target is None:
        return False
    if target.type == "attribute":
        return text(source, target.child_by_field_name("object")) == self_name
    if target.type in ("pattern_list", "tuple_pattern", "list_pattern"):
        return any(_targets_self(source, t, self_name) for t in target.named_children)
    return False

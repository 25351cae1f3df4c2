"""Java source -> Scope hierarchy (tree-sitter-java).

Type declarations (class, interface, enum, record, @interface) are CLASS
scopes, methods are METHOD, constructors (also compact record constructors)
are CONSTRUCTOR. Annotations are the decorators, and the `/** */` comment or
run of `//` comments directly before a declaration is its docstring. Only
declaration-level nodes are visited: local and anonymous classes inside method
bodies are not scopes.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Iterator

from parsers.scopes import Language, ParsedFile, Scope, ScopeKind, Span
from parsers.syntax import (
    Node,
    empty_span_at,
    get_parser,
    make_span,
    syntax_issues,
    text,
    text_between,
    whole_span,
)

_TYPES = frozenset(
    {
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
        "annotation_type_declaration",
    }
)
_CALLABLES = {
    "method_declaration": ScopeKind.METHOD,
    "constructor_declaration": ScopeKind.CONSTRUCTOR,
    "compact_constructor_declaration": ScopeKind.CONSTRUCTOR,
}
_FIELDS = frozenset({"field_declaration", "constant_declaration", "enum_constant"})
_ANNOTATIONS = frozenset({"marker_annotation", "annotation"})
_COMMENTS = frozenset({"line_comment", "block_comment"})
_TRANSPARENT = frozenset({"enum_body_declarations", "ERROR"})


def parse_java(source: bytes) -> ParsedFile:
    tree = get_parser(Language.JAVA).parse(source)
    root = tree.root_node
    return ParsedFile(Language.JAVA, source, _module_scope(source, root), syntax_issues(root))


def members(body: Node | None) -> Iterator[Node]:
    """Declarations of a type body (or the program), through enum body declarations."""
    if body is None:
        return
    for child in body.children:
        if child.type in _TRANSPARENT:
            yield from members(child)
        else:
            yield child


def _module_scope(source: bytes, root: Node) -> Scope:
    span = whole_span(source)
    nodes = list(members(root))
    return Scope(
        kind=ScopeKind.MODULE,
        name="",
        qualified_name="",
        span=span,
        signature="",
        docstring=None,
        docstring_span=None,
        decorators=(),
        body=source.decode("utf-8"),
        body_span=span,
        imports=tuple(text(source, n) for n in nodes if n.type == "import_declaration"),
        fields=(),
        children=_child_scopes(source, nodes, ""),
    )


def _child_scopes(source: bytes, nodes: list[Node], qual: str) -> tuple[Scope, ...]:
    return tuple(
        _declaration_scope(source, n, qual)
        for n in nodes
        if n.type in _TYPES or n.type in _CALLABLES
    )


def _declaration_scope(source: bytes, node: Node, parent_qual: str) -> Scope:
    kind = ScopeKind.CLASS if node.type in _TYPES else _CALLABLES[node.type]
    name = text(source, node.child_by_field_name("name"))
    qual = f"{parent_qual}.{name}" if parent_qual else name
    body = node.child_by_field_name("body")
    nodes = list(members(body)) if kind is ScopeKind.CLASS else []
    doc, doc_span = _doc_comment(source, node)
    return Scope(
        kind=kind,
        name=name,
        qualified_name=qual,
        span=make_span(node),
        signature=_signature(source, node, body),
        docstring=doc,
        docstring_span=doc_span,
        decorators=tuple(text(source, a) for a in _annotations(node)),
        body=text(source, body),
        body_span=make_span(body) if body is not None else empty_span_at(node),
        imports=(),
        fields=tuple(text(source, n) for n in nodes if n.type in _FIELDS),
        children=_child_scopes(source, nodes, qual),
    )


def _modifiers(node: Node) -> Node | None:
    for child in node.children:
        if child.type == "modifiers":
            return child
    return None


def _annotations(node: Node) -> Iterator[Node]:
    modifiers = _modifiers(node)
    if modifiers is not None:
        yield from (c for c in modifiers.children if c.type in _ANNOTATIONS)


def _header_nodes(node: Node, body: Node | None) -> Iterator[Node]:
    """The tokens of the declaration header: modifiers (not annotations) up to the body."""
    for child in node.children:
        if body is not None and child.start_byte >= body.start_byte:
            return
        if child.type == "modifiers":
            yield from (
                c for c in child.children if c.type not in _ANNOTATIONS and c.type not in _COMMENTS
            )
        elif child.type not in _COMMENTS and child.type != ";":
            yield child


def _signature(source: bytes, node: Node, body: Node | None) -> str:
    """`public int f(int x) throws E`: the header without annotations, body or `;`."""
    start = end = None
    for child in _header_nodes(node, body):
        if start is None:
            start = child.start_byte
        end = child.end_byte
    if start is None or end is None:
        return ""
    return text_between(source, start, end)


def _is_trailing(comment: Node) -> bool:
    """A comment on the same line as the end of the code before it (`int x; // ...`)."""
    before = comment.prev_sibling
    return before is not None and before.end_point[0] == comment.start_point[0]


def _comment_run(node: Node) -> list[Node]:
    """The comments directly above `node`, nearest last: one `/** */` or a run of `//`."""
    run: list[Node] = []
    line = node.start_point[0]
    prev = node.prev_sibling
    while prev is not None and prev.type in _COMMENTS and prev.end_point[0] >= line - 1:
        if _is_trailing(prev):
            break
        if prev.type == "block_comment":
            if not run and _is_javadoc(prev):
                run.append(prev)
            break
        run.append(prev)
        line = prev.start_point[0]
        prev = prev.prev_sibling
    run.reverse()
    return run


def _is_javadoc(comment: Node) -> bool:
    return comment.text is not None and comment.text.startswith(b"/**")


def _doc_comment(source: bytes, node: Node) -> tuple[str | None, Span | None]:
    run = _comment_run(node)
    if not run:
        return None, None
    raw = text_between(source, run[0].start_byte, run[-1].end_byte)
    cleaned = clean_javadoc(raw) if run[0].type == "block_comment" else clean_line_comments(raw)
    return cleaned, make_span(run[0], run[-1])


def clean_javadoc(raw: str) -> str:
    """`/** ... */` without the markers and the leading `*` of each line."""
    inner = raw[3:-2] if raw.endswith("*/") else raw[3:]
    lines = []
    for line in inner.splitlines():
        stripped = line.lstrip()
        lines.append(stripped[1:] if stripped.startswith("*") else line)
    return inspect.cleandoc("\n".join(line.rstrip() for line in lines))


def clean_line_comments(raw: str) -> str:
    """A run of `//` comments without the markers, common indentation removed."""
    lines = [line.strip()[2:] for line in raw.splitlines()]
    return textwrap.dedent("\n".join(line.rstrip() for line in lines)).strip("\n")

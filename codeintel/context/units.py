"""The candidate pieces of a file around an anchor (a target scope or a cursor line).

A `Universe` holds one `Unit` per candidate piece: its record, the pieces it
needs (a method's signature needs its class header) and the fragments it adds
to the text. The builders only choose an order of unit keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from codeintel.context import source as src
from codeintel.context.model import PieceKind
from parsers.scopes import Language, ParsedFile, Scope, ScopeKind

# (tag, node index, item index); tags: header, doc, body, field, import
Key = tuple[str, int, int]
DETAIL_CHARS = 60


@dataclass(frozen=True)
class Unit:
    key: Key
    kind: PieceKind
    scope: str  # qualified name
    detail: str
    requires: tuple[Key, ...]
    fragments: tuple[src.Fragment, ...]


@dataclass(frozen=True)
class Node:
    """A class or function that may contribute pieces (the target's subtree excluded)."""

    index: int
    scope: Scope
    parent: int | None  # None: a module-level scope
    on_path: bool  # encloses the anchor


@dataclass(frozen=True)
class Universe:
    parsed: ParsedFile
    nodes: tuple[Node, ...]  # in source order
    units: dict[Key, Unit]
    anchor: tuple[int, int]  # first and last line the distances are measured to
    path: tuple[int, ...]  # node indexes enclosing the anchor, innermost first

    def keys(self, tag: str, node: int) -> list[Key]:
        """Keys of this node's units with this tag, in source order."""
        found = [k for k in ((tag, node, 0),) if k in self.units]
        i = 1
        while (tag, node, i) in self.units:
            found.append((tag, node, i))
            i += 1
        return found

    def imports(self) -> list[Key]:
        return self.keys("import", -1)

    def globals(self) -> list[Key]:
        """Module-level assignments."""
        return self.keys("field", -1)

    def module_doc(self) -> list[Key]:
        return self.keys("doc", -1)

    def distance(self, node: Node) -> int:
        """Lines between the node's span and the anchor (0 if they overlap)."""
        first, last = self.anchor
        span = node.scope.span
        return max(0, span.start_line - last, first - span.end_line)

    def parent_index(self, node: int | None) -> int | None:
        return None if node is None else self.nodes[node].parent


def ancestors(parsed: ParsedFile, target: Scope) -> tuple[Scope, ...]:
    """The classes and functions that enclose `target`, outermost first."""

    def search(scope: Scope, trail: tuple[Scope, ...]) -> tuple[Scope, ...] | None:
        for child in scope.children:
            if child is target:
                return trail
            found = search(child, (*trail, child))
            if found is not None:
                return found
        return None

    return search(parsed.module, ()) or ()


def _nodes(parsed: ParsedFile, target: Scope | None, path: tuple[Scope, ...]) -> Iterator[Node]:
    on_path = {id(s) for s in path}
    counter = iter(range(1 << 30))

    def visit(scope: Scope, parent: int | None) -> Iterator[Node]:
        for child in scope.children:
            if child is target:
                continue
            node = Node(next(counter), child, parent, id(child) in on_path)
            yield node
            if child.kind is ScopeKind.CLASS or node.on_path:
                yield from visit(child, node.index)

    yield from visit(parsed.module, None)


def _header_kind(node: Node) -> PieceKind:
    if node.scope.kind is ScopeKind.CLASS:
        return PieceKind.CLASS_HEADER
    return PieceKind.ENCLOSING if node.on_path else PieceKind.SIGNATURE


def _detail(text: str) -> str:
    return text.strip().split("\n", 1)[0][:DETAIL_CHARS]


def _scope_units(parsed: ParsedFile, node: Node, parent_header: tuple[Key, ...]) -> list[Unit]:
    scope, i = node.scope, node.index
    name = scope.qualified_name
    header = ("header", i, 0)
    fragments = src.header_fragments(parsed, scope)
    units = [Unit(header, _header_kind(node), name, "", parent_header, fragments)]
    doc = src.docstring_fragment(parsed, scope)
    if doc is not None:
        units.append(Unit(("doc", i, 0), PieceKind.DOCSTRING, name, "", (header,), (doc,)))
    if scope.is_function and not node.on_path and src.has_body(scope):
        needs = (header, ("doc", i, 0)) if doc is not None else (header,)
        body = src.body_fragment(parsed, scope)
        units.append(Unit(("body", i, 0), PieceKind.BODY, name, "", needs, (body,)))
    return units


def _find(
    source: bytes, text: str, region: tuple[int, int], skip: list[tuple[int, int]], used: set[int]
) -> int | None:
    needle = text.encode("utf-8")
    pos = source.find(needle, *region)
    while pos != -1:
        if pos not in used and not any(a <= pos < b for a, b in skip):
            return pos
        pos = source.find(needle, pos + 1, region[1])
    return None


def _field_units(parsed: ParsedFile, node: Node, nodes: list[Node]) -> list[Unit]:
    """Class-level fields inside the class header's block; `self.x` ones inside __init__."""
    scope = node.scope
    children = [n for n in nodes if n.parent == node.index]
    init = next((n for n in children if n.scope.is_function and n.scope.name == "__init__"), None)
    skip = [(c.span.start_byte, c.span.end_byte) for c in scope.children if c.is_function]
    used: set[int] = set()
    units: list[Unit] = []
    for text in scope.fields:
        if text.startswith("self."):
            if init is None:
                continue
            region = (init.scope.span.start_byte, init.scope.span.end_byte)
            owner, skip_here = init, []
        else:
            region = (scope.body_span.start_byte, scope.span.end_byte)
            owner, skip_here = node, skip
        pos = _find(parsed.source, text, region, skip_here, used)
        if pos is None:
            continue
        used.add(pos)
        indent = src.body_indent(parsed, owner.scope)
        fragment = src.statement_fragment(parsed, pos, text, indent)
        if parsed.language is Language.JAVA and not text.rstrip().endswith((";", "}")):
            fragment = replace(fragment, text=fragment.text + ",")  # an enum constant
        key = ("field", node.index, len(units))
        needs = (("header", owner.index, 0),)
        units.append(
            Unit(key, PieceKind.FIELD, scope.qualified_name, _detail(text), needs, (fragment,))
        )
    return units


def _module_units(parsed: ParsedFile) -> list[Unit]:
    """Imports, global assignments (FIELD) and the docstring of the module."""
    module = parsed.module
    everything = (0, len(parsed.source))
    scopes = [(c.span.start_byte, c.span.end_byte) for c in module.children]
    units: list[Unit] = []
    for tag, kind, texts in (
        ("import", PieceKind.IMPORT, module.imports),
        ("field", PieceKind.FIELD, module.fields),
    ):
        used: set[int] = set()
        for text in texts:
            pos = _find(parsed.source, text, everything, scopes, used)
            if pos is None:
                continue
            used.add(pos)
            fragment = src.statement_fragment(parsed, pos, text, "")
            key = (tag, -1, sum(1 for u in units if u.key[0] == tag))
            units.append(Unit(key, kind, module.qualified_name, _detail(text), (), (fragment,)))
    span = module.docstring_span
    if span is not None:
        fragment = src.Fragment(span.start_byte, parsed.text(span))
        units.append(
            Unit(("doc", -1, 0), PieceKind.DOCSTRING, module.qualified_name, "", (), (fragment,))
        )
    return units


def build_universe(
    parsed: ParsedFile,
    target: Scope | None,
    path: tuple[Scope, ...],
    anchor: tuple[int, int],
) -> Universe:
    """Every candidate unit of `parsed`, leaving out `target` and all inside it.

    `path` are the scopes enclosing the anchor, outermost first; functions on it
    give their header (ENCLOSING) and their inner scopes, never their body.
    """
    nodes = list(_nodes(parsed, target, path))
    units: dict[Key, Unit] = {u.key: u for u in _module_units(parsed)}
    for node in nodes:
        parent_header = () if node.parent is None else (("header", node.parent, 0),)
        for unit in _scope_units(parsed, node, parent_header):
            units[unit.key] = unit
        if node.scope.kind is ScopeKind.CLASS:
            units.update((u.key, u) for u in _field_units(parsed, node, nodes))
    path_ids = [id(s) for s in reversed(path)]
    by_id = {id(n.scope): n.index for n in nodes}
    return Universe(parsed, tuple(nodes), units, anchor, tuple(by_id[s] for s in path_ids))

"""Helpers shared by the three builders: finding the target and ordering nodes."""

from __future__ import annotations

from collections.abc import Iterable

from codeintel.context import source as src
from codeintel.context.units import Key, Node, Universe
from codeintel.errors import UnknownFunctionError
from parsers.errors import AmbiguousScopeError, ScopeNotFoundError
from parsers.scopes import ParsedFile, Scope, ScopeKind


def find_target(parsed: ParsedFile, name: str) -> Scope:
    """The scope called `name`; the parser's lookup errors become UnknownFunctionError."""
    try:
        return parsed.find(name)
    except (ScopeNotFoundError, AmbiguousScopeError) as exc:
        raise UnknownFunctionError(str(exc)) from exc


def target_text(parsed: ParsedFile, scope: Scope) -> str:
    """The target as written, moved to column 0."""
    return src.scope_text(parsed, scope, indent="")


def siblings(universe: Universe, target_parent: int | None) -> list[Node]:
    """Nodes that share the target's parent, in source order."""
    return [n for n in universe.nodes if n.parent == target_parent and not n.on_path]


def by_distance(universe: Universe, nodes: Iterable[Node]) -> list[Node]:
    """Nodes nearest the anchor first; ties in source order."""
    return sorted(nodes, key=lambda n: (universe.distance(n), n.index))


def is_class(node: Node) -> bool:
    return node.scope.kind is ScopeKind.CLASS


def headers(universe: Universe, nodes: Iterable[int]) -> list[Key]:
    return [k for i in nodes for k in universe.keys("header", i)]


def fields(universe: Universe, nodes: Iterable[int]) -> list[Key]:
    return [k for i in nodes for k in universe.keys("field", i)]


def docs(universe: Universe, nodes: Iterable[int]) -> list[Key]:
    return [k for i in nodes for k in universe.keys("doc", i)]


def bodies(universe: Universe, nodes: Iterable[int]) -> list[Key]:
    return [k for i in nodes for k in universe.keys("body", i)]


def header_and_fields(universe: Universe, nodes: Iterable[Node]) -> list[Key]:
    out: list[Key] = []
    for n in nodes:
        out += headers(universe, [n.index]) + fields(universe, [n.index])
    return out

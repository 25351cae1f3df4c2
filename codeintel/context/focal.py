"""AthenaTest's focal context: the focal method and a summary of its class.

Tufano et al. 2020 ("Unit Test Case Generation with Transformers and Focal
Context") give the model the focal method, then its class's name, the
constructors' signatures, the fields, and the other methods' signatures, with
every other body left out. That is the priority here. For a module-level
function the other module-level functions play the part of the methods.
"""

from __future__ import annotations

from codeintel.context import common
from codeintel.context.assemble import Target, assemble, check_budget
from codeintel.context.model import Context
from codeintel.context.tokens import LengthFn, approx_tokens
from codeintel.context.units import Key, Universe, ancestors, build_universe
from parsers.scopes import ParsedFile


def focal_priority(universe: Universe) -> list[Key]:
    path = list(universe.path)
    parent = path[0] if path else None
    methods = [n for n in common.siblings(universe, parent) if n.scope.is_function]
    constructors = [n.index for n in methods if n.scope.is_constructor]
    others = [n.index for n in methods if not n.scope.is_constructor]
    priority = common.headers(universe, path)
    priority += common.headers(universe, constructors)
    priority += common.fields(universe, path[:1])
    priority += common.headers(universe, others)
    return priority


def build_focal(
    parsed: ParsedFile,
    target: str,
    budget: int,
    length: LengthFn = approx_tokens,
) -> Context:
    """The focal method `target` in full, then its class's focal context."""
    check_budget(budget)
    scope = common.find_target(parsed, target)
    path = ancestors(parsed, scope)
    universe = build_universe(parsed, scope, path, (scope.span.start_line, scope.span.end_line))
    head = Target(common.target_text(parsed, scope), scope.qualified_name)
    return assemble(universe, head, focal_priority(universe), budget, length)

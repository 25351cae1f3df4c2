"""DeepDebug's code skeleton: the focal function, then the file around it, by priority.

Drain et al. 2021 ("DeepDebug: Fixing Python Bugs Using Stack Traces,
Backtranslation, and Code Skeletons") feed the buggy function followed by a
skeleton of its file. Priority after the target: the headers of the scopes
that enclose it (its class), that class's fields, the module's imports and
global assignments, the signatures of its siblings (same class or module, in
file order) and then of every other scope (nearest first), docstrings in the
same order (the module's last), and last the bodies of other functions. The
rest of the file keeps its order and indentation; elided bodies read `...`
(Python) or `;` (Java).
"""

from __future__ import annotations

from codeintel.context import common
from codeintel.context.assemble import Target, assemble, check_budget
from codeintel.context.model import Context
from codeintel.context.tokens import LengthFn, approx_tokens
from codeintel.context.units import Key, Universe, ancestors, build_universe
from parsers.scopes import ParsedFile


def skeleton_priority(universe: Universe) -> list[Key]:
    path = list(universe.path)
    parent = path[0] if path else None
    near = common.siblings(universe, parent)
    near_ids = {n.index for n in near}
    far = common.by_distance(
        universe, (n for n in universe.nodes if n.index not in near_ids and not n.on_path)
    )
    order = near + far
    priority = common.headers(universe, path)
    priority += common.fields(universe, path)
    priority += universe.imports() + universe.globals()
    priority += common.header_and_fields(universe, order)
    priority += common.docs(universe, path) + common.docs(universe, (n.index for n in order))
    priority += universe.module_doc()
    priority += common.bodies(universe, (n.index for n in order))
    return priority


def build_skeleton(
    parsed: ParsedFile,
    target: str,
    budget: int,
    length: LengthFn = approx_tokens,
    *,
    include_target: bool = True,
) -> Context:
    """The function `target` in full, then its file's skeleton, within `budget` tokens.

    With `include_target=False` the text leaves the target out (the caller puts it
    in front itself); the rest is chosen in the same order.
    """
    check_budget(budget)
    scope = common.find_target(parsed, target)
    path = ancestors(parsed, scope)
    span = scope.span
    universe = build_universe(parsed, scope, path, (span.start_line, span.end_line))
    head = Target(common.target_text(parsed, scope), scope.qualified_name)
    return assemble(
        universe, head if include_target else None, skeleton_priority(universe), budget, length
    )

"""Choosing units under a budget and assembling the text.

Selection is greedy in priority order: a unit is kept, together with the units
it requires, when their summed cost fits what is left of the budget. Costs are
measured per fragment with its separating newline; the assembled text is then
measured as a whole, and if a length function is not additive the last kept
units are given back (binary search over the kept prefix) until it fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codeintel.context.model import Context, Piece, PieceKind
from codeintel.context.source import Fragment
from codeintel.context.tokens import LengthFn
from codeintel.context.units import Key, Unit, Universe
from codeintel.errors import InputError

SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Target:
    """The text every context keeps first.

    `last` puts it at the end of the text (eWASH); `keep_tail` cuts a target that
    does not fit from the front, keeping the lines next to a cursor.
    """

    text: str
    scope: str
    last: bool = False
    keep_tail: bool = False


def check_budget(budget: int) -> None:
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise InputError(f"the token budget must be a positive integer, got {budget!r}")


def render(units: dict[Key, Unit], keys: Sequence[Key]) -> str:
    """The kept fragments in file order, elided blocks closed with ` ...` / `;`."""
    fragments = sorted(
        (f for k in keys for f in units[k].fragments),
        key=lambda f: (f.start, f.cover_end < 0),
    )
    visible: list[Fragment] = []
    covered_until = -1
    for fragment in fragments:
        if fragment.start < covered_until:
            continue
        visible.append(fragment)
        covered_until = max(covered_until, fragment.cover_end)
    lines = []
    for i, fragment in enumerate(visible):
        following = visible[i + 1].start if i + 1 < len(visible) else None
        empty = fragment.block_end >= 0 and (following is None or following >= fragment.block_end)
        lines.append(fragment.text + (fragment.empty_suffix if empty else ""))
    return "\n".join(lines)


def compose(target: Target | None, rest: str) -> str:
    if target is None or not target.text:
        return rest
    if not rest:
        return target.text
    return rest + SEPARATOR + target.text if target.last else target.text + SEPARATOR + rest


def _cost(unit: Unit, length: LengthFn) -> int:
    return sum(length("\n" + f.text + f.empty_suffix) for f in unit.fragments)


class _Costs:
    """Each unit's cost, measured once."""

    def __init__(self, units: dict[Key, Unit], length: LengthFn) -> None:
        self._units, self._length, self._known = units, length, dict[Key, int]()

    def __call__(self, key: Key) -> int:
        if key not in self._known:
            self._known[key] = _cost(self._units[key], self._length)
        return self._known[key]


def _closure(key: Key, units: dict[Key, Unit], kept: set[Key]) -> list[Key]:
    """`key` after every unit it needs that is not kept yet (requirements first)."""
    out: list[Key] = []

    def add(k: Key) -> None:
        if k in kept or k in out or k not in units:
            return
        for need in units[k].requires:
            add(need)
        out.append(k)

    add(key)
    return out


def greedy(
    units: dict[Key, Unit], priority: Sequence[Key], room: int, cost: Callable[[Key], int]
) -> list[Key]:
    kept: list[Key] = []
    kept_set: set[Key] = set()
    for key in priority:
        if key in kept_set or key not in units:
            continue
        closure = _closure(key, units, kept_set)
        total = sum(cost(k) for k in closure)
        if total <= room:
            kept.extend(closure)
            kept_set.update(closure)
            room -= total
    return kept


def largest(fits: Callable[[int], bool], high: int) -> int:
    """The largest n in [0, high] with fits(n), assuming fits(0) and monotony."""
    low = 0
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


def truncate(text: str, budget: int, length: LengthFn, keep_tail: bool) -> str:
    """Cut `text` to fit: whole lines first, then characters of the single nearest line."""

    def cut(items: list[str], n: int, joiner: str) -> str:
        return joiner.join(items[len(items) - n :] if keep_tail else items[:n])

    lines = text.split("\n")
    n = largest(lambda k: length(cut(lines, k, "\n")) <= budget, len(lines))
    if n == 0:
        line = list(lines[-1] if keep_tail else lines[0])
        n = largest(lambda k: length(cut(line, k, "")) <= budget, len(line))
        result = cut(line, n, "")
    else:
        result = cut(lines, n, "\n")
    while result and length(result) > budget:  # a length function that is not monotone
        result = result[1:] if keep_tail else result[:-1]
    return result


def _records(
    universe: Universe, priority: Sequence[Key], kept: Sequence[Key], cost: Callable[[Key], int]
) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    units = universe.units

    def _piece(key: Key) -> Piece:
        unit = units[key]
        return Piece(unit.kind, unit.scope, cost(key), unit.detail)

    kept_set = set(kept)
    seen: set[Key] = set()
    dropped = []
    for key in priority:
        if key in units and key not in kept_set and key not in seen:
            seen.add(key)
            dropped.append(_piece(key))
    return tuple(_piece(k) for k in kept), tuple(dropped)


def _truncated_context(
    target: Target, universe: Universe, priority: Sequence[Key], budget: int, length: LengthFn
) -> Context:
    text = truncate(target.text, budget, length, keep_tail=target.keep_tail)
    _, dropped = _records(universe, priority, (), _Costs(universe.units, length))
    head = Piece(PieceKind.TARGET, target.scope, length(text))
    return Context(text, length(text), budget, (head,), dropped, True)


def assemble(
    universe: Universe,
    target: Target | None,
    priority: Sequence[Key],
    budget: int,
    length: LengthFn,
) -> Context:
    """The context: the target, then as many units in priority order as the budget holds."""
    check_budget(budget)
    if length("") > budget:
        raise InputError(f"the budget {budget} is smaller than the length of an empty text")
    if target is not None and length(target.text) > budget:
        return _truncated_context(target, universe, priority, budget, length)
    units = universe.units
    cost = _Costs(units, length)
    used = 0 if target is None or not target.text else length(target.text + "\n")
    kept = greedy(units, priority, budget - used, cost)

    def text_of(n: int) -> str:
        return compose(target, render(units, kept[:n]))

    n = len(kept)
    if length(text_of(n)) > budget:
        n = largest(lambda k: length(text_of(k)) <= budget, n - 1)
    kept = kept[:n]
    text = text_of(n)
    kept_pieces, dropped = _records(universe, priority, kept, cost)
    if target is not None and target.text:
        head = Piece(PieceKind.TARGET, target.scope, length(target.text))
        kept_pieces = (head, *kept_pieces)
    return Context(text, length(text), budget, kept_pieces, dropped, False)

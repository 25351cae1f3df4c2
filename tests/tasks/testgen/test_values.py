"""Values close to the tests' own (codeintel/tasks/testgen/values.py)."""

from __future__ import annotations

import random

from codeintel.tasks.testgen.values import boundary_variants, perturb


def test_perturb_ints_bools_floats():
    rng = random.Random(0)
    for value in (0, 7, -5, 10**20):
        changed = [perturb(value, rng) for _ in range(50)]
        assert all(type(c) is int and 1 <= abs(c - value) <= 3 for c in changed)
    assert perturb(True, rng) is False and perturb(False, rng) is True
    assert all(isinstance(perturb(1.5, rng), float) for _ in range(10))
    assert perturb(None, rng) is None


def test_perturb_strings_change_by_one_character():
    rng = random.Random(1)
    for text in ("", "a", "hello world"):
        for _ in range(50):
            changed = perturb(text, rng)
            assert isinstance(changed, str) and changed != text
            assert abs(len(changed) - len(text)) <= 1


def test_perturb_lists_keep_types_and_sortedness():
    rng = random.Random(2)
    for _ in range(100):
        values = [1, 3, 5, 9]
        changed = perturb(values, rng)
        assert values == [1, 3, 5, 9]  # the input is not mutated
        assert abs(len(changed) - 4) <= 1 and all(type(v) is int for v in changed)
        assert changed == sorted(changed)  # sorted input (maybe a precondition) stays sorted
    assert {tuple(perturb([3, 1, 2], rng)) for _ in range(100)} >= {(1, 2, 3), (2, 1, 3)}
    nested = perturb(([[1, 2], [3]], "ab"), random.Random(3))
    assert isinstance(nested, tuple)
    assert perturb([], random.Random(4)) != []  # an empty list gets an element


def test_boundary_variants_move_one_int_to_zero_or_its_negation():
    assert boundary_variants([[1, 2], 3]) == [
        [[0, 2], 3],
        [[-1, 2], 3],
        [[1, 0], 3],
        [[1, -2], 3],
        [[1, 2], 0],
        [[1, 2], -3],
    ]
    assert boundary_variants([(0, 5)]) == [[(0, 0)], [(0, -5)]]  # a 0 has no other boundary
    assert boundary_variants([(0, 5)], limit=1) == [[(0, 0)]]
    assert boundary_variants(["a", True, 2.5]) == []  # no ints (a bool is not one)

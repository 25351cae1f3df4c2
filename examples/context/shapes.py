"""Plane shapes with areas, perimeters and a registry that sorts them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


class Shape:
    """A closed plane figure."""

    sides: int = 0

    def area(self) -> float:
        """The enclosed area."""
        raise NotImplementedError

    def perimeter(self) -> float:
        """The length of the boundary."""
        raise NotImplementedError


class Rectangle(Shape):
    """An axis-aligned rectangle."""

    sides = 4

    def __init__(self, width: float, height: float) -> None:
        if width < 0 or height < 0:
            raise ValueError("a rectangle's sides cannot be negative")
        self.width = width
        self.height = height

    def area(self) -> float:
        return self.width * self.height

    def perimeter(self) -> float:
        return 2 * (self.width + self.height)

    def scaled(self, factor: float) -> Rectangle:
        """A copy with both sides multiplied by `factor`."""
        return Rectangle(self.width * factor, self.height * factor)


class Circle(Shape):
    """A circle given by its radius."""

    def __init__(self, radius: float) -> None:
        self.radius = radius

    def area(self) -> float:
        return math.pi * self.radius**2

    def perimeter(self) -> float:
        return 2 * math.pi * self.radius


@dataclass
class Registry:
    """Named shapes, largest first on demand."""

    shapes: dict[str, Shape] = field(default_factory=dict)

    def add(self, name: str, shape: Shape) -> None:
        """Register `shape` under `name`; a name is used once."""
        if name in self.shapes:
            raise KeyError(f"{name!r} is already registered")
        self.shapes[name] = shape

    def largest(self, count: int = 1) -> list[str]:
        """The names of the `count` shapes with the largest area."""
        ranked = sorted(self.shapes, key=lambda n: self.shapes[n].area(), reverse=True)
        return ranked[:count]

    def total_area(self) -> float:
        return sum(shape.area() for shape in self.shapes.values())


def unit_square() -> Rectangle:
    """The square with sides of length one."""
    return Rectangle(1.0, 1.0)

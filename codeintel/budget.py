"""One clock for a command's time budget: what is left, and whether the next step fits."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from codeintel.errors import InputError


@dataclass(frozen=True)
class Budget:
    """`seconds` of wall-clock time from `started` (time.monotonic)."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise InputError("the budget must be a positive number of seconds")

    @property
    def deadline(self) -> float:
        return self.started + self.seconds

    def spent(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def fits(self, step_seconds: float) -> bool:
        """Whether a step expected to take `step_seconds` ends before the deadline."""
        return step_seconds <= self.left()

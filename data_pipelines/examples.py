"""The training example record and the length limits every stage applies."""

from __future__ import annotations

from dataclasses import dataclass

from codeintel.context import approx_tokens
from codeintel.context.assemble import largest
from codeintel.records import JsonRecord
from data_pipelines.config import BuildConfig, Task

MIN_CONTEXT = 16  # below this many tokens of room, a context is left out


@dataclass(frozen=True)
class Example(JsonRecord):
    task: Task
    input: str
    target: str
    origin: str  # id of the function the target comes from
    refs: tuple[str, ...] = ()  # every function id it uses; dropped if any is dropped

    def output(self) -> dict:
        """The record as `DATA/examples/{split}/{task}-*.jsonl` stores it."""
        return {
            "task": self.task.value,
            "input": self.input,
            "target": self.target,
            "origin": self.origin,
        }

    @property
    def uses(self) -> tuple[str, ...]:
        return (self.origin, *self.refs)


def cut(text: str, budget: int, *, keep_tail: bool = False) -> str:
    """`text` cut at a line (or character) boundary to at most `budget` approx tokens."""
    if approx_tokens(text) <= budget:
        return text
    lines = text.split("\n")
    n = largest(lambda k: approx_tokens(_join(lines, k, keep_tail)) <= budget, len(lines))
    if n > 0:
        return _join(lines, n, keep_tail)
    line = lines[-1] if keep_tail else lines[0]
    chars = largest(
        lambda k: approx_tokens(line[-k:] if keep_tail else line[:k]) <= budget, len(line)
    )
    return (line[-chars:] if keep_tail else line[:chars]) if chars else ""


def _join(lines: list[str], n: int, keep_tail: bool) -> str:
    return "\n".join(lines[len(lines) - n :] if keep_tail else lines[:n])


def make(
    task: Task,
    input_text: str,
    target: str,
    origin: str,
    config: BuildConfig,
    refs: tuple[str, ...] = (),
) -> Example | None:
    """An example with its input cut to the limit; None if the target is too long or empty."""
    if not target.strip() or approx_tokens(target) > config.max_target_tokens:
        return None
    return Example(task, cut(input_text, config.max_input_tokens), target, origin, refs)


def room(config: BuildConfig, *parts: str) -> int:
    """Tokens left for a context after the other parts of an input."""
    return config.max_input_tokens - sum(approx_tokens(p) for p in parts) - 8

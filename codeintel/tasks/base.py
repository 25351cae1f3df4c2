"""The shape every task has: build input -> generate -> post-process -> grade.

The CLI, the LSP server and the benchmarks call tasks through `run_task`;
none of them re-implements a step. `build_input` may end a task early (for
example, repair when the tests already pass) by returning `Done(result)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

RequestT = TypeVar("RequestT")
InputT = TypeVar("InputT")
CandidateT = TypeVar("CandidateT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class Done(Generic[ResultT]):
    """The task's result, known before any candidate is generated."""

    result: ResultT


class Task(Protocol[RequestT, InputT, CandidateT, ResultT]):
    name: str

    def build_input(self, request: RequestT, model: Any) -> InputT | Done[ResultT]:
        """What the model sees (and what grading needs), from the user's request."""
        ...

    def generate(self, model_input: InputT, model: Any) -> Sequence[CandidateT]:
        """Raw candidates: from the model, and from any deterministic source."""
        ...

    def post_process(
        self, model_input: InputT, candidates: Sequence[CandidateT], model: Any
    ) -> Sequence[CandidateT]:
        """Decode, drop duplicates and unparsable candidates, rank."""
        ...

    def grade(self, model_input: InputT, candidates: Sequence[CandidateT]) -> ResultT:
        """Execute candidates in the sandbox and report the result."""
        ...


def run_task(
    task: Task[RequestT, InputT, CandidateT, ResultT], request: RequestT, model: Any
) -> ResultT:
    model_input = task.build_input(request, model)
    if isinstance(model_input, Done):
        return model_input.result
    candidates = task.generate(model_input, model)
    ranked = task.post_process(model_input, candidates, model)
    return task.grade(model_input, ranked)

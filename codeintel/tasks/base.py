"""The shape every task has: build input -> generate -> post-process -> grade.

The CLI, the LSP server and the benchmarks call tasks through `run_task`;
none of them re-implements a step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

RequestT = TypeVar("RequestT")
InputT = TypeVar("InputT")
CandidateT = TypeVar("CandidateT")
ResultT = TypeVar("ResultT", covariant=True)


class Task(Protocol, Generic[RequestT, InputT, CandidateT, ResultT]):
    name: str

    def build_input(self, request: RequestT) -> InputT:
        """What the model sees (and what grading needs), from the user's request."""
        ...

    def generate(self, model_input: InputT, model: Any) -> Sequence[CandidateT]:
        """Raw candidates: from the model, and from any deterministic source."""
        ...

    def post_process(
        self, model_input: InputT, candidates: Sequence[CandidateT]
    ) -> Sequence[CandidateT]:
        """Decode, drop duplicates and unparsable candidates, rank."""
        ...

    def grade(self, model_input: InputT, candidates: Sequence[CandidateT]) -> ResultT:
        """Execute candidates in the sandbox and report the result."""
        ...


def run_task(
    task: Task[RequestT, InputT, CandidateT, ResultT], request: RequestT, model: Any
) -> ResultT:
    model_input = task.build_input(request)
    candidates = task.generate(model_input, model)
    ranked = task.post_process(model_input, candidates)
    return task.grade(model_input, ranked)

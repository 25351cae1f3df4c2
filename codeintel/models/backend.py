"""The one interface every task uses for a model, whatever its kind.

    model.capabilities           what it can do (below); tasks read it, never guess
    model.count_tokens(text)     its tokenizer's count (a server's: estimated)
    model.generate(inputs, config)  candidates with their log-likelihoods
    model.score(input, targets)  log-likelihoods of given continuations (when `scores`)

A model trained on codeintel's task formats (`task_formats`: the bundled seq2seq
checkpoints, `Seq2SeqModel`) is given the task's own input (`formats.py`: `fix:`,
`doc:`, `body:` ...). Any other (`CausalModel`, `HttpModel`) is prompted as a code
model: it also has `fill_in_middle(prefix, suffix, config)` (by its FIM template, or
the prefix alone) and `chat(messages, config)`, and each task builds a prompt made for
it (`prompted`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Capabilities:
    scores: bool  # log-probabilities of given continuations
    fim: str | None  # the FIM template's name, None: plain prefix prompts
    chat: bool  # the tokenizer has a chat template (a server: its chat endpoint)
    context_length: int  # tokens the model attends to
    task_formats: bool = False  # trained on codeintel's task inputs (fix:, doc:, ...)


def prompted(model: Any) -> bool:
    """Whether the tasks prompt `model` as a code model (its `fill_in_middle` and
    `chat`), rather than give it their trained task inputs."""
    return not model.capabilities.task_formats

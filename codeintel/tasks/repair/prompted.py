"""Repair candidates from a causal model or a server: the model rewrites the function.

A model with a chat template (or a server) is asked in a conversation: the function,
the failing test's code and its trace go in, the whole fixed function comes back in a
```python block. A model without one gets a plain prompt: the same as comments above
the function's signature, which it continues. Either way each answer becomes a
candidate that replaces the function (at its indentation), validated in the sandbox
with the rule edits before it (`rank` without a model keeps that order).

    found = prompted_candidates(target, model, tests, trace, n=4)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from codeintel.tasks.repair.records import Candidate, CandidateSource, Target
from parsers.text import dedent, lines_within, python_ast, reindent

SYSTEM = (
    "You fix bugs in Python functions. Answer with the whole fixed function in one "
    "```python code block, and nothing else."
)
_FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)
STOPS = ("\ndef ", "\nclass ", "\nif __name__", "\n# ")
ANSWER_TOKENS = 384  # new tokens of an answer, at most


def failing_test_source(tests: Mapping[str, str], trace: str) -> str:
    """The source of the first test function the trace names, when a test file has it."""
    for text in tests.values():
        tree = python_ast(text)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in trace:
                found = ast.get_source_segment(text, node)
                if found:
                    return found
    return ""


def messages(function: str, test: str, trace: str) -> list[dict[str, str]]:
    """The conversation's first turn."""
    parts = [f"This function fails its test.\n\n```python\n{function}\n```"]
    if test:
        parts.append(f"The failing test:\n\n```python\n{test}\n```")
    if trace:
        parts.append(f"What went wrong:\n\n```\n{trace[-2000:]}\n```")
    parts.append("Write the fixed function.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


def plain_prompt(function: str, test: str, trace: str) -> str:
    """The same as comments, then the function's signature to continue."""
    notes = ["# A function that fails its test.", *(f"# {ln}" for ln in function.splitlines())]
    if test:
        notes += ["# The failing test:", *(f"# {ln}" for ln in test.splitlines())]
    if trace:
        notes += ["# What went wrong:", *(f"# {ln}" for ln in trace[-1000:].splitlines())]
    header = _header(function)
    return "\n".join([*notes, "# The fixed function:", header]) + "\n"


def _header(function: str) -> str:
    """The function's text up to the end of its signature (decorators included)."""
    tree = python_ast(function)
    node = tree.body[0] if tree is not None and tree.body else None
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not node.body:
        return function.splitlines()[0]
    return "\n".join(function.splitlines()[: node.body[0].lineno - 1])


def function_in(answer: str, name: str) -> str | None:
    """The function named `name` from a model's answer: the fenced block's, or the whole
    answer's; None when no such function parses."""
    blocks = _FENCE.findall(answer) or [answer]
    for block in blocks:
        text = dedent(block.strip("\n"))
        tree = python_ast(text)
        for node in tree.body if tree is not None else []:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                return ast.get_source_segment(text, node)
    return None


def follow_up(turn: list[dict[str, str]], tried: str, failure: str) -> list[dict[str, str]]:
    """The conversation after a candidate failed (as ChatRepair goes on): the model's
    function, then what went wrong with it."""
    return [
        *turn,
        {"role": "assistant", "content": f"```python\n{tried}\n```"},
        {
            "role": "user",
            "content": f"That still fails:\n\n```\n{failure[-2000:]}\n```\n\n"
            "Write the fixed function again.",
        },
    ]


def answered(
    target: Target,
    model: Any,
    turn: list[dict[str, str]],
    n: int,
    temperature: float | None = None,
) -> list[Candidate]:
    """Up to `n` candidates from a chat model's answers to `turn` (`prompted_candidates`)."""
    block = target.block
    name = block.qualified_name.rpartition(".")[2]
    answers = _answers(lambda c: model.chat(turn, c), n, temperature)
    return _candidates(block, model, [(function_in(a.text, name), a) for a in answers])


def _answers(call: Any, n: int, temperature: float | None, stop: tuple[str, ...] = ()) -> list[Any]:
    """The greedy answer and n - 1 samples, or (given a temperature) n samples at it."""
    from codeintel.models.causal import CausalGeneration, greedy_and_samples

    if temperature is None:
        return greedy_and_samples(call, n, ANSWER_TOKENS, stop)
    config = CausalGeneration(n=n, max_new_tokens=ANSWER_TOKENS, temperature=temperature, stop=stop)
    return list(call(config))


def _candidates(block: Any, model: Any, texts: list[tuple[str | None, Any]]) -> list[Candidate]:
    return [
        Candidate(
            CandidateSource.MODEL,
            block.qualified_name,
            reindent(text, block.indent),
            "the model's function",
            answer.logprob if model.capabilities.scores else None,
        )
        for text, answer in texts
        if text is not None
    ]


def prompted_candidates(
    target: Target,
    model: Any,
    tests: Mapping[str, str],
    trace: str,
    n: int,
    temperature: float | None = None,
) -> list[Candidate]:
    """Up to `n` whole-function candidates: the greedy answer, then samples; or, given a
    `temperature`, `n` samples at it."""
    block = target.block
    function = dedent(block.text)
    name = block.qualified_name.rpartition(".")[2]
    test = failing_test_source(tests, trace)
    if model.capabilities.chat:
        return answered(target, model, messages(function, test, trace), n, temperature)
    prompt = plain_prompt(function, test, trace)
    header = _header(function)
    answers = _answers(lambda c: model.generate([prompt], c)[0], n, temperature, STOPS)
    texts = [
        (function_in(header + "\n" + "\n".join(lines_within(a.text, "")), name), a) for a in answers
    ]
    return _candidates(block, model, texts)

"""The per-function example stages: pymt5, completion, repair; and length limits."""

from __future__ import annotations

import random
from dataclasses import replace

from codeintel.context import approx_tokens
from codeintel.models import formats
from data_pipelines.completion import completion_examples, cursor_lines
from data_pipelines.config import Task
from data_pipelines.examples import cut, make
from data_pipelines.pymt5 import pymt5_examples
from data_pipelines.repair import repair_examples

from .conftest import records_of


def _scope_and_record(corpus_root, config, name):
    parsed, records = records_of(corpus_root, "shapes/geometry.py", config)
    record = next(r for r in records if r.qualified_name == name)
    return parsed, parsed.find(name), record


def test_pymt5_three_modes_without_docstring_in_body(corpus_root, config) -> None:
    parsed, scope, record = _scope_and_record(corpus_root, config, "Rect.scale")
    examples = {e.task: e for e in pymt5_examples(parsed, scope, record, config)}
    assert set(examples) == {Task.DOC, Task.BODY, Task.SIG}
    body = (
        'if factor <= 0:\n    raise ValueError("factor must be positive")\n'
        "return Rect(self.width * factor, self.height * factor)"
    )
    doc = "Return a new rectangle scaled by `factor`."
    assert examples[Task.DOC].target == doc
    assert examples[Task.DOC].input == formats.pymt5_input(
        formats.Prefix.DOC, "def scale(self, factor):", doc, body
    )
    assert examples[Task.BODY].target == body
    assert examples[Task.SIG].target == "def scale(self, factor):"
    assert all(e.origin == record.id for e in examples.values())


def test_pymt5_needs_a_docstring(corpus_root, config) -> None:
    parsed, scope, record = _scope_and_record(corpus_root, config, "clamp_values")
    assert pymt5_examples(parsed, scope, record, config) == []


def test_completion_next_line_and_rest(corpus_root, config) -> None:
    parsed, scope, record = _scope_and_record(corpus_root, config, "perimeter")
    assert cursor_lines(parsed, scope) == [15, 16, 17, 18]  # docstring line left out
    examples = completion_examples(parsed, scope, record, config, random.Random(2))
    assert len(examples) == 2 and {e.task for e in examples} == {Task.COMPLETE}
    next_line, rest = examples
    assert "\n" not in next_line.target and next_line.target.startswith("    ")
    assert rest.target.startswith(next_line.target)
    context, _, before = next_line.input.partition(f"\n{formats.CURSOR}\n")
    assert before.startswith("def perimeter(sides):")
    assert context.startswith("complete: ") and "def circle_area(radius)" in context
    assert "def perimeter" not in context  # the target is shown once, after the cursor
    full = record.text.split("\n")
    assert before + "\n" + rest.target == "\n".join(full)


def test_repair_fix_and_break_pairs(corpus_root, config) -> None:
    parsed, scope, record = _scope_and_record(corpus_root, config, "weighted_mean_of_points")
    examples = repair_examples(parsed, scope, record, config, random.Random(1))
    fixes = [e for e in examples if e.task is Task.FIX]
    breaks = [e for e in examples if e.task is Task.BREAK]
    assert 1 <= len(fixes) <= config.bugs_per_function and len(breaks) == len(fixes)
    for fix in fixes:
        buggy = fix.input[len("fix: ") :].split(f"\n{formats.TRACE}\n")[0]
        edit = formats.decode_edit(fix.target)
        assert edit is not None and formats.apply_edit(buggy, edit) == record.text
        assert "def circle_area(radius)" in fix.input  # the skeleton
    assert all(b.input == formats.break_input(record.text) for b in breaks)
    none = repair_examples(
        parsed, scope, record, replace(config, bugs_per_function=0), random.Random(1)
    )
    assert none == []


def test_limits_cut_inputs_and_drop_long_targets(config) -> None:
    small = replace(config, max_input_tokens=64, max_target_tokens=8)
    long_text = "\n".join(f"line_{i} = value_{i} + other_{i}" for i in range(100))
    example = make(Task.DOC, long_text, "short target", "id", small)
    assert example is not None and approx_tokens(example.input) <= 64
    assert make(Task.DOC, "x", long_text, "id", small) is None
    assert make(Task.DOC, "x", "   ", "id", small) is None
    tail = cut(long_text, 20, keep_tail=True)
    assert long_text.endswith(tail) and approx_tokens(tail) <= 20

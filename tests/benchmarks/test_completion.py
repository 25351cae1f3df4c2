"""The completion benchmark: CodeXGLUE's line-completion records and held-out cursors."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from benchmarks.completion import examples_of, read_codexglue, score
from codeintel.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_codexglue_records_become_cursors_at_the_end_of_their_input() -> None:
    examples = read_codexglue(FIXTURES / "codexglue" / "line_completion.json", limit=10)
    assert len(examples) == 3
    first = examples[0]
    assert first.source.startswith("import os\ndef join_all ( paths ) :\n")
    assert first.source.endswith("result . append ( os . path .")
    lines = first.source.split("\n")
    assert (first.line, first.column) == (len(lines), len(lines[-1]))
    assert first.truth == "join ( <STR_LIT:root> , path ) )"
    assert read_codexglue(FIXTURES / "codexglue" / "line_completion.json", limit=1)[0] == first


def test_a_broken_record_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"input": "<s> x"}\n')
    with pytest.raises(InputError, match=r"bad\.json:1"):
        read_codexglue(bad, 10)


def test_held_out_cursors_are_inside_function_lines() -> None:
    path = FIXTURES / "completion" / "inventory.py"
    examples = examples_of(path, path.parent, 5, random.Random(0))
    assert len(examples) == 5
    lines = path.read_text().split("\n")
    for e in examples:
        text = lines[e.line - 1]
        assert text.startswith("    ") and text[e.column :].strip() == e.truth and e.truth
    scores = score(examples, [e.truth for e in examples])
    assert scores == {"exact_match": 100.0, "edit_similarity": 100.0}

"""Completion: the cursor, the input under its budget, post-processing, parse-aware
ranking, retrieval, and the bundled model end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeintel.errors import InputError
from codeintel.models import formats
from codeintel.models.seq2seq import Generation
from codeintel.retrieval import build_index, load_index
from codeintel.tasks.completion import (
    LINE_SECONDS,
    Completion,
    CompletionConfig,
    CompletionMode,
    CompletionRequest,
    WindowKind,
    build_input,
    complete,
    cursor_of,
    parses_there,
    post_process,
    ranked,
    run,
)
from tests.tasks.conftest import TASK_FORMATS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INVENTORY = (FIXTURES / "completion" / "inventory.py").read_text()
SHOP = FIXTURES / "retrieval" / "shop"


class ScriptedModel:
    """Gives the texts it is told to, so post-processing and ranking can be checked."""

    capabilities = TASK_FORMATS

    max_input_tokens = 256

    def __init__(self, *texts: str) -> None:
        self.texts, self.prefixes, self.inputs, self.configs = texts, [], [], []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def generate(self, inputs, config, prefixes=None):
        self.inputs += inputs
        self.prefixes.append(prefixes)
        self.configs.append(config)
        return [tuple(Generation(t, -float(i)) for i, t in enumerate(self.texts))]


@pytest.fixture(scope="module")
def bundled():
    from codeintel.models import load_model

    return load_model()


def test_the_cursor_is_checked_and_placed() -> None:
    cursor = cursor_of(INVENTORY, 12, 19)  # `        self.stock[` in Inventory.add
    assert cursor.scope.qualified_name == "Inventory.add"
    assert cursor.indent == "    " and cursor.typed == "    self.stock["
    assert cursor.before.startswith("def add(self, item, count=1):")
    for line, column in ((0, 0), (40, 0), (12, 99), (12, -1)):
        with pytest.raises(InputError):
            cursor_of(INVENTORY, line, column)


def test_post_processing_continues_what_is_typed() -> None:
    cursor = cursor_of(INVENTORY, 12, 21)  # `self.stock[it`
    line = CompletionMode.LINE
    assert post_process(cursor, line, "    self.stock[item] = 0\n    return 1") == "em] = 0"
    assert post_process(cursor, line, "    self.stock[key] = 0") is None  # not what is typed
    block = cursor_of(INVENTORY, 13, 8)  # the start of `return self.stock[item]`
    text = "    x = 1\n    return x"
    assert post_process(block, CompletionMode.BLOCK, text) == "x = 1\n        return x"
    lines = INVENTORY.split("\n")
    with_blank = "\n".join([*lines[:11], "", *lines[11:]])  # a blank line in add's body
    start = cursor_of(with_blank, 12, 0)
    assert start.lead == "    "  # the def's indent, not typed yet, comes with the text
    assert post_process(start, line, "    return 1") == "        return 1"


def test_parses_there_looks_at_the_lines_it_fills() -> None:
    cursor = cursor_of(INVENTORY, 13, 8)
    assert parses_there(cursor, "return self.stock[item]")
    assert not parses_there(cursor, "return (self.stock[item]")
    assert parses_there(cursor, "for key in self.stock:")  # a block opener


def test_candidates_that_do_not_parse_rank_last() -> None:
    model = ScriptedModel("    return (self.stock", "    return self.stock[item]", "    x = [")
    request = CompletionRequest(INVENTORY, 13, 8, CompletionConfig(samples=3, beam=3))
    found = run(request, model)
    assert [c.text for c in found] == ["return self.stock[item]", "return (self.stock", "x = ["]
    assert [c.parses for c in found] == [True, False, False]
    assert model.prefixes == [["    "]]
    unsorted = [Completion("a", -1.0, False, "line"), Completion("b", -9.0, True, "line")]
    assert [c.text for c in ranked(unsorted)] == ["b", "a"]


def test_the_input_fits_the_budget_and_ends_with_the_code_before(bundled) -> None:
    source = Path(formats.__file__).read_text()  # a long file
    line = source.split("\n").index("def complete_input(context: str, before_cursor: str) -> str:")
    cursor = cursor_of(source, line + 2, 4)
    for window in WindowKind:
        request = CompletionRequest(source, line + 2, 4, CompletionConfig(window=window))
        text = build_input(request, cursor, bundled)
        assert bundled.count_tokens(text) <= bundled.max_input_tokens
        assert text.endswith(
            "<cursor>\ndef complete_input(context: str, before_cursor: str) -> str:"
        )
        assert text.startswith("complete: ")


def test_retrieval_adds_other_functions_and_skips_the_one_being_written(tmp_path) -> None:
    build_index([SHOP], tmp_path / "index")
    index = load_index(tmp_path / "index")
    source = (SHOP / "cart.py").read_text()
    model = ScriptedModel("    return 0")
    request = CompletionRequest(source, 19, 8, CompletionConfig(), index, "cart.py")
    build_input(request, cursor_of(source, 19, 8), model)
    (text,) = [build_input(request, cursor_of(source, 19, 8), model)]
    assert "# cart.py:" in text  # the cart's other methods are near
    assert "# cart.py:17" not in text  # total_price itself, as indexed, is not shown


def test_the_bundled_model_completes_a_line_and_a_block(bundled) -> None:
    lines = complete(INVENTORY, 19, 12, samples=3, model=bundled)  # after `raise ` in remove
    assert 1 <= len(lines) <= 3
    assert all("\n" not in c.text and c.mode == "line" and not c.note for c in lines)
    blocks = complete(INVENTORY, 20, 8, samples=2, mode="block", model=bundled)
    assert blocks and all(c.mode == "block" for c in blocks)
    for c in blocks:
        assert all(ln.startswith("        ") for ln in c.text.split("\n")[1:] if ln)
    broken = complete(INVENTORY + "\ndef broken(:\n", 13, 8, samples=1, model=bundled)
    assert broken and "does not parse" in broken[0].note


def test_line_decoding_stops_at_its_time_cap(bundled) -> None:
    scripted = ScriptedModel("x = 1")
    for mode, cap in ((CompletionMode.LINE, LINE_SECONDS), (CompletionMode.BLOCK, None)):
        run(CompletionRequest(INVENTORY, 13, 8, CompletionConfig(mode=mode)), scripted)
        assert scripted.configs[-1].max_seconds == cap  # a block has no cap

    def first(seconds):
        config = CompletionConfig(samples=1, line_seconds=seconds)
        found = run(CompletionRequest(INVENTORY, 19, 12, config), bundled)  # after `raise `
        return found[0].text if found else ""

    assert len(first(1e-6)) < len(first(None))  # one decoding step, then the cap


def test_an_unknown_mode_is_an_input_error(bundled) -> None:
    with pytest.raises(InputError, match="line or block"):
        complete(INVENTORY, 13, 8, mode="word", model=bundled)


def test_the_cli(tmp_path, capsys) -> None:
    from codeintel.cli import main

    target = FIXTURES / "completion" / "inventory.py"
    before = target.read_bytes()
    assert main(["complete", str(target), "--line", "13", "--column", "8", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert 1 <= len(found) <= 5 and {"text", "score", "parses", "mode"} <= set(found[0])
    latin = tmp_path / "latin.py"
    latin.write_bytes("x = 'é'\n".encode("latin-1"))
    assert main(["complete", str(latin), "--line", "1", "--column", "0"]) == 2
    assert main(["complete", str(target), "--line", "99", "--column", "0"]) == 2
    index = ["--index", str(tmp_path / "none")]
    assert main(["complete", str(target), "--line", "13", "--column", "8", *index]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(e.startswith("codeintel: error: ") for e in errors)
    assert target.read_bytes() == before


def test_a_name_defined_twice_completes_in_the_right_one() -> None:
    source = "def f():\n    return 1\n\n\ndef f():\n    x = 2\n    return x\n"
    model = ScriptedModel("return x")
    request = CompletionRequest(source, 7, 4, CompletionConfig(samples=1, beam=1))
    cursor = cursor_of(source, 7, 4)
    assert cursor.scope.span.start_line == 5
    text = build_input(request, cursor, model)
    assert text.endswith("<cursor>\ndef f():\n    x = 2")

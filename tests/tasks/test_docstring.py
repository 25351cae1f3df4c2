"""Docstrings: candidates cleaned and styled from the signature, inserted byte-exactly."""

from __future__ import annotations

import hashlib

import pytest

from codeintel.errors import InputError, UnknownFunctionError
from codeintel.models import Generation
from codeintel.tasks.docstring import (
    DocstringRequest,
    DocStyle,
    insert_all,
    quoted,
    run,
    styled,
    summarize,
    summary_line,
)
from parsers import parse
from tests.conftest_paths import FIXTURES

SOURCE = (FIXTURES / "tasks" / "undocumented.py").read_text()


class Proposals:
    """A generator proposing the given texts, with falling scores."""

    def __init__(self, *texts: str) -> None:
        self.texts, self.inputs = texts, []

    def generate(self, inputs, config, edit_sources=None):
        self.inputs += inputs
        return [tuple(Generation(t, -float(i)) for i, t in enumerate(self.texts[: config.n]))]


def request(function=None, style=DocStyle.ONELINE, force=False) -> DocstringRequest:
    return DocstringRequest(SOURCE, function, style, 3, force)


def test_every_undocumented_function_gets_candidates_best_first():
    model = Proposals("count the titles", "count the titles", "  the names.  ")
    result = run(request(), model)
    names = [f.function for f in result.functions]
    assert names == ["Shelf.__init__", "Shelf.count_titles", "get_user_name"]
    assert [c.docstring for c in result.functions[1].candidates] == [
        "Count the titles.",
        "The names.",
    ]
    assert model.inputs[1].startswith("doc: <sig> def count_titles(self, prefix: str) -> int:")


def test_styles_fill_sections_from_the_signature():
    signature = "def count(self, prefix: str, *rest, limit=3) -> int:"
    assert styled("Count.", signature, DocStyle.GOOGLE) == (
        "Count.\n\nArgs:\n    prefix (str):\n    rest:\n    limit:\n\nReturns:\n    int:"
    )
    numpy = styled("Count.", "def f(a: int) -> None:", DocStyle.NUMPY)
    assert numpy == "Count.\n\nParameters\n----------\na : int"


def test_summary_line_is_one_clean_sentence():
    assert summary_line('  return the  sum """\n\nmore') == "Return the sum."
    assert summary_line("") == ""


def test_insertion_changes_nothing_else_and_parses():
    patched = insert_all(SOURCE, [("get_user_name", "Get the name."), ("Shelf.count_titles", "N.")])
    expected = SOURCE.replace("-> str:\n", '-> str:\n    """Get the name."""\n').replace(
        "-> int:\n", '-> int:\n        """N."""\n'
    )
    assert patched == expected
    assert not parse(patched).has_errors


def test_a_forced_replacement_takes_the_old_docstring_out():
    patched = insert_all(SOURCE, [("join_path", "Join.\n\nMore.")])
    assert '    """Join.\n\n    More.\n    """\n' in patched and "Already documented" not in patched


def test_quotes_and_backslashes_are_escaped():
    literal = quoted('say """hi""" \\ "x"', "    ")
    assert literal == '    """say \\"\\"\\"hi\\"\\"\\" \\\\ "x" """'
    assert not parse(f"def f():\n{literal}\n").has_errors


def test_bad_input_is_a_typed_error():
    with pytest.raises(InputError, match="already has a docstring"):
        run(request("join_path"), Proposals("x"))
    assert run(request("join_path", force=True), Proposals("x")).functions[0].candidates
    with pytest.raises(UnknownFunctionError):
        run(request("nope"), Proposals("x"))
    with pytest.raises(InputError, match="does not parse"):
        summarize("def f(:\n    pass\n")
    with pytest.raises(InputError, match="unknown docstring style"):
        summarize(SOURCE, style="sphinx")
    with pytest.raises(InputError, match="its body on the line"):
        insert_all("def f(): return 1\n", [("f", "F.")])


def test_cli_write_inserts_atomically_with_a_backup(tmp_path, capsys):
    from codeintel.cli import main

    target = tmp_path / "shelf.py"
    target.write_text(SOURCE)
    assert main(["doc", str(target), "--function", "join_path"]) == 2
    assert "already has a docstring" in capsys.readouterr().err
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    assert main(["doc", str(target), "--function", "get_user_name", "--n", "2", "--write"]) == 0
    assert hashlib.sha256((tmp_path / "shelf.py.orig").read_bytes()).hexdigest() == before
    patched = target.read_text()
    assert not parse(patched).has_errors
    lines = patched.split("\n")
    added = lines.index("def get_user_name(user: dict) -> str:") + 1
    assert lines[added].startswith('    """') and lines[added].endswith('"""')
    assert "\n".join(lines[:added] + lines[added + 1 :]) == SOURCE  # nothing else changed

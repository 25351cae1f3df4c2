"""Docstrings: candidates cleaned and styled from the signature, inserted byte-exactly."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from codeintel.budget import Budget
from codeintel.errors import InputError, UnknownFunctionError
from codeintel.models import Generation
from codeintel.tasks.docstring import (
    DocConfidence,
    DocRetrieval,
    DocstringRequest,
    DocStyle,
    Neighbour,
    Origin,
    Retrieved,
    candidates,
    fit,
    insert_all,
    quoted,
    retrieved,
    run,
    styled,
    summarize,
    summary_line,
)
from parsers import parse
from tests.conftest_paths import FIXTURES
from tests.tasks.conftest import TASK_FORMATS

SOURCE = (FIXTURES / "tasks" / "undocumented.py").read_text()


class Proposals:
    """A generator proposing the given texts, with falling scores."""

    capabilities = TASK_FORMATS

    def __init__(self, *texts: str) -> None:
        self.texts, self.inputs = texts, []

    def generate(self, inputs, config, edit_sources=None):
        self.inputs += inputs
        return [tuple(Generation(t, -float(i)) for i, t in enumerate(self.texts[: config.n]))]

    def count_tokens(self, text):
        return len(text.split())


def request(function=None, style=DocStyle.ONELINE, force=False) -> DocstringRequest:
    return DocstringRequest(SOURCE, function, style, 3, force)


def test_every_undocumented_public_function_gets_candidates_best_first():
    model = Proposals("count the titles", "count the titles", "  the names.  ")
    result = run(request(), model)
    names = [f.function for f in result.functions]
    assert names == ["Shelf.count_titles", "get_user_name"]
    assert result.skipped == ("Shelf.__init__",)  # a dunder: skipped unless every=True
    assert [c.docstring for c in result.functions[0].candidates] == [
        "Count the titles.",
        "The names.",
    ]
    assert model.inputs[0].startswith("doc: <sig> def count_titles(self, prefix: str) -> int:")
    every = run(replace(request(), every=True), Proposals("x"))
    assert [f.function for f in every.functions] == [
        "Shelf.__init__",
        "Shelf.count_titles",
        "get_user_name",
    ]
    assert every.skipped == ()


def test_private_functions_and_overrides_are_skipped_unless_every():
    source = (
        "import typing\n\n\nclass Base:\n    def area(self):\n        return 0\n\n\n"
        "class Square(Base):\n    def area(self):\n        return 4\n\n"
        "    def side(self):\n        return 2\n\n"
        "    @typing.override\n    def keys(self):\n        return []\n\n\n"
        "def _helper():\n    return 1\n"
    )
    result = run(DocstringRequest(source, None, DocStyle.ONELINE, 1, False), Proposals("x"))
    assert [f.function for f in result.functions] == ["Base.area", "Square.side"]
    assert result.skipped == ("Square.area", "Square.keys", "_helper")
    named = run(DocstringRequest(source, "_helper", DocStyle.ONELINE, 1, False), Proposals("x"))
    assert [f.function for f in named.functions] == ["_helper"]  # named: always documented


def test_confidence_needs_the_floor_and_only_the_functions_own_names():
    # Proposals scores the i-th text -i; count_tokens counts words (+1 for the end)
    model = Proposals("count the titles", "count ``books`` in ``self.books``", "what ``f`` is")
    config = DocstringRequest(SOURCE, "Shelf.count_titles", DocStyle.ONELINE, 3, False)
    floor = run(replace(config, confidence=DocConfidence(min_mean_logprob=-0.2)), model)
    (function,) = floor.functions
    assert [(c.docstring, c.confident) for c in function.candidates] == [
        ("Count the titles.", True),  # log p 0
        ("Count ``books`` in ``self.books``.", True),  # -1 over 5 tokens: -0.2
        ("What ``f`` is.", False),  # -2 over 4, and no name f in count_titles
    ]
    assert function.confident
    strict = run(replace(config, confidence=DocConfidence(min_mean_logprob=0.5)), model)
    assert not strict.functions[0].confident
    assert not any(c.confident for c in strict.functions[0].candidates)
    strict = replace(config, confidence=DocConfidence(min_mean_logprob=0.5), insert=True)
    written = run(strict, model)
    assert written.patched_source is None  # nothing confident: nothing inserted


def test_a_budget_leaves_functions_unfinished_instead_of_overrunning():
    spent = Budget(0.001, started=0.0)  # long over
    result = run(replace(request(), budget=spent), Proposals("x"))
    assert result.functions == () and result.unfinished == ("Shelf.count_titles", "get_user_name")
    seen = []
    say = lambda w, s: seen.append((w, s))  # noqa: E731
    run(replace(request(), budget=Budget(600), progress=say), Proposals("x"))
    assert seen == [("documenting Shelf.count_titles", 0.0), ("documenting get_user_name", 0.5)]


def test_styles_write_sections_only_with_content():
    signature = "def count(self, prefix: str, *rest, limit=3) -> int:"
    assert styled("Count.", signature, DocStyle.GOOGLE) == (
        "Count.\n\nArgs:\n    prefix (str):\n\nReturns:\n    int"
    )  # no empty entries for the parameters without a type
    numpy = styled("Count.", "def f(a: int) -> None:", DocStyle.NUMPY)
    assert numpy == "Count.\n\nParameters\n----------\na : int"
    assert styled("Count.", "def f(a, b):", DocStyle.GOOGLE) == "Count."
    assert styled("Count.", "def f(a, b):", DocStyle.NUMPY) == "Count."


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


def test_cli_write_inserts_a_confident_docstring_atomically_with_a_backup(tmp_path, capsys):
    from codeintel.cli import main
    from codeintel.retrieval import build_index

    target = tmp_path / "shelf.py"
    target.write_text(SOURCE)
    library = tmp_path / "lib"
    library.mkdir()
    (library / "people.py").write_text(
        'def name_of(person: dict) -> str:\n    """Return the name of a person."""\n'
        '    return person["name"]\n'
    )
    build_index([library], tmp_path / "index")
    assert main(["doc", str(target), "--function", "join_path"]) == 2
    assert "already has a docstring" in capsys.readouterr().err
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    args = ["doc", str(target), "--function", "get_user_name", "--n", "2", "--write"]
    assert main([*args, "--index", str(tmp_path / "index")]) == 0
    assert hashlib.sha256((tmp_path / "shelf.py.orig").read_bytes()).hexdigest() == before
    patched = target.read_text()
    assert not parse(patched).has_errors
    lines = patched.split("\n")
    added = lines.index("def get_user_name(user: dict) -> str:") + 1
    assert lines[added] == '    """Return the name of a person."""'
    assert "\n".join(lines[:added] + lines[added + 1 :]) == SOURCE  # nothing else changed
    assert "1 of 1 functions have a confident docstring" in capsys.readouterr().err


# --- retrieved docstrings (an index of similar, documented functions) ----------------------

LIBRARY = FIXTURES / "docstring"


class Scoring(Proposals):
    """Proposals that also score given summaries: log p = -(words), or as given."""

    def __init__(self, *texts: str, scores: dict[str, float] | None = None) -> None:
        super().__init__(*texts)
        self.scores, self.scored = scores or {}, []

    def score(self, text, targets):
        self.scored.append(list(targets))
        return tuple(self.scores.get(t, -float(len(t.split()))) for t in targets)

    def count_tokens(self, text):
        return len(text.split())


def test_retrieved_summaries_rank_by_fit_above_a_similarity_floor():
    found = [
        Neighbour("Count the authors.", 0.9, "a.py:1"),
        Neighbour("Count the authors.", 0.5, "b.py:1"),  # the same summary: once
        Neighbour("Write the lines.", 0.8, "c.py:1"),
        Neighbour("Far away.", 0.1, "d.py:1"),  # under min_similarity
    ]
    model = Scoring(scores={"Count the authors.": -30.0, "Write the lines.": -3.0})
    ranked = retrieved(model, "doc: x", found, DocRetrieval(k=5, similarity_weight=5.0))
    assert model.scored == [["Count the authors.", "Write the lines."]]
    assert [r.neighbour.where for r in ranked] == ["c.py:1", "a.py:1"]  # -1 + 4.0 > -10 + 4.5
    assert ranked[0].fit == pytest.approx(fit(-3.0, 3, 0.8, DocRetrieval()))
    assert [r.neighbour.where for r in retrieved(model, "doc: x", found, DocRetrieval(k=1))] == [
        "a.py:1"  # k keeps the most similar
    ]


def test_candidates_put_retrieved_summaries_first_each_once():
    found = [Retrieved(Neighbour("Count the titles.", 0.7, "lib.py:3"), -4.0, 1.0)]
    generated = (Generation("count the titles", -1.0), Generation("count books", -2.0))
    got = candidates("def f(books):", generated, DocStyle.ONELINE, found)
    assert [(c.docstring, c.origin, c.where) for c in got] == [
        ("Count the titles.", Origin.RETRIEVED, "lib.py:3"),
        ("Count books.", Origin.MODEL, ""),
    ]


def test_summarize_with_an_index_offers_near_clones_only(tmp_path):
    from codeintel.retrieval import build_index

    build_index([LIBRARY], tmp_path / "index")
    # email_of is get_user_email with its parameter renamed: a near-clone, confident
    model = Scoring("tally")
    index = tmp_path / "index"
    result = summarize(LIBRARY / "shelf.py", "email_of", samples=3, model=model, index=index)
    first, *rest = result.functions[0].candidates
    assert (first.docstring, first.origin, first.confident) == (
        "Return the e-mail address of a user.",
        Origin.RETRIEVED,
        True,
    )
    assert first.where == "library.py:9"
    assert rest[-1].origin is Origin.MODEL and rest[-1].docstring == "Tally."
    # count_titles is count_authors with another attribute: its docstring says "authors"
    other = summarize(LIBRARY / "shelf.py", "count_titles", model=Scoring("x"), index=index)
    assert [c.origin for c in other.functions[0].candidates] == [Origin.MODEL]
    # a forced replacement never offers the function's own (indexed) docstring back
    forced = summarize(
        LIBRARY / "shelf.py", "join_path", model=Scoring("x"), force=True, index=index
    )
    assert "Join the parts under root." not in [c.docstring for c in forced.functions[0].candidates]
    as_text = summarize(
        (LIBRARY / "shelf.py").read_text(), "join_path", model=Scoring("x"), force=True, index=index
    )  # no path to match: its body, docstring and all, is known by its hash
    assert "Join the parts under root." not in [
        c.docstring for c in as_text.functions[0].candidates
    ]
    # without an index: the model's beam only
    plain = summarize(LIBRARY / "shelf.py", "email_of", model=Scoring("tally"))
    assert [c.origin for c in plain.functions[0].candidates] == [Origin.MODEL]


def test_cli_doc_takes_an_index(tmp_path, capsys):
    from codeintel.cli import main
    from codeintel.retrieval import build_index

    build_index([LIBRARY], tmp_path / "index")
    args = ["doc", str(LIBRARY / "shelf.py"), "--function", "email_of", "--json"]
    assert main([*args, "--index", str(tmp_path / "index")]) == 0
    candidates = json.loads(capsys.readouterr().out)["functions"][0]["candidates"]
    assert (candidates[0]["origin"], candidates[0]["confident"]) == ("retrieved", True)
    assert main([*args, "--index", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.count("\n") == 1

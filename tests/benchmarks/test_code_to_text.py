"""CodeXGLUE code-to-text: records in its JSONL layout, scored as its evaluator does."""

from __future__ import annotations

import json

import pytest

from benchmarks.code_to_text import (
    Pair,
    main,
    nearest,
    neighbours,
    read_codexglue,
    scores,
    template,
)
from codeintel.errors import InputError
from tests.conftest_paths import FIXTURES

DATA = FIXTURES / "codexglue" / "code_to_text.jsonl"
TRAIN = FIXTURES / "codexglue" / "code_to_text_train.jsonl"


def test_records_become_model_inputs_and_references():
    parsed, fallback_named, unparsable = read_codexglue(DATA, None)
    assert parsed.model_input.startswith("doc: <sig> def count_titles(books, prefix):\n<body>")
    assert "Count the titles" not in parsed.model_input  # the docstring is the answer
    assert parsed.reference == "Count the titles that start with prefix ."
    assert fallback_named.name == "get_user_name"
    assert unparsable.model_input.startswith("doc: <sig> \n<body> def broken ( x :")
    assert template(fallback_named) == "Get user name."


def test_the_neighbour_baseline_answers_with_the_nearest_training_docstring():
    pool = read_codexglue(TRAIN, None)
    near = nearest(pool, read_codexglue(DATA, None), k=2)
    assert [pool[n[0][0]].reference for n in near[:2]] == [
        "Count the authors whose name starts with prefix .",  # count_titles(books, prefix)
        "Return the e - mail address of a user .",  # get_user_name(self, user)
    ]
    # chunked or not, the same answers; the first of equal neighbours wins
    twins = [
        Pair("doc: def f(a): return a", "first", ""),
        Pair("doc: def f(a): return a", "second", ""),
    ]
    query = [Pair("doc: def f(a): return a", "", "")] * 3
    chunked = nearest(twins, query, k=1, chunk=2)
    assert chunked == nearest(twins, query, k=1)
    assert [[i for i, _ in row] for row in chunked] == [[0]] * 3
    assert chunked[0][0][1] == pytest.approx(1.0)
    assert [n.summary for n in neighbours(twins, nearest(twins, query[:1], k=2)[0])] == [
        "First.",
        "Second.",
    ]


def test_scores_are_percentages_of_the_evaluator_metrics():
    got = scores(["get the user name ."], ["Get user name."])
    assert 0 < got["bleu4"] < 100 and 0 < got["rouge_l"] < 100
    assert scores(["a b"], ["a b"]) == {"bleu4": 100.0, "rouge_l": 100.0}


def test_bad_files_are_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"code": "def f(): pass"}) + "\n{not json\n")
    with pytest.raises(InputError, match=":2 is not a JSON record"):
        read_codexglue(bad, None)
    assert main(["--data", str(bad)]) == 2
    assert main(["--data", str(tmp_path / "none.jsonl")]) == 2
    assert main(["--corpus", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("code-to-text:") == 3


@pytest.mark.slow
def test_the_bundled_model_is_scored_next_to_the_template(capsys):
    assert main(["--data", str(DATA), "--train", str(TRAIN)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["functions"] == 3 and report["neighbour_pool"] == 3
    assert set(report["model_scores"]) == set(report["template_scores"]) == {"bleu4", "rouge_l"}
    assert set(report["neighbour_scores"]) == {"bleu4", "rouge_l"}
    assert set(report["model_with_retrieval_scores"]) == {"bleu4", "rouge_l"}

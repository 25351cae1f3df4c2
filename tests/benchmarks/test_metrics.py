import math

import pytest

from benchmarks.metrics import (
    corpus_smoothed_bleu4,
    normalize_code,
    pass_at_k,
    smoothed_bleu4,
    tokenize,
)


def test_tokenize_splits_words_and_punctuation():
    assert tokenize("Return x+1.") == ["return", "x", "+", "1", "."]


def test_identical_sentences_score_one():
    assert smoothed_bleu4("return the sum of a list", "return the sum of a list") == pytest.approx(
        1.0
    )


def test_disjoint_sentences_score_zero():
    assert smoothed_bleu4("return the sum", "compute product here") == 0.0


def test_partial_overlap_is_between_and_brevity_penalised():
    full = smoothed_bleu4("return the sum of the list", "return the sum of the list")
    part = smoothed_bleu4("return the sum of the list", "return the sum")
    assert 0.0 < part < full
    # by hand: p1 = 3/3, p2 = (2+1)/(2+1), p3 = (1+1)/(1+1), p4 = (0+1)/(0+1); bp = exp(1 - 6/3)
    assert part == pytest.approx(math.exp(1 - 6 / 3))


def test_corpus_bleu_is_mean_percentage():
    refs, hyps = ["a b c d", "x y"], ["a b c d", "q"]
    assert corpus_smoothed_bleu4(refs, hyps) == pytest.approx(50.0)
    with pytest.raises(ValueError):
        corpus_smoothed_bleu4(refs, hyps[:1])


def test_normalize_code_ignores_trailing_space_and_blank_lines():
    assert normalize_code("def f():  \n\n    return 1\n") == "def f():\n    return 1"


def test_pass_at_k_matches_definition():
    assert pass_at_k(10, 0, 1) == 0.0
    assert pass_at_k(10, 10, 1) == 1.0
    assert pass_at_k(10, 1, 1) == pytest.approx(0.1)
    # 1 - C(8,2)/C(10,2) = 1 - 28/45
    assert pass_at_k(10, 2, 2) == pytest.approx(1 - 28 / 45)

import math

import pytest

from benchmarks.metrics import (
    codexglue_bleu,
    codexglue_sentence_bleu,
    codexglue_tokens,
    corpus_bleu,
    corpus_smoothed_bleu4,
    normalize_code,
    pass_at_k,
    rouge_l,
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


# --- CodeXGLUE's code-to-text evaluator, on sentences computed by hand ----------------------


def test_codexglue_tokens_split_punctuation_after_lower_casing():
    assert codexglue_tokens("  Returns the Value, e.g. 3.5!") == [
        "returns", "the", "value", ",", "e", ".", "g", ".", "3", ".", "5", "!",
    ]  # fmt: skip


def test_codexglue_bleu_of_a_short_hypothesis_is_its_brevity_factor():
    # hyp "the cat" vs ref "the cat sat": every smoothed precision is 1 (2/2, 2/2, 1/1, 1/1),
    # so the score is the brevity factor exp(1 - (3 + 1) / (2 + 1)) = exp(-1/3)
    assert codexglue_bleu(["the cat sat"], ["the cat"]) == pytest.approx(100 * math.exp(-1 / 3))


def test_codexglue_bleu_smooths_only_n_above_1():
    # hyp "a b c d" vs ref "a b x d": unigrams 3/4, bigrams (1+1)/(3+1), trigrams (0+1)/(2+1),
    # 4-grams (0+1)/(1+1); equal lengths, so no brevity penalty
    want = (3 / 4 * 2 / 4 * 1 / 3 * 1 / 2) ** 0.25
    assert codexglue_sentence_bleu("a b x d", "a b c d") == pytest.approx(want)
    assert codexglue_bleu(["same words"], ["same words"]) == pytest.approx(100.0)
    assert codexglue_bleu(["the cat"], ["dog"]) < 1e-60  # no unigram in common: 0


def test_codexglue_bleu_is_the_mean_of_sentences():
    pair = codexglue_bleu(["the cat sat", "same words"], ["the cat", "same words"])
    assert pair == pytest.approx((100 * math.exp(-1 / 3) + 100) / 2)
    with pytest.raises(ValueError):
        codexglue_bleu(["a"], [])


def test_rouge_l_is_the_f1_of_the_longest_common_subsequence():
    # LCS of "the cat sat on the mat" and "the cat on a mat" is "the cat on mat": 4 tokens
    precision, recall = 4 / 5, 4 / 6
    want = 2 * precision * recall / (precision + recall)
    assert rouge_l("the cat sat on the mat", "the cat on a mat") == pytest.approx(want)
    assert rouge_l("x", "") == 0.0


def test_corpus_bleu_smooths_every_order_and_penalises_short_output():
    assert corpus_bleu(["a b c d"], ["a b c d"]) == pytest.approx(100.0)
    # "a b" for "a b c d": every smoothed precision is 1 (3/3, 2/2, 1/1, 1/1) and the
    # hypotheses are half as long, so BLEU is exp(1 - 4 / 2)
    assert corpus_bleu(["a b c d"], ["a b"]) == pytest.approx(100 * math.exp(-1))
    # summed over the corpus, not averaged: unigrams 1 + 4 matches of 2 + 4, bigrams
    # 0 + 3 of 1 + 3, trigrams 2 of 2, 4-grams 1 of 1; equal lengths
    two = corpus_bleu(["x y", "a b c d"], ["x z", "a b c d"])
    want = ((5 + 1) / (6 + 1) * (3 + 1) / (4 + 1) * (2 + 1) / (2 + 1) * (1 + 1) / (1 + 1)) ** 0.25
    assert two == pytest.approx(100 * want)
    assert corpus_bleu(["a"], [""]) == 0.0


def test_codexglue_line_completion_metrics_on_hand_computed_cases() -> None:
    from benchmarks.metrics import codexglue_post_process, edit_similarity, line_exact_match

    # "return x" / "return y": 7 of 8 characters in common, d = 2, 1 - 2/16 = 87.5 -> 88
    assert edit_similarity("return x", "return y") == 88
    # "abc" / "abd": d = 2 of 6 -> 66.67 -> 67; "ab" / "abcd": d = 2 of 6 -> 67
    assert edit_similarity("abc", "abd") == 67 and edit_similarity("ab", "abcd") == 67
    # "a" / "ab": d = 1 of 3 -> 66.67 -> 67; "ab" / "ba": LCS 1, d = 2 of 4 -> 50
    assert edit_similarity("a", "ab") == 67 and edit_similarity("ab", "ba") == 50
    # one of 8 characters kept each side of 4+4: "abcd" / "dxyz": LCS 1, d = 6, 0.25 -> 25
    assert edit_similarity("abcd", "dxyz") == 25
    assert edit_similarity("  x = 1\n", "x = 1") == 100  # the prediction is stripped
    assert edit_similarity("", "x") == 0 and edit_similarity("x", "") == 0
    assert edit_similarity("", "") == 100
    assert codexglue_post_process('f(<STR_LIT:"a">, <NUM_LIT>, <STR_LIT>)') == 'f("a", 0, )'
    assert line_exact_match("x  =  f( 1 )", "x = f( 1 )")
    assert not line_exact_match("x = f(1)", "x = f( 1 )")  # tokens, not characters

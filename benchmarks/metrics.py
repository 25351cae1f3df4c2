"""Official-style metrics, as pure functions: smoothed BLEU-4, ROUGE-L, exact match, pass@k."""

from __future__ import annotations

import math
import re
import sys
import xml.sax.saxutils
from collections import Counter
from collections.abc import Sequence

_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Words and single punctuation marks, lower-cased (as CodeXGLUE's doc metric)."""
    return _TOKEN.findall(text.lower())


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def smoothed_bleu4(reference: str, hypothesis: str) -> float:
    """Sentence BLEU-4 with add-one smoothing for n > 1 (Lin & Och 2004), in [0, 1].

    The smoothing of CodeXGLUE's code-to-text evaluator, with simpler tokens and
    brevity penalty; the model card's docstring scores use it. `codexglue_bleu`
    is the evaluator's computation exactly.
    """
    ref, hyp = tokenize(reference), tokenize(hypothesis)
    if not hyp or not ref:
        return 0.0
    log_precision = 0.0
    for n in range(1, 5):
        matches = sum((_ngrams(hyp, n) & _ngrams(ref, n)).values())
        total = max(len(hyp) - n + 1, 0)
        add = 0 if n == 1 else 1
        if matches + add == 0 or total + add == 0:
            return 0.0
        log_precision += math.log((matches + add) / (total + add)) / 4
    brevity = 1.0 if len(hyp) > len(ref) else math.exp(1 - len(ref) / len(hyp))
    return brevity * math.exp(log_precision)


def corpus_smoothed_bleu4(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Mean sentence-level smoothed BLEU-4, as a percentage."""
    if len(references) != len(hypotheses):
        raise ValueError("references and hypotheses differ in length")
    if not references:
        return 0.0
    return 100 * sum(map(smoothed_bleu4, references, hypotheses)) / len(references)


def normalize_code(code: str) -> str:
    """Code compared for exact match: trailing whitespace and blank lines ignored."""
    lines = [line.rstrip() for line in code.strip("\n").split("\n")]
    return "\n".join(line for line in lines if line)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k estimator of Chen et al. (2021): n samples, c correct."""
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


# --- CodeXGLUE code-to-text: the evaluator's smoothed BLEU-4, exactly -----------------------

# The NIST mteval tokenization the evaluator applies (after lower-casing): punctuation
# split off, periods and commas split unless next to a digit, a dash after a digit.
_NIST = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]
_TINY = sys.float_info.min  # keeps log() finite where a count is 0, as the evaluator does


def codexglue_tokens(text: str) -> list[str]:
    """The evaluator's tokens: words and single symbols of the stripped, lower-cased text
    (its `splitPuncts`), then its NIST normalization."""
    text = " ".join(re.findall(r"\w+|[^\s\w]", text.strip().lower()))
    text = text.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    text = " " + xml.sax.saxutils.unescape(text, {"&quot;": '"'}) + " "
    for pattern, replacement in _NIST:
        text = pattern.sub(replacement, text)
    return text.split()


def _ngram_counts(tokens: Sequence[str]) -> Counter[tuple[str, ...]]:
    return sum((_ngrams(tokens, n) for n in range(1, 5)), Counter())


def codexglue_sentence_bleu(reference: str, hypothesis: str) -> float:
    """One pair's smoothed BLEU-4 in [0, 1]: n-gram precisions with 1 added to both counts
    for n > 1, their geometric mean, and the brevity factor
    exp(min(0, 1 - (len(ref) + 1) / (len(hyp) + 1)))."""
    ref, hyp = codexglue_tokens(reference), codexglue_tokens(hypothesis)
    ref_counts, hyp_counts = _ngram_counts(ref), _ngram_counts(hyp)
    log_bleu = 0.0
    for n in range(1, 5):
        correct = sum(min(c, ref_counts[g]) for g, c in hyp_counts.items() if len(g) == n)
        guess = max(len(hyp) - n + 1, 0)
        add = 1 if n > 1 else 0
        log_bleu += math.log(correct + add + _TINY) - math.log(guess + add + _TINY)
    brevity = min(0.0, 1 - (len(ref) + 1) / (len(hyp) + 1))
    return math.exp(log_bleu / 4 + brevity)


def codexglue_bleu(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """CodeXGLUE code-to-text BLEU: the mean sentence score, as a percentage."""
    if len(references) != len(hypotheses):
        raise ValueError("references and hypotheses differ in length")
    if not references:
        return 0.0
    pairs = zip(references, hypotheses, strict=True)
    return 100 * sum(codexglue_sentence_bleu(r, h) for r, h in pairs) / len(references)


def _lcs_length(a: Sequence, b: Sequence) -> int:
    """The length of the longest common subsequence of two sequences."""
    previous = [0] * (len(b) + 1)
    for x in a:
        row = [0]
        for j, y in enumerate(b, 1):
            row.append(previous[j - 1] + 1 if x == y else max(previous[j], row[j - 1]))
        previous = row
    return previous[-1]


def rouge_l(reference: str, hypothesis: str) -> float:
    """ROUGE-L F1 (beta 1) over the evaluator's tokens: the longest common subsequence's
    share of the hypothesis (precision) and of the reference (recall)."""
    ref, hyp = codexglue_tokens(reference), codexglue_tokens(hypothesis)
    if not ref or not hyp:
        return 0.0
    lcs = _lcs_length(ref, hyp)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(hyp), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


# --- CodeXGLUE code refinement: the evaluator's corpus BLEU-4 --------------------------------


def corpus_bleu(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus BLEU-4 over whitespace tokens, as a percentage: clipped n-gram matches and
    possible matches summed over the corpus, each order's precision smoothed as
    (matches + 1) / (possible + 1), their geometric mean, and the brevity penalty
    exp(1 - reference length / hypothesis length) when the hypotheses are shorter."""
    if len(references) != len(hypotheses):
        raise ValueError("references and hypotheses differ in length")
    matches, possible = [0] * 4, [0] * 4
    ref_length = hyp_length = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref, hyp = reference.split(), hypothesis.split()
        ref_length, hyp_length = ref_length + len(ref), hyp_length + len(hyp)
        for n in range(1, 5):
            matches[n - 1] += sum((_ngrams(hyp, n) & _ngrams(ref, n)).values())
            possible[n - 1] += max(len(hyp) - n + 1, 0)
    if hyp_length == 0:
        return 0.0
    log_mean = sum(math.log((m + 1) / (p + 1)) for m, p in zip(matches, possible, strict=True)) / 4
    ratio = hyp_length / ref_length if ref_length else 1.0
    brevity = 1.0 if ratio > 1.0 else math.exp(1 - 1 / ratio)
    return 100 * brevity * math.exp(log_mean)


# --- CodeXGLUE line-level code completion: its evaluator's exact match and edit sim ------

_LITERAL = re.compile(r"<(STR|NUM|CHAR)_LIT:(.*?)>", re.S)


def codexglue_post_process(code: str) -> str:
    """The evaluator's `post_process`: literal placeholders back to text (`<NUM_LIT>` is
    0, `<STR_LIT>` and `<CHAR_LIT>` nothing, `<STR_LIT:x>` is x)."""
    code = code.replace("<NUM_LIT>", "0").replace("<STR_LIT>", "").replace("<CHAR_LIT>", "")
    return _LITERAL.sub(lambda m: m.group(2), code)


def line_exact_match(prediction: str, truth: str) -> bool:
    """The evaluator's exact match: the same whitespace-separated tokens, after
    post-processing both (the prediction stripped first)."""
    pred = codexglue_post_process(prediction.strip())
    return pred.split() == codexglue_post_process(truth).split()


def edit_similarity(prediction: str, truth: str) -> int:
    """The evaluator's edit similarity, fuzzywuzzy's `fuzz.ratio` (0-100) of the
    post-processed, stripped prediction and the post-processed truth: 100 for equal
    strings, 0 if either is empty, else round(100 * (1 - d / (len(a) + len(b)))) where d
    is the insert/delete edit distance (python-Levenshtein's `ratio`, the backend
    fuzzywuzzy uses when installed; `round` halves to even, as fuzzywuzzy's `intr`)."""
    a = codexglue_post_process(prediction.strip())
    b = codexglue_post_process(truth)
    if a == b:
        return 100
    if not a or not b:
        return 0
    distance = len(a) + len(b) - 2 * _lcs_length(a, b)
    return round(100 * (1 - distance / (len(a) + len(b))))


# --- latency ----------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` quantile of `values` (0 < share < 1, in hundredths), interpolated
    between the nearest ranks (`statistics.quantiles`' inclusive method)."""
    import statistics

    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def latency_ms(seconds: Sequence[float], digits: int = 1) -> dict[str, float]:
    """p50 and p95 of timings in seconds, in milliseconds."""
    return {f"p{round(100 * s)}": round(1000 * percentile(seconds, s), digits) for s in (0.5, 0.95)}

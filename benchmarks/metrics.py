"""Official-style metrics, as pure functions: smoothed BLEU-4, exact match, pass@k."""

from __future__ import annotations

import math
import re
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

    This is the smoothing of CodeXGLUE's code-to-text `smooth_bleu`.
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

from __future__ import annotations

from data_pipelines.config import BuildConfig
from data_pipelines.dedup import NearIndex, dedup, exact_key, minhash, similarity

F = "def f(a, b):\n    total = a + b\n    values = [total, a, b]\n    return sorted(values)[0]\n"
NEAR = F.replace("sorted(values)[0]", "sorted(values)[1]")
OTHER = "def g(text):\n    return text.upper().strip() + '!'\n"


def test_exact_key_ignores_layout_and_comments() -> None:
    moved = "    " + F.replace("\n", "\n    ").replace("total = a + b", "total = a + b  # sum")
    assert exact_key(moved) == exact_key(F)
    assert exact_key(NEAR) != exact_key(F)


def test_minhash_estimates_jaccard() -> None:
    sig = minhash(F, 64)
    assert sig == minhash(F, 64) and len(sig) == 64
    assert similarity(sig, minhash(NEAR, 64)) >= 0.7
    assert similarity(sig, minhash(OTHER, 64)) < 0.2


def test_near_index_finds_twins_only() -> None:
    index = NearIndex(BuildConfig(near_dup_threshold=0.7))
    index.add("f", minhash(F, 64))
    assert index.twins(minhash(NEAR, 64)) == ["f"]
    assert index.twins(minhash(OTHER, 64)) == []


def test_dedup_keeps_first_in_order() -> None:
    config = BuildConfig(near_dup_threshold=0.7)
    items = [
        (name, exact_key(code), minhash(code, 64))
        for name, code in [("a", F), ("b", F), ("c", NEAR), ("d", OTHER)]
    ]
    kept, dropped = dedup(items, config, order=lambda i: {"c": 0}.get(i, 1))
    assert kept == {"c", "d"}
    assert dropped == {"a": "c", "b": "c"}
    kept, dropped = dedup(items, BuildConfig(near_dedup=False))
    assert kept == {"a", "c", "d"} and dropped == {"b": "a"}

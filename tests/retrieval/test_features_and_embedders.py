"""Sub-token features and the hashed embedder."""

from __future__ import annotations

import numpy as np

from codeintel.retrieval.embedders import HashedEmbedder, make_embedder
from codeintel.retrieval.features import sub_tokens


def test_sub_tokens_split_identifiers_and_words() -> None:
    assert sub_tokens("getUserName(get_user_name)") == ["get", "user", "name"] * 2
    assert sub_tokens("HTTPServer parse2 the prices, x") == ["http", "server", "parse2", "price"]
    assert sub_tokens("address status") == ["address", "status"]


def test_rows_are_unit_length_and_similar_texts_are_near() -> None:
    texts = ["def total_price(items): return sum(items)", "def slugify(title): ...", ""]
    embedder = HashedEmbedder(256).with_counts(texts)
    rows = embedder.embed([*texts, "the total of the prices"])
    assert rows.dtype == np.float32 and rows.shape == (4, 256)
    assert np.allclose(np.linalg.norm(rows[:2], axis=1), 1.0)
    assert not rows[2].any()  # no features: a zero row, not NaN
    query = rows[3]
    assert query @ rows[0] > query @ rows[1]


def test_counts_added_then_removed_are_as_before() -> None:
    base = HashedEmbedder(64).with_counts(["alpha beta", "beta gamma"])
    again = base.with_counts(["delta alpha"]).with_counts([], ["delta alpha"])
    assert again == base and base.documents == 2
    rare, common = base.embed(["alpha"]), base.embed(["beta"])
    assert rare.max() > 0 and common.max() > 0


def test_make_embedder_by_name() -> None:
    assert make_embedder("hashed") == HashedEmbedder()
    assert make_embedder("hashed:128").dim == 128

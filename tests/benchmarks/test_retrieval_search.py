"""The search benchmark's MRR@10 through `codeintel search`'s own ranking."""

from __future__ import annotations

import json

from benchmarks.retrieval import EMBEDDER_ONLY, product_search_pairs, product_search_queries


def test_the_query_set_ranks_what_search_ranks(tmp_path):
    queries = {
        "package": "pluggy",
        "queries": [
            {"query": "register a plugin", "answer": "PluginManager.register"},
            {"query": "no such thing anywhere at all", "answer": "Nowhere.nothing"},
        ],
    }
    (tmp_path / "q.json").write_text(json.dumps(queries))
    result = product_search_queries(tmp_path / "q.json")
    assert result["package"].startswith("pluggy ")
    assert (result["queries"], result["top1"], result["top10"]) == (2, 1, 1)
    assert result["mrr_at_10"] == 0.5
    missing = {"package": "no_such_package_here", "queries": []}
    (tmp_path / "m.json").write_text(json.dumps(missing))
    assert "not installed" in product_search_queries(tmp_path / "m.json")["error"]


def test_pairs_are_ranked_among_each_other(tmp_path):
    pairs = [
        ("Add two numbers.", "def add(a, b):\n    return a + b"),
        ("Reverse a list of items.", "def reverse_items(items):\n    return items[::-1]"),
        (
            "Open the file and read its lines.",
            "def read_lines(path):\n    return open(path).readlines()",
        ),
    ]
    fused = product_search_pairs(pairs, tmp_path)
    assert fused["queries"] == 3 and fused["top10"] == 3
    assert 0.0 < fused["mrr_at_10"] <= 1.0
    assert product_search_pairs(pairs, tmp_path, EMBEDDER_ONLY)["queries"] == 3

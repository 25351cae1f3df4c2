"""The index folder: build, update by content hash, format checks, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from codeintel.errors import IndexFormatError, InputError
from codeintel.retrieval import SearchConfig, build_index, load_index, search
from codeintel.retrieval.query import SearchKind

SHOP = Path(__file__).resolve().parents[1] / "fixtures" / "retrieval" / "shop"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SHOP, tmp_path / "shop"))


def _names(folder: Path, query: str, k: int = 1) -> list[str]:
    hits = search(load_index(folder), query, SearchConfig(k=k))
    return [h.function.qualified_name for h in hits]


def test_build_then_search_in_plain_words(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "index"
    report = build_index([shop], out)
    assert (report.files, report.functions, report.kind) == (3, 12, SearchKind.EXACT)  # + Cart
    assert _names(out, "check that an e-mail address is valid") == ["is_valid_email"]
    assert _names(out, "sum the prices in the cart") == ["Cart.total_price"]
    assert _names(out, "make a url slug from a title") == ["slugify"]
    hit = search(load_index(out), "slugify(title)")[0]
    assert (
        hit.function.where == "text_utils.py:4" and hit.function.signature == "def slugify(title):"
    )


NEW_TEXT_UTILS = """\
def shout(text):
    return text.upper()


def whisper(text):
    return text.lower()


def reverse_words(text):
    return " ".join(reversed(text.split()))
"""


def test_an_update_embeds_only_what_changed(shop: Path, tmp_path: Path) -> None:
    (shop / "extra.py").write_text("def extra():\n    return 1\n")
    out = tmp_path / "index"
    build_index([shop], out)
    before = load_index(out)
    (shop / "text_utils.py").write_text(NEW_TEXT_UTILS)  # three functions for three
    (shop / "extra.py").unlink()
    report = build_index([shop], out)
    assert (report.embedded_files, report.removed_files, report.rebuilt) == (1, 1, "")
    after = load_index(out)
    assert {f.file for f in after.functions} == {"cart.py", "text_utils.py", "users.py"}
    assert "shout" in [f.qualified_name for f in after.functions]
    assert "slugify" not in [f.qualified_name for f in after.functions]
    cart_before = [i for i, f in enumerate(before.functions) if f.file == "cart.py"]
    cart_after = [i for i, f in enumerate(after.functions) if f.file == "cart.py"]
    assert np.array_equal(before.vectors[cart_before], after.vectors[cart_after])  # kept as is
    assert build_index([shop], out).embedded_files == 0  # nothing changed


def test_a_large_change_of_the_count_embeds_everything_again(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "index"
    build_index([shop], out)
    (shop / "users.py").unlink()  # 12 -> 6 rows (11 functions, a class): the IDF moved too far
    (shop / "text_utils.py").unlink()
    report = build_index([shop], out)
    assert "IDF" in report.rebuilt and report.embedded_files == 1


def test_the_size_threshold_switches_to_hnsw(shop: Path, tmp_path: Path) -> None:
    report = build_index([shop], tmp_path / "index", hnsw_above=5)
    assert report.kind is SearchKind.HNSW
    index = load_index(tmp_path / "index")
    assert index.kind is SearchKind.HNSW and hasattr(index.searcher, "hnsw")
    assert _names(tmp_path / "index", "count the words of a text") == ["word_count"]


def test_an_index_of_another_format_is_refused_then_rebuilt(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "index"
    build_index([shop], out)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "format": 99}))
    with pytest.raises(IndexFormatError, match="format 99"):
        load_index(out)
    report = build_index([shop], out)
    assert "format 99" in report.rebuilt and report.embedded_files == 3
    assert load_index(out).functions


def test_bad_folders_and_codebases(shop: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no index"):
        load_index(tmp_path / "nowhere")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(IndexFormatError, match="not a codeintel index"):
        build_index([shop], mine)
    assert (mine / "notes.txt").read_text() == "keep me"  # nothing of the user's touched
    with pytest.raises(IndexFormatError, match="not a codeintel index"):
        load_index(mine)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no Python files"):
        build_index([empty], tmp_path / "index")
    with pytest.raises(InputError, match="does not exist"):
        build_index([tmp_path / "missing"], tmp_path / "index")

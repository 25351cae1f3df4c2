"""A whole build: sources -> functions, dedup, splits, examples, shards, manifest.

    DATA/manifest.json
    DATA/functions/{train,valid,test}-NNNNN.jsonl
    DATA/examples/{split}/{task}-NNNNN.jsonl
    DATA/focal/{split}-NNNNN.jsonl           each test and its focal function, by file path
    DATA/.cache/{files,focal}/KEY.json       per-file records (resume)

Per-file work (`per_file`) is mapped over files with an executor (the
`concurrent.futures` interface: a process pool by default, any Ray/Dask
executor from API callers). Each result is cached under a key made of the
file's path, its bytes and the config fingerprint, so a restarted build skips
the files it has done. The global steps (dedup, split, focal resolution) are
cheap and run in this process; examples stream from the cache into the shards.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from data_pipelines import focal, per_file
from data_pipelines.config import BuildConfig, Split
from data_pipelines.dedup import dedup
from data_pipelines.functions import FunctionRecord
from data_pipelines.shards import (
    count_lines,
    read_json,
    sha256_file,
    write_json_atomic,
    write_shards,
)
from data_pipelines.sources import SourceFile, SourceRoot, discover, limit_files
from data_pipelines.split import cross_split_twins, rank, split_of

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class SerialExecutor(cf.Executor):
    """Runs each call in this process at submit time (tests, debugging, --workers 0)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


# --- tasks that cross process boundaries ----------------------------------------------


@dataclass(frozen=True)
class FileTask:
    absolute: str
    meta: per_file.FileMeta
    config: BuildConfig


def run_file_task(task: FileTask) -> dict:
    return per_file.file_records(Path(task.absolute).read_bytes(), task.meta, task.config)


@dataclass(frozen=True)
class FocalTask:
    absolute: str
    pairs: tuple[dict, ...]
    config: BuildConfig


def run_focal_task(task: FocalTask) -> dict:
    return per_file.focal_file_records(Path(task.absolute).read_bytes(), task.pairs, task.config)


@dataclass
class Stats:
    files: int = 0
    computed: int = 0  # files processed in this run (the rest came from the cache)
    unreadable: int = 0
    functions: int = 0
    exact_or_near_duplicates: int = 0
    cross_split_twins: int = 0
    test_cases: int = 0
    focal_pairs: int = 0
    example_errors: int = 0
    functions_per_split: dict = field(default_factory=dict)


def cached_map(
    executor: cf.Executor,
    fn: Callable,
    items: Sequence[tuple[str, object]],
    cache: Path,
    progress: Progress | None = None,
) -> tuple[list[Path], int]:
    """Map `fn` over the tasks whose cache file is missing; the cache paths of all items."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = [cache / f"{key}.json" for key, _ in items]
    todo = [(p, task) for p, (_, task) in zip(paths, items, strict=True) if not p.exists()]
    started = time.monotonic()
    for done, (path, result) in enumerate(
        zip((p for p, _ in todo), executor.map(fn, [t for _, t in todo]), strict=True), 1
    ):
        write_json_atomic(path, result)
        if progress and (done % 200 == 0 or done == len(todo)):
            progress(f"{done}/{len(todo)} computed ({time.monotonic() - started:.0f}s)")
    return paths, len(todo)


def _key(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:40]


def file_items(files: Sequence[SourceFile], config: BuildConfig) -> list[tuple[str, FileTask]]:
    items = []
    fingerprint = config.fingerprint().encode()
    for f in files:
        data = f.absolute.read_bytes()
        meta = per_file.FileMeta(f.path, f.package, f.is_test)
        key = _key(f.path.encode(), data, fingerprint)
        items.append((key, FileTask(str(f.absolute), meta, config)))
    return items


# --- global steps ---------------------------------------------------------------------


_RECORD_FIELDS = tuple(f.name for f in fields(FunctionRecord))


def record_from_json(data: dict) -> FunctionRecord:
    return FunctionRecord(**{k: data[k] for k in _RECORD_FIELDS})


@dataclass
class Corpus:
    """What the global steps need of every file: functions (no examples) and test cases."""

    functions: dict[str, dict] = field(default_factory=dict)
    tests: list[dict] = field(default_factory=list)
    splits: dict[str, Split] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)
    pairs: list[focal.FocalPair] = field(default_factory=list)


def load_corpus(paths: Iterable[Path], config: BuildConfig, stats: Stats) -> Corpus:
    corpus = Corpus()
    for path in paths:
        result = read_json(path) or {}
        stats.unreadable += result.get("status") != per_file.FileStatus.OK.value
        stats.example_errors += result.get("errors", 0)
        for fn in result.get("functions", []):
            corpus.functions.setdefault(fn["id"], fn)
        corpus.tests.extend(result.get("tests", []))
    corpus.splits = {
        i: split_of(f["package"], config.split_ratios) for i, f in corpus.functions.items()
    }
    stats.functions = len(corpus.functions)
    return corpus


def select(corpus: Corpus, config: BuildConfig, stats: Stats) -> None:
    """Dedup (training copies first), then drop near-twins across splits."""
    items = [(i, f["exact"], f["minhash"]) for i, f in corpus.functions.items()]
    kept, dropped = dedup(items, config, order=lambda i: (rank(corpus.splits[i]), i))
    signatures = {i: corpus.functions[i]["minhash"] for i in kept}
    twins = cross_split_twins(signatures, corpus.splits, config)
    corpus.kept = kept - twins
    stats.exact_or_near_duplicates = len(dropped)
    stats.cross_split_twins = len(twins)
    for split in Split:
        stats.functions_per_split[split.value] = sum(
            1 for i in corpus.kept if corpus.splits[i] is split
        )


def focal_items(
    corpus: Corpus, files: Sequence[SourceFile], config: BuildConfig, stats: Stats
) -> list[tuple[str, FocalTask]]:
    index = focal.FocalIndex(record_from_json(corpus.functions[i]) for i in sorted(corpus.kept))
    cases = [focal.TestCase.from_json(t) for t in corpus.tests if t["id"] in corpus.kept]
    found = corpus.pairs = focal.pairs(cases, index)
    stats.test_cases, stats.focal_pairs = len(cases), len(found)
    by_file: dict[str, list[dict]] = {}
    for pair in found:
        by_file.setdefault(pair.focal_path, []).append(pair.to_json())
    absolute = {f.path: f.absolute for f in files}
    fingerprint = config.fingerprint().encode()
    items = []
    for path in sorted(by_file):
        pairs = tuple(sorted(by_file[path], key=lambda p: p["test"]["id"]))
        data = absolute[path].read_bytes()
        key = _key(path.encode(), data, json.dumps(pairs, sort_keys=True).encode(), fingerprint)
        items.append((key, FocalTask(str(absolute[path]), pairs, config)))
    return items


# --- writing --------------------------------------------------------------------------


def _shuffled(paths: Sequence[Path], seed: int) -> list[Path]:
    return sorted(paths, key=lambda p: hashlib.sha256(f"{seed}:{p.name}".encode()).hexdigest())


def examples_of(paths: Sequence[Path], corpus: Corpus, seed: int) -> Iterator[tuple[Split, dict]]:
    """Kept examples with their split, file by file in a seeded pseudo-random order."""
    for path in _shuffled(paths, seed):
        result = read_json(path) or {}
        batch = list(result.get("examples", []))
        random.Random(f"{seed}:{path.name}").shuffle(batch)
        for example in batch:
            uses = [example["origin"], *example.get("refs", [])]
            if all(u in corpus.kept for u in uses):
                yield corpus.splits[example["origin"]], example


def write_examples(out: Path, paths: Sequence[Path], corpus: Corpus, config: BuildConfig) -> None:
    """Stream every kept example into per-(split, task) spool files, then shard them."""
    spool = out / ".spool"
    shutil.rmtree(spool, ignore_errors=True)
    spool.mkdir(parents=True)
    handles: dict[tuple[str, str], object] = {}
    try:
        for split, example in examples_of(paths, corpus, config.seed):
            key = (split.value, example["task"])
            if key not in handles:
                handles[key] = (spool / f"{key[0]}.{key[1]}.jsonl").open("w", encoding="utf-8")
            record = {k: example[k] for k in ("task", "input", "target", "origin")}
            handles[key].write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        for handle in handles.values():
            handle.close()
    for split, task in sorted(handles):
        lines = _jsonl(spool / f"{split}.{task}.jsonl")
        write_shards(out / "examples" / split, task, lines, config.shard_size)
    shutil.rmtree(spool)


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def write_functions(out: Path, corpus: Corpus, config: BuildConfig) -> None:
    for split in Split:
        ids = sorted(i for i in corpus.kept if corpus.splits[i] is split)
        records = (record_from_json(corpus.functions[i]).output(split.value) for i in ids)
        write_shards(out / "functions", split.value, records, config.shard_size)


def covered_json(pair: focal.FocalPair, absolute: dict[str, SourceFile]) -> dict:
    """A focal pair with its files on disk (what `data_pipelines.traced` runs)."""
    test, code = absolute[pair.test.id.split(":", 1)[0]], absolute[pair.focal_path]
    return {
        "test_id": pair.test.id,
        "test_file": str(test.absolute),
        "test_root": str(test.root.path),
        "focal_id": pair.focal_id,
        "focal_file": str(code.absolute),
        "focal_root": str(code.root.path),
        "focal_name": pair.focal_name,
    }


def write_focal(
    out: Path, corpus: Corpus, files: Sequence[SourceFile], config: BuildConfig
) -> None:
    absolute = {f.path: f for f in files}
    for split in Split:
        pairs = [p for p in corpus.pairs if corpus.splits[p.focal_id] is split]
        records = (covered_json(p, absolute) for p in sorted(pairs, key=lambda p: p.test.id))
        write_shards(out / "focal", split.value, records, config.shard_size)


def counts_of(out: Path) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for split in Split:
        by_task: dict[str, int] = {}
        for path in sorted((out / "examples" / split.value).glob("*.jsonl")):
            task = path.name.rsplit("-", 1)[0]
            by_task[task] = by_task.get(task, 0) + count_lines([path])
        counts[split.value] = by_task
    return counts


def write_manifest(
    out: Path, roots: Sequence[SourceRoot], config: BuildConfig, stats: Stats
) -> dict:
    parts = ("functions", "examples", "focal")
    files = sorted(p for d in parts for p in (out / d).rglob("*.jsonl"))
    manifest = {
        "sources": [str(r.path) for r in roots],
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seed": config.seed,
        "counts": counts_of(out),
        "files": {p.relative_to(out).as_posix(): sha256_file(p) for p in files},
        "config": config.to_json(),
        "stats": stats.__dict__,
    }
    write_json_atomic(out / "manifest.json", manifest)
    return manifest


# --- the build ------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    out: Path
    manifest: dict
    stats: Stats


def _default_executor(workers: int | None) -> cf.Executor:
    if workers == 0:
        return SerialExecutor()
    return cf.ProcessPoolExecutor(max_workers=workers or os.cpu_count())


def build(
    out: Path,
    roots: Sequence[SourceRoot],
    config: BuildConfig,
    *,
    limit: int | None = None,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    progress: Progress | None = _stderr,
) -> BuildResult:
    """Build the data set into `out`; files already in `out/.cache` are not redone."""
    out = Path(out)
    stats = Stats()
    files = limit_files(discover(roots, config.excluded_packages), limit)
    stats.files = len(files)
    own = executor is None
    pool = _default_executor(workers) if own else executor
    try:
        if progress:
            progress(f"{len(files)} files")
        paths, stats.computed = cached_map(
            pool, run_file_task, file_items(files, config), out / ".cache" / "files", progress
        )
        corpus = load_corpus(paths, config, stats)
        select(corpus, config, stats)
        focal_paths, _ = cached_map(
            pool,
            run_focal_task,
            focal_items(corpus, files, config, stats),
            out / ".cache" / "focal",
            progress,
        )
    finally:
        if own:
            pool.shutdown()
    for d in ("functions", "examples", "focal"):
        shutil.rmtree(out / d, ignore_errors=True)
    write_functions(out, corpus, config)
    write_focal(out, corpus, files, config)
    write_examples(out, [*paths, *focal_paths], corpus, config)
    return BuildResult(out, write_manifest(out, roots, config, stats), stats)

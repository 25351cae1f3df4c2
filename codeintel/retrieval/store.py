"""The index folder: built from a codebase, updated by content hash, loaded to search.

    DIR/manifest.json     format version, codeintel version, embedder, root, search
                          kind, and each file's sha256 (written last: its presence
                          means the rest is complete)
    DIR/functions.jsonl   one IndexedFunction a line, in row order
    DIR/frequencies.npy   the hashed embedder's document frequencies (its IDF)
    DIR/search.faiss      the FAISS index of the rows (exact or HNSW), which also
                          holds the float32 rows themselves (read back on load)

An update re-embeds only the files whose hash changed, drops deleted ones, and
keeps the other rows. The hashed embedder's IDF follows the functions it counts;
rows embedded under an IDF whose document count has since moved by more than
IDF_DRIFT are re-embedded (all of them), so old and new rows stay comparable. A
folder made by another format version or embedder is rebuilt, and the report says
why. The new folder is written beside the old one and swapped in, so a stopped run
leaves the old index whole.
"""

from __future__ import annotations

import io
import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from codeintel import __version__
from codeintel.errors import IndexFormatError, InputError
from codeintel.files import MAX_CONFIG_BYTES, MAX_DATA_BYTES, read_bytes, read_text
from codeintel.retrieval import collect
from codeintel.retrieval.embedders import Embedder, HashedEmbedder, embedder_from_spec
from codeintel.retrieval.lexical import Bm25
from codeintel.retrieval.query import HNSW_ABOVE, SearchKind, faiss_index, kind_for
from codeintel.retrieval.records import IndexedFunction

FORMAT = 3  # 2: classes are rows too (IndexedFunction.kind); 3: IndexedFunction.shape
MANIFEST = "manifest.json"
IDF_DRIFT = 0.25
Progress = Callable[[int, int], None]  # (files done, files to embed)


@dataclass(frozen=True)
class CodeIndex:
    folder: Path
    root: Path
    functions: tuple[IndexedFunction, ...]
    vectors: np.ndarray  # (functions, dim) float32
    embedder: Embedder
    kind: SearchKind
    searcher: Any  # the faiss index
    files: dict[str, str]  # relpath -> sha256
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # built on demand

    def lexical(self) -> Bm25:
        """The rows' BM25 index, built at the first lexical search."""
        if "bm25" not in self.cache:
            self.cache["bm25"] = Bm25.build(self.functions)
        return self.cache["bm25"]

    def with_shape(self, shape: str) -> list[IndexedFunction]:
        """The rows whose code has this `code_shape` (near-clones), in index order."""
        if "shapes" not in self.cache:
            shapes: dict[str, list[IndexedFunction]] = {}
            for function in self.functions:
                if function.shape:
                    shapes.setdefault(function.shape, []).append(function)
            self.cache["shapes"] = shapes
        return list(self.cache["shapes"].get(shape, ()))

    def relative(self, path: Path) -> str | None:
        """`path` as the index names files (under its root), or None if outside it."""
        resolved = path.resolve()
        return (
            resolved.relative_to(self.root).as_posix()
            if resolved.is_relative_to(self.root)
            else None
        )


@dataclass(frozen=True)
class IndexReport:
    folder: Path
    files: int
    functions: int
    embedded_files: int  # new or changed (all of them on a rebuild)
    removed_files: int
    kind: SearchKind
    embedder: str
    seconds: float
    rebuilt: str  # why every row was embedded again ("" on an incremental update)
    skipped_files: int = 0  # .py files that are binary, not UTF-8, too large or not regular

    def summary(self) -> str:
        why = f"; rebuilt: {self.rebuilt}" if self.rebuilt else ""
        if self.skipped_files:
            why += (
                f"; {self.skipped_files} skipped (binary, not UTF-8, over "
                f"{collect.FILE_LIMIT // 1_000_000} MB or not a regular file)"
            )
        return (
            f"{self.folder}: {self.functions} functions and classes in {self.files} files "
            f"({self.embedded_files} embedded, {self.removed_files} removed; "
            f"{self.kind.value} search, {self.embedder}) in {self.seconds:.1f} s{why}"
        )


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputError(f"no index at {folder} (build one with `codeintel index PATH`)")
    if not path.is_file():
        raise IndexFormatError(f"{folder} is not a codeintel index (it has no {MANIFEST})")
    try:
        manifest = json.loads(read_text(path, "index manifest", MAX_CONFIG_BYTES))
    except ValueError as exc:
        raise IndexFormatError(f"{folder}: unreadable {MANIFEST}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise IndexFormatError(
            f"{folder} is an index of format {found!r} (made by codeintel "
            f"{manifest.get('codeintel', '?') if isinstance(manifest, dict) else '?'}); "
            f"this version reads format {FORMAT}: rebuild it with `codeintel index`"
        )
    return manifest


def load_index(folder: str | Path) -> CodeIndex:
    """The index in `folder`; InputError if there is none, IndexFormatError if it is
    not one or was made by a version with another format."""
    folder = Path(folder)
    manifest = _manifest(folder)
    import faiss

    try:
        rows = read_text(folder / "functions.jsonl", "index rows", MAX_DATA_BYTES)
        functions = tuple(IndexedFunction.from_json(json.loads(line)) for line in rows.splitlines())
        counts = _counts(folder, manifest)
        stored = read_bytes(folder / "search.faiss", "index vectors", MAX_DATA_BYTES)
        searcher = faiss.deserialize_index(np.frombuffer(stored, dtype=np.uint8))
        vectors = searcher.reconstruct_n(0, searcher.ntotal) if searcher.ntotal else None
    except (ValueError, TypeError, RuntimeError, KeyError) as exc:
        raise IndexFormatError(f"{folder}: a damaged index ({exc}); rebuild it") from exc
    if vectors is None:
        vectors = np.zeros((0, searcher.d), dtype=np.float32)
    if len(functions) != len(vectors):
        raise IndexFormatError(f"{folder}: its files disagree on the row count; rebuild it")
    embedder = embedder_from_spec(manifest["embedder"], counts)
    return CodeIndex(
        folder,
        Path(manifest["root"]),
        functions,
        vectors,
        embedder,
        SearchKind(manifest["search"]),
        searcher,
        dict(manifest["files"]),
    )


def _counts(folder: Path, manifest: dict[str, Any]) -> tuple[int, tuple[int, ...]]:
    path = folder / "frequencies.npy"
    if not path.exists():
        return 0, ()
    stored = io.BytesIO(read_bytes(path, "index frequencies", MAX_DATA_BYTES))
    return int(manifest["documents"]), tuple(int(c) for c in np.load(stored, allow_pickle=False))


def _previous(out: Path, embedder: Embedder, rebuild: bool) -> tuple[CodeIndex | None, str]:
    """The index to update, or None and why everything is embedded again."""
    if not out.exists():
        return None, ""
    if not out.is_dir():
        raise IndexFormatError(f"{out} is a file, not an index folder: choose another --out")
    if not any(out.iterdir()):
        return None, ""
    try:
        old = load_index(out)
    except IndexFormatError as exc:
        if not (out / MANIFEST).is_file():
            raise IndexFormatError(
                f"{out} exists and is not a codeintel index: choose another --out"
            ) from exc
        return None, str(exc)
    if rebuild:
        return None, "asked (--rebuild)"
    if old.embedder.spec() != embedder.spec():
        return None, f"the embedder changed ({old.embedder.name} -> {embedder.name})"
    return old, ""


def build_index(
    paths: Sequence[str | Path],
    out: str | Path,
    embedder: Embedder | None = None,
    *,
    rebuild: bool = False,
    hnsw_above: int = HNSW_ABOVE,
    progress: Progress | None = None,
) -> IndexReport:
    """Index every function under `paths` into `out`, updating what is there."""
    start = time.monotonic()
    out = Path(out)
    embedder = embedder or HashedEmbedder()
    root, files, skipped = collect.source_files([Path(p) for p in paths])
    if not files:
        raise InputError(f"no Python files under {', '.join(map(str, paths))}")
    old, why = _previous(out, embedder, rebuild)
    if old is not None and old.root != root:
        old, why = None, f"the root changed ({old.root} -> {root})"
    plan = _plan(old, files)
    functions, vectors, embedder, drift = _embedded(plan, old, embedder, progress)
    kind = kind_for(len(functions), hnsw_above)
    _write(out, root, files, functions, vectors, embedder, kind)
    removed = len(set(old.files) - {f.relpath for f in files}) if old else 0
    return IndexReport(
        out,
        len(files),
        len(functions),
        len(files) if (old is None or drift) else len(plan.changed),
        removed,
        kind,
        embedder.name,
        time.monotonic() - start,
        why or drift,
        skipped,
    )


@dataclass(frozen=True)
class _Plan:
    kept: list[int]  # rows of the old index to keep, in order
    changed: list[collect.SourceFile]  # files to parse and embed
    dropped: list[int]  # rows of the old index that go


def _plan(old: CodeIndex | None, files: list[collect.SourceFile]) -> _Plan:
    if old is None:
        return _Plan([], files, [])
    same = {f.relpath for f in files if old.files.get(f.relpath) == f.digest}
    kept = [i for i, fn in enumerate(old.functions) if fn.file in same]
    dropped = [i for i, fn in enumerate(old.functions) if fn.file not in same]
    return _Plan(kept, [f for f in files if f.relpath not in same], dropped)


def _embedded(
    plan: _Plan, old: CodeIndex | None, embedder: Embedder, progress: Progress | None
) -> tuple[list[IndexedFunction], np.ndarray, Embedder, str]:
    """The rows of the new index: the kept ones, then the changed files' functions."""
    new: list[IndexedFunction] = []
    for done, file in enumerate(plan.changed, start=1):
        new += collect.functions_of(file)
        if progress:
            progress(done, len(plan.changed))
    kept = [old.functions[i] for i in plan.kept] if old else []
    dropped = [old.functions[i] for i in plan.dropped] if old else []
    drift = ""
    if isinstance(embedder, HashedEmbedder):
        base = old.embedder if old else embedder
        before = base.documents if isinstance(base, HashedEmbedder) else 0
        embedder = base.with_counts(
            [f.embedded_text() for f in new], [f.embedded_text() for f in dropped]
        )
        if kept and abs(embedder.documents - before) > IDF_DRIFT * max(before, 1):
            drift = f"the function count moved from {before} to {embedder.documents} (IDF)"
    functions = kept + new
    if old is None or drift:
        return functions, _rows(embedder, functions), embedder, drift
    rows = np.concatenate([old.vectors[plan.kept], _rows(embedder, new)])
    return functions, rows, embedder, ""


def _rows(embedder: Embedder, functions: list[IndexedFunction]) -> np.ndarray:
    texts = [f.embedded_text() for f in functions]
    return embedder.embed(texts) if texts else np.zeros((0, embedder.dim), np.float32)


def _write(
    out: Path,
    root: Path,
    files: list[collect.SourceFile],
    functions: list[IndexedFunction],
    vectors: np.ndarray,
    embedder: Embedder,
    kind: SearchKind,
) -> None:
    """The index written to a new folder beside `out`, then swapped in."""
    import faiss

    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = out.with_name(f".{out.name}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    lines = (json.dumps(f.to_json(), ensure_ascii=False) for f in functions)
    (fresh / "functions.jsonl").write_text("".join(f"{line}\n" for line in lines), "utf-8")
    documents = 0
    if isinstance(embedder, HashedEmbedder):
        np.save(fresh / "frequencies.npy", np.array(embedder.frequencies, dtype=np.int64))
        documents = embedder.documents
    faiss.write_index(faiss_index(vectors, kind), str(fresh / "search.faiss"))
    manifest = {
        "format": FORMAT,
        "codeintel": __version__,
        "embedder": embedder.spec(),
        "root": str(root),
        "search": kind.value,
        "functions": len(functions),
        "documents": documents,
        "files": {f.relpath: f.digest for f in files},
    }
    (fresh / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")
    _swap(fresh, out)


def _swap(fresh: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    fresh.rename(out)
    shutil.rmtree(old, ignore_errors=True)

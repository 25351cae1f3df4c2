"""Writing JSONL shards and the manifest (the I/O edge of a build)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_shards(
    directory: Path, prefix: str, records: Iterable[dict], shard_size: int
) -> list[Path]:
    """`directory/{prefix}-NNNNN.jsonl`, `shard_size` records each; no file when no records."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    out = None
    count = 0
    try:
        for record in records:
            if out is None or count == shard_size:
                if out is not None:
                    out.close()
                path = directory / f"{prefix}-{len(paths):05d}.jsonl"
                paths.append(path)
                out = path.open("w", encoding="utf-8")
                count = 0
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if out is not None:
            out.close()
    return paths


def write_example_set(
    out: Path, split: str, prefix: str, records: Iterable[dict], describe: Callable[[], dict]
) -> list[Path]:
    """Examples made apart from a build (neural or traced bugs):
    `out/examples/{split}/{prefix}-NNNNN.jsonl`, and `out/manifest.json` with what
    `describe()` returns once the records are written, plus the files' hashes."""
    paths = write_shards(out / "examples" / split, prefix, records, shard_size=10_000)
    files = {p.relative_to(out).as_posix(): sha256_file(p) for p in paths}
    write_json_atomic(out / "manifest.json", {**describe(), "files": files})
    return paths


def write_json_atomic(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> object | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def count_lines(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        with path.open("rb") as f:
            total += sum(1 for line in f if line.strip())
    return total

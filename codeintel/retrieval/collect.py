"""The functions of a codebase: its Python files, hashed and parsed (the I/O edge)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from codeintel.errors import InputError
from codeintel.retrieval.records import IndexedFunction
from parsers import Scope, parse

SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})
CODE_LIMIT = 4000  # characters of a function's text kept in the index
FILE_LIMIT = 2_000_000  # bytes: larger files are skipped (generated code, data)


@dataclass(frozen=True)
class SourceFile:
    relpath: str  # posix, relative to the root
    path: Path
    digest: str  # sha256 of the bytes


def root_of(paths: Sequence[Path]) -> Path:
    """The folder the index's file names are relative to."""
    resolved = [p.resolve() for p in paths]
    folders = [p if p.is_dir() else p.parent for p in resolved]
    return Path(os.path.commonpath(folders))


def _python_files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        yield from (Path(folder) / f for f in sorted(files) if f.endswith(".py"))


def source_files(paths: Sequence[Path]) -> tuple[Path, list[SourceFile]]:
    """The root and every Python file under `paths` (InputError for a missing path)."""
    for path in paths:
        if not path.exists():
            raise InputError(f"{path} does not exist")
    root = root_of(paths)
    found: dict[str, SourceFile] = {}
    for path in paths:
        for file in _python_files(path.resolve()):
            if not file.is_file() or file.stat().st_size > FILE_LIMIT:
                continue
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            relpath = file.relative_to(root).as_posix()
            found[relpath] = SourceFile(relpath, file, digest)
    return root, [found[k] for k in sorted(found)]


def body_hash(scope: Scope) -> str:
    """What the index knows a function's body by (`IndexedFunction.body_hash`)."""
    return hashlib.sha256(scope.body.encode("utf-8")).hexdigest()


def functions_of(file: SourceFile) -> list[IndexedFunction]:
    """Every function and method of the file ([] for one that is not UTF-8)."""
    try:
        source = file.path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    parsed = parse(source, "python")
    return [
        IndexedFunction(
            file=file.relpath,
            start_line=scope.span.start_line,
            end_line=scope.span.end_line,
            qualified_name=scope.qualified_name,
            signature=scope.signature,
            docstring=scope.docstring or "",
            body_hash=body_hash(scope),
            code=parsed.text(scope.span)[:CODE_LIMIT],
        )
        for scope in parsed.functions()
    ]

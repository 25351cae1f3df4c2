"""The functions of a codebase: its Python files, hashed and parsed (the I/O edge)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from codeintel.errors import InputError
from codeintel.files import read_bytes
from codeintel.retrieval.records import IndexedFunction
from parsers import Scope, ScopeKind, parse
from parsers.text import code_shape

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


def source_files(paths: Sequence[Path]) -> tuple[Path, list[SourceFile], int]:
    """The root, every Python source file under `paths`, and how many `.py` files were
    skipped: not regular, over FILE_LIMIT, binary (a NUL byte) or not UTF-8
    (InputError for a missing path)."""
    for path in paths:
        if not path.exists():
            raise InputError(f"{path} does not exist")
    root = root_of(paths)
    found: dict[str, SourceFile] = {}
    skipped: set[str] = set()
    for path in paths:
        for file in _python_files(path.resolve()):
            relpath = file.relative_to(root).as_posix()
            data = _source_bytes(file)
            if data is None:
                skipped.add(relpath)
                continue
            found[relpath] = SourceFile(relpath, file, hashlib.sha256(data).hexdigest())
    return root, [found[k] for k in sorted(found)], len(skipped - set(found))


def _source_bytes(file: Path) -> bytes | None:
    """The file's bytes if it is Python source text we index; None otherwise."""
    try:
        data = read_bytes(file, "file", FILE_LIMIT)
        data.decode("utf-8")
    except (InputError, UnicodeDecodeError):
        return None
    return None if b"\0" in data else data


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
    return _functions(parsed, file) + _classes(parsed, file)


def _classes(parsed, file: SourceFile) -> list[IndexedFunction]:
    """Each class: its header, docstring and the names of its methods (what a search for
    a class goes by), searched beside the functions (kind "class")."""
    out = []
    for scope in parsed.scopes():
        if scope.kind is not ScopeKind.CLASS:
            continue
        methods = [c.name for c in scope.children if c.is_function]
        header = " ".join(scope.signature.split()).rstrip(":")
        code = f"{header}:\n    # methods: {', '.join(methods)}\n"
        out.append(
            IndexedFunction(
                file=file.relpath,
                start_line=scope.span.start_line,
                end_line=scope.span.end_line,
                qualified_name=scope.qualified_name,
                signature=header,
                docstring=scope.docstring or "",
                body_hash=body_hash(scope),
                code=code,
                kind="class",
            )
        )
    return out


def _functions(parsed, file: SourceFile) -> list[IndexedFunction]:
    texts = [parsed.text(scope.span) for scope in parsed.functions()]
    return [
        IndexedFunction(
            file=file.relpath,
            start_line=scope.span.start_line,
            end_line=scope.span.end_line,
            qualified_name=scope.qualified_name,
            signature=scope.signature,
            docstring=scope.docstring or "",
            body_hash=body_hash(scope),
            code=text[:CODE_LIMIT],
            shape=code_shape(text) or "",
        )
        for scope, text in zip(parsed.functions(), texts, strict=True)
    ]

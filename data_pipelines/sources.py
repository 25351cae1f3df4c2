"""Which files a build reads: source roots, file discovery, package and test-file naming.

A `SourceFile` names a file by its root's label and its path under the root
(`stdlib/json/decoder.py`), so records and splits do not depend on where the
corpus lies on disk. The package of a file decides its split:

- stdlib: the top-level module (`json`); its tests `test/test_json/...` and
  `test/test_json.py` belong to `json` too, so a module and its tests share a split;
- any other root: the top-level package or module under the root, or the root's
  own name when the root itself is a package (has `__init__.py`).
"""

from __future__ import annotations

import hashlib
import sysconfig
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from codeintel.errors import InputError

STDLIB = "stdlib"
# Directories never walked: installed packages inside the stdlib tree, caches,
# lib2to3/test data that is not Python 3, build leftovers.
SKIPPED_DIRS = frozenset(
    {
        "site-packages",
        "dist-packages",
        "__pycache__",
        "node_modules",
        ".git",
        "fixtures",
        "test_data",
        "testdata",
        "bad",
        "badsyntax",
        "_vendor",
        "vendored",
    }
)
TEST_DIRS = frozenset({"test", "tests"})


@dataclass(frozen=True)
class SourceRoot:
    label: str  # `stdlib`, `site-packages` or the directory's name
    path: Path
    stdlib: bool = False


@dataclass(frozen=True)
class SourceFile:
    root: SourceRoot
    relpath: str  # posix path under the root

    @property
    def path(self) -> str:
        """The name used in records: `label/relpath`."""
        return f"{self.root.label}/{self.relpath}"

    @property
    def absolute(self) -> Path:
        return self.root.path / self.relpath

    @property
    def package(self) -> str:
        return package_of(self.root, self.relpath)

    @property
    def is_test(self) -> bool:
        return is_test_path(self.relpath)


def default_roots() -> tuple[SourceRoot, ...]:
    paths = sysconfig.get_paths()
    return (
        SourceRoot(STDLIB, Path(paths["stdlib"]), stdlib=True),
        SourceRoot("site-packages", Path(paths["purelib"])),
    )


def roots_from_dirs(dirs: Sequence[str | Path]) -> tuple[SourceRoot, ...]:
    roots = []
    for d in dirs:
        path = Path(d).resolve()
        if not path.is_dir():
            raise InputError(f"source directory {d} does not exist")
        roots.append(SourceRoot(path.name, path))
    return tuple(roots)


def _module_name(part: str) -> str:
    return part[:-3] if part.endswith(".py") else part


def package_of(root: SourceRoot, relpath: str) -> str:
    parts = relpath.split("/")
    if (root.path / "__init__.py").exists():
        return root.path.name
    top = _module_name(parts[0])
    if root.stdlib and top == "test" and len(parts) > 1:
        name = _module_name(parts[1])
        return name[len("test_") :] if name.startswith("test_") else name
    return top


def is_test_path(relpath: str) -> bool:
    parts = relpath.split("/")
    name = parts[-1]
    in_test_dir = any(p in TEST_DIRS for p in parts[:-1])
    return in_test_dir or name.startswith("test_") or name.endswith("_test.py")


def _walk(root: SourceRoot) -> Iterator[str]:
    for path in sorted(root.path.rglob("*.py")):
        rel = path.relative_to(root.path)
        if any(p in SKIPPED_DIRS or p.startswith(".") for p in rel.parts[:-1]):
            continue
        if path.is_file():
            yield rel.as_posix()


def discover(roots: Iterable[SourceRoot], excluded: Sequence[str]) -> list[SourceFile]:
    """Every .py file under the roots, in a stable order, minus excluded packages."""
    files = []
    for root in roots:
        for rel in _walk(root):
            f = SourceFile(root, rel)
            if f.package not in excluded and not f.package.endswith((".dist-info", ".egg-info")):
                files.append(f)
    return files


def _rank(package: str) -> str:
    # Salted: the split hashes the bare name, and an unsalted order would take the
    # packages with the lowest hashes first, which all fall in the training split.
    return hashlib.sha256(f"limit:{package}".encode()).hexdigest()


def limit_files(files: Sequence[SourceFile], limit: int | None) -> list[SourceFile]:
    """Whole packages, in hash order of their names, until `limit` files are taken.

    Taking whole packages keeps a module with its tests (for focal pairs) and
    gives every split some packages. A package bigger than what is left is skipped.
    """
    if limit is None:
        return list(files)
    by_package: dict[str, list[SourceFile]] = {}
    for f in files:
        by_package.setdefault(f.package, []).append(f)
    chosen: list[SourceFile] = []
    for package in sorted(by_package, key=_rank):
        group = by_package[package]
        if len(chosen) + len(group) <= limit:
            chosen.extend(group)
    return sorted(chosen, key=lambda f: f.path)

"""A file's project, as pytest sees it from the project's root: where the root is, which
folders go on sys.path (pytest's `pythonpath`, a `src/` layout), where the tests are,
and the files a sandboxed run of the tests needs.

    project = load_project(Path("src/pkg/mod.py"))
    project.root, project.pythonpath        # /home/me/proj, ("src",)
    project.relative(Path("src/pkg/mod.py"))  # "src/pkg/mod.py"
    test_ids(project, ["tests/", "tests/test_mod.py::test_x"])

The settings are read the way pytest reads them: the first of pytest.ini ([pytest]),
pyproject.toml ([tool.pytest.ini_options]), tox.ini ([pytest]) and setup.cfg
([tool:pytest]) in the root that has a pytest section. Only `pythonpath` and
`testpaths` are taken: the sandbox runs pytest with its own settings (no addopts, no
plugins), and the project's conftest.py files.
"""

from __future__ import annotations

import ast
import configparser
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import tomllib

from codeintel.errors import InputError
from codeintel.files import MAX_CONFIG_BYTES, MAX_SOURCE_BYTES, read_bytes, read_text
from parsers.text import python_ast

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
SKIPPED = frozenset(
    {"__pycache__", "node_modules", "site-packages", "build", "dist", "venv", "env", ".tox"}
)
MAX_FILES = 3000  # files of a project copied into the sandbox
MAX_TOTAL_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Project:
    root: Path  # absolute, symlinks resolved
    pythonpath: tuple[str, ...] = ()  # folders (relative to the root) put on sys.path first
    testpaths: tuple[str, ...] = ()  # where pytest looks for tests when given none
    settings: str = ""  # the file the pytest settings came from ("" when none)

    def relative(self, path: Path) -> str:
        """`path` relative to the root (posix); InputError when it lies outside."""
        resolved = Path(os.path.realpath(path))
        if not resolved.is_relative_to(self.root):
            raise InputError(f"{path} is not inside the project at {self.root}")
        return resolved.relative_to(self.root).as_posix()


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding pyproject.toml, setup.cfg,
    setup.py or .git; InputError when there is none."""
    here = Path(os.path.realpath(start))
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in MARKERS):
            return candidate
    raise InputError(
        f"{start} is not in a project (no pyproject.toml, setup.cfg, setup.py or .git "
        "above it); pass --root DIR"
    )


def load_project(path: Path, root: Path | None = None) -> Project:
    """The project of the file (or folder) at `path`: `root`, or the one found above it."""
    if root is not None:
        root = Path(os.path.realpath(root))
        if not root.is_dir():
            raise InputError(f"--root {root} is not a folder")
        if not any((root / marker).exists() for marker in MARKERS):
            raise InputError(
                f"--root {root} is not a project (no pyproject.toml, setup.cfg, setup.py or .git)"
            )
    else:
        root = find_root(path)
    pythonpath, testpaths, settings = pytest_settings(root)
    project = Project(root, _with_src(root, pythonpath, path), testpaths, settings)
    project.relative(path)  # inside it, or InputError
    return project


def _with_src(root: Path, pythonpath: tuple[str, ...], path: Path) -> tuple[str, ...]:
    """A `src/` layout's folder goes on sys.path (as an installed copy would put it)."""
    src = root / "src"
    if "src" in pythonpath or not src.is_dir():
        return pythonpath
    inside = Path(os.path.realpath(path)).is_relative_to(src)
    return (*pythonpath, "src") if inside or _has_package(src) else pythonpath


def _has_package(folder: Path) -> bool:
    return any((child / "__init__.py").is_file() for child in folder.iterdir() if child.is_dir())


# --- pytest's settings ---------------------------------------------------------------------


def pytest_settings(root: Path) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(pythonpath, testpaths, the file they came from) as pytest reads them."""
    for name, read in (
        ("pytest.ini", lambda t: _ini(t, "pytest")),
        ("pyproject.toml", _pyproject),
        ("tox.ini", lambda t: _ini(t, "pytest")),
        ("setup.cfg", lambda t: _ini(t, "tool:pytest")),
    ):
        path = root / name
        if not path.is_file():
            continue
        found = read(read_text(path, "pytest settings", MAX_CONFIG_BYTES))
        if found is not None:
            return _words(found.get("pythonpath")), _words(found.get("testpaths")), name
    return (), (), ""


def _ini(text: str, section: str) -> dict | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise InputError(f"the project's pytest settings cannot be read: {exc}") from exc
    return dict(parser[section]) if parser.has_section(section) else None


def _pyproject(text: str) -> dict | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the project's pyproject.toml is not valid TOML: {exc}") from exc
    found = data.get("tool", {}).get("pytest", {}).get("ini_options")
    return found if isinstance(found, dict) else None


def _words(value: object) -> tuple[str, ...]:
    """An ini list (whitespace separated) or a TOML list, as relative folders."""
    if value is None:
        return ()
    items = value.split() if isinstance(value, str) else [str(v) for v in value]
    return tuple(os.path.normpath(item) for item in items if item)


# --- the files a run needs -----------------------------------------------------------------


def walk(root: Path) -> Iterator[Path]:
    """Every file below `root` but version control, hidden folders, virtual environments
    and build output, in a stable order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not d.startswith("."))
        dirs[:] = [d for d in dirs if not (Path(folder) / d / "pyvenv.cfg").exists()]
        yield from (Path(folder) / name for name in sorted(files))


def project_files(project: Project) -> dict[str, bytes]:
    """Every regular file of the project (but version control, virtual environments and
    build output), by relative path: what a sandboxed run of its tests sees. InputError
    for a project too large to copy (MAX_FILES, MAX_TOTAL_BYTES)."""
    files: dict[str, bytes] = {}
    total = 0
    for path in walk(project.root):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
            continue
        data = read_bytes(path, "file")
        total += len(data)
        files[path.relative_to(project.root).as_posix()] = data
        if len(files) > MAX_FILES or total > MAX_TOTAL_BYTES:
            raise InputError(
                f"{project.root} has more than {MAX_FILES} files or {MAX_TOTAL_BYTES >> 20} MB; "
                "pass --root for a smaller part of it"
            )
    return files


# --- which tests ---------------------------------------------------------------------------


def is_test_file(name: str) -> bool:
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def test_ids(project: Project, specs: Sequence[str | Path]) -> list[str]:
    """Node ids (relative to the root) for test files, folders and node ids, in order;
    InputError for one that does not exist or a folder with no tests."""
    found: list[str] = []
    for spec in specs:
        path_part, sep, rest = str(spec).partition("::")
        path = Path(path_part)
        if not path.exists():
            raise InputError(f"no test file or folder {path_part}")
        if path.is_dir():
            inside = [p for p in walk(Path(os.path.realpath(path))) if is_test_file(p.name)]
            if not inside:
                raise InputError(f"{path_part} holds no test files (test_*.py or *_test.py)")
            found += [project.relative(p) for p in inside]
        else:
            if sep:
                _check_node(path, rest)
            found.append(project.relative(path) + (sep + rest if sep else ""))
    return list(dict.fromkeys(found))


def _check_node(path: Path, rest: str) -> None:
    """InputError unless the test file defines what the node id names after `::`
    (a function or class, then a method; parameters in `[...]` aside)."""
    tree = python_ast(read_text(path, "test file"))
    names = rest.split("::")
    scope = list(tree.body) if tree is not None else []
    for name in names:
        bare = name.partition("[")[0]
        found = next((n for n in scope if isinstance(n, _DEFINITIONS) and n.name == bare), None)
        if found is None:
            raise InputError(f"{path} has no test {'::'.join(names)} (no {bare} in it)")
        scope = list(getattr(found, "body", []))


def test_files(project: Project, files: dict[str, bytes]) -> list[str]:
    """The project's test files (test_*.py, *_test.py) under its testpaths, when it names
    them, else anywhere in it."""
    roots = project.testpaths or ("",)
    return [
        rel
        for rel in files
        if is_test_file(rel.rpartition("/")[2])
        and any(rel.startswith(r.rstrip("/") + "/") or not r for r in roots)
    ]


def tests_importing(project: Project, files: dict[str, bytes], module_file: str) -> list[str]:
    """The project's test files (`test_files`) that import the module at `module_file`."""
    module = module_name(project, module_file)
    last = module.rpartition(".")[2]
    chosen = []
    for rel in test_files(project, files):
        text = files[rel].decode("utf-8", "replace")
        if module in text or f"import {last}" in text or f" {last} import" in text:
            chosen.append(rel)
    return chosen


def module_name(project: Project, module_file: str) -> str:
    """The dotted name the module is imported by (its path below a sys.path folder)."""
    parts = Path(module_file).with_suffix("").parts
    for entry in sorted(project.pythonpath, key=len, reverse=True):
        prefix = Path(entry).parts
        if parts[: len(prefix)] == prefix and entry not in (".", ""):
            parts = parts[len(prefix) :]
            break
    return ".".join(parts)

"""Reading a QuixBugs checkout in its own layout (see the package docstring): which
programs there are, each program with its tests adapted for the sandbox and the files
they import, and the argument lists its tests call it with."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PROGRAMS, TESTS, CORRECT, JSON_TESTS = (
    "python_programs",
    "python_testcases",
    "correct_python_programs",
    "json_testcases",
)
DEFAULT_FLAGS = {"use_correct": False, "run_slow": False}


@dataclass(frozen=True)
class Program:
    name: str
    source: str
    tests: str  # adapted for the sandbox (see the module docstring)
    support: dict[str, str]  # other files the tests need, by path relative to the root
    correct: str | None

    @property
    def module_file(self) -> str:
        return f"{PROGRAMS}/{self.name}.py"

    @property
    def test_file(self) -> str:
        return f"{TESTS}/test_{self.name}.py"


def program_names(root: Path, only: Sequence[str] = ()) -> list[str]:
    """Programs with a buggy version and a test file, sorted; `only` restricts them."""
    names = sorted(
        p.stem
        for p in (root / PROGRAMS).glob("*.py")
        if (root / TESTS / f"test_{p.stem}.py").is_file()
    )
    return [n for n in names if n in only] if only else names


def pytest_flags(root: Path, run_slow: bool = False) -> dict[str, bool]:
    """The attributes the checkout's conftest files set on `pytest`, and the value each
    reads as here: `run_slow` as asked, every other one (use_correct, ...) False."""
    found = dict(DEFAULT_FLAGS)
    for conftest in (root / "conftest.py", root / TESTS / "conftest.py"):
        if conftest.is_file():
            names = re.findall(r"\bpytest\.(\w+)\s*=", conftest.read_text("utf-8"))
            found.update({name: False for name in names if name not in found})
    return {**found, "run_slow": run_slow}


def adapt_tests(text: str, flags: dict[str, bool]) -> str:
    """The test file with every `pytest.FLAG` read as its constant (no conftest runs)."""
    for name, value in sorted(flags.items()):
        text = re.sub(rf"\bpytest\.{re.escape(name)}\b", str(value), text)
    return text


def _module_paths(node: ast.AST, package: str) -> Iterable[str]:
    """Files (relative, maybe missing) that an import statement may load."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name.replace(".", "/") + ".py"
    elif isinstance(node, ast.ImportFrom):
        base = (f"{package}/" if node.level else "") + (node.module or "").replace(".", "/")
        base = base.strip("/")
        yield f"{base}.py"
        yield from (f"{base}/{alias.name}.py" for alias in node.names)
        if not node.level and node.module:  # `from node import Node` next to the tests
            yield f"{package}/{base}.py"


def imported_files(root: Path, source: str, package: str) -> set[str]:
    """Existing files of the checkout that `source` (in folder `package`) imports."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    paths = {p for node in ast.walk(tree) for p in _module_paths(node, package)}
    return {p for p in paths if not p.startswith(f"{CORRECT}/") and (root / p).is_file()}


def support_files(root: Path, name: str, tests: str, source: str) -> dict[str, str]:
    """Every file of the checkout the tests and the program import, at its own path."""
    found = imported_files(root, tests, TESTS) | imported_files(root, source, PROGRAMS)
    found |= {f"{JSON_TESTS}/{name}.json", f"{PROGRAMS}/__init__.py"}
    found = {p for p in found if (root / p).is_file()} - {f"{PROGRAMS}/{name}.py"}
    files = {p: (root / p).read_text("utf-8") for p in sorted(found)}
    node = f"{TESTS}/node.py"
    if node not in files and _imports_node(tests) and (root / PROGRAMS / "node.py").is_file():
        files[node] = (root / PROGRAMS / "node.py").read_text("utf-8")  # `from node import`
    return files


def _imports_node(tests: str) -> bool:
    try:
        tree = ast.parse(tests)
    except SyntaxError:
        return False
    return any(
        (isinstance(n, ast.ImportFrom) and n.module == "node" and not n.level)
        or (isinstance(n, ast.Import) and any(a.name == "node" for a in n.names))
        for n in ast.walk(tree)
    )


def load_program(root: Path, name: str, flags: dict[str, bool]) -> Program:
    source = (root / PROGRAMS / f"{name}.py").read_text("utf-8")
    tests = (root / TESTS / f"test_{name}.py").read_text("utf-8")
    correct = root / CORRECT / f"{name}.py"
    return Program(
        name,
        source,
        adapt_tests(tests, flags),
        support_files(root, name, tests, source),
        correct.read_text("utf-8") if correct.is_file() else None,
    )


# --- inputs the tests call the program with ---------------------------------------------


def json_inputs(text: str) -> list[list]:
    """The argument lists of a QuixBugs json testcase file (one `[args, expected]` a line)."""
    inputs = []
    for line in text.splitlines():
        if line.strip():
            args = json.loads(line)[0]
            inputs.append(args if isinstance(args, list) else [args])
    return inputs


def _literal_args(call: ast.Call) -> list | None:
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    try:
        return [ast.literal_eval(a) for a in call.args]
    except (ValueError, SyntaxError, TypeError):
        return None


def literal_inputs(tests: str, name: str) -> list[list]:
    """Argument lists of the calls `name(...)` in the tests whose arguments are all literals."""
    calls = sorted(
        (n for n in ast.walk(ast.parse(tests)) if isinstance(n, ast.Call)),
        key=lambda n: (n.lineno, n.col_offset),
    )  # in source order
    inputs = []
    for call in calls:
        called = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
        if called == name and (args := _literal_args(call)) is not None:
            inputs.append(args)
    return inputs


def inputs_from_tests(program: Program) -> list[list]:
    data = program.support.get(f"{JSON_TESTS}/{program.name}.json")
    found = json_inputs(data) if data else []
    return _unique(found + literal_inputs(program.tests, program.name))


def literal(args: list) -> str | None:
    """The argument list as one line of Python literal text (tuples, sets, dicts keyed by
    tuples kept as they are, which JSON cannot hold), or None when it has no literal
    (a float that is inf or nan, an object)."""
    text = repr(args)
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return text if "\n" not in text else None


def _unique(inputs: Iterable[list]) -> list[list]:
    """The argument lists that have a literal, each once, in order."""
    seen, kept = set(), []
    for args in inputs:
        key = literal(args)
        if key is not None and key not in seen:
            seen.add(key)
            kept.append(args)
    return kept

"""Stage 5: focal method / test pairs (Methods2Test-style) for Python.

Three steps, so that each is a pure function:

1. `test_cases(parsed, records)`: the unittest/pytest test functions of a test
   file, with the names a focal method may have (`test_foo_bar` -> `foo_bar`,
   `foo`; `TestBar.test_baz` -> `Bar.baz`), the names it calls and the file's
   `from M import name` imports;
2. `resolve(case, index)`: the focal function among the non-test functions of
   the same package: by name (the test must also call it), preferring the
   class named by the test class, else the one function of the package the test
   calls (both disambiguated by the test file's imports);
3. `focal_examples(parsed, pairs)`: in the focal function's file, the `test`
   example (focal method + focal context -> test function) and `assert`
   examples (test code up to an assert + focal method -> that assert).

The focal context is `build_focal(...)` without its leading copy of the focal
method (which the input already shows).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from codeintel.context import approx_tokens, build_focal
from codeintel.models import formats
from codeintel.records import JsonRecord
from data_pipelines.config import BuildConfig, Task
from data_pipelines.examples import MIN_CONTEXT, Example, cut, make, room
from data_pipelines.functions import FunctionRecord
from parsers import ParsedFile

IGNORED_CALLS = frozenset(
    {
        "setUp",
        "tearDown",
        "super",
        "len",
        "print",
        "isinstance",
        "__init__",
        "range",
        "list",
        "dict",
        "str",
        "int",
        "set",
        "tuple",
        "type",
        "repr",
        "open",
        "main",
        "run",
    }
)


@dataclass(frozen=True)
class TestCase(JsonRecord):
    __test__ = False  # not a pytest class

    id: str
    package: str
    text: str  # the test function at column 0
    names: tuple[tuple[str, str], ...]  # (class hint or "", function name), best first
    calls: tuple[str, ...]
    imports: tuple[tuple[str, str], ...]  # (name, module) of `from module import name`

    @classmethod
    def from_json(cls, d: dict) -> TestCase:
        return cls(
            d["id"],
            d["package"],
            d["text"],
            tuple(tuple(x) for x in d["names"]),
            tuple(d["calls"]),
            tuple(tuple(x) for x in d["imports"]),
        )


@dataclass(frozen=True)
class FocalPair(JsonRecord):
    test: TestCase
    focal_id: str
    focal_path: str
    focal_name: str


# --- 1. test cases --------------------------------------------------------------------


def _test_class(qualified_name: str) -> str | None:
    """'' for a module-level test, the class for a test method, None if not a test."""
    parts = qualified_name.split(".")
    if not parts[-1].startswith("test"):
        return None
    if len(parts) == 1:
        return ""
    cls = parts[-2]
    return cls if len(parts) == 2 and "test" in cls.lower() else None


def _class_hint(cls: str) -> str:
    for affix in ("Tests", "Test", "TestCase"):
        if cls.startswith(affix) and len(cls) > len(affix):
            return cls[len(affix) :]
        if cls.endswith(affix) and len(cls) > len(affix):
            return cls[: -len(affix)]
    return ""


def name_candidates(qualified_name: str, cls: str) -> tuple[tuple[str, str], ...]:
    """`TestBar.test_baz_qux` -> ((Bar, baz_qux), (Bar, baz)); longest name first."""
    name = qualified_name.split(".")[-1][len("test") :].lstrip("_")
    words = [w for w in name.split("_") if w]
    hint = _class_hint(cls)
    return tuple((hint, "_".join(words[:n])) for n in range(len(words), 0, -1))


def calls_of(text: str) -> tuple[str, ...]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return ()
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name and name not in IGNORED_CALLS and not name.startswith("assert"):
                names.append(name)
    return tuple(dict.fromkeys(names))


def from_imports(statements: Iterable[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for statement in statements:
        try:
            tree = ast.parse(statement.strip())
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                out.extend((a.asname or a.name, node.module) for a in node.names)
    return tuple(out)


def test_cases(parsed: ParsedFile, records: Sequence[FunctionRecord]) -> list[TestCase]:
    imports = from_imports(parsed.module.imports)
    cases = []
    for record in records:
        cls = _test_class(record.qualified_name)
        if cls is None:
            continue
        cases.append(
            TestCase(
                record.id,
                record.package,
                record.text,
                name_candidates(record.qualified_name, cls),
                calls_of(record.text),
                imports,
            )
        )
    return cases


# --- 2. resolution --------------------------------------------------------------------


def module_of(path: str) -> str:
    """`stdlib/json/decoder.py` -> `json.decoder`; `.../pkg/__init__.py` -> `pkg`."""
    parts = path.split("/")[1:]
    parts[-1] = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


class FocalIndex:
    """Non-test functions by package and simple name."""

    def __init__(self, records: Iterable[FunctionRecord]) -> None:
        self.by_name: dict[tuple[str, str], list[FunctionRecord]] = {}
        for r in records:
            if not r.is_test:
                simple = r.qualified_name.split(".")[-1]
                self.by_name.setdefault((r.package, simple), []).append(r)

    def named(self, package: str, name: str) -> list[FunctionRecord]:
        return self.by_name.get((package, name), [])


def _imported(case: TestCase, name: str, found: list[FunctionRecord]) -> list[FunctionRecord]:
    modules = [m for n, m in case.imports if n == name]
    if not modules:
        return found
    return [
        r
        for r in found
        if any(
            module_of(r.path) == m.lstrip(".") or module_of(r.path).endswith("." + m.lstrip("."))
            for m in modules
        )
    ] or found


def _by_class(found: list[FunctionRecord], hint: str) -> list[FunctionRecord]:
    if not hint:
        return found
    return [r for r in found if r.qualified_name.split(".")[-2:-1] == [hint]] or found


def _one(case: TestCase, name: str, hint: str, index: FocalIndex) -> FunctionRecord | None:
    found = _by_class(_imported(case, name, index.named(case.package, name)), hint)
    return found[0] if len(found) == 1 else None


def resolve(case: TestCase, index: FocalIndex) -> FunctionRecord | None:
    """The focal function of a test case, or None when there is no clear one."""
    called = set(case.calls)
    for hint, name in case.names:
        if name in called:
            found = _one(case, name, hint, index)
            if found is not None:
                return found
    defined = [n for n in case.calls if index.named(case.package, n)]
    if len(defined) == 1:
        return _one(case, defined[0], "", index)
    return None


def pairs(cases: Iterable[TestCase], index: FocalIndex) -> list[FocalPair]:
    out = []
    for case in cases:
        focal = resolve(case, index)
        if focal is not None and focal.id != case.id:
            out.append(FocalPair(case, focal.id, focal.path, focal.qualified_name))
    return out


# --- 3. examples ----------------------------------------------------------------------


def assert_sites(test: str) -> Iterator[tuple[str, str]]:
    """(test code before the assert, the assert statement) for each assert in the test."""
    try:
        tree = ast.parse(test)
    except (SyntaxError, ValueError):
        return
    lines = test.split("\n")
    for node in sorted(ast.walk(tree), key=lambda n: getattr(n, "lineno", 0)):
        if _is_assert(node):
            stmt = lines[node.lineno - 1 : node.end_lineno]
            indent = len(stmt[0]) - len(stmt[0].lstrip())
            yield (
                "\n".join(lines[: node.lineno - 1]),
                "\n".join(s[indent:] if s[:indent].isspace() else s.strip() for s in stmt),
            )


def _is_assert(node: ast.AST) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr.startswith("assert")
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
    )


def focal_context(parsed: ParsedFile, name: str, focal: str, budget: int) -> str:
    if budget < MIN_CONTEXT:
        return ""
    text = build_focal(parsed, name, budget + approx_tokens(focal)).text
    return text[len(focal) :].lstrip("\n") if text.startswith(focal) else ""


def pair_examples(
    parsed: ParsedFile, pair: FocalPair, focal: str, config: BuildConfig
) -> list[Example]:
    refs = (pair.focal_id,)
    context = focal_context(parsed, pair.focal_name, focal, room(config, focal))
    out = [
        make(
            Task.TEST,
            formats.testgen_input(focal, context),
            pair.test.text,
            pair.test.id,
            config,
            refs,
        )
    ]
    for i, (prefix, statement) in enumerate(assert_sites(pair.test.text)):
        if i >= config.asserts_per_test:
            break
        prefix = cut(prefix, config.max_input_tokens // 2, keep_tail=True)
        out.append(
            make(
                Task.ASSERT,
                formats.assert_input(prefix, focal),
                statement,
                pair.test.id,
                config,
                refs,
            )
        )
    return [e for e in out if e is not None]

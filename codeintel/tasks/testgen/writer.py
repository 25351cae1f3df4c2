"""Observed calls -> readable pytest tests with regression assertions. Pure functions.

A search test states what the code does now: the return value (or its type, size and
public attributes when it has no literal), the exception raised (`pytest.raises`),
and the arguments and object state the call changed. A value that differed between
the search's two runs is not asserted on; a call whose outcome differed gives no test.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from codeintel.tasks.testgen.plan import Args, Call, Focal
from codeintel.tasks.testgen.records import GeneratedTest, Origin

HEADER = '''"""Tests of {module}, written by `codeintel tests`.

The tests from its search assert what the code does now, observed by running it
(regression tests): they are not a statement of what it should do.
"""
'''
MUTABLE = ("[", "{", "set(", "bytearray(")


IN_TMP_PATH = "monkeypatch.chdir(tmp_path)  # the files it makes stay in a temporary folder"


def write_test(call: Call, record: dict, focal: Focal, module: str) -> GeneratedTest | None:
    """A test for one observed call; None when the call gave nothing to keep (it hung,
    its constructor or arguments failed, it ended differently on the two runs, or it
    tried to act outside its own temporary folder: `record["blocked"]`). A call that
    made or changed files (in its folder) runs in pytest's `tmp_path`."""
    if record.get("status") not in ("returned", "raised") or record.get("blocked"):
        return None
    if call.kind == "sequence":
        return write_sequence(call, record, focal, module)
    stable = bool(record.get("deterministic"))
    if record["status"] == "raised" and not stable:
        return None
    named, focal = focal, _as_named(focal, module)  # `focal`: as the test's code names it
    lines = _arrange(call, focal, record)
    names: list[str] = []
    imports: list[str] = []
    checks: list[str] = []
    if record["status"] == "raised":
        error = record["error"]
        exc, exc_imports = _type_name(error["type"], error["module"], module)
        imports += exc_imports
        exc = exc or "Exception"  # a private exception class: named by its base
        lines += ["with pytest.raises(" + exc + "):", "    " + _invocation(call, focal)]
        imports.append("import pytest")
        checks.append(f"raises {error['type']}")
    else:
        lines += _returned(call, focal, record, stable, module, imports, checks)
    lines += _changes(call, focal, record, stable)
    checks += _change_checks(call, focal, record, stable)
    if not any(_asserts_behaviour(line) for line in lines):
        return None  # only a type, or nothing: not a test of what the code does
    name = _name(named, record, checks)
    fixtures = "tmp_path, monkeypatch" if record.get("files") else ""
    if fixtures:
        lines.insert(0, IN_TMP_PATH)
    body = "\n".join("    " + line for line in lines)
    source = f"def {name}({fixtures}):\n{body}\n"
    if focal is not named:
        imports.append(_module_import(module))
    return GeneratedTest(
        name=name,
        focal=named.qualname,
        origin=Origin.SEARCH,
        source=source,
        checks=tuple(checks),
        imports=tuple(dict.fromkeys(imports)),
        names=tuple(dict.fromkeys([*([_importable(focal)] if focal is named else []), *names])),
    )


# --- call sequences on one object ------------------------------------------------------

WORDS = {"|": "or", "&": "and", "-": "sub", "^": "xor", "+": "add", "*": "mul", "<": "lt",
         "<=": "le", ">": "gt", ">=": "ge", "==": "eq"}  # fmt: skip


def write_sequence(call: Call, record: dict, focal: Focal, module: str) -> GeneratedTest | None:
    """A test of one call sequence on an object: the object built, each step (its value
    asserted, or the exception it raised), then what the object holds after them (its
    size, items and public attributes). None when it ended differently on two runs."""
    if not record.get("deterministic"):
        return None
    owner = call.target
    built = _as_named(focal, module).owner or owner
    lines = [f"obj = {built}({_arguments(call.ctor)})"]
    if any("other" in step for step in call.steps):
        lines.append(f"other = {built}({_arguments(call.other)})")
    imports: list[str] = [_module_import(module)] if built != owner else []
    checks: list[str] = []
    for at, (step, outcome) in enumerate(zip(call.steps, record["outcomes"], strict=False)):
        if outcome["status"] == "raised":
            lines += _raises(step, outcome["error"], module, imports, checks)
            break
        lines += _step_lines(step, outcome.get("value"), at + 1, checks)
    if record["status"] == "returned":
        lines += _object_checks(record.get("observed") or {}, checks)
    if not any(_asserts_behaviour(line) for line in lines):
        return None
    name = "test_" + _snake(owner) + "_" + _snake("_".join(_step_words(call.steps)))
    body = "\n".join("    " + line for line in "\n".join(lines).split("\n"))
    return GeneratedTest(
        name=name,
        focal=focal.qualname,
        origin=Origin.SEARCH,
        source=f"def {name}():\n{body}\n",
        checks=tuple(checks),
        imports=tuple(dict.fromkeys(imports)),
        names=(owner.split(".")[0],) if built == owner else (),
    )


def _step_words(steps: Sequence[str]) -> list[str]:
    """What each step does, in a word: the method's name, or the operator's."""
    words = []
    for step in steps:
        found = re.match(r"obj\.(\w+)", step)
        if found:
            word = found.group(1)
        elif step.startswith(("len(", "list(", "bool(", "del ", "with ")):
            word = {"len": "len", "list": "iter", "bool": "bool", "del": "delitem",
                    "with": "with"}[re.split(r"[( ]", step)[0]]  # fmt: skip
        elif " in obj" in step:
            word = "contains"
        elif " = " in step:
            word = "setitem"
        elif step.startswith("obj["):
            word = "getitem"
        else:
            symbol = step.split(" ")[1]
            word = ("i" if symbol.endswith("=") and symbol != "==" else "") + WORDS.get(
                symbol.rstrip("=") if symbol not in ("==", "<=", ">=") else symbol, "op"
            )
        if not words or words[-1] != word:
            words.append(word)
    return words


def _step_lines(step: str, value: dict | None, at: int, checks: list) -> list[str]:
    """A step that changes the object, as it is; one with a value, asserted."""
    text = value.get("literal") if value else None
    if value is None or text == "None":
        return [step]
    shown = f"({step})" if " " in step else step
    if text in ("True", "False"):
        checks.append(f"{step} is {text}")
        if " in obj" in step:
            return [f"assert {step if text == 'True' else step.replace(' in obj', ' not in obj')}"]
        return [f"assert {shown} is {text}"]
    if text is not None:
        checks.append(f"{step} == {_short(text)}")
        return [f"assert {shown} == {text}"]
    result = f"result_{at}"
    out = [f"{result} = {step}", f"assert type({result}).__name__ == {value['type']!r}"]
    checks.append(f"{step} gives a {value['type']}")
    return out + _shown(value, result)


def _raises(step: str, error: dict, module: str, imports: list, checks: list) -> list[str]:
    kind, more = _type_name(error["type"], error["module"], module)
    imports += [*more, "import pytest"]
    checks.append(f"{step.splitlines()[0]} raises {error['type']}")
    inner = "\n".join("    " + line for line in step.split("\n"))
    return [f"with pytest.raises({kind or 'Exception'}):", inner]


def _object_checks(observed: dict, checks: list) -> list[str]:
    out = []
    if "len" in observed:
        out.append(f"assert len(obj) == {observed['len']}")
    if "items" in observed:
        out.append(f"assert list(obj) == {observed['items']}")
    out += [f"assert obj.{k} == {v}" for k, v in list((observed.get("state") or {}).items())[:6]]
    if out:
        checks.append("the object's state after the calls")
    return out


def asserts_anything(source: str) -> bool:
    """Whether a test's source asserts something: an assert statement, pytest.raises,
    or a unittest assert method."""
    return bool(re.search(r"^\s*assert\b|pytest\.raises\(|self\.assert\w+\(", source, re.M))


def _asserts_behaviour(line: str) -> bool:
    """An assert on a value, an exception or a state (not only on a type)."""
    line = line.strip()
    if line.startswith("with pytest.raises("):
        return True
    type_only = "isinstance(" in line or "type(result).__name__" in line
    return line.startswith("assert ") and not type_only


def _importable(focal: Focal) -> str:
    return focal.owner or focal.qualname


def collected_by_pytest(name: str) -> bool:
    """Whether pytest would collect a name imported into a test file as a test of its
    own (by its default patterns: functions test*, classes Test*): such a name of the
    module (sndhdr's `test_au(h, f)`, a detector) is reached through the module instead."""
    return name.startswith(("test", "Test"))


def _as_named(focal: Focal, module: str) -> Focal:
    """`focal` as a test's code names it: unchanged, or behind the module's name
    (`sndhdr.test_au`) when its top-level name is one pytest would collect."""
    top = focal.qualname.split(".")[0]
    if not collected_by_pytest(top):
        return focal
    return replace(focal, qualname=f"{module.rpartition('.')[2]}.{focal.qualname}")


def _arrange(call: Call, focal: Focal, record: dict) -> list[str]:
    """The setup lines: mutable arguments bound to names, the object for a method."""
    names, ordered = _param_names(call, focal), _ordered(call.args)
    lines = [f"{names[i]} = {ordered[i][1]}" for i in _bound(call, record)]
    if call.instance is not None:
        lines.append(f"obj = {call.instance}  # an instance of {focal.owner}")
    elif focal.kind in ("method", "property"):
        lines.append(f"obj = {focal.owner}({_arguments(call.ctor)})")
    return lines


def _ordered(args: Args) -> list[tuple[str | None, str]]:
    """Arguments in the order the search's probe numbers them: positional, then keyword."""
    return [a for a in args if a[0] is None] + [a for a in args if a[0] is not None]


def _param_names(call: Call, focal: Focal) -> list[str]:
    positional = [p.name for p in focal.params if p.how != "keyword"]
    names, i = [], 0
    for keyword_name, _ in _ordered(call.args):
        if keyword_name is None:
            names.append(positional[i] if i < len(positional) else f"arg{i}")
            i += 1
        else:
            names.append(keyword_name)
    return [_safe(n) for n in names]


def _safe(name: str) -> str:
    taken = (
        keyword.iskeyword(name) or name in ("obj", "result", "pytest") or hasattr(builtins, name)
    )
    return name + "_" if taken else name


def _bound(call: Call, record: dict) -> list[int]:
    """The indexes (in `_ordered` order) of the mutable arguments the call changed: they
    are bound to names before it and asserted on after it."""
    ordered = _ordered(call.args)
    changed = {i for i, _ in record.get("mutated", ())}
    return [i for i in sorted(changed) if ordered[i][1].startswith(MUTABLE)]


def _arguments(args: Args, bound: dict[int, str] | None = None) -> str:
    bound = bound or {}
    parts = []
    for i, (keyword_name, source) in enumerate(_ordered(args)):
        value = bound.get(i, source)
        parts.append(value if keyword_name is None else f"{keyword_name}={value}")
    return ", ".join(parts)


def _invocation(call: Call, focal: Focal, record: dict | None = None) -> str:
    bound: dict[int, str] = {}
    if record is not None:
        names = _param_names(call, focal)
        bound = {i: names[i] for i in _bound(call, record)}
    args = _arguments(call.args, bound)
    if focal.kind == "function":
        return f"{focal.qualname}({args})"
    if focal.kind == "constructor":
        return f"{focal.owner}({args})"
    if focal.kind == "static":
        return f"{focal.qualname}({args})"
    if call.instance is not None:  # through the class: obj's own type may override it
        if focal.kind == "property":
            return f"{focal.qualname}.fget(obj)"
        return f"{focal.qualname}({', '.join(['obj', *filter(None, [args])])})"
    if focal.kind == "property":
        return f"obj.{focal.name}"
    return f"obj.{focal.name}({args})"


def _returned(
    call: Call, focal: Focal, record: dict, stable: bool, module: str, imports: list, checks: list
) -> list[str]:
    invocation = _invocation(call, focal, record)
    if focal.kind == "constructor":
        return [f"obj = {invocation}"]
    value = record.get("value") or {}
    if not stable:
        checks.append("runs without raising (its value changes between runs)")
        return [invocation]
    if value.get("literal") == "None":
        checks.append("returns None")
        return [f"assert {invocation} is None"]
    lines = [f"result = {invocation}"]
    lines += _value_checks(value, module, imports, checks)
    return lines


def _value_checks(value: dict, module: str, imports: list, checks: list) -> list[str]:
    text = value.get("literal")
    if text in ("True", "False"):
        checks.append(f"returns {text}")
        return [f"assert result is {text}"]
    if text is not None:
        checks.append(f"returns {_short(text)}")
        return [f"assert result == {text}"]
    kind, more = _type_name(value["type"], value["module"], module)
    imports += more
    if kind:
        out = [f"assert isinstance(result, {kind})"]
    else:
        out = [f"assert type(result).__name__ == {value['type']!r}"]
    checks.append(f"returns a {value['type']}")
    return out + _shown(value)


def _shown(value: dict, name: str = "result") -> list[str]:
    """Asserts on what a value without a literal shows: its size, items, truth value,
    repr, and (at most 5) public attributes."""
    out = [f"assert len({name}) == {value['len']}"] if "len" in value else []
    if "items" in value:
        out.append(f"assert list({name}) == {value['items']}")
    if "bool" in value:
        out.append(f"assert bool({name}) is {value['bool']}")
    if "repr" in value:
        out.append(f"assert repr({name}) == {value['repr']!r}")
    attrs = list((value.get("attrs") or {}).items())[:5]
    return out + [f"assert {name}.{attr} == {shown}" for attr, shown in attrs]


def _type_name(qualname: str, owner: str, module: str) -> tuple[str, list[str]]:
    """How a test names a type, and the import it needs: a builtin, a public name of
    the focal module or of another (`package.Name`); '' for a type without a public
    name (a private class, one made in a function): a test asserts on its behaviour."""
    if owner == "builtins":
        return qualname, []
    parts = [*owner.split("."), *qualname.split(".")]
    if "<" in qualname or any(part.startswith("_") for part in parts):
        return "", []
    if owner == module:
        return qualname, [f"from {module} import {qualname.split('.')[0]}"]
    return f"{owner}.{qualname}", [f"import {owner}"]


def _changes(call: Call, focal: Focal, record: dict, stable: bool) -> list[str]:
    if not stable:
        return []
    names = _param_names(call, focal)
    after = dict(record.get("mutated", ()))
    out = [f"assert {names[i]} == {after[i]}" for i in _bound(call, record)]
    for attr, value in (record.get("state") or {}).items():
        if focal.kind != "property":
            out.append(f"assert obj.{attr} == {value}")
    return out[:8]


def _change_checks(call: Call, focal: Focal, record: dict, stable: bool) -> list[str]:
    if not stable:
        return []
    names = _param_names(call, focal)
    out = [f"changes {names[i]}" for i, _ in record.get("mutated", ())]
    if record.get("state") and focal.kind != "property":
        out.append("sets " + ", ".join(list(record["state"])[:3]))
    return out


def _short(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _name(focal: Focal, record: dict, checks: Sequence[str]) -> str:
    """test_<focal>_<what it checks>: `test_translate_returns_str`."""
    subject = focal.qualname.replace(".__init__", "").replace(".", "_")
    what = checks[0] if checks and not checks[0].startswith("runs") else "runs"
    value = record.get("value") or {}
    if what.startswith("returns ") and value.get("literal") not in (None, "True", "False", "None"):
        what = "returns_" + _kind_word(value)
    return "test_" + _snake(subject) + "_" + _snake(what)


def _kind_word(value: dict) -> str:
    """`odd` for 'odd', `10` for 10, `minus_1` for -1, else `empty_list`, `list`, ..."""
    text = value.get("literal") or ""
    bare = text.strip("'\"")
    if text[:1] in "'\"" and re.fullmatch(r"[A-Za-z][A-Za-z0-9_ ]{0,15}", bare):
        return bare
    if re.fullmatch(r"-?\d{1,6}(\.\d{1,3})?", text):
        return text.replace("-", "minus_").replace(".", "_")
    empty = text in ("''", 'b""', "b''", "[]", "()", "{}", "set()")
    return ("empty_" if empty else "") + value["type"].lower()


def _snake(text: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "case"


def unique_names(tests: Iterable[GeneratedTest]) -> list[GeneratedTest]:
    """The tests with names made unique (`_2`, `_3`, ... after the first)."""
    seen: dict[str, int] = {}
    out = []
    for test in tests:
        count = seen.get(test.name, 0) + 1
        seen[test.name] = count
        if count == 1:
            out.append(test)
            continue
        name = f"{test.name}_{count}"
        source = test.source.replace(f"def {test.name}(", f"def {name}(", 1)
        out.append(replace(test, name=name, source=source))
    return out


def suite_file(module: str, tests: Sequence[GeneratedTest], path_setup: str = "") -> str:
    """The whole pytest file: the header, the imports the tests need, the tests."""
    imports = sorted({line for t in tests for line in t.imports})
    names = sorted({n for t in tests for n in t.names})
    star = any(t.origin is Origin.MODEL for t in tests)
    head = [HEADER.format(module=module), *([path_setup] if path_setup else [])]
    head += imports
    if names:
        head.append(f"from {module} import {', '.join(names)}")
    if star:
        head.append(f"from {module} import *  # noqa: F403 (the model's tests use its names)")
        head.append(_module_import(module))
    body = "\n\n\n".join(t.source.rstrip("\n") for t in tests)
    return "\n".join(head) + "\n\n\n" + body + "\n"


def _module_import(module: str) -> str:
    package, _, name = module.rpartition(".")
    return f"from {package} import {name}" if package else f"import {module}"


def path_setup(out: Path, root: Path, importable: bool = False) -> str:
    """Lines that put `root` (the folder the module is imported from) on sys.path, for a
    file written below it, relative to the file itself so the project can move; "" when
    the project's own configuration makes the module `importable` (pytest's pythonpath,
    a conftest.py at the root, an installed copy), when the file sits in `root`, or when
    it lies outside `root` (never an absolute path)."""
    folder, root = out.resolve().parent, root.resolve()
    if importable or folder == root or not folder.is_relative_to(root):
        return ""
    depth = len(folder.relative_to(root).parts)
    return (
        "import sys\nfrom pathlib import Path\n\n"
        f"sys.path.insert(0, str(Path(__file__).resolve().parents[{depth}]))"
        "  # the folder the module is imported from\n"
    )

"""The search's plan: the focal functions of a module and the calls to try on each.

Pure functions of source text. For each parameter a pool of argument expressions is
built from (in this order) its default value, the arguments of calls to it in the
module's docstrings (doctests) and elsewhere in the project, the constants the body
compares it with (and their neighbours), its type hint, its name, and a generic
pool. Calls are the doctest and call-site argument lists, then one base call, then
each parameter varied alone over its pool, then seeded random mixes, up to a limit.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from codeintel.errors import UnknownFunctionError
from codeintel.tasks.synthesize import doctests
from parsers.text import python_ast

Args = tuple[tuple[str | None, str], ...]  # (keyword or None, argument source) per argument

GENERIC = ("0", "1", "-1", "''", "'abc'", "[]", "[1, 2]", "None", "True", "2.5", "{'a': 1}")
OTHER_TYPES = ("b'abc'", "'abc'", "0", "[1, 2]", "None")
BY_TYPE: dict[str, tuple[str, ...]] = {
    "bool": ("True", "False"),
    "int": ("0", "1", "-1", "2", "10"),
    "float": ("0.0", "1.5", "-2.0"),
    "str": ("''", "'a'", "'abc'", "'Hello, World!'", "' x y '"),
    "bytes": ("b''", "b'abc'", "b'\\x00\\xff'"),
    "list": ("[]", "[1, 2, 3]", "['a', 'b']"),
    "tuple": ("()", "(1, 2)"),
    "dict": ("{}", "{'a': 1, 'b': 2}"),
    "set": ("set()", "{1, 2}"),
    "callable": ("len", "str", "lambda *args, **kwargs: None"),
    "None": ("None",),
}
CALLABLE_SIDES = ("lambda: [1, 2]", "len")  # for a `callable(x)` test: a factory, a builtin
COLLECTIONS = ("list", "tuple", "dict", "set")
# values that may be instances of a class no constructor call makes (an abstract base
# class with registered builtins, like numbers.Real): the probe keeps those that are
INSTANCE_CANDIDATES = (
    "2",
    "2.5",
    "1j",
    "'abc'",
    "b'abc'",
    "[1, 2]",
    "(1, 2)",
    "{'a': 1}",
    "{1, 2}",
    "frozenset({1})",
    "range(3)",
    "iter([1, 2])",
    "True",
    "None",
)
ALIASES = {
    "Sequence": "list",
    "Iterable": "list",
    "List": "list",
    "Collection": "list",
    "Mapping": "dict",
    "Dict": "dict",
    "MutableMapping": "dict",
    "Tuple": "tuple",
    "Set": "set",
    "FrozenSet": "set",
    "AnyStr": "str",
    "bytearray": "bytes",
    "PathLike": "str",
    "complex": "float",
    "Callable": "callable",
}
NAME_HINTS = {
    "int": {
        "n",
        "i",
        "j",
        "k",
        "num",
        "count",
        "size",
        "index",
        "width",
        "level",
        "limit",
        "depth",
        "length",
        "number",
        "start",
        "stop",
        "end",
        "step",
        "pos",
        "offset",
    },
    "str": {
        "s",
        "text",
        "string",
        "name",
        "pattern",
        "pat",
        "prefix",
        "suffix",
        "sep",
        "path",
        "filename",
        "file",
        "key",
        "word",
        "line",
        "fmt",
        "mode",
        "value",
        "msg",
        "label",
    },
    "list": {"items", "seq", "values", "lst", "elements", "iterable", "names", "xs", "array"},
    "bytes": {"data", "buf", "buffer", "h", "header", "raw", "payload", "blob"},
    "dict": {"d", "mapping", "kwargs", "options", "headers", "params", "table"},
    "callable": {
        "func",
        "function",
        "fn",
        "callback",
        "action",
        "handler",
        "predicate",
        "factory",
        "default_factory",
        "hook",
    },
}


@dataclass(frozen=True)
class Param:
    name: str
    how: str  # "positional" (positional-only), "either", or "keyword" (keyword-only)
    default: str | None  # the default's source, or None when required
    annotation: str | None


@dataclass(frozen=True)
class Focal:
    """One focal function or method, and what the search knows of its arguments."""

    qualname: str  # "f", "Cls.method", "Cls.__init__" for the constructor
    kind: str  # function | method | constructor | property | static
    line: int
    end_line: int
    params: tuple[Param, ...]
    hints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # param -> values
    literals: tuple[str, ...] = ()  # constants of the body
    constants: tuple[str, ...] = ()  # the module's string constants (`module_literals`)
    examples: tuple[Args, ...] = ()  # argument lists from doctests and call sites

    @property
    def owner(self) -> str | None:
        return self.qualname.rpartition(".")[0] or None

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]


@dataclass(frozen=True)
class Call:
    id: int
    focal: str
    kind: str
    target: str
    args: Args
    ctor: Args = ()
    # for a method of a class no constructor call could make (an abstract base class):
    # an expression whose value is an instance of it (one of INSTANCE_CANDIDATES, a
    # builtin registered as a virtual subclass), on which the method is called through
    # the class
    instance: str | None = None
    # a sequence (kind "sequence"): the steps on `obj` (built from `ctor`), in order, and
    # the arguments of a second object, `other`, the operators take
    steps: tuple[str, ...] = ()
    other: Args = ()

    def to_spec(self) -> dict:
        args, ctor = [list(a) for a in self.args], [list(a) for a in self.ctor]
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "args": args,
            "ctor": ctor,
            "instance": self.instance,
        }


# --- focal functions ------------------------------------------------------------------


def focal_functions(tree: ast.Module, only: str | None = None) -> list[Focal]:
    """Public functions, and public classes' constructors and public methods, in order;
    `only` picks one by name or qualified name (UnknownFunctionError if absent)."""
    found: list[Focal] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and _public(node.name):  # not async ones
            found.append(_focal(node, node.name, "function", tree))
        elif isinstance(node, ast.ClassDef) and _public(node.name) and not _is_exception(node):
            found += _class_focals(node, tree)
    if only is None:
        return found
    chosen = [f for f in found if only in (f.qualname, f.name)]
    if not chosen:
        known = ", ".join(f.qualname for f in found) or "none"
        raise UnknownFunctionError(f"no public function or method {only!r}; known: {known}")
    return chosen[:1] if only in (f.name for f in chosen) else chosen


def _is_exception(node: ast.ClassDef) -> bool:
    """An exception class (by its bases' names): tested where it is raised, not alone."""
    names = [ast.unparse(b).rpartition(".")[2] for b in node.bases]
    return any(n.endswith(("Error", "Exception", "Warning")) or n == "BaseException" for n in names)


def _public(name: str) -> bool:
    return not name.startswith("_")


def _class_focals(node: ast.ClassDef, tree: ast.Module) -> list[Focal]:
    methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    init = next((m for m in methods if m.name == "__init__"), None)
    if init is not None:
        out = [_focal(init, f"{node.name}.__init__", "constructor", tree)]
    else:
        out = [Focal(f"{node.name}.__init__", "constructor", node.lineno, node.lineno, ())]
    for method in methods:
        if _public(method.name) and isinstance(method, ast.FunctionDef):
            out.append(_focal(method, f"{node.name}.{method.name}", _method_kind(method), tree))
    return out


def _method_kind(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    names = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
    if "property" in names:
        return "property"
    if names & {"staticmethod", "classmethod"}:
        return "static"
    return "method"


def _focal(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, kind: str, tree) -> Focal:
    params = parameters(node, drop_first=kind in ("method", "constructor", "property"))
    params = params if kind != "static" or not _is_classmethod(node) else params[1:]
    return Focal(
        qualname=qualname,
        kind=kind,
        line=node.lineno,
        end_line=node.end_lineno or node.lineno,
        params=params,
        hints=compared_constants(node, {p.name for p in params}),
        literals=body_literals(node),
        examples=tuple(doctest_calls(tree, qualname.rpartition(".")[2])),
        constants=module_literals(tree),
    )


def _is_classmethod(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "classmethod" for d in node.decorator_list)


def parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, drop_first: bool) -> tuple:
    a = node.args
    positional = [*a.posonlyargs, *a.args]
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    out = [
        Param(
            p.arg,
            "either" if i >= len(a.posonlyargs) else "positional",
            _source(d),
            _source(p.annotation),
        )
        for i, (p, d) in enumerate(zip(positional, defaults, strict=True))
    ]
    out += [
        Param(p.arg, "keyword", _source(d), _source(p.annotation))
        for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)
    ]
    return tuple(out[1:] if drop_first and positional else out)


def _source(node: ast.AST | None) -> str | None:
    return ast.unparse(node) if node is not None else None


# --- what the body and the docstrings say about arguments -----------------------------


def compared_constants(node: ast.AST, names: set[str]) -> dict[str, tuple[str, ...]]:
    """Per parameter, constants the body compares it with (`x == 3`, `x in ('a', 'b')`,
    `x.startswith(b'GIF')`, `x[:4] == b'RIFF'`), with neighbours of numbers and
    padded versions of prefixes, so that both sides of each test are reached."""
    found: dict[str, list[str]] = {}
    for sub in ast.walk(node):
        for name, constant, prefix in _comparisons(sub, names):
            found.setdefault(name, []).extend(_around(constant, prefix))
        for name, sources in _type_tests(sub, names):
            found.setdefault(name, []).extend(sources)
    return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}


def _type_tests(node: ast.AST, names: set[str]) -> Iterable[tuple[str, tuple[str, ...]]]:
    """Values for both sides of a type test on a parameter: a callable for
    `callable(x)`; for `isinstance(x, list)` (or Sequence, Mapping, ...) values of that
    type and an iterator, which is of none of them."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
        return
    name, sliced = _subject(node.args[0], names)
    if name is None or sliced or node.func.id not in ("callable", "isinstance"):
        return
    if node.func.id == "callable":
        yield name, CALLABLE_SIDES
        return
    types = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else node.args[1:2]
    for kind in type_names(",".join(ast.unparse(t).rpartition(".")[2] for t in types)):
        yield name, (*BY_TYPE[kind][1:3], *(("iter([1, 2])",) if kind in COLLECTIONS else ()))


def _subject(node: ast.AST, names: set[str]) -> tuple[str | None, bool]:
    """The parameter a comparison is about, and whether it looks at a slice of it."""
    if isinstance(node, ast.Name) and node.id in names:
        return node.id, False
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return (node.value.id, True) if node.value.id in names else (None, False)
    return None, False


def _comparisons(node: ast.AST, names: set[str]) -> Iterable[tuple[str, object, bool]]:
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = node.left, node.comparators[0]
        for a, b in ((left, right), (right, left)):
            name, sliced = _subject(a, names)
            if name is not None:
                for constant in _constants(b):
                    yield name, constant, sliced
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        name, _ = _subject(node.func.value, names)
        if name is not None and node.func.attr in ("startswith", "endswith") and node.args:
            for constant in _constants(node.args[0]):
                yield name, constant, True


def _constants(node: ast.AST) -> list[object]:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return []


def _around(value: object, prefix: bool) -> list[str]:
    if isinstance(value, bool) or value is None:
        return [repr(value)]
    if isinstance(value, int):
        return [repr(value - 1), repr(value), repr(value + 1)]
    if isinstance(value, (str, bytes)) and prefix:
        pad = value[:0] + (b"\0" if isinstance(value, bytes) else " ")  # type: ignore[operator]
        return [repr(value), repr(value + pad * 32), repr(pad * 8 + value)]  # type: ignore[operator]
    return [repr(value)] if isinstance(value, (str, bytes, float)) else []


def body_literals(node: ast.AST, limit: int = 16) -> tuple[str, ...]:
    """Short str, bytes and number constants of the body (at most `limit`): those a
    comparison or a prefix test looks at first (`c == '['`, `x in ('-', '+')`,
    `s.startswith('#')`, whatever is compared: a character of a parameter, a local),
    in the order of the source, then the rest."""
    compared = [c for sub in ast.walk(node) for c in _compared(sub)]
    compared.sort(key=lambda c: (c.lineno, c.col_offset))
    out: list[str] = []
    for sub in [*compared, *ast.walk(node)]:
        value = sub.value if isinstance(sub, ast.Constant) else None
        if isinstance(value, (str, bytes, int, float)) and not isinstance(value, bool):
            text = repr(value)
            if len(text) <= 40 and text not in out and not _is_docstring_text(node, sub):
                out.append(text)
    return tuple(out[:limit])


def _compared(node: ast.AST) -> list[ast.AST]:
    """The constant operands of a comparison or of a startswith/endswith test."""
    if isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
    elif isinstance(node, ast.Call) and _called_name(node.func) in ("startswith", "endswith"):
        sides = node.args[:1]
    else:
        return []
    found: list[ast.AST] = []
    for side in sides:  # a constant, or the constants of a tuple, list or set
        found += [side] if isinstance(side, ast.Constant) else getattr(side, "elts", [])
    return found


def module_literals(tree: ast.Module, limit: int = 8) -> tuple[str, ...]:
    """Short str and bytes constants the module binds to names at its top level
    (`FAVORITE_HASH = "sha256"`, `STRONG = ["sha256", "sha384"]`), first seen first:
    values the code under test was written for."""
    out: list[str] = []
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        targets = getattr(node, "targets", [getattr(node, "target", None)])
        if any(isinstance(t, ast.Name) and t.id.startswith("__") for t in targets):
            continue  # `__all__`, `__version__`: names and versions, not data
        items = getattr(value, "elts", [value])
        for item in items:
            found = item.value if isinstance(item, ast.Constant) else None
            if isinstance(found, (str, bytes)) and 0 < len(found) <= 40:
                out.append(repr(found))
    return tuple(dict.fromkeys(out))[:limit]


def _is_docstring_text(function: ast.AST, constant: ast.AST) -> bool:
    body = getattr(function, "body", [])
    first = body[0] if body else None
    return isinstance(first, ast.Expr) and first.value is constant


def doctest_calls(tree: ast.Module, name: str) -> list[Args]:
    """Literal argument lists of calls to `name` in the module's `>>>` examples."""
    out: list[Args] = []
    for node in ast.walk(tree):
        doc = _docstring(node)
        for source, _ in doctests(doc.splitlines()) if doc else ():
            out += literal_calls(source, name)
    return out


def _docstring(node: ast.AST) -> str | None:
    if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return ast.get_docstring(node)
    return None


def literal_calls(source: str, name: str, builders: Collection[str] = ()) -> list[Args]:
    """Argument lists of the calls to `name` (or `x.name`) in `source` whose arguments
    are all literals, or calls of `builders` on such arguments (`Link(1, [Link(2)])`
    with `builders={"Link"}`); [] when `source` does not parse."""
    tree = python_ast(source)
    if tree is None:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node.func) == name:
            args = literal_args(node, builders)
            if args is not None:
                out.append(args)
    return out


def _called_name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def literal_args(call: ast.Call, builders: Collection[str] = ()) -> Args | None:
    pairs: list[tuple[str | None, ast.AST]] = [(None, a) for a in call.args]
    pairs += [(k.arg, k.value) for k in call.keywords]
    if any(k is None and isinstance(v, ast.Starred) for k, v in pairs):
        return None
    if not all(_built(value, builders) for _, value in pairs):
        return None
    return tuple((keyword, ast.unparse(value)) for keyword, value in pairs)


def _built(node: ast.AST, builders: Collection[str]) -> bool:
    """A literal, or one made of literals and calls of `builders` on them."""
    if is_literal(node):
        return True
    if isinstance(node, ast.Call):
        parts = [*node.args, *(k.value for k in node.keywords)]
        named = isinstance(node.func, ast.Name) and node.func.id in builders
        return named and all(k.arg for k in node.keywords) and _all_built(parts, builders)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return _all_built(node.elts, builders)
    if isinstance(node, ast.Dict):
        keys = [k for k in node.keys if k is not None]
        return len(keys) == len(node.keys) and _all_built([*keys, *node.values], builders)
    return False


def _all_built(nodes: Sequence[ast.AST], builders: Collection[str]) -> bool:
    return all(not isinstance(n, ast.Starred) and _built(n, builders) for n in nodes)


def is_literal(node: ast.AST) -> bool:
    """Whether `ast.literal_eval` takes the expression."""
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def call_sites(sources: Mapping[str, str], focals: Sequence[Focal]) -> dict[str, list[Args]]:
    """Per focal name, literal argument lists of calls to it in the project's other files."""
    out: dict[str, list[Args]] = {}
    for text in sources.values():
        for focal in focals:
            if focal.kind != "constructor" and focal.name in text:
                out.setdefault(focal.qualname, []).extend(literal_calls(text, focal.name)[:10])
    return out


# --- literals that name the user's files ------------------------------------------------

PathCheck = Callable[[str], bool]  # does this text name an existing file or folder?


def names_path(source: str, exists: PathCheck) -> bool:
    """Whether an argument expression holds a string (or bytes) naming an existing path."""
    tree = python_ast(source, "eval")
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = (
                node.value.decode("utf-8", "replace")
                if isinstance(node.value, bytes)
                else node.value
            )
            if text and exists(text):
                return True
    return False


def without_paths(focal: Focal, exists: PathCheck) -> Focal:
    """`focal` with every literal that names an existing path dropped from its pools and
    examples, and each parameter whose default names one made required, so that no
    generated test names the user's files or runs with such a default."""

    def ok(source: str) -> bool:
        return not names_path(source, exists)

    params = tuple(
        replace(p, default=None) if p.default is not None and not ok(p.default) else p
        for p in focal.params
    )
    return replace(
        focal,
        params=params,
        hints={k: tuple(filter(ok, v)) for k, v in focal.hints.items()},
        literals=tuple(filter(ok, focal.literals)),
        constants=tuple(filter(ok, focal.constants)),
        examples=tuple(a for a in focal.examples if all(ok(src) for _, src in a)),
    )


def sites_without_paths(
    sites: Mapping[str, Sequence[Args]], exists: PathCheck
) -> dict[str, list[Args]]:
    """Call sites whose arguments name no existing path."""
    return {
        name: [a for a in found if not any(names_path(src, exists) for _, src in a)]
        for name, found in sites.items()
    }


# --- argument pools and calls ---------------------------------------------------------


def type_names(annotation: str | None) -> list[str]:
    """The BY_TYPE keys an annotation names, in order (`Optional[list[int]]` -> list, None)."""
    if not annotation:
        return []
    text = annotation.replace("typing.", "").replace("|", ",").replace("[", ",")
    words = [w.strip(" ]'\"") for w in text.split(",")]
    kinds = [ALIASES.get(w, w) for w in words]
    if "Optional" in words:
        kinds.append("None")
    return [k for k in dict.fromkeys(kinds) if k in BY_TYPE]


def pool(param: Param, focal: Focal) -> list[str]:
    """Argument expressions to try for one parameter, most likely useful first."""
    values = list(focal.hints.get(param.name, ()))
    strings = [v for v in (*focal.literals, *focal.constants) if v.startswith(("'", '"'))]
    values += annotated_values(param.annotation, strings)
    hinted = type_names(param.annotation) or _default_kinds(param)
    kinds = hinted or _name_kinds(param.name)
    for kind in kinds:
        values += BY_TYPE[kind]
    literal_kinds = {"str": (str,), "bytes": (bytes,), "int": (int,), "float": (float, int)}
    wanted = tuple(t for k in kinds for t in literal_kinds.get(k, ()))
    known = (*focal.literals, *focal.constants)  # the body's, then the module's
    values += [v for v in known if wanted and isinstance(ast.literal_eval(v), wanted)]
    if not kinds:
        values += [*focal.literals[:4], *GENERIC, *focal.constants[:4]]
    elif not hinted:
        values += OTHER_TYPES  # a name is a weak hint: other types too, last
    out = list(dict.fromkeys(values))
    return [v for v in out if v != param.default]


SCALARS = {"str": "'abc'", "AnyStr": "'abc'", "int": "1", "float": "1.5", "bool": "True",
           "bytes": "b'abc'"}  # fmt: skip
CONTAINERS = {"list": "[{}]", "List": "[{}]", "Sequence": "[{}]", "Iterable": "[{}]",
              "Collection": "[{}]", "set": "{{{}}}", "Set": "{{{}}}", "FrozenSet": "{{{}}}",
              "dict": "{{{}}}", "Dict": "{{{}}}", "Mapping": "{{{}}}",
              "MutableMapping": "{{{}}}", "tuple": "({},)", "Tuple": "({},)"}  # fmt: skip


def annotated_values(annotation: str | None, strings: Sequence[str] = ()) -> list[str]:
    """A value of a container annotation, built to its shape (`dict[str, list[str]]` ->
    `{'abc': ['abc']}`), once with 'abc' and once with each of (at most 2) `strings`
    (constants of the code: a hash name, a format) for its str parts; [] for a plain or
    an unknown annotation (the BY_TYPE pools cover those)."""
    tree = python_ast(annotation or "", "eval")
    if tree is None or not isinstance(tree.body, (ast.Subscript, ast.BinOp)):
        return []
    out = [_shaped(tree.body, text) for text in ["'abc'", *strings[:2]]]
    return [v for v in dict.fromkeys(out) if v is not None]


def _shaped(node: ast.AST, text: str, depth: int = 0) -> str | None:
    """Source of a value shaped like the annotation `node`, `text` for its strs."""
    if depth > 4:
        return None
    if isinstance(node, ast.BinOp):  # X | None
        sides = [n for n in (node.left, node.right) if ast.unparse(n) != "None"]
        return _shaped(sides[0], text, depth + 1) if sides else None
    if not isinstance(node, ast.Subscript):
        name = ast.unparse(node).rpartition(".")[2]
        return text if name in ("str", "AnyStr") else SCALARS.get(name)
    base = ast.unparse(node.value).rpartition(".")[2]
    inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    inner = [n for n in inner if not (isinstance(n, ast.Constant) and n.value is Ellipsis)]
    if base in ("Optional", "Union"):
        return next((v for n in inner if (v := _shaped(n, text, depth + 1))), None)
    parts = [_shaped(n, text, depth + 1) for n in inner]
    if base not in CONTAINERS or not parts or None in parts:
        return None
    if base in ("dict", "Dict", "Mapping", "MutableMapping"):
        return "{" + f"{parts[0]}: {parts[-1]}" + "}" if len(parts) == 2 else None
    if base in ("tuple", "Tuple") and len(parts) > 1:
        return "(" + ", ".join(parts) + ")"
    return CONTAINERS[base].format(", ".join(parts))


def _default_kinds(param: Param) -> list[str]:
    if param.default is None:
        return []
    try:
        value = ast.literal_eval(param.default)
    except (ValueError, SyntaxError, TypeError):
        return []
    if value is None:
        return []
    kind = type(value).__name__
    return [kind] if kind in BY_TYPE else []


def _name_kinds(name: str) -> list[str]:
    lowered = name.lower()
    if lowered.startswith(("is_", "has_", "use_", "allow")) or lowered in ("strict", "flag"):
        return ["bool"]
    return [kind for kind, names in NAME_HINTS.items() if lowered in names]


def argument_sets(focal: Focal, extra: Sequence[Args] = (), limit: int = 40, seed: int = 0):
    """The argument lists to try, deduplicated, at most `limit`: examples first, then a
    base call, each parameter varied alone, then random mixes."""
    pools = {p.name: pool(p, focal) for p in focal.params}
    required = [p for p in focal.params if p.default is None]
    base = {p.name: (pools[p.name] or ["None"])[0] for p in required}
    out: list[Args] = [*focal.examples, *extra, _args(focal, base)]
    for param in focal.params:
        for value in pools[param.name]:
            out.append(_args(focal, {**base, param.name: value}))
    rng = random.Random(seed)
    for _ in range(limit * 2):
        if not focal.params:
            break
        mix = {p.name: rng.choice(pools[p.name] or ["None"]) for p in required}
        optional = [p for p in focal.params if p.default is not None and pools[p.name]]
        for p in rng.sample(optional, k=min(len(optional), rng.randint(0, 2))):
            mix[p.name] = rng.choice(pools[p.name])
        out.append(_args(focal, mix))
    return list(dict.fromkeys(out))[:limit]


def _args(focal: Focal, chosen: Mapping[str, str]) -> Args:
    """Required parameters by position (keyword-only ones by keyword), optional ones by
    keyword; an optional positional-only one is passed with every one before it."""
    out: list[tuple[str | None, str]] = []
    for i, param in enumerate(focal.params):
        if param.name in chosen:
            optional = param.default is not None and param.how == "either"
            keyword = param.how == "keyword" or optional
            out.append((param.name if keyword else None, chosen[param.name]))
        elif param.how == "positional" and any(p.name in chosen for p in focal.params[i + 1 :]):
            out.append((None, param.default or "None"))
    return tuple(out)


def plan_calls(
    focals: Sequence[Focal],
    ctors: Mapping[str, Sequence[Args]],
    sites: Mapping[str, Sequence[Args]],
    limit: int = 40,
    start: int = 0,
    instances: Mapping[str, Sequence[str]] | None = None,
) -> list[Call]:
    """Calls for every focal; methods are made on objects built from `ctors[class]`, or,
    for a class without a working constructor, called through the class on the values
    of `instances[class]` (classes with neither get no method calls)."""
    calls: list[Call] = []
    instances = instances or {}
    for focal in focals:
        if focal.kind == "constructor":
            continue
        sets = argument_sets(focal, sites.get(focal.qualname, ()), limit)
        if focal.kind == "property":
            sets = [()]
        owner = focal.owner or ""
        needs_object = focal.kind in ("method", "property")
        if needs_object and owner not in ctors and not instances.get(owner):
            continue
        objects = _objects(focal, ctors.get(owner, ()), instances.get(owner, ()))
        for i, args in enumerate(sets):
            ctor, instance = objects[i % len(objects)]
            number = start + len(calls)
            calls.append(
                Call(number, focal.qualname, focal.kind, focal.qualname, args, ctor, instance)
            )
    return calls


def _objects(
    focal: Focal, ctors: Sequence[Args], instances: Sequence[str]
) -> list[tuple[Args, str | None]]:
    """(constructor arguments, instance expression) pairs to make a method's object."""
    if focal.kind not in ("method", "property"):
        return [((), None)]
    if ctors:
        return [(ctor, None) for ctor in ctors]
    return [((), instance) for instance in instances]


def instance_owners(focals: Sequence[Focal]) -> list[str]:
    """The classes whose methods or properties are focal: those the probe looks for
    instances of among INSTANCE_CANDIDATES, in case their constructor fails."""
    return list(
        dict.fromkeys(f.owner for f in focals if f.owner and f.kind in ("method", "property"))
    )


def constructor_calls(focals: Sequence[Focal], limit: int = 12, start: int = 0) -> list[Call]:
    """The first phase: each class's constructor over its argument sets."""
    calls: list[Call] = []
    for focal in focals:
        if focal.kind == "constructor":
            for args in argument_sets(focal, (), limit):
                calls.append(
                    Call(start + len(calls), focal.qualname, "constructor", focal.qualname, args)
                )
    return calls


def explore_targets(
    focals: Sequence[Focal], ctors: Mapping[str, Sequence[Args]], kinds: Collection[str]
) -> list[dict]:
    """What the probe's random search draws from, for each focal of `kinds`: the
    parameters, their pools, the body's constants, and objects' constructor arguments
    (methods of classes without a working constructor are left out)."""
    out = []
    for focal in focals:
        needs_object = focal.kind in ("method", "property")
        if (
            focal.kind not in kinds
            or (needs_object and focal.owner not in ctors)
            or not focal.params
        ):
            continue
        owner_ctors = ctors.get(focal.owner or "", ())
        out.append({**_draws(focal), "ctors": [[list(a) for a in args] for args in owner_ctors]})
    return out


def _draws(focal: Focal) -> dict:
    """What the probe draws a call of `focal` from: its parameters, their pools, the
    body's constants."""
    return {
        "focal": focal.qualname,
        "name": focal.name,
        "kind": focal.kind,
        "target": focal.qualname,
        "params": [[p.name, p.how, p.default is not None] for p in focal.params],
        "pools": {p.name: pool(p, focal) for p in focal.params},
        "literals": [*focal.literals, *focal.constants],
    }


def sequence_targets(focals: Sequence[Focal], ctors: Mapping[str, Sequence[Args]]) -> list[dict]:
    """What the probe's search over call sequences draws from, per class whose
    constructor worked: its constructor argument lists, and its focal methods and
    properties with their parameters and pools (as `explore_targets` gives them)."""
    out = []
    for owner, found in ctors.items():
        methods = [f for f in focals if f.owner == owner and f.kind in ("method", "property")]
        out.append(
            {
                "owner": owner,
                "ctors": [[list(a) for a in args] for args in found],
                "methods": [_draws(f) for f in methods],
            }
        )
    return out

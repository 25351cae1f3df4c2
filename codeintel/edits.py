"""Single-edit mutation operators over one Python function's source. Pure: no I/O.

The same operators serve two purposes:

- training (DeepDebug): applied to a correct function, each mutant is a
  synthetic bug whose fix is the original;
- repair: applied to a buggy function, the mutants are deterministic
  candidate fixes, because the operator families are symmetric: a mutant made
  by an *invertible* mutation can be turned back into its input by another
  mutation of the same family (`x < y` <-> `x <= y`, `i` <-> `i+1`,
  `if c` <-> `if not c`, ...).

Every edit is an exact byte splice found on the tree-sitter CST: all other
bytes, indentation and comments included, are kept. Only mutants that still
parse (tree-sitter without ERROR/MISSING nodes, and `ast.parse`) and differ
from the input are produced. The order is deterministic: operator families
in `Operator` order, edit sites in source order; duplicates (the same
resulting source) keep their first occurrence.

`Mutation.invertible` is per mutation: True when `mutations(m.source)`
contains the input again (up to the whitespace of an inserted `+1`/`not`).
`repair_candidates` keeps only those.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

import tree_sitter

from codeintel.errors import InputError
from parsers.scopes import Language
from parsers.syntax import get_parser
from parsers.text import is_indented, parses


class SourceSyntaxError(InputError, ValueError):
    """The function source given to the mutation operators does not parse."""


class Operator(str, enum.Enum):
    """Mutation families, in the order `mutations` applies them."""

    COMPARISON = "comparison"  # < <= > >= == != ; is <-> is not ; in <-> not in
    ARITHMETIC = "arithmetic"  # + <-> -, * <-> /, / <-> //, // <-> %, & <-> |, << <-> >>
    BOOLEAN = "boolean"  # and <-> or
    AUGMENTED = "augmented_assignment"  # += <-> -=, ..., and x += y <-> x = y
    OFF_BY_ONE = "off_by_one"  # integer constant n -> n+1, n-1
    BOUND = "off_by_one_bound"  # slice bound / index / range argument e -> e+1, e-1; e+1 -> e
    SWAP_ARGS = "swap_arguments"  # f(a, b) -> f(b, a)
    WRONG_VARIABLE = "wrong_variable"  # a use of local x -> another local y
    NEGATE = "negate_condition"  # if c <-> if not c (conditions and and/or operands)
    WRONG_RETURN = "wrong_return"  # return x -> return None / another local
    WRONG_METHOD = "wrong_method"  # append <-> extend, min <-> max, x.sort() <-> sorted(x), ...
    CONSTANT = "constant"  # True <-> False, 0 <-> 1
    DROP_STATEMENT = "drop_statement"  # delete one simple statement (not invertible)


@dataclass(frozen=True)
class Mutation:
    operator: Operator
    line: int  # 1-based line within the given source where the edit starts
    before: str  # the original snippet
    after: str  # its replacement
    source: str  # the whole mutated function source
    invertible: bool  # mutations(source) can give the input back


def mutations(source: str, *, operators: Collection[Operator] | None = None) -> Iterator[Mutation]:
    """Every single-edit mutant of `source`, deterministic, deduplicated by source.

    Raises `SourceSyntaxError` if `source` itself does not parse.
    """
    tree = _Tree.build(source)
    seen = {source}
    chosen = [op for op in Operator if operators is None or op in operators]
    for op in chosen:
        for edit in _FAMILIES[op](tree):
            mutation = _apply(tree, op, edit)
            if mutation is not None and mutation.source not in seen:
                seen.add(mutation.source)
                yield mutation


def repair_candidates(source: str) -> Iterator[Mutation]:
    """Candidate fixes of a buggy function: its invertible mutations."""
    return (m for m in mutations(source) if m.invertible)


# --- parsing ---------------------------------------------------------------------------

Node = tree_sitter.Node
_WRAPPER = b"if 1:\n"  # lets an indented method parse with its indentation kept


def _preorder(root: Node) -> tuple[Node, ...]:
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return tuple(out)


@dataclass(frozen=True)
class _Edit:
    start: int  # byte offsets in the (wrapped) source
    end: int
    text: str
    invertible: bool = True


@dataclass(frozen=True)
class _Tree:
    data: bytes  # the source, wrapped when indented
    prefix: int  # bytes of the wrapper
    nodes: tuple[Node, ...]  # every node, preorder
    local_names: tuple[str, ...]  # parameters and assigned names of the function

    @classmethod
    def build(cls, source: str) -> _Tree:
        prefix = _WRAPPER if is_indented(source) else b""
        data = prefix + source.encode("utf-8")
        root = get_parser(Language.PYTHON).parse(data).root_node
        if root.has_error or not parses(source):
            raise SourceSyntaxError("the function source does not parse as Python")
        nodes = _preorder(root)
        return cls(data=data, prefix=len(prefix), nodes=nodes, local_names=_local_names(nodes))

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8")

    def of_type(self, *types: str) -> Iterator[Node]:
        return (n for n in self.nodes if n.type in types)


def _apply(tree: _Tree, op: Operator, edit: _Edit) -> Mutation | None:
    new = edit.text.encode("utf-8")
    data = tree.data[: edit.start] + new + tree.data[edit.end :]
    if data == tree.data or not parses(data[tree.prefix :].decode("utf-8")):
        return None
    line = tree.data[: edit.start].count(b"\n") + 1 - (1 if tree.prefix else 0)
    return Mutation(
        operator=op,
        line=line,
        before=tree.data[edit.start : edit.end].decode("utf-8"),
        after=edit.text,
        source=data[tree.prefix :].decode("utf-8"),
        invertible=edit.invertible,
    )


def _swap(node: Node, texts: Collection[str], invertible: bool = True) -> Iterator[_Edit]:
    for text in texts:
        yield _Edit(node.start_byte, node.end_byte, text, invertible)


def _pairs(*pairs: tuple[str, str]) -> dict[str, tuple[str, ...]]:
    """A symmetric relation as a mapping name -> alternatives, in declaration order."""
    out: dict[str, list[str]] = {}
    for a, b in pairs:
        out.setdefault(a, []).append(b)
        out.setdefault(b, []).append(a)
    return {k: tuple(v) for k, v in out.items()}


# --- operator swaps --------------------------------------------------------------------

_COMPARISON_GROUPS = (("<", "<=", ">", ">=", "==", "!="), ("is", "is not"), ("in", "not in"))
_COMPARISON = {op: tuple(o for o in g if o != op) for g in _COMPARISON_GROUPS for op in g}
_ARITHMETIC = _pairs(("+", "-"), ("*", "/"), ("/", "//"), ("//", "%"), ("&", "|"), ("<<", ">>"))
_AUGMENTED = _pairs(
    ("+=", "-="),
    ("*=", "/="),
    ("/=", "//="),
    ("//=", "%="),
    ("&=", "|="),
    ("<<=", ">>="),
    ("+=", "="),
)
_BOOLEAN = _pairs(("and", "or"))


def _comparison(tree: _Tree) -> Iterator[_Edit]:
    for node in tree.of_type("comparison_operator"):
        for child in node.children:
            yield from _swap(child, _COMPARISON.get(child.type, ()))


def _operator_field(types: tuple[str, ...], table: dict[str, tuple[str, ...]]):
    def family(tree: _Tree) -> Iterator[_Edit]:
        for node in tree.of_type(*types):
            op = node.child_by_field_name("operator")
            if op is not None:
                yield from _swap(op, table.get(op.type, ()))

    return family


def _augmented(tree: _Tree) -> Iterator[_Edit]:
    yield from _operator_field(("augmented_assignment",), _AUGMENTED)(tree)
    for node in tree.of_type("assignment"):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        simple_left = left is not None and left.type in ("identifier", "attribute", "subscript")
        plain = node.child_by_field_name("type") is None
        if simple_left and plain and right is not None and right.type != "assignment":
            eq = next(c for c in node.children if c.type == "=")
            yield from _swap(eq, _AUGMENTED["="])


# --- constants and bounds --------------------------------------------------------------


def _int_value(tree: _Tree, node: Node) -> int | None:
    """The value of a decimal integer literal, or of `-literal`; None otherwise."""
    if node.type == "integer":
        text = tree.text(node)
        return int(text) if text.isdigit() and (text == "0" or text[0] != "0") else None
    if node.type == "unary_operator" and tree.text(node)[:1] == "-":
        arg = node.child_by_field_name("argument")
        value = _int_value(tree, arg) if arg is not None and arg.type == "integer" else None
        return -value if value is not None else None
    return None


def _is_negated_literal(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "unary_operator" and parent.children[0].type == "-"


def _off_by_one(tree: _Tree) -> Iterator[_Edit]:
    for node in tree.of_type("integer", "unary_operator"):
        value = _int_value(tree, node)
        if value is None or (node.type == "integer" and _is_negated_literal(node)):
            continue
        yield from _swap(node, (str(value + 1), str(value - 1)))


_ADDABLE = frozenset(
    {
        "identifier",
        "attribute",
        "call",
        "subscript",
        "parenthesized_expression",
        "binary_operator",
        "unary_operator",
    }
)
_ADDITIVE_OR_TIGHTER = frozenset({"+", "-", "*", "/", "//", "%", "**", "@"})


def _slice_bounds(node: Node) -> Iterator[Node]:
    """Start and stop of a slice (not its step)."""
    colons = 0
    for child in node.children:
        colons += child.type == ":"
        if child.is_named and child.type != "comment" and colons < 2:
            yield child


def _bound_sites(tree: _Tree) -> Iterator[tuple[Node, bool]]:
    """(expression, inside brackets) for slice bounds, indices and range() arguments."""
    for node in tree.nodes:
        if node.type == "slice":
            yield from ((child, True) for child in _slice_bounds(node))
        elif node.type == "subscript":
            for child in node.children_by_field_name("subscript"):
                if child.type != "slice":
                    yield child, True
        elif node.type == "call" and tree.text(node.child_by_field_name("function")) == "range":
            for child in node.child_by_field_name("arguments").named_children:
                if child.type not in ("keyword_argument", "comment", "list_splat"):
                    yield child, False


def _plus_minus_one(tree: _Tree, node: Node) -> Node | None:
    """`e` if node is `e + 1` or `e - 1`."""
    if node.type != "binary_operator":
        return None
    op, right = node.child_by_field_name("operator"), node.child_by_field_name("right")
    if op.type in ("+", "-") and right.type == "integer" and tree.text(right) == "1":
        return node.child_by_field_name("left")
    return None


def _addable(tree: _Tree, node: Node) -> bool:
    if node.type not in _ADDABLE or _int_value(tree, node) is not None:
        return False
    if _plus_minus_one(tree, node) is not None:
        return False
    op = node.child_by_field_name("operator") if node.type == "binary_operator" else None
    return op is None or op.type in _ADDITIVE_OR_TIGHTER


def _bound(tree: _Tree) -> Iterator[_Edit]:
    for node, bracketed in _bound_sites(tree):
        base = _plus_minus_one(tree, node)
        if base is not None:
            yield from _swap(node, (tree.text(base),), _addable(tree, base))
        elif _addable(tree, node):
            text, sep = tree.text(node), "" if bracketed else " "
            yield from _swap(node, (f"{text}{sep}+{sep}1", f"{text}{sep}-{sep}1"))


def _constant(tree: _Tree) -> Iterator[_Edit]:
    table = {"True": ("False",), "False": ("True",), "0": ("1",), "1": ("0",)}
    for node in tree.of_type("true", "false", "integer"):
        if not _is_negated_literal(node):
            yield from _swap(node, table.get(tree.text(node), ()))


# --- calls -----------------------------------------------------------------------------

_MAX_SWAPPED_ARGS = 6


def _positional_args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "argument_list":
        return []
    named = args.named_children
    skip = ("keyword_argument", "list_splat", "dictionary_splat", "comment")
    if any(c.type == "comment" for c in named):
        return []
    return [c for c in named if c.type not in skip]


def _swap_args(tree: _Tree) -> Iterator[_Edit]:
    for call in tree.of_type("call"):
        args = _positional_args(call)
        if not 2 <= len(args) <= _MAX_SWAPPED_ARGS:
            continue
        for i, a in enumerate(args):
            for b in args[i + 1 :]:
                if tree.text(a) != tree.text(b):
                    yield _swapped(tree, a, b)


def _swapped(tree: _Tree, a: Node, b: Node) -> _Edit:
    middle = tree.data[a.end_byte : b.start_byte].decode("utf-8")
    return _Edit(a.start_byte, b.end_byte, tree.text(b) + middle + tree.text(a))


_METHODS = _pairs(
    ("append", "extend"),
    ("min", "max"),
    ("any", "all"),
    ("sorted", "reversed"),
    ("floor", "ceil"),
    ("remove", "pop"),
    ("startswith", "endswith"),
    ("lower", "upper"),
    ("lstrip", "rstrip"),
    ("keys", "values"),
    ("add", "discard"),
    ("find", "rfind"),
    ("index", "rindex"),
    ("find", "index"),
    ("split", "rsplit"),
    ("get", "pop"),
    ("isupper", "islower"),
    ("appendleft", "append"),
    ("popleft", "pop"),
)
_SIMPLE_OBJECT = frozenset({"identifier", "attribute", "subscript"})


def _wrong_method(tree: _Tree) -> Iterator[_Edit]:
    for call in tree.of_type("call"):
        function = call.child_by_field_name("function")
        is_method = function.type == "attribute"
        name = function.child_by_field_name("attribute") if is_method else function
        if name is not None and name.type == "identifier":
            yield from _swap(name, _METHODS.get(tree.text(name), ()))
        yield from _sort_sorted(tree, call, function)


def _sort_sorted(tree: _Tree, call: Node, function: Node) -> Iterator[_Edit]:
    """`x.sort(k)` <-> `sorted(x, k)` and `x.reverse()` <-> `reversed(x)`."""
    args = call.child_by_field_name("arguments")
    named = args.named_children if args is not None and args.type == "argument_list" else None
    if named is None or any(c.type == "comment" for c in named):
        return
    texts = [tree.text(c) for c in named]
    obj = function.child_by_field_name("object") if function.type == "attribute" else None
    if obj is not None and obj.type in _SIMPLE_OBJECT:
        method = tree.text(function.child_by_field_name("attribute"))
        builtin = {"sort": "sorted", "reverse": "reversed"}.get(method)
        if builtin and (method == "sort" or not texts):
            yield from _swap(call, (f"{builtin}({', '.join([tree.text(obj), *texts])})",))
    elif function.type == "identifier" and named and named[0].type in _SIMPLE_OBJECT:
        method = {"sorted": "sort", "reversed": "reverse"}.get(tree.text(function))
        if method and (method == "sort" or len(texts) == 1):
            yield from _swap(call, (f"{texts[0]}.{method}({', '.join(texts[1:])})",))


# --- names -----------------------------------------------------------------------------

_NEW_SCOPE = frozenset(
    {
        "function_definition",
        "class_definition",
        "lambda",
        "list_comprehension",
        "set_comprehension",
        "dictionary_comprehension",
        "generator_expression",
    }
)
_PATTERN = frozenset(
    {
        "pattern_list",
        "tuple_pattern",
        "list_pattern",
        "tuple",
        "list",
        "list_splat_pattern",
        "parenthesized_expression",
        "list_splat",
        "as_pattern_target",
    }
)
_PARAMETER_LISTS = frozenset({"parameters", "lambda_parameters"})
_RECEIVERS = frozenset({"self", "cls"})  # never swapped for another name


def _bound_identifiers(node: Node | None) -> Iterator[Node]:
    if node is None:
        return
    if node.type == "identifier":
        yield node
    elif node.type in _PATTERN:
        for child in node.named_children:
            yield from _bound_identifiers(child)


def _binding_targets(node: Node) -> Iterator[Node]:
    """Identifiers that `node` binds (assignment, for, with/except as, walrus)."""
    fields = {
        "assignment": "left",
        "augmented_assignment": "left",
        "for_statement": "left",
        "for_in_clause": "left",
        "named_expression": "name",
    }
    if node.type in fields:
        for target in node.children_by_field_name(fields[node.type]):
            yield from _bound_identifiers(target)
    elif node.type == "as_pattern_target":
        yield from _bound_identifiers(node)


def _in_nested_scope(node: Node, function: Node) -> bool:
    parent = node.parent
    while parent is not None and parent != function:
        if parent.type in _NEW_SCOPE:
            return True
        parent = parent.parent
    return False


def _is_parameter(node: Node) -> bool:
    parent = node.parent
    if parent is None:
        return False
    if parent.type in _PARAMETER_LISTS:
        return True
    if parent.type in ("default_parameter", "typed_default_parameter"):
        return parent.child_by_field_name("name") == node
    if parent.type in ("typed_parameter", "list_splat_pattern", "dictionary_splat_pattern"):
        grand = parent.parent
        in_parameters = grand is not None and grand.type in _PARAMETER_LISTS | {"typed_parameter"}
        return parent.type == "typed_parameter" or in_parameters
    return False


def _local_names(nodes: tuple[Node, ...]) -> tuple[str, ...]:
    """Parameters and names bound in the first function's own scope, in order of appearance."""
    function = next((n for n in nodes if n.type == "function_definition"), None)
    if function is None:
        return ()
    names: dict[str, None] = {}
    parameters = function.child_by_field_name("parameters")
    for node in _preorder(parameters):
        if node.type == "identifier" and _is_parameter(node):
            names[node.text.decode("utf-8")] = None
    for node in _preorder(function.child_by_field_name("body")):
        if not _in_nested_scope(node, function):
            for target in _binding_targets(node):
                names[target.text.decode("utf-8")] = None
    return tuple(name for name in names if name not in _RECEIVERS)


def _not_a_use(node: Node) -> bool:
    """Identifiers in a name-defining or name-selecting position (not a read of a variable)."""
    parent = node.parent
    if parent is None or _is_parameter(node):
        return True
    fields = {
        "attribute": "attribute",
        "keyword_argument": "name",
        "function_definition": "name",
        "class_definition": "name",
    }
    if parent.type in fields:
        return parent.child_by_field_name(fields[parent.type]) == node
    return parent.type in (
        "dotted_name",
        "aliased_import",
        "global_statement",
        "nonlocal_statement",
        "keyword_pattern",
    )


def _uses(tree: _Tree) -> Iterator[Node]:
    targets = {(t.start_byte, t.end_byte) for n in tree.nodes for t in _binding_targets(n)}
    local = set(tree.local_names)
    for node in tree.of_type("identifier"):
        is_target = (node.start_byte, node.end_byte) in targets
        if tree.text(node) in local and not is_target and not _not_a_use(node):
            yield node


def _wrong_variable(tree: _Tree) -> Iterator[_Edit]:
    for node in _uses(tree):
        name = tree.text(node)
        yield from _swap(node, [other for other in tree.local_names if other != name])


def _wrong_return(tree: _Tree) -> Iterator[_Edit]:
    local = tree.local_names
    for node in tree.of_type("return_statement"):
        value = next(iter(node.named_children), None)
        if value is None or value.type == "comment":
            continue
        text = tree.text(value)
        if text == "None":
            yield from _swap(value, local)
        elif text in local:
            yield from _swap(value, ["None", *(v for v in local if v != text)])
        else:
            yield from _swap(value, ("None",), invertible=False)


# --- conditions ------------------------------------------------------------------------

_NEEDS_PARENS = frozenset(
    {"boolean_operator", "conditional_expression", "lambda", "named_expression"}
)
_LITERAL = frozenset({"true", "false", "none", "integer", "float", "string"})


def _condition_sites(tree: _Tree) -> Iterator[Node]:
    for node in tree.nodes:
        if node.type in ("if_statement", "elif_clause", "while_statement"):
            yield from node.children_by_field_name("condition")
        elif node.type == "boolean_operator":
            yield from node.children_by_field_name("left")
            yield from node.children_by_field_name("right")
        elif node.type == "conditional_expression" and len(node.named_children) == 3:
            yield node.named_children[1]
        elif node.type == "assert_statement" and node.named_children:
            yield node.named_children[0]


def _parens_needed(site: Node, inner: Node) -> bool:
    """Whether `inner` (a boolean expression) needs parentheses in place of `site`."""
    parent = site.parent
    if parent.type in (
        "if_statement",
        "elif_clause",
        "while_statement",
        "assert_statement",
        "conditional_expression",
    ):
        return False
    if parent.type != "boolean_operator" or parent.child_by_field_name("left") != site:
        return True
    outer, op = parent.child_by_field_name("operator").type, inner.child_by_field_name("operator")
    return not (op.type == outer or (op.type, outer) == ("and", "or"))


def _without_not(tree: _Tree, site: Node) -> tuple[str, bool]:
    """`not x` -> `x`: (text, invertible); `not (a or b) or c` -> `a or b or c`."""
    argument = site.child_by_field_name("argument")
    inner = argument.named_children[0] if argument.type == "parenthesized_expression" else None
    if inner is not None and inner.type == "boolean_operator" and not _parens_needed(site, inner):
        return tree.text(inner), True
    return tree.text(argument), argument.type not in _LITERAL


def _negate(tree: _Tree) -> Iterator[_Edit]:
    for site in _condition_sites(tree):
        if site.type == "not_operator":
            text, invertible = _without_not(tree, site)
            yield from _swap(site, (text,), invertible)
        elif site.type not in _LITERAL:
            text = tree.text(site)
            negated = f"not ({text})" if site.type in _NEEDS_PARENS else f"not {text}"
            yield from _swap(site, (negated,))


# --- statements ------------------------------------------------------------------------

_SIMPLE_STATEMENTS = frozenset(
    {
        "expression_statement",
        "return_statement",
        "raise_statement",
        "assert_statement",
        "delete_statement",
        "break_statement",
        "continue_statement",
    }
)


def _is_docstring(node: Node) -> bool:
    block = node.parent
    first = block is not None and block.type == "block" and block.named_children[0] == node
    owner = block.parent if block is not None else None
    is_string = node.named_child_count == 1 and node.named_children[0].type == "string"
    return bool(
        first
        and is_string
        and owner is not None
        and owner.type in ("function_definition", "class_definition")
    )


def _line_span(tree: _Tree, node: Node) -> tuple[int, int] | None:
    """Byte range of the full lines of `node` if nothing else is on them but a comment."""
    start = tree.data.rfind(b"\n", 0, node.start_byte) + 1
    end = tree.data.find(b"\n", node.end_byte)
    end = len(tree.data) if end < 0 else end + 1
    tail = tree.data[node.end_byte : end].strip()
    if tree.data[start : node.start_byte].strip() or (tail and not tail.startswith(b"#")):
        return None
    return start, end


def _drop_statement(tree: _Tree) -> Iterator[_Edit]:
    for node in tree.of_type(*_SIMPLE_STATEMENTS):
        block = node.parent
        statements = [c for c in block.named_children if c.type != "comment"] if block else []
        if block is None or block.type != "block" or len(statements) < 2 or _is_docstring(node):
            continue
        span = _line_span(tree, node)
        if span is not None:
            yield _Edit(span[0], span[1], "", invertible=False)


_FAMILIES: dict[Operator, Callable[[_Tree], Iterator[_Edit]]] = {
    Operator.COMPARISON: _comparison,
    Operator.ARITHMETIC: _operator_field(("binary_operator",), _ARITHMETIC),
    Operator.BOOLEAN: _operator_field(("boolean_operator",), _BOOLEAN),
    Operator.AUGMENTED: _augmented,
    Operator.OFF_BY_ONE: _off_by_one,
    Operator.BOUND: _bound,
    Operator.SWAP_ARGS: _swap_args,
    Operator.WRONG_VARIABLE: _wrong_variable,
    Operator.NEGATE: _negate,
    Operator.WRONG_RETURN: _wrong_return,
    Operator.WRONG_METHOD: _wrong_method,
    Operator.CONSTANT: _constant,
    Operator.DROP_STATEMENT: _drop_statement,
}

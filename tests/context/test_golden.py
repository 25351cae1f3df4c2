"""Exact output of the builders on the fixture files, for a few budgets."""

from __future__ import annotations

import textwrap

import pytest

from codeintel.context import (
    Context,
    PieceKind,
    approx_tokens,
    build_ewash,
    build_focal,
    build_skeleton,
)
from codeintel.errors import InputError, UnknownFunctionError

K = PieceKind


def golden(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def kinds(pieces) -> list[tuple[PieceKind, str]]:
    return [(p.kind, p.scope) for p in pieces]


def check_invariants(context: Context) -> None:
    assert approx_tokens(context.text) == context.tokens <= context.budget


REMOVE = golden('''
    def remove(self, item, count=1):
        """Take `count` of `item` away; never below zero."""
        left = self.counts[item.name] - count
        self.counts[item.name] = max(left, 0)
        return left >= 0
''')


def test_skeleton_small_budget_keeps_class_header_and_an_import(inventory):
    context = build_skeleton(inventory, "Stock.remove", 80)
    check_invariants(context)
    assert context.text == REMOVE + "\n\n" + golden("""
        import json
        class Stock: ...
    """)
    assert kinds(context.kept) == [
        (K.TARGET, "Stock.remove"),
        (K.CLASS_HEADER, "Stock"),
        (K.IMPORT, ""),
    ]
    assert kinds(context.dropped)[:4] == [
        (K.FIELD, "Stock"),
        (K.IMPORT, ""),
        (K.FIELD, ""),
        (K.SIGNATURE, "Stock.__init__"),
    ]
    assert context.kept[2].detail == "import json"
    assert not context.truncated


def test_skeleton_larger_budget_adds_fields_imports_and_sibling_signatures(inventory):
    context = build_skeleton(inventory, "Stock.remove", 150)
    check_invariants(context)
    assert context.text == REMOVE + "\n\n" + golden("""
        import json
        from collections import Counter
        LIMIT = 100
        class Item: ...
        class Stock:
            def __init__(self):
                self.counts = Counter()
            def add(self, item, count=1): ...
            def to_json(self): ...
        def total_value(stock, prices): ...
    """)
    assert kinds(context.kept) == [
        (K.TARGET, "Stock.remove"),
        (K.CLASS_HEADER, "Stock"),
        (K.SIGNATURE, "Stock.__init__"),  # needed by the field below
        (K.FIELD, "Stock"),
        (K.IMPORT, ""),
        (K.IMPORT, ""),
        (K.FIELD, ""),
        (K.SIGNATURE, "Stock.add"),
        (K.SIGNATURE, "Stock.to_json"),
        (K.SIGNATURE, "total_value"),
        (K.CLASS_HEADER, "Item"),
    ]
    dropped = kinds(context.dropped)
    assert dropped[0] == (K.FIELD, "Item")
    assert dropped[-8:] == [
        (K.BODY, name)
        for name in (
            "Stock.__init__",
            "Stock.add",
            "Stock.to_json",
            "total_value",
            "Item.discounted",
            "shout",
            "Item.label",
            "Item.__init__",
        )
    ]
    assert {p.kind for p in context.kept}.isdisjoint({K.BODY, K.DOCSTRING})


def test_skeleton_whole_file_budget_has_bodies_and_docstrings(inventory):
    context = build_skeleton(inventory, "Stock.remove", 10_000)
    check_invariants(context)
    assert context.dropped == ()
    assert "def shout(text): return text.upper()" in context.text
    assert '    """One kind of thing on a shelf."""' in context.text
    assert context.text.count("def remove(") == 1  # the target is not repeated


def test_skeleton_without_target_keeps_the_same_order(inventory):
    with_target = build_skeleton(inventory, "Stock.remove", 150)
    without = build_skeleton(inventory, "Stock.remove", 150, include_target=False)
    check_invariants(without)
    assert "def remove" not in without.text
    assert without.kept[0].kind is K.CLASS_HEADER
    assert kinds(without.kept)[: len(with_target.kept) - 1] == kinds(with_target.kept)[1:]
    assert without.text.startswith("import json\nfrom collections import Counter\nLIMIT = 100")


def test_skeleton_of_a_nested_function_shows_its_enclosing_header(inventory):
    context = build_skeleton(inventory, "value", 40)
    check_invariants(context)
    assert context.text == golden("""
        def value(name):
            return stock.counts[name] * prices.get(name, 0)

        import json
        def total_value(stock, prices): ...
    """)
    assert kinds(context.kept)[:2] == [
        (K.TARGET, "total_value.value"),
        (K.ENCLOSING, "total_value"),
    ]


def test_target_that_does_not_fit_is_cut_by_lines(inventory):
    context = build_skeleton(inventory, "Stock.remove", 45)
    check_invariants(context)
    assert context.truncated
    assert context.text == "\n".join(REMOVE.split("\n")[:3])
    assert kinds(context.kept) == [(K.TARGET, "Stock.remove")]
    assert len(context.dropped) == 30


def test_target_whose_first_line_does_not_fit_is_cut_by_characters(inventory):
    context = build_skeleton(inventory, "Stock.remove", 5)
    assert context.truncated
    assert context.text == "def remove(self, "  # the longest prefix of 5 tokens
    assert context.tokens == 5


def test_focal_context_python(inventory):
    context = build_focal(inventory, "Stock.add", 60)
    check_invariants(context)
    assert context.text == golden("""
        def add(self, item, count=1):
            if count > LIMIT:
                raise ValueError("too many")
            self.counts[item.name] += count

        class Stock:
            def __init__(self): ...
    """)
    assert kinds(context.kept) == [
        (K.TARGET, "Stock.add"),
        (K.CLASS_HEADER, "Stock"),
        (K.SIGNATURE, "Stock.__init__"),
    ]
    assert kinds(context.dropped) == [
        (K.FIELD, "Stock"),
        (K.SIGNATURE, "Stock.remove"),
        (K.SIGNATURE, "Stock.to_json"),
    ]


def test_focal_context_never_has_bodies_docstrings_or_imports(inventory):
    context = build_focal(inventory, "Stock.add", 10_000)
    assert context.dropped == ()
    assert {p.kind for p in context.kept} == {K.TARGET, K.CLASS_HEADER, K.SIGNATURE, K.FIELD}
    assert "Item" not in context.text


def test_ewash_at_a_cursor_ends_with_the_code_before_it(inventory):
    context = build_ewash(inventory, 120, line=41)
    check_invariants(context)
    assert context.text == golden('''
        import json
        from collections import Counter
        LIMIT = 100
        class Item:
            unit = "piece"
            def __init__(self, name, price):
                self.name = name
        class Stock:
            def __init__(self):
                self.counts = Counter()

        def remove(self, item, count=1):
            """Take `count` of `item` away; never below zero."""
            left = self.counts[item.name] - count
    ''')
    assert kinds(context.kept)[:3] == [
        (K.TARGET, "Stock.remove"),
        (K.CLASS_HEADER, "Stock"),
        (K.IMPORT, ""),
    ]
    assert "self.counts[item.name] = max" not in context.text  # after the cursor


def test_ewash_drops_far_bodies_first(inventory):
    full = build_ewash(inventory, 10_000, target="Stock.remove")
    tight = build_ewash(inventory, full.tokens - 30, target="Stock.remove")
    check_invariants(tight)
    dropped = kinds(tight.dropped)
    assert dropped and all(kind is K.BODY for kind, _ in dropped)
    assert (K.BODY, "shout") in dropped or (K.BODY, "Item.__init__") in dropped
    assert (K.BODY, "Stock.to_json") not in dropped  # the nearest body stays
    assert tight.text.endswith(REMOVE)


def test_ewash_outside_functions_has_no_target(inventory):
    context = build_ewash(inventory, 10, line=7)
    check_invariants(context)
    assert context.text == "import json\nfrom collections import Counter"
    assert all(p.kind is not K.TARGET for p in context.kept)


ACCOUNT_WITHDRAW = golden("""
    public boolean withdraw(long amount) {
        if (amount > balance) {
            return false;
        }
        balance -= amount;
        history.add(-amount);
        return true;
    }
""")


def test_skeleton_java(account):
    context = build_skeleton(account, "withdraw", 110)
    check_invariants(context)
    assert context.text == ACCOUNT_WITHDRAW + "\n\n" + golden("""
        import java.util.ArrayList;
        public class Account {
            private final String owner;
            private long balance = 0;
            private final List<Long> history = new ArrayList<>();
        }
    """)
    assert kinds(context.kept) == [(K.TARGET, "Account.withdraw"), (K.CLASS_HEADER, "Account")] + [
        (K.FIELD, "Account")
    ] * 3 + [(K.IMPORT, "")]
    assert kinds(context.dropped)[:3] == [
        (K.IMPORT, ""),
        (K.SIGNATURE, "Account.Account"),
        (K.SIGNATURE, "Account.Account"),
    ]


def test_focal_context_java(account):
    context = build_focal(account, "deposit", 120)
    check_invariants(context)
    assert context.text.endswith(
        golden("""
        public class Account {
            private final String owner;
            private long balance = 0;
            public Account(String owner);
            public Account(String owner, long opening);
            public long getBalance();
        }
    """)
    )
    assert context.text.startswith("public void deposit(long amount) {\n")
    assert kinds(context.dropped) == [
        (K.FIELD, "Account"),
        (K.SIGNATURE, "Account.withdraw"),
        (K.SIGNATURE, "Account.getOwner"),
    ]


def test_ewash_java_keeps_javadoc_with_bodies(account):
    context = build_ewash(account, 10_000, target="getOwner")
    assert context.dropped == ()
    assert "    /**\n     * Adds money to the account." in context.text
    assert context.text.endswith("public String getOwner() {\n    return owner;\n}")


def test_other_length_function(inventory):
    context = build_skeleton(inventory, "Stock.remove", 300, len)
    assert len(context.text) == context.tokens <= 300
    assert context.text.startswith(REMOVE)


def test_length_function_that_is_not_additive_still_holds_the_budget(inventory):
    def lumpy(text: str) -> int:  # counts blank-separated words, plus 3 for every fragment join
        return len(text.split()) + 3 * text.count("\n")

    for budget in (30, 60, 120, 400):
        context = build_skeleton(inventory, "Stock.remove", budget, lumpy)
        assert lumpy(context.text) <= budget


@pytest.mark.parametrize(
    "build",
    [
        lambda p: build_skeleton(p, "nope", 100),
        lambda p: build_focal(p, "Stock.nope", 100),
        lambda p: build_ewash(p, 100, target="nope"),
        lambda p: build_skeleton(p, "area", 100),  # not defined here
    ],
)
def test_unknown_target(inventory, build):
    with pytest.raises(UnknownFunctionError, match="no function or class named"):
        build(inventory)


def test_ambiguous_target_is_an_unknown_function(inventory):
    with pytest.raises(UnknownFunctionError, match="ambiguous"):
        build_skeleton(inventory, "__init__", 100)


@pytest.mark.parametrize("budget", [0, -5, 2.5, True])
def test_bad_budget(inventory, budget):
    with pytest.raises(InputError, match="budget"):
        build_skeleton(inventory, "Stock.add", budget)


def test_ewash_bad_requests(inventory):
    with pytest.raises(InputError, match="target function or a cursor line"):
        build_ewash(inventory, 100)
    with pytest.raises(InputError, match="not in the file"):
        build_ewash(inventory, 100, line=999)
    with pytest.raises(InputError, match=r"not inside the body of Stock\.add"):
        build_ewash(inventory, 100, target="Stock.add", line=3)


def test_contexts_are_json_records(inventory):
    record = build_skeleton(inventory, "Stock.remove", 80).to_json()
    assert record["kept"][0] == {
        "kind": "target",
        "scope": "Stock.remove",
        "tokens": 67,
        "detail": "",
    }
    assert record["budget"] == 80 and record["truncated"] is False

"""The search's plan: focal functions, argument pools and calls (pure functions)."""

import ast
from pathlib import Path

import pytest

from codeintel.errors import UnknownFunctionError
from codeintel.tasks.testgen.plan import (
    argument_sets,
    call_sites,
    compared_constants,
    focal_functions,
    literal_calls,
    names_path,
    plan_calls,
    pool,
    sites_without_paths,
    type_names,
    without_paths,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "testgen"
SHAPES = (FIXTURES / "shapes.py").read_text()


def focal(name: str, source: str = SHAPES):
    return focal_functions(ast.parse(source), name)[0]


def test_focal_functions_are_public_functions_constructors_and_methods():
    names = [(f.qualname, f.kind) for f in focal_functions(ast.parse(SHAPES))]
    assert names == [
        ("clamp", "function"),
        ("split_fields", "function"),
        ("add_all", "function"),
        ("classify", "function"),
        ("Counter.__init__", "constructor"),
        ("Counter.tick", "method"),
        ("Counter.reset", "method"),
        ("Counter.negative", "property"),
    ]  # ParseError, an exception class, is tested where it is raised


def test_an_unknown_function_names_the_known_ones():
    with pytest.raises(UnknownFunctionError, match="known: clamp, split_fields"):
        focal_functions(ast.parse(SHAPES), "nope")


def test_parameters_keep_defaults_hints_and_drop_self():
    tick = focal("tick")
    assert [(p.name, p.default, p.annotation) for p in tick.params] == [("times", "1", "int")]
    assert [p.how for p in focal("clamp").params] == ["either", "either", "either"]


def test_compared_constants_reach_both_sides_of_each_comparison():
    source = "def f(n, h):\n    if n == 3:\n        return 1\n    return h.startswith(b'GIF')\n"
    hints = compared_constants(ast.parse(source).body[0], {"n", "h"})
    assert hints["n"] == ("2", "3", "4")
    assert "b'GIF'" in hints["h"]
    assert any(v.startswith("b'GIF\\x00") for v in hints["h"])  # long enough to be read


def test_doctest_calls_come_first_then_a_base_call_then_variations():
    sets = argument_sets(focal("clamp"))
    assert sets[0] == ((None, "12"),)  # from `>>> clamp(12)`
    assert ((None, "0"),) in sets  # the type hint's pool
    assert any(("high", "-1") in s for s in sets)  # optional parameters by keyword
    assert len(sets) == len(set(sets)) <= 40


def test_type_names_read_hints():
    assert type_names("Optional[list[int]]") == ["list", "int", "None"]
    assert type_names("str | None") == ["str", "None"]
    assert type_names("SomeClass") == []
    assert type_names("Callable[[int], str]") == ["callable", "int", "str"]


def test_callables_are_drawn_for_callable_parameters():
    tree = ast.parse("def on(event, callback):\n    return callback(event)\n")
    (focal,) = focal_functions(tree)
    assert "lambda *args, **kwargs: None" in pool(focal.params[1], focal)
    assert "len" not in pool(focal.params[0], focal)


def test_literal_calls_and_call_sites():
    assert literal_calls("area(3, 4)\narea(x, 1)\nobj.area(1, h=2)", "area") == [
        ((None, "3"), (None, "4")),
        ((None, "1"), ("h", "2")),
    ]
    assert literal_calls("def broken(:", "area") == []
    sites = call_sites({"uses.py": "clamp(5, high=3)"}, focal_functions(ast.parse(SHAPES)))
    assert sites == {"clamp": [((None, "5"), ("high", "3"))]}


def test_calls_on_objects_built_from_literals_are_taken_with_their_builders():
    text = (
        "count(Link(1, [Link(2), Link(3, tag='x')]))\ncount(Link(*xs))\n"
        "count(Other(1))\ncount({Link(1): [Link(2)]})\ncount(Link(n))\n"
    )
    assert literal_calls(text, "count") == []  # no builders: literals only
    assert literal_calls(text, "count", {"Link"}) == [
        ((None, "Link(1, [Link(2), Link(3, tag='x')])"),),
        ((None, "{Link(1): [Link(2)]}"),),
    ]


def test_methods_are_called_on_objects_from_working_constructors():
    focals = focal_functions(ast.parse(SHAPES))
    calls = plan_calls(focals, {"Counter": [((None, "5"),)]}, {}, limit=5)
    ticks = [c for c in calls if c.focal == "Counter.tick"]
    assert ticks and all(c.ctor == ((None, "5"),) for c in ticks)
    assert not any(c.kind == "constructor" for c in calls)
    without = plan_calls(focals, {}, {}, limit=5)
    assert not any(c.focal.startswith("Counter.") for c in without)  # no object to call on


def test_a_class_without_a_working_constructor_is_called_through_on_its_instances():
    from codeintel.tasks.testgen.plan import instance_owners

    focals = focal_functions(ast.parse(SHAPES))
    assert "Counter" in instance_owners(focals)
    calls = plan_calls(focals, {}, {}, limit=5, instances={"Counter": ["2", "2.5"]})
    ticks = [c for c in calls if c.focal == "Counter.tick"]
    assert {c.instance for c in ticks} == {"2", "2.5"} and all(c.ctor == () for c in ticks)
    both = plan_calls(focals, {"Counter": [((None, "5"),)]}, {}, 5, instances={"Counter": ["2"]})
    assert all(c.instance is None for c in both)  # a working constructor wins


def test_explore_targets_carry_pools_and_constructors():
    from codeintel.tasks.testgen.plan import explore_targets

    focals = focal_functions(ast.parse(SHAPES))
    targets = explore_targets(focals, {"Counter": [((None, "3"),)]}, {"function", "method"})
    by_name = {t["focal"]: t for t in targets}
    assert "Counter.reset" not in by_name  # no parameters: nothing to draw
    assert by_name["Counter.tick"]["ctors"] == [[[None, "3"]]]
    assert by_name["clamp"]["params"] == [
        ["value", "either", False],
        ["low", "either", True],
        ["high", "either", True],
    ]
    assert "0" in by_name["clamp"]["pools"]["value"]
    assert explore_targets(focals, {}, {"method"}) == []  # no object to call methods on


def test_literals_naming_existing_paths_never_reach_a_call():
    source = (
        "def reset(path='/srv/data', mode='fast', names=('data/a.txt', 'x')):\n"
        "    if path == 'data':\n"
        "        return 1\n"
    )
    focal = focal_functions(ast.parse(source))[0]
    real = {"/srv/data", "data", "data/a.txt"}
    safe = without_paths(focal, real.__contains__)
    by_name = {p.name: p for p in safe.params}
    assert by_name["path"].default is None  # a real path as default: always passed
    assert by_name["mode"].default == "'fast'"
    assert by_name["names"].default is None  # one of its items names a real path
    calls = plan_calls([safe], {}, {}, limit=40)
    assert calls and not any(names_path(src, real.__contains__) for c in calls for _, src in c.args)
    sites = sites_without_paths(
        {"reset": [((None, "'data'"),), ((None, "'other'"),)]}, real.__contains__
    )
    assert sites == {"reset": [((None, "'other'"),)]}

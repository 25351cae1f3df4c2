"""The model's part (AthenaTest): `test:` + the focal method and its focal context ->
sampled test candidates, each made into a runnable test of the focal module."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Sequence
from typing import Any

from codeintel.context import build_focal
from codeintel.errors import CodeintelError
from codeintel.models import formats
from codeintel.models.backend import prompted
from codeintel.tasks.testgen.plan import Focal
from codeintel.tasks.testgen.records import GeneratedTest, Origin
from parsers import ParsedFile
from parsers.text import python_ast

FOCAL_BUDGET = 240  # tokens of focal context, as in the training data (data_pipelines/focal)


def model_input(parsed: ParsedFile, focal: Focal) -> str | None:
    """`test:` + the focal method + its class's focal context (the training format);
    None for a class without its own constructor."""
    try:
        context = build_focal(parsed, focal.qualname, FOCAL_BUDGET)
    except CodeintelError:
        return None
    head, _, rest = context.text.partition("\n\n")
    return formats.testgen_input(head, rest)


def generation(samples: int) -> Any:
    from codeintel.models import DecodeMode, GenerationConfig

    return GenerationConfig(n=samples, mode=DecodeMode.SAMPLE, max_new_tokens=96, temperature=0.8)


def as_test(text: str, focal: Focal, index: int) -> GeneratedTest:
    """A model sample as a test: a plain function keeps its shape; a unittest method
    (`def test_x(self):`) goes into a TestCase class of its own. The source is kept even
    when it does not parse, so the rejection can show it."""
    name = f"test_{focal.qualname.replace('.__init__', '').replace('.', '_').lower()}_model_{index}"
    function = _renamed(text.strip(), name)
    if _takes_self(function):
        cls = "Test" + "".join(p.title() for p in name.split("_")[1:])
        body = textwrap.indent(function, "    ")
        source = f"class {cls}(unittest.TestCase):\n{body}\n"
        imports: tuple[str, ...] = ("import unittest",)
    else:
        source, imports = function + "\n", ()
    return GeneratedTest(
        name, focal.qualname, Origin.MODEL, source, ("written by the model",), imports=imports
    )


def _renamed(text: str, name: str) -> str:
    head, sep, rest = text.partition("(")
    if head.startswith("def ") and sep:
        return f"def {name}({rest}"
    return text


def _takes_self(function: str) -> bool:
    tree = python_ast(function)
    if tree is None:
        return function.split("(", 1)[-1].startswith("self")
    node = tree.body[0] if tree.body else None
    return (
        isinstance(node, ast.FunctionDef)
        and bool(node.args.args)
        and node.args.args[0].arg == "self"
    )


def causal_prompt(parsed: ParsedFile, focal: Focal, module: str) -> str:
    """A causal model's prompt: the module's code, then a test file's start that imports
    it and opens a test of the focal function (the model writes the rest)."""
    source = parsed.source.decode("utf-8").rstrip()
    name = focal.qualname.replace(".__init__", "").replace(".", "_").lower()
    test_file = f"tests/test_{module.rpartition('.')[2]}.py"
    return (
        f"# {module.replace('.', '/')}.py\n{source}\n\n\n"
        f"# {test_file}\nimport pytest\n\nfrom {module} import *\n\n\n"
        f"def test_{name}():\n"
    )


def causal_candidates(
    model: Any, parsed: ParsedFile, focals: Sequence[Focal], samples: int, module: str
) -> list[GeneratedTest]:
    """`samples` tests per focal function from a causal model or a server: the opened
    test's body, cut where the function ends."""
    from codeintel.models.causal import CausalGeneration
    from parsers.text import lines_within

    config = CausalGeneration(
        n=samples, max_new_tokens=160, temperature=0.8, stop=("\ndef ", "\nclass ", "\n# ")
    )
    out = []
    for focal in focals:
        prompt = causal_prompt(parsed, focal, module)
        header = prompt.rstrip("\n").rsplit("\n", 1)[1]
        for i, g in enumerate(model.generate([prompt], config)[0]):
            body = "\n".join(lines_within(g.text, ""))
            out.append(as_test(f"{header}\n{body}", focal, i))
    return out


def candidates(
    model: Any, parsed: ParsedFile, focals: Sequence[Focal], samples: int, module: str = ""
) -> list[GeneratedTest]:
    """`samples` candidates per focal function, in one batch (a causal model or a server:
    `causal_candidates`)."""
    if samples <= 0:
        return []
    if prompted(model):
        return causal_candidates(model, parsed, focals, samples, module)
    found = [(f, model_input(parsed, f)) for f in focals]
    chosen = [f for f, text in found if text is not None]
    inputs = [text for _, text in found if text is not None]
    if not inputs:
        return []
    generated = model.generate(inputs, generation(samples))
    out = []
    for focal, outputs in zip(chosen, generated, strict=True):
        out += [as_test(g.text, focal, i) for i, g in enumerate(outputs)]
    return out

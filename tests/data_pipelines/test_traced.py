"""Traced bugs: the build's focal pairs, running a covering test on mutants in the sandbox."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from codeintel.models import formats
from codeintel.sandbox import SandboxConfig
from data_pipelines.__main__ import main
from data_pipelines.bugs import Bug, BugKind
from data_pipelines.build import SerialExecutor, build
from data_pipelines.config import BuildConfig
from data_pipelines.sources import SourceRoot
from data_pipelines.traced import (
    Covered,
    load_pairs,
    mutated_module,
    patch_spec,
    patched_test,
    traced_bugs,
    write_traced_bugs,
)

from .conftest import CORPUS

GEOMETRY = CORPUS / "shapes" / "geometry.py"
SCALE = '''def scale(self, factor):
    """Return a new rectangle scaled by `factor`."""
    if factor <= 0:
        raise ValueError("factor must be positive")
    return Rect(self.width * factor, self.height * factor)'''


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("data")
    build(
        out, [SourceRoot("corpus", CORPUS)], BuildConfig(), executor=SerialExecutor(), progress=None
    )
    return out


def split_of_pairs(data: Path) -> str:
    (shard,) = sorted((data / "focal").glob("*.jsonl"))
    return shard.name.split("-")[0]


def scale_pair(data: Path) -> tuple[Covered, dict]:
    split = split_of_pairs(data)
    pairs = {p.focal_name: p for p in load_pairs(data, split, 100, seed=0)}
    functions = [
        json.loads(line)
        for p in (data / "functions").glob(f"{split}-*.jsonl")
        for line in p.read_text().splitlines()
    ]
    record = next(f for f in functions if f["id"] == pairs["Rect.scale"].focal_id)
    return pairs["Rect.scale"], record


def bug(buggy: str) -> Bug:
    edit = formats.diff_to_edit(buggy, SCALE)
    return Bug("scale", BugKind.RULE, None, buggy, SCALE, edit)


def test_build_writes_each_test_and_its_focal_function(data: Path) -> None:
    pairs = load_pairs(data, split_of_pairs(data), 100, seed=0)
    by_name = {p.focal_name: p for p in pairs}
    assert {"Rect.scale", "perimeter", "circle_area"} <= set(by_name)
    covered = by_name["perimeter"]
    assert covered.focal_file == GEOMETRY and covered.test_file.is_file()
    assert covered.node_id == "shapes/tests/test_geometry.py::test_perimeter"
    assert by_name["Rect.scale"].node_id.endswith("test_geometry.py::TestRect::test_scale")
    manifest = json.loads((data / "manifest.json").read_text())
    assert any(name.startswith("focal/") for name in manifest["files"])


def test_pure_parts(data: Path) -> None:
    covered, record = scale_pair(data)
    assert patch_spec(covered) == {
        "module": "shapes.geometry",
        "qualname": "Rect.scale",
        "path": "shapes/geometry.py",
        "line": int(covered.focal_id.split(":")[1]),
    }
    assert patched_test("x = 1\n").endswith("\nimport codeintel_trace_patch  # noqa: E402, F401\n")
    module = GEOMETRY.read_text()
    assert textwrap.dedent(record["code"]) == SCALE
    mutated = mutated_module(module, record["code"], SCALE.replace("<=", ">"))
    assert mutated is not None and "        if factor > 0:\n" in mutated
    assert mutated.replace("if factor > 0", "if factor <= 0") == module
    assert mutated_module(module, "def nowhere():\n    pass\n", SCALE) is None


def test_test_runs_on_the_mutant_and_keeps_its_trace(data: Path) -> None:
    covered, record = scale_pair(data)
    flipped = bug(SCALE.replace("if factor <= 0", "if factor > 0"))
    unseen = bug(SCALE.replace("must be positive", "must be > 0"))  # the test checks no message
    passed, traced = traced_bugs(covered, record, [flipped, unseen], SandboxConfig())
    assert passed and [b.buggy for b in traced] == [flipped.buggy]
    trace = traced[0].trace
    # the frame is in the mutated module, at the mutant's own line
    raising = '            raise ValueError("factor must be positive")'
    line = GEOMETRY.read_text().splitlines().index(raising) + 1
    assert f'File "shapes/geometry.py", line {line}, in scale' in trace
    assert trace.endswith("ValueError: factor must be positive")


def test_a_test_failing_on_the_correct_function_gives_nothing(data: Path, tmp_path: Path) -> None:
    covered, record = scale_pair(data)
    broken = tmp_path / "test_geometry.py"
    broken.write_text(covered.test_file.read_text().replace("bigger.width, 4", "bigger.width, 5"))
    moved = Covered(**{**covered.__dict__, "test_file": broken, "test_root": tmp_path})
    passed, traced = traced_bugs(moved, record, [bug(SCALE.replace("<=", ">"))], SandboxConfig())
    assert (passed, traced) == (False, [])


def test_write_traced_bugs_and_cli(data: Path, tmp_path: Path) -> None:
    split = split_of_pairs(data)
    run = write_traced_bugs(data, tmp_path / "traced", split=split, limit=2, bugs_per_pair=3)
    assert run.pairs == 2 and run.passing == 2 and 0 < run.bugs <= run.mutants <= 6
    manifest = json.loads((tmp_path / "traced" / "manifest.json").read_text())
    assert manifest["bugs"] == run.bugs and len(manifest["files"]) == 1
    records = [
        json.loads(line)
        for line in (tmp_path / "traced" / "examples" / split / "traced-00000.jsonl").open()
    ]
    fixes = [r for r in records if r["task"] == "fix"]
    assert len(fixes) == run.bugs and len(records) == 2 * run.bugs
    for record in fixes:
        trace = record["input"].split(f"\n{formats.TRACE}\n", 1)[1].split(f"\n{formats.CONTEXT}")[0]
        assert trace.startswith("Traceback (most recent call last):")
    args = ["traced-bugs", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")]
    assert main(args) == 2


PATCHED = """import functools


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args)
    return wrapper


class Base:
    def size(self):
        return 1


class Child(Base):
    def size(self):
        return super().size() + 1

    @staticmethod
    @logged
    def twice(x):
        return x * 2


if True:
    def nested():
        return "a"
"""


def test_trace_patch_swaps_the_code_of_functions_already_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    from data_pipelines import trace_patch

    (tmp_path / "patched_mod.py").write_text(PATCHED)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("patched_mod")
    size, twice = module.Child().size, module.Child.twice  # bound before the patch
    mutant = tmp_path / "mutant.py"
    mutant.write_text(
        PATCHED.replace("super().size() + 1", "super().size() - 1")
        .replace("x * 2", "x / 0")
        .replace('"a"', '"b"')
    )
    for qualname, line in (("Child.size", 17), ("Child.twice", 20), ("nested", 27)):
        spec = {"module": "patched_mod", "qualname": qualname, "path": str(mutant), "line": line}
        trace_patch.apply(spec)
    assert size() == 0 and module.nested() == "b"
    with pytest.raises(ZeroDivisionError) as raised:
        twice(3)
    frame = raised.traceback[-1]
    assert (str(frame.path), frame.lineno + 1) == (str(mutant), 23)
    with pytest.raises(LookupError, match=r"no def of Child\.size at line 3"):
        trace_patch.apply(
            {"module": "patched_mod", "qualname": "Child.size", "path": str(mutant), "line": 3}
        )

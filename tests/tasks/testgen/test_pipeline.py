"""Test generation end to end in the sandbox: the search, grading, minimisation, the
mutation score, bad input, and the CLI, on the fixture modules."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codeintel.cli import main
from codeintel.errors import InputError, UnknownFunctionError
from codeintel.tasks.testgen import TestgenConfig, generate_tests
from codeintel.tasks.testgen.records import Origin, Rejection

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "testgen"
SEARCH_ONLY = TestgenConfig(samples=0)


@pytest.fixture(scope="module")
def shapes_result():
    return generate_tests(
        FIXTURES / "shapes.py", budget=30, config=SEARCH_ONLY, mutation_score=True
    )


def test_every_focal_function_gets_a_passing_test(shapes_result):
    assert {f.focal for f in shapes_result.functions if f.tests} == {
        "clamp",
        "split_fields",
        "add_all",
        "classify",
        "Counter.__init__",
        "Counter.tick",
        "Counter.reset",
        "Counter.negative",
    }
    assert all(t.passed and t.origin is Origin.SEARCH for t in shapes_result.tests)


def test_the_kept_tests_cover_every_line_and_branch(shapes_result):
    assert shapes_result.lines_total > 30 and shapes_result.branches_total > 10
    assert shapes_result.lines_covered == shapes_result.lines_total
    assert shapes_result.branches_covered == shapes_result.branches_total


def test_exceptions_and_defaults_are_reached(shapes_result):
    text = shapes_result.test_file
    assert "with pytest.raises(ValueError):\n        clamp(" in text
    assert "with pytest.raises(ParseError):" in text
    assert "Counter(step=0)" in text


def test_minimisation_keeps_only_tests_that_add_coverage(shapes_result):
    classify = next(f for f in shapes_result.functions if f.focal == "classify")
    assert len(classify.tests) == 4  # zero, negative, even, odd: one per path
    for focal in shapes_result.functions:
        covered: set = set()
        for test in focal.tests:  # in the order picked: each adds what the others do not
            mine = set(test.lines) | set(test.branches)
            assert mine and not mine <= covered, (focal.focal, test.name)
            covered |= mine


def _pytest_beside(module: str, test_file: str, folder: Path) -> subprocess.CompletedProcess:
    """Plain pytest on `test_file` next to a copy of the fixture `module`.py."""
    shutil.copy(FIXTURES / f"{module}.py", folder / f"{module}.py")
    (folder / f"test_{module}.py").write_text(test_file)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"test_{module}.py"],
        cwd=folder,
        capture_output=True,
        text=True,
    )


def test_the_file_passes_under_plain_pytest(shapes_result, tmp_path):
    done = _pytest_beside("shapes", shapes_result.test_file, tmp_path)
    assert done.returncode == 0, done.stdout
    assert f"{len(shapes_result.tests)} passed" in done.stdout


def test_the_tests_kill_mutants(shapes_result):
    score = shapes_result.mutation
    assert score is not None and score.mutants > 20
    assert score.killed / score.mutants > 0.5


def test_nondeterministic_values_are_not_asserted():
    result = generate_tests(FIXTURES / "chance.py", budget=15, config=SEARCH_ONLY)
    text = result.test_file
    assert "pytest.raises(ValueError)" in text
    ticket = next(f for f in result.functions if f.focal == "ticket")
    assert not ticket.tests  # random.random() differs: nothing to assert, so no test
    assert any(r.reason is Rejection.NO_ASSERT for r in ticket.rejected)


def test_a_package_module_imports_its_package_and_uses_call_sites():
    result = generate_tests(
        FIXTURES / "pkg" / "geometry" / "shapes.py", budget=15, config=SEARCH_ONLY
    )
    assert result.module == "pkg.geometry.shapes"
    assert "from pkg.geometry.shapes import area" in result.test_file
    assert "area(3, 4)" in result.test_file  # the call in pkg/uses.py
    assert result.lines_covered == result.lines_total


def test_methods_of_abstract_classes_run_on_registered_instances(tmp_path):
    result = generate_tests(FIXTURES / "measures.py", budget=15, config=SEARCH_ONLY)
    tested = {f.focal for f in result.functions if f.tests}
    assert tested == {"Measure.describe", "Measure.is_empty", "Measure.doubled"}
    text = result.test_file
    assert "obj = 'abc'  # an instance of Measure" in text  # the first registered candidate
    assert "result = Measure.doubled.fget(obj)\n    assert result == 6" in text
    assert "pytest.raises(NotImplementedError):\n        Measure.describe(obj)" in text
    done = _pytest_beside("measures", text, tmp_path)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    "name, message",
    [
        ("sleeps_at_import.py", "did not finish within"),
        ("reads_stdin.py", "cannot import reads_stdin: EOFError"),
        ("broken_import.py", "cannot import broken_import: ModuleNotFoundError"),
    ],
)
def test_modules_that_cannot_be_imported_are_bad_input(name, message):
    config = TestgenConfig(samples=0, import_seconds=2)
    with pytest.raises(InputError, match=message):
        generate_tests(FIXTURES / name, budget=10, config=config)


def test_side_effects_at_import_stay_in_the_sandbox(tmp_path):
    shutil.copy(FIXTURES / "writes_at_import.py", tmp_path)
    result = generate_tests(tmp_path / "writes_at_import.py", budget=10, config=SEARCH_ONLY)
    assert result.tests
    assert sorted(p.name for p in tmp_path.iterdir()) == ["writes_at_import.py"]


def test_bad_paths_and_names_are_typed_errors(tmp_path):
    with pytest.raises(UnknownFunctionError):
        generate_tests(FIXTURES / "shapes.py", "nope", config=SEARCH_ONLY)
    (tmp_path / "bad.py").write_text("def f(:\n")
    with pytest.raises(InputError, match="line 1"):
        generate_tests(tmp_path / "bad.py", config=SEARCH_ONLY)
    (tmp_path / "empty.py").write_text("")
    with pytest.raises(InputError, match="empty"):
        generate_tests(tmp_path / "empty.py", config=SEARCH_ONLY)


def test_the_model_s_samples_are_graded_and_counted(tiny_model_dir):
    from codeintel.models import load_model

    config = TestgenConfig(samples=2)
    result = generate_tests(
        FIXTURES / "shapes.py",
        "classify",
        budget=30,
        model=load_model(str(tiny_model_dir)),
        config=config,
    )
    assert result.model_samples == 2
    rejected = [r for f in result.functions for r in f.rejected if r.origin is Origin.MODEL]
    assert len(rejected) + result.model_passed == 2  # the tiny model writes nothing useful
    assert result.tests  # the search's tests do not depend on it


def test_cli_writes_by_convention_and_prints_with_out_dash(tmp_path, capsys):
    shutil.copy(FIXTURES / "shapes.py", tmp_path)
    (tmp_path / "tests").mkdir()
    out = tmp_path / "tests" / "test_shapes.py"
    args = [
        "tests",
        str(tmp_path / "shapes.py"),
        "--function",
        "classify",
        "--no-model",
        "--budget",
        "15",
    ]
    assert main([*args, "--out", "-"]) == 0
    assert "def test_classify_returns_odd" in capsys.readouterr().out
    assert not out.exists() and not (tmp_path / "test_shapes.py").exists()
    assert main(args) == 0  # no project here: beside the module, a summary printed
    said = capsys.readouterr()
    assert said.out == "" and "tests kept" in said.err and "wrote" in said.err
    assert "def test_classify" in (tmp_path / "test_shapes.py").read_text()
    assert main([*args, "--out", str(out)]) == 0
    assert "parents[1]" in out.read_text()  # it runs from the project root
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    out.write_text("# mine\n")
    assert main([*args, "--out", str(out)]) == 2
    assert out.read_text() == "# mine\n"
    assert main([*args, "--out", str(out), "--force"]) == 0
    assert "def test_classify" in out.read_text()


def test_cli_exit_codes_for_bad_input_and_for_no_test(capsys):
    assert main(["tests", str(FIXTURES / "shapes.py"), "--function", "nope"]) == 2
    assert "no public function or method 'nope'" in capsys.readouterr().err
    nowhere = ["--out", "no-such-folder/test_shapes.py"]
    assert main(["tests", str(FIXTURES / "shapes.py"), *nowhere]) == 2
    said = capsys.readouterr()
    assert "folder no-such-folder does not exist" in said.err
    assert said.out == ""  # refused before the search, not after it
    assert main(["tests", str(FIXTURES / "spins.py"), "--no-model", "--budget", "8"]) == 1


def test_a_causal_model_writes_tests_that_are_graded_like_the_rest(tmp_path, monkeypatch):
    """A causal model continues an opened test after the module's code; its tests are
    graded as the search's are (a tiny random Llama: noise, plus one right test)."""
    from codeintel.models.causal import CausalModel
    from codeintel.models.seq2seq import Generation
    from tests.models.conftest import spy, tiny_causal

    model = CausalModel.load(tiny_causal(tmp_path / "llama", "llama"))
    right = Generation("    assert classify(0) == classify(0)\n    assert classify(-3)\n", 0.0)
    seen = spy(monkeypatch, model, "generate", right)
    config = TestgenConfig(samples=2)
    result = generate_tests(FIXTURES / "shapes.py", "classify", 30, model=model, config=config)
    prompts = [p for call in seen for p in call]
    assert prompts[0].endswith("from shapes import *\n\n\ndef test_classify():\n")
    assert "def classify(" in prompts[0]  # the module's code comes first
    assert result.model_samples == 3
    assert result.model_passed >= 1  # the right one passed the judge

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeintel import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "context"
INVENTORY = str(FIXTURES / "inventory.py")
ACCOUNT = str(FIXTURES / "Account.java")
EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "context" / "shapes.py")


@pytest.fixture(autouse=True)
def only_the_context_command(monkeypatch):
    """Build the parser with this command alone, independent of the other commands' imports."""
    monkeypatch.setattr(cli, "COMMANDS", {"context": cli.COMMANDS["context"]})


def test_skeleton_prints_the_text(capsys):
    assert (
        cli.main(["context", "skeleton", INVENTORY, "--function", "Stock.remove", "--budget", "80"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("def remove(self, item, count=1):\n")
    assert out.endswith("import json\nclass Stock: ...\n")


def test_json_record(capsys):
    assert (
        cli.main(
            ["context", "focal", ACCOUNT, "--function", "deposit", "--budget", "120", "--json"]
        )
        == 0
    )
    record = json.loads(capsys.readouterr().out)
    assert record["budget"] == 120 and record["tokens"] <= 120
    assert record["kept"][0]["kind"] == "target"
    assert record["kept"][0]["scope"] == "Account.deposit"


def test_ewash_at_a_line(capsys):
    assert cli.main(["context", "ewash", INVENTORY, "--line", "41", "--budget", "120"]) == 0
    assert capsys.readouterr().out.endswith("    left = self.counts[item.name] - count\n")


def test_language_option_overrides_the_extension(tmp_path, capsys):
    source = tmp_path / "code.txt"
    source.write_text("def f(x):\n    return x\n", encoding="utf-8")
    assert (
        cli.main(
            [
                "context",
                "skeleton",
                str(source),
                "--function",
                "f",
                "--budget",
                "50",
                "--language",
                "python",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == "def f(x):\n    return x\n"


def test_readme_demo_on_the_example(capsys):
    assert (
        cli.main(["context", "skeleton", EXAMPLE, "--function", "Registry.add", "--budget", "200"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("def add(self, name: str, shape: Shape) -> None:")
    assert "class Registry:" in out


def _bad(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    undecodable = tmp_path / "latin1.py"
    undecodable.write_bytes(b"def f():\n    return '\xe9'\n")
    unknown_ext = tmp_path / "code.rb"
    unknown_ext.write_text("def f; end\n", encoding="utf-8")
    return {
        "missing file": (["skeleton", str(tmp_path / "nope.py"), "--function", "f"], "cannot read"),
        "not utf-8": (["skeleton", str(undecodable), "--function", "f"], "not UTF-8"),
        "unknown function": (
            ["skeleton", INVENTORY, "--function", "nope"],
            "no function or class named 'nope'",
        ),
        "bad budget": (
            ["focal", INVENTORY, "--function", "Stock.add", "--budget", "0"],
            "argument --budget: 0 is not between 1",
        ),
        "ewash without target": (["ewash", INVENTORY], "needs --function NAME or --line N"),
        "skeleton without function": (["skeleton", INVENTORY], "needs --function NAME"),
        "line out of range": (["ewash", INVENTORY, "--line", "500"], "not in the file"),
        "unknown extension": (["skeleton", str(unknown_ext), "--function", "f"], "pass --language"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "not utf-8",
        "unknown function",
        "bad budget",
        "ewash without target",
        "skeleton without function",
        "line out of range",
        "unknown extension",
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, case):
    args, message = _bad(tmp_path)[case]
    if "--budget" not in args:
        args = [*args, "--budget", "100"]
    assert cli.main(["context", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("codeintel: error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_unknown_name_in_a_file_that_does_not_parse_says_so(tmp_path: Path, capsys):
    broken = tmp_path / "broken.py"
    broken.write_text("def f(x):\n    return [x +\n\ndef g():\n    return 2\n")
    assert cli.main(["context", "skeleton", str(broken), "--function", "h", "--budget", "50"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not parse: syntax error at line 2" in err[0], err


def test_context_of_a_file_that_does_not_parse_warns(tmp_path: Path, capsys):
    broken = tmp_path / "broken.py"
    broken.write_text("def f(x):\n    return x +\n\ndef g():\n    return 2\n")
    assert cli.main(["context", "skeleton", str(broken), "--function", "g", "--budget", "50"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("codeintel: warning: ") and "does not parse" in err, err

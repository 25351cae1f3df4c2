"""The public API and the CLI entry points."""

import subprocess
import sys

import pytest

import codeintel
from codeintel.cli import COMMANDS, main


@pytest.mark.parametrize("name", sorted(codeintel._EXPORTS))
def test_every_public_name_resolves(name):
    assert getattr(codeintel, name) is not None


def test_unknown_public_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        codeintel.no_such_thing  # noqa: B018


def test_help_lists_every_command_without_importing_torch():
    code = (
        "import sys; from codeintel.cli import main\n"
        "assert main(['--help']) == 0\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'heavy import'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for name in COMMANDS:
        assert name in done.stdout


@pytest.mark.parametrize("module", ["codeintel", "codeintel.cli"])
def test_module_entry_points_behave_like_the_script(module):
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "repair" in done.stdout


def test_unknown_command_is_a_usage_error_in_one_line(capsys):
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no-such-command" in err

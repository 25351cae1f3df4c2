"""Paths shared by tests."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


def plain_pytest(cwd: Path, *args: str, script: bool = False):
    """pytest run in `cwd` as a user runs it (`python -m pytest`, or with `script` the
    `pytest` command of this environment, which does not put `cwd` on sys.path)."""
    import subprocess
    import sys

    command = (
        [str(Path(sys.executable).parent / "pytest")]
        if script
        else [sys.executable, "-m", "pytest"]
    )
    return subprocess.run(
        [*command, "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )

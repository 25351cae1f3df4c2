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


def editable_venv(tmp_path: Path, root: Path) -> Path:
    """A virtual environment that sees this one's packages and has `root` installed in
    editable mode (pip install -e, no build isolation: nothing is downloaded)."""
    import subprocess
    import sys

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "codeintel-env.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    install = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*install, "-e", str(root)], check=True, capture_output=True, timeout=300)
    return python

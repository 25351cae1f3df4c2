"""A validation's unchanged files are written once and hard-linked into each candidate's
directory (`SharedFiles`): a candidate that changes, replaces or removes one cannot leave
the change for the next candidate, and the files match what a fresh copy would hold."""

from __future__ import annotations

import os
from pathlib import Path

from codeintel.sandbox import Outcome, SandboxConfig, Validator
from codeintel.sandbox.runner import SharedFiles

POISON = """\
import os


def test_poison():
    for attempt in (
        lambda: open("data.txt", "w").write("poisoned"),
        lambda: os.chmod("data.txt", 0o644) or open("data.txt", "w").write("poisoned"),
        lambda: os.replace("other.txt", "data.txt"),
        lambda: open("pkg/util.py", "a").write("VALUE = 2\\n"),
    ):
        try:
            attempt()
        except OSError:
            pass
"""
CHECK = """\
from pkg.util import VALUE


def test_untouched():
    assert open("data.txt").read() == "original"
    assert VALUE == 1
"""


def test_a_candidate_cannot_leave_changes_for_the_next(config: SandboxConfig) -> None:
    files = {
        "data.txt": "original",
        "other.txt": "replacement",
        "pkg/__init__.py": "",
        "pkg/util.py": "VALUE = 1\n",
        "test_check.py": CHECK,
    }
    with Validator(files, ["test_check.py"], config) as validator:
        assert validator.validate({}).outcome is Outcome.PASSED
        poisoned = validator.validate({"test_poison.py": POISON}, tests=["test_poison.py"])
        assert poisoned.outcome is Outcome.PASSED  # it ran every attempt
        again = validator.validate({})
        assert again.outcome is Outcome.PASSED, again.tests
        shared = validator.shared.folder
        assert (shared / "data.txt").read_text() == "original"
        assert oct((shared / "data.txt").stat().st_mode & 0o777) == "0o444"


def test_restore_writes_back_a_file_changed_in_place_even_with_its_old_mtime(
    tmp_path: Path,
) -> None:
    shared = SharedFiles(tmp_path / "shared", {"a.txt": "abc", "b/c.txt": b"\x00\x01"})
    (tmp_path / "work").mkdir()
    shared.link_into(tmp_path / "work", {})
    linked = tmp_path / "work" / "a.txt"
    before = linked.stat()
    linked.chmod(0o644)
    linked.write_text("xyz")  # the same size, through the candidate's link
    os.utime(linked, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old mtime
    assert (tmp_path / "shared" / "a.txt").read_text() == "xyz"  # one inode
    assert shared.restore() == 1
    assert (tmp_path / "shared" / "a.txt").read_text() == "abc"
    assert (tmp_path / "shared" / "b" / "c.txt").read_bytes() == b"\x00\x01"
    assert shared.restore() == 0  # nothing changed since

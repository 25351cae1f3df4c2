"""The process toolkit shared by host and harness: the disk watch and the watch loop."""

from __future__ import annotations

import os
from pathlib import Path

from codeintel.sandbox.harness import toolkit

LIMITS = {"disk_mb": 1, "max_files": 10}


def test_disk_use_counts_bytes_and_entries_and_stops_at_the_cap(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a").write_bytes(b"x" * 100_000)
    used, entries = toolkit.disk_use(str(tmp_path), 100)
    assert used >= 100_000 and entries == 2
    for i in range(30):
        (tmp_path / f"e{i}").touch()
    assert toolkit.disk_use(str(tmp_path), 10)[1] == 11  # stopped just past the cap


def test_a_run_that_fills_the_disk_between_checks_is_caught_at_the_end(tmp_path: Path):
    """The paced checks may never come again; the last one, when the pipes close, does."""
    watch = toolkit.DiskWatch(str(tmp_path), LIMITS, interval=3600)
    assert not watch.over()  # the first check: empty
    (tmp_path / "big").write_bytes(os.urandom(2 * toolkit.MB))
    assert not watch.over()  # paced: not checked again for an hour
    read_fd, write_fd = os.pipe()
    os.close(write_fd)  # the run has ended: its pipe is closed
    drain = toolkit.Drain({"out": read_fd}, {"out": 100}, capped=["out"])
    timed_out, disk = toolkit.watch(drain, watch, float("inf"), lambda: True, lambda: None)
    assert (timed_out, disk) == (False, True)
    drain.close()
    os.close(read_fd)


def test_too_many_files_is_over_the_limit(tmp_path: Path):
    for i in range(11):
        (tmp_path / f"e{i}").touch()
    assert toolkit.DiskWatch(str(tmp_path), LIMITS).over()

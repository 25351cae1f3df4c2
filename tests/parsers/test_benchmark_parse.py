from __future__ import annotations

from benchmarks.parse import Timing, load_sources, main, stdlib_files


def test_quick_run_prints_both_throughputs(capsys):
    assert main(["--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "files           3"
    assert lines[2].startswith("tree-sitter") and lines[2].endswith("MB/s")
    assert lines[3].startswith("parsers.parse") and lines[3].endswith("MB/s")
    assert lines[4].startswith("ratio full/bare")


def test_limit_and_non_utf8_files_are_skipped(tmp_path):
    good = tmp_path / "good.py"
    good.write_bytes(b"x = 1\n")
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"x = '\xff'\n")
    assert load_sources([good, bad, tmp_path / "missing.py"]) == [b"x = 1\n"]
    assert len(stdlib_files(4)) == 4


def test_timing_ratio_and_report():
    timing = Timing(files=2, nbytes=4_000_000, bare_s=1.0, full_s=1.5)
    assert timing.ratio == 1.5
    assert "4.00 MB/s" in timing.report()
    assert "ratio full/bare 1.50x" in timing.report()

import json
from pathlib import Path

from benchmarks.bugs import main, read_records, summarize
from tests.conftest_paths import REPO

EXAMPLE = REPO / "examples" / "repair"


def make_bug(root: Path, name: str, buggy: str, fixed: str) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "buggy.py").write_text(buggy)
    (folder / "fixed.py").write_text(fixed)
    tests = (
        (EXAMPLE / "test_running_mean.py")
        .read_text()
        .replace("running_mean import", "buggy import")
    )
    (folder / "test_buggy.py").write_text(tests)
    (folder / "meta.json").write_text(json.dumps({"invertible": True}))


def test_runner_fixes_reports_and_resumes(tmp_path: Path, capsys):
    buggy = (EXAMPLE / "running_mean.py").read_text()
    fixed = buggy.replace("start=0", "start=1")
    make_bug(tmp_path / "bugs", "a", buggy, fixed)
    make_bug(tmp_path / "bugs", "b", fixed, fixed)  # nothing to fix: tests already pass
    out = tmp_path / "records.jsonl"
    args = ["--root", str(tmp_path / "bugs"), "--candidates", "edits", "--json", str(out)]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["bugs"] == 2 and summary["fixed"] == 1 and summary["exact_fixes"] == 1
    assert summary["fixed_by_source"] == {"edit": 1}
    assert summary["outcomes"] == {"fixed": 1, "tests_already_pass": 1}
    assert summary["assessed"] == {"confident": 1} and summary["confident_exact"] == 1
    assert [r["name"] for r in read_records(out)] == ["a", "b"]
    assert main(args) == 0  # resumes: nothing left to run, same summary
    assert json.loads(capsys.readouterr().out)["fixed"] == 1
    assert len(read_records(out)) == 2


def test_missing_root_is_exit_2(tmp_path: Path):
    assert main(["--root", str(tmp_path / "none")]) == 2


def test_summarize_splits_by_source_and_times():
    records = [
        {
            "name": "a",
            "outcome": "fixed",
            "seconds": 1.0,
            "winner_source": "edit",
            "exact": True,
            "validated": {"edit": 3},
            "invertible": True,
        },
        {
            "name": "b",
            "outcome": "fixed",
            "seconds": 3.0,
            "winner_source": "model",
            "exact": False,
            "validated": {"model": 1},
            "invertible": False,
        },
        {
            "name": "c",
            "outcome": "no_fix_found",
            "seconds": 9.0,
            "winner_source": None,
            "exact": False,
            "validated": {"edit": 5, "model": 5},
            "invertible": True,
        },
    ]
    s = summarize(records)
    assert s["fix_rate"] == round(2 / 3, 4) and s["fixed_by_source"] == {"edit": 1, "model": 1}
    assert s["time_to_fix_median_s"] == 2.0 and s["exact_fixes"] == 1
    assert s["fixed_invertible"] == 1 and s["bugs_invertible"] == 2
    assert s["validated_per_bug_mean"] == round(14 / 3, 1)

"""Batch runs through an executor: in-process, local processes, and a Dask LocalCluster
(2 workers) running the QuixBugs and synthetic-bug runners on the fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import bugs, quixbugs
from benchmarks.executor import InlineExecutor, open_executor, read_records
from codeintel.errors import InputError
from tests.benchmarks.test_bugs import EXAMPLE, make_bug
from tests.conftest_paths import FIXTURES

CHECKOUT = FIXTURES / "quixbugs" / "checkout"


def square(record: dict) -> dict:
    return {"n": record["n"], "square": record["n"] ** 2}


@pytest.mark.parametrize("workers", [1, 2])
def test_local_executors_map_records_in_order(workers: int):
    items = [{"n": n} for n in range(6)]
    with open_executor(workers) as executor:
        assert list(executor.map(square, items)) == [square(i) for i in items]


def test_inline_executor_is_the_default_and_reports_errors():
    with open_executor() as executor:
        assert isinstance(executor, InlineExecutor)
        future = executor.submit(square, {})
        with pytest.raises(KeyError):
            future.result()


def test_bad_worker_counts_and_schedulers_are_input_errors():
    with pytest.raises(InputError, match="--workers"), open_executor(0):
        pass
    with pytest.raises(InputError, match="cannot reach"), open_executor(1, "tcp://127.0.0.1:9"):
        pass


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local.scheduler_address


def test_quixbugs_on_a_local_cluster(cluster: str, tmp_path: Path, capsys):
    records = tmp_path / "records.jsonl"
    args = ["--root", str(CHECKOUT), "--only", "gcd", "count_nonnegative", "reachable",
            "--json", str(records), "--scheduler", cluster,
            "--candidates", "edits", "--timeout", "2"]  # fmt: skip
    assert quixbugs.main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["programs"] == 3 and summary["fixed_correct"] == 3
    assert summary["false_positives"] == 0 and summary["assessed"]["differs"] == 1
    names = [r["name"] for r in read_records(records)]
    assert sorted(names) == ["count_nonnegative", "gcd", "reachable"]


def test_synthetic_bugs_on_a_local_cluster(cluster: str, tmp_path: Path, capsys):
    buggy = (EXAMPLE / "running_mean.py").read_text()
    fixed = buggy.replace("start=0", "start=1")
    make_bug(tmp_path / "bugs", "a", buggy, fixed)
    make_bug(tmp_path / "bugs", "b", buggy, fixed)
    args = ["--root", str(tmp_path / "bugs"), "--candidates", "edits", "--scheduler", cluster]
    assert bugs.main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["bugs"] == 2 and summary["fixed"] == 2 and summary["exact_fixes"] == 2

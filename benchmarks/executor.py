"""Batch work: map a function over plain JSON records, in this process, in local worker
processes, or on a Dask distributed cluster.

    with open_executor(workers=2, scheduler=None) as executor:
        for result in executor.map(job, items): ...

Items and results are JSON-serialisable records, so they cross process and machine
boundaries unchanged; the sandbox runs wherever the job runs, so isolation does not
change. `workers=1` and no scheduler runs the jobs here, one after another (a model
then loads once).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from codeintel.errors import InputError


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """--workers and --scheduler, the same for every batch command."""
    parser.add_argument(
        "--workers", type=int, default=1, help="local worker processes (default 1: this one)"
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="a Dask distributed scheduler (tcp://HOST:PORT); its workers must see the "
        "input and output folders at the same paths",
    )


class InlineExecutor(Executor):
    """The `concurrent.futures` interface, running each job at once in this process."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future

    def map(self, fn: Callable, *iterables: Iterable, timeout=None, chunksize=1) -> Iterator:
        return map(fn, *iterables)  # lazily, so results come as each job ends


def _dask_executor(scheduler: str) -> contextlib.AbstractContextManager[Executor]:
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise InputError(
            "--scheduler needs dask.distributed: pip install 'codeintel[cluster]'"
        ) from exc

    @contextlib.contextmanager
    def connected() -> Iterator[Executor]:
        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        with client:
            yield client.get_executor(pure=False)

    return connected()


@contextlib.contextmanager
def open_executor(workers: int = 1, scheduler: str | None = None) -> Iterator[Executor]:
    """A Dask cluster's executor when `scheduler` is given, else `workers` local
    processes (spawned: no state of this process is shared), else this process."""
    if workers < 1:
        raise InputError("--workers must be at least 1")
    if scheduler:
        with _dask_executor(scheduler) as executor:
            yield executor
    elif workers == 1:
        yield InlineExecutor()
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as executor:
            yield executor


def read_records(path: Path | None) -> list[dict]:
    """The records a previous run wrote to `path` (JSON lines), to resume from."""
    if path is None or not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def print_report(report: dict, path: Path | None) -> None:
    """A suite's report as JSON on stdout, and in `path` too if given."""
    text = json.dumps(report, indent=2)
    print(text)
    if path is not None:
        path.write_text(text + "\n", encoding="utf-8")


def run_jobs(
    job: Callable[[dict], dict],
    items: Sequence[dict],
    args: argparse.Namespace,
    records_file: Path | None,
    describe: Callable[[dict], str],
) -> list[dict]:
    """Map `job` over `items` on the executor that `args` (--workers, --scheduler) asks
    for; print `describe(record)` and append the record to `records_file` (JSON lines,
    so a stopped run resumes) as each job ends, with a progress bar on a terminal."""
    records = []
    with open_executor(args.workers, args.scheduler) as executor, _progress(len(items)) as done:
        for record in executor.map(job, items):
            records.append(record)
            print(describe(record), file=sys.stderr)
            if records_file is not None:
                with records_file.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record) + "\n")
            done()
    return records


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A rich progress bar on a terminal's stderr (nothing when stderr is not one)."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("running", total=total)
        yield lambda: bar.advance(task)

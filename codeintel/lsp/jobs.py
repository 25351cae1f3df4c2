"""Long work off the event loop: progress, cancellation, and the model it waits for.

`run_job` runs a task in a worker thread with a `JobControl` (the sandbox's cancel
flag and run counter). The job reports `$/progress` (begin, a report whenever its
stage or its count of sandbox runs changes, end) under a server-created token, and is
cancelled by either of the editor's two ways: `$/cancelRequest` of the request that
started it, or `window/workDoneProgress/cancel` of its token. pygls does not stop a
running handler on either, so both are tied to the control here; the sandbox then
kills the run in flight and raises `Cancelled` in the job's thread.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from lsprotocol import types

from codeintel.errors import Cancelled
from codeintel.models.loading import ModelHandle
from codeintel.sandbox import JobControl

T = TypeVar("T")
REPORT_EVERY_S = 0.25


async def run_job(server: Any, title: str, work: Callable[[JobControl], T]) -> T:
    """`work(control)` in a thread, with progress under `title`; Cancelled if cancelled."""
    control = JobControl()
    _cancel_with_request(server, control)
    server.jobs.add(control)  # shutdown cancels it
    try:
        token = await _progress_token(server, control)
        return await _watched(server, token, title, work, control)
    finally:
        server.jobs.discard(control)


async def _watched(
    server: Any, token: str | None, title: str, work: Callable[[JobControl], T], control: JobControl
) -> T:
    _notify(server, token, types.WorkDoneProgressBegin(title=title, cancellable=True))
    reporter = asyncio.ensure_future(_report(server, token, control))
    job = asyncio.get_running_loop().run_in_executor(None, work, control)
    end = "done"
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:  # the request's task itself was cancelled
        control.cancel()
        await asyncio.gather(job, return_exceptions=True)  # its sandbox runs are killed
        end = "cancelled"
        raise
    except Cancelled:
        end = "cancelled"
        raise
    except Exception as exc:
        end = f"failed: {exc}"
        raise
    finally:
        reporter.cancel()
        _notify(server, token, types.WorkDoneProgressEnd(message=end))


def _cancel_with_request(server: Any, control: JobControl) -> None:
    """Cancel the job when the editor cancels the request being answered (the future
    pygls answers it from, which its `$/cancelRequest` handling cancels)."""
    protocol = server.protocol
    request = protocol._request_futures.get(protocol.msg_id)
    if isinstance(request, Future):
        request.add_done_callback(lambda f: f.cancelled() and control.cancel())


async def _progress_token(server: Any, control: JobControl) -> str | None:
    """A new progress token the editor created (None if it cannot show progress),
    whose `window/workDoneProgress/cancel` cancels the job."""
    window = server.client_capabilities.window
    if window is None or not window.work_done_progress:
        return None
    token = f"codeintel-{uuid.uuid4()}"
    await server.work_done_progress.create_async(token)
    server.work_done_progress.tokens[token].add_done_callback(
        lambda f: f.cancelled() and control.cancel()
    )
    return token


def _notify(server: Any, token: str | None, value: Any) -> None:
    if token is None:
        return
    if isinstance(value, types.WorkDoneProgressBegin):
        server.work_done_progress.begin(token, value)
    elif isinstance(value, types.WorkDoneProgressReport):
        server.work_done_progress.report(token, value)
    else:
        server.work_done_progress.end(token, value)
        server.work_done_progress.tokens.pop(token, None)


async def _report(server: Any, token: str | None, control: JobControl) -> None:
    """A progress report whenever the stage or the number of sandbox runs changes."""
    last: tuple[str, int] | None = None
    while True:
        await asyncio.sleep(REPORT_EVERY_S)
        now = control.snapshot()
        if now != last and now != ("", 0):
            stage, runs = now
            message = f"{stage or 'working'}: {runs} sandbox runs"
            _notify(server, token, types.WorkDoneProgressReport(message=message))
            last = now


class WatchedModel(ModelHandle):
    """The server's model handle, seen by one job: `get()` waits for the load while
    checking the job's control, so a cancelled job stops waiting (repair asks `ready()`
    between validations and `get()` once it needs the model)."""

    def __init__(self, handle: ModelHandle, control: JobControl) -> None:
        super().__init__()
        self.handle, self.control = handle, control

    def ready(self) -> bool:
        return self.handle.ready()

    def get(self) -> Any:
        if not self.handle.ready():
            self.control.stage("loading the model")
        while not self.handle.ready():
            self.control.check()
            time.sleep(0.05)
        return self.handle.get()

    def seconds(self) -> float:
        return self.handle.seconds()

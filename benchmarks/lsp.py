"""`python -m benchmarks lsp [--edits N] [--repeat N]`: the language server's latency.

One scripted session with the real `codeintel serve` over stdio, driven by pygls'
client, on a copy of tests/fixtures/lsp/workspace plus the standard library's
textwrap.py (a 500-line module) as the file being edited:

- `initialize`, then Generate docstring at once (it waits for the model's load);
- N edits typed into a function of textwrap.py, one character a `didChange`, each
  followed by the `codeAction` request an editor sends at the cursor and a
  `textDocument/completion` at the start of the next line (the bundled model's line
  completion, 5 items);
- the commands, with applyEdits off (so the files stay as they are): Fix this function
  (calc.add against tests/test_calc.py), Run tests (calc.py), Generate docstring
  (calc.scale, the bundled model on the CPU);
- cancellation: Run tests on slow.py (its test sleeps 120 s), cancelled through its
  progress token once its sandbox run has started; the time until the answer arrives
  and until no process is left below the server.

Printed: p50/p95 per request kind, and the server's peak resident memory (VmHWM; its
sandbox processes not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from benchmarks.metrics import latency_ms
from codeintel.sandbox.harness.toolkit import descendants

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = REPO / "tests" / "fixtures" / "lsp" / "workspace"
EDITED = "textwrap.py"
WAIT_S = 300.0


class Session:
    """The client side of one session: the server process, its progress reports, and
    the latencies measured (seconds, by request kind)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client = LanguageClient("codeintel-benchmark", "1")
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.progress: dict[str, list[dict]] = defaultdict(list)
        self._register()

    def _register(self) -> None:
        @self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @self.client.feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            self.progress[str(params.token)].append(dict(params.value))

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def message(params: types.ShowMessageParams) -> None:
            return None

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            return None

    @property
    def pid(self) -> int:
        return self.client._server.pid

    async def timed(self, kind: str, request: Awaitable[Any]) -> Any:
        start = time.perf_counter()
        answer = await asyncio.wait_for(request, WAIT_S)
        self.latency[kind].append(time.perf_counter() - start)
        return answer

    async def start(self, options: dict) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        await self.client.start_io(sys.executable, "-m", "codeintel", "serve", env=env)
        self.stderr = asyncio.ensure_future(self.client._server.stderr.read())  # never full
        capabilities = types.ClientCapabilities(
            window=types.WindowClientCapabilities(work_done_progress=True)
        )
        params = types.InitializeParams(
            capabilities=capabilities,
            root_uri=self.root.as_uri(),
            initialization_options=options,
        )
        await self.timed("initialize", self.client.initialize_async(params))
        self.client.initialized(types.InitializedParams())

    def open(self, name: str) -> str:
        path = self.root / name
        uri = path.as_uri()
        item = types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=path.read_text()
        )
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
        return uri

    async def command(self, kind: str, name: str, argument: dict) -> dict:
        params = types.ExecuteCommandParams(command=name, arguments=[argument])
        answer = await self.timed(kind, self.client.workspace_execute_command_async(params))
        if answer["status"] not in ("proposed", "done", "unchanged"):
            raise RuntimeError(f"{name}: {answer}")
        return answer

    async def stop(self) -> int:
        await asyncio.wait_for(self.client.shutdown_async(None), WAIT_S)
        self.client.exit(None)
        await self.client.stop()
        return self.client._server.returncode


def _edit_line(text: str) -> int:
    """A line inside a function of the module, where the edits are typed."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("    def wrap(self, text)"))
    return start + 1


def _code_action(uri: str, line: int, character: int) -> types.CodeActionParams:
    position = types.Position(line=line, character=character)
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=position, end=position),
        context=types.CodeActionContext(diagnostics=[]),
    )


async def type_edits(session: Session, edits: int) -> None:
    """`edits` characters typed at the end of a line, each followed by a codeAction."""
    uri = session.open(EDITED)
    text = (session.root / EDITED).read_text()
    line = _edit_line(text)
    column = len(text.splitlines()[line])
    typed = "  # " + "edited by the benchmark " * (edits // 20 + 1)
    for i in range(edits):
        at = types.Position(line=line, character=column + i)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=at, end=at), text=typed[i]
        )
        session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
                content_changes=[change],
            )
        )
        request = session.client.text_document_code_action_async(
            _code_action(uri, line, column + i + 1)
        )
        actions = await session.timed("codeAction after didChange", request)
        if not actions:
            raise RuntimeError(f"no code actions offered at edit {i}")
        await complete_once(session, uri, line)


async def complete_once(session: Session, uri: str, line: int) -> None:
    """A completion at the start of the line below the edited one (a new line's start)."""
    params = types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line + 1, character=8),
    )
    found = await session.timed("completion", session.client.text_document_completion_async(params))
    if not found.items:
        raise RuntimeError("no completion offered")


async def first_model_command(session: Session) -> None:
    """Generate docstring right after `initialized`: it waits for the model's load."""
    calc = session.open("calc.py")
    await session.command(
        "Generate docstring (first: waits for the model to load)",
        "codeintel.generateDocstring",
        {"uri": calc, "function": "scale"},
    )


async def commands(session: Session, repeat: int) -> None:
    calc = (session.root / "calc.py").as_uri()
    for _ in range(repeat):
        argument = {"uri": calc, "function": "add"}
        await session.command("Fix this function", "codeintel.fixFunction", argument)
        await session.command("Run tests", "codeintel.runTests", {"uri": calc})
        argument = {"uri": calc, "function": "scale"}
        await session.command("Generate docstring", "codeintel.generateDocstring", argument)


async def _poll(holds, what: str) -> None:
    """Wait (polling every 10 ms) until `holds()`: a benchmark may poll, a test may not."""
    deadline = time.monotonic() + WAIT_S
    while not holds():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def _running_token(session: Session, known: set[str]) -> str | None:
    """The token of a new job whose first sandbox run has started."""
    for token, values in session.progress.items():
        started = any(v.get("message", "").endswith(": 1 sandbox runs") for v in values)
        if token not in known and started:
            return token
    return None


async def cancel_once(session: Session, uri: str) -> None:
    known = set(session.progress)
    params = types.ExecuteCommandParams(command="codeintel.runTests", arguments=[{"uri": uri}])
    answer = asyncio.ensure_future(session.client.workspace_execute_command_async(params))
    await _poll(lambda: _running_token(session, known) is not None, "the sandbox run")
    token = _running_token(session, known)
    start = time.perf_counter()
    session.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token))
    result = await asyncio.wait_for(answer, WAIT_S)
    session.latency["cancel: until the answer"].append(time.perf_counter() - start)
    await _poll(lambda: not descendants(session.pid), "the sandbox to be gone")
    session.latency["cancel: until no sandbox process"].append(time.perf_counter() - start)
    if result["status"] != "cancelled":
        raise RuntimeError(f"cancel: {result}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def report(session: Session, peak_mb: float) -> str:
    rows = ["| request | n | p50 (ms) | p95 (ms) |", "|---|---|---|---|"]
    for kind, values in session.latency.items():
        ms = latency_ms(values)
        rows.append(f"| {kind} | {len(values)} | {ms['p50']:.1f} | {ms['p95']:.1f} |")
    rows.append(f"\npeak server memory (VmHWM): {peak_mb:.0f} MiB")
    return "\n".join(rows)


async def session_run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="codeintel-lsp-bench-") as folder:
        root = Path(folder) / "workspace"
        shutil.copytree(WORKSPACE, root)
        shutil.copy(Path(sysconfig.get_paths()["stdlib"]) / EDITED, root / EDITED)
        session = Session(root)
        await session.start({"applyEdits": False, "sandboxTimeout": 300})
        await first_model_command(session)  # the edits then run with the model loaded
        await type_edits(session, args.edits)
        await commands(session, args.repeat)
        slow = session.open("slow.py")
        for _ in range(args.repeat):
            await cancel_once(session, slow)
        peak = peak_rss_mb(session.pid)
        code = await session.stop()
    print(report(session, peak))
    print(f"server exit code: {code}")
    return 0 if code == 0 else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks lsp")
    parser.add_argument("--edits", type=int, default=100, help="characters typed")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; {args.edits} edits")
    return asyncio.run(session_run(args))


if __name__ == "__main__":
    sys.exit(main())

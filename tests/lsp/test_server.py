"""The server end to end: capabilities, code actions, their edits, progress."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from codeintel.lsp.actions import ACTIONS
from tests.conftest_paths import FIXTURES
from tests.lsp.conftest import apply, command, ended, index_a_clone_of_scale, open_file, start


def _actions_at(client: LanguageClient, uri: str, line: int):
    position = types.Position(line=line, character=4)
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=position, end=position),
        context=types.CodeActionContext(diagnostics=[]),
    )
    return client.text_document_code_action_async(params)


async def test_initialize_advertises_the_tasks_that_exist(client, workspace: Path) -> None:
    result = await start(client, workspace)
    capabilities = result.capabilities
    commands = set(capabilities.execute_command_provider.commands)
    assert commands == {*ACTIONS, "codeintel.runTests"}
    assert capabilities.code_action_provider is not None
    assert "." in capabilities.completion_provider.trigger_characters
    assert result.server_info.name == "codeintel"


async def test_actions_offered_depend_on_the_function(client, workspace: Path) -> None:
    await start(client, workspace)
    uri = open_file(client, workspace / "calc.py")
    on_add = {a.title for a in await _actions_at(client, uri, 4)}  # inside add
    assert on_add == {
        "codeintel: Fix this function",
        "codeintel: Generate tests",
        "codeintel: Generate docstring",
    }
    on_mean = {a.title for a in await _actions_at(client, uri, 12)}  # docstring, no body
    assert "codeintel: Complete body" in on_mean
    assert "codeintel: Generate docstring" not in on_mean
    assert await _actions_at(client, uri, 1) is None  # the module docstring: no function
    shapes = open_file(client, workspace / "shapes.py")  # no test file: no fix offered
    titles = {a.title for a in await _actions_at(client, shapes, 1)}
    assert "codeintel: Fix this function" not in titles


async def test_fix_this_function_applies_the_validated_edit(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace)
    path = workspace / "calc.py"
    uri = open_file(client, path)
    result = await command(client, "codeintel.fixFunction", uri=uri, function="add")
    assert result["status"] == "applied", result
    (change,) = client.applied[0].document_changes
    assert change.text_document.uri == uri and change.text_document.version == 1
    fixed = apply(path.read_text(), change.edits)
    assert "return a + b" in fixed
    assert fixed.replace("return a + b", "return a - b") == path.read_text()
    assert path.read_text().count("a - b") == 1  # the file on disk is not touched
    assert [e.message for e in ended(client)] == ["done"]


async def test_a_fix_that_is_not_confident_is_offered_not_applied(
    client: LanguageClient, workspace: Path
) -> None:
    for name in ("nonnegative.py", "test_nonnegative.py"):  # tests too weak to tell > from >=
        shutil.copy(FIXTURES / "tasks" / name, workspace / name)
    await start(client, workspace)
    uri = open_file(client, workspace / "nonnegative.py")
    result = await command(client, "codeintel.fixFunction", uri=uri, function="count_nonnegative")
    assert result["status"] == "proposed", result
    assert "behaviour differs from alternatives" in result["message"]
    assert result["edit"] and not client.applied  # the user decides


async def test_completion_once_the_model_is_ready(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    path = workspace / "calc.py"
    uri = open_file(client, path)
    at = types.Position(line=8, character=4)  # the start of scale's body line
    params = types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=at
    )
    # the docstring command waits for the model's load; completion never does
    await command(client, "codeintel.generateDocstring", uri=uri, function="add")
    found = await client.text_document_completion_async(params)
    assert not found.is_incomplete and 1 <= len(found.items) <= 5
    for item in found.items:
        assert item.text_edit.range.start == at
        assert item.text_edit.range.end == types.Position(line=8, character=39)  # line end
        assert "\n" not in item.text_edit.new_text
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codeintel": {"completion": False}})
    )
    off = await client.text_document_completion_async(params)
    assert not off.items


async def test_a_command_by_line_proposes_the_edit_when_asked_not_to_apply(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace, {"applyEdits": False})
    uri = open_file(client, workspace / "calc.py")
    result = await command(client, "codeintel.fixFunction", uri=uri, line=4)  # in add
    assert result["status"] == "proposed", result
    assert client.applied == []
    (change,) = result["edit"]["documentChanges"]
    assert [e["newText"] for e in change["edits"]] == ["    return a + b\n"]
    nowhere = await command(client, "codeintel.fixFunction", uri=uri, line=1)
    assert nowhere["status"] == "failed" and "no function at line 2" in nowhere["message"]


async def test_generate_docstring_takes_a_similar_one_from_the_workspace_index(
    client: LanguageClient, workspace: Path
) -> None:
    index_a_clone_of_scale(workspace)
    await start(client, workspace)
    uri = open_file(client, workspace / "calc.py")
    result = await command(client, "codeintel.generateDocstring", uri=uri, function="scale")
    assert result["status"] == "applied", result
    assert result["message"].endswith("Multiply every value by factor. (from units.py:1)")
    (change,) = client.applied[0].document_changes
    new = apply((workspace / "calc.py").read_text(), change.edits)
    assert '    """Multiply every value by factor."""\n' in new


async def test_generate_tests_creates_a_test_file_that_passes(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace, {"budget": 8})
    uri = open_file(client, workspace / "shapes.py")
    result = await command(client, "codeintel.generateTests", uri=uri, function="area")
    assert result["status"] == "applied", result
    create, change = client.applied[0].document_changes
    target = workspace / "tests" / "test_shapes.py"
    assert create.kind == "create" and create.uri == target.as_uri()
    target.write_text(apply("", change.edits))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target)],
        cwd=workspace,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "def test_area" in target.read_text()
    (reports,) = client.progress_reports.values()
    kinds = [type(r).__name__ for r in reports]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert "WorkDoneProgressReport" in kinds
    assert any("sandbox runs" in (r.message or "") for r in reports[1:-1])


async def test_generate_tests_extends_an_existing_file(
    client: LanguageClient, workspace: Path
) -> None:
    await start(client, workspace, {"budget": 8})
    uri = open_file(client, workspace / "calc.py")
    result = await command(client, "codeintel.generateTests", uri=uri, function="scale")
    assert result["status"] == "applied", result
    (change,) = client.applied[0].document_changes
    test_file = workspace / "tests" / "test_calc.py"
    old = test_file.read_text()
    new = apply(old, change.edits)
    assert new.startswith(old)  # appended: nothing of the user's is rewritten
    assert new.count("def test_scale(") == 1  # a clashing name was renamed
    assert "def test_scale_" in new

"""The VS Code client's manifest agrees with the server: every setting it contributes
is one the server reads (or the client's own), with the server's default, and every
server command has a palette command. (The editor itself cannot run here.)"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

from codeintel.lsp.actions import ACTIONS
from codeintel.lsp.diagnostics import COMMAND as RUN_TESTS
from codeintel.lsp.settings import CLIENT_ONLY, KEYS, ServerSettings

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"
MANIFEST = json.loads((EXTENSION / "package.json").read_text())


def _settings() -> dict[str, dict]:
    properties = MANIFEST["contributes"]["configuration"]["properties"]
    return {key.removeprefix("codeintel.").partition(".")[0]: v for key, v in properties.items()}


def test_the_settings_are_the_servers() -> None:
    assert set(_settings()) == set(KEYS) | CLIENT_ONLY


def test_the_defaults_are_the_servers() -> None:
    defaults = {f.name: f.default for f in fields(ServerSettings)}
    for key, (name, _) in KEYS.items():
        default = _settings()[key]["default"]
        expected = defaults[name]
        assert (tuple(default) if isinstance(default, list) else default) == expected, key


def test_every_server_command_has_a_palette_command() -> None:
    source = (EXTENSION / "src" / "extension.ts").read_text()
    table = dict(re.findall(r'\["(codeintel\.editor\.\w+)", "(codeintel\.\w+)"\]', source))
    assert set(table.values()) == {*ACTIONS, RUN_TESTS}
    contributed = {c["command"] for c in MANIFEST["contributes"]["commands"]}
    assert set(table) <= contributed
    assert MANIFEST["activationEvents"] == ["onLanguage:python"]

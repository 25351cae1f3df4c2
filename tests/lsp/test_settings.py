"""Editor settings: camelCase keys, with or without the `codeintel` section."""

from __future__ import annotations

import pytest

from codeintel.errors import ConfigError
from codeintel.lsp.settings import ServerSettings, updated


def test_keys_apply_with_or_without_the_section() -> None:
    plain = updated(ServerSettings(), {"repairBudget": 5, "testFiles": ["spec_{module}.py"]})
    assert plain.repair_budget_s == 5.0 and plain.test_files == ("spec_{module}.py",)
    sectioned = updated(ServerSettings(), {"codeintel": {"repairBudget": 5, "serverPath": "x"}})
    assert sectioned.repair_budget_s == 5.0


def test_none_keeps_and_null_restores() -> None:
    changed = updated(ServerSettings(), {"sandboxMemoryMb": 256, "applyEdits": False})
    assert updated(changed, None) == changed
    restored = updated(changed, {"sandboxMemoryMb": None})
    assert restored.sandbox_memory_mb == ServerSettings().sandbox_memory_mb
    assert restored.apply_edits is False


@pytest.mark.parametrize(
    ("options", "names"),
    [
        ({"repairBudget": -1}, "repairBudget"),
        ({"repairBudget": True}, "repairBudget"),
        ({"applyEdits": "yes"}, "applyEdits"),
        ({"model": "  "}, "model"),
        ({"testFiles": ["tests/test_x.py"]}, "testFiles"),
        ({"testFiles": []}, "testFiles"),
        ({"nonsense": 1}, "nonsense"),
        ([1, 2], "must be an object"),
    ],
)
def test_a_bad_value_names_its_key(options, names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        updated(ServerSettings(), options)

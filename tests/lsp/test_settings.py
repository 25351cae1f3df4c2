"""Editor settings: camelCase keys, with or without the `codeintel` section."""

from __future__ import annotations

import pytest

from codeintel.errors import ConfigError
from codeintel.lsp.settings import ServerSettings, updated


def test_keys_apply_with_or_without_the_section() -> None:
    plain = updated(ServerSettings(), {"budget": 5, "testFiles": ["spec_{module}.py"]})
    assert plain.budget == 5.0 and plain.test_files == ("spec_{module}.py",)
    sectioned = updated(ServerSettings(), {"codeintel": {"budget": 5, "serverPath": "x"}})
    assert sectioned.budget == 5.0


def test_none_keeps_and_null_restores() -> None:
    changed = updated(ServerSettings(), {"memoryMb": 256, "applyEdits": False})
    assert updated(changed, None) == changed
    restored = updated(changed, {"memoryMb": None})
    assert restored.memory_mb == ServerSettings().memory_mb is None
    assert restored.apply_edits is False


@pytest.mark.parametrize(
    ("options", "names"),
    [
        ({"budget": -1}, "budget"),
        ({"budget": True}, "budget"),
        ({"samples": 0}, "samples"),
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


def test_each_setting_is_named_as_the_option_it_sets() -> None:
    from codeintel.lsp.settings import KEYS

    for key, (name, _) in KEYS.items():
        head, *rest = name.split("_")
        assert key == head + "".join(part.capitalize() for part in rest)


@pytest.mark.parametrize(
    ("old", "new"),
    [("repairBudget", "budget"), ("sandboxTimeout", "timeout"), ("bodySamples", "samples")],
)
def test_a_key_of_an_earlier_version_says_its_new_name(old: str, new: str) -> None:
    with pytest.raises(ConfigError, match=f"codeintel.{old} is now codeintel.{new}"):
        updated(ServerSettings(), {old: 1})

from __future__ import annotations

from pathlib import Path

import pytest

import parsers
from parsers.scopes import ParsedFile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "context"


@pytest.fixture(scope="session")
def inventory() -> ParsedFile:
    return parsers.parse((FIXTURES / "inventory.py").read_text(encoding="utf-8"), "python")


@pytest.fixture(scope="session")
def account() -> ParsedFile:
    return parsers.parse((FIXTURES / "Account.java").read_text(encoding="utf-8"), "java")

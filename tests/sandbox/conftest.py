"""Shared fixtures of the sandbox attack suite: both tiers, small limits, a guarded folder."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeintel.sandbox import Limits, SandboxConfig, Tier, detect_tier

LIMITS = Limits(
    timeout_s=3.0,
    cpu_s=3,
    memory_mb=1024,
    output_bytes=200_000,
    processes=64,
    file_size_mb=1,
    open_files=64,
)


@pytest.fixture(params=[Tier.BUBBLEWRAP, Tier.PROCESS], ids=["bwrap", "process"])
def config(request: pytest.FixtureRequest) -> SandboxConfig:
    if request.param is Tier.BUBBLEWRAP and detect_tier() is not Tier.BUBBLEWRAP:
        pytest.skip("bubblewrap tier not available here: detect_tier() is not BUBBLEWRAP")
    return SandboxConfig(limits=LIMITS, tier=request.param)


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Path]:
    """A folder of the caller's: every test checks it is byte-for-byte untouched."""
    root = tmp_path / "caller"
    root.mkdir()
    (root / "data.txt").write_text("precious\n")
    (root / "sub").mkdir()
    (root / "sub" / "more.bin").write_bytes(os.urandom(64))
    before = tree_hash(root)
    yield root
    assert tree_hash(root) == before, "the sandboxed run changed the caller's files"


def needs_containment(config: SandboxConfig, what: str, why: str) -> None:
    """Skip where the process tier (as root) cannot contain `what`."""
    if config.tier is Tier.PROCESS:
        pytest.skip(f"process tier does not contain {what}: {why}")

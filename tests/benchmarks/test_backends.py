"""The backends benchmark's measurement: request time split into the backend's and the
harness's, on a tiny in-process model built here."""

from __future__ import annotations

from benchmarks.backends import cursors, measure
from benchmarks.tiny_models import tiny_causal
from codeintel.models.causal import CausalModel


def test_the_harness_share_is_the_rest_of_each_request(tmp_path):
    points = cursors(3)
    assert len(points) == 3
    for source, line, column in points:
        text = source.split("\n")[line - 1]
        assert text[:column].strip() == "" and text[column:].strip()  # at the code's start
    model = CausalModel.load(tiny_causal(tmp_path / "starcoder2", "starcoder2"))
    report = measure(model, points)
    assert report["requests"] == 3
    for part in ("total_ms", "backend_ms", "overhead_ms"):
        assert report[part]["median"] >= 0 and report[part]["p95"] >= report[part]["median"]
    assert report["backend_ms"]["median"] > 0  # the model was called

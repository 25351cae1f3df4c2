"""The LSP benchmark: its percentiles, and (slow) one short scripted session."""

from __future__ import annotations

import pytest

from benchmarks import lsp
from benchmarks.metrics import latency_ms, percentile


def test_percentiles_are_of_the_values() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile([7.0], 0.95) == 7.0
    assert latency_ms([0.001, 0.002, 0.003]) == {"p50": 2.0, "p95": 2.9}


def test_the_edits_go_inside_a_function() -> None:
    text = "import x\n\nclass A:\n    def wrap(self, text):\n        return text\n"
    assert lsp._edit_line(text) == 4


@pytest.mark.slow
def test_a_short_session(capsys) -> None:
    assert lsp.main(["--edits", "3", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for kind in ("codeAction after didChange | 3 |", "Fix this function | 1 |", "cancel:"):
        assert kind in out
    assert "server exit code: 0" in out

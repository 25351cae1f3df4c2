"""`python -m benchmarks model` end to end, on the bundled checkpoint and a tiny training config."""

from pathlib import Path

import pytest

from benchmarks.model import main

TINY = """
data_dir = "."
out_dir = "."
d_model = 32
d_ff = 64
num_layers = 1
num_decoder_layers = 1
num_heads = 2
d_kv = 16
batch_tokens = 512
max_input_tokens = 64
max_target_tokens = 16
threads = 1
progress = false
"""


def test_model_benchmark_reports_latency_and_training_throughput(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "tiny.toml"
    config.write_text(TINY, encoding="utf-8")
    argv = [
        "--config",
        str(config),
        "--inputs",
        "1",
        "--batch-size",
        "1",
        "--max-new-tokens",
        "4",
        "--train-steps",
        "1",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "beam n=10 constrained to edits: ms per candidate" in out
    assert "| training tokens/s (1 steps) |" in out

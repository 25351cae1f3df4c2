"""CodeXGLUE code refinement: its folder layout read, pairs as fix examples, and a
Java fixer trained on it and scored, end to end with a tiny model."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from codeintel.errors import ConfigError, InputError
from codeintel.models import formats
from codeintel.models.refinement import fix_record, read_pairs
from tests.conftest_paths import FIXTURES

from .conftest import tiny_train_config

DATA = FIXTURES / "codexglue" / "refinement"


def test_pairs_are_read_line_by_line():
    pairs = read_pairs(DATA, "train")
    assert len(pairs) == 30
    buggy, fixed = pairs[0]
    assert buggy.startswith("public int METHOD_7") and buggy != fixed


def test_a_pair_is_a_fix_example_with_the_edit_as_target():
    buggy, fixed = read_pairs(DATA, "train")[0]
    record = fix_record(buggy, fixed)
    assert record["input"].startswith("fix: public int METHOD_7")
    edit = formats.decode_edit(record["target"])
    assert formats.apply_edit(buggy, edit) == fixed
    assert fix_record(fixed, fixed) is None


def test_files_whose_line_counts_differ_are_bad_input(tmp_path: Path):
    for suffix in ("buggy", "fixed"):
        shutil.copy(DATA / f"test.buggy-fixed.{suffix}", tmp_path / f"test.buggy-fixed.{suffix}")
    with (tmp_path / "test.buggy-fixed.fixed").open("a") as handle:
        handle.write("public void METHOD_1 ( ) { }\n")
    with pytest.raises(InputError, match=r"has 6 lines but test\.buggy-fixed\.fixed has 7"):
        read_pairs(tmp_path, "test")
    with pytest.raises(InputError, match="cannot read the valid pairs"):
        read_pairs(tmp_path, "valid")


def test_refinement_pairs_join_the_fine_tuning_examples(tiny_data: Path, tokenizer_dir: Path):
    from codeintel.models.tokenizer import CodeTokenizer
    from codeintel.models.training import load_data

    tokenizer = CodeTokenizer(tokenizer_dir)
    config = tiny_train_config(tiny_data, tiny_data / "unused")
    alone = load_data(config, tokenizer).finetune.examples["fix"]
    mixed = load_data(replace(config, refinement_data=(DATA,)), tokenizer).finetune.examples
    assert len(mixed["fix"]) == len(alone) + 30
    with pytest.raises(ConfigError, match="refinement_data"):
        load_data(replace(config, refinement_data=(tiny_data / "none",)), tokenizer)


def test_a_java_fixer_trains_on_the_folder_and_is_scored(tiny_data: Path, tmp_path: Path, capsys):
    from benchmarks.refinement import main
    from codeintel.models.training import train

    out = tmp_path / "java-fixer"
    config = tiny_train_config(tiny_data, out, pretrain_steps=4, finetune_steps=12)
    train(replace(config, refinement_data=(DATA,)))
    assert "refinement train pairs" in (out / "MODEL_CARD.md").read_text()
    assert main(["--data", str(DATA), "--model", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["methods"] == 6 and report["copy_baseline_scores"]["exact_match"] == 0.0
    assert report["model_scores"]["bleu4"] > 0.0  # every method got a prediction


def test_the_runner_reports_bad_folders_as_exit_2(tmp_path: Path, capsys):
    from benchmarks.refinement import main

    assert main(["--data", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("refinement: cannot read the test pairs")

import json
from dataclasses import replace
from pathlib import Path

import pytest

from codeintel.errors import ConfigError
from codeintel.models import DecodeMode, GenerationConfig, load_model
from codeintel.models.train_config import load_train_config
from codeintel.models.training import LOG_FILE, STATE_FILE, resolve_device, train

from .conftest import tiny_train_config


def _events(out: Path, kind: str) -> list[dict]:
    lines = (out / LOG_FILE).read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == kind]


def test_training_smoke_loss_falls_reloads_and_resumes(tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    config = tiny_train_config(tiny_data, out, pretrain_steps=10, finetune_steps=20)
    result = train(config)
    assert result.step == 30
    train_losses = [e["loss"] for e in _events(out, "train")]
    assert train_losses[-1] < train_losses[0]
    assert _events(out, "start")[0]["parameters"] == result.parameters
    evals = _events(out, "eval")
    assert evals and "loss_fix" in evals[-1] and "exact_match_fix" in evals[-1]
    assert (out / STATE_FILE).is_file() and (out / "MODEL_CARD.md").is_file()
    model = load_model(str(out))
    assert model.num_parameters == result.parameters
    assert model.max_input_tokens == config.max_input_tokens  # the trained length, not 512
    assert model.generate(["fix: def f(): retrun 1"])[0]
    assert model.max_target_tokens == config.max_target_tokens  # generation stops there
    asked = []
    hf_generate = model.model.generate
    model.model.generate = lambda **kw: asked.append(kw["max_new_tokens"]) or hf_generate(**kw)
    model.generate(["fix: x"], GenerationConfig(n=2, mode=DecodeMode.SAMPLE, max_new_tokens=500))
    assert asked == [config.max_target_tokens]

    # Resume: a longer run continues from the saved step, not from zero.
    longer = tiny_train_config(tiny_data, out, pretrain_steps=10, finetune_steps=25, resume=True)
    resumed = train(longer)
    assert resumed.step == 35
    assert _events(out, "resume")[-1]["step"] == 30
    assert [e["step"] for e in _events(out, "train")][-1] == 35
    # tokens seen carry over the resume: the resumed run's count includes the first run's
    assert resumed.tokens_seen > result.tokens_seen > 0
    assert _events(out, "train")[-1]["tokens_seen"] == resumed.tokens_seen


def test_resume_is_exact(tiny_data: Path, tmp_path: Path) -> None:
    straight = train(
        tiny_train_config(
            tiny_data,
            tmp_path / "a",
            pretrain_steps=6,
            finetune_steps=6,
            save_every=4,
            eval_every=100,
        )
    )
    split = tmp_path / "b"
    train(
        tiny_train_config(
            tiny_data, split, pretrain_steps=6, finetune_steps=6, save_every=4, eval_every=100
        ),
        stop_at=9,
    )
    resumed = train(
        tiny_train_config(
            tiny_data,
            split,
            pretrain_steps=6,
            finetune_steps=6,
            save_every=4,
            eval_every=100,
            resume=True,
        )
    )
    assert resumed.step == straight.step == 12
    assert resumed.last_loss == pytest.approx(straight.last_loss, rel=1e-5)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_config_parses_toml_and_json(tmp_path: Path) -> None:
    toml = _write(
        tmp_path,
        "c.toml",
        'data_dir = "d"\nout_dir = "o"\nd_model = 64\n[task_weights]\nfix = 3\ndoc = 0.5\n',
    )
    config = load_train_config(toml)
    assert config.d_model == 64 and config.task_weights == {"fix": 3.0, "doc": 0.5}
    js = _write(tmp_path, "c.json", json.dumps({"data_dir": "d", "out_dir": "o", "lr": 1}))
    assert load_train_config(js).lr == 1.0
    extra = _write(tmp_path, "e.toml", 'data_dir = "d"\nout_dir = "o"\nextra_data = ["a", "b"]\n')
    assert load_train_config(extra).extra_data == (Path("a"), Path("b"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'data_dir = "d"\nout_dir = "o"\nbogus = 1\nalso_bad = 2\n',
            "bogus, also_bad|also_bad, bogus",
        ),
        ('data_dir = "d"\n', "missing keys: out_dir"),
        ('data_dir = "d"\nout_dir = "o"\nd_model = "big"\n', "d_model"),
        ('data_dir = "d"\nout_dir = "o"\nresume = 1\n', "resume"),
        ('data_dir = "d"\nout_dir = "o"\nnum_layers = 0\n', "num_layers"),
        ("data_dir = = \n", "not valid toml"),
        ('data_dir = "d"\nout_dir = "o"\ndevice = "tpu"\n', "device must be"),
        ('data_dir = "d"\nout_dir = "o"\ndata_workers = -1\n', "data_workers"),
        ('data_dir = "d"\nout_dir = "o"\nextra_data = "a"\n', "extra_data"),
        ('data_dir = "d"\nout_dir = "o"\nextra_data = [1]\n', "extra_data"),
    ],
)
def test_config_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_train_config(_write(tmp_path, "c.toml", text))


def test_extra_data_joins_the_fine_tuning_examples(
    tiny_data: Path, tokenizer_dir: Path, tmp_path: Path
) -> None:
    from codeintel.models.tokenizer import CodeTokenizer
    from codeintel.models.training import load_data

    extra = tmp_path / "traced"
    (extra / "examples" / "train").mkdir(parents=True)
    record = {"task": "fix", "input": "fix: def f():\n    return 0", "target": "<edit>0<to>1"}
    (extra / "examples" / "train" / "traced-00000.jsonl").write_text(json.dumps(record) + "\n")
    tokenizer = CodeTokenizer(tokenizer_dir)
    config = tiny_train_config(tiny_data, tmp_path / "out")
    alone = load_data(config, tokenizer).finetune.examples
    mixed = load_data(replace(config, extra_data=(extra,)), tokenizer).finetune.examples
    assert len(mixed["fix"]) == len(alone["fix"]) + 1
    assert {t: len(e) for t, e in mixed.items() if t != "fix"} == {
        t: len(e) for t, e in alone.items() if t != "fix"
    }
    with pytest.raises(ConfigError, match="no examples/train"):
        load_data(replace(config, extra_data=(tmp_path / "none",)), tokenizer)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nothere\.toml"):
        load_train_config(tmp_path / "nothere.toml")


@pytest.fixture()
def cli_main(monkeypatch: pytest.MonkeyPatch):
    """codeintel.cli.main with only `train` registered (other commands belong to other modules)."""
    from codeintel import cli

    monkeypatch.setattr(cli, "COMMANDS", {"train": cli.COMMANDS["train"]})
    return cli.main


def test_cli_train(
    cli_main, tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main = cli_main

    out = tmp_path / "cli-run"
    config = _write(
        tmp_path,
        "tiny.toml",
        "\n".join(
            [
                f'data_dir = "{tiny_data}"',
                f'out_dir = "{out}"',
                "vocab_size = 700",
                "d_model = 32",
                "d_ff = 64",
                "num_layers = 1",
                "num_decoder_layers = 1",
                "num_heads = 2",
                "d_kv = 16",
                "pretrain_steps = 3",
                "finetune_steps = 3",
                "batch_tokens = 512",
                "max_input_tokens = 48",
                "max_target_tokens = 24",
                "eval_every = 6",
                "eval_examples = 2",
                "eval_generate = 1",
                "save_every = 6",
                "threads = 1",
                "progress = false",
            ]
        )
        + "\n",
    )
    assert main(["train", str(config)]) == 0
    assert json.loads(capsys.readouterr().out)["step"] == 6
    assert (out / "model.safetensors").is_file()
    # extend the finished run: 3 pretraining + 5 fine-tuning steps in all
    assert main(["train", str(config), "--resume", "--finetune-steps", "5"]) == 0
    assert json.loads(capsys.readouterr().out)["step"] == 8
    assert main(["train", str(config), "--finetune-steps", "-1"]) == 2
    assert "finetune_steps" in capsys.readouterr().err


def test_cli_train_bad_config_exits_2(
    cli_main, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main = cli_main

    assert main(["train", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err


def test_device_auto_follows_torch_and_a_missing_gpu_is_a_config_error() -> None:
    import torch

    if torch.cuda.is_available():
        assert resolve_device("auto") == "cuda"
    else:
        assert resolve_device("auto") == "cpu"
        with pytest.raises(ConfigError, match="no CUDA GPU"):
            resolve_device("cuda")
    assert resolve_device("cpu") == "cpu"


def test_a_loss_that_is_not_finite_stops_training_with_a_clear_error(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from codeintel.errors import ModelError
    from codeintel.models.training import Trainer

    real_step = Trainer.train_step

    def step(self, batch):  # a real step whose loss then reads as NaN from step 7 on
        loss = real_step(self, batch)
        return loss * torch.nan if self.step >= 7 else loss

    monkeypatch.setattr(Trainer, "train_step", step)
    out = tmp_path / "run"
    with pytest.raises(ModelError, match=r"diverged.*step 10"):
        train(tiny_train_config(tiny_data, out, pretrain_steps=10, finetune_steps=20))
    assert _events(out, "diverged")[0]["step"] == 10
    assert not _events(out, "save")  # the NaN weights were not saved


def test_progress_is_called_every_step_with_a_read_loss(tiny_data: Path, tmp_path: Path) -> None:
    import math

    calls: list[tuple[int, float]] = []
    config = tiny_train_config(tiny_data, tmp_path / "run", pretrain_steps=4, finetune_steps=8)
    result = train(config, lambda step, loss, rate: calls.append((step, loss)))
    assert [step for step, _ in calls] == list(range(1, 13))
    assert all(math.isfinite(loss) and loss > 0 for _, loss in calls)
    assert calls[-1][1] == result.last_loss  # the last step's loss is read at its log line


def test_init_from_starts_from_a_checkpoint(tiny_data: Path, tmp_path: Path) -> None:
    import torch
    from transformers import T5ForConditionalGeneration

    from codeintel.errors import ModelError
    from codeintel.models.training import Trainer, load_data, prepare_tokenizer

    first = tiny_train_config(tiny_data, tmp_path / "first", pretrain_steps=4, finetune_steps=4)
    train(first)
    start = T5ForConditionalGeneration.from_pretrained(str(first.out_dir)).state_dict()
    config = tiny_train_config(
        tiny_data, tmp_path / "second", tokenizer=str(first.out_dir), init_from=first.out_dir
    )
    tokenizer = prepare_tokenizer(config)
    trainer = Trainer(config, tokenizer, load_data(config, tokenizer))
    for name, tensor in trainer.model.state_dict().items():
        assert torch.equal(tensor, start[name]), name
    wider = replace(config, d_model=48)
    with pytest.raises(ModelError, match="dims differ"):
        Trainer(wider, tokenizer, load_data(wider, tokenizer))
    with pytest.raises(ModelError, match="not a readable checkpoint"):
        Trainer(replace(config, init_from=tmp_path), tokenizer, load_data(config, tokenizer))

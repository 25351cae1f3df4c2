"""Causal code models in-process: tiny random-weight checkpoints of four real families
(GPT-2, Llama, Qwen2, StarCoder2) built here, with tokenizers that carry each family's
FIM tokens or a chat template; the FIM prompts byte for byte; the model spec's
precedence and its errors. Outputs are random: the tests assert the pipeline."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from codeintel.errors import ModelError
from codeintel.models import fim
from codeintel.models.causal import CausalGeneration, CausalModel, cut
from codeintel.models.spec import ModelKind, choose_model, folder_kind, resolve
from tests.models.conftest import FAMILIES, tiny_causal


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def checkpoint(request, tmp_path_factory) -> tuple[str, Path]:

    family = request.param
    return family, tiny_causal(tmp_path_factory.mktemp(family), family)


def test_the_fim_prompts_byte_for_byte():
    prefix, suffix = "def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n"
    expected = {
        "starcoder": f"<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
        "qwen": f"<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
        "deepseek": f"<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>",
        "codellama": f"<PRE> {prefix} <SUF>{suffix} <MID>",
        "codestral": f"[SUFFIX]{suffix}[PREFIX]{prefix}",
    }
    assert {n: t.render(prefix, suffix) for n, t in fim.TEMPLATES.items()} == expected
    braces = fim.TEMPLATES["qwen"].render("{suffix}", "{prefix}")  # no second substitution
    assert braces == "<|fim_prefix|>{suffix}<|fim_suffix|>{prefix}<|fim_middle|>"


def test_the_template_is_told_by_the_special_tokens_and_can_be_overridden():
    assert fim.detect(["<s>", "<｜fim▁begin｜>", "<｜fim▁hole｜>"]).name == "deepseek"
    assert fim.detect(["▁<PRE>", "▁<SUF>"]).name == "codellama"  # sentencepiece's marker
    assert fim.detect(["[SUFFIX]", "[PREFIX]"]).name == "codestral"
    assert fim.detect(["<|endoftext|>"]) is None
    assert fim.detect(["<fim_prefix>"], override="qwen").name == "qwen"
    assert fim.detect(["<fim_prefix>"], override="none") is None
    with pytest.raises(ModelError, match="unknown FIM template 'sfim'"):
        fim.detect([], override="sfim")


def test_each_family_loads_generates_fills_chats_and_scores(checkpoint):
    family, folder = checkpoint
    _, chat, template = FAMILIES[family]
    assert folder_kind(folder) is ModelKind.CAUSAL
    model = CausalModel.load(folder)
    caps = model.capabilities
    assert (caps.fim, caps.chat, caps.scores, caps.context_length) == (
        template,
        chat is not None,
        True,
        256,
    )
    prompt = "def add(a, b):\n    return "
    sampled = model.generate([prompt], CausalGeneration(n=3, temperature=0.9, max_new_tokens=8))
    (found,) = sampled
    assert len(found) == 3 and all(isinstance(g.text, str) for g in found)
    assert all(g.logprob <= 0 and math.isfinite(g.logprob) for g in found)
    greedy = CausalGeneration(max_new_tokens=8)
    assert model.generate([prompt], greedy) == model.generate([prompt], greedy)  # deterministic
    stopped = model.generate([prompt], CausalGeneration(max_new_tokens=8, stop=("a", "e", " ")))
    assert not any(s in stopped[0][0].text for s in ("a", "e", " "))
    (middle,) = model.fill_in_middle(prompt, "\n", greedy)
    if template is None:  # plain prefix: the suffix cannot be seen
        assert middle == model.generate([prompt], greedy)[0][0]
    else:
        rendered = model.template.render(prompt, "\n")
        stops = CausalGeneration(max_new_tokens=8, stop=model.template.stops)
        assert middle == model.generate([rendered], stops)[0][0]  # the family's prompt
    scores = model.score(prompt, ["a + b", "a - b"])
    assert len(scores) == 2 and all(s < 0 and math.isfinite(s) for s in scores)
    if chat:
        text = model.chat_prompt([{"role": "user", "content": "Fix add."}])
        assert text == "<|im_start|>user\nFix add.<|im_end|>\n<|im_start|>assistant\n"
        assert len(model.chat([{"role": "user", "content": "hi"}], greedy)) == 1
    else:
        with pytest.raises(ModelError, match="no chat template"):
            model.chat_prompt([{"role": "user", "content": "Fix add."}])


def test_greedy_decoding_of_several_is_refused_and_cut_stops_at_the_first():
    with pytest.raises(ModelError, match="n must be 1"):
        CausalGeneration(n=2)
    assert cut("return a\n\ndef g", ("\ndef", "\n\n")) == "return a"
    assert cut("x", ()) == "x"


def test_the_spec_precedence_and_its_errors(tmp_path, checkpoint):
    _, folder = checkpoint
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        f'[tool.codeintel]\nmodel = "{folder}"\nmodel-name = "from-project"\n'
    )
    url = "http://127.0.0.1:8000/v1/"
    env = {"CODEINTEL_MODEL": url, "CODEINTEL_MODEL_NAME": "from-env"}
    assert choose_model(project_root=project, env={}).location == str(folder)
    assert choose_model(project_root=project, env={}).served_name == "from-project"
    spec = choose_model(project_root=project, env=env)
    assert (spec.kind, spec.location, spec.served_name, spec.source) == (
        ModelKind.HTTP,
        "http://127.0.0.1:8000/v1",
        "from-env",
        "CODEINTEL_MODEL",
    )
    given = choose_model(str(folder), "mine", project_root=project, env=env)
    assert (given.kind, given.served_name, given.source) == (ModelKind.CAUSAL, "mine", "--model")
    assert choose_model(env={}).kind is ModelKind.SEQ2SEQ  # the bundled default
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"has no config\.json"):
        resolve(str(tmp_path / "empty"))
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(ModelError, match="neither a seq2seq nor a causal"):
        resolve(str(tmp_path / "odd"))


def test_the_tasks_loader_refuses_what_it_cannot_serve_in_one_line(checkpoint):
    from codeintel.models import load_model

    _, folder = checkpoint
    with pytest.raises(ModelError, match="causal model") as caught:
        load_model(str(folder))
    assert "\n" not in str(caught.value)
    with pytest.raises(ModelError, match="server URL") as caught:
        load_model("http://localhost:11434/v1")
    assert "http:/localhost" not in str(caught.value)  # the URL as given, not a path


def test_a_prompt_longer_than_the_context_is_cut_from_its_start(checkpoint):
    _, folder = checkpoint
    model = CausalModel.load(folder)
    long = "x = 1\n" * 400  # far over 256 positions
    (found,) = model.generate([long], CausalGeneration(max_new_tokens=300))
    assert len(found) == 1 and isinstance(found[0].text, str)
    (score,) = model.score(long, ["y = 2"])
    assert math.isfinite(score)

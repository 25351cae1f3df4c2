"""The bundled default checkpoint: present, small, documented, and usable offline."""

from codeintel.models import (
    DEFAULT_MODEL,
    WEIGHTS_DIR,
    DecodeMode,
    GenerationConfig,
    formats,
    load_model,
)

FUNCTION = "def inc(x):\n    return x - 1"


def test_bundled_default_is_small_and_has_a_model_card():
    folder = WEIGHTS_DIR / DEFAULT_MODEL
    card = (folder / "MODEL_CARD.md").read_text()
    assert "parameters" in card and "Held-out scores" in card
    assert sum(p.stat().st_size for p in folder.iterdir()) < 50 * 1024 * 1024


def test_bundled_default_loads_generates_and_scores(monkeypatch):
    monkeypatch.delenv("CODEINTEL_MODEL", raising=False)
    model = load_model()
    assert model.path == WEIGHTS_DIR / DEFAULT_MODEL
    text = formats.fix_input(FUNCTION, None, "")
    config = GenerationConfig(n=2, mode=DecodeMode.BEAM, max_new_tokens=12)
    (candidates,) = model.generate([text], config)
    assert 1 <= len(candidates) <= 2
    assert all(c.logprob < 0 for c in candidates)
    assert candidates == tuple(sorted(candidates, key=lambda c: -c.logprob))
    target = formats.encode_edit(formats.Edit("-", "+"))
    (score,) = model.score(text, [target])
    assert score < 0

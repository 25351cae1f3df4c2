"""The model loading alongside a repair (`codeintel.models.loading`)."""

from __future__ import annotations

import sys
import threading

import pytest

from codeintel.errors import ModelError
from codeintel.models.loading import ModelHandle


def test_a_missing_checkpoint_fails_at_once(tmp_path):
    with pytest.raises(ModelError, match="nothere"):
        ModelHandle.start_loading(tmp_path / "nothere")


def test_a_loaded_model_is_ready_and_given_back():
    model = object()
    handle = ModelHandle(model)
    assert handle.ready() and handle.get() is model


def test_a_background_load_is_ready_when_it_ends_and_restores_the_switch_interval():
    release, before = threading.Event(), sys.getswitchinterval()
    handle = ModelHandle.in_background(lambda: release.wait(10) and "model")
    assert not handle.ready()
    release.set()
    assert handle.get() == "model" and handle.ready()
    assert sys.getswitchinterval() == before


def test_a_failed_background_load_raises_in_the_caller():
    def broken():
        raise ModelError("cannot load model checkpoint x")

    handle = ModelHandle.in_background(broken)
    with pytest.raises(ModelError, match="cannot load"):
        handle.get()

from __future__ import annotations

from data_pipelines.config import BuildConfig, Split
from data_pipelines.dedup import minhash
from data_pipelines.split import cross_split_twins, split_of

F = "def f(a, b):\n    total = a + b\n    values = [total, a, b]\n    return sorted(values)[0]\n"
NEAR = F.replace("sorted(values)[0]", "sorted(values)[1]")
OTHER = "def g(text):\n    return text.upper().strip() + '!'\n"


def test_split_is_a_function_of_the_package_name() -> None:
    ratios = (0.9, 0.05, 0.05)
    assert split_of("shapes", ratios) is Split.VALID  # fixed by the hash, every build
    assert split_of("clone", ratios) is Split.TRAIN
    assert split_of("broken", ratios) is Split.TEST
    assert split_of("anything", (1.0, 0.0, 0.0)) is Split.TRAIN
    names = [f"pkg{i}" for i in range(2000)]
    share = sum(split_of(n, ratios) is Split.TRAIN for n in names) / len(names)
    assert 0.87 < share < 0.93


def test_near_twins_across_splits_leave_valid_and_test() -> None:
    config = BuildConfig(near_dup_threshold=0.7)
    sigs = {
        "train_f": minhash(F, 64),
        "valid_near": minhash(NEAR, 64),
        "test_near": minhash(NEAR, 64),
        "valid_other": minhash(OTHER, 64),
        "test_other": minhash(OTHER, 64),
        "train_other_copy": minhash(OTHER + " ", 64),
    }
    splits = {
        "train_f": Split.TRAIN,
        "valid_near": Split.VALID,
        "test_near": Split.TEST,
        "valid_other": Split.VALID,
        "test_other": Split.TEST,
        "train_other_copy": Split.TRAIN,
    }
    assert cross_split_twins(sigs, splits, config) == {
        "valid_near",
        "test_near",
        "valid_other",
        "test_other",
    }
    same_split = {"a": minhash(F, 64), "b": minhash(NEAR, 64)}
    assert cross_split_twins(same_split, {"a": Split.TEST, "b": Split.TEST}, config) == set()

from running_mean import running_max, running_mean


def test_running_mean():
    assert running_mean([2, 4, 6]) == [2.0, 3.0, 4.0]


def test_running_mean_empty():
    assert running_mean([]) == []


def test_running_max():
    assert running_max([1, 3, 2]) == [1, 3, 3]

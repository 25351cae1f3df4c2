"""Running statistics over a stream of numbers (the README's repair example)."""


def running_mean(values):
    """Return the mean of values[:1], values[:2], ... as a list."""
    means = []
    total = 0.0
    for count, value in enumerate(values, start=0):
        total += value
        means.append(total / count)
    return means


def running_max(values):
    """Return the maximum of values[:1], values[:2], ... as a list."""
    best, maxima = None, []
    for value in values:
        if best is None or value > best:
            best = value
        maxima.append(best)
    return maxima

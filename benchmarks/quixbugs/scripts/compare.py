"""Run in the sandbox by `checker.check_patch` as qb_script.py: the correct and the
patched program on each input, each call with its own copy of the arguments and a time
limit; the results as canonical JSON after the marker.

    python qb_script.py NAME CALL_SECONDS MARKER

qb_inputs.txt holds one argument list a line as a Python literal, so tuples, sets and
dicts keyed by tuples reach the programs as they are (JSON cannot hold them).
"""

import ast
import copy
import importlib.util
import inspect
import itertools
import json
import math
import signal
import sys


class CallTimeout(BaseException):
    pass


def on_alarm(signum, frame):
    raise CallTimeout()


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def canon(v):
    """A JSON rendering of a result: sets and dicts as sorted lists, so any key works."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, (list, tuple)):
        return [canon(x) for x in v]
    if isinstance(v, (set, frozenset)):
        return sorted((canon(x) for x in v), key=repr)
    if isinstance(v, dict):
        return sorted(([canon(k), canon(x)] for k, x in v.items()), key=repr)
    if inspect.isgenerator(v) or hasattr(v, "__next__"):
        return ["<iterator>", [canon(x) for x in itertools.islice(v, 1000)]]
    return repr(v)


def call(function, args, limit):
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return {"value": canon(function(*args))}
    except CallTimeout:
        return {"timeout": True}
    except RecursionError:
        return {"raised": "RecursionError"}
    except Exception as exc:
        return {"raised": type(exc).__name__}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main():
    name, limit, marker = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    sys.path.insert(0, ".")
    sys.setrecursionlimit(3000)
    correct = getattr(load(f"correct_python_programs/{name}.py", "qb_correct"), name)
    patched = getattr(load(f"python_programs/{name}.py", "qb_patched"), name)
    with open("qb_inputs.txt", encoding="utf-8") as lines:
        inputs = [ast.literal_eval(line) for line in lines if line.strip()]
    results = [
        [call(correct, copy.deepcopy(a), limit), call(patched, copy.deepcopy(a), limit)]
        for a in inputs
    ]
    sys.stdout.write("\n" + marker + json.dumps(results) + "\n")


if __name__ == "__main__":
    main()

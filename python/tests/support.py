"""Shared test fixtures: the recorded reports and the fake binary."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
RECORDED = os.path.join(HERE, "recorded")
FAKE = os.path.join(HERE, "fake_sim_cascade.py")


def recorded(name: str) -> dict:
    with open(os.path.join(RECORDED, f"{name}.json")) as f:
        return json.load(f)


class Environment:
    """Sets variables for a block and puts back what was there."""

    def __init__(self, **values: str):
        self.values = values

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in self.values}
        os.environ.update(self.values)

    def __exit__(self, *_):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class FakeBinary:
    """Environment for the fake binary: a recorded report, an exit status, a sleep."""

    def __init__(self, report: str | None = "valid", exit: int = 0, sleep: float | None = None, pids: str | None = None,
                 argv: str | None = None, parent: str | None = None):
        self.env = {"FAKE_REPORT": os.path.join(RECORDED, f"{report}.json") if report else "", "FAKE_EXIT": str(exit)}
        if sleep is not None:
            self.env["FAKE_SLEEP"] = str(sleep)
            self.env["FAKE_PIDS"] = pids
        if argv:
            self.env["FAKE_ARGV"] = argv
        if parent:
            self.env["FAKE_PARENT"] = parent

    def __enter__(self):
        self.environment = Environment(**self.env)
        self.environment.__enter__()
        return FAKE

    def __exit__(self, *exc):
        self.environment.__exit__(*exc)

def read_text(path: str) -> str:
    with open(path) as f:
        return f.read()

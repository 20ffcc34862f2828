"""SkyDiscover: a Python `evaluate(program_path)` like OpenEvolve's, and the shell form
`evaluate.sh SOLUTION train|test`, which prints `{"status", "combined_score", "metrics",
"artifacts"}`. `train` is the calibrated cascade on the search inputs; `test` is the fine level
on the problem's held-out inputs (never seen in search), relative to the template there.

    python -m sim_cascade.skydiscover --problem spot SOLUTION train
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from typing import Any, Sequence

from .evaluator import DEFAULT_TIMEOUT, Evaluator
from .result import Evaluation
from .runner import SimCascadeError

#: `eval` options of each split.
SPLITS = {"train": [], "test": ["--held-out", "--level", "fine"]}


def to_skydiscover(evaluation: Evaluation) -> dict[str, Any]:
    """The shell form's JSON object."""
    artifacts = dict(evaluation.artifacts)
    if evaluation.build_id:
        artifacts["build_id"] = evaluation.build_id
    return {"status": "success" if evaluation.valid else "error", "combined_score": evaluation.combined_score,
            "metrics": {**evaluation.metrics, **evaluation.timings}, "artifacts": artifacts}


def make_evaluate(problem: str, split: str = "train", **options: Any):
    """`evaluate(program_path) -> {"combined_score", ...metrics}` for SkyDiscover's Python form."""
    bridge = Evaluator(problem, **options)

    def evaluate(program_path: str) -> dict[str, float]:
        evaluation = bridge.evaluate_file(program_path, args=SPLITS[split])
        return {"combined_score": evaluation.combined_score, **evaluation.metrics, **evaluation.timings}

    return evaluate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim_cascade.skydiscover",
                                     description="SkyDiscover evaluator: sim-cascade eval of one solution.")
    parser.add_argument("--problem", default=os.environ.get("SIM_CASCADE_PROBLEM"))
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("--template", help="the template file, for --check-outside-block")
    parser.add_argument("--check-outside-block", action="store_true")
    parser.add_argument("--eval-args", default="", help="more sim-cascade eval options, as one shell-quoted string (write --eval-args=\"--opt\")")
    parser.add_argument("solution")
    parser.add_argument("split", nargs="?", default="train", choices=sorted(SPLITS))
    options = parser.parse_args(argv)
    if not options.problem:
        parser.error("--problem is required (or SIM_CASCADE_PROBLEM)")
    try:
        bridge = Evaluator(options.problem, template_path=options.template, timeout=options.timeout,
                           check_outside_block=options.check_outside_block, args=shlex.split(options.eval_args))
        evaluation = bridge.evaluate_file(options.solution, args=SPLITS[options.split])
    except SimCascadeError as error:
        print(f"sim-cascade-skydiscover: {error}", file=sys.stderr)
        return error.status if error.status in (2, 3) else 3
    print(json.dumps(to_skydiscover(evaluation), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""ShinkaEvolve: `python -m sim_cascade.shinka --problem P --program_path P --results_dir D`.

Writes `metrics.json` (`combined_score`, `public`, `private`, `text_feedback`) and
`correct.json` (`correct`, `error`) into the results folder; ShinkaEvolve counts a missing file
as incorrect. ShinkaEvolve supports `.swift` programs with `//` EVOLVE-BLOCK markers natively.
Exit status 0 after an evaluation (valid or not); 2 or 3 when sim-cascade could not evaluate
(bad input, this machine), with no files written — a broken setup is not a bad candidate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from .evaluator import DEFAULT_TIMEOUT, Evaluator
from .result import Evaluation
from .runner import SimCascadeError

def shinka_files(evaluation: Evaluation) -> tuple[dict, dict]:
    """`(metrics.json, correct.json)` contents."""
    # The problem's figures are shown to the model; the seconds and the build id are not.
    public: dict = dict(evaluation.metrics)
    private: dict = dict(evaluation.timings)
    if evaluation.build_id:
        private["build_id"] = evaluation.build_id
    if evaluation.rejected_at:
        public["rejected_at"] = evaluation.rejected_at
    metrics = {"combined_score": evaluation.combined_score, "public": public, "private": private,
               "text_feedback": evaluation.text_feedback}
    correct = {"correct": evaluation.valid, "error": evaluation.error}
    return metrics, correct


def write_results(evaluation: Evaluation, results_dir: str) -> None:
    """Writes both files, each whole or not at all (a temporary file renamed into place)."""
    os.makedirs(results_dir, exist_ok=True)
    metrics, correct = shinka_files(evaluation)
    for name, value in (("metrics.json", metrics), ("correct.json", correct)):
        path = os.path.join(results_dir, name)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(value, f, indent=2, sort_keys=True)
        os.replace(path + ".tmp", path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim_cascade.shinka",
                                     description="ShinkaEvolve evaluator: sim-cascade eval of one program.")
    parser.add_argument("--problem", default=os.environ.get("SIM_CASCADE_PROBLEM"), help="spot, spot-multi, eplb, prefix, txn")
    parser.add_argument("--program_path", required=True)
    parser.add_argument("--results_dir", required=True)
    parser.add_argument("--template", help="the template file, for --check-outside-block")
    parser.add_argument("--check-outside-block", action="store_true",
                        help="score 0 a program that changed anything outside its template's EVOLVE-BLOCK")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("eval_args", nargs=argparse.REMAINDER, help="after --: more sim-cascade eval options")
    options = parser.parse_args(argv)
    if not options.problem:
        parser.error("--problem is required (or SIM_CASCADE_PROBLEM)")
    extra = options.eval_args[1:] if options.eval_args[:1] == ["--"] else options.eval_args
    try:
        evaluator = Evaluator(options.problem, template_path=options.template, timeout=options.timeout,
                              check_outside_block=options.check_outside_block, args=extra)
        evaluation = evaluator.evaluate_file(options.program_path)
    except SimCascadeError as error:
        print(f"sim-cascade-shinka: {error}", file=sys.stderr)
        return error.status if error.status in (2, 3) else 3
    write_results(evaluation, options.results_dir)
    print(f"combined_score {evaluation.combined_score:.6g}" + ("" if evaluation.valid else f" ({evaluation.error})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

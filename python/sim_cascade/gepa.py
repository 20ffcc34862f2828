"""GEPA's `optimize_anything`: an evaluator `(candidate[, example]) -> (score, side_info)`.

GEPA rewrites whole texts and maximises the score. The candidate is the body of the
template's EVOLVE-BLOCK (spliced into it) or a whole program; as a dict, its `program` entry
(or its only one). The score is `combined_score` (template = 1.0, failures 0.0); the side
information shown to the model holds the failure, the stages and the problem's worst cases.

Where a problem has instances (input files: eplb load histories, prefix tables, txn workload
files, spot scenario files), pass them as GEPA's `dataset`: each example is a path (or a dict
with `input`) and is scored alone with `eval --input EXAMPLE`, relative to the template on
that instance. `make_batch_evaluator` takes GEPA's grouped `(candidate, example)` pairs.

    from sim_cascade.gepa import make_evaluator
    result = gepa.optimize_anything(seed_candidate=template_block("spot"), evaluator=make_evaluator("spot"), ...)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from . import evolve_block
from .evaluator import DEFAULT_TIMEOUT, Evaluator, template_of
from .result import Evaluation


def template_block(problem: str, binary: str | None = None) -> str:
    """The body of the template's EVOLVE-BLOCK: a seed candidate for GEPA."""
    return evolve_block.split(template_of(problem, binary))[1]


def _text(candidate: Any) -> str:
    if isinstance(candidate, str):
        return candidate
    if isinstance(candidate, dict):
        if "program" in candidate:
            return str(candidate["program"])
        if len(candidate) == 1:
            return str(next(iter(candidate.values())))
    raise TypeError("a candidate is a text, or a dict with a 'program' entry (or only one entry)")


def _example_args(example: Any) -> list[str]:
    if example is None:
        return []
    if isinstance(example, dict) and "input" in example:
        return ["--input", str(example["input"])]
    if isinstance(example, str):
        return ["--input", example]
    raise TypeError("an example is an input file's path, or a dict with an 'input' entry")


def side_info(evaluation: Evaluation) -> dict[str, Any]:
    """What GEPA shows the reflection model."""
    info: dict[str, Any] = {"valid": evaluation.valid, "combined_score": evaluation.combined_score,
                            "metrics": dict(evaluation.metrics), "seconds": dict(evaluation.timings)}
    if evaluation.error:
        info["failure"] = evaluation.error
    if evaluation.rejected_at:
        info["rejected_at"] = evaluation.rejected_at
    for key, value in evaluation.artifacts.items():
        if key not in ("failure", "rejected_at"):
            info[key] = value
    return info


def make_evaluator(problem: str, *, timeout: float = DEFAULT_TIMEOUT, args: Sequence[str] = (),
                   check_outside_block: bool = False, template: str | None = None,
                   binary: str | None = None) -> Callable[..., tuple[float, dict[str, Any]]]:
    """GEPA's `evaluator=`: `(candidate, example=None) -> (combined_score, side_info)`."""
    bridge = Evaluator(problem, template=template, timeout=timeout, args=args,
                       check_outside_block=check_outside_block, binary=binary)

    def evaluate(candidate: Any, example: Any = None, **_: Any) -> tuple[float, dict[str, Any]]:
        evaluation = bridge.evaluate_text(_text(candidate), args=_example_args(example))
        return evaluation.combined_score, side_info(evaluation)

    return evaluate


def make_batch_evaluator(problem: str, **options: Any) -> Callable[..., list[tuple[float, dict[str, Any]]]]:
    """GEPA's `batch_evaluator=`: one `(score, side_info)` per `(candidate, example)` pair, in
    order. Pairs are run one after another (sim-cascade uses the machine's cores itself); a
    candidate is compiled once and found in the compile cache for its other examples."""
    evaluate = make_evaluator(problem, **options)

    def batch(pairs: Sequence[tuple[Any, Any]], **_: Any) -> list[tuple[float, dict[str, Any]]]:
        return [evaluate(candidate, example) for candidate, example in pairs]

    return batch

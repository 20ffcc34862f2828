"""OpenEvolve: `evaluate(program_path)`, and `evaluate_stage1/2/3` for OpenEvolve's own cascade.

Direct mode (recommended; `cascade_evaluation: false`): one `evaluate()` runs sim-cascade's
calibrated cascade in one process with one compile, per-stage budgets and gates measured by
`sim-cascade calibrate`; a candidate stopped early scores 0 with `rejected_at` in its artifacts.

Stage mode (`cascade_evaluation: true`): stage 1, 2 and 3 run `--level cost_model`, `coarse`
and `fine` alone, each a separate `eval` (the compile is cached after the first). OpenEvolve
compares each stage's `combined_score` (the level's metric relative to the template at that
level) with `cascade_thresholds[0]` and `[1]`; a third threshold is never read. A candidate
stopped there would keep a cheap level's ratio as its score, ranked beside fine-level ones:
given the same `thresholds`, a stage below its threshold scores 0.0 (`rejected_at` names it).

An evaluator file for OpenEvolve::

    from sim_cascade.openevolve import OpenEvolveEvaluator
    _bridge = OpenEvolveEvaluator("spot", timeout=280, thresholds=(0.9, 0.98))
    _bridge.preflight()   # a broken setup stops the run here, not as candidates scored 0
    evaluate, evaluate_stage1, evaluate_stage2, evaluate_stage3 = _bridge.functions()
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .evaluator import Evaluator
from .result import Evaluation, refused

#: OpenEvolve's stage functions, cheapest first, and the level each runs alone.
STAGE_LEVELS = ("cost_model", "coarse", "fine")


def to_openevolve(evaluation: Evaluation) -> Any:
    """OpenEvolve's `EvaluationResult(metrics, artifacts)` when OpenEvolve is importable (it is,
    inside a run), else the metrics dict OpenEvolve also accepts (without artifacts)."""
    metrics: dict[str, float] = {"combined_score": evaluation.combined_score, **evaluation.metrics, **evaluation.timings}
    artifacts = dict(evaluation.artifacts)
    if evaluation.build_id:
        artifacts["build_id"] = evaluation.build_id
    try:
        from openevolve.evaluation_result import EvaluationResult  # type: ignore
    except ImportError:
        return metrics
    return EvaluationResult(metrics=metrics, artifacts=artifacts)


class OpenEvolveEvaluator(Evaluator):
    """`Evaluator` with OpenEvolve's entry points; `thresholds` are the config's
    `cascade_thresholds` (stage mode only)."""

    def __init__(self, problem: str, *, thresholds: Sequence[float] = (), **options: Any):
        super().__init__(problem, **options)
        self.thresholds = list(thresholds)

    def evaluate(self, program_path: str) -> Any:
        """Direct mode: the calibrated cascade."""
        return to_openevolve(self.evaluate_file(program_path))

    def stage(self, index: int) -> Callable[[str], Any]:
        """Stage `index` (1-3): its level alone."""
        level = STAGE_LEVELS[index - 1]

        def evaluate_stage(program_path: str) -> Any:
            evaluation = self.evaluate_file(program_path, level=level)
            if evaluation.valid and index <= len(self.thresholds) and evaluation.combined_score < self.thresholds[index - 1]:
                # OpenEvolve stops here and keeps this score: the convention's 0 for a rejection.
                stopped = refused("rejected", f"{level}: combined_score {evaluation.combined_score:.6g} below OpenEvolve's "
                                              f"cascade_thresholds[{index - 1}] = {self.thresholds[index - 1]:g}")
                stopped.rejected_at = level
                stopped.artifacts.update({k: v for k, v in evaluation.artifacts.items() if k != "failure"})
                stopped.artifacts["rejected_at"] = level
                stopped.metrics.update({k: v for k, v in evaluation.metrics.items() if k != "valid"})
                evaluation = stopped
            return to_openevolve(evaluation)

        evaluate_stage.__name__ = f"evaluate_stage{index}"
        return evaluate_stage

    def functions(self) -> tuple[Callable[[str], Any], ...]:
        """`evaluate, evaluate_stage1, evaluate_stage2, evaluate_stage3`, for an evaluator file."""
        return (self.evaluate, self.stage(1), self.stage(2), self.stage(3))

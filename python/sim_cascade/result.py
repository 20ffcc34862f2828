"""One score convention for every framework, from an `eval --json` report.

`combined_score` is the report's `score.normalized`: the headline metric relative to the
template on the same inputs and level (template = 1.0, higher is better whatever the metric's
direction). Any failed or rejected candidate scores 0.0 — every framework ranks a failure at 0,
so a raw cost (lower is better) would put crashes above valid programs. The bridge keeps no
table per problem: the metric, its direction and the reference come from the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .runner import Completed, SimCascadeError

#: Report keys that are not the problem's score fields.
_BOOKKEEPING = {"valid", "problem", "candidate", "inputs", "failure", "rejected_at", "stages", "score",
                "build_id", "timing", "sandbox", "log", "public_evaluator"}


@dataclass
class Evaluation:
    """A candidate's evaluation, in the terms every bridge reports."""

    valid: bool
    combined_score: float
    #: The problem's figures: the score fields, `score_value`/`score_reference`,
    #: `<level>_<metric>` per stage, `valid` (1 or 0).
    metrics: dict[str, float] = field(default_factory=dict)
    #: Seconds: `<level>_seconds` per stage, `compile_seconds`, `run_seconds`, and the report's
    #: own `*_seconds` fields (the candidate's run time).
    timings: dict[str, float] = field(default_factory=dict)
    #: Text for the model: the failure, the stages, the problem's notes, the candidate's log.
    artifacts: dict[str, str] = field(default_factory=dict)
    failure_kind: str | None = None
    failure_message: str | None = None
    rejected_at: str | None = None
    stages: list[dict[str, Any]] = field(default_factory=list)
    build_id: str | None = None
    #: The `eval --json` report as printed (`None` when the bridge stopped eval or never ran it).
    report: dict[str, Any] | None = None

    @property
    def error(self) -> str | None:
        """`kind: message` of a failed candidate."""
        if self.valid:
            return None
        return f"{self.failure_kind}: {self.failure_message}" if self.failure_message else self.failure_kind

    @property
    def text_feedback(self) -> str:
        """All artifacts as one text (ShinkaEvolve's `text_feedback`, GEPA's feedback)."""
        return "\n\n".join(f"{key}:\n{value}" for key, value in self.artifacts.items())


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _stage_line(stage: dict[str, Any]) -> str:
    parts = [f"{stage.get('level')}: {stage.get('status')}"]
    metrics = stage.get("metrics") or {}
    if metrics:
        parts.append(", ".join(f"{k} {v:.6g}" for k, v in sorted(metrics.items()) if _number(v)))
    if stage.get("threshold") is not None:
        parts.append(f"gate {stage.get('gate')} (threshold {stage['threshold']:.6g})")
    if stage.get("failure"):
        parts.append(f"failure {stage['failure'].get('kind')}: {stage['failure'].get('message')}")
    parts.append(f"{stage.get('seconds', 0):.3f} s")
    return "; ".join(parts)


def from_report(report: dict[str, Any]) -> Evaluation:
    """Maps one `eval --json` report (exit 0) to the common convention."""
    valid = bool(report.get("valid"))
    score = report.get("score") or {}
    if valid and not (_number(score.get("value")) and _number(score.get("reference"))):
        # A valid candidate the bridge cannot rank: an older binary, or a level without a
        # reference. Scoring it 0 would blame the candidate for the setup.
        raise SimCascadeError("eval reported a valid candidate without a score value and reference "
                              "(is SIM_CASCADE_BIN an older sim-cascade?)")
    normalized = score.get("normalized")
    # `None` only when a value is not positive: no ratio ranks it.
    combined = float(normalized) if valid and _number(normalized) else 0.0

    metrics: dict[str, float] = {}
    timings: dict[str, float] = {}
    for key, value in report.items():
        if key not in _BOOKKEEPING and _number(value):
            # The candidate's own run times (`runtime_seconds`) are timings, not figures to rank by.
            (timings if key.endswith("_seconds") else metrics)[key] = float(value)
    for key in ("value", "reference"):
        if _number(score.get(key)):
            metrics[f"score_{key}"] = float(score[key])
    stages = list(report.get("stages") or [])
    for stage in stages:
        level = stage.get("level", "stage")
        for name, value in (stage.get("metrics") or {}).items():
            if _number(value):
                metrics[f"{level}_{name}"] = float(value)
        if _number(stage.get("seconds")):
            timings[f"{level}_seconds"] = float(stage["seconds"])
    timing = report.get("timing") or {}
    for key in ("compile_seconds", "run_seconds"):
        if _number(timing.get(key)):
            timings[key] = float(timing[key])
    metrics["valid"] = 1.0 if valid else 0.0

    failure = report.get("failure") or {}
    artifacts: dict[str, str] = {}
    if failure:
        artifacts["failure"] = f"{failure.get('kind')}: {failure.get('message')}"
    if report.get("rejected_at"):
        artifacts["rejected_at"] = str(report["rejected_at"])
    if score:
        direction = "higher" if score.get("higher_is_better") else "lower"
        value = score.get("value")
        artifacts["score"] = (
            f"{score.get('metric')} at the {score.get('level')} level ({direction} is better): "
            + (f"{value:.6g} against the template's {score.get('reference'):.6g}, combined_score {combined:.6g}"
               if valid and _number(value) and _number(score.get("reference")) else f"none (combined_score {combined})"))
    if stages:
        artifacts["stages"] = "\n".join(_stage_line(s) for s in stages)
    # The problem's notes to a model (the worst scenarios, ...): any list of strings.
    for key, value in report.items():
        if key not in _BOOKKEEPING and isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            artifacts[key] = "\n".join(value)
    if not valid and report.get("log"):
        # The candidate's own words: last lines only, marked as its.
        artifacts["candidate_log"] = "\n".join(str(report["log"]).splitlines()[-20:])

    return Evaluation(valid=valid, combined_score=combined, metrics=metrics, timings=timings, artifacts=artifacts,
                      failure_kind=failure.get("kind"), failure_message=failure.get("message"),
                      rejected_at=report.get("rejected_at"), stages=stages, build_id=report.get("build_id"),
                      report=report)


def from_completed(completed: Completed, timeout: float) -> Evaluation:
    """An `eval` run: its report, or a `timeout` failure when the bridge stopped it."""
    if completed.timed_out or completed.report is None:
        message = (f"the bridge stopped sim-cascade eval after {timeout:g} s (its timeout, set below the "
                   "framework's own); the whole process group was killed")
        return Evaluation(valid=False, combined_score=0.0, metrics={"valid": 0.0}, failure_kind="timeout",
                          failure_message=message, artifacts={"failure": f"timeout: {message}"})
    return from_report(completed.report)


def refused(kind: str, message: str) -> Evaluation:
    """A candidate refused before `eval` ran (e.g. edited outside its EVOLVE-BLOCK)."""
    return Evaluation(valid=False, combined_score=0.0, metrics={"valid": 0.0}, failure_kind=kind,
                      failure_message=message, artifacts={"failure": f"{kind}: {message}"})

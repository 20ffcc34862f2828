# Written by `python -m sim_cascade.tasks` from `sim-cascade init eplb`; do not edit by hand.
"""OpenEvolve evaluator: sim-cascade's calibrated cascade in one `evaluate()` (direct mode,
`cascade_evaluation: false`), or OpenEvolve's own cascade over `evaluate_stage1/2/3`."""
import os

from sim_cascade.openevolve import OpenEvolveEvaluator

_bridge = OpenEvolveEvaluator("eplb", args=["--models-only"], timeout=280, thresholds=[0.9, 0.98],
                              template_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "initial_program.swift"),
                              check_outside_block=True)
# OpenEvolve scores an evaluator's exception 0 and goes on: a broken setup stops the run here.
_bridge.preflight_once()
evaluate, evaluate_stage1, evaluate_stage2, evaluate_stage3 = _bridge.functions()

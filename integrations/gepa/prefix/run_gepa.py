# Written by `python -m sim_cascade.tasks` from `sim-cascade init prefix`; do not edit by hand.
"""python run_gepa.py [INPUT_FILE ...]: GEPA's optimize_anything with sim-cascade as the evaluator.
Without files, single-task search on the problem's default inputs; with files (instances: eplb
load histories, prefix tables, txn workload files, spot scenario files), each is scored alone
and GEPA sees per-instance scores through the batch evaluator."""
import os
import sys

import gepa.optimize_anything as oa  # gepa==0.1.4
from sim_cascade import Evaluator
from sim_cascade.gepa import make_batch_evaluator, make_evaluator

_here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_here, "prompt.md")) as f:
    objective = f.read()
with open(os.path.join(_here, "seed_block.swift")) as f:
    seed = f.read()
options = dict(args=["--models-only"], timeout=280, check_outside_block=True)
# GEPA scores an evaluator's exception 0: a broken setup stops here.
Evaluator("prefix", args=["--models-only"]).preflight()
dataset = [os.path.abspath(p) for p in sys.argv[1:]] or None
result = oa.optimize_anything(
    seed_candidate=seed,
    evaluator=make_evaluator("prefix", **options),
    batch_evaluator=make_batch_evaluator("prefix", **options) if dataset else None,
    dataset=dataset,
    objective=objective,
    config=oa.GEPAConfig(engine=oa.EngineConfig(max_metric_calls=60),
                         reflection=oa.ReflectionConfig(reflection_lm="openai/fixed-diffs",
                                                        reflection_lm_kwargs={"api_base": "http://127.0.0.1:8765/v1", "api_key": "offline"})),
)
print(result.best_candidate)

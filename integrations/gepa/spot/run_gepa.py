# Written by `python -m sim_cascade.tasks` from `sim-cascade init spot`; do not edit by hand.
"""python run_gepa.py [INPUT_FILE ...]: GEPA's optimize_anything with sim-cascade as the evaluator.
Without files, single-task search on the problem's default inputs; with files (instances: eplb
load histories, prefix tables, txn workload files, spot scenario files), each is scored alone
and GEPA sees per-instance scores through the batch evaluator."""
import os
import sys

import gepa.optimize_anything as oa
from sim_cascade.gepa import make_batch_evaluator, make_evaluator, template_block

_here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_here, "prompt.md")) as f:
    objective = f.read()
options = dict(args=["--models-only"], timeout=280, check_outside_block=True)
dataset = [os.path.abspath(p) for p in sys.argv[1:]] or None
result = oa.optimize_anything(
    seed_candidate=template_block("spot"),
    evaluator=make_evaluator("spot", **options),
    batch_evaluator=make_batch_evaluator("spot", **options) if dataset else None,
    dataset=dataset,
    objective=objective,
    config=oa.GEPAConfig(engine=oa.EngineConfig(max_metric_calls=60),
                         reflection=oa.ReflectionConfig(reflection_lm="openai/fixed-diffs")),
)
print(result.best_candidate)

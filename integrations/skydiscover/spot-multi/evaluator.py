# Written by `python -m sim_cascade.tasks` from `sim-cascade init spot-multi`; do not edit by hand.
"""SkyDiscover's Python evaluator (train split: the calibrated cascade on the search inputs)."""
from sim_cascade.skydiscover import make_evaluate

evaluate = make_evaluate("spot-multi", "train", args=["--models-only"], timeout=280)

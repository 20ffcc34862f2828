# Written by `python -m sim_cascade.tasks` from `sim-cascade init txn`; do not edit by hand.
"""SkyDiscover's Python evaluator (train split: the calibrated cascade on the search inputs)."""
import os

from sim_cascade.skydiscover import make_evaluate

evaluate = make_evaluate("txn", "train", args=["--models-only"], timeout=280, check_outside_block=True,
                         template_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "initial_program.swift"))

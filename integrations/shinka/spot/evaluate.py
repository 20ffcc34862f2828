# Written by `python -m sim_cascade.tasks` from `sim-cascade init spot`; do not edit by hand.
"""ShinkaEvolve evaluator: python evaluate.py --program_path P --results_dir D"""
import os
import sys

from sim_cascade.shinka import main

_here = os.path.dirname(os.path.abspath(__file__))
sys.exit(main(["--problem", "spot", "--timeout", "280", "--check-outside-block",
               "--template", os.path.join(_here, "initial.swift"), *sys.argv[1:], "--", *["--models-only"]]))

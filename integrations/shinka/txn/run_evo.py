# Written by `python -m sim_cascade.tasks` from `sim-cascade init txn`; do not edit by hand.
"""python run_evo.py: ShinkaEvolve with shinka.yaml (not run in this repository's tests)."""
import yaml
from shinka.core import EvolutionConfig, EvolutionRunner
from shinka.database import DatabaseConfig
from shinka.launch import LocalJobConfig
from sim_cascade import Evaluator

# ShinkaEvolve counts a failed evaluate.py as an incorrect program: a broken setup stops here.
Evaluator("txn", args=["--models-only"]).preflight()
with open("shinka.yaml") as f:
    config = yaml.safe_load(f)
EvolutionRunner(evo_config=EvolutionConfig(**config["evo_config"]),
                job_config=LocalJobConfig(eval_program_path="evaluate.py"),
                db_config=DatabaseConfig(**config["db_config"]), verbose=True).run()

"""Writes the task folders `integrations/<framework>/<problem>/` from `sim-cascade init`:

    python -m sim_cascade.tasks integrations

Each folder holds the initial program (the template, verbatim), the framework's evaluator file
and a config that runs offline against a loopback OpenAI-compatible server
(`python/tests/fake_llm.py`; change the address for a real model). The prompt text is
`sim-cascade init PROBLEM --prompt`, so a framework's prompt carries our candidate contract.
Every evaluator passes `--models-only`: a real-system level (txn's PostgreSQL, minutes per
candidate) is not run on every child of a framework's loop, as `sim-cascade evolve` does not.
The test suite regenerates the folders and compares them with the committed ones.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Sequence

from . import evolve_block
from .runner import find_binary

FRAMEWORKS = ("openevolve", "shinka", "gepa", "skydiscover")
#: The loopback address of the configs (the fake server's default).
LOOPBACK = "http://127.0.0.1:8765/v1"
#: `eval` options every task folder passes.
EVAL_ARGS = ["--models-only"]
#: The framework's own evaluator timeout, and the bridge's, below it.
FRAMEWORK_TIMEOUT = 300
BRIDGE_TIMEOUT = 280
#: OpenEvolve's `cascade_thresholds` (stage mode), given to the bridge too.
OPENEVOLVE_THRESHOLDS = [0.9, 0.98]
#: The GEPA release the GEPA folders are written for.
GEPA_VERSION = "0.1.4"

_HEADER = "# Written by `python -m sim_cascade.tasks` from `sim-cascade init {problem}`; do not edit by hand.\n"


def _init(binary: str, *args: str) -> str:
    return subprocess.run([binary, "init", *args], check=True, capture_output=True, text=True).stdout


def _problems(binary: str) -> list[str]:
    # The CLI's help lists every registered problem: no list of our own to keep in step.
    done = subprocess.run([binary, "init", "--help"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\(values:([^)]*)\)", " ".join(done.split()))
    if not found:
        raise RuntimeError("sim-cascade init --help lists no problems")
    return [p.strip() for p in found.group(1).split(",")]


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def files_for(problem: str, template: str, prompt: str) -> dict[str, dict[str, str]]:
    """Per framework, file name → contents."""
    header = _HEADER.format(problem=problem)
    args = json.dumps(EVAL_ARGS)
    yaml_prompt = _indent(prompt, 4)
    openevolve_evaluator = header + f'''"""OpenEvolve evaluator: sim-cascade's calibrated cascade in one `evaluate()` (direct mode,
`cascade_evaluation: false`), or OpenEvolve's own cascade over `evaluate_stage1/2/3`."""
import os

from sim_cascade.openevolve import OpenEvolveEvaluator

_bridge = OpenEvolveEvaluator("{problem}", args={args}, timeout={BRIDGE_TIMEOUT}, thresholds={OPENEVOLVE_THRESHOLDS},
                              template_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "initial_program.swift"),
                              check_outside_block=True)
# OpenEvolve scores an evaluator's exception 0 and goes on: a broken setup stops the run here.
_bridge.preflight_once()
evaluate, evaluate_stage1, evaluate_stage2, evaluate_stage3 = _bridge.functions()
'''
    openevolve_config = header + f'''# OpenEvolve 0.4.1: openevolve-run initial_program.swift evaluator.py --config config.yaml
max_iterations: 20
checkpoint_interval: 5
random_seed: 0
language: swift
file_suffix: .swift
diff_based_evolution: true
llm:
  api_base: {LOOPBACK}
  api_key: offline
  models:
    - name: fixed-diffs
      weight: 1.0
  temperature: 0.7
  timeout: 60
  retries: 0
prompt:
  system_message: |
{yaml_prompt}
database:
  num_islands: 1
  population_size: 50
evaluator:
  timeout: {FRAMEWORK_TIMEOUT}
  cascade_evaluation: false
  cascade_thresholds: {OPENEVOLVE_THRESHOLDS}
  parallel_evaluations: 1
  max_retries: 0
'''
    shinka_evaluate = header + f'''"""ShinkaEvolve evaluator: python evaluate.py --program_path P --results_dir D"""
import os
import sys

from sim_cascade.shinka import main

_here = os.path.dirname(os.path.abspath(__file__))
sys.exit(main(["--problem", "{problem}", "--timeout", "{BRIDGE_TIMEOUT}", "--check-outside-block",
               "--template", os.path.join(_here, "initial.swift"), *sys.argv[1:], "--", *{args}]))
'''
    shinka_run = header + f'''"""python run_evo.py: ShinkaEvolve with shinka.yaml (not run in this repository's tests)."""
import yaml
from shinka.core import EvolutionConfig, EvolutionRunner
from shinka.database import DatabaseConfig
from shinka.launch import LocalJobConfig
from sim_cascade import Evaluator

# ShinkaEvolve counts a failed evaluate.py as an incorrect program: a broken setup stops here.
Evaluator("{problem}", args={args}).preflight()
with open("shinka.yaml") as f:
    config = yaml.safe_load(f)
EvolutionRunner(evo_config=EvolutionConfig(**config["evo_config"]),
                job_config=LocalJobConfig(eval_program_path="evaluate.py"),
                db_config=DatabaseConfig(**config["db_config"]), verbose=True).run()
'''
    shinka_yaml = header + f'''# The loopback server is reached through OPENAI_BASE_URL={LOOPBACK} (and OPENAI_API_KEY=offline).
evo_config:
  language: swift
  init_program_path: initial.swift
  num_generations: 20
  max_parallel_jobs: 1
  llm_models: [fixed-diffs]
  patch_types: [diff, full]
  patch_type_probs: [0.8, 0.2]
  task_sys_msg: |
{_indent(prompt, 4)}
db_config:
  num_islands: 1
  archive_size: 40
'''
    gepa_run = header + f'''"""python run_gepa.py [INPUT_FILE ...]: GEPA's optimize_anything with sim-cascade as the evaluator.
Without files, single-task search on the problem's default inputs; with files (instances: eplb
load histories, prefix tables, txn workload files, spot scenario files), each is scored alone
and GEPA sees per-instance scores through the batch evaluator."""
import os
import sys

import gepa.optimize_anything as oa  # gepa=={GEPA_VERSION}
from sim_cascade import Evaluator
from sim_cascade.gepa import make_batch_evaluator, make_evaluator

_here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_here, "prompt.md")) as f:
    objective = f.read()
with open(os.path.join(_here, "seed_block.swift")) as f:
    seed = f.read()
options = dict(args={args}, timeout={BRIDGE_TIMEOUT}, check_outside_block=True)
# GEPA scores an evaluator's exception 0: a broken setup stops here.
Evaluator("{problem}", args={args}).preflight()
dataset = [os.path.abspath(p) for p in sys.argv[1:]] or None
result = oa.optimize_anything(
    seed_candidate=seed,
    evaluator=make_evaluator("{problem}", **options),
    batch_evaluator=make_batch_evaluator("{problem}", **options) if dataset else None,
    dataset=dataset,
    objective=objective,
    config=oa.GEPAConfig(engine=oa.EngineConfig(max_metric_calls=60),
                         reflection=oa.ReflectionConfig(reflection_lm="openai/fixed-diffs",
                                                        reflection_lm_kwargs={{"api_base": "{LOOPBACK}", "api_key": "offline"}})),
)
print(result.best_candidate)
'''
    sky_evaluator = header + f'''"""SkyDiscover's Python evaluator (train split: the calibrated cascade on the search inputs)."""
import os

from sim_cascade.skydiscover import make_evaluate

evaluate = make_evaluate("{problem}", "train", args={args}, timeout={BRIDGE_TIMEOUT}, check_outside_block=True,
                         template_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "initial_program.swift"))
'''
    sky_shell = f'''#!/bin/sh
# Written by `python -m sim_cascade.tasks` from `sim-cascade init {problem}`; do not edit by hand.
# evaluate.sh SOLUTION train|test: one JSON object {{"status", "combined_score", "metrics", "artifacts"}}.
# test = the fine level on the held-out inputs.
here=$(dirname "$0")
exec python3 -m sim_cascade.skydiscover --problem {problem} --timeout {BRIDGE_TIMEOUT} --check-outside-block \\
    --template "$here/initial_program.swift" --eval-args="{' '.join(EVAL_ARGS)}" "$@"
'''
    sky_config = header + f'''# SkyDiscover, OpenEvolve-style keys (not run in this repository's tests).
language: swift
file_suffix: .swift
max_iterations: 20
llm:
  api_base: {LOOPBACK}
  api_key: offline
  models:
    - name: fixed-diffs
      weight: 1.0
prompt:
  system_message: |
{yaml_prompt}
evaluator:
  timeout: {FRAMEWORK_TIMEOUT}
'''
    block = evolve_block.split(template)[1]
    return {
        "openevolve": {"initial_program.swift": template, "evaluator.py": openevolve_evaluator,
                       "config.yaml": openevolve_config},
        "shinka": {"initial.swift": template, "evaluate.py": shinka_evaluate, "run_evo.py": shinka_run,
                   "shinka.yaml": shinka_yaml},
        "gepa": {"seed_block.swift": block, "prompt.md": prompt, "run_gepa.py": gepa_run},
        "skydiscover": {"initial_program.swift": template, "evaluator.py": sky_evaluator, "evaluate.sh": sky_shell,
                        "config.yaml": sky_config},
    }


def write(out: str, binary: str | None = None) -> list[str]:
    """Writes every task folder under `out`; returns the paths written."""
    exe = find_binary(binary)
    written = []
    for problem in _problems(exe):
        contents = files_for(problem, _init(exe, problem), _init(exe, problem, "--prompt"))
        for framework, files in contents.items():
            folder = os.path.join(out, framework, problem)
            os.makedirs(folder, exist_ok=True)
            for name, text in files.items():
                path = os.path.join(folder, name)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                if name.endswith(".sh"):
                    os.chmod(path, 0o755)
                written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m sim_cascade.tasks OUT_DIR", file=sys.stderr)
        return 2
    print(f"{len(write(args[0]))} files written under {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

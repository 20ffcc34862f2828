"""The evaluator every framework module wraps: a problem, its template, a timeout, and options
passed to `sim-cascade eval`."""

from __future__ import annotations

import os
import subprocess
import tempfile
from typing import Sequence

from . import evolve_block
from .result import Evaluation, from_completed, refused
from .runner import SimCascadeEnvironmentError, SimCascadeError, SimCascadeInputError, find_binary, run_eval

#: Default timeout of one evaluation through the bridge, in seconds: below OpenEvolve's default
#: evaluator timeout (300 s), ShinkaEvolve's and SkyDiscover's.
DEFAULT_TIMEOUT = 280.0
#: The preflight's timeout: a first use may generate research-scale inputs and build the
#: candidate API before anything is evaluated.
PREFLIGHT_TIMEOUT = 1800.0
#: `eval` options every evaluation gets: the public evaluator's diagnostic (spot, spot-multi)
#: may rerun every item with no budget, and no bridge reads it.
BRIDGE_ARGS = ["--no-public-evaluator"]


def template_of(problem: str, binary: str | None = None) -> str:
    """`sim-cascade init PROBLEM`: the problem's starting program."""
    done = subprocess.run([find_binary(binary), "init", problem], capture_output=True, text=True, timeout=60)
    if done.returncode == 2:
        raise SimCascadeInputError(f"sim-cascade init {problem}: {done.stderr.strip()}", status=2, stderr=done.stderr)
    if done.returncode != 0:
        raise SimCascadeEnvironmentError(f"sim-cascade init {problem} failed: {done.stderr.strip()}",
                                         status=done.returncode, stderr=done.stderr)
    return done.stdout


class Evaluator:
    """Evaluates Swift candidates of one problem with `sim-cascade eval`.

    - `problem`: `spot`, `spot-multi`, `eplb`, `prefix` or `txn`.
    - `template` (text) or `template_path`: the template (default: `sim-cascade init
      PROBLEM`); needed by `check_outside_block` and by `evaluate_text` with a block body.
    - `check_outside_block`: refuse (`outside_evolve_block`, score 0, nothing run) a program
      that changed anything outside its template's EVOLVE-BLOCK.
    - `timeout`: seconds before the bridge kills `eval`'s process group. Keep it below the
      framework's own evaluator timeout.
    - `args`: more `eval` options (`--inputs small`, `--input FILE`, `--held-out`, `--gates F`).
    - `binary`: the `sim-cascade` executable (default `$SIM_CASCADE_BIN`, else the PATH's).
    """

    def __init__(self, problem: str, *, template: str | None = None, template_path: str | None = None,
                 check_outside_block: bool = False,
                 timeout: float = DEFAULT_TIMEOUT, args: Sequence[str] = (), binary: str | None = None):
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        self.problem = problem
        self.check_outside_block = check_outside_block
        self.timeout = float(timeout)
        self.args = list(args)
        self.binary = binary
        if template is not None and template_path is not None:
            raise ValueError("give template or template_path, not both")
        if template_path is not None:
            with open(template_path, encoding="utf-8") as f:
                template = f.read()
        self._template = template

    @property
    def template(self) -> str:
        """The template's text (read or asked of `sim-cascade init` once)."""
        if self._template is None:
            self._template = template_of(self.problem, self.binary)
        return self._template

    def evaluate_file(self, program_path: str, *, level: str | None = None, args: Sequence[str] = ()) -> Evaluation:
        """Evaluates the program at `program_path`: the calibrated cascade (one process, one
        compile, per-stage budgets), or `level` alone."""
        if self.check_outside_block:
            with open(program_path, encoding="utf-8", errors="replace") as f:
                change = evolve_block.outside_change(self.template, f.read())
            if change:
                return refused("outside_evolve_block", change)
        return self._run(program_path, list(args) + (["--level", level] if level else []), self.timeout)

    def _run(self, program_path: str, args: list[str], timeout: float) -> Evaluation:
        extra = BRIDGE_ARGS + list(self.args) + args
        completed = run_eval(program_path, self.problem, args=extra, timeout=timeout, binary=self.binary)
        return from_completed(completed, timeout)

    def preflight(self, tolerance: float = 1e-9) -> Evaluation:
        """Evaluates the template once and raises unless it is valid and scores 1.0 (within
        `tolerance`: the models are exact; a real-system level, run twice, is not).

        Frameworks catch what an evaluator raises and score the candidate 0 (OpenEvolve records
        `{"error": 0.0}`, ShinkaEvolve counts a missing result as incorrect, GEPA scores 0), so a
        broken setup would look like a run of bad candidates. The task folders call this before
        the first candidate (OpenEvolve: when it imports the evaluator file), so a broken setup
        stops the run instead. It also does the first use's work (inputs generated, the API
        built, the template compiled) under a long timeout of its own, not a candidate's."""
        with tempfile.TemporaryDirectory(prefix="sim-cascade-preflight-") as folder:
            path = os.path.join(folder, "template.swift")
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.template)
            evaluation = self._run(path, [], max(self.timeout, PREFLIGHT_TIMEOUT))
        if not evaluation.valid:
            raise SimCascadeError(f"preflight: the {self.problem} template is not valid here ({evaluation.error}): "
                                  "the setup, not a candidate, is at fault")
        if abs(evaluation.combined_score - 1.0) > tolerance:
            raise SimCascadeError(f"preflight: the {self.problem} template scores {evaluation.combined_score}, not 1.0")
        return evaluation

    def preflight_once(self) -> None:
        """`preflight`, skipped in a process whose parent passed it with the same binary,
        problem and options (OpenEvolve imports the evaluator file again in each worker)."""
        key = "SIM_CASCADE_PREFLIGHT_PASSED"
        mark = repr((find_binary(self.binary), self.problem, self.args))
        if os.environ.get(key) == mark:
            return
        self.preflight()
        os.environ[key] = mark

    def evaluate_text(self, text: str, *, level: str | None = None, args: Sequence[str] = ()) -> Evaluation:
        """Evaluates `text`: a whole program, or (without markers) the body of the template's
        EVOLVE-BLOCK, spliced into it."""
        has_markers = evolve_block.START in text and evolve_block.END in text
        program = text if has_markers else evolve_block.splice(self.template, text)
        with tempfile.TemporaryDirectory(prefix="sim-cascade-bridge-") as folder:
            path = os.path.join(folder, "candidate.swift")
            with open(path, "w", encoding="utf-8") as f:
                f.write(program)
            return self.evaluate_file(path, level=level, args=args)

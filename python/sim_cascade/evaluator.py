"""The evaluator every framework module wraps: a problem, its template, a timeout, and options
passed to `sim-cascade eval`."""

from __future__ import annotations

import os
import subprocess
import tempfile
from typing import Sequence

from . import evolve_block
from .result import Evaluation, from_completed, refused
from .runner import SimCascadeEnvironmentError, SimCascadeInputError, find_binary, run_eval

#: Default timeout of one evaluation through the bridge, in seconds: below OpenEvolve's default
#: evaluator timeout (300 s), ShinkaEvolve's and SkyDiscover's.
DEFAULT_TIMEOUT = 280.0


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
        extra = list(self.args) + list(args) + (["--level", level] if level else [])
        completed = run_eval(program_path, self.problem, args=extra, timeout=self.timeout, binary=self.binary)
        return from_completed(completed, self.timeout)

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

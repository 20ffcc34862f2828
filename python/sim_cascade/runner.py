"""Runs `sim-cascade eval --json` as a subprocess: the one place the bridges touch the tool.

Three rules hold here for every framework:

* A timeout (below the framework's own) kills the whole process group: OpenEvolve abandons a
  timed-out evaluation's thread and never kills what it started.
* `eval` follows its parent (a parent-death signal; the parent's pid is passed in
  `SIM_CASCADE_PARENT_PID` so a parent already gone is noticed), so a dead orchestrator leaves
  nothing running.
* Exit 2 (bad input) and 3 (this machine) raise: a broken setup must never look like a bad
  candidate. Only exit 0 is an evaluation, valid or not.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

#: Seconds between SIGTERM to the group and SIGKILL.
TERMINATE_GRACE_SECONDS = 2.0


class SimCascadeError(RuntimeError):
    """sim-cascade could not evaluate: not a verdict on the candidate."""

    def __init__(self, message: str, *, status: int | None = None, stderr: str = ""):
        super().__init__(message)
        self.status = status
        self.stderr = stderr


class SimCascadeInputError(SimCascadeError):
    """Exit 2: the arguments or the inputs are wrong (the setup, not the candidate)."""


class SimCascadeEnvironmentError(SimCascadeError):
    """Exit 3: this machine cannot evaluate (no sandbox, no compiler, no PostgreSQL, ...)."""


def find_binary(binary: str | None = None) -> str:
    """The `sim-cascade` executable: `binary`, else `$SIM_CASCADE_BIN`, else the PATH's."""
    chosen = binary or os.environ.get("SIM_CASCADE_BIN") or shutil.which("sim-cascade")
    if not chosen:
        raise SimCascadeEnvironmentError(
            "sim-cascade not found: set SIM_CASCADE_BIN to the built binary "
            "(e.g. .build/release/sim-cascade) or put it on the PATH")
    if not (os.path.isfile(chosen) and os.access(chosen, os.X_OK)):
        raise SimCascadeEnvironmentError(f"sim-cascade binary {chosen!r} is not an executable file")
    return chosen


@dataclass
class Completed:
    """What one `eval` run left: its JSON report, or that the bridge stopped it."""

    report: dict[str, Any] | None
    seconds: float
    timed_out: bool = False
    stderr: str = ""
    argv: list[str] = field(default_factory=list)


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (eval stops a PostgreSQL server it runs on SIGTERM), a grace
    period, then SIGKILL to whatever is left of the group."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=TERMINATE_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_eval(program_path: str, problem: str, *, args: Sequence[str] = (), timeout: float = 600.0,
             binary: str | None = None, cwd: str | None = None) -> Completed:
    """Runs `sim-cascade eval PROGRAM --problem P --json ARGS`.

    Returns the parsed report (exit 0), or a `Completed` with `timed_out` when `timeout` seconds
    passed first (the process group is then killed).

    Raises `SimCascadeInputError` for exit 2, `SimCascadeEnvironmentError` for exit 3 and
    `SimCascadeError` for anything else that is not a report.
    """
    exe = find_binary(binary)
    argv = [exe, "eval", os.path.abspath(program_path), "--problem", problem, "--json", *args]
    env = dict(os.environ)
    env["SIM_CASCADE_PARENT_PID"] = str(os.getpid())
    start = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               start_new_session=True, env=env, cwd=cwd)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(process)
        try:
            _, stderr = process.communicate(timeout=TERMINATE_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            # Something outside the group still holds the pipes: stop reading, never hang here.
            stderr = b""
            for pipe in (process.stdout, process.stderr):
                if pipe:
                    pipe.close()
            process.wait()
        return Completed(None, time.monotonic() - start, timed_out=True,
                         stderr=stderr.decode("utf-8", "replace"), argv=argv)
    except BaseException:
        # KeyboardInterrupt, a framework cancelling the call: nothing may outlive it.
        stop_group(process)
        process.wait()
        raise
    seconds = time.monotonic() - start
    err = stderr.decode("utf-8", "replace")
    last_line = err.strip().splitlines()[-1] if err.strip() else ""
    if process.returncode == 2:
        raise SimCascadeInputError(f"sim-cascade eval: bad input: {last_line}", status=2, stderr=err)
    if process.returncode == 3:
        raise SimCascadeEnvironmentError(f"sim-cascade eval: this machine cannot evaluate: {last_line}",
                                         status=3, stderr=err)
    if process.returncode != 0:
        raise SimCascadeError(f"sim-cascade eval ended with status {process.returncode}: {last_line}",
                              status=process.returncode, stderr=err)
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as error:
        raise SimCascadeError(f"sim-cascade eval printed no JSON report ({error})", status=0, stderr=err) from None
    if not isinstance(report, dict) or "valid" not in report:
        raise SimCascadeError("sim-cascade eval printed JSON that is not an eval report", status=0, stderr=err)
    return Completed(report, seconds, stderr=err, argv=argv)

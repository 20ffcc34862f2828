"""A long-lived `sim-cascade eval-server`: one per worker process (per thread), so that a
worker loads the inputs, sets up the sandbox and runs every level's reference once, not once per
evaluation.

Requests are `eval`'s arguments, numbered; an answer, carrying its request's number, is the
report (its verdict, stages, score block, build id and timing: not the problem's own figures,
per-item results or log) or the error `eval` would have exited with. The server runs in its own process group, follows its
parent (its pid is passed in `SIM_CASCADE_PARENT_PID`; the parent-death signal takes it, and
the sandboxes it runs, down with the worker), and is killed with its group on a timeout.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
from typing import Any, Sequence

from .runner import SimCascadeEnvironmentError, SimCascadeError, SimCascadeInputError, find_binary, stop_group


class EvalServer:
    """One `sim-cascade eval-server` child; `ask` one request at a time."""

    def __init__(self, binary: str | None = None):
        self.binary = find_binary(binary)
        env = dict(os.environ)
        env["SIM_CASCADE_PARENT_PID"] = str(os.getpid())
        self.process = subprocess.Popen([self.binary, "eval-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, encoding="utf-8", start_new_session=True, env=env)
        self.answers: queue.Queue[str | None] = queue.Queue()
        self.sequence = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.answers.put(line)
        self.answers.put(None)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, args: Sequence[str], timeout: float, after_send=None) -> dict[str, Any]:
        """The report of `eval ARGS`. Raises `SimCascadeInputError` (what eval exits 2 for),
        `SimCascadeEnvironmentError` (3) or `SimCascadeError` (the server ended, or `timeout`
        seconds passed: it is then killed with its group). Anything else that interrupts a
        request (an answer out of protocol, KeyboardInterrupt) ends the server too: an answer
        left unread must never be taken for the next request's. `after_send`: a test's hook."""
        self.sequence += 1
        try:
            self.process.stdin.write(json.dumps({"id": self.sequence, "args": list(args)}) + "\n")
            self.process.stdin.flush()
            if after_send:
                after_send(self)
            try:
                line = self.answers.get(timeout=timeout)
            except queue.Empty:
                raise SimCascadeError(f"eval did not finish within {timeout:g} s (its stages' budgets exceeded by far)") from None
            if line is None:
                raise SimCascadeError(f"the eval server ended (status {self.process.wait()}) inside an evaluation")
            answer = json.loads(line)
            if not isinstance(answer, dict) or answer.get("id") != self.sequence:
                raise SimCascadeError(f"the eval server answered out of turn: {line[:200]!r}")
        except (BrokenPipeError, OSError) as error:
            self.close()
            raise SimCascadeError(f"the eval server ended before the request ({error})") from None
        except BaseException:
            self.close()
            raise
        if "report" in answer:
            return answer["report"]
        status, message = answer.get("status"), answer.get("error", "no message")
        kind = {2: SimCascadeInputError, 3: SimCascadeEnvironmentError}.get(status, SimCascadeError)
        raise kind(f"sim-cascade eval (exit {status}): {message}", status=status)

    def close(self) -> None:
        """Ends the server and everything in its group (not a group whose leader was already
        reaped: its id may name another process's group by now)."""
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        if self.process.returncode is None:
            stop_group(self.process)
            self.process.wait()


_servers = threading.local()


def server_for_this_thread(binary: str) -> EvalServer:
    """This thread's server for `binary`, started (again) when there is none or it ended."""
    server = getattr(_servers, "server", None)
    if server is None or not server.alive or server.binary != find_binary(binary):
        if server is not None:
            server.close()
        server = EvalServer(binary)
        _servers.server = server
    return server

"""The executor `sim-cascade evolve|calibrate --executor ray|subprocess` starts: JSON lines on
stdin and stdout, one evaluation per request, each an `eval` on a worker (asked of the worker's
long-lived `sim-cascade eval-server`, which loads the inputs and references once).

    python -m sim_cascade.executor --backend ray [--address HOST:PORT] --binary PATH --workers W

Requests (one JSON object a line): `{"id", "problem", "source", "gates_json", "args", "timeout"}` —
self-contained: the candidate's source, the gates, budgets and levels spelled out (the content of
a gates file), and `eval`'s other options — among them `--expect-inputs DIGEST`, the inputs named
by content: a worker whose own files load other inputs answers with an error. Answers, in
completion order: `{"id", "report"}` (the `eval --json` report's verdict, stages, score and
timing — not its per-item results: valid or not, a verdict on the candidate) or `{"id",
"error"}` (the infrastructure failed: a worker refused by its build or its inputs, a node lost
after Ray's retries, `eval` exiting 2 or 3): the driver stops with exit 3 and never records it as
a candidate's. The first line is `{"ready": {...}}`, or `{"fatal": "..."}` before exiting 3 (also
for a line that is not a request).

Backends: `ray` runs each request as a Ray task (one CPU; Ray retries a task whose worker died, up
to 3 times) on a running cluster (`--address`) or on one it starts on loopback; `subprocess`
runs them on this machine, `--workers` at a time (the seam without Ray).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import ipaddress
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .eval_server import server_for_this_thread
from .runner import find_binary

#: The keys of an `eval --json` report an answer carries: what the driver stores of a child.
ANSWER_KEYS = ("valid", "problem", "inputs", "rejected_at", "failure", "stages", "score", "build_id", "timing", "sandbox")
#: Ray's retries of a task whose worker or node died.
RAY_MAX_RETRIES = 3
#: A test-only override of a node's build id (to show a mismatched worker is refused).
TEST_BUILD_ID = "SIM_CASCADE_TEST_BUILD_ID"
#: A test-only marker file: the first task to find it absent creates it and kills its worker.
TEST_KILL_WORKER_ONCE = "SIM_CASCADE_TEST_KILL_WORKER_ONCE"


class BuildMismatch(RuntimeError):
    """A worker whose sim-cascade is not the driver's build."""


_build_ids: dict[tuple, str] = {}


def build_id(binary: str) -> str:
    """SHA-256 of the executable: "the same build" is the same bytes on every node. Taken once
    per file version in a process (a debug build is hundreds of MB)."""
    override = os.environ.get(TEST_BUILD_ID)
    if override:
        return override
    stat = os.stat(binary)
    key = (os.path.realpath(binary), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _build_ids:
        digest = hashlib.sha256()
        with open(binary, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        _build_ids[key] = digest.hexdigest()[:16]
    return _build_ids[key]


def run_request(request: dict[str, Any], driver_build: str, default_binary: str) -> dict[str, Any]:
    """One evaluation on this machine: the source and gates in a folder of their own, asked of
    this worker's `eval-server` (started at its first request; killed with its group on timeout)."""
    binary = os.environ.get("SIM_CASCADE_BIN") or default_binary
    mine = build_id(binary)
    if mine != driver_build:
        raise BuildMismatch(f"worker {os.uname().nodename} pid {os.getpid()}: sim-cascade build {mine} is not the "
                            f"driver's {driver_build} ({binary}); every node needs the same build")
    server = server_for_this_thread(binary)
    sweep_task_folders()
    with tempfile.TemporaryDirectory(prefix=f"{TASK_PREFIX}{os.getpid()}-") as folder:
        source = os.path.join(folder, "candidate.swift")
        with open(source, "w", encoding="utf-8") as f:
            f.write(request["source"])
        gates = os.path.join(folder, "gates.json")
        with open(gates, "w", encoding="utf-8") as f:
            f.write(request["gates_json"])
        report = server.ask([source, "--problem", request["problem"], "--gates", gates, *request.get("args", [])],
                            timeout=float(request.get("timeout", 3600)), after_send=_test_kill_hook())
    return {key: report[key] for key in ANSWER_KEYS if key in report}


#: A task's folder (its source and gates): `sim-cascade-task-PID-*`, PID the worker's.
TASK_PREFIX = "sim-cascade-task-"
#: Folders younger than this are never swept (longer than any request's timeout but a day's).
TASK_FOLDER_AGE_SECONDS = 6 * 3600
_swept = False


def sweep_task_folders() -> None:
    """Once per process: removes the task folders of workers that are gone (a worker killed
    inside an evaluation cannot remove its own)."""
    global _swept
    if _swept:
        return
    _swept = True
    root = tempfile.gettempdir()
    for name in os.listdir(root):
        pid = name[len(TASK_PREFIX):].split("-", 1)[0]
        if not name.startswith(TASK_PREFIX) or not pid.isdigit() or int(pid) == os.getpid():
            continue
        path = os.path.join(root, name)
        try:
            # Old as well as orphaned: a live worker in another pid namespace may share /tmp.
            if time.time() - os.stat(path).st_mtime < TASK_FOLDER_AGE_SECONDS:
                continue
            os.kill(int(pid), 0)
        except FileNotFoundError:
            continue
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            pass  # another user's live process


def parse_request(line: str) -> dict[str, Any]:
    """A request line; anything else breaks the protocol (the executor ends with `fatal`)."""
    request = json.loads(line)
    if not isinstance(request, dict) or not isinstance(request.get("id"), int) or isinstance(request.get("id"), bool):
        raise ValueError(f"a request must be an object with an integer id, not {line[:200]!r}")
    return request


def _test_kill_hook():
    """Test only: the first request to find the marker file absent creates it and, once the eval
    server has a child (the compiler or the sandbox: inside the evaluation), writes this worker's
    pid and the server's there and kills this worker (a SIGKILL-like exit)."""
    marker = os.environ.get(TEST_KILL_WORKER_ONCE)
    if not marker or os.path.exists(marker):
        return None

    def die(server) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(
                open(path).read().strip() for path in glob.glob(f"/proc/{server.process.pid}/task/*/children")):
            time.sleep(0.005)
        with open(marker, "w") as out:
            out.write(f"{os.getpid()} {server.process.pid}")
        os._exit(9)
    return die


class Writer:
    """Answers on stdout, one line each, whole. Standard output is the protocol's alone: what
    else would print there (Ray's driver relays its raylets' messages to it) goes to stderr."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.out = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)
        sys.stdout = sys.stderr

    def send(self, value: dict[str, Any]) -> None:
        line = json.dumps(value, sort_keys=True)
        with self.lock:
            try:
                self.out.write(line + "\n")
                self.out.flush()
            except BrokenPipeError:
                pass  # the driver is gone; nothing reads answers any more


def serve_subprocess(options: argparse.Namespace, driver_build: str, writer: Writer) -> None:
    writer.send({"ready": {"backend": "subprocess", "workers": options.workers}})
    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        for line in sys.stdin:
            request = parse_request(line)

            def work(request=request):
                try:
                    writer.send({"id": request["id"], "report": run_request(request, driver_build, options.binary)})
                except Exception as error:  # noqa: BLE001 — every failure is the infrastructure's
                    writer.send({"id": request["id"], "error": f"{type(error).__name__}: {error}"})

            pool.submit(work)


def is_loopback(address: str | None) -> bool:
    """No address (a cluster of the executor's own), or HOST:PORT with HOST on loopback
    (127.0.0.0/8, ::1 written [::1], localhost)."""
    if address is None:
        return True
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 or address.startswith("[") else address
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ray_environment(address: str | None) -> None:
    """Ray reports nothing off the machine; on loopback it talks on loopback only. Not for a
    real cluster: with RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 a driver takes 127.0.0.1 as its node's
    address (and `ray start --address` refuses to join), so it could not reach its own node."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if is_loopback(address):
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def serve_ray(options: argparse.Namespace, driver_build: str, writer: Writer) -> None:
    ray_environment(options.address)
    temp = None
    if not options.address:
        # Set before Ray starts anything: every file it writes goes there.
        temp = tempfile.mkdtemp(prefix="sim-cascade-ray-")
        os.environ["RAY_TMPDIR"] = temp
    import ray  # noqa: WPS433 — only this backend needs Ray

    if options.address:
        ray.init(address=options.address, logging_level="ERROR", log_to_driver=False)
    else:
        # A cluster of this process's own: all of Ray's files (sessions, logs, sockets, the
        # address file) in the folder above, removed when it ends.
        ray.init(num_cpus=options.workers, include_dashboard=False, _node_ip_address="127.0.0.1",
                 logging_level="ERROR", log_to_driver=False)
    task = ray.remote(num_cpus=1, max_retries=RAY_MAX_RETRIES, retry_exceptions=False)(run_request)
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    writer.send({"ready": {"backend": "ray", "nodes": len(nodes), "cpus": ray.cluster_resources().get("CPU", 0)}})
    refs: dict[Any, int] = {}
    lock = threading.Lock()

    def answer(request_id: int, ref: Any) -> None:
        try:
            writer.send({"id": request_id, "report": ray.get(ref)})
        except Exception as error:  # noqa: BLE001 — a refused build, a lost node after retries, eval's exit 2/3
            cause = getattr(error, "cause", None) or error
            writer.send({"id": request_id, "error": f"{type(cause).__name__}: {cause}"})
        finally:
            with lock:
                refs.pop(ref, None)

    try:
        for line in sys.stdin:
            request = parse_request(line)
            ref = task.remote(request, driver_build, options.binary)
            with lock:
                refs[ref] = request["id"]
            threading.Thread(target=answer, args=(request["id"], ref), daemon=True).start()
    finally:
        # The driver is gone (stdin closed): nothing it asked for may go on running.
        with lock:
            pending = list(refs)
        for ref in pending:
            ray.cancel(ref, force=True)
        ray.shutdown()
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim_cascade.executor", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["ray", "subprocess"], required=True)
    parser.add_argument("--address", help="a running Ray cluster (HOST:PORT); default: start one on loopback")
    parser.add_argument("--binary", required=True, help="the driver's sim-cascade (workers use $SIM_CASCADE_BIN, else this path)")
    parser.add_argument("--workers", type=int, default=1, help="evaluations at once (subprocess; a local Ray's CPUs)")
    options = parser.parse_args(argv)
    writer = Writer()
    try:
        driver_build = build_id(find_binary(options.binary))
        if options.backend == "ray":
            serve_ray(options, driver_build, writer)
        else:
            serve_subprocess(options, driver_build, writer)
    except ImportError as error:
        writer.send({"fatal": f"Ray is not installed for {sys.executable} ({error}): pip install 'ray==2.60.0'"})
        return 3
    except Exception as error:  # noqa: BLE001
        writer.send({"fatal": f"{type(error).__name__}: {error}"})
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

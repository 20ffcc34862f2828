"""`evolve --executor subprocess|ray`: the same seed and workers give the same store as the local
executor; on Ray (a 2-node cluster on loopback), a worker killed inside an evaluation is retried
and leaves no evaluation running, a removed node's tasks finish on the other, a worker with
another build is refused (exit 3, nothing stored for it), and a driver killed and resumed gives
the same store; `calibrate --executor ray` on a 12-candidate pool writes the local report but for
its seconds.

Needs the built binary ($SIM_CASCADE_BIN); the Ray tests need a Python with Ray 2.60.0 and this
package ($SIM_CASCADE_RAY_PYTHON; scripts/test.sh makes it in a cached venv). Skipped, and
named, without them.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from support import HERE

BIN = os.environ.get("SIM_CASCADE_BIN")
RAY_PYTHON = os.environ.get("SIM_CASCADE_RAY_PYTHON")
PACKAGE = os.path.dirname(HERE)
ITERATIONS = "20"


def evolve(run: str, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([BIN, "evolve", "--iterations", ITERATIONS, "--inputs", "small", "--run", run, "--no-rescore",
                           "--workers", "2", "--counterfactual", "0.5", "--seed", "3", *extra],
                          capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})


#: Report keys measured in seconds (or decided by them: the levels worth running are those that
#: save time): they differ between any two runs.
TIMING_KEYS = ("seconds", "runtime", "candidates_per_cpu_hour", "recommended_budgets", "recommended_levels")


def calibrate(out: str, *extra: str, env: dict | None = None) -> dict:
    """`calibrate` of a 12-candidate spot pool on the small inputs; the report without timings."""
    done = subprocess.run([BIN, "calibrate", "--problem", "spot", "--inputs", "small", "--pool", "12", "--out", out, "--json", *extra],
                          capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not any(t in k for t in TIMING_KEYS)}
        return [strip(v) for v in value] if isinstance(value, list) else value
    return strip(json.loads(done.stdout))


def dump(run: str) -> str:
    return subprocess.run([BIN, "runs", "dump", run], capture_output=True, text=True, check=True).stdout


class AgainstLocal(unittest.TestCase):
    """Tests comparing a run with the local executor's, made once per class in a folder of its own."""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="sim-cascade-executor-")
        cls.local = os.path.join(cls.folder, "local")
        done = evolve(cls.local)
        assert done.returncode == 0, done.stderr
        cls.local_dump = dump(cls.local)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)


@unittest.skipUnless(BIN, "needs SIM_CASCADE_BIN (the built binary)")
class ExecutorTests(AgainstLocal):
    """The seam without Ray: each evaluation a `sim-cascade eval` through the Python executor."""

    def test_the_subprocess_executor_writes_the_local_store(self):
        run = os.path.join(self.folder, "subprocess")
        done = evolve(run, "--executor", "subprocess", env={"SIM_CASCADE_PYTHON": sys.executable, "PYTHONPATH": PACKAGE})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("executor subprocess", done.stderr)
        self.assertEqual(dump(run), self.local_dump)
        # Stopped children were sampled: the counterfactual's second request ran too.
        self.assertIn("counterfactual", self.local_dump)

    def test_calibrate_through_the_subprocess_executor_equals_the_local_calibration(self):
        local = calibrate(os.path.join(self.folder, "calibrate-local"))
        remote = calibrate(os.path.join(self.folder, "calibrate-subprocess"), "--executor", "subprocess", "--workers", "2",
                           env={"SIM_CASCADE_PYTHON": sys.executable, "PYTHONPATH": PACKAGE})
        self.assertEqual(len(local["entries"]), 12)
        # A pool with candidates some level fails: every level is measured, failed or not.
        self.assertTrue(any(not level["valid"] for entry in local["entries"] for level in entry["levels"].values()))
        self.assertEqual(remote, local)

    def test_an_executor_that_cannot_start_is_exit_3(self):
        run = os.path.join(self.folder, "no-python")
        done = evolve(run, "--executor", "subprocess", env={"SIM_CASCADE_PYTHON": "/nonexistent/python3"})
        self.assertEqual(done.returncode, 3, done.stderr)
        self.assertIn("executor", done.stderr)

    def test_an_executor_that_dies_mid_run_is_exit_3_and_stores_nothing_for_it(self):
        run = os.path.join(self.folder, "dying")
        done = evolve(run, "--executor", "subprocess", env={"SIM_CASCADE_PYTHON": os.path.join(HERE, "dying_executor.py")})
        self.assertEqual(done.returncode, 3, done.stderr)
        self.assertIn("executor", done.stderr)
        self.assertFalse(os.path.exists(os.path.join(run, "store.sqlite")), "a run with nothing committed left a store")


class ExecutorUnitTests(unittest.TestCase):
    """The executor's pieces without a binary or Ray."""

    def test_loopback_addresses(self):
        """RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 is set only for these: on a real cluster it would
        stop the driver reaching its node."""
        from sim_cascade.executor import is_loopback
        for address in (None, "127.0.0.1:6379", "127.0.0.2:6379", "[::1]:6379", "localhost:6379"):
            self.assertTrue(is_loopback(address), address)
        for address in ("10.0.0.1:6379", "[fe80::1]:6379", "head.example:6379", "192.0.2.2:6379"):
            self.assertFalse(is_loopback(address), address)


    def test_a_request_must_be_an_object_with_an_integer_id(self):
        from sim_cascade.executor import parse_request
        self.assertEqual(parse_request('{"id": 3, "source": ""}')["id"], 3)
        for line in ("[]", "{}", '{"id": "3"}', '{"id": true}', "3"):
            with self.assertRaises(ValueError, msg=line):
                parse_request(line)

    def test_task_folders_of_workers_that_are_gone_are_swept(self):
        import sim_cascade.executor as executor
        dead = subprocess.Popen(["true"])
        dead.wait()
        gone = tempfile.mkdtemp(prefix=f"{executor.TASK_PREFIX}{dead.pid}-")
        recent = tempfile.mkdtemp(prefix=f"{executor.TASK_PREFIX}{dead.pid}-")
        mine = tempfile.mkdtemp(prefix=f"{executor.TASK_PREFIX}{os.getpid()}-")
        for folder in (gone, recent, mine):
            self.addCleanup(shutil.rmtree, folder, True)
        old = time.time() - executor.TASK_FOLDER_AGE_SECONDS - 60
        os.utime(gone, (old, old))
        os.utime(mine, (old, old))
        executor._swept = False
        executor.sweep_task_folders()
        self.assertFalse(os.path.exists(gone))
        # A recent folder may be a live worker's in another pid namespace; this process's is live.
        self.assertTrue(os.path.exists(recent))
        self.assertTrue(os.path.exists(mine))


def eval_servers() -> list[tuple[int, int, str]]:
    """This build's `eval-server` processes: (pid, parent's pid, the parent's command line).
    A Ray worker's ends with it, and a job's workers end with the job."""
    rows = [line.split(None, 2) for line in subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True,
                                                             text=True).stdout.splitlines()]
    commands = {int(r[0]): r[2] if len(r) > 2 else "" for r in rows}
    return [(int(r[0]), int(r[1]), commands.get(int(r[1]), "(gone)")) for r in rows
            if len(r) > 2 and r[2].startswith(f"{BIN} eval-server")]


def non_loopback_listeners() -> list[str]:
    """Listening sockets of Ray's processes (and Python workers) on an address other than loopback."""
    out = subprocess.run(["ss", "-tulnpH"], capture_output=True, text=True).stdout
    bad = []
    for line in out.splitlines():
        fields = line.split()
        local = fields[4] if len(fields) > 4 else ""
        if local.startswith(("127.", "[::1]", "::1", "[::ffff:127.")):
            continue
        if any(name in line for name in ("raylet", "gcs_server", "ray::", "python", "plasma", "dashboard")):
            bad.append(line)
    return bad


@unittest.skipUnless(BIN and RAY_PYTHON, "needs SIM_CASCADE_BIN and SIM_CASCADE_RAY_PYTHON (Ray could not be installed)")
class RayExecutorTests(AgainstLocal):
    """On a 2-node Ray cluster on loopback, started by `ray_cluster.py` in the Ray venv."""

    def cluster(self, *node_env: str):
        """Starts the cluster helper; returns (process, address). `node_env`: NAME=VALUE for the
        second node only (the head has no CPU then, so every task lands there)."""
        args = [RAY_PYTHON, os.path.join(HERE, "ray_cluster.py")] + [f"--node-env={e}" for e in node_env]
        process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONPATH": PACKAGE})
        address = process.stdout.readline().strip()
        self.addCleanup(self.stop, process)
        self.assertTrue(address.startswith("127.0.0.1:"), address)
        return process, address

    @staticmethod
    def stop(process):
        if process.poll() is None:
            process.stdin.close()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()

    def ray_env(self, **extra: str) -> dict:
        return {"SIM_CASCADE_PYTHON": RAY_PYTHON, "PYTHONPATH": PACKAGE, "RAY_USAGE_STATS_ENABLED": "0", **extra}

    def test_a_two_node_cluster_writes_the_local_store_on_loopback_only(self):
        _, address = self.cluster()
        self.assertEqual(non_loopback_listeners(), [])
        run = os.path.join(self.folder, "ray")
        done = evolve(run, "--executor", f"ray={address}", env=self.ray_env())
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("'nodes': 2", done.stderr.replace('"', "'"))
        self.assertEqual(dump(run), self.local_dump)

    def test_without_an_address_the_executor_starts_a_loopback_cluster_and_removes_it(self):
        before = set(os.listdir(tempfile.gettempdir()))
        run = os.path.join(self.folder, "ray-own")
        done = evolve(run, "--executor", "ray", env=self.ray_env())
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(dump(run), self.local_dump)
        left = [n for n in set(os.listdir(tempfile.gettempdir())) - before if n.startswith("sim-cascade-ray-")]
        self.assertEqual(left, [], "the executor's Ray session folder was left behind")

    def test_a_worker_killed_inside_an_evaluation_is_retried(self):
        marker = os.path.join(self.folder, "killed-once")
        _, address = self.cluster(f"SIM_CASCADE_TEST_KILL_WORKER_ONCE={marker}")
        run = os.path.join(self.folder, "ray-killed")
        done = evolve(run, "--executor", f"ray={address}", env=self.ray_env())
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertTrue(os.path.exists(marker), "no worker was killed")
        self.assertEqual(dump(run), self.local_dump)
        # The killed worker's eval server went with it, inside an evaluation (it had a child: the
        # compiler or the sandbox), and the others with their workers when the run ended.
        with open(marker) as f:
            killed_worker, killed_server = (int(pid) for pid in f.read().split())
        # The task folder the killed worker could not remove (a later worker sweeps it once old).
        for name in os.listdir(tempfile.gettempdir()):
            if name.startswith(f"sim-cascade-task-{killed_worker}-"):
                shutil.rmtree(os.path.join(tempfile.gettempdir(), name), ignore_errors=True)
        deadline = time.monotonic() + 30
        while (eval_servers() or os.path.exists(f"/proc/{killed_server}")) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertFalse(os.path.exists(f"/proc/{killed_server}"), "the killed worker's eval server outlived it")
        self.assertEqual(eval_servers(), [], "an eval server outlived its worker")

    def test_a_removed_nodes_tasks_finish_on_the_other(self):
        cluster, address = self.cluster()
        run = os.path.join(self.folder, "ray-removed")
        driver = subprocess.Popen([BIN, "evolve", "--iterations", ITERATIONS, "--inputs", "small", "--run", run, "--no-rescore",
                                   "--workers", "2", "--counterfactual", "0.5", "--seed", "3", "--executor", f"ray={address}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, **self.ray_env()})
        # Once the executor is ready and the first evaluations are under way.
        for line in driver.stderr:
            if "executor ray" in line:
                break
        time.sleep(0.5)
        self.assertIsNone(driver.poll(), "the run ended before a node could be removed")
        cluster.stdin.write("remove\n")
        cluster.stdin.flush()
        self.assertEqual(cluster.stdout.readline().strip(), "removed")
        rest = driver.stderr.read()
        driver.stderr.close()
        self.assertEqual(driver.wait(timeout=900), 0, rest)
        self.assertEqual(dump(run), self.local_dump)

    def test_a_worker_with_another_build_is_refused(self):
        _, address = self.cluster("SIM_CASCADE_TEST_BUILD_ID=not-this-build")
        run = os.path.join(self.folder, "ray-refused")
        done = evolve(run, "--executor", f"ray={address}", env=self.ray_env())
        self.assertEqual(done.returncode, 3, done.stderr)
        self.assertIn("not-this-build", done.stderr)
        self.assertIn("same build", done.stderr)

    def test_calibrate_on_a_two_node_cluster_equals_the_local_calibration(self):
        _, address = self.cluster()
        local = calibrate(os.path.join(self.folder, "calibrate-local"))
        remote = calibrate(os.path.join(self.folder, "calibrate-ray"), "--executor", f"ray={address}", "--workers", "2",
                           env=self.ray_env())
        self.assertEqual(len(local["entries"]), 12)
        # A pool with candidates some level fails: every level is measured, failed or not.
        self.assertTrue(any(not level["valid"] for entry in local["entries"] for level in entry["levels"].values()))
        self.assertIn("sequential", local)
        self.assertEqual(remote, local)

    def test_a_driver_killed_and_resumed_writes_the_same_store(self):
        _, address = self.cluster()
        run = os.path.join(self.folder, "ray-resumed")
        killed = evolve(run, "--executor", f"ray={address}", env=self.ray_env(SIM_CASCADE_TEST_KILL="commit:5"))
        self.assertEqual(killed.returncode, -9, killed.stderr)
        resumed = subprocess.run([BIN, "evolve", "--resume", "--run", run, "--iterations", ITERATIONS, "--no-rescore",
                                  "--executor", f"ray={address}"], capture_output=True, text=True, timeout=900,
                                 env={**os.environ, **self.ray_env()})
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertEqual(dump(run), self.local_dump)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""A 2-node Ray cluster on loopback for the executor tests, from Ray's own `Cluster` helper:
prints the head's address, runs until stdin closes, then shuts the cluster down. A line `remove`
on stdin removes the second node at once (its raylet and workers killed) and prints `removed`.

    ray_cluster.py [--node-env NAME=VALUE]...

`--node-env` sets variables for the second node only; the head then has no CPU, so every task
runs on that node."""
import argparse
import os
import shutil
import sys
import tempfile

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
# Ray's files (sessions, logs, sockets, the address file) in a folder of the test's, removed at
# the end; set before Ray is imported, and inherited by every node it starts.
temp = tempfile.mkdtemp(prefix="sim-cascade-ray-")
os.environ["RAY_TMPDIR"] = temp

from ray.cluster_utils import Cluster  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--node-env", action="append", default=[])
options = parser.parse_args()
node_env = dict(item.split("=", 1) for item in options.node_env)
cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0 if node_env else 1, "include_dashboard": False})
second = cluster.add_node(num_cpus=2 if node_env else 1, env_vars=node_env or None)
cluster.wait_for_nodes()
print(cluster.address, flush=True)
try:
    for line in sys.stdin:
        if line.strip() == "remove":
            cluster.remove_node(second, allow_graceful=False)
            print("removed", flush=True)
finally:
    cluster.shutdown()
    shutil.rmtree(temp, ignore_errors=True)

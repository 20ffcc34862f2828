#!/usr/bin/env python3
"""A stand-in for the `sim-cascade` binary in the bridge's unit tests: prints the recorded
report named by $FAKE_REPORT, exits with $FAKE_EXIT, or (with $FAKE_SLEEP) starts a child and
sleeps, writing both pids to $FAKE_PIDS, so a test can check that a timeout kills the group."""
import os
import subprocess
import sys
import time

if len(sys.argv) > 2 and sys.argv[1] == "init":
    print("import CandidateAPI\n// EVOLVE-BLOCK-START\nlet x = 1\n// EVOLVE-BLOCK-END\n", end="")
    sys.exit(0)
with open(os.environ.get("FAKE_ARGV", os.devnull), "w") as f:
    f.write("\n".join(sys.argv[1:]))
with open(os.environ.get("FAKE_PARENT", os.devnull), "w") as f:
    f.write(f"{os.environ.get('SIM_CASCADE_PARENT_PID')} {os.getppid()}")
if os.environ.get("FAKE_SLEEP"):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.environ["FAKE_PIDS"], "w") as f:
        f.write(f"{os.getpid()} {child.pid}")
    time.sleep(float(os.environ["FAKE_SLEEP"]))
status = int(os.environ.get("FAKE_EXIT", "0"))
if status:
    print(f"sim-cascade: error: fake failure {status}", file=sys.stderr)
    sys.exit(status)
with open(os.environ["FAKE_REPORT"]) as f:
    sys.stdout.write(f.read())

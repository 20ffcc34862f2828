"""OpenEvolve, offline, end to end: three iterations of the txn task folder against the loopback
server with three fixed diffs — an edit that improves the template, one that does not compile,
one the cost model rejects.

Needs the built binary ($SIM_CASCADE_BIN) and a Python with OpenEvolve and this package
($SIM_CASCADE_OPENEVOLVE_PYTHON; scripts/test.sh makes it in a cached venv). Skipped, and
named, without them.
"""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from support import HERE
from fake_llm import make_server

REPO = os.path.dirname(os.path.dirname(HERE))
TASK = os.path.join(REPO, "integrations", "openevolve", "txn")
PYTHON = os.environ.get("SIM_CASCADE_OPENEVOLVE_PYTHON")


def diff(search: str, replace: str) -> str:
    return f"One change.\n\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


KEEP = "            let k = min(8, remaining.count)"
DIFFS = [
    # Samples 32 candidates per step instead of 8: a shorter makespan.
    diff(KEEP, "            let k = min(32, remaining.count)"),
    diff(KEEP, "            let k: Int = \"eight\""),
    # The identity order: far worse, stopped by the cost model's gate.
    diff("        if n == 0 { return [] }", "        if n == 0 { return [] }\n        if n > 0 { return Array(0..<n) }"),
]


@unittest.skipUnless(os.environ.get("SIM_CASCADE_BIN") and PYTHON,
                     "needs SIM_CASCADE_BIN and SIM_CASCADE_OPENEVOLVE_PYTHON (OpenEvolve could not be installed)")
class OpenEvolveEndToEnd(unittest.TestCase):
    def test_three_iterations_keep_the_edit_and_score_failures_zero(self):
        server = make_server(DIFFS)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with tempfile.TemporaryDirectory(prefix="sim-cascade-openevolve-") as work:
            for name in ("initial_program.swift", "evaluator.py", "config.yaml"):
                shutil.copy(os.path.join(TASK, name), work)
            config = os.path.join(work, "config.yaml")
            with open(config) as f:
                text = f.read().replace("http://127.0.0.1:8765/v1", f"http://127.0.0.1:{server.server_address[1]}/v1")
            # A checkpoint (where OpenEvolve stores every program) after each iteration.
            text = text.replace("checkpoint_interval: 5", "checkpoint_interval: 1")
            with open(config, "w") as f:
                f.write(text)
            out = os.path.join(work, "out")
            start = time.monotonic()
            done = subprocess.run(
                [PYTHON, "-m", "openevolve.cli", "initial_program.swift", "evaluator.py", "--config", "config.yaml",
                 "--iterations", "3", "--output", out],
                cwd=work, capture_output=True, text=True, timeout=600,
                env={**os.environ, "OPENAI_API_KEY": "offline"})
            seconds = time.monotonic() - start
            server.shutdown()
            server.server_close()
            self.assertEqual(done.returncode, 0, done.stdout[-3000:] + done.stderr[-3000:])
            self.assertEqual(len(server.state["requests"]), 3)

            programs = {}
            for path in glob.glob(os.path.join(out, "checkpoints", "checkpoint_*", "programs", "*.json")):
                with open(path) as f:
                    record = json.load(f)
                programs[record["id"]] = record
            by_kind = {}
            for record in programs.values():
                code = record["code"]
                # The rejected edit may land on the improved parent: checked first.
                kind = ("rejected" if "if n > 0 { return Array(0..<n) }" in code else "compile" if '"eight"' in code
                        else "improved" if "min(32" in code else "initial")
                by_kind[kind] = record
            self.assertEqual(set(by_kind), {"initial", "improved", "compile", "rejected"}, sorted(programs))

            def artifacts(record):
                return json.loads(record.get("artifacts_json") or "{}")

            self.assertEqual(by_kind["initial"]["metrics"]["combined_score"], 1.0)
            self.assertGreater(by_kind["improved"]["metrics"]["combined_score"], 1.0)
            self.assertEqual(by_kind["compile"]["metrics"]["combined_score"], 0.0)
            self.assertIn("compile_error: ", artifacts(by_kind["compile"])["failure"])
            self.assertEqual(by_kind["rejected"]["metrics"]["combined_score"], 0.0)
            self.assertEqual(artifacts(by_kind["rejected"])["rejected_at"], "cost_model")
            best = glob.glob(os.path.join(out, "best", "best_program.swift"))
            self.assertTrue(best)
            with open(best[0]) as f:
                self.assertIn("min(32", f.read(), "the improving edit is not OpenEvolve's best program")
            scores = {k: round(v["metrics"]["combined_score"], 4) for k, v in by_kind.items()}
            print(f"\nopenevolve e2e: 3 iterations in {seconds:.1f} s; combined_score {scores}", flush=True)


if __name__ == "__main__":
    unittest.main()

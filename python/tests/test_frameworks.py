"""Each framework's shape: OpenEvolve's metrics, ShinkaEvolve's two files, SkyDiscover's JSON,
GEPA's (score, side_info)."""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

from support import FAKE, RECORDED, Environment, FakeBinary, read_text, recorded
from sim_cascade import gepa, openevolve, shinka, skydiscover
from sim_cascade.result import from_report


class ProgramFolder(unittest.TestCase):
    """A test with a program in a folder of its own."""

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.program = os.path.join(self.folder.name, "p.swift")
        with open(self.program, "w") as f:
            f.write("import CandidateAPI\n// EVOLVE-BLOCK-START\nlet x = 2\n// EVOLVE-BLOCK-END\n")

    def tearDown(self):
        self.folder.cleanup()


class FrameworkTests(ProgramFolder):

    def test_openevolve_gets_combined_score_and_numbers_only(self):
        with FakeBinary("valid") as fake:
            result = openevolve.OpenEvolveEvaluator("txn", binary=fake).evaluate(self.program)
        metrics = result if isinstance(result, dict) else result.metrics
        self.assertGreater(metrics["combined_score"], 1.0)
        self.assertTrue(all(isinstance(v, float) for v in metrics.values()))

    def test_openevolve_stages_run_one_level_each(self):
        argv = os.path.join(self.folder.name, "argv")
        with FakeBinary("valid", argv=argv) as fake:
            functions = openevolve.OpenEvolveEvaluator("txn", binary=fake).functions()
            for level, stage in zip(openevolve.STAGE_LEVELS, functions[1:]):
                stage(self.program)
                self.assertEqual(read_text(argv).split("\n")[-2:], ["--level", level])

    def test_shinka_writes_both_files(self):
        results = os.path.join(self.folder.name, "results")
        for name, correct in (("valid", True), ("compile_error", False)):
            with self.subTest(name), FakeBinary(name) as fake:
                with Environment(SIM_CASCADE_BIN=fake), contextlib.redirect_stdout(io.StringIO()):
                    status = shinka.main(["--problem", "spot", "--program_path", self.program, "--results_dir", results])
                self.assertEqual(status, 0)
                metrics = json.loads(read_text(os.path.join(results, "metrics.json")))
                verdict = json.loads(read_text(os.path.join(results, "correct.json")))
                self.assertEqual(set(metrics), {"combined_score", "public", "private", "text_feedback"})
                self.assertEqual(set(verdict), {"correct", "error"})
                self.assertEqual(verdict["correct"], correct)
                if correct:
                    self.assertGreater(metrics["combined_score"], 1.0)
                    self.assertIsNone(verdict["error"])
                else:
                    self.assertEqual(metrics["combined_score"], 0.0)
                    self.assertTrue(verdict["error"].startswith("compile_error: "))
                    self.assertIn("cannot convert", metrics["text_feedback"])

    def test_shinka_writes_nothing_when_the_setup_is_broken(self):
        results = os.path.join(self.folder.name, "broken")
        with FakeBinary(exit=3) as fake:
            with Environment(SIM_CASCADE_BIN=fake), contextlib.redirect_stderr(io.StringIO()):
                status = shinka.main(["--problem", "spot", "--program_path", self.program, "--results_dir", results])
        self.assertEqual(status, 3)
        self.assertFalse(os.path.exists(os.path.join(results, "correct.json")))

    def test_skydiscover_prints_status_score_metrics_artifacts(self):
        for name, status in (("valid", "success"), ("rejected", "error")):
            with self.subTest(name):
                out = skydiscover.to_skydiscover(from_report(recorded(name)))
                self.assertEqual(set(out), {"status", "combined_score", "metrics", "artifacts"})
                self.assertEqual(out["status"], status)
                json.dumps(out)
        argv = os.path.join(self.folder.name, "argv")
        with FakeBinary("valid", argv=argv) as fake:
            printed = io.StringIO()
            with Environment(SIM_CASCADE_BIN=fake), contextlib.redirect_stdout(printed):
                self.assertEqual(skydiscover.main(["--problem", "spot", self.program, "test"]), 0)
        self.assertEqual(json.loads(printed.getvalue())["status"], "success")
        self.assertEqual(read_text(argv).split("\n")[-3:], ["--held-out", "--level", "fine"])

    def test_gepa_splices_a_block_and_returns_side_info(self):
        argv = os.path.join(self.folder.name, "argv")
        with FakeBinary("rejected", argv=argv) as fake:
            evaluate = gepa.make_evaluator("txn", binary=fake)
            score, info = evaluate("let x = 3\n")
            self.assertEqual(score, 0.0)
            self.assertEqual(info["rejected_at"], "cost_model")
            self.assertTrue(info["failure"].startswith("rejected: "))
            self.assertIn("stages", info)
            batch = gepa.make_batch_evaluator("txn", binary=fake)
            results = batch([("let x = 4\n", "a.json"), ({"program": "let x = 5\n"}, {"input": "b.json"})])
        self.assertEqual(len(results), 2)
        self.assertEqual(read_text(argv).split("\n")[-2:], ["--input", "b.json"])

    def test_a_change_outside_the_block_is_refused_without_running(self):
        argv = os.path.join(self.folder.name, "argv")
        with FakeBinary("valid", argv=argv) as fake:
            template = "import CandidateAPI\n// EVOLVE-BLOCK-START\nlet x = 1\n// EVOLVE-BLOCK-END\n"
            bridge = openevolve.OpenEvolveEvaluator("spot", binary=fake, template=template, check_outside_block=True)
            with open(self.program, "a") as f:
                f.write("print(1)\n")
            result = bridge.evaluate(self.program)
        metrics = result if isinstance(result, dict) else result.metrics
        self.assertEqual(metrics["combined_score"], 0.0)
        self.assertFalse(os.path.exists(argv), "eval ran for a program edited outside its block")


class StageAndPreflightTests(ProgramFolder):

    def test_a_stage_below_openevolves_threshold_scores_zero(self):
        # The recorded candidate scores 1.0063 at its level: below a threshold of 1.01, above 0.9.
        with FakeBinary("valid") as fake:
            bridge = openevolve.OpenEvolveEvaluator("txn", binary=fake, thresholds=(1.01, 0.9))
            stage1, stage2, stage3 = bridge.functions()[1:]
            below, above, last = stage1(self.program), stage2(self.program), stage3(self.program)
        metrics = lambda r: r if isinstance(r, dict) else r.metrics  # noqa: E731
        self.assertEqual(metrics(below)["combined_score"], 0.0)
        self.assertGreater(metrics(above)["combined_score"], 1.0)
        self.assertGreater(metrics(last)["combined_score"], 1.0, "a third threshold is never read")

    def test_preflight_passes_the_template_and_raises_otherwise(self):
        from sim_cascade import Evaluator, SimCascadeError
        with FakeBinary("template") as fake:
            self.assertEqual(Evaluator("txn", binary=fake).preflight().combined_score, 1.0)
        for name in ("valid", "compile_error"):
            with self.subTest(name), FakeBinary(name) as fake, self.assertRaises(SimCascadeError):
                Evaluator("txn", binary=fake).preflight()


class TaskFolderScriptTests(unittest.TestCase):
    """The committed Shinka `evaluate.py` and SkyDiscover `evaluate.sh`, run as the frameworks
    run them, against the fake binary."""

    REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    def run_script(self, argv, report):
        env = {**os.environ, "PYTHONPATH": os.path.join(self.REPO, "python"), "SIM_CASCADE_BIN": FAKE,
               "FAKE_REPORT": os.path.join(RECORDED, f"{report}.json"), "FAKE_EXIT": "0"}
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)

    def test_shinka_evaluate_py_writes_both_files(self):
        folder = os.path.join(self.REPO, "integrations", "shinka", "txn")
        with tempfile.TemporaryDirectory() as results:
            done = self.run_script([sys.executable, os.path.join(folder, "evaluate.py"), "--program_path",
                                    os.path.join(folder, "initial.swift"), "--results_dir", results], "valid")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertTrue(json.loads(read_text(os.path.join(results, "correct.json")))["correct"])
            self.assertGreater(json.loads(read_text(os.path.join(results, "metrics.json")))["combined_score"], 1.0)

    def test_skydiscover_evaluate_sh_prints_one_json_object(self):
        folder = os.path.join(self.REPO, "integrations", "skydiscover", "txn")
        for split in ("train", "test"):
            with self.subTest(split):
                done = self.run_script([os.path.join(folder, "evaluate.sh"), os.path.join(folder, "initial_program.swift"), split],
                                       "rejected")
                self.assertEqual(done.returncode, 0, done.stderr)
                out = json.loads(done.stdout)
                self.assertEqual((out["status"], out["combined_score"]), ("error", 0.0))
                self.assertEqual(out["artifacts"]["rejected_at"], "cost_model")


if __name__ == "__main__":
    unittest.main()

"""The subprocess rules: a timeout kills the whole group, exit 2/3 raise, the parent is named."""
import os
import tempfile
import time
import unittest

from support import FakeBinary, read_text
from sim_cascade import Evaluator, SimCascadeEnvironmentError, SimCascadeError, SimCascadeInputError
from sim_cascade.runner import run_eval


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead: it only waits for its parent.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


class RunnerTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.program = os.path.join(self.folder.name, "p.swift")
        with open(self.program, "w") as f:
            f.write("// EVOLVE-BLOCK-START\n// EVOLVE-BLOCK-END\n")

    def tearDown(self):
        self.folder.cleanup()

    def test_a_timeout_kills_the_process_group_and_scores_zero(self):
        pids = os.path.join(self.folder.name, "pids")
        with FakeBinary(sleep=600, pids=pids) as fake:
            evaluation = Evaluator("spot", binary=fake, timeout=1.5).evaluate_file(self.program)
        self.assertFalse(evaluation.valid)
        self.assertEqual(evaluation.failure_kind, "timeout")
        self.assertEqual(evaluation.combined_score, 0.0)
        leader, child = map(int, read_text(pids).split())
        deadline = time.monotonic() + 10
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(leader))
        self.assertFalse(alive(child), "the evaluation's child outlived the bridge's timeout")

    def test_bad_input_raises_instead_of_scoring(self):
        with FakeBinary(exit=2) as fake, self.assertRaises(SimCascadeInputError) as caught:
            run_eval(self.program, "spot", binary=fake)
        self.assertIn("fake failure 2", str(caught.exception))

    def test_a_machine_fault_raises_instead_of_scoring(self):
        with FakeBinary(exit=3) as fake, self.assertRaises(SimCascadeEnvironmentError):
            Evaluator("spot", binary=fake).evaluate_file(self.program)

    def test_a_crash_of_the_tool_raises(self):
        with FakeBinary(exit=134) as fake, self.assertRaises(SimCascadeError):
            run_eval(self.program, "spot", binary=fake)

    def test_eval_is_told_its_parent_and_asked_for_json(self):
        argv, parent = os.path.join(self.folder.name, "argv"), os.path.join(self.folder.name, "parent")
        with FakeBinary(argv=argv, parent=parent) as fake:
            completed = run_eval(self.program, "txn", args=["--models-only"], binary=fake)
        self.assertTrue(completed.report["valid"])
        self.assertEqual(read_text(argv).split("\n"),
                         ["eval", self.program, "--problem", "txn", "--json", "--models-only"])
        named, actual = read_text(parent).split()
        self.assertEqual(named, str(os.getpid()))
        self.assertEqual(actual, str(os.getpid()))

    def test_a_missing_binary_is_an_environment_error(self):
        with self.assertRaises(SimCascadeEnvironmentError):
            run_eval(self.program, "spot", binary=os.path.join(self.folder.name, "absent"))


if __name__ == "__main__":
    unittest.main()

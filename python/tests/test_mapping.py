"""The score convention on recorded `eval --json` reports of each outcome."""
import unittest

from support import recorded
from sim_cascade import SimCascadeError
from sim_cascade.result import from_report


class MappingTests(unittest.TestCase):
    def test_a_valid_candidate_scores_its_normalized_headline(self):
        report = recorded("valid")
        e = from_report(report)
        self.assertTrue(e.valid)
        # Lower is better (makespan): reference / value, above 1 for a better candidate.
        self.assertFalse(report["score"]["higher_is_better"])
        self.assertAlmostEqual(e.combined_score, report["score"]["reference"] / report["score"]["value"], places=12)
        self.assertGreater(e.combined_score, 1.0)
        self.assertEqual(e.metrics["total_execution_makespan"], report["total_execution_makespan"])
        self.assertIn("cost_model_estimated_makespan", e.metrics)
        self.assertLessEqual({"cost_model_seconds", "coarse_seconds", "fine_seconds", "compile_seconds", "run_seconds"},
                             set(e.timings))
        self.assertEqual(e.metrics["valid"], 1.0)
        self.assertIn("stages", e.artifacts)
        self.assertIsNone(e.error)
        self.assertEqual(e.build_id, report["build_id"])

    def test_the_template_scores_one(self):
        # Recorded from `sim-cascade eval` of `init txn` (the Swift suite checks every problem).
        self.assertEqual(from_report(recorded("template")).combined_score, 1.0)

    def test_every_failure_scores_zero_with_its_message(self):
        for name, kind in [("compile_error", "compile_error"), ("rejected", "rejected"), ("timeout", "timeout"),
                           ("deadline_miss", "deadline_miss"), ("invalid_answer", "invalid_answer")]:
            with self.subTest(name):
                report = recorded(name)
                e = from_report(report)
                self.assertFalse(e.valid)
                self.assertEqual(e.combined_score, 0.0)
                self.assertEqual(e.failure_kind, kind)
                self.assertEqual(e.artifacts["failure"], f"{kind}: {report['failure']['message']}")
                self.assertEqual(e.metrics["valid"], 0.0)

    def test_a_rejected_candidate_names_its_stage(self):
        e = from_report(recorded("rejected"))
        self.assertEqual(e.rejected_at, "cost_model")
        self.assertEqual(e.artifacts["rejected_at"], "cost_model")

    def test_a_failed_report_with_a_number_still_scores_zero(self):
        # A report is trusted for its verdict: an invalid candidate never carries a score.
        report = recorded("rejected")
        report["score"]["normalized"] = 5.0
        self.assertEqual(from_report(report).combined_score, 0.0)

    def test_a_valid_candidate_whose_value_is_not_positive_scores_zero(self):
        report = recorded("valid")
        report["score"]["value"], report["score"]["normalized"] = 0, None
        self.assertEqual(from_report(report).combined_score, 0.0)

    def test_a_valid_candidate_without_a_score_raises(self):
        # An older binary, or a level without a reference: the setup's fault, not the candidate's.
        for change in ({"score": None}, {"score": {**recorded("valid")["score"], "reference": None}}):
            with self.subTest(change), self.assertRaises(SimCascadeError):
                from_report({**recorded("valid"), **change})

    def test_the_candidates_run_times_are_timings(self):
        e = from_report(recorded("valid"))
        self.assertIn("runtime_seconds", e.timings)
        self.assertFalse([k for k in e.metrics if k.endswith("_seconds")])


if __name__ == "__main__":
    unittest.main()

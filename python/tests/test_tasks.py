"""The committed task folders are what `python -m sim_cascade.tasks` writes from this build's
`sim-cascade init` (the template verbatim, the prompt of `init --prompt`)."""
import filecmp
import os
import tempfile
import unittest

from support import HERE
from sim_cascade import tasks

REPO = os.path.dirname(os.path.dirname(HERE))


@unittest.skipUnless(os.environ.get("SIM_CASCADE_BIN"), "needs SIM_CASCADE_BIN (the built binary)")
class TaskFolderTests(unittest.TestCase):
    def test_the_committed_folders_are_up_to_date(self):
        with tempfile.TemporaryDirectory() as out:
            written = tasks.write(out)
            committed = os.path.join(REPO, "integrations")
            stale = [os.path.relpath(p, out) for p in written
                     if not filecmp.cmp(p, os.path.join(committed, os.path.relpath(p, out)), shallow=False)
                     if os.path.exists(os.path.join(committed, os.path.relpath(p, out)))]
            missing = [os.path.relpath(p, out) for p in written
                       if not os.path.exists(os.path.join(committed, os.path.relpath(p, out)))]
        self.assertEqual((stale, missing), ([], []),
                         "run: SIM_CASCADE_BIN=... PYTHONPATH=python python3 -m sim_cascade.tasks integrations")

    def test_every_framework_has_a_folder_per_problem(self):
        with tempfile.TemporaryDirectory() as out:
            tasks.write(out)
            for framework in tasks.FRAMEWORKS:
                self.assertEqual(sorted(os.listdir(os.path.join(out, framework))),
                                 sorted(["eplb", "prefix", "spot", "spot-multi", "txn"]))


if __name__ == "__main__":
    unittest.main()

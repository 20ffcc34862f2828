"""Splicing into the template's EVOLVE-BLOCK, and refusing changes outside it."""
import unittest

from support import recorded  # noqa: F401 (puts the package on the path)
from sim_cascade import evolve_block

TEMPLATE = "import CandidateAPI\nstruct C {\n    // EVOLVE-BLOCK-START\n    let a = 1\n    // EVOLVE-BLOCK-END\n}\n"


class EvolveBlockTests(unittest.TestCase):
    def test_a_body_is_spliced_between_the_markers(self):
        program = evolve_block.splice(TEMPLATE, "    let a = 2")
        self.assertEqual(program, TEMPLATE.replace("let a = 1", "let a = 2"))
        self.assertIsNone(evolve_block.outside_change(TEMPLATE, program))

    def test_a_whole_program_gives_its_block(self):
        program = TEMPLATE.replace("let a = 1", "let a = 3").replace("struct C", "struct D")
        self.assertEqual(evolve_block.splice(TEMPLATE, program), TEMPLATE.replace("let a = 1", "let a = 3"))

    def test_a_change_outside_is_named(self):
        change = evolve_block.outside_change(TEMPLATE, TEMPLATE.replace("struct C", "struct D"))
        self.assertIn("struct D", change)
        self.assertIsNotNone(evolve_block.outside_change(TEMPLATE, TEMPLATE + "extension C {}\n"))
        self.assertIsNotNone(evolve_block.outside_change(TEMPLATE, TEMPLATE.replace("    // EVOLVE-BLOCK-END\n", "")))

    def test_trailing_whitespace_is_not_a_change(self):
        self.assertIsNone(evolve_block.outside_change(TEMPLATE, TEMPLATE.replace("struct C {", "struct C {  ") + "\n"))

    def test_markers_must_be_one_ordered_pair(self):
        with self.assertRaises(evolve_block.EvolveBlockError):
            evolve_block.split("// EVOLVE-BLOCK-END\n// EVOLVE-BLOCK-START\n")
        with self.assertRaises(evolve_block.EvolveBlockError):
            evolve_block.split(TEMPLATE + TEMPLATE)


if __name__ == "__main__":
    unittest.main()

"""sim-cascade as the evaluator of OpenEvolve, ShinkaEvolve, GEPA and SkyDiscover.

Every bridge shells out to `sim-cascade eval --json` and reports one score convention:
`combined_score` is the headline metric relative to the template (template = 1.0, higher is
better), 0.0 for any failed or rejected candidate. Exit 2 or 3 of sim-cascade raises
(`SimCascadeInputError`, `SimCascadeEnvironmentError`): a broken setup is not a bad candidate.
"""

from .evaluator import DEFAULT_TIMEOUT, Evaluator, template_of
from .result import Evaluation, from_report
from .runner import SimCascadeEnvironmentError, SimCascadeError, SimCascadeInputError

__all__ = ["DEFAULT_TIMEOUT", "Evaluation", "Evaluator", "SimCascadeEnvironmentError", "SimCascadeError",
           "SimCascadeInputError", "from_report", "template_of"]

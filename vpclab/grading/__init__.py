"""The grading layer: assignment checks, the learner's ``vpclab.check``, and the batch grader.

A notebook needs only ``vpclab.grading.start(assignment)``, ``vpclab.grading.assert_check(...)``
(``student.py``) and ``vpclab.grading.named(lab, "web", ...)`` to pick the lab's resources by name
(``lookup.py``); ``python -m vpclab grade`` is ``batch.py`` and the modules it uses (``kernel.py``,
``isolation.py``, ``sandbox.py``, ``replay.py``, ``grader.py``, ``reports.py``, ``classreport.py``),
imported only by the command.
"""

from .lookup import named
from .student import assert_check, start

__all__ = ["assert_check", "named", "start"]

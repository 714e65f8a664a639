"""The grading layer: assignment checks, the learner's ``vpclab.check``, and the batch grader."""

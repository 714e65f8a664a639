"""One module per assignment, named like its solution notebook: it builds the starting lab
(``start()``) and registers the checks. Importing this package imports none of them; use
``vpclab.grading.checks.assignments()``."""

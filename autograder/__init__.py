"""The grading side of the course.

- `autograder.checks`: the functions that nbgrader test cells call, split by
  concern (structure and settings, sharing and nodes, losses and training,
  messages). Importing it imports Keras.
- `autograder.pipeline`: `kfc-grade`, the instructor's command that takes a
  class's submissions to grades, feedback and reports. It imports no
  TensorFlow: nbgrader loads `autograder.pipeline.execute` from the course's
  `nbgrader_config.py` for every command.
- `autograder.trusted`: scores that do not rest on the grading kernel's word:
  the kernel exports its variables as data at each test cell, and the test
  cells run in a fresh process on the rebuilt objects (`TrustedExecute`).
- `autograder.mutation`: mutants derived from each exercise's solution, run
  against the exercise's test cells, to show that the checks catch wrong
  answers.

This package file imports nothing, so that importing the pipeline stays light.
"""

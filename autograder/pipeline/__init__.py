"""Grading a class with nbgrader: the instructor's side of the course.

`kfc-grade` (`autograder.pipeline.cli`) takes a folder of submissions to grades,
feedback and a report. The modules, in the order a grading run uses them:

- `collect`: finds each student's notebooks in a folder (nbgrader's
  `submitted/<student>/<chapter>/` layout, per-student folders, notebooks or
  zip files) and decides which chapter each one is;
- `notebooks`: reads a submitted notebook and repairs its nbgrader cells
  (deleted, duplicated, edited or re-labelled graded cells) against the release;
- `execute`: `GuardedExecute`, the nbgrader preprocessor that runs a submission
  in a kernel with memory and CPU limits, caps its outputs, and carries on past
  timeouts and dead kernels;
- `workspace`: the grading workspace (nbgrader course root, gradebook,
  feedback, reports) and the nbgrader commands run in it;
- `report`: each submission's status and reason, the summary table, the CSV and
  the per-cell score plot;
- `demo`: a sample class built from the course itself.

Nothing here imports TensorFlow: nbgrader loads `autograder.pipeline.execute` from
the course's `nbgrader_config.py`, and every nbgrader command would pay for it.
"""

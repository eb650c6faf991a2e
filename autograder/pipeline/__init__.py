"""Grading a class with nbgrader: the instructor's side of the course.

`kfc-grade` (`autograder.pipeline.cli`) takes a folder of submissions to grades,
feedback and a report. The modules, in the order a grading run uses them:

- `roster`: the class list (`--roster`): ids, names and emails into the gradebook;
- `schedule`: due dates and the late penalty (`schedule.toml`, `--schedule`);
- `exchange`: nbgrader's exchange: `kfc-grade release`, and each student's latest
  inbound submission with its time (`--exchange`);
- `collect`: finds each student's notebooks in a folder (nbgrader's
  `submitted/<student>/<chapter>/` layout, per-student folders, notebooks or
  zip files) and decides which chapter each one is;
- `notebooks`: reads a submitted notebook and repairs its nbgrader cells
  (deleted, duplicated, edited or re-labelled graded cells) against the release;
- `sandbox`: the bubblewrap sandbox every grading kernel (and the trusted
  checks' process) runs in: the Python environment read-only, a private capped
  `/tmp`, no network, none of the workspace, the solutions or your environment;
- `execute`: `GuardedExecute`, the nbgrader preprocessor that runs a submission
  in a sandboxed kernel with memory, CPU and disk limits, caps its outputs, and
  carries on past timeouts and dead kernels (`autograder.trusted` builds on it);
- `workspace`: the grading workspace (nbgrader course root, gradebook,
  feedback, reports) and the nbgrader commands run in it;
- `forkserver`: one process that imported nbgrader once, from which each nbgrader
  command is forked;
- `jobs`: one submission as a job carrying everything as data, graded in a
  private workspace on this machine (`--jobs`) or a Dask worker
  (`--scheduler`), recorded in the gradebook by `kfc-grade` alone; the
  fingerprints that let an unchanged submission keep its grade;
- `progress`: the progress bar on a terminal, the plain lines elsewhere;
- `feedback`: the students' feedback pages: no hidden tests, nothing live or fetched;
- `report`: each submission's status and reason, the summary table, the CSV and
  the per-cell score plot; `exports`: the Canvas and Moodle grade imports;
- `demo`: a sample class built from the course itself;
- `lab`: `kfc-lab`, JupyterLab for students (Validate only) and for the
  instructor (Formgrader on the graded class).

Nothing here imports TensorFlow: nbgrader loads `autograder.pipeline.execute` from
the course's `nbgrader_config.py`, and every nbgrader command would pay for it.
"""

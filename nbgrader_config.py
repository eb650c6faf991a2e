"""nbgrader configuration of the Keras Functional Course.

nbgrader reads this file when it runs from the repository root. It maps
nbgrader's course layout onto the repository: `solutions/` is the source
(full solutions and hidden tests), `course/` is the student release that
`nbgrader generate_assignment` writes. One chapter folder is one assignment.

The rest makes autograding safe for a class of TensorFlow notebooks:

- TensorFlow writes log lines to stderr, and nbgrader scores a test cell with
  stderr output as failed: the log level is lowered and the lines that still
  appear are removed before grading (`IgnorePattern`);
- `GuardedExecute` replaces nbgrader's Execute: the kernel runs in a sandbox
  (it sees the Python environment, not the workspace, the solutions, the
  instructor's files or environment, nor the network) under memory, CPU and
  disk limits, a cell that ignores the timeout's interrupt or kills the kernel
  costs that cell, not the notebook, and outputs (text and images) are capped;
- `TrustedExecute`, a `GuardedExecute` that never runs a test cell in the
  kernel: the kernel exports its variables as data at each test cell, and the
  test cells run in a fresh process on them (autograder/trusted/), so nothing
  the student's code does in the kernel can turn a failing check into a pass;
- graded cells a student deleted are put back (`OverwriteCells`), and output
  is limited (`LimitOutput`);
- feedback pages are sanitised: no script or event handler of a notebook stays
  live (`FeedbackHTMLExporter`).

`kfc-grade` (see README.md) loads this file from its grading workspace and
overrides the course root, the gradebook URL and the limits it is given.
"""

import os
import urllib.parse

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from autograder.trusted.execute import TrustedExecute

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "keras-functional-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
# The gradebook is the one kfc-grade writes in its default workspace, opened only if it
# exists (SQLite's mode=rw): nbgrader's default would create an empty gradebook.db
# wherever nbgrader or Formgrader starts. Formgrader on the graded class is
# `kfc-lab --instructor`; the workspace's own config sets its own URL (kfc-grade --db).
c.CourseDirectory.db_url = "sqlite:///file:{}?mode=rw&uri=true".format(
    urllib.parse.quote(os.path.join(COURSE_ROOT, "grading", "gradebook.db")))

# nbgrader's exchange (release_assignment, fetch_assignment, submit, and `kfc-grade --exchange`):
# its root is the folder in NBGRADER_EXCHANGE when that is set, else nbgrader's default
# (/usr/local/share/nbgrader/exchange). Students point their own nbgrader config at the same
# folder (see README.md, "Releasing and collecting through nbgrader's exchange").
if os.environ.get("NBGRADER_EXCHANGE"):
    c.Exchange.root = os.environ["NBGRADER_EXCHANGE"]

# Every release notebook starts with the same short "how this notebook works".
c.IncludeHeaderFooter.header = os.path.join(COURSE_ROOT, "solutions", "header.ipynb")

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError(\"Replace this line with your answer.\")"
}

# TensorFlow's C++ log lines ("All log messages before absl::InitializeLog()",
# "I0000 00:00:... port.cc:153] oneDNN ...", "E0000 ... cuInit", the AVX notice).
TENSORFLOW_LOG_PATTERN = (
    r"(?m)^(WARNING: All log messages before absl::InitializeLog\(\)"
    r"|[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]"
    r"|To enable the following instructions:)"
)
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = TENSORFLOW_LOG_PATTERN

# Kernels started by nbgrader without the sandbox inherit this: TensorFlow's C++ logging
# stays quiet (a sandboxed kernel gets it from autograder.pipeline.sandbox's environment).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Keras cells build and train small models: give a cell two minutes.
c.Execute.timeout = 120

# Autograde runs submissions with TrustedExecute (a GuardedExecute whose test cells are
# scored outside the kernel) in place of nbgrader's Execute; the rest of the list is
# nbgrader 0.9's default. Its settings are GuardedExecute's, below.
c.Autograde.autograde_preprocessors = [
    TrustedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
# A late submission (its time stamp past the chapter's due date in the gradebook, which
# kfc-grade sets from schedule.toml) loses points_per_hour for each started hour late.
c.AssignLatePenalties.plugin_class = "autograder.pipeline.schedule.HourlyPenalty"
c.GuardedExecute.timeout = 120
c.GuardedExecute.memory_limit_mb = 4096  # the course's notebooks use well under 1 GiB
c.GuardedExecute.cpu_limit_seconds = 600  # per kernel; a whole chapter uses under a minute
c.GuardedExecute.max_output_chars = 100_000  # text per cell, also cuts one enormous line
c.GuardedExecute.max_kernel_restarts = 3
c.GuardedExecute.max_output_bytes = 5 * 2**20  # images and other data per cell
# Every grading kernel runs in a bubblewrap sandbox (autograder/pipeline/sandbox.py): it
# sees the Python environment read-only, a private /tmp, and none of the workspace, the
# solutions, the instructor's files and environment, or the network. GuardedExecute refuses
# to run when no sandbox can be made; `kfc-grade --no-sandbox` sets this to False.
c.GuardedExecute.sandbox = True
c.GuardedExecute.disk_limit_mb = 256  # what a kernel may write (private /tmp, export folder)

# A graded cell the student deleted is put back from the gradebook.
c.OverwriteCells.add_missing_cells = True

# Long outputs and tracebacks are shortened in the graded notebook and the feedback.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# Feedback pages keep no live script, event handler or javascript: link of a notebook.
c.GenerateFeedback.exporter_class = "autograder.pipeline.feedback.FeedbackHTMLExporter"
c.HTMLExporter.sanitize_html = True

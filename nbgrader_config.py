"""nbgrader configuration of the Keras Functional Course.

nbgrader reads this file when it runs from the repository root. It maps
nbgrader's course layout onto the repository: `solutions/` is the source
(full solutions and hidden tests), `course/` is the student release that
`nbgrader generate_assignment` writes. One chapter folder is one assignment.

The rest keeps TensorFlow from costing a student points: TensorFlow writes
log lines to stderr, and nbgrader scores a test cell that has stderr output
as failed, so those lines are removed before grading (`IgnorePattern`).
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "keras-functional-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"

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

# Keras cells build and train small models: give a cell two minutes.
c.Execute.timeout = 120

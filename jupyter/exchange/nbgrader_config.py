"""A student's nbgrader config for the exchange, put on JUPYTER_CONFIG_PATH by `kfc-lab`.

The Assignment List (and `nbgrader fetch_assignment`, `nbgrader submit`) reads it: the
course id, and the exchange root from NBGRADER_EXCHANGE, which `kfc-lab --exchange DIR`
sets. Without that variable nbgrader keeps its own exchange root (or the one your own
`~/.jupyter/nbgrader_config.py` sets).
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "keras-functional-course"
if os.environ.get("NBGRADER_EXCHANGE"):
    c.Exchange.root = os.environ["NBGRADER_EXCHANGE"]

"""The reference model of an exercise, built by the solution's own lines.

A hidden test compares the student's answer with what the solution builds,
never with a description copied by hand. The hidden test holds the
solution's lines (`tests/test_course_references.py` proves that they are the
solution cell's own lines, in order) and `solution_reference` runs them in a
copy of the notebook's namespace, so the student's variables stay as they
were.
"""

from __future__ import annotations

import textwrap
from typing import Any

from autograder.checks.messages import student_namespace


def solution_reference(result: str, source: str, **given: Any) -> Any:
    """Runs solution lines in a copy of the notebook's namespace and returns `result`.

    Args:
        result: the variable the lines define, e.g. "inception".
        source: the solution's lines (a subsequence of the solution cell's).
        **given: variables to set before running them, overriding the notebook's.

    Returns:
        The object the lines bind to `result`.

    Raises:
        ValueError: if the lines do not define `result` (a mistake in the hidden
            test, not in the student's answer).

    Example:

    >>> reference = solution_reference("inception", '''
    ... image = keras.Input(shape=(16, 16, 3), name="image")
    ... ...
    ... ''')
    """
    namespace = dict(student_namespace())
    namespace.update(given)
    exec(compile(textwrap.dedent(source), "<solution>", "exec"), namespace)  # noqa: S102
    if result not in namespace:
        raise ValueError(
            f"`source` must define {result!r}, but the solution lines given define only "
            f"{sorted(set(namespace) - set(student_namespace()))}. Copy the solution line "
            f"that assigns {result!r} into the hidden test."
        )
    return namespace[result]

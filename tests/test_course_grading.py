"""nbgrader grades the course as intended.

- nbgrader's Validate, as a student runs it, prints the checks' messages and
  not their source;
- every graded cell has a wrong answer in `tests/mistakes/` that fails it, and the
  foundation issue's mistakes are among them (tests/test_course_mutants.py replays
  them in the mutants' kernel and checks each message).

Only the Validate test runs a notebook. That the answer key
earns full marks in every chapter and the untouched release zero, autograded
by nbgrader with the course's configuration (sandbox and trusted checks), is
pinned by `tests/test_grading_demo.py` (students `ada-all-correct` and
`ben-untouched`), which grades them once for the whole suite.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from _notebooks import (
    COURSE,
    chapter_notebook,
    chapters,
    grade_id,
    is_test_cell,
    run_nbgrader,
)

from autograder.mutation.run import load_mistakes

CHAPTERS = chapters()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_graded_cell_has_a_mistake_that_fails_it(chapter):
    notebook = nbformat.read(chapter_notebook(chapter), as_version=4)
    graded = {grade_id(cell) for cell in notebook.cells if is_test_cell(cell)}
    covered = {cell for mistake in load_mistakes(chapter) for cell, _ in mistake.expected}
    assert graded - covered == set(), "graded cells that no mistake in tests/mistakes/ fails"
    assert covered - graded == set(), "mistakes name cells that are not graded cells"


FOUNDATION_MISTAKES = {
    "two LSTMs instead of one shared": r"two LSTMs instead of one shared",
    "loss weights swapped": r"weights swapped",
    "one loss for all outputs": r"one loss for (all|both) outputs",
    "a residual added from the wrong tensor": r"residual added from",
    "concatenation on axis 1": r"concatenation on axis 1",
    "a node index off by one": r"node index off by one",
    "a Dense instead of a shared sub-model": r"Dense instead of (a|the) shared",
}


@pytest.mark.parametrize("mistake, pattern", FOUNDATION_MISTAKES.items())
def test_the_foundation_issues_mistakes_are_written_into_exercises(mistake, pattern):
    """Each wrong answer listed in the foundation issue is replayed in some chapter."""
    found = [m for chapter in CHAPTERS for m in load_mistakes(chapter)
             if re.search(pattern, m.description)]
    assert found, f"no mistake in tests/mistakes/ is {mistake!r}"


def test_swapped_weights_are_caught_structurally_and_numerically():
    """A swapped-weights mistake fails a check_loss_weights and a check_weighted_loss cell."""
    caught_both = []
    for chapter in CHAPTERS:
        notebook = nbformat.read(chapter_notebook(chapter), as_version=4)
        sources = {grade_id(cell): cell.source for cell in notebook.cells if is_test_cell(cell)}
        for mistake in load_mistakes(chapter):
            if "weights swapped" not in mistake.description:
                continue
            failing = [sources[cell] for cell, _ in mistake.expected]
            if any("check_loss_weights" in source for source in failing) and any(
                "check_weighted_loss" in source for source in failing
            ):
                caught_both.append((chapter, mistake.exercise))
    assert caught_both


def test_validate_shows_the_students_cell_and_the_message_not_the_checks_source():
    """nbgrader's Validate, run on an unanswered chapter, prints each failing check's message.

    The traceback it shows holds the student's test cell and the message; the frames of
    the checks themselves are hidden (IPython's __tracebackhide__).
    """
    result = run_nbgrader("validate", str(chapter_notebook("00-welcome", COURSE)))
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert "Exercise 1 is not answered yet: `inputs` is not defined." in output, output[-3000:]
    assert 'checks.require("inputs", exercise=1)' in output
    for line_of_the_checks in ("autograder/checks", "fail(", "student_check", "_State"):
        assert line_of_the_checks not in output, line_of_the_checks

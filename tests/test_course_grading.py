"""nbgrader grades the course as intended.

- autograded in a scratch course, the solutions earn full marks in every
  graded cell and the untouched release earns zero (every test cell starts
  with `checks.require`, so each fails on an unanswered exercise: this is
  what `nbgrader validate` on the solutions and `validate --invert` on the
  releases would show, without executing every notebook twice more);
- nbgrader's Validate, as a student runs it, prints the checks' messages and
  not their source;
- the wrong answers in `tests/mistakes/` make the graded cells they target fail,
  with the message a student would read.

These tests execute every notebook: they take a few minutes.
"""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from _notebooks import (
    COURSE,
    REPOSITORY,
    SOLUTIONS,
    chapter_notebook,
    chapters,
    grade_id,
    is_test_cell,
    load_mistakes,
    replay_mistakes,
    run_nbgrader,
)

CHAPTERS = chapters()
ANSWER_KEY = "answer-key"
UNTOUCHED = "untouched-release"


@pytest.fixture(scope="module")
def gradebook_scores(tmp_path_factory):
    """Autogrades the answer key and the untouched release of every chapter.

    Returns:
        {(student, chapter): {grade_id: (score, max_score)}} read from nbgrader's gradebook.
    """
    from nbgrader.api import Gradebook

    root = tmp_path_factory.mktemp("grading")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(REPOSITORY / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
    )
    shutil.copytree(SOLUTIONS, root / "solutions")
    for chapter in CHAPTERS:
        result = run_nbgrader("generate_assignment", chapter, "--force", cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr
        for student, source in ((ANSWER_KEY, SOLUTIONS), (UNTOUCHED, COURSE)):
            notebook = chapter_notebook(chapter, source)
            destination = root / "submitted" / student / chapter
            destination.mkdir(parents=True)
            shutil.copy(notebook, destination / notebook.name)
        result = run_nbgrader("autograde", chapter, "--create", cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr
    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for chapter in CHAPTERS:
            notebook_name = chapter_notebook(chapter).stem
            for student in (ANSWER_KEY, UNTOUCHED):
                submission = gradebook.find_submission_notebook(notebook_name, chapter, student)
                scores[student, chapter] = {
                    grade.cell.name: (grade.score, grade.max_score) for grade in submission.grades
                }
    return scores


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solutions_earn_full_marks(chapter, gradebook_scores):
    scores = gradebook_scores[ANSWER_KEY, chapter]
    assert scores, f"no graded cells recorded for {chapter}"
    lost = {cell: score for cell, score in scores.items() if score[0] != score[1]}
    assert lost == {}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_untouched_release_earns_zero(chapter, gradebook_scores):
    scores = gradebook_scores[UNTOUCHED, chapter]
    assert scores, f"no graded cells recorded for {chapter}"
    earned = {cell: score for cell, score in scores.items() if score[0] != 0}
    assert earned == {}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_graded_cell_has_a_mistake_that_fails_it(chapter):
    notebook = nbformat.read(chapter_notebook(chapter), as_version=4)
    graded = {grade_id(cell) for cell in notebook.cells if is_test_cell(cell)}
    covered = {cell for mistake in load_mistakes(chapter) for cell in mistake.fails}
    assert graded - covered == set(), "graded cells that no mistake in tests/mistakes/ fails"
    assert covered - graded == set(), "mistakes name cells that are not graded cells"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_graded_cells_catch_the_mistakes(chapter):
    mistakes = load_mistakes(chapter)
    problems = []
    for outcome in replay_mistakes(chapter_notebook(chapter), mistakes):
        for cell, fragment in outcome.mistake.fails.items():
            result = outcome.tests.get(cell)
            if result is None:
                problems.append(f"{outcome.mistake.why}: {cell} is not a test of that exercise")
            elif result.error_name != "AssertionError" or fragment not in result.error_message:
                problems.append(
                    f"{outcome.mistake.why}: {cell} gave {result.error_name}: "
                    f"{result.error_message!r}, expected an AssertionError containing {fragment!r}"
                )
    assert problems == []


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
    found = [m for chapter in CHAPTERS for m in load_mistakes(chapter) if re.search(pattern, m.why)]
    assert found, f"no mistake in tests/mistakes/ is {mistake!r}"


def test_swapped_weights_are_caught_structurally_and_numerically():
    """A swapped-weights mistake fails a check_loss_weights and a check_weighted_loss cell."""
    caught_both = []
    for chapter in CHAPTERS:
        notebook = nbformat.read(chapter_notebook(chapter), as_version=4)
        sources = {grade_id(cell): cell.source for cell in notebook.cells if is_test_cell(cell)}
        for mistake in load_mistakes(chapter):
            if "weights swapped" not in mistake.why:
                continue
            failing = [sources[cell] for cell in mistake.fails]
            if any("check_loss_weights" in source for source in failing) and any(
                "check_weighted_loss" in source for source in failing
            ):
                caught_both.append((chapter, mistake.cell))
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

"""Feedback pages and the gradebook, with nbgrader run for real on a one-cell chapter.

A copy of the course repository holds a chapter of its own, `00-tiny` (one
answer, one test cell, no TensorFlow), so nbgrader's release, autograde and
generate_feedback take seconds. The student's notebook puts script into its
markdown and its output, and files are left in the autograded folder, as a
kernel could: the feedback page must keep none of it live and the feedback
folder must hold only the page. Its test cells have hidden tests, one of which
the student fails: the page must show none of their lines.
"""

from __future__ import annotations

import copy
import html as html_lib
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from _html import Elements
from _notebooks import REPOSITORY
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.api import Gradebook

from autograder.pipeline.cli import report_rows
from autograder.pipeline.collect import Submission
from autograder.pipeline.feedback import HIDDEN_TESTS_NOTE
from autograder.pipeline.notebooks import GRADED, NOT_GRADED, write_notebook
from autograder.pipeline.report import read_grades_csv, write_cells_csv, write_grades_csv
from autograder.pipeline.workspace import Limits, Workspace

pytestmark = [pytest.mark.notebooks,
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

CHAPTER, NAME = "00-tiny", "tiny.ipynb"
XSS_MARKDOWN = ("My notes <script>alert('markdown')</script> and "
                "<img src=x onerror=alert('image')> and [a link](javascript:alert('link'))")
HIDDEN_CHECK = """assert isinstance(x, int), "x is a whole number"
### BEGIN HIDDEN TESTS
hidden_total = x + 41
assert hidden_total == 42, "x plus 41 is not 42"
### END HIDDEN TESTS"""
FAILED_HIDDEN_CHECK = """assert x > 0, "x is positive"
### BEGIN HIDDEN TESTS
hidden_secret_number = 2
assert x == hidden_secret_number, "Your x is not the number the grader expected."
### END HIDDEN TESTS"""
XSS_CODE = """from IPython.display import HTML, display
display(HTML("<b>shown</b><script>alert('output')</script><img src=x onerror=alert('out')>"))
open("left-by-the-kernel.txt", "w").write("the kernel's file")"""


def nbgrader_cell(cell, grade_id, *, solution=False, grade=False, points=0):
    cell.metadata["nbgrader"] = {"grade": grade, "grade_id": grade_id, "locked": not solution,
                                 "schema_version": 3, "solution": solution, "task": False,
                                 **({"points": points} if grade else {})}
    return cell


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A workspace where ada's notebook of `00-tiny` was autograded and its feedback written."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(REPOSITORY / "nbgrader_config.py", course)
    (course / "solutions" / CHAPTER).mkdir(parents=True)
    shutil.copy(REPOSITORY / "solutions" / "header.ipynb", course / "solutions")
    solution = new_notebook(cells=[
        new_markdown_cell("Set `x` to 1."),
        nbgrader_cell(new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), "answer",
                      solution=True),
        nbgrader_cell(new_code_cell("assert x == 1\n" + HIDDEN_CHECK), "check_x", grade=True,
                      points=1),
        nbgrader_cell(new_code_cell(FAILED_HIDDEN_CHECK), "ex1_hidden_number", grade=True,
                      points=1),
    ])
    solution.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(solution, str(course / "solutions" / CHAPTER / NAME))
    workspace = Workspace(tmp_path_factory.mktemp("ws"), course)
    workspace.prepare(Limits(cell_timeout=60, notebook_timeout=300))
    release = nbformat.read(workspace.generate(CHAPTER), as_version=4)
    submitted = copy.deepcopy(release)
    answer = next(cell for cell in submitted.cells
                  if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer")
    answer.source = "x = 1"
    submitted.cells += [new_markdown_cell(XSS_MARKDOWN), new_code_cell(XSS_CODE)]
    write_notebook(submitted, workspace.submitted_path("ada", CHAPTER, NAME))
    result = workspace.autograde(CHAPTER, "ada")
    assert result.ok, result.log
    # What a kernel could have left in the folders nbgrader copies from.
    autograded = workspace.autograded_path("ada", CHAPTER, NAME).parent
    (autograded / "gradebook-copy.db").write_text("every student's scores")
    (autograded / ".hidden").write_text("hidden")
    (autograded / "loot").mkdir()
    (autograded / "loot" / "solutions.zip").write_text("all the solutions")
    (autograded / "link.txt").symlink_to(course / "nbgrader_config.py")
    result = workspace.feedback(CHAPTER)
    assert result.ok, result.log
    return workspace, release


def test_feedback_html_keeps_no_script_or_event_handler_of_the_notebook(graded):
    workspace, _ = graded
    html = workspace.feedback_path("ada", CHAPTER, NAME).read_text()
    page = Elements()
    page.feed(html)
    assert not [script for script in page.scripts if "alert" in script], "no live script"
    handlers = [(tag, name) for tag, attrs in page.tags for name in attrs
                if name.startswith("on")]
    assert handlers == [], "no onerror or other event handler"
    assert not [attrs for tag, attrs in page.tags if tag == "a"
                and "javascript:" in (attrs.get("href") or "")]
    # The student's text and the score are still there, shown as text.
    assert "&lt;script&gt;alert('markdown')&lt;/script&gt;" in html
    assert "<b>shown</b>" in html
    assert "(Score: 1.0 / 2.0)" in html


def test_feedback_html_shows_no_line_of_the_hidden_tests(graded):
    workspace, _ = graded
    solution = nbformat.read(workspace.course_root / "solutions" / CHAPTER / NAME, as_version=4)
    hidden = []
    for cell in solution.cells:
        inside = False
        for line in cell.source.splitlines():
            inside = inside or "BEGIN HIDDEN TESTS" in line
            if inside and line.strip():
                hidden.append(line.strip())
            inside = inside and "END HIDDEN TESTS" not in line
    assert len(hidden) == 8, "the chapter has hidden tests"
    html = workspace.feedback_path("ada", CHAPTER, NAME).read_text()
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", html[html.index("<body"):]))
    assert [line for line in hidden if line in text] == []
    assert text.count(HIDDEN_TESTS_NOTE) == 2
    # The failed hidden check's message is there, and its score.
    assert "Your x is not the number the grader expected." in text
    assert "Exercise 1 · check ex1_hidden_number — 0 / 1 point" in text


def test_feedback_folder_holds_only_the_notebooks_page(graded):
    workspace, _ = graded
    folder = workspace.feedback_path("ada", CHAPTER, NAME).parent
    assert sorted(path.name for path in folder.iterdir()) == ["tiny.html"]
    assert (workspace.root / "autograded" / "ada" / CHAPTER / "loot").is_dir(), (
        "the autograded folder itself is left as nbgrader wrote it")


def test_a_submission_removed_from_the_gradebook_is_a_finding_not_a_traceback(graded,
                                                                             tmp_path):
    workspace, release = graded
    releases, names = {CHAPTER: release}, {CHAPTER: NAME}
    submissions = [Submission("ada", CHAPTER, release, [], f"ada/{NAME}"),
                   Submission("ben", CHAPTER, release, [], f"ben/{NAME}")]
    rows = report_rows(workspace, submissions, ["ada", "ben"], [CHAPTER], names, releases)
    assert [(row.student, row.score, row.status) for row in rows] == [
        ("ada", 1, GRADED), ("ben", 0, NOT_GRADED)]
    with Gradebook(workspace.db_url) as gradebook:
        gradebook.remove_submission(CHAPTER, "ada")  # by someone else, during the run
    rows = report_rows(workspace, submissions, ["ada", "ben"], [CHAPTER], names, releases)
    assert [(row.student, row.score, row.status) for row in rows] == [
        ("ada", 0, NOT_GRADED), ("ben", 0, NOT_GRADED)]
    assert rows[0].reason == ("the gradebook had no record of the autograde of this "
                              "submission: it changed during the run; grade the class again")
    write_grades_csv(rows, tmp_path / "grades.csv")
    write_cells_csv(rows, tmp_path / "cells.csv")
    assert [row["student"] for row in read_grades_csv(tmp_path / "grades.csv")] == [
        "ada", "ben"]


def test_nbgraders_own_grades_csv_is_spreadsheet_safe(graded):
    workspace, _ = graded
    with Gradebook(workspace.db_url) as gradebook:
        gradebook.add_student("@SUM(1+1)")
        gradebook.add_submission(CHAPTER, "@SUM(1+1)")
    result = workspace.export()
    assert result.ok, result.log
    text = (workspace.reports / "nbgrader-grades.csv").read_text()
    assert ",'@SUM(1+1)," in text
    assert "\n@" not in text and ",@" not in text


def test_feedback_config_lines_are_only_written_for_generate_feedback(graded):
    workspace, _ = graded
    config = Path(workspace.root / "nbgrader_config.py")
    workspace.write_config("generate_feedback")
    assert 'c.CourseDirectory.ignore = ["*", ".*"]' in config.read_text()
    workspace.write_config("autograde")
    assert "CourseDirectory.ignore" not in config.read_text()
    assert "FeedbackHTMLExporter" in config.read_text()

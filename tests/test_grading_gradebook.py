"""Reading the gradebook defensively: `cli.report_rows` and `Workspace.forget`.

The gradebook is built with nbgrader's API (no nbgrader command, no kernel) for a
chapter of two test cells, then changed as someone could change it during a run.
"""

from __future__ import annotations

import copy
import shutil

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from autograder.pipeline.cli import report_rows
from autograder.pipeline.collect import Submission
from autograder.pipeline.notebooks import GRADED, NOT_GRADED, Finding, write_notebook
from autograder.pipeline.report import read_grades_csv, write_cells_csv, write_grades_csv
from autograder.pipeline.workspace import Workspace

# nbgrader's own add_submission warns about its session; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

CHAPTER, NAME = "00-tiny", "tiny.ipynb"
STUDENTS = ["ada", "ben", "cleo", "dan", "eve", "finn"]


def labelled(source, grade_id, *, solution=False, points=0):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution,
                                 "grade": bool(points), "locked": not solution,
                                 "points": points, "schema_version": 3}
    return cell


RELEASE = new_notebook(cells=[
    labelled("x = ...", "answer", solution=True),
    labelled("assert x", "check_one", points=1),
    labelled("assert x == 2", "check_two", points=2),
])


@pytest.fixture(scope="module")
def template_gradebook(tmp_path_factory):
    """A gradebook where every student but eve has a submission, fully scored."""
    path = tmp_path_factory.mktemp("template") / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as gradebook:
        gradebook.add_assignment(CHAPTER)
        gradebook.add_notebook("tiny", CHAPTER)
        gradebook.add_grade_cell("check_one", "tiny", CHAPTER, max_score=1, cell_type="code")
        gradebook.add_grade_cell("check_two", "tiny", CHAPTER, max_score=2, cell_type="code")
        for student in STUDENTS:
            gradebook.add_student(student)
            if student != "eve":
                gradebook.add_submission(CHAPTER, student)
                for cell, score in (("check_one", 1), ("check_two", 2)):
                    gradebook.find_grade(cell, "tiny", CHAPTER, student).auto_score = score
        gradebook.db.commit()
    return path


@pytest.fixture
def workspace(tmp_path, template_gradebook):
    workspace = Workspace(tmp_path / "ws", tmp_path)
    workspace.root.mkdir()
    shutil.copy(template_gradebook, workspace.root / "gradebook.db")
    for student in STUDENTS:
        write_notebook(copy.deepcopy(RELEASE),
                       workspace.autograded_path(student, CHAPTER, NAME))
    return workspace


def test_a_gradebook_changed_during_the_run_is_reported_row_by_row(workspace, tmp_path):
    with Gradebook(workspace.db_url) as gradebook:
        gradebook.remove_submission(CHAPTER, "ben")  # deleted by someone during the run
        gradebook.find_grade("check_one", "tiny", CHAPTER, "cleo").manual_score = 1000
        gradebook.db.commit()
    workspace.autograded_path("dan", CHAPTER, NAME).unlink()
    workspace.autograded_path("finn", CHAPTER, NAME).write_text("{ not json")
    submissions = [Submission(student, CHAPTER, copy.deepcopy(RELEASE), [], f"{student}.ipynb")
                   for student in STUDENTS if student != "eve"]
    submissions.append(Submission("eve", CHAPTER, None, [Finding(NOT_GRADED, "eve.ipynb is empty")],
                                  "eve.ipynb"))
    rows = report_rows(workspace, submissions, STUDENTS, [CHAPTER], {CHAPTER: NAME},
                       {CHAPTER: RELEASE})
    seen = {row.student: (row.score, row.max_score, row.status, row.reason) for row in rows}
    no_record = "the gradebook had no record of the autograde of this submission"
    again = ": it changed during the run; grade the class again"
    assert seen == {
        "ada": (3, 3, GRADED, ""),
        "ben": (0, 3, NOT_GRADED, no_record + again),
        "cleo": (0, 3, NOT_GRADED, no_record + " that matches the chapter (its cell "
                                               "'check_one' has 1000.0 of 1.0 points)" + again),
        "dan": (0, 3, NOT_GRADED, f"the autograded notebook autograded/dan/{CHAPTER}/{NAME} could "
                                  "not be read (FileNotFoundError) though the gradebook has its "
                                  "scores" + again),
        "eve": (0, 3, NOT_GRADED, "eve.ipynb is empty"),
        "finn": (0, 3, NOT_GRADED, f"the autograded notebook autograded/finn/{CHAPTER}/{NAME} "
                                   "could not be read (NotJSONError) though the gradebook has "
                                   "its scores" + again),
    }
    assert rows[0].cells == {"check_one": (1, 1), "check_two": (2, 2)}
    write_grades_csv(rows, tmp_path / "grades.csv")
    write_cells_csv(rows, tmp_path / "cells.csv")
    assert [row["student"] for row in read_grades_csv(tmp_path / "grades.csv")] == STUDENTS


def test_a_gradebook_without_a_graded_cell_is_not_trusted(workspace):
    with Gradebook(workspace.db_url) as gradebook:
        grade = gradebook.find_grade("check_two", "tiny", CHAPTER, "ada")
        gradebook.db.delete(grade)
        gradebook.db.commit()
    rows = report_rows(workspace, [Submission("ada", CHAPTER, RELEASE, [], "ada.ipynb")],
                       ["ada"], [CHAPTER], {CHAPTER: NAME}, {CHAPTER: RELEASE})
    assert (rows[0].score, rows[0].status) == (0, NOT_GRADED)
    assert "for the graded cell 'check_two'" in rows[0].reason


def test_forgetting_what_the_gradebook_does_not_have_is_quiet(workspace):
    workspace.forget(CHAPTER, "eve")  # a student without a submission
    workspace.forget(CHAPTER, "nobody")
    workspace.forget("no-such-chapter", "ada")
    workspace.forget(CHAPTER, "ada")
    with Gradebook(workspace.db_url) as gradebook:
        assert [s.student.id for s in gradebook.assignment_submissions(CHAPTER)] == [
            "ben", "cleo", "dan", "finn"]
    assert not workspace.autograded_path("ada", CHAPTER, NAME).exists()
    (workspace.root / "gradebook.db").write_bytes(b"not a database" * 100)
    workspace.forget(CHAPTER, "ben")
    assert not workspace.autograded_path("ben", CHAPTER, NAME).exists()

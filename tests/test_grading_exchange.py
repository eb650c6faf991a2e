"""nbgrader's exchange end to end: release, two students fetch and submit, kfc-grade collects.

A real exchange folder in tmp_path: the instructor releases chapter 00 with
`kfc-grade release` (nbgrader's `release_assignment`); two students, each in a
home folder of their own with the student-side nbgrader config the README gives,
fetch it with `nbgrader fetch_assignment` and hand it in with `nbgrader submit`.
Ada submits an unanswered notebook, then the right answers, both before the due
date; Ben submits the right answers after it (the due date is a second after
Ada's last submission, and his `timestamp.txt` in the inbound copy is the one
nbgrader would have written two and a half hours after the due date). One
`kfc-grade --exchange` run grades both, with the schedule's late penalty.

nbgrader takes the student id from the process's Unix user
(`nbgrader.utils.get_username`, not `$USER`), so the two students of this single
machine user give it with `--student`, as nbgrader's submit allows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
from _notebooks import COURSE, SOLUTIONS, chapter_notebook
from nbgrader.api import Gradebook

from autograder.pipeline import cli
from autograder.pipeline.demo import answered
from autograder.pipeline.exchange import parse_timestamp
from autograder.pipeline.report import read_grades_csv

WELCOME = "00-welcome"
COURSE_ID = "keras-functional-course"
POINTS_PER_HOUR = 0.5
LATE = timedelta(hours=2, minutes=30)  # three started hours: 1.5 points


def nbgrader_as_student(home: Path, exchange: Path, *arguments: str) -> str:
    """Runs nbgrader as a student would: from their home, with their own nbgrader config."""
    config = home / ".jupyter" / "nbgrader_config.py"
    if not config.exists():
        config.parent.mkdir(parents=True)
        config.write_text("c = get_config()\n"
                          f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
                          f"c.Exchange.root = {str(exchange)!r}\n")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("JUPYTER", "NBGRADER"))}
    environment["HOME"] = str(home)
    result = subprocess.run([sys.executable, "-m", "nbgrader", *arguments], cwd=home,
                            env=environment, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def inbound(exchange: Path, student: str) -> list[Path]:
    return sorted((exchange / COURSE_ID / "inbound").glob(f"{student}+{WELCOME}+*"),
                  key=lambda path: parse_timestamp((path / "timestamp.txt").read_text()))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("exchange-class")
    exchange, workspace = root / "exchange", root / "grading"
    assert cli.main(["release", "--exchange", str(exchange), "--chapter", "00",
                     "--workspace", str(workspace)]) == 0
    released = exchange / COURSE_ID / "outbound" / WELCOME / "welcome.ipynb"
    assert released.read_bytes() == chapter_notebook(WELCOME, COURSE).read_bytes()

    right = answered(nbformat.read(chapter_notebook(WELCOME, COURSE), 4),
                     nbformat.read(chapter_notebook(WELCOME, SOLUTIONS), 4))

    def student_works(student: str) -> None:
        home = root / "home" / student
        home.mkdir(parents=True)
        nbgrader_as_student(home, exchange, "fetch_assignment", WELCOME)
        fetched = home / WELCOME / "welcome.ipynb"
        assert fetched.read_bytes() == released.read_bytes()
        if student == "ada":  # hands in the untouched notebook first, then her answers
            nbgrader_as_student(home, exchange, "submit", WELCOME, "--student", student)
        nbformat.write(right, fetched)
        nbgrader_as_student(home, exchange, "submit", WELCOME, "--student", student)

    # The two students work at the same time, as a class does.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(student_works, ["ada", "ben"]))

    ada_first, ada_last = inbound(exchange, "ada")
    (ben,) = inbound(exchange, "ben")
    handed_in = {path: parse_timestamp((path / "timestamp.txt").read_text())
                 for path in (ada_first, ada_last, ben)}
    assert handed_in[ada_first] < handed_in[ada_last]
    due = handed_in[ada_last] + timedelta(seconds=1)
    # Ben's submission, as nbgrader would have written it LATE after the due date.
    ben_time = due + LATE
    (ben / "timestamp.txt").write_text(ben_time.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    # A broken submission, in the folder `nbgrader submit` would have made: never the batch.
    broken = exchange / COURSE_ID / "inbound" / f"cleo+{WELCOME}+{ada_last.name.split('+')[2]}+x"
    broken.mkdir()
    (broken / "welcome.ipynb").write_text("{ this is not a notebook")
    (broken / "timestamp.txt").write_text((ada_last / "timestamp.txt").read_text())
    # The due date in the schedule is in another timezone than the exchange's UTC.
    paris = timezone(timedelta(hours=1))
    (root / "schedule.toml").write_text(
        f"[late_penalty]\npoints_per_hour = {POINTS_PER_HOUR}\n\n[due]\n"
        f'"00-welcome" = {due.replace(tzinfo=UTC).astimezone(paris).isoformat()}\n')

    assert cli.main(["--exchange", str(exchange), "--schedule", str(root / "schedule.toml"),
                     "--chapter", "00", "--workspace", str(workspace), "--jobs", "2"]) == 0
    rows = {row["student"]: row for row in read_grades_csv(workspace / "reports" / "grades.csv")}
    return {"rows": rows, "workspace": workspace, "due": due, "ada": handed_in[ada_last],
            "ben": ben_time, "exchange": exchange}


def test_grades_both_students_from_the_exchange_with_the_late_penalty(graded):
    rows = graded["rows"]
    assert sorted(rows) == ["ada", "ben", "cleo"]
    assert rows["cleo"]["status"] == "not-graded" and float(rows["cleo"]["score"]) == 0
    maximum = float(rows["ada"]["max_score"])
    assert maximum == 5.0
    assert float(rows["ada"]["score"]) == maximum, rows["ada"]
    assert "late" not in rows["ada"]["reason"]
    penalty = 3 * POINTS_PER_HOUR
    assert float(rows["ben"]["score"]) == maximum - penalty, rows["ben"]
    assert rows["ben"]["status"] == "graded"
    assert rows["ben"]["reason"].startswith("late by 2 h 30 min: ")
    assert f"-{penalty:g} points" in rows["ben"]["reason"]
    summary = (graded["workspace"] / "reports" / "summary.txt").read_text()
    assert f"{maximum - penalty:g}" in summary
    exported = {row["student_id"]: row for row in read_grades_csv(
        graded["workspace"] / "reports" / "nbgrader-grades.csv")}
    assert float(exported["ben"]["late_submission_penalty"]) == penalty
    assert float(exported["ben"]["score"]) == maximum - penalty
    assert float(exported["ada"]["late_submission_penalty"]) == 0


def test_the_gradebook_holds_the_due_date_the_times_and_the_penalty(graded):
    with Gradebook(f"sqlite:///{graded['workspace'] / 'gradebook.db'}") as gradebook:
        assert gradebook.find_assignment(WELCOME).duedate == graded["due"]
        ada = gradebook.find_submission(WELCOME, "ada")
        ben = gradebook.find_submission(WELCOME, "ben")
        assert ada.timestamp == graded["ada"] and ada.total_seconds_late == 0
        assert ben.timestamp == graded["ben"]
        assert ben.total_seconds_late == pytest.approx(LATE.total_seconds(), abs=1)
        late = gradebook.find_submission_notebook("welcome", WELCOME, "ben")
        assert late.late_submission_penalty == 3 * POINTS_PER_HOUR
        assert not gradebook.find_submission_notebook("welcome", WELCOME,
                                                      "ada").late_submission_penalty


def test_the_latest_submission_is_the_one_graded(graded):
    # Ada's first submission was the untouched release (0 points): her full score is her
    # second one, and the copy graded is the later of her two inbound folders.
    rows = graded["rows"]
    assert float(rows["ada"]["score"]) == float(rows["ada"]["max_score"])
    copied = graded["workspace"] / "exchange" / "submitted" / "ada" / WELCOME
    assert parse_timestamp((copied / "timestamp.txt").read_text()) == graded["ada"]
    assert len(list((graded["exchange"] / COURSE_ID / "inbound").glob("ada+*"))) == 2


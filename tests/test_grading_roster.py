"""The roster (`--roster`), the Canvas and Moodle exports, and the grading progress bar.

All fast: rosters and reports are written from synthetic data, the gradebook is a
SQLite file in tmp_path, and the progress bar is drawn on a rich Console writing
to a string. `kfc-grade --roster` end to end is in tests/test_grading_cli.py.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from _notebooks import REPOSITORY
from nbgrader.api import Gradebook
from rich.console import Console

from autograder.pipeline import cli
from autograder.pipeline.collect import student_id
from autograder.pipeline.exports import (
    CANVAS_COLUMNS,
    MOODLE_COLUMNS,
    late_penalties,
    write_canvas_csv,
    write_exports,
    write_moodle_csv,
)
from autograder.pipeline.notebooks import ERRORS, MISSING, NOT_GRADED, Finding
from autograder.pipeline.progress import GradingProgress
from autograder.pipeline.report import NOTHING_HANDED_IN, Row
from autograder.pipeline.roster import (
    apply,
    class_students,
    load_roster,
    not_on_roster,
    not_on_roster_note,
)
from autograder.pipeline.workspace import InstructorError


def roster_file(tmp_path: Path, text: str, *, bom: bool = False, name="students.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


# The roster file


@pytest.mark.parametrize("header, bom", [
    ("id,first_name,last_name,email", False),
    ("ID,First name,Last name,Email", True),
    (" Email , LAST-NAME,First Name,Student ID,section", False),
])
def test_the_rosters_header_is_read_whatever_its_spelling(header, bom, tmp_path):
    columns = [cell.strip() for cell in header.split(",")]
    values = {"id": "ada", "first_name": "Ada", "last_name": "Lovelace",
              "email": "ada@example.org", "section": "A"}
    keys = [re.sub(r"[\s_\-]+", "", column.lower()) for column in columns]
    field = {"id": "id", "studentid": "id", "firstname": "first_name", "lastname": "last_name",
             "email": "email", "section": "section"}
    line = ",".join(values[field[key]] for key in keys)
    roster = load_roster(roster_file(tmp_path, f"{header}\n{line}\n", bom=bom))
    assert list(roster.students) == ["ada"]
    ada = roster.get("ada")
    assert (ada.first_name, ada.last_name, ada.email) == ("Ada", "Lovelace", "ada@example.org")


def test_roster_ids_are_made_folder_safe_as_submissions_are(tmp_path):
    roster = load_roster(roster_file(tmp_path, (
        "id;first name;last name;email\n"
        "Ada Lovelace;Ada;Lovelace;ada@example.org\n"
        "José;José;Díaz;\n"
        ";;;\n"
        "\n"
        "  ben  ;Ben;;ben@example.org\n")))
    assert set(roster.students) == {student_id("Ada Lovelace"), student_id("José"), "ben"}
    assert roster.get("Ada-Lovelace").given_id == "Ada Lovelace"
    jose = roster.get(student_id("José"))
    assert jose.id != "Jose" and jose.given_id == "José" and jose.email == ""
    assert roster.get("ben").full_name == "Ben"


ROSTER_MISTAKES = [
    (None, "There is no roster file {path}: give --roster a CSV file with the columns id, "
           "first name, last name and email, or leave out --roster."),
    ("id,first name,email\nada,Ada,ada@example.org\n",
     "The roster {path} has no 'last name' column (its header line has id, first name, "
     "email): give --roster a CSV file with the columns id, first name, last name and email "
     "in its header line."),
    ("name,mail\nada,ada@example.org\n",
     "The roster {path} has no 'id', 'first name', 'last name' or 'email' column"),
    ("id,first name,last name,email\nada,Ada,L,a@x.org\nben,Ben,B,\nada,Ada,Again,\n",
     "The roster {path} gives the id 'ada' on lines 2 and 4: keep one line per student."),
    ("id,first name,last name,email\nAda Lovelace,A,L,\nAda-Lovelace,A,L,\n",
     "The roster {path} gives the id 'Ada-Lovelace' on lines 2 and 3 ('Ada Lovelace' and "
     "'Ada-Lovelace' are one id): keep one line per student."),
    ("id,first name,last name,email\nada,Ada,L,\n  ,Ben,B,ben@example.org\n",
     "Line 3 of the roster {path} has no id: give every student an id (the name of their "
     "submission's file or folder), or delete the line."),
    ("", "The roster {path} is empty: give --roster a CSV file with the columns id, first "
         "name, last name and email, one line per student under a header line."),
]


@pytest.mark.parametrize("text, expected", ROSTER_MISTAKES)
def test_a_bad_roster_gets_one_sentence_saying_what_to_do(text, expected, tmp_path):
    path = tmp_path / "students.csv" if text is None else roster_file(tmp_path, text)
    with pytest.raises(InstructorError) as raised:
        load_roster(path)
    message = str(raised.value)
    assert message.startswith(expected.format(path=path)), message
    assert "\n" not in message and message.endswith(".")


def test_a_roster_that_is_not_utf8_says_how_to_save_it(tmp_path):
    path = tmp_path / "students.csv"
    path.write_bytes("id,first name,last name,email\nj,José,Díaz,\n".encode("latin-1"))
    with pytest.raises(InstructorError, match=r"is not UTF-8 text .*save it from your "
                                              r"spreadsheet as \"CSV UTF-8\""):
        load_roster(path)


def test_a_bad_roster_stops_kfc_grade_before_anything_is_written(tmp_path, monkeypatch,
                                                                  capsys):
    monkeypatch.setattr(cli, "sandbox_problem", lambda: None)
    submissions = tmp_path / "in"
    submissions.mkdir()
    (submissions / "ada.ipynb").write_text("")
    roster = roster_file(tmp_path, "id,first name,email\nada,Ada,ada@example.org\n")
    workspace = tmp_path / "ws"
    assert cli.main([str(submissions), "--chapter", "00", "--roster", str(roster),
                     "--workspace", str(workspace), "--course-root", str(REPOSITORY)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"kfc-grade: The roster {roster} has no 'last name' column (its header "
                     "line has id, first name, email): give --roster a CSV file with the "
                     "columns id, first name, last name and email in its header line."]
    assert not workspace.exists(), "nothing was graded or written"


def test_the_roster_fills_the_gradebooks_students(tmp_path):
    database = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(database) as gradebook:
        gradebook.add_student("ada", first_name="Old", last_name="Name", email="old@x.org")
        gradebook.add_student("zed", first_name="Zed", last_name="Off-roster")
    roster = load_roster(roster_file(tmp_path, (
        "id,first name,last name,email\nada,Ada,Lovelace,ada@example.org\n"
        "Ben Jones,Ben,Jones,\n")))
    apply(roster, database)
    with Gradebook(database) as gradebook:
        people = {student.id: (student.first_name, student.last_name, student.email)
                  for student in gradebook.students}
    assert people == {"ada": ("Ada", "Lovelace", "ada@example.org"),
                      "Ben-Jones": ("Ben", "Jones", None),
                      "zed": ("Zed", "Off-roster", None)}


def test_roster_students_are_reported_and_strangers_named_in_one_line(tmp_path):
    roster = load_roster(roster_file(tmp_path, (
        "id,first name,last name,email\nada,Ada,L,\ndora,Dora,M,\n")))
    assert class_students(["ada", "zed", "bob"], roster) == ["ada", "bob", "dora", "zed"]
    assert class_students(["zed"], None) == ["zed"]
    assert not_on_roster(["ada", "zed", "bob"], roster) == ["bob", "zed"]
    note = not_on_roster_note(["zed", "ada", "bob"], roster)
    assert note == ("Not on the roster students.csv (graded all the same; add them to it if "
                    "they are in the class): bob, zed.")
    assert not_on_roster_note(["ada"], roster) == ""
    assert not_on_roster_note(["zed"], None) == ""


# The LMS exports

CHAPTERS = ["00-welcome", "01-next"]


def export_rows() -> list[Row]:
    return [
        Row("ada", "00-welcome", 4, 5, cells={"ex1": (1, 1), "ex2": (3, 4)}),
        Row("ada", "01-next", 2.5, 3, cells={"ex1": (2.5, 3)}),
        Row("evil", "00-welcome", 5, 5, cells={"ex1": (1, 1), "ex2": (4, 4)}),
        Row("evil", "01-next", 0, 3, [Finding(MISSING, NOTHING_HANDED_IN)]),
        Row("zed", "00-welcome", 0, 5, [Finding(NOT_GRADED, "zed.ipynb is empty")]),
        Row("zed", "01-next", 3, 3, cells={"ex1": (3, 3)}),
        Row("dora", "00-welcome", 0, 5, [Finding(MISSING, NOTHING_HANDED_IN)]),
        Row("dora", "01-next", 0, 3, [Finding(MISSING, NOTHING_HANDED_IN)]),
        Row("ada", "unknown", 0, 0, [Finding(NOT_GRADED, "not a course notebook")]),
    ]


@pytest.fixture()
def roster(tmp_path):
    return load_roster(roster_file(tmp_path, (
        "id,first name,last name,email\n"
        "ada,Ada,Lovelace,ada@example.org\n"
        'evil,Eve,"=HYPERLINK(""http://evil"",""x"")",+eve@example.org\n'
        "dora,Dora,,dora@example.org\n")))


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_the_canvas_export_has_canvas_columns_a_points_possible_line_and_the_scores(
        tmp_path, roster):
    penalties = {("ada", "00-welcome"): 1.5, ("zed", "01-next"): 5}
    write_canvas_csv(export_rows(), CHAPTERS, tmp_path / "canvas.csv", roster, penalties)
    lines = read_csv(tmp_path / "canvas.csv")
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *CHAPTERS]
    assert lines[0][:5] == CANVAS_COLUMNS
    assert lines[1] == ["    Points Possible", "", "", "", "", "5", "3"]
    assert lines[2:] == [
        ["Lovelace, Ada", "", "ada", "ada@example.org", "", "2.5", "2.5"],
        ["Dora", "", "dora", "dora@example.org", "", "0", "0"],
        ["'=HYPERLINK(\"http://evil\",\"x\"), Eve", "", "evil", "'+eve@example.org", "", "5",
         "0"],
        ["zed", "", "zed", "", "", "0", "0"],
    ]


def test_the_moodle_export_has_an_email_column_to_map_and_one_column_per_chapter(
        tmp_path, roster):
    write_moodle_csv(export_rows(), CHAPTERS, tmp_path / "moodle.csv", roster,
                     {("ada", "01-next"): 0.5})
    lines = read_csv(tmp_path / "moodle.csv")
    assert lines[0] == ["First name", "Last name", "ID number", "Email address", *CHAPTERS]
    assert lines[0][:4] == MOODLE_COLUMNS
    assert lines[1:] == [
        ["Ada", "Lovelace", "ada", "ada@example.org", "4", "2"],
        ["Dora", "", "dora", "dora@example.org", "0", "0"],
        ["Eve", "'=HYPERLINK(\"http://evil\",\"x\")", "evil", "'+eve@example.org", "5", "0"],
        ["", "", "zed", "", "0", "3"],
    ]


def test_the_exports_without_a_roster_use_the_ids_and_go_next_to_grades_csv(tmp_path):
    paths = write_exports(export_rows(), ["01-next"], tmp_path)
    assert [path.name for path in paths] == ["canvas-grades.csv", "moodle-grades.csv"]
    canvas, moodle = (read_csv(path) for path in paths)
    assert canvas[1] == ["    Points Possible", "", "", "", "", "3"]
    assert canvas[2] == ["ada", "", "ada", "", "", "2.5"]
    assert [line[2] for line in canvas[2:]] == ["ada", "dora", "evil", "zed"]
    assert moodle[1] == ["", "", "ada", "", "2.5"]


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's add_submission
def test_the_late_penalties_are_read_from_the_gradebook(tmp_path):
    database = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(database) as gradebook:
        gradebook.add_assignment("00-welcome")
        gradebook.add_notebook("welcome", "00-welcome")
        for student in ("ada", "ben"):
            gradebook.add_student(student)
            gradebook.add_submission("00-welcome", student)
        gradebook.find_submission_notebook("welcome", "00-welcome", "ada") \
            .late_submission_penalty = 1.5
        gradebook.db.commit()
    assert late_penalties(database, ["00-welcome", "01-next"]) == {("ada", "00-welcome"): 1.5}


# The progress of the grading loop


class Job:
    def __init__(self, label):
        self.label = label


def test_on_a_terminal_the_progress_bar_shows_elapsed_time_left_and_whats_running():
    now = [1000.0]
    console = Console(force_terminal=True, file=io.StringIO(), width=120)
    with GradingProgress(4, console=console, clock=lambda: now[0]) as shown:
        assert shown.is_bar
        shown.started(Job("ada 00-welcome"))
        shown.started(Job("ben 00-welcome"))
        shown._bar.refresh()
        before = console.file.getvalue()
        now[0] += 60
        shown.finished(Job("ada 00-welcome"))
        shown.result("ada 00-welcome", True, 58.4)
        after = console.file.getvalue()[len(before):]
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", before)
    assert "0/4" in plain and "left -:--:--" in plain, "no estimate before a result"
    assert "running: ada 00-welcome, ben 00-welcome" in plain
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", after)
    assert "    done: ada 00-welcome in 58 s\n" in plain, "results are printed above the bar"
    tail = plain[plain.index("    done: ada 00-welcome"):]
    assert "1/4" in tail and "elapsed 0:01:00" in tail
    assert "left 0:03:00" in tail, "60 s per submission so far, 3 left"
    assert "running: ben 00-welcome" in tail and "running: ada" not in tail
    assert "[1/4] grading" not in before + after, "the bar replaces the plain lines"


def test_without_a_terminal_the_plain_lines_are_printed_as_before():
    stream = io.StringIO()
    with GradingProgress(3, stream=stream) as shown:
        assert not shown.is_bar
        shown.started(Job("ada 00-welcome"))
        shown.started(Job("ben 00-welcome"))
        shown.finished(Job("ada 00-welcome"))
        shown.result("ada 00-welcome", True, 12.4)
        shown.started(Job("cleo 00-welcome"))
        shown.finished(Job("ben 00-welcome"))
        shown.result("ben 00-welcome", False, 3.0)
    assert stream.getvalue().splitlines() == [
        "[1/3] grading ada 00-welcome ...",
        "[2/3] grading ben 00-welcome ... (also running: ada 00-welcome)",
        "    done: ada 00-welcome in 12 s",
        "[3/3] grading cleo 00-welcome ... (also running: ben 00-welcome)",
        "    nbgrader failed: ben 00-welcome in 3 s",
    ]
    cluster = io.StringIO()
    with GradingProgress(1, reports_starts=False, stream=cluster) as shown:
        shown.started(Job("ada 00-welcome"))
        shown.result("ada 00-welcome", True, 30)
    assert cluster.getvalue().splitlines() == [
        "[1/1] sent ada 00-welcome to the cluster", "    done: ada 00-welcome in 30 s"]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_bar_is_chosen_by_whether_the_stream_is_a_terminal_not_by_the_environment(
        monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert not GradingProgress(1, stream=io.StringIO()).is_bar
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.delenv("TTY_COMPATIBLE")
    assert GradingProgress(1, stream=Terminal()).is_bar
    not_a_terminal = Console(file=io.StringIO(), force_terminal=False)
    shown = GradingProgress(1, console=not_a_terminal)
    shown.started(Job("ada 00-welcome"))
    assert not shown.is_bar
    assert not_a_terminal.file.getvalue() == "[1/1] grading ada 00-welcome ...\n"


def test_a_reason_holds_every_finding_for_the_exports_neighbour_grades_csv(tmp_path):
    """A row with many findings: grades.csv (next to the exports) has the whole reason."""
    from autograder.pipeline.report import read_grades_csv, write_grades_csv

    findings = [Finding(ERRORS, f"cell {n} raised NameError: name 'x{n}' is not defined")
                for n in range(8)]
    write_grades_csv([Row("ada", "00-welcome", 0, 5, findings)], tmp_path / "grades.csv")
    reason = read_grades_csv(tmp_path / "grades.csv")[0]["reason"]
    assert reason == "; ".join(finding.reason for finding in findings)

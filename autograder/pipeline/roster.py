"""The class roster: who is in the class, by id, name and email (`kfc-grade --roster`).

A roster is a CSV file with one line per student and the columns `id`,
`first name`, `last name` and `email`, in any order, among any others. The
header is read case-, space-, underscore- and dash-insensitively, so
`id,first_name,last_name,email`, `ID,First name,Last name,Email` and
`Student ID,First Name,Last Name,Email address` are all understood; the file
is UTF-8, with or without the byte-order mark a spreadsheet adds, and its
separator may be a comma, a semicolon or a tab.

Each roster id is made folder-safe the way a submission's name is
(`collect.student_id`), so the roster line `José Díaz` is the student whose
folder or file was named `José Díaz`. The roster:

- fills the gradebook's students (`apply`): nbgrader's export and Formgrader
  then show names and emails;
- adds its students who handed nothing in to the reports (`class_students`),
  as `missing` for each chapter graded;
- names the submissions from ids it does not list (`not_on_roster_note`): they
  are graded all the same;
- gives the LMS exports (`autograder.pipeline.exports`) names, emails and the
  id as the instructor wrote it.

A roster that cannot be used (no such file, not UTF-8, a required column
missing, an id empty or given twice) stops the run with an `InstructorError`
before anything is graded or written.

Example:

    roster = load_roster(Path("students.csv"))
    apply(roster, workspace.db_url)
    students = class_students({"ada", "ben"}, roster)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, InvalidEntry
from sqlalchemy.exc import SQLAlchemyError

from autograder.pipeline.collect import student_id
from autograder.pipeline.notebooks import printable
from autograder.pipeline.workspace import InstructorError

# Roster columns: the field each one fills, and the header spellings that name it
# (compared once lower-cased, without spaces, underscores or dashes).
COLUMNS = {
    "id": ("id", "studentid"),
    "first_name": ("firstname", "givenname"),
    "last_name": ("lastname", "surname", "familyname"),
    "email": ("email", "emailaddress"),
}
COLUMN_NAMES = {"id": "id", "first_name": "first name", "last_name": "last name",
                "email": "email"}
WHAT_TO_DO = "give --roster a CSV file with the columns id, first name, last name and email"


@dataclass(frozen=True)
class Student:
    """One roster line.

    Args:
        id: the folder-safe id (`collect.student_id` of `given_id`), the gradebook's.
        given_id: the id as the roster spells it, for the LMS exports.
        first_name, last_name, email: as the roster has them ("" when empty).
    """

    id: str
    given_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class Roster:
    """The students of a roster file, by folder-safe id, in the file's order.

    Args:
        path: the file read.
        students: id -> `Student`.
    """

    path: Path
    students: dict[str, Student]

    @property
    def ids(self) -> set[str]:
        return set(self.students)

    def get(self, student: str) -> Student | None:
        return self.students.get(student)


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header.strip().lower())


def _listed(names: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _delimiter(text: str) -> str:
    """The header line's separator: a comma, a semicolon (some spreadsheets' CSV) or a tab."""
    try:
        return csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t") \
            .delimiter
    except csv.Error:
        return ","


def load_roster(path: Path) -> Roster:
    """Reads a roster CSV file.

    Args:
        path: the file given to `--roster`.

    Returns:
        The roster, its ids made folder-safe as submissions' are. Lines whose
        every cell is empty (a spreadsheet's trailing rows) are skipped.

    Raises:
        InstructorError: one sentence saying what is wrong with the file and what
            to do, when it is missing, unreadable, not UTF-8 text, has no header or
            lacks a column, or has an empty or repeated id.
    """
    shown = printable(str(path))
    if not path.is_file():
        raise InstructorError(
            f"There is no roster file {shown}: {WHAT_TO_DO}, or leave out --roster.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise InstructorError(
            f"Cannot read the roster {shown} ({error.strerror}): {WHAT_TO_DO} that you "
            "can read.") from None
    except UnicodeDecodeError as error:
        raise InstructorError(
            f"The roster {shown} is not UTF-8 text (byte {error.start + 1} is not): save it "
            "from your spreadsheet as \"CSV UTF-8\" and give it to --roster again.") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise InstructorError(
            f"The roster {shown} is empty: {WHAT_TO_DO}, one line per student under a "
            "header line.")
    where: dict[str, int] = {}
    for index, cell in enumerate(header):
        for field, spellings in COLUMNS.items():
            if _key(cell) in spellings and field not in where:
                where[field] = index
    missing = [COLUMN_NAMES[field] for field in COLUMNS if field not in where]
    if missing:
        found = ", ".join(printable(cell.strip()) for cell in header if cell.strip())
        raise InstructorError(
            f"The roster {shown} has no {_listed([repr(name) for name in missing])} "
            f"column (its header line has {found}): {WHAT_TO_DO} in its header line.")

    students: dict[str, Student] = {}
    lines: dict[str, int] = {}
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num
        values = {field: cells[index].strip() if index < len(cells) else ""
                  for field, index in where.items()}
        if not values["id"]:
            raise InstructorError(
                f"Line {line} of the roster {shown} has no id: give every student an id "
                "(the name of their submission's file or folder), or delete the line.")
        folded = student_id(values["id"])
        if folded in students:
            same = students[folded].given_id
            spelled = "" if same == values["id"] else f" ({printable(same)!r} and " \
                                                     f"{printable(values['id'])!r} are one id)"
            raise InstructorError(
                f"The roster {shown} gives the id {printable(values['id'])!r} on lines "
                f"{lines[folded]} and {line}{spelled}: keep one line per student.")
        students[folded] = Student(folded, values["id"], values["first_name"],
                                   values["last_name"], values["email"])
        lines[folded] = line
    return Roster(path, students)


def apply(roster: Roster, db_url: str) -> None:
    """Creates or updates each roster student in the gradebook, with name and email.

    Empty names and emails are stored as none (nbgrader's "not given"). Students
    the roster does not list are left as they are.

    Raises:
        InstructorError: when the gradebook refuses them (one sentence, what to do).
    """
    try:
        with Gradebook(db_url) as gradebook:
            for student in roster.students.values():
                gradebook.update_or_create_student(
                    student.id, first_name=student.first_name or None,
                    last_name=student.last_name or None, email=student.email or None)
    except (SQLAlchemyError, InvalidEntry) as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
        raise InstructorError(
            f"Could not write the roster's students into the gradebook {db_url} ({detail}): "
            "check the database and run kfc-grade again; nothing was graded yet.") from None


def class_students(handed_in: Iterable[str], roster: Roster | None) -> list[str]:
    """Every student to report: those who handed something in and, with a roster, its own."""
    return sorted(set(handed_in) | (roster.ids if roster else set()))


def not_on_roster(handed_in: Iterable[str], roster: Roster | None) -> list[str]:
    """The ids that handed something in but are not on the roster (none without a roster)."""
    return sorted(set(handed_in) - roster.ids) if roster else []


def not_on_roster_note(handed_in: Iterable[str], roster: Roster | None) -> str:
    """The summary's line naming the submissions from ids not on the roster, or ""."""
    strangers = not_on_roster(handed_in, roster)
    if not strangers:
        return ""
    return (f"Not on the roster {printable(roster.path.name)} (graded all the same; add "
            f"them to it if they are in the class): {', '.join(strangers)}.")

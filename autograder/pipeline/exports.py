"""Grades in the CSV formats an LMS imports: Canvas's gradebook and Moodle's grade import.

`kfc-grade` writes both into the workspace's `reports/`, next to `grades.csv`,
with one column per chapter graded and one line per student (with `--roster`,
every roster student too, and the names and emails it gives):

- `canvas-grades.csv`, Canvas's gradebook import format (Grades > Import): the
  columns `Student` ("Last, First", as Canvas's own export writes it),
  `ID` (Canvas's internal user id, left empty: Canvas matches a line by any of
  its identifiers), `SIS User ID` (the student's id as the roster spells it),
  `SIS Login ID` (the roster's email), `Section` (empty), then one column per
  chapter, and first a `    Points Possible` line, as in Canvas's export,
  giving each chapter's maximum. A chapter column Canvas does not have yet
  becomes a new assignment of that many points.
- `moodle-grades.csv`, for Moodle's CSV grade import (Grades > Import > CSV
  file): the columns `First name`, `Last name`, `ID number` and `Email address`
  (Moodle's own export headers), then one column per chapter. In the import's
  mapping step choose "Identify user by": Email address -> Email address (or ID
  number -> ID number), and map each chapter column to its grade item (or to a
  new grade item).

A score is nbgrader's minus its late-submission penalty (`late_penalties`, from
the gradebook), never below 0; a chapter not handed in, or not graded, scores 0,
as in `grades.csv` and nbgrader's own export. Every cell goes through
`report.spreadsheet_safe`: numbers stay numbers, text a spreadsheet would read
as a formula gets a leading quote.

Example:

    penalties = late_penalties(workspace.db_url, chapters)
    write_exports(rows, chapters, workspace.reports, roster, penalties)
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy
from nbgrader.api import Gradebook, MissingEntry

from autograder.pipeline.report import Row, spreadsheet_safe
from autograder.pipeline.roster import Roster

CANVAS_FILE = "canvas-grades.csv"
MOODLE_FILE = "moodle-grades.csv"
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Canvas's export starts this line with four spaces; its import recognises it by the words.
CANVAS_POINTS_POSSIBLE = "    Points Possible"
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address"]


def late_penalties(db_url: str, chapters: Iterable[str]) -> dict[tuple[str, str], float]:
    """(student, chapter) -> the late-submission penalty nbgrader recorded, where above 0.

    A chapter or gradebook that cannot be read gives no penalties (the exports then
    hold nbgrader's scores as they are).
    """
    penalties: dict[tuple[str, str], float] = {}
    with warnings.catch_warnings(), Gradebook(db_url) as gradebook:
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        for chapter in chapters:
            try:
                submissions = [(submission.student.id, submission.late_submission_penalty)
                               for submission in gradebook.assignment_submissions(chapter)]
            except (MissingEntry, sqlalchemy.exc.SQLAlchemyError):
                gradebook.db.rollback()
                continue
            penalties.update({(student, chapter): float(penalty)
                              for student, penalty in submissions if penalty})
    return penalties


def final_scores(rows: list[Row], chapters: list[str],
                 penalties: dict[tuple[str, str], float] | None = None
                 ) -> dict[str, dict[str, float]]:
    """student -> chapter -> score after the late penalty (0 at least), for `chapters`.

    The score is the sum of the row's graded cells as the gradebook has them (0 for a
    chapter not handed in or not graded), less the chapter's late penalty.
    """
    penalties = penalties or {}
    scores: dict[str, dict[str, float]] = {}
    for row in rows:
        if row.chapter in chapters:
            # nbgrader's score is its graded cells' (row.score may already be less a penalty).
            earned = sum(score for score, _ in row.cells.values())
            penalty = penalties.get((row.student, row.chapter), 0.0)
            scores.setdefault(row.student, {})[row.chapter] = max(earned - penalty, 0.0)
    return scores


def points_possible(rows: list[Row], chapters: list[str]) -> dict[str, float]:
    """chapter -> its maximum score, as the rows have it."""
    maximum = dict.fromkeys(chapters, 0.0)
    for row in rows:
        if row.chapter in maximum:
            maximum[row.chapter] = max(maximum[row.chapter], row.max_score)
    return maximum


def _write(path: Path, lines: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        csv.writer(handle).writerows([spreadsheet_safe(value) for value in line]
                                     for line in lines)


def write_canvas_csv(rows: list[Row], chapters: list[str], path: Path,
                     roster: Roster | None = None,
                     penalties: dict[tuple[str, str], float] | None = None) -> None:
    """Canvas's gradebook import CSV: the student columns, a Points Possible line, the scores.

    Args:
        rows: the report's rows (`report.Row`), one per student and chapter.
        chapters: the chapters graded, one column each, in this order.
        path: the file to write.
        roster: names, emails and ids as written, where known.
        penalties: (student, chapter) -> late penalty, subtracted from the score.
    """
    scores = final_scores(rows, chapters, penalties)
    maximum = points_possible(rows, chapters)
    lines: list[list] = [CANVAS_COLUMNS + list(chapters),
                         [CANVAS_POINTS_POSSIBLE, "", "", "", ""]
                         + [maximum[chapter] for chapter in chapters]]
    for student in sorted(scores):
        known = roster.get(student) if roster else None
        if known and (known.first_name or known.last_name):
            name = ", ".join(part for part in (known.last_name, known.first_name) if part)
        else:
            name = student
        lines.append([name, "", known.given_id if known else student,
                      known.email if known else "", ""]
                     + [scores[student].get(chapter, 0.0) for chapter in chapters])
    _write(path, lines)


def write_moodle_csv(rows: list[Row], chapters: list[str], path: Path,
                     roster: Roster | None = None,
                     penalties: dict[tuple[str, str], float] | None = None) -> None:
    """Moodle's CSV grade import: names, ID number, email address, one column per chapter.

    Args: as `write_canvas_csv`'s. A student the roster does not list has their id
    as ID number and no name or email.
    """
    scores = final_scores(rows, chapters, penalties)
    lines: list[list] = [MOODLE_COLUMNS + list(chapters)]
    for student in sorted(scores):
        known = roster.get(student) if roster else None
        lines.append([known.first_name if known else "", known.last_name if known else "",
                      known.given_id if known else student, known.email if known else ""]
                     + [scores[student].get(chapter, 0.0) for chapter in chapters])
    _write(path, lines)


def write_exports(rows: list[Row], chapters: list[str], reports: Path,
                  roster: Roster | None = None,
                  penalties: dict[tuple[str, str], float] | None = None) -> list[Path]:
    """Writes `canvas-grades.csv` and `moodle-grades.csv` into `reports`; returns their paths."""
    canvas, moodle = reports / CANVAS_FILE, reports / MOODLE_FILE
    write_canvas_csv(rows, chapters, canvas, roster, penalties)
    write_moodle_csv(rows, chapters, moodle, roster, penalties)
    return [canvas, moodle]

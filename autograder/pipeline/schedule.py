"""The course schedule: each chapter's due date and the late-submission penalty.

Concept: an instructor writes the due dates once, in `schedule.toml` at the
course repository's root (or any file given to `kfc-grade --schedule`):

    [late_penalty]
    points_per_hour = 1.0        # taken off for each hour, or part of one, past the due date

    [due]
    "00-welcome" = 2027-01-18T23:59:00+01:00
    "04-dags" = "2027-02-15T23:59:00Z"

A due date is ISO 8601 with a timezone (a TOML offset date-time, or a string).
A chapter may be given by its full name or its number ("04"); a chapter left
out has no due date and is never late. `kfc-grade` records each due date as the
nbgrader assignment's `duedate` in the gradebook, grades every submission with
the time it was handed in (nbgrader's `timestamp.txt`), and nbgrader's
`AssignLatePenalties` preprocessor (in the course's `nbgrader_config.py`) asks
`HourlyPenalty` for the penalty of a late notebook. nbgrader never takes off
more than the notebook scored.

`HourlyPenalty` is the late-submission plugin of nbgrader's documentation
("SubMarks", one point per hour late), with the hours counted up (a minute
late costs one hour's points) and the points per hour a setting.

Example:

    schedule = load_schedule(Path("schedule.toml"), chapters)
    schedule.record_due_dates(workspace.db_url)     # after `nbgrader generate_assignment`
    schedule.due("00-welcome")                       # datetime in UTC, or None
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from nbgrader.plugins import BasePlugin
from traitlets import Float

from autograder.pipeline.workspace import InstructorError

SCHEDULE_FILE = "schedule.toml"
DEFAULT_POINTS_PER_HOUR = 1.0
SECTIONS = ("due", "late_penalty")


class HourlyPenalty(BasePlugin):
    """nbgrader late-submission plugin: `points_per_hour` for each started hour late.

    Set as `c.AssignLatePenalties.plugin_class` in the course's
    `nbgrader_config.py`; `kfc-grade` sets `c.HourlyPenalty.points_per_hour`
    from the schedule.
    """

    points_per_hour = Float(
        DEFAULT_POINTS_PER_HOUR,
        help="Points taken off a late notebook for each hour, or part of one, past the due date.",
    ).tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float | None:
        return penalty_points(total_seconds_late, self.points_per_hour)


def penalty_points(seconds_late: float, points_per_hour: float) -> float:
    """The penalty for being `seconds_late` late: every started hour costs `points_per_hour`."""
    if seconds_late <= 0:
        return 0.0
    return math.ceil(seconds_late / 3600) * points_per_hour


def describe_lateness(seconds_late: float) -> str:
    """'2 h 30 min', '5 min', '3 d 1 h': how late, for the grades' reason."""
    minutes = max(1, math.ceil(seconds_late / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes and not days else ""]
    return " ".join(part for part in parts if part)


def to_utc(moment: datetime) -> datetime:
    """A timezone-aware time as nbgrader stores it: naive, in UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Schedule:
    """Due dates (chapter -> naive UTC datetime, as nbgrader stores them) and the penalty rule.

    Args:
        due_dates: chapter -> due date in UTC (naive), for the chapters that have one.
        points_per_hour: the late penalty per started hour.
        source: the file it was read from, or None for no schedule.
    """

    due_dates: dict[str, datetime] = field(default_factory=dict)
    points_per_hour: float = DEFAULT_POINTS_PER_HOUR
    source: Path | None = None

    def due(self, chapter: str) -> datetime | None:
        return self.due_dates.get(chapter)

    def config_lines(self) -> str:
        """nbgrader config lines that give the grading jobs this schedule's penalty rule."""
        return ("\n# kfc-grade: the late penalty of the course schedule.\n"
                f"c.HourlyPenalty.points_per_hour = {self.points_per_hour!r}\n")

    def record_due_dates(self, db_url: str, chapters: list[str]) -> None:
        """Sets each chapter's nbgrader `duedate` in the gradebook (None when it has none)."""
        from nbgrader.api import Gradebook

        with Gradebook(db_url) as gradebook:
            for chapter in chapters:
                gradebook.update_or_create_assignment(chapter, duedate=self.due(chapter))


def _problem(source: Path, what: str) -> InstructorError:
    return InstructorError(f"The course schedule {source} {what}.")


def _due_date(source: Path, key: str, value) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise _problem(source, (
                f"gives {key} the due date {value!r}, which is not an ISO 8601 date and time: "
                f"write it like \"{key}\" = 2027-01-18T23:59:00+01:00")) from None
    if not isinstance(value, datetime):
        kind = "a date without a time" if isinstance(value, date) else type(value).__name__
        raise _problem(source, (
            f"gives {key} {kind} as its due date: write a date, a time and a timezone, like "
            f"\"{key}\" = 2027-01-18T23:59:00+01:00"))
    if value.tzinfo is None or value.utcoffset() is None:
        raise _problem(source, (
            f"gives {key} the due date {value.isoformat()} without a timezone: add one, like "
            f"{value.isoformat()}+01:00 or {value.isoformat()}Z for UTC"))
    return to_utc(value)


def _chapter(source: Path, key: str, chapters: list[str]) -> str:
    matches = [chapter for chapter in chapters if key in (chapter, chapter[:2])]
    if len(matches) != 1:
        raise _problem(source, (
            f"gives a due date to {key!r}, which is not a chapter: use one of "
            f"{', '.join(chapters)} (or its number) in [due]"))
    return matches[0]


def parse_schedule(text: str, source: Path, chapters: list[str]) -> Schedule:
    """The schedule in `text` (TOML); raises `InstructorError` saying what to fix.

    Args:
        text: the file's contents.
        source: its path, for the messages.
        chapters: the course's chapter names.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _problem(source, f"is not valid TOML ({error}): fix that line") from None
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise _problem(source, (
            f"has {unknown[0]!r}, which kfc-grade does not know: it reads only the tables "
            "[due] (chapter = due date) and [late_penalty] (points_per_hour = number)"))
    due, late = data.get("due", {}), data.get("late_penalty", {})
    if not isinstance(due, dict) or not isinstance(late, dict):
        raise _problem(source, (
            "must hold [due] and [late_penalty] as tables: start each with its [name] line"))
    extra = sorted(set(late) - {"points_per_hour"})
    if extra:
        raise _problem(source, (
            f"has {extra[0]!r} in [late_penalty]: the only setting there is points_per_hour, "
            "the points taken off for each started hour late"))
    points = late.get("points_per_hour", DEFAULT_POINTS_PER_HOUR)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not (
            0 <= points < math.inf):
        raise _problem(source, (
            f"gives points_per_hour = {points!r}: give a number of points, 0 or more "
            "(0 for no late penalty)"))
    due_dates: dict[str, datetime] = {}
    for key, value in due.items():
        chapter = _chapter(source, key, chapters)
        if chapter in due_dates:
            raise _problem(source, f"gives {chapter} two due dates: keep one of them")
        due_dates[chapter] = _due_date(source, key, value)
    return Schedule(due_dates, float(points), source)


def load_schedule(given: Path | None, course_root: Path, chapters: list[str]) -> Schedule:
    """The schedule `--schedule` names, else the course's `schedule.toml`, else none.

    Raises:
        InstructorError: when the file given does not exist or cannot be read, or the
            schedule is wrong (one sentence says what to fix).
    """
    path = given if given is not None else course_root / SCHEDULE_FILE
    if given is None and not path.is_file():
        return Schedule()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        detail = getattr(error, "strerror", None) or type(error).__name__
        raise InstructorError(
            f"Cannot read the course schedule {path} ({detail}): give the schedule file "
            f"(due dates and late penalty, see {SCHEDULE_FILE} in the course) to --schedule."
        ) from None
    return parse_schedule(text, path, chapters)

"""nbgrader's exchange: releasing chapters to students and grading what they submitted.

Concept: the exchange is a folder every student and the instructor can reach
(nbgrader's `c.Exchange.root`, e.g. `/srv/nbgrader/exchange`). nbgrader 0.9.6
lays it out per course:

    <root>/keras-functional-course/outbound/<chapter>/          what `release_assignment` put there
    <root>/keras-functional-course/inbound/<student>+<chapter>+<timestamp>+<random>/
                                                                one folder per `nbgrader submit`

The instructor releases a chapter with `kfc-grade release --exchange DIR
--chapter 00` (`release_main`: it checks that `course/<chapter>` is what
nbgrader generates from `solutions/`, then runs `nbgrader release_assignment`),
or with plain nbgrader from the repository root, `NBGRADER_EXCHANGE=DIR nbgrader
release_assignment 00-welcome --force` (the course's `nbgrader_config.py` reads
`NBGRADER_EXCHANGE`). Students fetch and submit from JupyterLab's Assignment List
or with `nbgrader fetch_assignment 00-welcome` and `nbgrader submit 00-welcome`,
with a student-side nbgrader config naming the course and the exchange root.

`kfc-grade --exchange DIR` grades the inbound submissions: `gather` reads
`inbound/`, keeps each student's latest submission of each chapter (by the time
in its `timestamp.txt`, as nbgrader's autograde reads it, else the time in its
folder name) and copies its notebooks into nbgrader's
`submitted/<student>/<chapter>/` layout in the workspace, with `timestamp.txt`.
`collect` then takes that folder like any other, with each submission's time,
so the due dates of the course schedule (`autograder.pipeline.schedule`) and
nbgrader's late penalty apply; `late_finding` puts the penalty into the report.

Example:

    gathered = gather(Path("/srv/nbgrader/exchange"), workspace / "exchange", course_id)
    received = collect(gathered.folder, workspace / "received", names)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from autograder.pipeline.collect import MAX_TIMESTAMP_BYTES, TIMESTAMP_FILE, TIMESTAMP_FORMAT
from autograder.pipeline.notebooks import GRADED, MAX_NOTEBOOK_BYTES, Finding
from autograder.pipeline.schedule import describe_lateness
from autograder.pipeline.workspace import InstructorError, Limits, Workspace, last_error_line

COURSE_ID = "keras-functional-course"
ENVIRONMENT_VARIABLE = "NBGRADER_EXCHANGE"
MAX_NOTEBOOKS_PER_SUBMISSION = 20
# How much later than its claimed time a submission's files may have been written (clocks,
# the copy itself) before the later time counts.
CLOCK_SLACK = timedelta(minutes=5)


def course_id(course_root: Path) -> str:
    """The course id the course's `nbgrader_config.py` sets (`COURSE_ID` if it cannot be read)."""
    try:
        text = (course_root / "nbgrader_config.py").read_text()
    except OSError:
        return COURSE_ID
    found = re.search(r"""^c\.CourseDirectory\.course_id\s*=\s*["']([^"']+)["']""", text, re.M)
    return found.group(1) if found else COURSE_ID


def parse_timestamp(text: str) -> datetime | None:
    """A submission time as nbgrader writes it (`2027-01-18 22:59:00.123456 UTC`), in naive UTC.

    Returns None for text nbgrader could not read either.
    """
    from nbgrader.utils import parse_utc

    try:
        parsed = parse_utc(text.strip())
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None
    return parsed


def format_timestamp(moment: datetime) -> str:
    """A naive-UTC time in nbgrader's `timestamp.txt` format."""
    return moment.strftime(TIMESTAMP_FORMAT)


@dataclass
class Inbound:
    """One `nbgrader submit` found in the exchange's `inbound/`.

    Args:
        path: its folder.
        student: the student id nbgrader wrote (the user name).
        chapter: the assignment it was submitted as.
        timestamp: when it was submitted, naive UTC (from `timestamp.txt`, else the name;
            the time its files were last written, when that is later).
        note: what the instructor should know about its time, or None.
    """

    path: Path
    student: str
    chapter: str
    timestamp: datetime
    note: str | None = None


@dataclass
class Gathered:
    """What `gather` found: the folder to collect from, and what it left out and why."""

    folder: Path
    taken: list[Inbound] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _read_small(path: Path) -> str | None:
    """A small regular file's text (never through a link), or None."""
    try:
        status = path.lstat()
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_TIMESTAMP_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def owner(path: Path) -> str | None:
    """The user name owning `path` itself (not what a link points to), or None if unknown."""
    import pwd

    try:
        return pwd.getpwuid(path.lstat().st_uid).pw_name
    except (KeyError, OSError):
        return None


def read_inbound(inbound: Path) -> tuple[list[Inbound], list[str]]:
    """Every submission in `inbound/`, and a sentence for each entry that is not one.

    The name is split as nbgrader's `ExchangeCollect` splits it (from the right,
    so a user name may hold `+`). The time is the one in its `timestamp.txt`, which
    nbgrader's autograde grades lateness by, else the one in the name.

    `inbound/` is writable by every student, and the folder's name is only what its
    writer claims: a folder named for one student but owned by another user is left
    out, with a sentence (nbgrader's own collect only warns, and would let a later
    folder in a classmate's name replace their work). Folders owned by the user
    grading (who placed them there, or root) are taken.
    """
    found, skipped = [], []
    grader = owner_of_this_process()
    for entry in sorted(inbound.iterdir(), key=lambda path: path.name):
        parts = entry.name.rsplit("+", 3)
        if entry.is_symlink() or not entry.is_dir():
            skipped.append(f"{entry.name}: not a submission folder (a file or a link)")
            continue
        if len(parts) < 3 or parts[0] in ("", ".", "..") or parts[1] in ("", ".", ".."):
            skipped.append(f"{entry.name}: not named <student>+<chapter>+<time>+<random> "
                           "as nbgrader submit names a submission")
            continue
        made_by = owner(entry)
        if made_by not in (parts[0], grader):
            skipped.append(f"{entry.name}: claims to be {parts[0]}'s submission but is owned "
                           f"by {made_by or 'an unknown user'}; left out (another student may "
                           "have written it in their name)")
            continue
        written = _read_small(entry / TIMESTAMP_FILE)
        timestamp = parse_timestamp(written) if written else None
        timestamp = timestamp or parse_timestamp(parts[2])
        if timestamp is None:
            skipped.append(f"{entry.name}: its submission time could not be read")
            continue
        # The claimed time is the student's to write; the change time of the folder and
        # its files is the system's, and no user can set it back.
        changed, note = changed_at(entry), None
        if changed is not None and changed - timestamp > CLOCK_SLACK:
            note = (f"{entry.name}: its time says {timestamp:%Y-%m-%d %H:%M} UTC but its "
                    f"files were last written at {changed:%Y-%m-%d %H:%M} UTC; graded as "
                    "handed in then")
            timestamp = changed
        found.append(Inbound(entry, parts[0], parts[1], timestamp, note))
    return found, skipped


def changed_at(folder: Path) -> datetime | None:
    """The latest status-change time (ctime, naive UTC) of `folder` and what it holds.

    A user can set a file's modification time back, never its change time.
    Links are not followed.
    """
    latest_change = None
    for path in [folder, *folder.rglob("*")]:
        try:
            changed = path.lstat().st_ctime
        except OSError:
            continue
        latest_change = changed if latest_change is None else max(latest_change, changed)
    if latest_change is None:
        return None
    return datetime.fromtimestamp(latest_change, tz=UTC).replace(tzinfo=None)


def owner_of_this_process() -> str | None:
    """The user name `kfc-grade` runs as, or None if unknown."""
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return None


def latest(submissions: list[Inbound]) -> list[Inbound]:
    """Each student's latest submission of each chapter, sorted by student and chapter."""
    chosen: dict[tuple[str, str], Inbound] = {}
    for item in submissions:
        key = (item.student, item.chapter)
        if key not in chosen or (item.timestamp, item.path.name) > (
                chosen[key].timestamp, chosen[key].path.name):
            chosen[key] = item
    return [chosen[key] for key in sorted(chosen)]


def inbound_folder(root: Path, course: str) -> Path:
    """`<root>/<course>/inbound`; raises `InstructorError` when the exchange has none."""
    inbound = root / course / "inbound"
    if inbound.is_dir():
        return inbound
    if (root / "inbound").is_dir() and root.name == course:
        return root / "inbound"
    raise InstructorError(
        f"There is no {inbound}: give --exchange the exchange root that `nbgrader "
        f"release_assignment` released the chapters to (nbgrader's Exchange.root, the "
        f"folder that holds {course}/), or release a chapter first with `kfc-grade release "
        f"--exchange {root} --chapter 00`."
    )


def gather(root: Path, destination: Path, course: str) -> Gathered:
    """Copies each student's latest inbound submission into `destination/submitted/`.

    Each becomes `submitted/<student>/<chapter>/` with the submission's notebooks
    and zip files (at any depth; links are not followed) and a `timestamp.txt` in
    nbgrader's format. The exchange itself is only read.

    Args:
        root: the exchange root (nbgrader's `Exchange.root`).
        destination: a folder in the workspace (emptied first).
        course: the course id.

    Returns:
        A `Gathered` whose `folder` holds the `submitted/` layout.
    """
    inbound = inbound_folder(root, course)
    try:
        submissions, skipped = read_inbound(inbound)
    except OSError as error:
        raise InstructorError(
            f"Cannot read {inbound} ({error.strerror}): grade as the user who released the "
            "chapters (nbgrader makes inbound/ readable by its owner only)."
        ) from None
    shutil.rmtree(destination, ignore_errors=True)
    gathered = Gathered(destination)
    (destination / "submitted").mkdir(parents=True)
    for item in latest(submissions):
        target = destination / "submitted" / item.student / item.chapter
        target.mkdir(parents=True, exist_ok=True)
        try:
            copied, left_out = _copy_notebooks(item.path, target)
        except OSError as error:  # one unreadable submission never stops the class
            copied, left_out = 0, [f"{item.path.name}: could not be read ({error.strerror})"]
        skipped += left_out
        if not copied:  # `collect` reports the empty folder as holding no notebook
            skipped.append(f"{item.path.name}: holds no notebook")
        (target / TIMESTAMP_FILE).write_text(format_timestamp(item.timestamp))
        gathered.taken.append(item)
    gathered.skipped = skipped
    return gathered


def gather_exchange(root: Path, workspace_root: Path, course_root: Path,
                    progress: Callable[[str], None]) -> Path:
    """`kfc-grade --exchange ROOT`: `gather` into `<workspace>/exchange/`, saying what it took.

    Returns:
        The folder to `collect` from.
    """
    gathered = gather(root, workspace_root / "exchange", course_id(course_root))
    students = {item.student for item in gathered.taken}
    progress(f"Took {len(gathered.taken)} submission{'s' if len(gathered.taken) != 1 else ''} "
             f"of {len(students)} student{'s' if len(students) != 1 else ''} from "
             f"{root} (the latest of each student per chapter)")
    for item in gathered.taken:
        if item.note:
            progress(f"  {item.note}")
    for line in gathered.skipped:
        progress(f"  left out of the exchange's inbound/: {line}")
    return gathered.folder


def _copy_notebooks(source: Path, target: Path) -> tuple[int, list[str]]:
    """Copies the `.ipynb` and `.zip` files under `source` (never links).

    A file over `MAX_NOTEBOOK_BYTES` is not copied: a sparse stand-in of the same
    size takes its place, so `collect` reports it as too large, as it would elsewhere.

    Returns:
        (how many files were copied, a sentence for each file left out).
    """
    copied, left_out = 0, []
    for folder, folders, files in os.walk(source):
        folders[:] = sorted(name for name in folders
                            if name not in (".ipynb_checkpoints", "__MACOSX")
                            and not os.path.islink(os.path.join(folder, name)))
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix.lower() not in (".ipynb", ".zip") or path.is_symlink():
                continue
            copy = target / path.relative_to(source)
            if copied >= MAX_NOTEBOOKS_PER_SUBMISSION:
                left_out.append(f"{source.name}: {path.relative_to(source)} was not taken (more "
                                f"than {MAX_NOTEBOOKS_PER_SUBMISSION} notebooks in one submission)")
                continue
            copy.parent.mkdir(parents=True, exist_ok=True)
            size = path.stat().st_size
            if size > MAX_NOTEBOOK_BYTES:
                with copy.open("wb") as handle:
                    handle.truncate(size)
            else:
                shutil.copyfile(path, copy, follow_symlinks=False)
            copied += 1
    return copied, left_out


def late_finding(gradebook, notebook_name: str, chapter: str,
                 student: str) -> tuple[float, Finding | None]:
    """The late penalty nbgrader recorded for a submission, and the sentence for the report.

    Args:
        gradebook: an open nbgrader `Gradebook`.
        notebook_name: the chapter notebook's file name.
        chapter, student: the submission.

    Returns:
        (points taken off, a `graded` finding such as "handed in 2 h 30 min after the
        due date (2027-01-18 22:59 UTC): late penalty -3 points"), or (0.0, None).
    """
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(chapter, student)
        notebook = gradebook.find_submission_notebook(Path(notebook_name).stem, chapter, student)
        seconds = float(submission.total_seconds_late or 0)
        penalty = float(notebook.late_submission_penalty or 0)
        due = submission.assignment.duedate
    except (MissingEntry, AttributeError, TypeError, ValueError):
        gradebook.db.rollback()
        return 0.0, None
    if seconds <= 0:
        return 0.0, None
    points = f"{penalty:g} point{'' if penalty == 1 else 's'}"
    when = f" ({due:%Y-%m-%d %H:%M} UTC)" if due else ""
    return penalty, Finding(GRADED, (
        f"late by {describe_lateness(seconds)}: handed in after the due date{when}, "
        f"late penalty -{points}"))


# ---------------------------------------------------------------------------------------------
# `kfc-grade release`


def release_parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="kfc-grade release",
        description=(
            "Release chapters to nbgrader's exchange, where students fetch them (JupyterLab's "
            "Assignment List, or `nbgrader fetch_assignment`). Each chapter's course/ "
            "notebook is first checked against what nbgrader generates from solutions/."
        ),
        epilog=(
            "examples:\n"
            "  kfc-grade release --exchange /srv/nbgrader/exchange --chapter 00\n"
            f"  {ENVIRONMENT_VARIABLE}=/srv/nbgrader/exchange kfc-grade release --chapter 04\n"
            "plain nbgrader, from the repository root, does the same without the check:\n"
            f"  {ENVIRONMENT_VARIABLE}=/srv/nbgrader/exchange nbgrader release_assignment "
            "00-welcome --force"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--exchange", type=Path, metavar="DIR",
                         help=f"the exchange root (nbgrader's Exchange.root; default: "
                              f"${ENVIRONMENT_VARIABLE})")
    command.add_argument("--chapter", action="append", default=[], metavar="CHAPTER",
                         required=True, help="chapter to release (00-welcome, 00 or welcome); "
                                             "repeat for more")
    command.add_argument("--workspace", type=Path,
                         help="grading workspace (default: grading/ in the course)")
    command.add_argument("--course-root", type=Path,
                         help="the course repository (default: found from here)")
    return command


def release(exchange: Path, chapters: list[str], course_root: Path,
            workspace_root: Path) -> list[Path]:
    """Releases chapters to the exchange with nbgrader; returns their outbound folders.

    Raises:
        InstructorError: when `course/<chapter>` is not what nbgrader generates from
            `solutions/`, or nbgrader could not release (one sentence says what to do).
    """
    from autograder.pipeline.workspace import same_notebook

    workspace = Workspace(workspace_root, course_root)
    workspace.prepare(Limits())
    course = course_id(course_root)
    released = []
    for chapter in chapters:
        generated = workspace.generate(chapter)
        committed = course_root / "course" / chapter / generated.name
        if not committed.is_file() or not same_notebook(generated, committed):
            raise InstructorError(
                f"course/{chapter}/{generated.name} is not what nbgrader generates from "
                f"solutions/ (release notebooks are never edited by hand): run `nbgrader "
                f"generate_assignment {chapter} --force` in the repository, or grade once with "
                "kfc-grade --regenerate, then release again."
            )
        result = workspace.nbgrader("release_assignment", chapter, "--force",
                                    f"--Exchange.root={exchange}")
        if not result.ok:
            raise InstructorError(
                f"nbgrader could not release {chapter} to {exchange} "
                f"({last_error_line(result.log)}): give --exchange a folder you can create or "
                "write to, which every student can read."
            )
        released.append(exchange / course / "outbound" / chapter)
    return released


def release_main(argv: list[str]) -> int:
    """`kfc-grade release ...`: exit status 0, or 2 with one sentence when called wrongly."""
    from autograder.pipeline.cli import find_course_root, resolve_chapters

    arguments = release_parser().parse_args(argv)
    try:
        exchange = arguments.exchange or (Path(os.environ[ENVIRONMENT_VARIABLE])
                                          if os.environ.get(ENVIRONMENT_VARIABLE) else None)
        if exchange is None:
            raise InstructorError(
                f"Give the exchange folder: --exchange DIR (or set {ENVIRONMENT_VARIABLE}), the "
                "folder students fetch from, e.g. /srv/nbgrader/exchange."
            )
        course_root = find_course_root(arguments.course_root)
        all_chapters = sorted(path.name for path in (course_root / "solutions").iterdir()
                              if path.is_dir() and path.name[:2].isdigit())
        chapters = resolve_chapters(arguments.chapter, all_chapters)
        workspace_root = (arguments.workspace or course_root / "grading").resolve()
        for folder in release(exchange.resolve(), chapters, course_root, workspace_root):
            print(f"Released {folder.name} to {folder}")
    except InstructorError as error:
        print(f"kfc-grade release: {error}", file=sys.stderr)
        return 2
    return 0

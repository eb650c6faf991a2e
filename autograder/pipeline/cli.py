"""`kfc-grade`: a class's submissions in, grades, feedback and a report out.

Run `kfc-grade --help` for the options. The steps, for every chapter asked for:

1. release the chapter from `solutions/` with nbgrader in the grading
   workspace, and check that `course/` (what students have) is the same
   (`--regenerate` rewrites `course/` instead);
2. collect the submissions (`autograder.pipeline.collect`) and repair their graded
   cells (`autograder.pipeline.notebooks`);
3. autograde each submission with nbgrader, one process each, with the
   kernel limits of the course's `nbgrader_config.py` and the kernel in a
   sandbox (`autograder.pipeline.sandbox`): when none can be made here, the
   command stops and says what to install, unless `--no-sandbox` is given.
   Submissions run `--jobs` at a time on this machine, or on a Dask cluster
   (`--scheduler`), as `autograder.pipeline.jobs` describes; this process
   alone writes the gradebook. A submission unchanged since its last grading
   keeps its grade (`--force` grades it again);
4. write each student's feedback HTML, the grades CSVs and the per-cell plot,
   and print the summary table.

Exit status: 0 when the class was graded (whatever the students' notebooks
did), 2 when the command was called wrongly (one sentence says what to do).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import sys
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SQLAlchemyError

from autograder.pipeline import forkserver
from autograder.pipeline.collect import UNKNOWN_CHAPTER, assign, collect
from autograder.pipeline.demo import build_demo_class
from autograder.pipeline.exchange import gather_exchange, late_finding, release_main
from autograder.pipeline.exports import late_penalties, write_exports
from autograder.pipeline.jobs import (
    DaskRunner,
    LocalRunner,
    ReuseIndex,
    default_jobs,
    make_job,
    record,
    still_graded,
    template_gradebook,
)
from autograder.pipeline.notebooks import (
    MISSING,
    NOT_GRADED,
    Finding,
    cell_grade_id,
    nbgrader_metadata,
    repair,
    write_notebook,
)
from autograder.pipeline.progress import GradingProgress
from autograder.pipeline.report import (
    NOTHING_HANDED_IN,
    Row,
    execution_findings,
    nbgrader_failure,
    plot_cell_scores,
    summary_table,
    write_cells_csv,
    write_grades_csv,
)
from autograder.pipeline.roster import apply as apply_roster
from autograder.pipeline.roster import class_students, load_roster, not_on_roster_note
from autograder.pipeline.sandbox import sandbox_problem
from autograder.pipeline.schedule import load_schedule
from autograder.pipeline.workspace import (
    InstructorError,
    Limits,
    Workspace,
    check_database,
    command_environment,
    find_course_root,
    last_error_line,
    same_notebook,
)

DEMO_CELL_TIMEOUT = 30
NO_SANDBOX = ("Graded without a sandbox (--no-sandbox): the students' code ran with your "
              "permissions, able to read and change the gradebook, the solutions and the reports")


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="kfc-grade",
        description=(
            "Grade a class's submissions of the Keras Functional Course with nbgrader: "
            "collect the notebooks, autograde them, write feedback HTML, grades CSVs, a "
            "per-cell score plot, and print a summary table."
        ),
        epilog=(
            "examples:\n"
            "  kfc-grade --demo                      grade the built-in sample class\n"
            "  kfc-grade downloads/                  grade every chapter found in downloads/\n"
            "  kfc-grade downloads/ --chapter 04     grade only chapter 04-dags\n"
            "  kfc-grade exchange/ --db postgresql://grader@db/course\n"
            "  kfc-grade --exchange /srv/nbgrader/exchange   grade from nbgrader's exchange\n"
            "  kfc-grade release --exchange /srv/nbgrader/exchange --chapter 00\n\n"
            "SUBMISSIONS may hold nbgrader's submitted/<student>/<chapter>/ layout, one folder\n"
            "per student, or one <student>.ipynb / <student>.zip file per student. The chapter\n"
            "of each notebook is read from its graded cells."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("submissions", nargs="?", type=Path,
                         help="folder of submissions (leave out with --demo)")
    command.add_argument("--demo", action="store_true",
                         help="build a sample class from the course and grade it")
    command.add_argument("--exchange", type=Path, metavar="DIR",
                         help="grade the latest submission of each student from nbgrader's "
                              "exchange root DIR (Exchange.root), with their submission times; "
                              "`kfc-grade release --help` releases chapters there")
    command.add_argument("--schedule", type=Path, metavar="FILE",
                         help="course schedule: due dates and late penalty (default: "
                              "schedule.toml in the course, if there is one)")
    command.add_argument("--chapter", action="append", default=[], metavar="CHAPTER",
                         help="chapter to grade: name, number or short name (04-dags, 04, "
                              "dags); repeat for more; default: every chapter")
    command.add_argument("--workspace", type=Path,
                         help="grading workspace (default: grading/ in the course, ignored by git)")
    command.add_argument("--db", metavar="URL",
                         help="SQLAlchemy URL of the gradebook (default: SQLite in the workspace)")
    command.add_argument("--regenerate", action="store_true",
                         help="rewrite course/ from solutions/ with nbgrader when they differ")
    command.add_argument("--cell-timeout", type=int, metavar="SECONDS",
                         help="time limit per cell (default: nbgrader_config.py's, 120; "
                              f"{DEMO_CELL_TIMEOUT} with --demo)")
    command.add_argument("--memory-limit", type=int, metavar="MIB",
                         help="memory limit of the grading kernel (default: "
                              "nbgrader_config.py's, 4096)")
    command.add_argument("--cpu-limit", type=int, metavar="SECONDS",
                         help="CPU-time limit of each grading kernel (default: "
                              "nbgrader_config.py's, 600)")
    command.add_argument("--notebook-timeout", type=int, default=Limits.notebook_timeout,
                         metavar="SECONDS", help="time limit for grading one submission "
                                                 f"(default: {Limits.notebook_timeout})")
    command.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                         help="run the students' notebooks without the sandbox (only where "
                              "bubblewrap cannot run: their code then runs with your "
                              "permissions; the summary and grades.csv say so)")
    command.add_argument("--jobs", type=int, metavar="N",
                         help="submissions graded at once on this machine (default: one per "
                              "core, as memory allows; printed at the start)")
    command.add_argument("--scheduler", metavar="ADDRESS",
                         help="grade on an existing Dask cluster, e.g. tcp://HOST:8786 (its "
                              "workers need the course installed, not a shared filesystem)")
    command.add_argument("--force", action="store_true",
                         help="grade every submission again, even those unchanged since "
                              "their last grading")
    command.add_argument("--roster", type=Path, metavar="CSV",
                         help="the class list: a CSV file with the columns id, first name, "
                              "last name and email; names and emails go into the gradebook "
                              "and the LMS exports, and students who handed nothing in are "
                              "reported missing")
    command.add_argument("--course-root", type=Path,
                         help="the course repository (default: found from here or the package)")
    return command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["release"]:
        return release_main(argv[1:])
    arguments = parser().parse_args(argv)
    # Ctrl-C stops the run and keeps what was recorded, even when the process that started
    # kfc-grade ignores SIGINT (its children would inherit that, and never stop).
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        # nbgrader's commands are forked from one process that has imported nbgrader.
        with forkserver.serving(command_environment()):
            grade(arguments)
    except InstructorError as error:
        print(f"kfc-grade: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kfc-grade: stopped. Run the same command again: it keeps the grades recorded "
              "so far and grades what is left (--force grades everything again).",
              file=sys.stderr)
        return 130
    return 0


def resolve_chapters(asked: list[str], chapters: list[str]) -> list[str]:
    """The chapters named by `--chapter` (full name, number, or short name), in course order."""
    if not asked:
        return chapters
    chosen = set()
    for name in asked:
        matches = [chapter for chapter in chapters if name in (
            chapter, chapter[:2], chapter[:2].lstrip("0") or "0", chapter[3:])]
        if len(matches) != 1:
            raise InstructorError(
                f"There is no chapter {name!r}: give one of {', '.join(chapters)} (or its "
                "number), or leave out --chapter to grade every chapter."
            )
        chosen.add(matches[0])
    return [chapter for chapter in chapters if chapter in chosen]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def grade(arguments) -> list[Row]:
    """Runs the whole grading; returns the rows of the report."""
    if arguments.sandbox:
        problem = sandbox_problem()
        if problem:
            raise InstructorError(problem)
    else:
        progress(f"{NO_SANDBOX}.")
    course_root = find_course_root(arguments.course_root)
    all_chapters = sorted(path.name for path in (course_root / "solutions").iterdir()
                          if path.is_dir() and path.name[:2].isdigit())
    chapters = resolve_chapters(arguments.chapter, all_chapters)
    if arguments.demo + (arguments.submissions is not None) + (arguments.exchange is not None) != 1:
        raise InstructorError(
            "Give either a folder of submissions or --demo or --exchange DIR (one of them): "
            "for example `kfc-grade submissions/`, `kfc-grade --demo` or "
            "`kfc-grade --exchange /srv/nbgrader/exchange`."
        )
    arguments.course_schedule = load_schedule(arguments.schedule, course_root, all_chapters)
    if arguments.submissions is not None and not arguments.submissions.is_dir():
        raise InstructorError(
            f"There is no folder {arguments.submissions}: give the folder that holds the "
            "students' notebooks, zip files, or nbgrader's submitted/ layout."
        )
    roster = load_roster(arguments.roster) if arguments.roster is not None else None
    workspace_root = (arguments.workspace or course_root / "grading").resolve()
    try:
        workspace_root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InstructorError(
            f"Cannot create the workspace {workspace_root} ({error.strerror}): give a folder "
            "you can write to with --workspace."
        ) from None
    workspace = Workspace(workspace_root, course_root, arguments.db)
    check_database(workspace.db_url)
    timeout = arguments.cell_timeout or (DEMO_CELL_TIMEOUT if arguments.demo else None)
    workspace.prepare(Limits(timeout, arguments.memory_limit, arguments.cpu_limit,
                             arguments.notebook_timeout, sandbox=arguments.sandbox))

    runner, where = make_runner(arguments, workspace)
    try:
        return grade_with(arguments, workspace, course_root, chapters, all_chapters, roster,
                          runner, where)
    finally:
        runner.close()


def grade_with(arguments, workspace: Workspace, course_root: Path, chapters: list[str],
               all_chapters: list[str], roster, runner, where: str) -> list[Row]:
    """`grade` once the workspace and the runner are ready: release, grade, feedback, reports."""
    course = course_root / "course"
    workspace_root = workspace.root
    names = {chapter: next((course / chapter).glob("*.ipynb")).name for chapter in all_chapters}
    folder = arguments.submissions
    if arguments.exchange is not None:
        folder = gather_exchange(arguments.exchange, workspace_root, course_root, progress)
    if arguments.demo:
        folder = build_demo_class(workspace_root / "demo-class", course_root)
        progress(f"Built the demo class in {folder}")
    received = collect(folder, workspace_root / "received", names)
    if not received:
        raise InstructorError(
            f"Found no notebooks or zip files in {folder}: give the folder that holds the "
            "students' submissions."
        )
    # The runner warms up (recheck servers, a cluster's workers) while nbgrader releases.
    runner.warm_up(arguments.sandbox)
    for chapter in chapters:
        progress(f"Releasing {chapter} from solutions/ with nbgrader ...")
        released = workspace.generate(chapter)
        committed = course / chapter / names[chapter]
        if not same_notebook(released, committed):
            if not arguments.regenerate:
                raise InstructorError(
                    f"course/{chapter}/{names[chapter]} is out of date with solutions/ (students "
                    "would be graded on tests they did not see): run again with --regenerate to "
                    "rewrite course/ from solutions/, and release the new notebook to students."
                )
            shutil.copyfile(released, committed)
            progress(f"  rewrote course/{chapter}/{names[chapter]} from solutions/")
    arguments.course_schedule.record_due_dates(workspace.db_url, chapters)
    releases = {chapter: nbformat.read(course / chapter / names[chapter], as_version=4)
                for chapter in all_chapters}

    submissions = [submission for submission in assign(received, releases, names)
                   if submission.chapter in chapters or submission.chapter == UNKNOWN_CHAPTER]
    students = class_students((item.student for item in received), roster)

    for chapter in chapters:
        for student_folder in (workspace_root / "submitted").glob(f"*/{chapter}"):
            shutil.rmtree(student_folder)
    gradable = []
    for submission in submissions:
        if submission.notebook is None:
            continue
        submission.findings += repair(submission.notebook, releases[submission.chapter])
        write_notebook(submission.notebook, workspace.submitted_path(
            submission.student, submission.chapter, names[submission.chapter]))
        gradable.append(submission)

    if roster is not None:
        apply_roster(roster, workspace.db_url)
    run_gradable(arguments, workspace, gradable, names, runner, where)

    for chapter in chapters:
        if any(s.chapter == chapter and s.notebook is not None for s in gradable):
            progress(f"Writing feedback for {chapter} ...")
            result = workspace.feedback(chapter)
            if not result.ok:
                progress(f"  nbgrader generate_feedback failed: {last_error_line(result.log)}")

    rows = report_rows(workspace, submissions, students, chapters, names, releases)
    write_grades_csv(rows, workspace.reports / "grades.csv", sandbox=arguments.sandbox)
    write_cells_csv(rows, workspace.reports / "cells.csv")
    write_exports(rows, chapters, workspace.reports, roster,
                  late_penalties(workspace.db_url, chapters))
    plot_cell_scores(rows, chapters, workspace.reports / "cell-scores.png")
    exported = workspace.export()
    if not exported.ok:
        progress(f"nbgrader export failed: {last_error_line(exported.log)}")
    table = summary_table(rows, chapters)
    if note := not_on_roster_note((item.student for item in received), roster):
        table = f"{table}\n\n{note}"
    if not arguments.sandbox:
        table = f"{NO_SANDBOX}.\n\n{table}"
    (workspace.reports / "summary.txt").write_text(table + "\n")
    print(table)
    print(f"\nReports in {workspace.reports}: grades.csv, cells.csv, nbgrader-grades.csv, "
          "canvas-grades.csv, moodle-grades.csv, "
          f"cell-scores.png, summary.txt. Feedback in {workspace_root / 'feedback'}.")
    return rows


def make_runner(arguments, workspace: Workspace):
    """The runner `--scheduler` or `--jobs` asks for, and the sentence saying where grading runs."""
    if arguments.scheduler:
        if arguments.jobs is not None:
            raise InstructorError(
                "Give either --jobs (grade on this machine) or --scheduler (grade on a Dask "
                "cluster), not both: the cluster's workers decide how many run at once.")
        runner = DaskRunner(arguments.scheduler)
        return runner, f"Grading {runner.describe()}."
    if arguments.jobs is None:
        jobs, why = default_jobs(workspace.limits.memory_limit_mb)
        return LocalRunner(jobs), (f"Grading {jobs} submission{'s' if jobs != 1 else ''} at a "
                                   f"time ({why}); change it with --jobs.")
    return LocalRunner(arguments.jobs), f"Grading {arguments.jobs} at a time (--jobs)."


def run_gradable(arguments, workspace: Workspace, gradable: list, names: dict[str, str],
                 runner, where: str) -> None:
    """Grades each gradable submission, or keeps its grade when nothing it depends on changed.

    Each submission becomes a `jobs.GradingJob`; `runner` (from `make_runner`,
    which `grade` closes) grades the jobs on this machine or a Dask cluster,
    `where` says which, and this process records each result in
    the gradebook as it comes back, so an interrupted run keeps what it
    recorded. A submission whose job failed loses its notebook (it is reported
    as not graded, with nbgrader's reason) and any grade it had.
    """
    reuse = ReuseIndex(workspace.root / "reuse.json")
    templates: dict[str, bytes] = {}
    jobs, reused = [], 0
    for submission in gradable:
        chapter, student = submission.chapter, submission.student
        if chapter not in templates:
            templates[chapter] = template_gradebook(workspace.db_url, chapter)
        # When it was handed in, and the schedule's due date and late penalty, if any.
        timing = {key: value for key, value in (
            ("timestamp", submission.timestamp),
            ("schedule", getattr(arguments, "course_schedule", None))) if value is not None}
        job = make_job(workspace, chapter, student, names[chapter],
                       nbformat.writes(submission.notebook), templates[chapter], **timing)
        if (not arguments.force and reuse.matches(student, chapter, job.fingerprint)
                and still_graded(workspace, chapter, student, names[chapter])):
            reused += 1
            continue
        jobs.append(job)
    if reused:
        progress(f"Kept {reused} grade{'s' if reused != 1 else ''} of submissions unchanged since "
                 "they were graded (--force grades them again).")
    if not jobs:
        return
    progress(where)
    by_key = {(s.student, s.chapter): s for s in gradable}
    # A progress bar when stderr is a terminal, else the "[n/N] grading ..." lines.
    shown = GradingProgress(len(jobs), reports_starts=runner.reports_starts)
    begun = time.monotonic()
    shown.start()
    try:
        for result in runner.run(jobs, shown.started, shown.finished):
            submission = by_key[(result.student, result.chapter)]
            if result.ok:
                try:
                    record(workspace, result)
                except (SQLAlchemyError, MissingEntry, OSError) as error:  # never the batch
                    result.ok = False
                    result.log = f"its grades could not be recorded: {type(error).__name__}: " \
                                 f"{error}"
            if result.ok:
                reuse.remember(result.student, result.chapter, result.fingerprint)
            else:
                reuse.forget(result.student, result.chapter)
                workspace.forget(result.chapter, result.student)
                submission.findings.append(nbgrader_failure(last_error_line(result.log)))
                submission.notebook = None
            shown.result(result.label, result.ok, result.seconds)
    finally:
        shown.stop()
    progress(f"Graded {len(jobs)} submissions in {time.monotonic() - begun:.0f} s"
             + (f"; kept {reused} unchanged." if reused else "."))


def report_rows(workspace: Workspace, submissions, students, chapters, names,
                releases) -> list[Row]:
    """One row per student and chapter graded, with scores read from the gradebook.

    `releases` (chapter -> release notebook) orders the graded cells as the notebook does.
    The gradebook and the autograded notebooks are read defensively: a submission the
    gradebook has no record of (removed during the run), a record that does not match
    the chapter's graded cells, or an autograded notebook that is missing or unreadable
    becomes that row's `not-graded` finding, and every other row is still reported.
    """
    by_key = {(s.student, s.chapter): s for s in submissions}
    order = {chapter: [cell_grade_id(cell) for cell in releases[chapter].cells]
             for chapter in chapters}
    points = {chapter: {cell_grade_id(cell): float(nbgrader_metadata(cell).get("points", 0))
                        for cell in releases[chapter].cells
                        if nbgrader_metadata(cell).get("grade")}
              for chapter in chapters}
    manual = {chapter: {cell_grade_id(cell) for cell in releases[chapter].cells
                        if nbgrader_metadata(cell).get("solution")} for chapter in chapters}
    no_record = ("the gradebook had no record of the autograde of this submission{}: it "
                 "changed during the run; grade the class again")

    def recorded_cells(gradebook, chapter: str, student: str):
        """graded cell -> (score, max_score) as the gradebook has them, or why not."""
        try:
            graded = gradebook.find_submission_notebook(Path(names[chapter]).stem, chapter,
                                                        student)
            grades = [(grade.cell.name, grade.score, grade.max_score, grade.extra_credit or 0)
                      for grade in graded.grades]
        except (MissingEntry, SQLAlchemyError, AttributeError) as error:
            gradebook.db.rollback()
            return no_record.format("" if isinstance(error, MissingEntry) else
                                    f" that could be read ({type(error).__name__})")
        cells = {}
        for name, score, max_score, extra_credit in grades:
            if score is None and name in manual[chapter]:
                score = 0.0  # an answer not graded by hand yet
            numbers = all(isinstance(value, (int, float))
                          for value in (score, max_score, extra_credit))
            if name in cells or not numbers or max_score != points[chapter].get(name) or not (
                    0 <= score <= max_score + extra_credit):
                return no_record.format(
                    f" that matches the chapter (its cell {name!r} has {score!r} of "
                    f"{max_score!r} points)")
            cells[name] = (float(score), float(max_score))
        missing = [name for name in points[chapter] if name not in cells]
        if missing:
            return no_record.format(f" for the graded cell {missing[0]!r}")
        return dict(sorted(cells.items(), key=lambda item: order[chapter].index(item[0])))

    rows = []
    with Gradebook(workspace.db_url) as gradebook:
        maximum = {}
        for chapter in chapters:
            try:
                maximum[chapter] = float(gradebook.find_assignment(chapter).max_score or 0.0)
            except (MissingEntry, SQLAlchemyError):
                gradebook.db.rollback()
                maximum[chapter] = sum(points[chapter].values())
        for student in students:
            for chapter in [*chapters, UNKNOWN_CHAPTER]:
                submission = by_key.get((student, chapter))
                if chapter == UNKNOWN_CHAPTER and submission is None:
                    continue
                row = Row(student, chapter, 0.0, maximum.get(chapter, 0.0),
                          list(submission.findings) if submission else [],
                          source=submission.label if submission else "")
                rows.append(row)
                if submission is None:
                    row.findings.append(Finding(MISSING, NOTHING_HANDED_IN))
                if submission is None or submission.notebook is None:
                    if chapter != UNKNOWN_CHAPTER:
                        workspace.forget(chapter, student)
                    continue
                cells = recorded_cells(gradebook, chapter, student)
                if isinstance(cells, str):
                    row.findings.append(Finding(NOT_GRADED, cells))
                    continue
                autograded = workspace.autograded_path(student, chapter, names[chapter])
                try:
                    found = execution_findings(nbformat.read(autograded, as_version=4),
                                               releases[chapter])
                except Exception as error:  # missing, unreadable, not a notebook's outputs
                    row.findings.append(Finding(NOT_GRADED, (
                        f"the autograded notebook autograded/{student}/{chapter}/{names[chapter]}"
                        f" could not be read ({type(error).__name__}) though the gradebook has "
                        "its scores: it changed during the run; grade the class again"
                    )))
                    continue
                row.cells = cells
                row.score = sum(score for score, _ in cells.values())
                penalty, late = late_finding(gradebook, names[chapter], chapter, student)
                if late is not None:
                    row.score = max(0.0, row.score - penalty)
                    row.findings.append(late)
                row.findings += found
    return rows


if __name__ == "__main__":
    sys.exit(main())

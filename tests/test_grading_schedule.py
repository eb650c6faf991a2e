"""The course schedule, the exchange's inbound and submission times, without nbgrader runs.

Due dates and the late-penalty rule are read from a TOML file (`schedule`), an
instructor's mistake in it is one sentence, the exchange's `inbound/` gives each
student's latest submission per chapter (`exchange`), a `timestamp.txt` reaches the
submission (`collect`) and the job, and a grade is not reused once its time or the
due date changed (`jobs.fingerprint`). The end to end run, with nbgrader's exchange,
is in tests/test_grading_exchange.py.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from _notebooks import COURSE, REPOSITORY, SOLUTIONS, chapter_notebook, chapters
from nbgrader.api import Gradebook
from traitlets.config.loader import PyFileConfigLoader

from autograder.pipeline import cli, exchange
from autograder.pipeline.collect import assign, collect
from autograder.pipeline.demo import answered
from autograder.pipeline.exchange import (
    gather,
    late_finding,
    latest,
    parse_timestamp,
    read_inbound,
)
from autograder.pipeline.jobs import fingerprint, make_job
from autograder.pipeline.schedule import (
    HourlyPenalty,
    Schedule,
    describe_lateness,
    load_schedule,
    parse_schedule,
    penalty_points,
)
from autograder.pipeline.workspace import InstructorError, Limits, Workspace

WELCOME = "00-welcome"
CHAPTERS = chapters()
NAMES = {chapter: chapter_notebook(chapter, COURSE).name for chapter in CHAPTERS}


def schedule_of(text: str) -> Schedule:
    return parse_schedule(text, Path("schedule.toml"), CHAPTERS)


def test_due_dates_are_read_in_utc_by_name_or_number():
    schedule = schedule_of('[late_penalty]\npoints_per_hour = 0.5\n[due]\n'
                           '"00-welcome" = 2027-01-18T23:59:00+01:00\n'
                           '"04" = "2027-02-15T08:00:00Z"\n')
    assert schedule.due(WELCOME) == datetime(2027, 1, 18, 22, 59)
    assert schedule.due("04-dags") == datetime(2027, 2, 15, 8, 0)
    assert schedule.due("01-sequential-vs-functional") is None
    assert schedule.points_per_hour == 0.5
    assert "c.HourlyPenalty.points_per_hour = 0.5" in schedule.config_lines()


def test_the_course_schedule_file_is_valid_and_optional(tmp_path):
    assert (REPOSITORY / "schedule.toml").is_file()
    assert load_schedule(None, REPOSITORY, CHAPTERS).source == REPOSITORY / "schedule.toml"
    assert load_schedule(None, tmp_path, CHAPTERS) == Schedule()


@pytest.mark.parametrize(("text", "says"), [
    ('[due]\n"00-welcome" = 2027-01-18T23:59:00\n', "without a timezone"),
    ('[due]\n"00-welcome" = "2027-01-18 23:59"\n', "without a timezone"),
    ('[due]\n"00-welcome" = 2027-01-18\n', "a date without a time"),
    ('[due]\n"00-welcome" = "next monday"\n', "not an ISO 8601 date"),
    ('[due]\n"13-nothing" = 2027-01-18T23:59:00Z\n', "not a chapter"),
    ('[due]\n"00-welcome" = 2027-01-18T23:59:00Z\n"00" = 2027-01-19T23:59:00Z\n',
     "two due dates"),
    ('[dues]\n"00-welcome" = 2027-01-18T23:59:00Z\n', "does not know"),
    ('[late_penalty]\npoints_per_hour = -1\n', "0 or more"),
    ('[late_penalty]\npoints_per_hour = "one"\n', "0 or more"),
    ('[late_penalty]\npoints_per_day = 1\n', "only setting there is points_per_hour"),
    ('[due\n"00-welcome" = 1\n', "not valid TOML"),
    ('due = 3\n', "as tables"),
])
def test_a_wrong_schedule_is_one_sentence_saying_what_to_fix(text, says):
    with pytest.raises(InstructorError) as raised:
        schedule_of(text)
    message = str(raised.value)
    assert says in message
    assert message.startswith("The course schedule schedule.toml ")
    assert "\n" not in message and message.endswith(".")


def test_kfc_grade_stops_with_exit_status_2_on_a_wrong_schedule(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text('[due]\n"00-welcome" = 2027-01-18T23:59:00\n')
    (tmp_path / "class").mkdir()
    status = cli.main([str(tmp_path / "class"), "--schedule", str(tmp_path / "bad.toml"),
                       "--workspace", str(tmp_path / "ws"), "--no-sandbox"])
    errors = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert errors[-1].startswith("kfc-grade: The course schedule ")
    assert "without a timezone" in errors[-1]
    status = cli.main([str(tmp_path / "class"), "--schedule", str(tmp_path / "none.toml"),
                       "--workspace", str(tmp_path / "ws"), "--no-sandbox"])
    assert status == 2
    assert "Cannot read the course schedule" in capsys.readouterr().err


def test_every_started_hour_late_costs_the_points_per_hour():
    assert penalty_points(0, 1.0) == 0
    assert penalty_points(1, 1.0) == 1
    assert penalty_points(3600, 1.0) == 1
    assert penalty_points(3601, 0.5) == 1.0
    assert penalty_points(2.5 * 3600, 0.5) == 1.5
    assert HourlyPenalty(points_per_hour=2.0).late_submission_penalty("ada", 5, 90 * 60) == 4.0
    assert describe_lateness(2.5 * 3600) == "2 h 30 min"
    assert describe_lateness(5) == "1 min"
    assert describe_lateness(3 * 86400 + 3600) == "3 d 1 h"


def test_the_course_config_uses_the_hourly_penalty_and_the_exchange_variable(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXCHANGE", raising=False)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPOSITORY)).load_config()
    assert config.AssignLatePenalties.plugin_class == "autograder.pipeline.schedule.HourlyPenalty"
    assert "root" not in config.Exchange
    monkeypatch.setenv("NBGRADER_EXCHANGE", "/srv/exchange-of-the-test")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPOSITORY)).load_config()
    assert config.Exchange.root == "/srv/exchange-of-the-test"
    assert config.CourseDirectory.course_id == "keras-functional-course"


def _submit(inbound: Path, student: str, chapter: str, when: datetime, text: str = "{}",
            written: str | None = None, random: str = "AbCd") -> Path:
    """A submission folder as `nbgrader submit` writes it."""
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folder = inbound / f"{student}+{chapter}+{stamp}+{random}"
    folder.mkdir(parents=True)
    (folder / NAMES.get(chapter, "notebook.ipynb")).write_text(text)
    (folder / "timestamp.txt").write_text(stamp if written is None else written)
    (folder / "submission_secret.txt").write_text("0" * 128)
    return folder


def test_the_latest_submission_of_each_student_and_chapter_is_taken(tmp_path):
    inbound = tmp_path / "exchange" / "keras-functional-course" / "inbound"
    start = datetime(2027, 1, 18, 12, 0)
    _submit(inbound, "ada", WELCOME, start)
    _submit(inbound, "ada", WELCOME, start + timedelta(hours=2), random="Zz")
    _submit(inbound, "ada", WELCOME, start + timedelta(hours=1), random="Zzz")
    _submit(inbound, "ada", "04-dags", start)
    _submit(inbound, "b+c", WELCOME, start)  # a user name may hold "+"
    # timestamp.txt (what autograde grades lateness by) decides over the name.
    _submit(inbound, "dan", WELCOME, start + timedelta(hours=5))
    _submit(inbound, "dan", WELCOME, start, random="Later",
            written=(start + timedelta(hours=9)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    (inbound / "stray-file.txt").write_text("not a submission")
    (inbound / "no-plus-signs").mkdir()
    (inbound / "..+00-welcome+2027-01-18 12:00:00 UTC+x").mkdir()  # would leave submitted/
    os.symlink(inbound / "no-plus-signs", inbound / "eve+00-welcome+2027-01-18 12:00:00 UTC+x")
    found, skipped = read_inbound(inbound)
    chosen = {(item.student, item.chapter): item for item in latest(found)}
    assert sorted(chosen) == [("ada", "00-welcome"), ("ada", "04-dags"), ("b+c", "00-welcome"),
                              ("dan", "00-welcome")]
    assert chosen[("ada", WELCOME)].timestamp == start + timedelta(hours=2)
    assert chosen[("dan", WELCOME)].path.name.endswith("+Later")
    assert chosen[("dan", WELCOME)].timestamp == start + timedelta(hours=9)
    assert len(skipped) == 4
    assert any(line.startswith("..+00-welcome") for line in skipped)
    assert any("stray-file.txt" in line for line in skipped)
    assert any("no-plus-signs" in line and "<student>+<chapter>" in line for line in skipped)


def test_a_folder_in_a_classmates_name_is_left_out(tmp_path, monkeypatch):
    """inbound/ is writable by all: only the student named (or the grader) may own a folder."""
    inbound = tmp_path / "exchange" / "keras-functional-course" / "inbound"
    start = datetime(2027, 1, 18, 12, 0)
    own = _submit(inbound, "ada", WELCOME, start)
    forged = _submit(inbound, "ada", WELCOME, start + timedelta(hours=1), random="Forged")
    placed = _submit(inbound, "ben", WELCOME, start)
    owners = {own.name: "ada", forged.name: "mallory", placed.name: "grader"}
    monkeypatch.setattr(exchange, "owner", lambda path: owners[path.name])
    monkeypatch.setattr(exchange, "owner_of_this_process", lambda: "grader")
    found, skipped = read_inbound(inbound)
    assert {(item.student, item.path.name) for item in latest(found)} == {
        ("ada", own.name), ("ben", placed.name)}, "ada's own submission is graded, not the forgery"
    assert skipped == [f"{forged.name}: claims to be ada's submission but is owned by mallory; "
                       "left out (another student may have written it in their name)"]


def test_a_time_written_back_to_before_the_due_date_does_not_count(tmp_path, monkeypatch):
    """The time a student writes is only a claim: files written later count as handed in later."""
    inbound = tmp_path / "exchange" / "keras-functional-course" / "inbound"
    claimed = datetime(2026, 1, 18, 12, 0)
    backdated = _submit(inbound, "ada", WELCOME, claimed)
    honest = _submit(inbound, "ben", WELCOME, claimed)
    written = {backdated.name: claimed + timedelta(hours=3),
               honest.name: claimed + timedelta(minutes=1)}  # the copy itself takes a moment
    monkeypatch.setattr(exchange, "changed_at", lambda folder: written[folder.name])
    found, _ = read_inbound(inbound)
    by_student = {item.student: item for item in found}
    assert by_student["ada"].timestamp == claimed + timedelta(hours=3)
    assert by_student["ada"].note == (
        f"{backdated.name}: its time says 2026-01-18 12:00 UTC but its files were last written "
        "at 2026-01-18 15:00 UTC; graded as handed in then")
    assert by_student["ben"].timestamp == claimed and by_student["ben"].note is None


def test_the_change_time_of_a_submission_is_when_its_files_were_written(tmp_path):
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=2)
    folder = _submit(tmp_path / "inbound", "ada", WELCOME, datetime(2026, 1, 18, 12, 0))
    os.utime(folder / "timestamp.txt", (0, 0))  # a modification time can be set back ...
    changed = exchange.changed_at(folder)
    assert changed is not None and changed >= before, "... its change time cannot"


def test_gather_writes_the_submitted_layout_with_times_and_leaves_the_exchange_alone(tmp_path):
    root = tmp_path / "exchange"
    inbound = root / "keras-functional-course" / "inbound"
    start = datetime(2027, 1, 18, 12, 0)
    _submit(inbound, "ada", WELCOME, start, text="first")
    _submit(inbound, "ada", WELCOME, start + timedelta(minutes=3), text="second", random="B")
    before = sorted((path.relative_to(root), path.read_bytes() if path.is_file() else None)
                    for path in root.rglob("*"))
    gathered = gather(root, tmp_path / "ws" / "exchange", "keras-functional-course")
    chapter = gathered.folder / "submitted" / "ada" / WELCOME
    assert (chapter / NAMES[WELCOME]).read_text() == "second"
    assert parse_timestamp((chapter / "timestamp.txt").read_text()) == start + timedelta(minutes=3)
    assert not (chapter / "submission_secret.txt").exists()
    assert sorted((path.relative_to(root), path.read_bytes() if path.is_file() else None)
                  for path in root.rglob("*")) == before
    with pytest.raises(InstructorError, match="There is no .*inbound: give --exchange"):
        gather(tmp_path / "elsewhere", tmp_path / "ws" / "exchange", "keras-functional-course")


def _releases():
    return {chapter: nbformat.read(chapter_notebook(chapter, COURSE), as_version=4)
            for chapter in CHAPTERS}


def test_a_timestamp_txt_reaches_the_submission_and_a_bad_one_is_said(tmp_path):
    release = nbformat.read(chapter_notebook(WELCOME, COURSE), as_version=4)
    notebook = answered(release, nbformat.read(chapter_notebook(WELCOME, SOLUTIONS), 4))
    for student, stamp in (("ada", "2027-01-18 22:59:00.5 UTC"), ("ben", "yesterday-ish"),
                           ("cleo", None)):
        folder = tmp_path / "class" / "submitted" / student / WELCOME
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / NAMES[WELCOME])
        if stamp:
            (folder / "timestamp.txt").write_text(stamp)
    received = collect(tmp_path / "class", tmp_path / "received", NAMES)
    by_student = {s.student: s for s in assign(received, _releases(), NAMES)}
    assert by_student["ada"].timestamp == "2027-01-18 22:59:00.500000 UTC"
    assert by_student["ben"].timestamp is None
    assert any("timestamp.txt is not a submission time" in finding.reason
               for finding in by_student["ben"].findings)
    assert by_student["cleo"].timestamp is None and by_student["cleo"].findings == []


def test_the_fingerprint_holds_the_submission_time_and_the_due_date():
    base = fingerprint("nb", {}, "config", Limits())
    stamped = fingerprint("nb", {}, "config", Limits(), "2027-01-18 22:59:00.000000 UTC")
    due = fingerprint("nb", {}, "config", Limits(), "2027-01-18 22:59:00.000000 UTC",
                      datetime(2027, 1, 18))
    later_due = fingerprint("nb", {}, "config", Limits(), "2027-01-18 22:59:00.000000 UTC",
                            datetime(2027, 1, 19))
    assert len({base, stamped, due, later_due}) == 4
    assert due == fingerprint("nb", {}, "config", Limits(), "2027-01-18 22:59:00.000000 UTC",
                              datetime(2027, 1, 18))


def test_a_job_carries_the_time_and_the_penalty_rule(tmp_path):
    workspace = Workspace(tmp_path, REPOSITORY)
    shutil.copytree(SOLUTIONS / WELCOME, tmp_path / "source" / WELCOME)
    schedule = schedule_of('[late_penalty]\npoints_per_hour = 0.25\n'
                           '[due]\n"00" = 2027-01-18T23:59:00+01:00\n')
    stamp = "2027-01-19 01:00:00.000000 UTC"
    job = make_job(workspace, WELCOME, "ada", NAMES[WELCOME], "{}", b"", stamp, schedule)
    assert job.timestamp == stamp
    assert job.course_config.endswith(schedule.config_lines())
    plain = make_job(workspace, WELCOME, "ada", NAMES[WELCOME], "{}", b"")
    assert plain.timestamp is None and plain.fingerprint != job.fingerprint
    assert plain.course_config == (REPOSITORY / "nbgrader_config.py").read_text()


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own autoflush
def test_the_late_penalty_nbgrader_recorded_becomes_the_reason(tmp_path):
    due = datetime(2027, 1, 18, 22, 59)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(WELCOME, duedate=due)
        gradebook.update_or_create_notebook("welcome", WELCOME)
        for student, handed_in in (("ada", due - timedelta(minutes=1)),
                                   ("ben", due + timedelta(hours=2, minutes=30))):
            gradebook.update_or_create_student(student)
            gradebook.update_or_create_submission(WELCOME, student, timestamp=handed_in)
        gradebook.find_submission_notebook("welcome", WELCOME, "ben").late_submission_penalty = 1.5
        gradebook.db.commit()
        assert late_finding(gradebook, "welcome.ipynb", WELCOME, "ada") == (0.0, None)
        penalty, finding = late_finding(gradebook, "welcome.ipynb", WELCOME, "ben")
        assert late_finding(gradebook, "welcome.ipynb", WELCOME, "nobody") == (0.0, None)
    assert penalty == 1.5
    assert finding.status == "graded"
    assert finding.reason.startswith("late by 2 h 30 min: ")
    assert "2027-01-18 22:59 UTC" in finding.reason and "-1.5 points" in finding.reason


@pytest.mark.parametrize(("argv", "says"), [
    (["--exchange", "{tmp}/exchange", "--demo"], "Give either a folder of submissions or --demo"),
    (["--exchange", "{tmp}/exchange", "{tmp}"], "Give either a folder of submissions or --demo"),
    (["--exchange", "{tmp}/exchange"], "keras-functional-course/inbound: give --exchange the "
                                       "exchange root"),
    (["release", "--chapter", "00"], "Give the exchange folder: --exchange DIR"),
    (["release", "--exchange", "{tmp}/exchange", "--chapter", "99"], "There is no chapter '99'"),
])
def test_a_wrong_exchange_command_is_one_sentence(argv, says, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXCHANGE", raising=False)
    argv = [part.format(tmp=tmp_path) for part in argv]
    options = ["--workspace", str(tmp_path / "ws")] + (["--no-sandbox"] if argv[0] != "release"
                                                       else [])
    assert cli.main(argv + options) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith(("kfc-grade: ", "kfc-grade release: "))
    assert says in lines[-1]
    assert not (tmp_path / "exchange").exists(), "a wrong command changes nothing"


def test_release_refuses_a_course_notebook_nbgrader_did_not_generate(tmp_path, monkeypatch,
                                                                     capsys):
    from autograder.pipeline.workspace import CommandResult

    generated = tmp_path / "generated" / NAMES[WELCOME]
    generated.parent.mkdir()
    notebook = nbformat.read(chapter_notebook(WELCOME, COURSE), as_version=4)
    ran = []
    monkeypatch.setattr(Workspace, "generate", lambda self, chapter: generated)
    monkeypatch.setattr(Workspace, "nbgrader", lambda self, *arguments, **options: (
        ran.append(arguments) or CommandResult(False, "[ReleaseAssignmentApp | ERROR] no way")))
    argv = ["release", "--exchange", str(tmp_path / "exchange"), "--chapter", "00",
            "--workspace", str(tmp_path / "ws")]
    notebook.cells[0].source += "\nEdited by hand."
    nbformat.write(notebook, generated)
    assert cli.main(argv) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "is not what nbgrader generates from solutions/" in error and ran == []
    nbformat.write(nbformat.read(chapter_notebook(WELCOME, COURSE), as_version=4), generated)
    assert cli.main(argv) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"kfc-grade release: nbgrader could not release {WELCOME} to ")
    assert "no way" in error
    assert ran == [("release_assignment", WELCOME, "--force",
                    f"--Exchange.root={(tmp_path / 'exchange').resolve()}")]

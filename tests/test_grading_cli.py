"""The `kfc-grade` command: its help, an instructor's mistakes, and a small class end to end.

The commands run as an instructor runs them: the installed console script, in
a subprocess. The demo class is graded in tests/test_grading_demo.py.
"""

from __future__ import annotations

import csv
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from _notebooks import COURSE, REPOSITORY, SOLUTIONS, chapter_notebook
from nbgrader.api import Gradebook

from autograder.pipeline import cli
from autograder.pipeline.cli import parser, resolve_chapters
from autograder.pipeline.demo import answered
from autograder.pipeline.exchange import release_parser
from autograder.pipeline.report import read_grades_csv
from autograder.pipeline.workspace import Limits

KFC_GRADE = str(Path(sys.executable).with_name("kfc-grade"))
WELCOME = "00-welcome"


def kfc_grade(*arguments, cwd=REPOSITORY, timeout=900):
    return subprocess.run([KFC_GRADE, *map(str, arguments)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def one_sentence(result) -> str:
    """The error an instructor reads: exit status 2, one line after any progress, no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("kfc-grade: ")]
    assert errors == lines[-1:], result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


def answered_welcome() -> str:
    return nbformat.writes(answered(nbformat.read(chapter_notebook(WELCOME, COURSE), 4),
                                    nbformat.read(chapter_notebook(WELCOME, SOLUTIONS), 4)))


def test_the_command_is_installed_and_has_help():
    result = kfc_grade("--help")
    assert result.returncode == 0
    for option in ("--demo", "--chapter", "--workspace", "--db", "--regenerate",
                   "--cell-timeout", "--memory-limit", "--cpu-limit", "--no-sandbox"):
        assert option in result.stdout
    assert "kfc-grade downloads/ --chapter 04" in result.stdout


def test_the_readmes_kfc_grade_examples_are_valid_commands():
    readme = (REPOSITORY / "README.md").read_text()
    examples = re.findall(r"^(kfc-grade .*?)(?:\s+#.*)?$", readme, re.M)
    assert len(examples) >= 4
    assert "kfc-grade --help" in examples
    for example in examples:
        words = shlex.split(example)[1:]
        if words[:1] == ["release"]:
            arguments = release_parser().parse_args(words[1:])
            assert arguments.chapter, example
        elif example != "kfc-grade --help":
            arguments = parser().parse_args(words)
            assert arguments.demo or arguments.submissions or arguments.exchange, example


@pytest.mark.parametrize("arguments, expected", [
    (["--demo", "--chapter", "nine"],
     "There is no chapter 'nine': give one of 00-welcome, 01-sequential-vs-functional"),
    (["no-such-folder"], "There is no folder no-such-folder: give the folder that holds"),
    ([], "Give either a folder of submissions or --demo"),
    (["--demo", "course"], "Give either a folder of submissions or --demo"),
    (["--demo", "--course-root", "/tmp"], "/tmp is not the course repository"),
])
def test_an_instructors_mistake_gets_one_sentence(arguments, expected, tmp_path):
    message = one_sentence(kfc_grade(*arguments, "--workspace", tmp_path / "ws"))
    assert message.startswith("kfc-grade: ")
    assert expected in message


def test_chapter_names_numbers_and_short_names_are_understood():
    chapters = ["00-welcome", "04-dags"]
    assert resolve_chapters(["04-dags"], chapters) == ["04-dags"]
    assert resolve_chapters(["04", "0"], chapters) == ["00-welcome", "04-dags"]
    assert resolve_chapters(["dags", "4"], chapters) == ["04-dags"]
    assert resolve_chapters([], chapters) == chapters


@pytest.mark.parametrize("url, expected", [
    ("sqlite:////no/such/folder/gradebook.db", "Could not reach the gradebook database"),
    ("postgresql://grader@127.0.0.1:9/course",
     r"(needs the Python package 'psycopg2?', which is not installed: install it "
     r"\(`pip install psycopg2?`\)|Could not reach the gradebook database)"),
    ("not a url", "Could not reach the gradebook database not a url"),
])
def test_an_unreachable_database_gets_one_sentence(url, expected, tmp_path):
    message = one_sentence(kfc_grade("--demo", "--workspace", tmp_path / "ws", "--db", url))
    assert re.search(expected, message), message
    assert "--db" in message


def test_a_folder_without_notebooks_gets_one_sentence(tmp_path):
    (tmp_path / "empty").mkdir()
    message = one_sentence(kfc_grade(tmp_path / "empty", "--chapter", "00",
                                     "--workspace", tmp_path / "ws"))
    assert "Found no notebooks or zip files in" in message


NO_BWRAP = ("Grading runs every notebook in a sandbox, and bubblewrap (`bwrap`) is not "
            "installed: install Debian's bubblewrap (`apt-get install bubblewrap`), or grade "
            "with --no-sandbox.")


def test_without_a_sandbox_kfc_grade_refuses_with_what_to_install(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.setattr(cli, "sandbox_problem", lambda: NO_BWRAP)
    assert cli.main(["--demo", "--workspace", str(tmp_path / "ws")]) == 2
    assert capsys.readouterr().err == f"kfc-grade: {NO_BWRAP}\n"
    assert not (tmp_path / "ws").exists(), "nothing was graded"


def test_no_sandbox_is_accepted_and_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "sandbox_problem", lambda: NO_BWRAP)
    assert parser().parse_args(["--demo", "--no-sandbox"]).sandbox is False
    assert parser().parse_args(["--demo"]).sandbox is True
    assert cli.main(["--no-sandbox", str(tmp_path / "nowhere")]) == 2
    error = capsys.readouterr().err
    assert "Graded without a sandbox" in error
    assert "kfc-grade: There is no folder" in error, "past the sandbox check"
    assert "c.GuardedExecute.sandbox = False\n" in Limits(sandbox=False).config_lines()
    assert "sandbox" not in Limits().config_lines(), "the course config's True stands"


def test_a_class_graded_without_a_sandbox_says_so_in_the_summary_and_the_csv(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "sandbox_problem", lambda: NO_BWRAP)
    submissions = tmp_path / "in"
    submissions.mkdir()
    (submissions / "ben.ipynb").write_text("")
    workspace = tmp_path / "ws"
    assert cli.main([str(submissions), "--chapter", "00", "--no-sandbox",
                     "--workspace", str(workspace)]) == 0
    summary = (workspace / "reports" / "summary.txt").read_text()
    assert summary.startswith("Graded without a sandbox (--no-sandbox)")
    assert capsys.readouterr().out.startswith("Graded without a sandbox")
    grades = read_grades_csv(workspace / "reports" / "grades.csv")
    assert grades and {(row["student"], row["sandbox"]) for row in grades} == {("ben", "no")}
    assert "c.GuardedExecute.sandbox = False" in (workspace / "nbgrader_config.py").read_text()


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory) -> Path:
    """A copy of the course repository whose chapter 00 solution changed after release."""
    root = tmp_path_factory.mktemp("course")
    for name in ("solutions", "course"):
        shutil.copytree(REPOSITORY / name, root / name)
    shutil.copy(REPOSITORY / "nbgrader_config.py", root)
    solution = chapter_notebook(WELCOME, root / "solutions")
    notebook = nbformat.read(solution, as_version=4)
    test_cell = next(cell for cell in notebook.cells
                     if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex1_input_shape")
    test_cell.source = test_cell.source.replace('"""Checks', '"""Now checks', 1)
    nbformat.write(notebook, str(solution))
    return root


def test_an_out_of_date_course_is_refused_then_regenerated(course_copy, tmp_path):
    submissions = tmp_path / "in"
    submissions.mkdir()
    with zipfile.ZipFile(submissions / "ada.zip", "w") as bundle:
        bundle.writestr("welcome.ipynb", answered_welcome())
    (submissions / "ben.ipynb").write_text("")
    workspace = tmp_path / "ws"
    database = tmp_path / "elsewhere.db"
    arguments = [submissions, "--chapter", "00", "--course-root", course_copy,
                 "--workspace", workspace, "--db", f"sqlite:///{database}"]
    release = chapter_notebook(WELCOME, course_copy / "course")

    message = one_sentence(kfc_grade(*arguments))
    assert "course/00-welcome/welcome.ipynb is out of date with solutions/" in message
    assert "--regenerate" in message
    assert "Now checks" not in release.read_text()

    result = kfc_grade(*arguments, "--regenerate")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Now checks" in release.read_text(), "course/ was rewritten from solutions/"
    grades = {row["student"]: row for row in read_grades_csv(workspace / "reports" / "grades.csv")}
    assert (grades["ada"]["score"], grades["ada"]["status"]) == ("5", "repaired")
    assert "test cell ex1_input_shape had been edited" in grades["ada"]["reason"], (
        "ada worked in the release from before the change: graded on the new test cell"
    )
    assert (grades["ben"]["score"], grades["ben"]["status"]) == ("0", "not-graded")
    assert grades["ada"]["sandbox"] == "yes", "graded in the sandbox"
    assert "ben.ipynb is empty" in grades["ben"]["reason"]
    assert "[1/1] grading ada 00-welcome" in result.stderr, "progress is shown"
    assert not (workspace / "gradebook.db").exists(), "--db is used instead of the default"
    with Gradebook(f"sqlite:///{database}") as gradebook:
        assert gradebook.find_submission(WELCOME, "ada").score == 5
        assert [s.student.id for s in gradebook.assignment_submissions(WELCOME)] == ["ada"]


def test_a_roster_names_the_gradebooks_students_and_the_lms_exports(tmp_path):
    """ada (on the roster) is graded, dora (roster only) is missing, zed (not on the roster)
    is still reported; the gradebook, Canvas's and Moodle's files have the roster's names."""
    submissions = tmp_path / "in"
    submissions.mkdir()
    (submissions / "ada.ipynb").write_text(answered_welcome())
    (submissions / "zed.ipynb").write_text("")
    roster = tmp_path / "students.csv"
    roster.write_bytes("\ufeffID,First name,Last name,Email\n"
                       "ada,Ada,Lovelace,ada@example.org\n"
                       "dora,=Dora,Díaz,dora@example.org\n".encode())
    workspace = tmp_path / "ws"
    result = kfc_grade(submissions, "--chapter", "00", "--roster", roster,
                       "--workspace", workspace)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[1/1] grading ada 00-welcome ..." in result.stderr, "plain lines off a terminal"

    reports = workspace / "reports"
    grades = {row["student"]: row for row in read_grades_csv(reports / "grades.csv")}
    assert set(grades) == {"ada", "dora", "zed"}
    assert (grades["dora"]["status"], grades["dora"]["score"]) == ("missing", "0")
    assert grades["zed"]["status"] == "not-graded"
    score, maximum = grades["ada"]["score"], grades["ada"]["max_score"]
    assert float(score) == float(maximum) > 0, "the answer key earns every point"
    summary = (reports / "summary.txt").read_text()
    assert ("Not on the roster students.csv (graded all the same; add them to it if they "
            "are in the class): zed.") in summary.splitlines()

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gradebook:
        people = {student.id: (student.first_name, student.last_name, student.email)
                  for student in gradebook.students}
    assert people["ada"] == ("Ada", "Lovelace", "ada@example.org")
    assert people["dora"] == ("=Dora", "Díaz", "dora@example.org")
    assert "zed" not in people, "an empty file never reaches the gradebook"

    with (reports / "canvas-grades.csv").open(newline="", encoding="utf-8") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[:2] == [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", WELCOME],
                          ["    Points Possible", "", "", "", "", maximum]]
    assert canvas[2:] == [["Lovelace, Ada", "", "ada", "ada@example.org", "", score],
                          ["Díaz, =Dora", "", "dora", "dora@example.org", "", "0"],
                          ["zed", "", "zed", "", "", "0"]]
    with (reports / "moodle-grades.csv").open(newline="", encoding="utf-8") as handle:
        moodle = list(csv.reader(handle))
    assert moodle == [["First name", "Last name", "ID number", "Email address", WELCOME],
                      ["Ada", "Lovelace", "ada", "ada@example.org", score],
                      ["'=Dora", "Díaz", "dora", "dora@example.org", "0"],
                      ["", "", "zed", "", "0"]]
    with (reports / "nbgrader-grades.csv").open(newline="", encoding="utf-8") as handle:
        exported = {line["student_id"]: line for line in csv.DictReader(handle)}
    assert exported["ada"]["first_name"] == "Ada" and exported["ada"]["email"] == (
        "ada@example.org"), "nbgrader's own export has the roster's names"
    assert exported["dora"]["first_name"] == "'=Dora"


def test_the_runner_warms_up_before_the_release_and_is_closed_after_a_failure(tmp_path,
                                                                              monkeypatch):
    """The recheck servers load Keras while nbgrader releases; a run that stops closes them."""
    calls = []

    class Runner:
        def warm_up(self, sandboxed):
            calls.append(("warm up", sandboxed))

        def close(self):
            calls.append("close")

    def release(workspace, chapter):
        calls.append("release")
        raise cli.InstructorError("stopped here")

    monkeypatch.setattr(cli, "make_runner", lambda arguments, workspace: (Runner(), "here"))
    monkeypatch.setattr(cli.Workspace, "generate", release)
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ada.ipynb").write_text(answered_welcome())
    with pytest.raises(cli.InstructorError, match="stopped here"):
        cli.grade(parser().parse_args([str(tmp_path / "class"), "--chapter", "00",
                                       "--workspace", str(tmp_path / "ws"), "--no-sandbox"]))
    assert calls == [("warm up", False), "release", "close"]


def test_kfc_grade_starts_its_fork_server_before_it_imports_the_grader(tmp_path):
    """So the server imports nbgrader on one core while kfc-grade imports on the other."""
    code = (
        "import sys\n"
        "from autograder.pipeline import forkserver, launch\n"
        "seen = []\n"
        "forkserver.ForkServer.start = lambda self: seen.append(\n"
        "    'autograder.pipeline.cli' in sys.modules) or self\n"
        "try:\n"
        "    launch.main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('started before the grader was imported:', seen)\n")

    def started(*argv: str) -> str:
        result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                                text=True, cwd=REPOSITORY, check=False)
        return result.stdout.strip().splitlines()[-1]

    grading = started("--demo", "--jobs", "0", "--workspace", str(tmp_path / "ws"))
    assert grading == "started before the grader was imported: [False]", grading
    assert started("--help") == "started before the grader was imported: []", "help forks nothing"

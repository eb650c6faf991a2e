"""The grading workspace: an nbgrader course root outside the tracked tree, and its commands.

The workspace (`grading/` in the repository by default, ignored by git) holds
everything a grading run writes:

    grading/
        nbgrader_config.py   loads the course's config, points nbgrader here
        source/              a copy of solutions/ (nbgrader's source)
        release/             nbgrader's release, compared with course/
        received/            copies of the files collected from the instructor's folder
        submitted/           the notebooks graded, as <student>/<chapter>/<notebook>
        autograded/          nbgrader's executed copies
        feedback/            one HTML page per student and chapter
        gradebook.db         nbgrader's gradebook (unless a database URL is given)
        reports/             grades.csv, cells.csv, nbgrader-grades.csv, cell-scores.png

Each nbgrader command runs in its own process, one submission at a time, so a
submission that takes nbgrader down costs only its own grade.

Example:

    workspace = Workspace(Path("grading"), course_root, db_url=None)
    workspace.prepare(limits)
    workspace.generate("04-dags")
    outcome = workspace.autograde("04-dags", "ada")
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy
from nbgrader.api import Gradebook, MissingEntry


class InstructorError(Exception):
    """A mistake in how the command was called: its message is one sentence saying what to do."""


@dataclass
class Limits:
    """How long and how much a submission may run; None keeps `nbgrader_config.py`'s value.

    Args:
        cell_timeout: seconds one cell may run before it is interrupted.
        memory_limit_mb: memory limit of the grading kernel, in MiB.
        cpu_limit_seconds: CPU-time limit of the grading kernel, in seconds.
        notebook_timeout: seconds nbgrader may spend on one submission before it is stopped.
    """

    cell_timeout: int | None = None
    memory_limit_mb: int | None = None
    cpu_limit_seconds: int | None = None
    notebook_timeout: int = 1800

    def config_lines(self) -> str:
        """The `c.GuardedExecute...` lines that override the course config, one per limit given."""
        traits = {"timeout": self.cell_timeout, "memory_limit_mb": self.memory_limit_mb,
                  "cpu_limit_seconds": self.cpu_limit_seconds}
        return "".join(f"c.GuardedExecute.{trait} = {value}\n"
                       for trait, value in traits.items() if value is not None)


@dataclass
class CommandResult:
    """How an nbgrader command ended: `ok`, and the end of its log when it did not."""

    ok: bool
    log: str = ""


def check_database(db_url: str) -> None:
    """Connects to the gradebook database once, so a wrong URL fails before any grading.

    Raises:
        InstructorError: naming the URL, what went wrong, and what to do.
    """
    try:
        engine = sqlalchemy.create_engine(db_url)
        with engine.connect():
            pass
        engine.dispose()
    except ModuleNotFoundError as error:
        raise InstructorError(
            f"The gradebook database {db_url} needs the Python package {error.name!r}, which is "
            f"not installed: install it (`pip install {error.name}`) or "
            "leave out --db to use the SQLite gradebook in the workspace."
        ) from None
    except (sqlalchemy.exc.SQLAlchemyError, ValueError) as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise InstructorError(
            f"Could not reach the gradebook database {db_url} ({detail}): check the URL given "
            "to --db and that the database server is running, or leave out --db to use the "
            "SQLite gradebook in the workspace."
        ) from None


class Workspace:
    """An nbgrader course root for grading, next to (not inside) the course's tracked files.

    Args:
        root: the workspace folder; created if missing.
        course_root: the repository (holds `solutions/`, `course/`, `nbgrader_config.py`).
        db_url: SQLAlchemy URL of the gradebook; None for `<root>/gradebook.db`.
    """

    def __init__(self, root: Path, course_root: Path, db_url: str | None = None):
        self.root = root.resolve()
        self.course_root = course_root.resolve()
        self.db_url = db_url or f"sqlite:///{self.root / 'gradebook.db'}"
        self.reports = self.root / "reports"

    def prepare(self, limits: Limits) -> None:
        """Writes the workspace's nbgrader config; copies `solutions/` in as nbgrader's source."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.reports.mkdir(exist_ok=True)
        config = self.course_root / "nbgrader_config.py"
        (self.root / "nbgrader_config.py").write_text(
            '"""Written by kfc-grade: the course\'s nbgrader config, pointed here."""\n'
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(config)!r})  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(self.root)!r}\n"
            'c.CourseDirectory.source_directory = "source"\n'
            'c.CourseDirectory.release_directory = "release"\n'
            f"c.CourseDirectory.db_url = {self.db_url!r}\n"
            + limits.config_lines()
        )
        self.limits = limits
        source = self.root / "source"
        shutil.rmtree(source, ignore_errors=True)
        shutil.copytree(self.course_root / "solutions", source,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))

    def nbgrader(self, *arguments: str, timeout: float | None = None) -> CommandResult:
        """Runs `nbgrader <arguments>` in the workspace, in its own process group.

        A command that outlives `timeout` is killed with its kernels.
        """
        environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            [sys.executable, "-m", "nbgrader", *arguments], cwd=self.root, env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
            start_new_session=True,
        )
        try:
            log, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            log, _ = process.communicate()
            return CommandResult(False, f"stopped after {timeout:.0f} s\n{log[-2000:]}")
        return CommandResult(process.returncode == 0, log[-4000:])

    def generate(self, chapter: str) -> Path:
        """Releases a chapter into the workspace with nbgrader, recording it in the gradebook.

        Returns:
            The release notebook written to `release/<chapter>/`.
        """
        result = self.nbgrader("generate_assignment", chapter, "--force")
        if not result.ok:
            raise InstructorError(
                f"nbgrader could not release {chapter} from solutions/ into the workspace; "
                f"fix the chapter so `nbgrader generate_assignment {chapter}` works. "
                f"nbgrader said: {last_error_line(result.log)}"
            )
        return next((self.root / "release" / chapter).glob("*.ipynb"))

    def autograde(self, chapter: str, student: str) -> CommandResult:
        """Autogrades a student's submission of a chapter; on failure, drops its partial record."""
        result = self.nbgrader("autograde", chapter, f"--student={student}", "--force",
                               timeout=self.limits.notebook_timeout)
        if not result.ok:
            self.forget(chapter, student)
        return result

    def forget(self, chapter: str, student: str) -> None:
        """Removes a submission from the gradebook, autograded/ and feedback/."""
        with Gradebook(self.db_url) as gradebook, contextlib.suppress(MissingEntry):
            gradebook.remove_submission(chapter, student)
        shutil.rmtree(self.root / "autograded" / student / chapter, ignore_errors=True)
        shutil.rmtree(self.root / "feedback" / student / chapter, ignore_errors=True)

    def feedback(self, chapter: str) -> CommandResult:
        """Writes the feedback HTML of every autograded submission of a chapter."""
        return self.nbgrader("generate_feedback", chapter, "--force")

    def export(self) -> CommandResult:
        """nbgrader's own grades CSV, `reports/nbgrader-grades.csv`."""
        return self.nbgrader("export", f"--to={self.reports / 'nbgrader-grades.csv'}")

    def submitted_path(self, student: str, chapter: str, notebook_name: str) -> Path:
        return self.root / "submitted" / student / chapter / notebook_name

    def autograded_path(self, student: str, chapter: str, notebook_name: str) -> Path:
        return self.root / "autograded" / student / chapter / notebook_name

    def feedback_path(self, student: str, chapter: str, notebook_name: str) -> Path:
        return self.root / "feedback" / student / chapter / Path(notebook_name).with_suffix(".html")


def same_notebook(first: Path, second: Path) -> bool:
    """Whether two notebook files hold the same JSON."""
    return json.loads(first.read_text()) == json.loads(second.read_text())


def last_error_line(log: str) -> str:
    """The most telling line of an nbgrader log: its last error, else its last line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if "| ERROR]" in line or "Error" in line]
    return (errors or lines or ["no output"])[-1][:300]

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

Each nbgrader command runs in its own process (forked from the run's fork server,
`autograder.pipeline.forkserver`, which has imported nbgrader once), one
submission each, so a submission that takes nbgrader down costs only its own grade. Before every
command the workspace's `nbgrader_config.py` is written afresh (whatever was
done to it since), and a config that does not load (a syntax error or an
exception in it or in the course's config) stops the run with an
`InstructorError` instead of letting nbgrader go on with its defaults, which
have none of the course's limits.

Feedback is rendered with `feedback.FeedbackHTMLExporter` (the notebook's own
HTML sanitised, hidden tests left out), and `feedback/<student>/<chapter>/`
ends up holding only the notebooks' HTML pages: nbgrader would also copy
every other file of the autograded folder, which a kernel can write to.

Example:

    workspace = Workspace(Path("grading"), course_root, db_url=None)
    workspace.prepare(limits)
    workspace.generate("04-dags")
    outcome = workspace.autograde("04-dags", "ada")
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy
from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
from nbgrader.plugins import CsvExportPlugin

from autograder.pipeline import forkserver
from autograder.pipeline.forkserver import command_environment
from autograder.pipeline.report import spreadsheet_safe


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
        sandbox: whether each kernel runs in the sandbox (`autograder.pipeline.sandbox`);
            False only for `--no-sandbox`.
    """

    cell_timeout: int | None = None
    memory_limit_mb: int | None = None
    cpu_limit_seconds: int | None = None
    notebook_timeout: int = 1800
    sandbox: bool = True

    def config_lines(self) -> str:
        """The `c.GuardedExecute...` lines that override the course config, one per limit given
        (and `sandbox = False` when the sandbox is off)."""
        traits = {"timeout": self.cell_timeout, "memory_limit_mb": self.memory_limit_mb,
                  "cpu_limit_seconds": self.cpu_limit_seconds,
                  "sandbox": None if self.sandbox else False}
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

    # The workspace config prints this last, so a run without it did not load the config.
    CONFIG_LOADED = "kfc-grade: nbgrader loaded the workspace config"
    FEEDBACK_EXPORTER = "autograder.pipeline.feedback.FeedbackHTMLExporter"

    def __init__(self, root: Path, course_root: Path, db_url: str | None = None):
        self.root = root.resolve()
        self.course_root = course_root.resolve()
        self.db_url = db_url or f"sqlite:///{self.root / 'gradebook.db'}"
        self.reports = self.root / "reports"
        self.limits = Limits()

    def prepare(self, limits: Limits) -> None:
        """Writes the workspace's nbgrader config; copies `solutions/` in as nbgrader's source."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.reports.mkdir(exist_ok=True)
        self.limits = limits
        self.write_config()
        source = self.root / "source"
        shutil.rmtree(source, ignore_errors=True)
        shutil.copytree(self.course_root / "solutions", source,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))

    def write_config(self, command: str | None = None) -> Path:
        """Writes the workspace's `nbgrader_config.py` afresh; run before every nbgrader command.

        It loads the course's config, points nbgrader at the workspace and its
        gradebook, sets the limits given, renders feedback with `FEEDBACK_EXPORTER`,
        and ends by printing `CONFIG_LOADED`. For `generate_feedback` it also stops
        nbgrader copying the autograded folder's other files into `feedback/`.
        The file is replaced, not written through, so a link put in its place
        leads nowhere.

        Raises:
            InstructorError: when the course's `nbgrader_config.py` is missing
                (nbgrader would silently go on without it).
        """
        config = self.course_root / "nbgrader_config.py"
        if not config.is_file():
            raise InstructorError(
                f"The course's nbgrader config {config} is missing: put it back (`git checkout "
                "nbgrader_config.py` in the course repository) and run kfc-grade again."
            )
        text = (
            '"""Written by kfc-grade before every nbgrader command: the course\'s nbgrader '
            'config, pointed here."""\n'
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(config)!r})  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(self.root)!r}\n"
            'c.CourseDirectory.source_directory = "source"\n'
            'c.CourseDirectory.release_directory = "release"\n'
            f"c.CourseDirectory.db_url = {self.db_url!r}\n"
            + self.limits.config_lines()
            + "# Feedback: the notebook's own HTML sanitised.\n"
            f"c.GenerateFeedback.exporter_class = {self.FEEDBACK_EXPORTER!r}\n"
            "c.HTMLExporter.sanitize_html = True\n"
        )
        if command == "generate_feedback":
            text += ("# Only the notebooks' HTML is published: no other file is copied.\n"
                     'c.CourseDirectory.ignore = ["*", ".*"]\n')
        text += f"print({self.CONFIG_LOADED!r}, file=__import__('sys').stderr)\n"
        path = self.root / "nbgrader_config.py"
        written = path.with_name(f".nbgrader_config.py.{os.getpid()}")
        written.write_text(text)
        os.replace(written, path)
        return path

    def nbgrader(self, *arguments: str, timeout: float | None = None,
                 environment: dict[str, str] | None = None) -> CommandResult:
        """Runs `nbgrader <arguments>` in the workspace, in its own process group.

        The workspace config is written afresh first. Inside
        `forkserver.serving()` the command is forked from the run's fork server
        (nbgrader already imported), else it starts as a new process. A command
        that outlives `timeout` is killed with its kernels.

        Raises:
            InstructorError: when nbgrader could not load its config (it would
                otherwise have gone on with its defaults, without the course's limits).
        """
        config = self.write_config(arguments[0] if arguments else None)
        environment = {**command_environment(), **(environment or {})}
        with tempfile.TemporaryDirectory(prefix="kfc-nbgrader-log-") as folder:
            log_path = Path(folder) / "log"
            server = forkserver.current()
            process = server and server.spawn(["-m", "nbgrader", *arguments], cwd=self.root,
                                              environment=environment, log_path=log_path)
            if process is None:  # no fork server in this run, or it could not fork
                with log_path.open("wb") as log_file:
                    process = subprocess.Popen(
                        [sys.executable, "-m", "nbgrader", *arguments], cwd=self.root,
                        env=environment, stdin=subprocess.DEVNULL, stdout=log_file,
                        stderr=subprocess.STDOUT, start_new_session=True)
            with _RUNNING_LOCK:
                _RUNNING.add(process)
            try:
                returncode = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                with contextlib.suppress(subprocess.TimeoutExpired, forkserver.ServerLost):
                    process.wait(timeout=30)
                log = _read_log(log_path)
                return CommandResult(False, f"stopped after {timeout:.0f} s\n{log[-2000:]}")
            except forkserver.ServerLost:
                _kill_group(process)
                return CommandResult(False, "nbgrader's process was lost (the fork server that "
                                            f"started it ended)\n{_read_log(log_path)[-2000:]}")
            finally:
                with _RUNNING_LOCK:
                    _RUNNING.discard(process)
            log = _read_log(log_path)
        failure = self.config_failure(log, config, returncode)
        if failure:
            raise InstructorError(failure)
        return CommandResult(returncode == 0, log[-4000:])

    def config_failure(self, log: str, config: Path, returncode: int = 1) -> str | None:
        """The sentence for an nbgrader run that did not load its config, else None.

        The workspace config prints `CONFIG_LOADED` as its last line, before nbgrader
        starts any kernel, so only a run without it failed (what a kernel writes to
        the log later cannot stop the batch). Its traceback through traitlets' config
        loader, if any, says which file failed and why.
        """
        if self.CONFIG_LOADED in log:
            return None
        loading_failed = "Exception while loading config file" in log or (
            "_read_file_as_dict" in log and "Traceback" in log)
        frames = re.findall(r'File "([^"]+)", line (\d+)', log)
        if not loading_failed or not frames:
            return (
                f"nbgrader did not finish reading its config {config} (it exited with status "
                f"{returncode}: {last_error_line(log)}): check {config.name} in the course and "
                "run kfc-grade again; nbgrader would otherwise grade with its own defaults, "
                "without the course's limits."
            )
        configs = [frame for frame in frames if Path(frame[0]).name == config.name]
        failed = configs[-1][0] if configs else str(config)
        where = f"{frames[-1][0]}, line {frames[-1][1]}"
        tail = log[log.rindex(f'File "{frames[-1][0]}", line {frames[-1][1]}'):].splitlines()[1:]
        named = [line.strip() for line in tail if re.match(
            r"\s*[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning|Found|Iteration)\b",
            line)]
        described = [line.strip() for line in tail if re.match(r"\s*[A-Za-z_][\w.]*: ", line)]
        error = (named or described or [line.strip() for line in tail if line.strip()]
                 or ["an error"])[0][:200]
        return (
            f"nbgrader could not load its config: {failed} failed ({error}, at {where}): fix "
            "that file and run kfc-grade again; nbgrader would otherwise grade with its own "
            "defaults, without the course's limits."
        )

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

    def autograde(self, chapter: str, student: str,
                  environment: dict[str, str] | None = None) -> CommandResult:
        """Autogrades a student's submission of a chapter; on failure, drops its partial record.

        `environment` adds variables to nbgrader's (e.g. `KFC_KERNEL_SLOTS`).
        """
        result = self.nbgrader("autograde", chapter, f"--student={student}", "--force",
                               timeout=self.limits.notebook_timeout, environment=environment)
        if not result.ok:
            self.forget(chapter, student)
        return result

    def forget(self, chapter: str, student: str) -> None:
        """Removes a submission from the gradebook, autograded/ and feedback/.

        A submission the gradebook no longer has (or cannot remove) is simply left out.
        """
        with contextlib.suppress(MissingEntry, InvalidEntry, sqlalchemy.exc.SQLAlchemyError), \
                Gradebook(self.db_url) as gradebook:
            try:
                gradebook.remove_submission(chapter, student)
            except sqlalchemy.exc.SQLAlchemyError:
                gradebook.db.rollback()
                raise
        for folder in ("autograded", "feedback"):
            _remove(self.root / folder / student / chapter)

    def feedback(self, chapter: str) -> CommandResult:
        """Writes the feedback HTML of every autograded submission of a chapter.

        Each `feedback/<student>/<chapter>/` is left holding only the HTML of the
        chapter's notebooks: any other file or folder (copied by nbgrader from the
        autograded folder, which the kernel could write to) is removed.
        """
        result = self.nbgrader("generate_feedback", chapter, "--force")
        pages = {path.stem + ".html" for path in (self.root / "source" / chapter).glob("*.ipynb")}
        feedback = self.root / "feedback"
        for student in sorted(feedback.iterdir()) if feedback.is_dir() else []:
            folder = student / chapter
            if student.is_symlink() or not student.is_dir():
                _remove(student)
            elif folder.is_symlink() or folder.is_file():
                _remove(folder)
            elif folder.is_dir():
                for path in folder.iterdir():
                    if path.name not in pages or path.is_symlink() or not path.is_file():
                        _remove(path)
        return result

    def export(self) -> CommandResult:
        """nbgrader's own grades CSV, `reports/nbgrader-grades.csv`, spreadsheet-safe.

        Its text cells that a spreadsheet would read as a formula get a leading quote
        (`report.spreadsheet_safe`); cells that are numbers stay as they are.
        """
        target = self.reports / "nbgrader-grades.csv"
        result = CommandResult(True)
        # nbgrader's own CSV exporter (what `nbgrader export` runs), in this process: an
        # nbgrader process would cost its start-up for a few database reads.
        try:
            with warnings.catch_warnings(), Gradebook(self.db_url) as gradebook:
                warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
                CsvExportPlugin(to=str(target)).export(gradebook)
        except (sqlalchemy.exc.SQLAlchemyError, OSError, ValueError) as error:
            result = CommandResult(False, f"{type(error).__name__}: {error}")
        if result.ok and target.is_file() and not target.is_symlink():
            with target.open(newline="", encoding="utf-8", errors="replace") as handle:
                table = list(csv.reader(handle))
            with target.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows(
                    [cell if _is_number(cell) else spreadsheet_safe(cell) for cell in line]
                    for line in table)
        return result

    def submitted_path(self, student: str, chapter: str, notebook_name: str) -> Path:
        return self.root / "submitted" / student / chapter / notebook_name

    def autograded_path(self, student: str, chapter: str, notebook_name: str) -> Path:
        return self.root / "autograded" / student / chapter / notebook_name

    def feedback_path(self, student: str, chapter: str, notebook_name: str) -> Path:
        return self.root / "feedback" / student / chapter / Path(notebook_name).with_suffix(".html")


def find_course_root(given: Path | None, command: str = "kfc-grade",
                     needs: tuple[str, ...] = ("solutions",)) -> Path:
    """The course repository: given, or the nearest folder up from here, or the package's.

    Args:
        given: the `--course-root` given, or None to look in the current folder, its
            parents, then the repository the installed package was cloned into.
        command: the command asking, for its sentence (`kfc-grade`, `kfc-lab`).
        needs: the folders it needs beside `nbgrader_config.py`.

    Raises:
        InstructorError: when `given` is not the course, or none is found.
    """
    def is_course(folder: Path) -> bool:
        return (folder / "nbgrader_config.py").is_file() and all(
            (folder / name).is_dir() for name in needs)

    if given is not None:
        if not is_course(given):
            raise InstructorError(
                f"{given} is not the course repository (it needs nbgrader_config.py and "
                f"{', '.join(name + '/' for name in needs)}): give the folder you cloned the "
                "course into to --course-root."
            )
        return given.resolve()
    for folder in [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]]:
        if is_course(folder):
            return folder
    raise InstructorError(
        f"Could not find the course repository: run {command} inside the folder you cloned "
        "the course into, or give that folder to --course-root."
    )


def _read_log(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _kill_group(process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


# The nbgrader processes running now (started or forked), so that an interrupt can stop
# them all (`stop_all`).
_RUNNING: set = set()
_RUNNING_LOCK = threading.Lock()


def stop_all() -> None:
    """Kills the process group (nbgrader and its kernel) of every nbgrader command running."""
    with _RUNNING_LOCK:
        processes = list(_RUNNING)
    for process in processes:
        _kill_group(process)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _remove(path: Path) -> None:
    """Removes a file, link or folder (never what a link points to); nothing if absent."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def same_notebook(first: Path, second: Path) -> bool:
    """Whether two notebook files hold the same JSON."""
    return json.loads(first.read_text()) == json.loads(second.read_text())


def last_error_line(log: str) -> str:
    """The most telling line of an nbgrader log: its last error, else its last line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if "| ERROR]" in line or "Error" in line]
    return (errors or lines or ["no output"])[-1][:300]

"""`kfc-lab`: JupyterLab for the course, as a student or as the instructor.

nbgrader 0.9.6 installs one JupyterLab extension for everybody: Formgrader, Create
Assignment, the Course List and the Assignment List (an "Nbgrader" menu holds them),
and the Validate button of the notebook toolbar, with their server extensions. A
student needs only Validate; the Assignment List only when an nbgrader exchange is
set up (without one it shows "Error fetching courses!"); and Formgrader, started
anywhere but in the grading workspace, shows the course's folders with no students.
`kfc-lab` starts JupyterLab with the course's Jupyter configuration for each role:

    kfc-lab                            a student: course/ open, Validate only
    kfc-lab ~/kfc --exchange DIR       a student with an exchange: the Assignment List too
    kfc-lab --instructor               Formgrader on the class kfc-grade graded (grading/)
    kfc-lab --instructor --workspace W --db URL

The configuration lives in the repository's `jupyter/` folder, one folder per role,
put first on `JUPYTER_CONFIG_PATH`:

    jupyter/
        student/      Formgrader, Create Assignment, the Course List, the Assignment
                      List and the Nbgrader menu off (lab plugins in
                      labconfig/page_config.json, server extensions in
                      jupyter_server_config.json); Validate on
        exchange/     on top of student/ when there is an exchange: the Assignment
                      List and its menu back on; its nbgrader_config.py takes the
                      exchange root from NBGRADER_EXCHANGE
        instructor/   the Course List and the Assignment List off; Formgrader, Create
                      Assignment and Validate on

Both roles also switch off JupyterLab's news announcements, which would fetch from
the network: the course runs offline.

The instructor's JupyterLab runs in the grading workspace (`autograder.pipeline.workspace`),
whose `nbgrader_config.py`, written by `kfc-grade`, names the course root (the
workspace) and the gradebook, so Formgrader lists the graded chapters and students
and its manual grading and comments go to that gradebook. `--db URL` replaces the
gradebook URL recorded there (for a class graded with `kfc-grade --db URL`). A
workspace or gradebook that does not exist yet is not created: one sentence says to
run `kfc-grade` first.

Any other `--option=value` is passed to `jupyter lab` (e.g. `--port=8890`,
`--IdentityProvider.token=...`). Exit status: JupyterLab's, or 2 when the command was
called wrongly (one sentence says what to do).

Example:

    launch = plan(parser().parse_args(["--instructor"]), [])
    launch.command   # [python, "-m", "jupyterlab", "--ServerApp.root_dir=.../grading", ...]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from autograder.pipeline.workspace import InstructorError, check_database, find_course_root

STUDENT, INSTRUCTOR = "student", "instructor"

NBGRADER_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",
    "@jupyter/nbgrader:validate-assignment",
)
"""nbgrader 0.9.6's JupyterLab plugins (its labextension's plugin ids)."""

EXCHANGE_VARIABLE = "NBGRADER_EXCHANGE"
"""The environment variable that names the exchange root (the exchange's interface)."""

NBGRADER_DEFAULT_EXCHANGE = Path("/usr/local/share/nbgrader/exchange")
"""nbgrader's own `Exchange.root` when no config sets one."""

DB_URL_LINE = re.compile(r"^c\.CourseDirectory\.db_url = (?P<url>.+)$", re.M)


@dataclass
class Launch:
    """How to start JupyterLab for a role.

    Args:
        role: `STUDENT` or `INSTRUCTOR`.
        command: the `jupyter lab` command line.
        cwd: the folder JupyterLab starts in (also its root folder).
        environment: variables to set (`JUPYTER_CONFIG_PATH`, `NBGRADER_EXCHANGE`).
        notes: sentences printed before JupyterLab starts.
    """

    role: str
    command: list[str]
    cwd: Path
    environment: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="kfc-lab",
        description=(
            "Start JupyterLab for the Keras Functional Course: as a student (the default: "
            "course/ open, nbgrader's Validate button, none of the instructor's tools) or as "
            "the instructor (--instructor: Formgrader on the class kfc-grade graded)."
        ),
        epilog=(
            "examples:\n"
            "  kfc-lab                              a student: open course/\n"
            "  kfc-lab ~/kfc --exchange /srv/ex     a student fetching and submitting through\n"
            "                                       the exchange (Nbgrader > Assignment List)\n"
            "  kfc-lab --instructor                 Formgrader on grading/, kfc-grade's workspace\n"
            "  kfc-lab --instructor --workspace W --db postgresql://grader@db/course\n\n"
            "Other --option=value arguments go to `jupyter lab` (e.g. --port=8890)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    role = command.add_mutually_exclusive_group()
    role.add_argument("--student", dest="role", action="store_const", const=STUDENT,
                      help="student mode (the default)")
    role.add_argument("--instructor", dest="role", action="store_const", const=INSTRUCTOR,
                      help="Formgrader on the grading workspace kfc-grade wrote")
    command.set_defaults(role=STUDENT)
    command.add_argument("folder", nargs="?", type=Path,
                         help="student mode: the folder to open (default: course/ in the "
                              "course repository)")
    command.add_argument("--exchange", type=Path, metavar="DIR",
                         help="student mode: the nbgrader exchange your instructor gave you "
                              f"(default: ${EXCHANGE_VARIABLE}, or the one your "
                              "nbgrader_config.py sets); shows the Assignment List")
    command.add_argument("--workspace", type=Path, metavar="DIR",
                         help="instructor mode: the grading workspace (default: grading/ in "
                              "the course repository)")
    command.add_argument("--db", metavar="URL",
                         help="instructor mode: the gradebook's SQLAlchemy URL, as given to "
                              "kfc-grade --db (default: the one kfc-grade recorded in the "
                              "workspace)")
    command.add_argument("--port", type=int, help="port of the JupyterLab server")
    command.add_argument("--ip", help="address the JupyterLab server listens on")
    command.add_argument("--no-browser", action="store_true",
                         help="do not open a browser (the URL to open is printed)")
    command.add_argument("--course-root", type=Path,
                         help="the course repository (default: found from here or the package)")
    return command


def main(argv: list[str] | None = None) -> int:
    arguments, extra = parser().parse_known_args(argv)
    try:
        launch = plan(arguments, extra)
    except InstructorError as error:
        print(f"kfc-lab: {error}", file=sys.stderr)
        return 2
    for note in launch.notes:
        print(f"kfc-lab: {note}", file=sys.stderr)
    os.chdir(launch.cwd)
    environment = {**os.environ, **launch.environment}
    sys.stderr.flush()
    os.execve(launch.command[0], launch.command, environment)
    return 0  # not reached: JupyterLab replaces this process


def plan(arguments: argparse.Namespace, extra: list[str]) -> Launch:
    """How to start JupyterLab for the role and options given.

    Args:
        arguments: `parser()`'s options.
        extra: the other arguments, passed to `jupyter lab` (each `--option[=value]`).

    Returns:
        The `Launch`: command, folder and environment.

    Raises:
        InstructorError: for a wrong command (an option of the other role, a folder,
            workspace or gradebook that does not exist), saying what to do.
    """
    unknown = [argument for argument in extra if not argument.startswith("--")]
    if unknown:
        raise InstructorError(
            f"kfc-lab does not know what {unknown[0]!r} is: give one folder to open, and pass "
            "JupyterLab's own options as --option=value (see kfc-lab --help)."
        )
    course_root = course_repository(arguments.course_root)
    if arguments.role == INSTRUCTOR:
        if arguments.folder is not None or arguments.exchange is not None:
            raise InstructorError(
                "--instructor opens the grading workspace, not a folder or an exchange: leave "
                "them out (--workspace names another workspace)."
            )
        launch = instructor_launch(course_root, arguments.workspace, arguments.db)
    else:
        if arguments.workspace is not None or arguments.db is not None:
            raise InstructorError(
                "--workspace and --db are for the instructor's Formgrader: add --instructor, "
                "or leave them out to open the course as a student."
            )
        launch = student_launch(course_root, arguments.folder, arguments.exchange)
    options = [f"--port={arguments.port}"] * (arguments.port is not None)
    options += [f"--ip={arguments.ip}"] * (arguments.ip is not None)
    options += ["--no-browser"] * arguments.no_browser
    launch.command += [*options, *extra]
    return launch


def course_repository(given: Path | None) -> Path:
    """The course repository (it holds `jupyter/` and `nbgrader_config.py`).

    Raises:
        InstructorError: when none is found.
    """
    return find_course_root(given, command="kfc-lab", needs=("jupyter",))


def config_path(*roles: str, course_root: Path) -> str:
    """`JUPYTER_CONFIG_PATH` with the course's folders for `roles` first (first wins)."""
    folders = [str(course_root / "jupyter" / role) for role in roles]
    existing = os.environ.get("JUPYTER_CONFIG_PATH", "")
    return os.pathsep.join(folders + ([existing] if existing else []))


def jupyter_lab(root: Path) -> list[str]:
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]


def student_launch(course_root: Path, folder: Path | None, exchange: Path | None) -> Launch:
    """JupyterLab for a student: Validate and, with an exchange, the Assignment List.

    Args:
        course_root: the course repository.
        folder: the folder to open; None for `course/`.
        exchange: `--exchange`; None for `$NBGRADER_EXCHANGE` or a configured one.

    Raises:
        InstructorError: when the folder or the exchange does not exist.
    """
    folder = (folder or course_root / "course").expanduser().resolve()
    if not folder.is_dir():
        raise InstructorError(
            f"There is no folder {folder}: give the folder holding your course notebooks "
            "(or none, for course/ in the course repository)."
        )
    root = exchange_root(exchange)
    if root is None:
        return Launch(STUDENT, jupyter_lab(folder), folder,
                      {"JUPYTER_CONFIG_PATH": config_path(STUDENT, course_root=course_root)})
    if not Path(root).is_dir():
        raise InstructorError(
            f"The exchange folder {root} does not exist: check the path your instructor gave "
            f"you (--exchange or ${EXCHANGE_VARIABLE}), or leave both out to work without one."
        )
    notes = []
    if folder == (course_root / "course").resolve():
        notes.append("the Assignment List fetches each chapter into the folder JupyterLab "
                     "opens, where course/ already has it: give a folder of your own "
                     "(kfc-lab ~/kfc) to fetch into.")
    return Launch(STUDENT, jupyter_lab(folder), folder,
                  {"JUPYTER_CONFIG_PATH": config_path("exchange", STUDENT,
                                                      course_root=course_root),
                   EXCHANGE_VARIABLE: str(root)}, notes)


def exchange_root(given: Path | None) -> str | None:
    """The nbgrader exchange a student's JupyterLab would use, or None when there is none.

    In order: `--exchange`, `$NBGRADER_EXCHANGE`, `c.Exchange.root` of an
    `nbgrader_config.py` in a Jupyter config folder (`jupyter --paths`), and nbgrader's
    default exchange when that folder exists.
    """
    if given is not None:
        return str(given.expanduser().resolve())
    if os.environ.get(EXCHANGE_VARIABLE):
        return os.environ[EXCHANGE_VARIABLE]
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config.loader import PyFileConfigLoader

    for folder in jupyter_config_path():
        if not (Path(folder) / "nbgrader_config.py").is_file():
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                config = PyFileConfigLoader("nbgrader_config.py", path=folder).load_config()
        except Exception:  # a config nbgrader itself would reject: no exchange from it
            continue
        if "Exchange" in config and config.Exchange.get("root"):
            return str(config.Exchange.root)
    return str(NBGRADER_DEFAULT_EXCHANGE) if NBGRADER_DEFAULT_EXCHANGE.is_dir() else None


def instructor_launch(course_root: Path, workspace: Path | None, db_url: str | None) -> Launch:
    """JupyterLab in the grading workspace, for Formgrader on the gradebook kfc-grade wrote.

    Args:
        course_root: the course repository.
        workspace: `--workspace`; None for `grading/` in the repository.
        db_url: `--db`; None for the URL recorded in the workspace's config. A URL
            given is written into that config (the line kfc-grade writes).

    Raises:
        InstructorError: when the workspace or its gradebook does not exist (run
            kfc-grade first) or the database cannot be reached.
    """
    given = workspace is not None
    workspace = (workspace or course_root / "grading").expanduser().resolve()
    flag = f" --workspace {workspace}" if given else ""
    config = workspace / "nbgrader_config.py"
    if not config.is_file():
        raise InstructorError(
            f"There is no grading workspace in {workspace} yet: grade the class with kfc-grade "
            f"first (`kfc-grade submissions/{flag}`), then run `kfc-lab --instructor{flag}` "
            "again."
        )
    text = config.read_text()
    recorded = DB_URL_LINE.search(text)
    if db_url is None:
        if recorded is None:
            raise InstructorError(
                f"{config} names no gradebook: run kfc-grade on the class again (it rewrites "
                "that file), or give the gradebook's URL with --db."
            )
        db_url = _literal(recorded.group("url"))
    path = sqlite_path(db_url)
    if path is not None and not path.is_file():
        raise InstructorError(
            f"The gradebook {path} does not exist yet: grade the class with kfc-grade first "
            f"(`kfc-grade submissions/{flag}`), or give the URL the class was graded into "
            "with --db."
        )
    check_database(db_url)
    line = f"c.CourseDirectory.db_url = {db_url!r}"
    if recorded is None or recorded.group(0) != line:
        text = (DB_URL_LINE.sub(lambda _: line, text, count=1) if recorded
                else text + line + "\n")
        written = config.with_name(f".nbgrader_config.py.{os.getpid()}")
        written.write_text(text)
        os.replace(written, config)
    return Launch(INSTRUCTOR, jupyter_lab(workspace), workspace,
                  {"JUPYTER_CONFIG_PATH": config_path(INSTRUCTOR, course_root=course_root)},
                  [f"Formgrader (Nbgrader > Formgrader) shows the class in {workspace}, "
                   f"gradebook {db_url}."])


def sqlite_path(db_url: str) -> Path | None:
    """The file of an SQLite URL (plain or `file:` URI), or None for another database."""
    import sqlalchemy

    try:
        url = sqlalchemy.engine.make_url(db_url)
    except (sqlalchemy.exc.ArgumentError, ValueError):
        return None
    if not url.drivername.startswith("sqlite") or not url.database \
            or url.database == ":memory:":
        return None
    database = url.database
    if database.startswith("file:"):
        database = urllib.parse.unquote(urllib.parse.urlsplit(database).path)
    return Path(database)


def _literal(text: str) -> str:
    """The value of a Python string literal as kfc-grade writes it (`repr` of a str)."""
    import ast

    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, str):
        raise InstructorError(
            "The grading workspace's nbgrader_config.py has a gradebook URL kfc-lab cannot read: "
            "run kfc-grade on the class again (it rewrites that file), or give it with --db."
        )
    return value


if __name__ == "__main__":
    sys.exit(main())

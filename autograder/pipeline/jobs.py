"""Grading jobs: one submission graded anywhere, from data, and recorded by the coordinator.

`kfc-grade` used to run `nbgrader autograde` in its own workspace, one
submission at a time, each nbgrader process writing its grades into the
class's gradebook. To grade many submissions at once, on this machine or on
the workers of a Dask cluster, a submission is turned into a `GradingJob`:
everything nbgrader needs, as data (the submitted notebook, the chapter's
source files, a gradebook holding only the chapter's assignment, the course's
`nbgrader_config.py` and the limits). `run_job` grades it in a private,
throw-away workspace, with the same sandboxed kernel and trusted checks as
before, and returns a `JobResult`: the autograded notebook and each graded
cell's score, also as data. Only the coordinator (the `kfc-grade` process)
writes the class's gradebook (`record`), one result at a time, so SQLite is
never written by two processes at once ("database is locked" cannot happen)
and a worker needs the course installed but no shared filesystem.

Runners hand jobs out and yield results as they finish:

- `LocalRunner(jobs=N)`: N nbgrader processes at once on this machine;
- `DaskRunner(address)`: the workers of an existing Dask distributed cluster.
  A worker lost mid-grading makes the scheduler run its job again elsewhere;
  a job lost too often comes back as a failed result, never as a grade.

`ReuseIndex` remembers each recorded submission's `fingerprint` (its notebook,
the chapter's source, the grading configuration, the grader's own code, and the
submission's time and the chapter's due date, on which a late penalty depends), so
that a submission unchanged since it was last graded keeps its grade without
running again, and an interrupted run, started again, grades only what is left.

Example:

    template = template_gradebook(workspace.db_url, "00-welcome")
    job = make_job(workspace, "00-welcome", "ada", "welcome.ipynb", text, template)
    for result in LocalRunner(jobs=2).run([job]):
        if result.ok:
            record(workspace, result)
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import sqlalchemy
from nbgrader.api import Gradebook, MissingEntry

from autograder.pipeline import forkserver
from autograder.pipeline.execute import KERNEL_SLOTS_VARIABLE, make_kernel_slots
from autograder.pipeline.sandbox import (
    KERNEL_THREADS_VARIABLE,
    SandboxUnavailable,
    kernel_threads,
    sandbox_problem,
    thread_environment,
)
from autograder.pipeline.workspace import (
    InstructorError,
    Limits,
    Workspace,
    command_environment,
    last_error_line,
    stop_all,
)
from autograder.trusted.server import RecheckServers

# Memory a grading job needs beyond its kernel's limit: nbgrader and the trusted checks.
JOB_OVERHEAD_MB = 1024
# The kernel memory limit of the course's nbgrader_config.py (GuardedExecute.memory_limit_mb).
COURSE_MEMORY_LIMIT_MB = 4096
PACKAGES = ("autograder", "keras_functional_course")


@dataclass(frozen=True)
class GradingJob:
    """One submission to grade, with everything nbgrader needs to grade it, as data.

    Args:
        chapter: the chapter (nbgrader assignment) it was handed in for.
        student: the student's id.
        notebook_name: the chapter notebook's file name, e.g. `welcome.ipynb`.
        notebook: the submitted notebook's JSON text (after `notebooks.repair`).
        source: the chapter's files in `solutions/`, relative path -> bytes.
        gradebook: a SQLite gradebook file holding only the chapter's assignment
            (`template_gradebook`).
        course_config: the text of the course's `nbgrader_config.py`.
        limits: the kernel's and nbgrader's limits for this run.
        fingerprint: what the grade depends on (`fingerprint`).
        kernel_slots: the folder of slot files (`execute.make_kernel_slots`) that limits
            how many kernels of this run go at once on the machine that runs the job, with
            a recheck server per slot (`autograder.trusted.server`); None for the worker's
            own (a Dask worker makes one slot per thread, `_worker_slots`).
        timestamp: when the submission was handed in, in nbgrader's `timestamp.txt`
            format, or None; nbgrader's autograde compares it with the chapter's due date
            (in `gradebook`) and `AssignLatePenalties` sets the late penalty.
        kernel_threads: the threads the job's kernel and trusted checks may give
            TensorFlow (`sandbox.thread_environment`); None for TensorFlow's own choice.
            Not part of the fingerprint: it changes how fast a job runs, not its grade.
    """

    chapter: str
    student: str
    notebook_name: str
    notebook: str
    source: dict[str, bytes]
    gradebook: bytes
    course_config: str
    limits: Limits
    fingerprint: str
    kernel_slots: str | None = None
    timestamp: str | None = None
    kernel_threads: int | None = None

    @property
    def label(self) -> str:
        return f"{self.student} {self.chapter}"


@dataclass
class JobResult:
    """What grading one job gave, as data for the coordinator to record.

    Args:
        chapter, student, fingerprint: the job's.
        ok: whether nbgrader graded it (the notebook may still have failed cells).
        log: the end of nbgrader's log, or why the job could not run.
        autograded: the autograded notebooks, file name -> JSON text.
        grades: one dict per graded cell: `notebook`, `cell`, `auto_score`.
        comments: one dict per answer cell: `notebook`, `cell`, `auto_comment`.
        timestamp: the submission's time stamp in nbgrader's format, if it had one.
        late_penalties: notebook name -> nbgrader's late-submission penalty.
        seconds: how long grading took where it ran.
        where: the host and process that graded it.
    """

    chapter: str
    student: str
    fingerprint: str
    ok: bool
    log: str = ""
    autograded: dict[str, str] = field(default_factory=dict)
    grades: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    timestamp: str | None = None
    late_penalties: dict[str, float | None] = field(default_factory=dict)
    seconds: float = 0.0
    where: str = ""

    @property
    def label(self) -> str:
        return f"{self.student} {self.chapter}"


def _code_digest() -> str:
    """A digest of the grader's own Python code (the checks, the pipeline, the course library)."""
    digest = hashlib.sha256()
    for package in PACKAGES:
        # Found, not imported: importing the course library would start TensorFlow.
        root = Path(importlib.util.find_spec(package).origin).resolve().parent
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


_CODE_DIGEST: str | None = None


def fingerprint(notebook: str, source: dict[str, bytes], course_config: str,
                limits: Limits, timestamp: str | None = None,
                duedate: datetime | None = None) -> str:
    """What a grade depends on, as one hex digest.

    Concept: a submission keeps its grade across runs as long as none of these
    changed: the submitted notebook (after repair), the chapter's source files
    (solutions and hidden tests), the course's nbgrader config, the limits of
    this run, the code of the grader and the course library it imports, and
    when the submission was handed in and the chapter's due date (a late
    penalty depends on both).

    Args:
        notebook: the submitted notebook's JSON text.
        source: the chapter's source files, relative path -> bytes.
        course_config: the course's `nbgrader_config.py` text.
        limits: the run's limits.
        timestamp: the submission's time (nbgrader's `timestamp.txt` text), or None.
        duedate: the chapter's due date as the gradebook holds it, or None.

    Returns:
        A SHA-256 hex digest.
    """
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        _CODE_DIGEST = _code_digest()
    digest = hashlib.sha256()
    parts = [notebook.encode(), course_config.encode(), limits.config_lines().encode(),
             str(limits.notebook_timeout).encode(), _CODE_DIGEST.encode(),
             f"timestamp={timestamp}".encode(),
             f"duedate={duedate.isoformat() if duedate else None}".encode()]
    parts += [part for name in sorted(source) for part in (name.encode(), source[name])]
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def chapter_source(workspace: Workspace, chapter: str) -> dict[str, bytes]:
    """The chapter's files in the workspace's `source/` (a copy of `solutions/`)."""
    folder = workspace.root / "source" / chapter
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink()}


def template_gradebook(db_url: str, chapter: str) -> bytes:
    """A SQLite gradebook holding only a chapter's assignment, copied from the class's.

    A job's nbgrader needs the assignment's notebooks and cells (to put back
    deleted or edited test cells and to score), but none of the class's
    students or grades, which a worker must not see.

    Args:
        db_url: the class's gradebook, where `nbgrader generate_assignment` recorded
            the chapter.
        chapter: the assignment to copy.

    Returns:
        The bytes of the SQLite file.
    """
    with tempfile.TemporaryDirectory(prefix="kfc-template-") as folder:
        path = Path(folder) / "gradebook.db"
        with Gradebook(db_url) as source:
            assignment = source.find_assignment(chapter)
            _stamp_schema_version(source, path)
            with Gradebook(f"sqlite:///{path}", course_id=assignment.course_id) as target:
                target.update_or_create_assignment(chapter, duedate=assignment.duedate)
                for notebook in assignment.notebooks:
                    target.update_or_create_notebook(notebook.name, chapter)
                    for cell in notebook.grade_cells:
                        target.update_or_create_grade_cell(
                            cell.name, notebook.name, chapter, max_score=cell.max_score,
                            cell_type=cell.cell_type)
                    for cell in notebook.solution_cells:
                        target.update_or_create_solution_cell(cell.name, notebook.name, chapter)
                    for cell in notebook.task_cells:
                        target.update_or_create_task_cell(
                            cell.name, notebook.name, chapter, max_score=cell.max_score,
                            cell_type=cell.cell_type)
                    for cell in notebook.source_cells:
                        target.update_or_create_source_cell(
                            cell.name, notebook.name, chapter, source=cell.source,
                            cell_type=cell.cell_type, locked=cell.locked, checksum=cell.checksum)
        return path.read_bytes()


def _stamp_schema_version(source: Gradebook, path: Path) -> None:
    """Starts a new SQLite gradebook with the class gradebook's schema version.

    nbgrader's `Gradebook` runs `alembic heads` in a new process (over a second) to
    stamp a new database; a file that already holds the version skips that.
    """
    with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError):
        version = source.db.execute(sqlalchemy.text(
            "SELECT version_num FROM alembic_version")).scalar()
        if version:
            with contextlib.closing(sqlite3.connect(path)) as connection:
                connection.execute(
                    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
                connection.execute("INSERT INTO alembic_version VALUES (?)", (version,))
                connection.commit()


def make_job(workspace: Workspace, chapter: str, student: str, notebook_name: str,
             notebook: str, gradebook: bytes, timestamp: str | None = None,
             schedule=None) -> GradingJob:
    """A job for one submission of the workspace's class (see `GradingJob`).

    `timestamp` is when it was handed in (nbgrader's `timestamp.txt` text); `schedule`
    (a `schedule.Schedule`) adds its late-penalty rule to the course config and its
    due date for the chapter (which `gradebook` holds) to the fingerprint.
    """
    source = chapter_source(workspace, chapter)
    course_config = (workspace.course_root / "nbgrader_config.py").read_text()
    duedate = None
    if schedule is not None:
        course_config += schedule.config_lines()
        duedate = schedule.due(chapter)
    return GradingJob(chapter, student, notebook_name, notebook, source, gradebook,
                      course_config, workspace.limits,
                      fingerprint(notebook, source, course_config, workspace.limits,
                                  timestamp, duedate),
                      timestamp=timestamp)


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"source file name {name!r} must be a relative path inside the chapter")
    return path


def run_job(job: GradingJob) -> JobResult:
    """Grades one job with nbgrader in a private workspace; never raises.

    Concept: the job's files are written to a new temporary folder laid out as
    a course (`nbgrader_config.py`, `solutions/<chapter>/`) and a workspace
    (its gradebook is the job's template), `nbgrader autograde` runs there as
    `Workspace.autograde` runs it (sandboxed kernel, trusted checks, the job's
    limits), and the scores are read back from the private gradebook. The
    folder is removed afterwards. This runs in the coordinator's threads for
    `--jobs` and on a Dask worker for `--scheduler`.

    Args:
        job: the submission and everything needed to grade it.

    Returns:
        A JobResult; `ok` is False, with the reason in `log`, when nbgrader failed
        or the job could not be set up.
    """
    started = time.monotonic()
    where = f"{socket.gethostname()} pid {os.getpid()}"
    failed = JobResult(job.chapter, job.student, job.fingerprint, ok=False, where=where)
    root = Path(tempfile.mkdtemp(prefix="kfc-job-"))
    try:
        course = root / "course"
        chapter_folder = course / "solutions" / job.chapter
        chapter_folder.mkdir(parents=True)
        (course / "nbgrader_config.py").write_text(job.course_config)
        for name, data in job.source.items():
            target = chapter_folder / _safe_relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        workspace = Workspace(root / "workspace", course)
        workspace.prepare(job.limits)
        (workspace.root / "gradebook.db").write_bytes(job.gradebook)
        submitted = workspace.submitted_path(job.student, job.chapter, job.notebook_name)
        submitted.parent.mkdir(parents=True)
        submitted.write_text(job.notebook)
        if job.timestamp:
            (submitted.parent / "timestamp.txt").write_text(job.timestamp)
        environment = {KERNEL_SLOTS_VARIABLE: job.kernel_slots} if job.kernel_slots else {}
        if job.kernel_threads is not None:
            # The sandboxed processes take it from KFC_KERNEL_THREADS; a kernel run without
            # the sandbox inherits nbgrader's environment, so it gets the variables too.
            environment |= {KERNEL_THREADS_VARIABLE: str(job.kernel_threads),
                            **thread_environment(job.kernel_threads)}
        outcome = workspace.autograde(job.chapter, job.student, environment)
        failed.seconds = time.monotonic() - started
        if not outcome.ok:
            failed.log = outcome.log
            return failed
        result = JobResult(job.chapter, job.student, job.fingerprint, ok=True, log=outcome.log,
                           where=where)
        with Gradebook(workspace.db_url) as gradebook:
            submission = gradebook.find_submission(job.chapter, job.student)
            result.timestamp = submission.timestamp.isoformat() if submission.timestamp else None
            for notebook in submission.notebooks:
                result.late_penalties[notebook.name] = notebook.late_submission_penalty
                result.grades += [{"notebook": notebook.name, "cell": grade.name,
                                   "auto_score": grade.auto_score} for grade in notebook.grades]
                result.comments += [{"notebook": notebook.name, "cell": comment.name,
                                     "auto_comment": comment.auto_comment}
                                    for comment in notebook.comments]
        folder = workspace.root / "autograded" / job.student / job.chapter
        result.autograded = {path.name: path.read_text() for path in sorted(folder.glob("*.ipynb"))
                             if path.is_file() and not path.is_symlink()}
        result.seconds = time.monotonic() - started
        return result
    except Exception as error:  # a job never takes the batch down: it fails with a reason
        failed.log = f"the grading job could not run: {type(error).__name__}: {error}"
        failed.seconds = time.monotonic() - started
        return failed
    finally:
        shutil.rmtree(root, ignore_errors=True)


def recheck_servers(slots: Path, count: int, threads: int | None,
                    sandboxed: bool) -> RecheckServers | None:
    """One recheck server per kernel slot, when the kernels run `sandboxed`; else None.

    Without a sandbox here (`--no-sandbox`, or bubblewrap missing) each notebook's checks
    run in a fresh process, as `TrustedExecute` does without a server.
    """
    if not sandboxed or sandbox_problem() is not None:
        return None
    try:
        return RecheckServers(slots, count, threads)
    except (OSError, SandboxUnavailable):
        return None


_WORKER_LOCK = threading.Lock()
_WORKER_SLOTS: dict[str, str] = {}


def _worker_threads() -> int:
    with contextlib.suppress(Exception):
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    return 1


def _worker_slots(sandboxed: bool) -> str:
    """This worker process's kernel slots (one per worker thread), with their recheck servers.

    Started with the worker's first job, from a thread that lives as long as the
    process (a sandbox ends with the thread that started it), and ended with it.
    """
    with _WORKER_LOCK:
        if "folder" not in _WORKER_SLOTS:
            count = _worker_threads()
            folder = make_kernel_slots(Path(tempfile.mkdtemp(prefix="kfc-worker-slots-")), count)
            started = threading.Event()

            def keep_servers() -> None:
                servers = recheck_servers(folder, count, None, sandboxed)
                if servers is not None:
                    atexit.register(servers.close)
                atexit.register(shutil.rmtree, folder, ignore_errors=True)
                started.set()
                threading.Event().wait()  # the servers' parent thread, until the process ends

            threading.Thread(target=keep_servers, daemon=True, name="kfc-recheck-servers").start()
            started.wait()
            _WORKER_SLOTS["folder"] = str(folder)
        return _WORKER_SLOTS["folder"]


def run_job_on_worker(job: GradingJob) -> JobResult:
    """`run_job` on a Dask worker, its nbgrader forked from the worker's own fork server.

    The server (`forkserver.for_this_process`) starts with the worker's first job and
    ends with the worker, so each job pays no nbgrader start-up, as with `--jobs`; so do
    the worker's kernel slots and their recheck servers (`_worker_slots`).
    """
    forkserver.for_this_process(command_environment())
    if job.kernel_slots is None:
        job = dataclasses.replace(job, kernel_slots=_worker_slots(job.limits.sandbox))
    return run_job(job)


def warm_up_worker(sandboxed: bool) -> None:
    """Starts a worker's fork server and kernel slots (with their recheck servers) now.

    `DaskRunner.warm_up` runs it on every worker while `kfc-grade` releases the
    chapter, so the worker's first job finds nbgrader and Keras imported.
    """
    forkserver.for_this_process(command_environment()).start()
    _worker_slots(sandboxed)


async def _warm_up_worker_soon(sandboxed: bool) -> None:
    # Dask's `Client.run` runs only a coroutine function without waiting for it.
    warm_up_worker(sandboxed)


def record(workspace: Workspace, result: JobResult) -> None:
    """Writes a graded job into the class's gradebook and its autograded folder.

    The scores are written as nbgrader's `SaveAutoGrades` writes them: a cell
    with a manual score from an earlier review keeps it and is marked for
    review again; the submission's other records (its student, earlier manual
    grades and comments) are kept.

    Args:
        workspace: the class's workspace (its gradebook URL and `autograded/`).
        result: a result with `ok` True.
    """
    chapter, student = result.chapter, result.student
    # nbgrader's add_submission makes SQLAlchemy warn about its own autoflush; nothing is lost.
    with warnings.catch_warnings(), Gradebook(workspace.db_url) as gradebook:
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        try:
            gradebook.update_or_create_student(student)
            details = {"timestamp": datetime.fromisoformat(result.timestamp)} if (
                result.timestamp) else {}
            gradebook.update_or_create_submission(chapter, student, **details)
            for entry in result.grades:
                grade = gradebook.find_grade(entry["cell"], entry["notebook"], chapter, student)
                grade.auto_score = entry["auto_score"]
                grade.needs_manual_grade = (grade.manual_score is not None
                                            or grade.auto_score is None)
            for entry in result.comments:
                comment = gradebook.find_comment(entry["cell"], entry["notebook"], chapter,
                                                 student)
                comment.auto_comment = entry["auto_comment"]
            for name, penalty in result.late_penalties.items():
                gradebook.find_submission_notebook(name, chapter, student) \
                    .late_submission_penalty = penalty
            gradebook.db.commit()
        except (sqlalchemy.exc.SQLAlchemyError, MissingEntry):
            gradebook.db.rollback()
            raise
    folder = workspace.root / "autograded" / student / chapter
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, text in result.autograded.items():
        (folder / name).write_text(text)


class ReuseIndex:
    """The fingerprint each recorded submission was graded with, kept in the workspace.

    Written after every recorded result (so an interrupted run loses nothing it
    recorded) and read at the start of the next run.

    Args:
        path: the index file, `<workspace>/reuse.json`.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            loaded = json.loads(path.read_text())
            self.entries = {key: value for key, value in loaded.items()
                            if isinstance(key, str) and isinstance(value, str)}
        except (OSError, ValueError, AttributeError):
            self.entries = {}

    @staticmethod
    def key(student: str, chapter: str) -> str:
        return f"{student}/{chapter}"

    def matches(self, student: str, chapter: str, digest: str) -> bool:
        return self.entries.get(self.key(student, chapter)) == digest

    def remember(self, student: str, chapter: str, digest: str) -> None:
        self.entries[self.key(student, chapter)] = digest
        self._write()

    def forget(self, student: str, chapter: str) -> None:
        if self.entries.pop(self.key(student, chapter), None) is not None:
            self._write()

    def _write(self) -> None:
        written = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        written.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        os.replace(written, self.path)


def still_graded(workspace: Workspace, chapter: str, student: str, notebook_name: str) -> bool:
    """Whether the class's gradebook and `autograded/` still hold a submission's grade."""
    if not workspace.autograded_path(student, chapter, notebook_name).is_file():
        return False
    try:
        with Gradebook(workspace.db_url) as gradebook:
            gradebook.find_submission(chapter, student)
    except (MissingEntry, sqlalchemy.exc.SQLAlchemyError):
        return False
    return True


def available_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def default_jobs(memory_limit_mb: int | None) -> tuple[int, str]:
    """How many submissions this machine can grade at once, and why.

    One per core, as long as each can have its kernel's memory limit plus
    `JOB_OVERHEAD_MB` of the memory available now.

    Args:
        memory_limit_mb: the kernel memory limit of this run (None: the course's).

    Returns:
        (jobs, a sentence giving the cores and memory it was worked out from).
    """
    cores = available_cores()
    per_job = (memory_limit_mb or COURSE_MEMORY_LIMIT_MB) + JOB_OVERHEAD_MB
    available = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) // 1024
    jobs = max(1, min(cores, available // per_job)) if available else cores
    memory = (f"{available / 1024:.1f} GiB of memory available" if available
              else "memory unknown")
    return jobs, (f"{cores} core{'s' if cores != 1 else ''}, {memory}, up to "
                  f"{per_job / 1024:.0f} GiB per submission")


Started = Callable[[GradingJob], None]


class LocalRunner:
    """Grades jobs on this machine, `jobs` kernels at a time.

    When the machine has a core more than `jobs`, one nbgrader process more
    runs: it starts up, prepares the next submission and starts its kernel on
    the spare core while the kernels run, then waits for a kernel slot
    (`execute.kernel_slot`) before its first cell, so neither nbgrader's nor
    the kernel's start-up costs time between two submissions. With no spare
    core it would only slow the kernels down, so it does not run.

    Each kernel slot has a recheck server (`autograder.trusted.server`), which
    has loaded Keras once and forks the trusted checks of each notebook, so no
    submission pays the import of TensorFlow twice; a notebook's checks run
    after its kernel has left the slot. `warm_up` starts the servers before
    the run (`kfc-grade` calls it before the release).

    The cores are shared out: each kernel (and its trusted checks) gives
    TensorFlow `cores // jobs` threads (at least 1), so that the kernels do
    not wait on one another's threads; `KFC_KERNEL_THREADS` in the
    environment sets another count.

    Args:
        jobs: how many submissions' kernels run at once (1 or more).
        cores: the cores this process may use (default: those of `os.sched_getaffinity`).
    """

    # The runner knows when a job starts on this machine; a cluster's scheduler decides that.
    reports_starts = True

    def __init__(self, jobs: int = 1, cores: int | None = None):
        if jobs < 1:
            raise InstructorError(
                f"--jobs must be 1 or more, got {jobs}: give how many submissions to grade at "
                "once, or leave it out to use what the machine allows.")
        self.jobs = jobs
        self.cores = cores or available_cores()
        try:
            asked = kernel_threads()
        except ValueError as error:
            raise InstructorError(str(error)) from None
        self.kernel_threads = asked or max(1, self.cores // jobs)
        self.processes = jobs + 1 if self.cores > jobs else jobs
        self.slots: Path | None = None
        self.servers: RecheckServers | None = None

    def warm_up(self, sandboxed: bool) -> None:
        """Makes the kernel slots and starts their recheck servers, before `run`.

        `kfc-grade` calls it before it releases the chapter, so the servers load
        Keras on the core the release leaves idle; `run` warms up by itself otherwise.
        """
        if self.slots is None:
            self.slots = make_kernel_slots(
                Path(tempfile.mkdtemp(prefix="kfc-kernel-slots-")), self.jobs)
            self.servers = recheck_servers(self.slots, self.jobs, self.kernel_threads, sandboxed)

    def close(self) -> None:
        """Stops the recheck servers and removes the kernel slots (`run` does, when it ends)."""
        if self.servers is not None:
            self.servers.close()
            self.servers = None
        if self.slots is not None:
            shutil.rmtree(self.slots, ignore_errors=True)
            self.slots = None

    def run(self, jobs: Iterable[GradingJob], started: Started | None = None,
            finished: Started | None = None) -> Iterator[JobResult]:
        """Yields one result per job as each finishes; stops every job on an interrupt.

        `started` and `finished` are called with each job, from the thread grading it,
        when it starts and when it ends.
        """

        def grade(job: GradingJob) -> JobResult:
            if started is not None:
                started(job)
            try:
                return run_job(dataclasses.replace(job, kernel_slots=str(slots),
                                                   kernel_threads=self.kernel_threads))
            finally:
                if finished is not None:
                    finished(job)

        jobs = list(jobs)
        self.warm_up(any(job.limits.sandbox for job in jobs))
        slots = self.slots
        pool = ThreadPoolExecutor(max_workers=self.processes, thread_name_prefix="kfc-job")
        futures = [pool.submit(grade, job) for job in jobs]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            stop_all()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.close()


class DaskRunner:
    """Grades jobs on the workers of an existing Dask distributed cluster.

    The job goes to a worker as data and its result comes back as data, so the
    workers need the course installed (`pip install -e .` of this repository,
    bubblewrap for the sandbox) but no shared filesystem. A worker lost while
    grading makes the scheduler give its job to another worker (Dask's
    `distributed.scheduler.allowed-failures` times); a job lost more often than
    that comes back as a failed result with the reason.

    Args:
        address: the scheduler's address, e.g. `tcp://10.0.0.5:8786`.
        timeout: seconds to wait for the scheduler to answer.
    """

    reports_starts = False

    def __init__(self, address: str, timeout: float = 20):
        try:
            from distributed import Client
        except ModuleNotFoundError:
            raise InstructorError(
                "--scheduler needs the Python package 'distributed', which is not installed: "
                "install it (`pip install distributed`) or leave out --scheduler to grade on "
                "this machine.") from None
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise InstructorError(
                f"Could not reach the Dask scheduler at {address} ({error}): check the address "
                "given to --scheduler and that `dask scheduler` and its workers are running, or "
                "leave out --scheduler to grade on this machine.") from None
        self.address = address

    def describe(self) -> str:
        workers = self.client.scheduler_info().get("workers", {})
        threads = sum(worker.get("nthreads", 1) for worker in workers.values())
        return (f"on the Dask cluster at {self.address}: {len(workers)} workers, "
                f"{threads} submissions at a time")

    def warm_up(self, sandboxed: bool) -> None:
        """Starts each worker's fork server and recheck servers (`warm_up_worker`), not waiting.

        A worker that joins later, or one this misses, warms up with its first job.
        """
        with contextlib.suppress(Exception):  # only time is lost: the first job warms up
            self.client.run(_warm_up_worker_soon, sandboxed, wait=False)

    def run(self, jobs: Iterable[GradingJob], started: Started | None = None,
            finished: Started | None = None) -> Iterator[JobResult]:
        """Yields one result per job as each comes back from the cluster.

        `started` is called with each job as it is sent, `finished` as its result arrives.
        """
        from distributed import as_completed as completed

        jobs = list(jobs)
        futures = {}
        for job in jobs:
            key = f"kfc-grade-{job.student}-{job.chapter}-{job.fingerprint[:16]}"
            futures[self.client.submit(run_job_on_worker, job, key=key, pure=False)] = job
            if started is not None:
                started(job)
        try:
            for future in completed(list(futures), loop=self.client.loop):
                job = futures[future]
                if finished is not None:
                    finished(job)
                try:
                    yield future.result()
                except Exception as error:  # e.g. KilledWorker: the job was lost too often
                    yield JobResult(job.chapter, job.student, job.fingerprint, ok=False,
                                    log=f"the Dask cluster could not grade it: "
                                        f"{type(error).__name__}: {last_error_line(str(error))}")
        finally:
            for future in futures:
                future.release()

    def close(self) -> None:
        self.client.close()

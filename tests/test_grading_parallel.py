"""Grading a class in parallel gives the grades of grading it one at a time.

A small class of chapter 00 (a correct student, the untouched release, a notebook
whose exercise 3 raises) is graded by the installed `kfc-grade`:

- with `--jobs 1`, interrupted after its first grade and started again: the
  second run grades only what is left, and these rows are the reference;
- with `--jobs 2`, then again unchanged (every grade kept, nothing run);
- on a Dask `LocalCluster` of two worker processes, one of which is killed
  while it grades;
- with `--jobs 2` into a throw-away PostgreSQL server on a local socket.

Every run must give the reference's rows of grades.csv, in the same order.
"""

from __future__ import annotations

import contextlib
import csv
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest
from _notebooks import COURSE, REPOSITORY, SOLUTIONS, chapter_notebook
from nbgrader.api import Gradebook

from autograder.pipeline.demo import BROKEN, answered

KFC_GRADE = str(Path(sys.executable).with_name("kfc-grade"))
WELCOME = "00-welcome"


def kfc_grade(*arguments, timeout=900):
    return subprocess.run([KFC_GRADE, *map(str, arguments), "--chapter", "00"], cwd=REPOSITORY,
                          capture_output=True, text=True, timeout=timeout, check=False)


def rows(workspace: Path) -> list[dict]:
    with (workspace / "reports" / "grades.csv").open() as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def small_class(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    release = nbformat.read(chapter_notebook(WELCOME, COURSE), as_version=4)
    solution = nbformat.read(chapter_notebook(WELCOME, SOLUTIONS), as_version=4)
    nbformat.write(answered(release, solution), str(folder / "ada.ipynb"))
    nbformat.write(release, str(folder / "ben.ipynb"))
    nbformat.write(BROKEN["broken-exception"](answered(release, solution)),
                   str(folder / "dan.ipynb"))
    return folder


@pytest.fixture(scope="module")
def reference(small_class, tmp_path_factory):
    """`--jobs 1`, stopped by Ctrl-C after its first recorded grade, then run again."""
    workspace = tmp_path_factory.mktemp("one-at-a-time")
    command = [KFC_GRADE, str(small_class), "--chapter", "00", "--jobs", "1",
               "--workspace", str(workspace)]
    marker = f"kfc-interrupted-{os.getpid()}-{time.monotonic_ns()}"
    process = subprocess.Popen(command, cwd=REPOSITORY, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "KFC_TEST_RUN": marker})
    first_run = []
    for line in process.stderr:
        first_run.append(line)
        if line.startswith("    done: "):
            process.send_signal(signal.SIGINT)
            break
    first_run += process.stderr.readlines()
    assert process.wait(timeout=120) == 130, "".join(first_run)
    time.sleep(1)
    survivors = _processes_with(marker)
    again = kfc_grade(small_class, "--jobs", "1", "--workspace", workspace)
    assert again.returncode == 0, again.stderr[-3000:]
    return workspace, "".join(first_run), again.stderr, survivors


def _processes_with(marker: str) -> list[str]:
    """The command lines of the processes whose environment holds `marker`."""
    found = []
    for folder in Path("/proc").iterdir():
        if not folder.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if marker.encode() in (folder / "environ").read_bytes():
                found.append((folder / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return found


def test_the_reference_grades_are_right(reference):
    workspace = reference[0]
    found = {row["student"]: (row["score"], row["status"]) for row in rows(workspace)}
    assert found == {"ada": ("5", "graded"), "ben": ("0", "graded"), "dan": ("2", "errors")}


def test_an_interrupted_run_started_again_grades_only_what_is_left(reference):
    _, first_run, second_run, survivors = reference
    assert "kfc-grade: stopped. Run the same command again: it keeps the grades" in first_run
    assert "Kept 1 grade of submissions unchanged" in second_run
    assert "[2/2] grading" in second_run and "[3/3]" not in second_run
    assert survivors == [], "the interrupt stopped the running nbgrader and its kernel"


def test_two_jobs_grade_as_one_and_a_second_run_keeps_every_grade(small_class, reference,
                                                                  tmp_path):
    workspace = tmp_path / "two"
    first = kfc_grade(small_class, "--jobs", "2", "--workspace", workspace)
    assert first.returncode == 0, first.stderr[-3000:]
    assert rows(workspace) == rows(reference[0])
    assert "Grading 2 at a time (--jobs)." in first.stderr
    assert "(also running: " in first.stderr, "progress shows every running submission"
    assert "locked" not in first.stderr

    second = kfc_grade(small_class, "--jobs", "2", "--workspace", workspace)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Kept 3 grades of submissions unchanged" in second.stderr
    assert "] grading" not in second.stderr, "nothing ran again"
    assert rows(workspace) == rows(reference[0])


def _kill_a_busy_worker(client, done: threading.Event, killed: list) -> None:
    """Kills (SIGKILL) the first worker seen grading, a few seconds into its job."""
    while not done.is_set():
        busy = [address for address, keys in client.processing().items() if keys]
        if busy:
            time.sleep(4)
            pids = client.run(os.getpid, workers=busy[:1])
            for pid in pids.values():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            return
        time.sleep(0.2)


def _warmed_up(dask_worker) -> bool:
    from autograder.pipeline import forkserver, jobs

    return bool(jobs._WORKER_SLOTS) and forkserver.current() is not None


def test_a_dask_runner_warms_every_worker_up_before_its_first_job():
    """Each worker's fork server and kernel slots start before the release is done."""
    distributed = pytest.importorskip("distributed")
    from autograder.pipeline.jobs import DaskRunner

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, memory_limit=None) as cluster:
        runner = DaskRunner(cluster.scheduler_address)
        try:
            assert set(runner.client.run(_warmed_up).values()) == {False}
            runner.warm_up(sandboxed=False)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not all(
                    runner.client.run(_warmed_up).values()):
                time.sleep(0.2)
            assert all(runner.client.run(_warmed_up).values()), (
                "a worker had not started its fork server and kernel slots")
        finally:
            runner.close()


def test_a_dask_cluster_that_loses_a_worker_grades_as_one_job(small_class, reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, memory_limit=None) as cluster, \
            distributed.Client(cluster) as client:
        done, killed = threading.Event(), []
        killer = threading.Thread(target=_kill_a_busy_worker, args=(client, done, killed))
        killer.start()
        try:
            result = kfc_grade(small_class, "--scheduler", cluster.scheduler_address,
                               "--workspace", tmp_path / "cluster")
        finally:
            done.set()
            killer.join()
    assert result.returncode == 0, result.stderr[-3000:]
    assert killed, "a worker was killed while grading"
    assert "on the Dask cluster at tcp://" in result.stderr
    assert rows(tmp_path / "cluster") == rows(reference[0])
    assert "nbgrader failed" not in result.stderr, "the lost job was graded again elsewhere"


@contextlib.contextmanager
def postgres_server():
    """A throw-away PostgreSQL server on a Unix socket in a temporary folder; yields its URL.

    Uses Debian's server binaries (`apt-get install postgresql`, which `.ci/run`
    does); as root, the server runs as the `postgres` user, since it refuses root.
    """
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not binaries:
        pytest.fail("PostgreSQL's server is not installed: `apt-get install postgresql` "
                    "(.ci/run installs it)")
    bin_folder = binaries[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="kfc-postgres-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*command):
        subprocess.run([*as_user, *command], check=True, capture_output=True, text=True,
                       timeout=120)

    data = folder / "data"
    try:
        run(bin_folder / "initdb", "-D", data, "-A", "trust", "-U", "kfc", "--no-sync")
        run(bin_folder / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w",
            "-o", f"-k {folder} -c listen_addresses='' -c fsync=off", "start")
        try:
            run(bin_folder / "createdb", "-h", folder, "-U", "kfc", "gradebook")
            yield f"postgresql://kfc@/gradebook?host={folder}"
        finally:
            run(bin_folder / "pg_ctl", "-D", data, "-w", "-m", "fast", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_two_jobs_into_postgresql_grade_as_sqlite(small_class, reference, tmp_path):
    with postgres_server() as url:
        workspace = tmp_path / "postgres"
        result = kfc_grade(small_class, "--jobs", "2", "--db", url, "--workspace", workspace)
        assert result.returncode == 0, result.stderr[-3000:]
        assert rows(workspace) == rows(reference[0])
        assert not (workspace / "gradebook.db").exists(), "no SQLite file beside PostgreSQL"
        with Gradebook(url) as gradebook:
            stored = {submission.student.id: submission.score
                      for submission in gradebook.find_assignment(WELCOME).submissions}
    assert stored == {"ada": 5.0, "ben": 0.0, "dan": 2.0}

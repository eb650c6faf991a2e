"""`autograder.pipeline.jobs` without a kernel: fingerprints, reuse, the gradebook copy and merge,
the runners' bookkeeping and their sentences for an instructor's mistakes.

Grading real submissions with `--jobs`, a Dask cluster and PostgreSQL is tested in
tests/test_grading_parallel.py.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.pipeline import jobs
from autograder.pipeline.cli import make_runner, parser
from autograder.pipeline.execute import KERNEL_SLOTS_VARIABLE, kernel_slot, make_kernel_slots
from autograder.pipeline.jobs import (
    DaskRunner,
    GradingJob,
    JobResult,
    LocalRunner,
    ReuseIndex,
    default_jobs,
    fingerprint,
    record,
    run_job,
    template_gradebook,
)
from autograder.pipeline.sandbox import (
    KERNEL_THREADS_VARIABLE,
    sandbox_environment,
    thread_environment,
)
from autograder.pipeline.workspace import InstructorError, Limits, Workspace

CHAPTER = "00-welcome"


def _class_gradebook(path: Path) -> str:
    """A gradebook like the one `generate_assignment` and a graded class leave."""
    url = f"sqlite:///{path}"
    with Gradebook(url, course_id="keras-functional-course") as gradebook:
        gradebook.update_or_create_assignment(CHAPTER)
        gradebook.update_or_create_notebook("welcome", CHAPTER)
        gradebook.update_or_create_grade_cell("ex1_check", "welcome", CHAPTER, max_score=2,
                                              cell_type="code")
        gradebook.update_or_create_solution_cell("ex1_answer", "welcome", CHAPTER)
        gradebook.update_or_create_source_cell("ex1_check", "welcome", CHAPTER,
                                               source="assert answer == 1", cell_type="code",
                                               locked=True, checksum="abc")
        gradebook.update_or_create_source_cell("ex1_answer", "welcome", CHAPTER,
                                               source="answer = ...", cell_type="code")
        gradebook.update_or_create_student("someone-else")
        gradebook.add_submission(CHAPTER, "someone-else")
    return url


def _result(student="ada", score=2.0, comment=None) -> JobResult:
    return JobResult(CHAPTER, student, "f" * 64, ok=True,
                     autograded={"welcome.ipynb": '{"cells": []}'},
                     grades=[{"notebook": "welcome", "cell": "ex1_check", "auto_score": score}],
                     comments=[{"notebook": "welcome", "cell": "ex1_answer",
                                "auto_comment": comment}],
                     late_penalties={"welcome": None})


def test_the_fingerprint_follows_everything_a_grade_depends_on():
    source = {"welcome.ipynb": b"{}"}
    base = fingerprint("notebook", source, "config", Limits())
    assert fingerprint("notebook", dict(source), "config", Limits()) == base, "deterministic"
    changed = [
        fingerprint("notebook!", source, "config", Limits()),
        fingerprint("notebook", {"welcome.ipynb": b"{ }"}, "config", Limits()),
        fingerprint("notebook", {**source, "data.csv": b""}, "config", Limits()),
        fingerprint("notebook", source, "config!", Limits()),
        fingerprint("notebook", source, "config", Limits(cell_timeout=5)),
        fingerprint("notebook", source, "config", Limits(sandbox=False)),
        fingerprint("notebook", source, "config", Limits(notebook_timeout=60)),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_the_fingerprint_follows_the_graders_code(monkeypatch):
    base = fingerprint("notebook", {}, "config", Limits())
    monkeypatch.setattr(jobs, "_CODE_DIGEST", "another version of the checks")
    assert fingerprint("notebook", {}, "config", Limits()) != base


def test_the_reuse_index_survives_a_restart_and_a_damaged_file(tmp_path):
    path = tmp_path / "reuse.json"
    index = ReuseIndex(path)
    index.remember("ada", CHAPTER, "one")
    index.remember("ben", CHAPTER, "two")
    index.forget("ben", CHAPTER)
    again = ReuseIndex(path)
    assert again.matches("ada", CHAPTER, "one")
    assert not again.matches("ada", CHAPTER, "other")
    assert not again.matches("ben", CHAPTER, "two")
    path.write_text("{not json")
    assert ReuseIndex(path).entries == {}, "a damaged index reuses nothing"
    path.write_text('["a list"]')
    assert ReuseIndex(path).entries == {}


def test_the_template_holds_the_assignment_and_no_student(tmp_path):
    url = _class_gradebook(tmp_path / "class.db")
    copy = tmp_path / "template.db"
    copy.write_bytes(template_gradebook(url, CHAPTER))
    with Gradebook(f"sqlite:///{copy}") as gradebook:
        assignment = gradebook.find_assignment(CHAPTER)
        assert assignment.course_id == "keras-functional-course"
        [notebook] = assignment.notebooks
        assert [(cell.name, cell.max_score) for cell in notebook.grade_cells] == [
            ("ex1_check", 2.0)]
        assert [cell.name for cell in notebook.solution_cells] == ["ex1_answer"]
        locked = gradebook.find_source_cell("ex1_check", "welcome", CHAPTER)
        assert (locked.source, locked.locked, locked.checksum) == (
            "assert answer == 1", True, "abc")
        assert gradebook.students == [], "no other student's record goes to a worker"


def test_a_recorded_result_is_scored_as_nbgrader_scores_it(tmp_path):
    url = _class_gradebook(tmp_path / "class.db")
    workspace = Workspace(tmp_path / "ws", tmp_path, db_url=url)
    record(workspace, _result(score=2.0, comment="No response."))
    with Gradebook(url) as gradebook:
        assert gradebook.find_submission(CHAPTER, "ada").score == 2.0
        grade = gradebook.find_grade("ex1_check", "welcome", CHAPTER, "ada")
        assert grade.needs_manual_grade is False
        assert gradebook.find_comment("ex1_answer", "welcome", CHAPTER,
                                      "ada").auto_comment == "No response."
        grade.manual_score = 1.0
        gradebook.db.commit()
    assert (workspace.root / "autograded" / "ada" / CHAPTER / "welcome.ipynb").is_file()

    record(workspace, _result(score=0.0))
    with Gradebook(url) as gradebook:
        grade = gradebook.find_grade("ex1_check", "welcome", CHAPTER, "ada")
        assert (grade.auto_score, grade.manual_score, grade.needs_manual_grade) == (
            0.0, 1.0, True), "a reviewer's score is kept and flagged, as nbgrader does"
        assert len(gradebook.find_assignment(CHAPTER).submissions) == 2, "no duplicate"


def test_a_job_that_cannot_be_set_up_fails_with_a_reason_and_never_raises(tmp_path):
    job = GradingJob(CHAPTER, "ada", "welcome.ipynb", "{}", {"../outside": b""}, b"",
                     "c = get_config()\n", Limits(), "0" * 64)
    result = run_job(job)
    assert result.ok is False
    assert "must be a relative path inside the chapter" in result.log
    assert not (tmp_path.parent / "outside").exists()


def test_the_default_is_one_job_per_core_as_memory_allows():
    jobs_allowed, why = default_jobs(None)
    assert 1 <= jobs_allowed <= len(__import__("os").sched_getaffinity(0))
    assert "core" in why and "GiB per submission" in why
    assert default_jobs(10**9)[0] == 1, "a kernel limit larger than the memory: one at a time"


def test_local_runner_runs_n_at_once_and_yields_every_result(monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()

    def fake_run_job(job):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return JobResult(job.chapter, job.student, job.fingerprint, ok=True)

    monkeypatch.setattr(jobs, "run_job", fake_run_job)
    batch = [GradingJob(CHAPTER, f"s{number}", "welcome.ipynb", "{}", {}, b"", "", Limits(),
                        str(number)) for number in range(5)]
    started = []
    results = list(LocalRunner(2, cores=4).run(batch, started.append))
    assert sorted(result.student for result in results) == [f"s{n}" for n in range(5)]
    assert most[0] == 3 and len(started) == 5, "N kernels and one nbgrader starting up"
    most[0] = 0
    assert len(list(LocalRunner(2, cores=2).run(batch))) == 5
    assert most[0] == 2, "no spare core: no extra nbgrader"


def test_the_cores_are_shared_out_among_the_kernels(monkeypatch):
    """Each job's kernel gets cores // jobs TensorFlow threads; KFC_KERNEL_THREADS overrides."""
    seen = []
    monkeypatch.setattr(jobs, "run_job", lambda job: seen.append(job.kernel_threads) or JobResult(
        job.chapter, job.student, job.fingerprint, ok=True))
    batch = [GradingJob(CHAPTER, "ada", "welcome.ipynb", "{}", {}, b"", "", Limits(), "f")]
    monkeypatch.delenv(KERNEL_THREADS_VARIABLE, raising=False)
    for runner_jobs, cores, expected in [(1, 4, 4), (2, 4, 2), (2, 2, 1), (3, 2, 1)]:
        list(LocalRunner(runner_jobs, cores=cores).run(batch))
        assert seen.pop() == expected, f"--jobs {runner_jobs} on {cores} cores"
    monkeypatch.setenv(KERNEL_THREADS_VARIABLE, "3")
    list(LocalRunner(1, cores=2).run(batch))
    assert seen.pop() == 3, "the instructor's KFC_KERNEL_THREADS wins"


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_wrong_thread_count_gets_one_sentence(value, monkeypatch):
    monkeypatch.setenv(KERNEL_THREADS_VARIABLE, value)
    with pytest.raises(InstructorError, match=f"KFC_KERNEL_THREADS must be a whole number of "
                                              f"threads, 1 or more, got '{value}'"):
        LocalRunner(1)
    assert thread_environment() == {}, "a sandboxed process falls back to TensorFlow's choice"


def test_a_sandboxed_process_gets_the_thread_count(monkeypatch):
    monkeypatch.setenv(KERNEL_THREADS_VARIABLE, "2")
    environment = sandbox_environment()
    assert {environment[name] for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
                                           "OMP_NUM_THREADS")} == {"2"}
    monkeypatch.delenv(KERNEL_THREADS_VARIABLE)
    assert "TF_NUM_INTRAOP_THREADS" not in sandbox_environment(), "unset: TensorFlow's choice"


def _most_kernels_at_once(slots_folder, monkeypatch, attempts: int = 3) -> int:
    """Starts `attempts` threads that each hold a kernel slot briefly; the most inside at once."""
    monkeypatch.setenv(KERNEL_SLOTS_VARIABLE, str(slots_folder))
    inside, most = [0], [0]
    lock = threading.Lock()

    def kernel():
        with kernel_slot():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.1)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=kernel) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return most[0]


def test_a_kernel_slot_lets_one_kernel_run_at_a_time(tmp_path, monkeypatch):
    assert _most_kernels_at_once(make_kernel_slots(tmp_path / "slots", 1), monkeypatch) == 1
    assert _most_kernels_at_once(make_kernel_slots(tmp_path / "two", 2), monkeypatch) == 2


@pytest.mark.parametrize("argv, expected", [
    (["--demo", "--jobs", "0"], "--jobs must be 1 or more, got 0"),
    (["--demo", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"],
     "Give either --jobs (grade on this machine) or --scheduler"),
])
def test_an_impossible_runner_gets_one_sentence(argv, expected, tmp_path):
    workspace = Workspace(tmp_path, tmp_path)
    with pytest.raises(InstructorError, match=r"^" + expected.replace("(", r"\(").replace(
            ")", r"\)")):
        make_runner(parser().parse_args(argv), workspace)


def test_an_unreachable_scheduler_gets_one_sentence():
    with pytest.raises(InstructorError) as raised:
        DaskRunner("tcp://127.0.0.1:9", timeout=2)
    message = str(raised.value)
    assert message.startswith("Could not reach the Dask scheduler at tcp://127.0.0.1:9 (")
    assert "leave out --scheduler to grade on this machine" in message


def test_a_result_that_cannot_be_recorded_costs_its_submission_not_the_batch(tmp_path,
                                                                            monkeypatch):
    """A gradebook that refuses one result: that submission is not graded, with the reason,
    and the next one is recorded as usual."""
    from autograder.pipeline import cli
    from autograder.pipeline.collect import Submission

    class Runner:
        reports_starts = True

        def run(self, batch, started, finished):
            for job in batch:
                started(job)
                finished(job)
                yield JobResult(job.chapter, job.student, job.fingerprint, ok=True)

    recorded = []

    def record_or_refuse(workspace, result):
        if result.student == "ada":
            raise cli.MissingEntry("no such grade cell")
        recorded.append(result.student)

    monkeypatch.setattr(cli, "template_gradebook", lambda url, chapter: b"")
    monkeypatch.setattr(cli, "make_job", lambda workspace, chapter, student, name, text, _: (
        GradingJob(chapter, student, name, text, {}, b"", "", Limits(), student)))
    monkeypatch.setattr(cli, "record", record_or_refuse)
    notebook = __import__("nbformat").v4.new_notebook()
    submissions = [Submission(student, CHAPTER, notebook) for student in ("ada", "ben")]
    cli.run_gradable(parser().parse_args(["--demo"]), Workspace(tmp_path, tmp_path),
                     submissions, {CHAPTER: "welcome.ipynb"}, Runner(), "here")
    ada, ben = submissions
    assert ada.notebook is None and "its grades could not be recorded: MissingEntry" in str(
        ada.findings[-1])
    assert ben.notebook is notebook and recorded == ["ben"]
    assert ReuseIndex(tmp_path / "reuse.json").matches("ben", CHAPTER, "ben")
    assert not ReuseIndex(tmp_path / "reuse.json").matches("ada", CHAPTER, "ada")


@pytest.mark.parametrize("sandbox", [True, False])
def test_local_runner_gives_each_kernel_slot_a_recheck_server_when_sandboxed(sandbox,
                                                                            monkeypatch):
    """Sandboxed jobs find `recheck-K` beside each slot while they run; --no-sandbox none."""
    seen = []

    def fake_run_job(job):
        slots = Path(job.kernel_slots)
        seen.append(sorted(path.name for path in slots.iterdir() if path.is_dir()))
        return JobResult(job.chapter, job.student, job.fingerprint, ok=True)

    monkeypatch.setattr(jobs, "run_job", fake_run_job)
    started = []
    monkeypatch.setattr(jobs, "RecheckServers", lambda *arguments: started.append(arguments)
                        or RealServers(*arguments))
    batch = [GradingJob(CHAPTER, f"s{number}", "welcome.ipynb", "{}", {}, b"", "",
                        Limits(sandbox=sandbox), str(number)) for number in range(3)]
    assert len(list(LocalRunner(2, cores=2).run(batch))) == 3
    if sandbox:
        assert seen == [["recheck-0", "recheck-1"]] * 3, seen
        assert [arguments[1:] for arguments in started] == [(2, 1)], "2 slots, 1 thread each"
        processes = RealServers.last.processes
        assert len(processes) == 2 and all(process.poll() is not None for process in processes), (
            "a recheck server outlived the run")
    else:
        assert seen == [[]] * 3 and not started, "no sandbox: the checks run in fresh processes"


class RealServers:
    """`RecheckServers`, remembering its processes to check they were stopped."""

    last = None

    def __init__(self, *arguments):
        from autograder.trusted.server import RecheckServers

        self.servers = RecheckServers(*arguments)
        self.processes = list(self.servers.processes)
        RealServers.last = self

    def close(self):
        self.servers.close()


def test_a_warmed_up_local_runner_grades_with_the_servers_it_started_then_stops_them(
        monkeypatch):
    """`kfc-grade` warms the runner up before the release: the run starts no second set."""
    started, seen = [], []
    monkeypatch.setattr(jobs, "RecheckServers", lambda *arguments: started.append(arguments)
                        or RealServers(*arguments))
    monkeypatch.setattr(jobs, "run_job", lambda job: seen.append(job.kernel_slots) or JobResult(
        job.chapter, job.student, job.fingerprint, ok=True))
    runner = LocalRunner(2, cores=2)
    runner.warm_up(True)
    slots = runner.slots
    assert len(started) == 1 and (slots / "recheck-1").is_dir()
    batch = [GradingJob(CHAPTER, f"s{number}", "welcome.ipynb", "{}", {}, b"", "",
                        Limits(), str(number)) for number in range(2)]
    assert len(list(runner.run(batch))) == 2
    assert len(started) == 1, "the run started recheck servers again"
    assert seen == [str(slots)] * 2
    assert all(process.poll() is not None for process in RealServers.last.processes)
    assert not slots.exists(), "the kernel slots outlived the run"
    runner.close()  # again: nothing left to stop

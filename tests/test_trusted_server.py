"""The recheck server: the scores of a fresh checks process, and nothing kept between notebooks.

A server (`autograder.trusted.server`) loads Keras once and forks the trusted
checks of each notebook. The child never runs the student's code, but the
tests here give it test sources that behave as a child taken over by a
hostile snapshot would (leave a process running, plant files, read the
server's memory, kill the server, talk to the socket), and check that the
next notebook's checks see none of it. `TrustedExecute` with a server gives
the same outputs as with a fresh process, and falls back to one when the
server is missing or its child fails.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest
from _notebooks import SOLUTIONS

from autograder.pipeline.execute import KERNEL_SLOTS_VARIABLE, hold_one_of, make_kernel_slots
from autograder.trusted import server as recheck_server
from autograder.trusted.execute import TrustedExecute, is_test_cell
from autograder.trusted.snapshot import export

CHAPTER = SOLUTIONS / "00-welcome" / "welcome.ipynb"


@pytest.fixture
def server_folder():
    """A running server's folder (in a private folder, as `RecheckServers` makes it)."""
    slots = Path(tempfile.mkdtemp(prefix="kfc-test-slots-"))
    folder = slots / "recheck-0"
    process = recheck_server.start_server(folder, threads=1, log_path=slots / "server.log")
    yield folder
    recheck_server.stop_server(process)
    subprocess.run(["rm", "-rf", str(slots)], check=False)


def _job(folder: Path, sources: list[str]) -> tuple[Path, dict]:
    """A job folder in `folder` with one test per source, each on an empty snapshot."""
    job = Path(tempfile.mkdtemp(prefix="job-", dir=folder))
    (job / "in").mkdir()
    (job / "out").mkdir()
    tests = []
    for number, source in enumerate(sources):
        snapshot = job / "exports" / f"cell-{number}"
        export({}, snapshot)
        tests.append({"cell": number, "grade_id": f"test_{number}", "source": source,
                      "snapshot": str(snapshot)})
    (job / "in" / "tests.json").write_text(json.dumps(tests))
    request = {"tests": str(job / "in" / "tests.json"),
               "results": str(job / "out" / "results.json"), "log": str(job / "out" / "log"),
               "timeout": 60, "memory_limit_mb": 4096, "cpu_limit_seconds": 120}
    return job, request


def _check(folder: Path, *sources: str) -> list[dict]:
    """Asks the server to run `sources` as test cells; returns their results."""
    job, request = _job(folder, list(sources))
    answer = recheck_server.ask(folder, request)
    log = (job / "out" / "log").read_text() if (job / "out" / "log").exists() else ""
    assert answer == {"exit": 0}, f"the server answered {answer}; the child's log:\n{log}"
    return json.loads((job / "out" / "results.json").read_text())


def test_the_server_runs_test_sources_as_the_checks_process_does(server_folder):
    results = _check(server_folder, "x = 1", "assert False, 'Your model has 3 layers'",
                     "raise ValueError('bad')")
    assert [result["passed"] for result in results] == [True, False, False]
    assert (results[1]["ename"], results[1]["evalue"]) == ("AssertionError",
                                                           "Your model has 3 layers")
    assert results[2]["ename"] == "ValueError"


def test_a_process_a_check_leaves_running_is_gone_before_the_next_check(server_folder):
    _check(server_folder, "import subprocess\n"
                          "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
                          "import os\nif os.fork() == 0:\n    import time; time.sleep(300)")
    results = _check(server_folder, (
        "import os\n"
        "others = [pid for pid in os.listdir('/proc') if pid.isdigit()\n"
        "          and int(pid) not in (1, 2, os.getpid())]\n"
        "assert not others, [open(f'/proc/{pid}/cmdline').read() for pid in others]"))
    assert results[0]["passed"], results[0]


def test_files_a_check_writes_are_gone_before_the_next_check(server_folder):
    places = ["/tmp/planted.py", "/tmp/home/planted", "/dev/shm/planted",
              str(server_folder / "planted.py")]
    _check(server_folder, f"for place in {places!r}:\n    open(place, 'w').write('x')")
    results = _check(server_folder, (
        f"import os\nleft = [place for place in {places!r} if os.path.exists(place)]\n"
        "assert not left, left\nassert os.path.isdir('/tmp/home')"))
    assert results[0]["passed"], results[0]


def test_a_check_cannot_read_the_servers_memory(server_folder):
    results = _check(server_folder, (
        "try:\n    open('/proc/2/mem', 'rb').read(1)\nexcept PermissionError:\n    pass\n"
        "else:\n    raise AssertionError('the server is dumpable')"))
    assert results[0]["passed"], results[0]


def test_a_request_from_inside_the_sandbox_is_refused(server_folder):
    job, _ = _job(server_folder, [])
    forged = {"tests": str(job / "in" / "tests.json"), "results": str(job / "out" / "forged"),
              "log": str(job / "out" / "forged-log"), "timeout": 60}
    _check(server_folder, (
        "import json, socket\nconnection = socket.socket(socket.AF_UNIX)\n"
        f"connection.connect({str(server_folder / 'socket')!r})\n"
        f"connection.sendall((json.dumps({forged!r}) + '\\n').encode())"))
    results = _check(server_folder, "x = 1")
    assert results[0]["passed"]
    assert not (job / "out" / "forged").exists(), "the server ran a request from its sandbox"


def test_a_check_that_kills_the_server_leaves_the_next_notebook_to_a_fresh_process(
        server_folder):
    job, request = _job(server_folder, ["import os, signal\nos.kill(2, signal.SIGKILL)"])
    with pytest.raises(recheck_server.ServerUnavailable):
        recheck_server.ask(server_folder, request)
    _, request = _job(server_folder, ["x = 1"])
    with pytest.raises(recheck_server.ServerUnavailable):
        recheck_server.ask(server_folder, request, wait=1)


def test_the_server_refuses_to_run_outside_its_sandbox(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograder.trusted.server", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert "only in its sandbox" in result.stderr
    assert not (tmp_path / "socket").exists()


def test_a_request_for_paths_outside_a_job_folder_is_refused(server_folder):
    _, request = _job(server_folder, ["x = 1"])
    request["results"] = "/tmp/elsewhere/out/results.json"
    assert "error" in recheck_server.ask(server_folder, request)


# --- TrustedExecute with a server -----------------------------------------------------------


def _outcomes(notebook) -> dict[str, list]:
    return {cell.metadata.nbgrader.grade_id: [
        (output.ename, output.evalue) for output in cell.outputs if output.output_type == "error"]
        for cell in notebook.cells if is_test_cell(cell)}


def _graded(notebook, tmp_path, monkeypatch, slots: Path | None):
    if slots is not None:
        monkeypatch.setenv(KERNEL_SLOTS_VARIABLE, str(slots))
    executed, _ = TrustedExecute(timeout=60).preprocess(
        copy.deepcopy(notebook), {"metadata": {"path": str(tmp_path)}})
    return _outcomes(executed)


def _wrong_answer():
    notebook = nbformat.read(CHAPTER, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex1_input":
            cell.source = cell.source.replace("shape=(8,)", "shape=(7,)")
            break
    else:
        raise AssertionError("chapter 00 has no answer cell ex1_input")
    return notebook


def test_trusted_execute_scores_the_same_through_the_server(tmp_path, monkeypatch):
    """A wrong answer and the right ones: the same outputs as with a fresh checks process,
    and no fresh process was started."""
    notebook = _wrong_answer()
    fresh = _graded(notebook, tmp_path, monkeypatch, None)
    slots = make_kernel_slots(Path(tempfile.mkdtemp(prefix="kfc-test-slots-")), 1)
    servers = recheck_server.RecheckServers(slots, 1, threads=1)
    monkeypatch.setattr(TrustedExecute, "_start_checker", lambda self: pytest.fail(
        "TrustedExecute started a fresh checks process although the slot has a server"))
    try:
        served = _graded(notebook, tmp_path, monkeypatch, slots)
        assert served == fresh
        assert fresh["ex1_input_shape"], fresh
        assert "(None, 7)" in fresh["ex1_input_shape"][0][1], fresh["ex1_input_shape"]
        assert os.listdir(slots / "recheck-0") == ["socket"], "a job folder was left behind"
        assert not list(slots.glob("kfc-trusted-*")), "the job's folder was left behind"
    finally:
        servers.close()
        subprocess.run(["rm", "-rf", str(slots)], check=False)


def test_without_a_running_server_the_checks_run_in_a_fresh_process(tmp_path, monkeypatch):
    slots = make_kernel_slots(tmp_path / "slots", 1)
    (slots / "recheck-0").mkdir()  # as a server that never started leaves it
    monkeypatch.setattr(recheck_server, "START_WAIT_SECONDS", 0.5)
    outcomes = _graded(nbformat.read(CHAPTER, as_version=4), tmp_path, monkeypatch, slots)
    assert outcomes and not any(outcomes.values()), outcomes


class _FakeServer:
    """Answers every request on `folder/socket` with `answer`, as a failing server would."""

    def __init__(self, folder: Path, answer: dict):
        folder.mkdir(parents=True, exist_ok=True)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(folder / "socket"))
        self.listener.listen(1)
        self.answer = answer
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self.listener.accept()
                with connection:
                    connection.recv(65536)
                    connection.sendall((json.dumps(self.answer) + "\n").encode())


def _asked(tmp_path, answer: dict, results: str | None = None):
    """`TrustedExecute._ask_server` against a fake server answering `answer`."""
    folder = tmp_path / "recheck-0"
    fake = _FakeServer(folder, answer)
    job = folder / "job-1"
    (job / "in").mkdir(parents=True)
    (job / "out").mkdir()
    if results is not None:
        (job / "out" / "results.json").write_text(results)
    try:
        return TrustedExecute()._ask_server(folder, job / "in" / "tests.json",
                                            job / "out" / "results.json")
    finally:
        fake.listener.close()


@pytest.mark.parametrize("answer", [{"exit": -9}, {"exit": 1}, {"error": "bad request"}])
def test_a_failed_child_leaves_the_notebook_to_a_fresh_process(answer, tmp_path):
    assert _asked(tmp_path, answer) is None


def test_results_that_are_not_data_leave_the_notebook_to_a_fresh_process(tmp_path):
    assert _asked(tmp_path, {"exit": 0}, results="[{not json") is None


def test_a_served_timeout_scores_nothing_as_a_fresh_process_would(tmp_path):
    assert _asked(tmp_path, {"timeout": True}) == {}


def test_served_results_are_read(tmp_path):
    results = json.dumps([{"cell": 3, "grade_id": "a", "passed": True}])
    assert _asked(tmp_path, {"exit": 0}, results=results) == {
        3: {"cell": 3, "grade_id": "a", "passed": True}}



def test_the_checks_run_after_the_kernel_has_left_its_slot(tmp_path, monkeypatch):
    """The next notebook's kernel need not wait for this one's checks."""
    slots = make_kernel_slots(tmp_path / "slots", 1)
    slot_when_checking = []
    run_checks = TrustedExecute._run_checks

    def checks_noting_the_slot(self, pending):
        with open(slots / "slot-0", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                slot_when_checking.append("free")
            except OSError:
                slot_when_checking.append("held")
        return run_checks(self, pending)

    monkeypatch.setattr(TrustedExecute, "_run_checks", checks_noting_the_slot)
    outcomes = _graded(nbformat.read(CHAPTER, as_version=4), tmp_path, monkeypatch, slots)
    assert slot_when_checking == ["free"], "the kernel slot was still held during the checks"
    assert outcomes and not any(outcomes.values()), outcomes


def test_a_server_takes_one_job_at_a_time_and_the_job_comes_back(tmp_path):
    """While another notebook holds the only server, this job waits outside its folder;
    after the server's answer (here a failed child) the job is back where it was."""
    folder = tmp_path / "slots" / "recheck-0"
    fake = _FakeServer(folder, {"exit": 1})
    execute = TrustedExecute()
    execute._servers = [folder]
    execute._exchange = tmp_path / "slots" / "kfc-trusted-job"
    (execute._exchange / "in").mkdir(parents=True)
    (execute._exchange / "out").mkdir()
    answers = []
    try:
        with hold_one_of([recheck_server.server_lock(folder)]):
            thread = threading.Thread(target=lambda: answers.append(
                execute._check_on_a_server([])))
            thread.start()
            thread.join(0.5)
            assert thread.is_alive(), "the job did not wait for the server's lock"
            assert os.listdir(folder) == ["socket"], "the job went into a server in use"
        thread.join(30)
        assert answers == [None], "a failed child leaves the notebook to a fresh process"
        assert (execute._exchange / "in" / "tests.json").is_file(), "the job did not come back"
        assert os.listdir(folder) == ["socket"]
    finally:
        fake.listener.close()

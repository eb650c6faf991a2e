"""`autograder.pipeline.forkserver`: each forked command is a process of its own.

The server here preloads nothing (fast to start); the scripts stand in for nbgrader.
`Workspace.nbgrader` inside `serving()` runs real nbgrader commands in
tests/test_grading_workspace.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.pipeline import forkserver
from autograder.pipeline.forkserver import ForkServer, ServerLost

REPORT = """
import json, os, sys
print(json.dumps({"cwd": os.getcwd(), "marker": os.environ.get("KFC_TEST_MARKER"),
                  "argv": sys.argv[1:], "session_leader": os.getsid(0) == os.getpid(),
                  "stdin": sys.stdin.read()}))
print("to stderr", file=sys.stderr)
sys.exit(3)
"""


@pytest.fixture
def server():
    with ForkServer(dict(os.environ), preload=()) as running:
        yield running


def _script(tmp_path, name: str, source: str):
    path = tmp_path / name
    path.write_text(source)
    return path


def test_a_forked_command_has_its_own_folder_environment_session_and_log(server, tmp_path):
    script = _script(tmp_path, "report.py", REPORT)
    (tmp_path / "work").mkdir()
    log = tmp_path / "log"
    process = server.spawn([str(script), "a", "b"], cwd=tmp_path / "work",
                           environment={"KFC_TEST_MARKER": "ada", "PATH": os.environ["PATH"]},
                           log_path=log)
    assert process is not None and process.pid != os.getpid()
    assert process.wait(timeout=60) == 3, "its exit status comes back"
    first, second = log.read_text().splitlines()
    seen = json.loads(first)
    assert seen == {"cwd": str(tmp_path / "work"), "marker": "ada", "argv": ["a", "b"],
                    "session_leader": True, "stdin": ""}
    assert second == "to stderr", "standard error goes to the same log"


def test_a_command_killed_by_a_signal_costs_only_that_command(server, tmp_path):
    dies = _script(tmp_path, "dies.py", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    ends = _script(tmp_path, "ends.py", "print('fine')")
    process = server.spawn([str(dies)], cwd=tmp_path, environment={}, log_path=tmp_path / "a")
    assert process.wait(timeout=60) == -signal.SIGKILL
    process = server.spawn([str(ends)], cwd=tmp_path, environment={}, log_path=tmp_path / "b")
    assert process.wait(timeout=60) == 0 and (tmp_path / "b").read_text() == "fine\n"


def test_a_command_past_its_time_is_killed_with_its_group(server, tmp_path):
    sleeps = _script(tmp_path, "sleeps.py", "import subprocess, time\n"
                     "child = subprocess.Popen(['sleep', '300'])\n"
                     "open('child.pid', 'w').write(str(child.pid))\ntime.sleep(300)")
    process = server.spawn([str(sleeps)], cwd=tmp_path, environment=dict(os.environ),
                           log_path=tmp_path / "log")
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=1)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    time.sleep(0.2)
    child = (tmp_path / "child.pid").read_text()
    state = (Path("/proc") / child / "stat")
    assert not state.exists() or state.read_text().split(") ")[1][0] in "ZX", (
        "its child went with it")


def test_a_lost_server_is_reported_and_replaced(server, tmp_path):
    sleeps = _script(tmp_path, "sleeps.py", "import time\ntime.sleep(300)")
    process = server.spawn([str(sleeps)], cwd=tmp_path, environment={},
                           log_path=tmp_path / "log")
    server._process.kill()
    with pytest.raises(ServerLost, match="fork server ended"):
        process.wait(timeout=30)
    os.killpg(process.pid, signal.SIGKILL)
    ends = _script(tmp_path, "ends.py", "print('after')")
    again = server.spawn([str(ends)], cwd=tmp_path, environment={}, log_path=tmp_path / "b")
    assert again is not None and again.wait(timeout=60) == 0, "a new server took over"


def test_many_commands_at_once_from_threads(server, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    script = _script(tmp_path, "echo.py",
                     "import sys\nprint(sys.argv[1])\nsys.exit(int(sys.argv[1]))")

    def run(number: int) -> tuple[int, str]:
        log = tmp_path / f"log{number}"
        process = server.spawn([str(script), str(number)], cwd=tmp_path, environment={},
                               log_path=log)
        return process.wait(timeout=60), log.read_text()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(12)))
    assert results == [(number, f"{number}\n") for number in range(12)]


def test_serving_is_one_server_for_the_whole_run():
    assert forkserver.current() is None
    with forkserver.serving() as outer, forkserver.serving() as inner:
        assert outer is inner is forkserver.current()
    assert forkserver.current() is None


def test_the_server_refuses_nothing_it_cannot_parse(server, tmp_path):
    """A line that is not a request is skipped; the server goes on serving."""
    ends = _script(tmp_path, "ends.py", "print('ok')")
    server.spawn([str(ends)], cwd=tmp_path, environment={}, log_path=tmp_path / "a").wait(60)
    server._process.stdin.write(b"not json\n")
    server._process.stdin.flush()
    process = server.spawn([str(ends)], cwd=tmp_path, environment={}, log_path=tmp_path / "b")
    assert process.wait(timeout=60) == 0


def test_the_server_preloads_nbgrader_for_its_children(tmp_path):
    script = _script(tmp_path, "loaded.py",
                     "import sys\nprint('nbgrader.apps.nbgraderapp' in sys.modules)")
    with ForkServer(dict(os.environ)) as server:
        process = server.spawn([str(script)], cwd=tmp_path, environment={},
                               log_path=tmp_path / "log")
        assert process.wait(timeout=120) == 0
    assert (tmp_path / "log").read_text() == "True\n"
    assert sys.executable  # the server runs this Python

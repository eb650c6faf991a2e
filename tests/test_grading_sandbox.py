"""The grading kernel runs in a sandbox: what a student's code tries there fails, grading goes on.

Each test runs a small notebook (no TensorFlow) through `GuardedExecute`, as
nbgrader would, and checks both sides: the attack fails inside the kernel (the
error the instructor sees in the cell), and nothing changed outside it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from _notebooks import REPOSITORY
from nbformat.v4 import new_code_cell, new_notebook

import autograder
from autograder.pipeline import execute, sandbox
from autograder.pipeline.execute import (
    DATA_TRUNCATION_NOTE,
    EXPORT_RESOURCE,
    KERNEL_DIED_ERROR,
    GuardedExecute,
)
from autograder.pipeline.sandbox import (
    EXPORT_MOUNT,
    SANDBOX_UID,
    SandboxUnavailable,
    sandbox_problem,
    wrap,
)


def test_a_sandbox_can_be_made_here():
    """Every test below needs one: without bwrap they fail, none is skipped."""
    assert sandbox_problem() is None


def notebook_of(sources: list[str]):
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    return notebook


def run_with(executor: GuardedExecute, sources: list[str], folder: Path) -> list:
    """Runs the cells with `executor` (the notebook's folder is `folder`); returns the cells."""
    executed, _ = executor.preprocess(notebook_of(sources), {"metadata": {"path": str(folder)}})
    return executed.cells


def run(sources: list[str], tmp_path, **traits) -> list:
    return run_with(GuardedExecute(**{"timeout": 10, **traits}), sources, tmp_path)


def error_names(cell) -> list[str]:
    return [output.ename for output in cell.outputs if output.output_type == "error"]


def stdout(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs
                   if output.output_type == "stream")


def everything_shown(cells) -> str:
    """All the text of all outputs, as the feedback would show it."""
    return "\n".join(str(output) for cell in cells for output in cell.outputs)


SECRET = "the answer key: 42"


@pytest.mark.parametrize("target", ["secret", "solutions", "workspace"])
def test_files_outside_the_sandbox_cannot_be_read(target, tmp_path):
    (tmp_path / "gradebook.txt").write_text(SECRET)
    path = {
        "secret": tmp_path / "gradebook.txt",
        "solutions": REPOSITORY / "solutions" / "00-welcome" / "welcome.ipynb",
        "workspace": tmp_path,
    }[target]
    assert path.exists(), "the grader itself can read it"
    reader = "os.listdir" if path.is_dir() else "lambda p: open(p).read()"
    cells = run([f"import os\nprint(({reader})({str(path)!r}))", "print('next')"], tmp_path)
    assert error_names(cells[0]) == ["FileNotFoundError"], everything_shown(cells)
    assert SECRET not in everything_shown(cells)
    assert stdout(cells[1]) == "next\n"


def test_the_home_folder_shows_at_most_the_way_to_the_python_installation(tmp_path):
    home = Path.home()
    shown_on_the_way = {Path(folder).relative_to(home).parts[0]
                        for folder in sandbox.python_folders() if Path(folder).is_relative_to(home)}
    cells = run([f"import os\nprint(sorted(os.listdir({str(home)!r})))"], tmp_path)
    if not shown_on_the_way:
        assert error_names(cells[0]) == ["FileNotFoundError"]
    else:
        assert stdout(cells[0]) == f"{sorted(shown_on_the_way)}\n"
        assert set(os.listdir(home)) - shown_on_the_way, "the rest of the home folder is hidden"


def test_the_course_repository_shows_only_the_installed_packages(tmp_path):
    cells = run([f"import os\nprint(sorted(os.listdir({str(REPOSITORY)!r})))"], tmp_path)
    shown = stdout(cells[0])
    assert "solutions" not in shown and "course" not in shown and "grading" not in shown
    assert "autograder" in shown, "the test cells import the course's checks"


@pytest.mark.parametrize("path", [autograder.__file__, str(Path(sys.prefix) / "pyvenv.cfg"),
                                  "/etc/hostname"])
def test_the_python_environment_and_the_system_are_read_only(path, tmp_path):
    before = Path(path).stat()
    # Opening to append is what fails; nothing is written, should the sandbox fail.
    cells = run([f"open({path!r}, 'a').write('')", "print('next')"], tmp_path)
    assert error_names(cells[0]) == ["OSError"], everything_shown(cells)
    assert "Read-only file system" in cells[0].outputs[-1].evalue
    assert Path(path).stat().st_mtime == before.st_mtime
    assert stdout(cells[1]) == "next\n"


def test_the_kernel_runs_as_nobody_and_reads_no_private_system_file(tmp_path):
    cells = run(["import os\nprint(os.getuid(), os.getgid())",
                 "print(open('/etc/shadow').read())"], tmp_path)
    assert stdout(cells[0]) == f"{SANDBOX_UID} {SANDBOX_UID}\n"
    assert error_names(cells[1]) == ["PermissionError"], "covered: a kernel started by root "\
                                                         "would read it as its owner"
    assert "root:" not in everything_shown(cells)


def test_the_graders_environment_does_not_reach_the_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("KFC_DATABASE_URL", "postgresql://grader:hunter2@db/course")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("KFC_KERNEL_THREADS", "1")
    cells = run([
        "import os\nprint(sorted(os.environ))",
        "import glob\nfor path in glob.glob('/proc/*/environ'):\n"
        "    try:\n        print(open(path, 'rb').read())\n    except OSError:\n        pass",
    ], tmp_path)
    names = stdout(cells[0])
    assert "KFC_DATABASE_URL" not in names and "NBGRADER" not in names
    assert "HOME" in names and "PATH" in names
    assert "TF_NUM_INTRAOP_THREADS" in names, "the kernel's TensorFlow thread count reaches it"
    assert "hunter2" not in everything_shown(cells)
    assert "NBGRADER_EXECUTION" not in everything_shown(cells)


def test_the_kernel_has_no_network(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.5)
        port = server.getsockname()[1]
        cells = run([f"import socket\nsocket.create_connection(('127.0.0.1', {port}), 5)",
                     "print('next')"], tmp_path)
        assert error_names(cells[0]) == ["ConnectionRefusedError"], everything_shown(cells)
        with pytest.raises(TimeoutError):
            server.accept()
    assert stdout(cells[1]) == "next\n"


DETACHED_LOOP = (
    "import time\nwhile True:\n"
    "    with open('/kfc-export/beat', 'a') as f:\n        f.write('.')\n"
    "    time.sleep(0.1)"
)


@pytest.mark.parametrize("start", [
    # its own session, as a daemon would
    "import subprocess, sys\n"
    f"subprocess.Popen([sys.executable, '-c', {DETACHED_LOOP!r}], start_new_session=True)",
    # a double fork: the loop's parent is gone, it belongs to no one
    "import os, sys\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
    f"        os.execv(sys.executable, [sys.executable, '-c', {DETACHED_LOOP!r}])\n"
    "    os._exit(0)\nos.wait()",
])
def test_a_detached_process_dies_with_the_notebook(start, tmp_path):
    executor = GuardedExecute(timeout=10)
    cells = run_with(executor, [start, "import time\ntime.sleep(1)"], tmp_path)
    assert error_names(cells[0]) == []
    beat = executor.export_dir / "beat"
    assert beat.stat().st_size >= 3, "the process ran while the notebook did"
    size = beat.stat().st_size
    time.sleep(1)
    assert beat.stat().st_size == size, "the process is gone once the notebook is done"


def test_a_child_that_keeps_the_kernels_output_does_not_hold_up_the_grader(tmp_path):
    """Like `Workspace.nbgrader`: the grader's output pipe closes when the notebook is done."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_grading_sandbox import run
        run(["import subprocess\\nsubprocess.Popen(['sleep', '600'], start_new_session=True)"],
            {str(tmp_path)!r})
        print("graded")
    """)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.stdout.strip().endswith("graded"), result.stderr[-2000:]
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("attack", [
    "import os\nos.kill(os.getppid(), 9)",
    "import os\nos.kill(-1, 9)",
    "import os\nos.kill({grader}, 9)",  # the grader's own pid, known only when the test runs
])
def test_the_kernel_cannot_signal_the_grader(attack, tmp_path):
    cells = run(["x = 41", attack.format(grader=os.getpid()), "print(x + 1)"], tmp_path)
    assert error_names(cells[1]) in ([], ["ProcessLookupError"]), everything_shown(cells)
    assert stdout(cells[2]) == "42\n"


@pytest.mark.parametrize("folder", ["/tmp", ".", "~", "/dev/shm"])
def test_disk_writes_past_the_limit_fail_in_the_cell(folder, tmp_path):
    path = f"{folder}/kfc-sandbox-test-{uuid.uuid4().hex}"
    try:
        cells = run([
            f"import os\nwith open(os.path.expanduser({path!r}), 'wb') as file:\n"
            "    for _ in range(300):\n        file.write(bytes(2**20))\n        file.flush()",
            "print('next')",
        ], tmp_path, disk_limit_mb=256)
    finally:  # had the kernel written the grader's disk, the file would stay there
        for host_folder in (folder, tmp_path):
            Path(os.path.expanduser(path.replace(folder, str(host_folder), 1))).unlink(
                missing_ok=True)
    assert error_names(cells[0]) == ["OSError"], everything_shown(cells)
    assert "No space left on device" in cells[0].outputs[-1].evalue
    assert stdout(cells[1]) == "next\n"


def test_disk_writes_past_the_limit_in_the_export_folder_stop_the_kernel(tmp_path):
    executor = GuardedExecute(timeout=30, disk_limit_mb=64)
    cells = run_with(executor, [
        "x = 41",
        f"with open('{EXPORT_MOUNT}/big', 'wb') as file:\n"
        "    import time\n    for _ in range(1000):\n        file.write(bytes(2**20))\n"
        "        file.flush()\n        time.sleep(0.002)",
        "print(x + 1)",
    ], tmp_path)
    assert error_names(cells[1]) == [KERNEL_DIED_ERROR]
    assert "wrote more than the grader's limit of 64 MiB" in cells[1].outputs[-1].evalue
    assert stdout(cells[2]) == "42\n"
    assert not (executor.export_dir / "big").exists()


def test_an_enormous_image_is_cut_with_a_note(tmp_path):
    cells = run([
        "from IPython.display import display\ndisplay({'image/png': 'A' * 80_000_000}, raw=True)",
        "print('next')",
    ], tmp_path, timeout=60)
    assert not any("image/png" in output.get("data", {}) for output in cells[0].outputs)
    assert DATA_TRUNCATION_NOTE.format(limit=5 * 2**20) in stdout(cells[0])
    assert stdout(cells[1]) == "next\n"


def test_an_image_updated_through_its_display_id_is_capped_too(tmp_path):
    cells = run([
        "from IPython.display import display\n"
        "handle = display({'image/png': 'iVBORw0KGgo='}, raw=True, display_id=True)",
        "handle.update({'image/png': 'A' * 20_000_000}, raw=True)",
    ], tmp_path, timeout=60)
    [shown] = cells[0].outputs
    assert "image/png" not in shown.data
    assert "displayed more than" in shown.data["text/plain"]


def test_many_images_together_are_capped_per_cell(tmp_path):
    cells = run(["from IPython.display import display\nfor _ in range(20):\n"
                 "    display({'image/png': 'A' * 1_000_000}, raw=True)"], tmp_path,
                max_output_bytes=3_500_000)
    images = [output for output in cells[0].outputs if "image/png" in output.get("data", {})]
    assert len(images) == 3
    assert "displayed more than 3500000 bytes" in stdout(cells[0])


HONEST = [
    "import math\nx = 41",
    "print(x + 1)",
    "x * 2",
    "from IPython.display import display\n"
    "display({'image/png': 'iVBORw0KGgo=', 'text/plain': '<image>'}, raw=True)",
    "import sys\nprint('warning', file=sys.stderr)",
    "raise ValueError('not yet')",
    "print(math.pi)",
]


def test_an_honest_notebooks_outputs_are_the_same_in_the_sandbox(tmp_path):
    sandboxed = run(HONEST, tmp_path)
    plain = run(HONEST, tmp_path, sandbox=False)
    assert [cell.outputs for cell in sandboxed] == [cell.outputs for cell in plain]
    assert stdout(sandboxed[1]) == "42\n"
    assert sandboxed[3].outputs[0].data["image/png"] == "iVBORw0KGgo="


def test_the_export_folder_is_read_from_outside_and_survives_restarts(tmp_path):
    executor = GuardedExecute(timeout=10)
    resources = {"metadata": {"path": str(tmp_path)}}
    executed, resources = executor.preprocess(notebook_of([
        "import os\nprint(os.listdir('/kfc-export'))",
        "open('/kfc-export/answer.json', 'w').write('{\"units\": 64}')",
        "import os\nos._exit(1)",
        "print(open('/kfc-export/answer.json').read())",
    ]), resources)
    assert executor.kernel_export_dir == EXPORT_MOUNT
    assert resources[EXPORT_RESOURCE] == {"export_dir": str(executor.export_dir),
                                          "kernel_export_dir": EXPORT_MOUNT}
    assert stdout(executed.cells[0]) == "[]\n"
    assert error_names(executed.cells[2]) == [KERNEL_DIED_ERROR]
    assert stdout(executed.cells[3]) == '{"units": 64}\n', "the restarted kernel still has it"
    assert (executor.export_dir / "answer.json").read_text() == '{"units": 64}'

    cells = run_with(executor, ["import os\nprint(os.listdir('/kfc-export'))"], tmp_path)
    assert stdout(cells[0]) == "[]\n", "each notebook starts with an empty export folder"
    assert not (executor.export_dir / "answer.json").exists()


def test_ipython_startup_files_written_by_the_kernel_do_not_survive_a_restart(tmp_path):
    name = "00-kfc-sandbox-test.py"
    try:
        cells = run([
            "import os\nstartup = os.path.expanduser('~/.ipython/profile_default/startup')\n"
            "os.makedirs(startup, exist_ok=True)\n"
            f"open(os.path.join(startup, {name!r}), 'w')"
            ".write('import builtins\\nbuiltins.CHEATED = True')",
            "import os\nos._exit(1)",
            "import builtins\nprint(getattr(builtins, 'CHEATED', False))",
        ], tmp_path)
    finally:  # had the kernel written the real home folder, its file would run in every IPython
        (Path.home() / ".ipython" / "profile_default" / "startup" / name).unlink(missing_ok=True)
    assert error_names(cells[1]) == [KERNEL_DIED_ERROR]
    assert stdout(cells[2]) == "False\n", "the new kernel started with a fresh home folder"


def test_without_the_sandbox_the_kernel_runs_as_before(tmp_path):
    executor = GuardedExecute(timeout=10, sandbox=False)
    cells = run_with(executor, [
        "x = 41", "print(x + 1)",
        f"import os\nprint(os.path.isdir({str(REPOSITORY / 'solutions')!r}))",
        "import os\nprint(os.getcwd())",
    ], tmp_path)
    assert stdout(cells[1]) == "42\n"
    assert stdout(cells[2]) == "True\n", "unsandboxed, the kernel sees everything"
    assert stdout(cells[3]) == f"{tmp_path}\n", "and runs in the notebook's folder"
    assert executor.kernel_export_dir == str(executor.export_dir)


def test_guarded_execute_refuses_to_run_without_a_sandbox_it_cannot_make(tmp_path, monkeypatch):
    sentence = "Grading runs every notebook in a sandbox, and bwrap is missing: install it."
    monkeypatch.setattr(execute, "sandbox_problem", lambda: sentence)
    with pytest.raises(SandboxUnavailable, match="bwrap is missing"):
        run(["open('ran', 'w')"], tmp_path)
    assert not (tmp_path / "ran").exists(), "nothing ran unsandboxed"


def test_sandbox_problem_says_what_to_install_when_bwrap_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    problem = sandbox_problem()
    assert problem is not None
    assert "apt-get install bubblewrap" in problem and "--no-sandbox" in problem
    assert problem.endswith(".") and problem.count(". ") == 0, "one sentence"
    with pytest.raises(SandboxUnavailable):
        wrap(["true"])


def test_sandbox_problem_quotes_bubblewrap_when_it_cannot_make_a_sandbox(tmp_path, monkeypatch):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    problem = sandbox_problem()
    assert "(bwrap: setting up uid map: Permission denied)" in problem
    assert "unprivileged_userns_clone" in problem and "--no-sandbox" in problem


def test_wrap_runs_a_command_with_a_read_only_and_a_writable_folder(tmp_path):
    data, out = tmp_path / "data", tmp_path / "private" / "out"
    data.mkdir()
    out.mkdir(parents=True)
    (data / "answers.json").write_text("[1, 2]")
    (tmp_path / "gradebook.txt").write_text(SECRET)
    code = ("import json, os\nprint(json.load(open('/data/answers.json')), os.getcwd(),"
            f" os.path.exists({str(tmp_path / 'gradebook.txt')!r}))\n"
            f"open({str(out / 'result')!r}, 'w').write('ok')\n"
            "open('/data/poison', 'w')")
    result = subprocess.run(
        wrap([sys.executable, "-c", code], readable=[(data, "/data")], writable=[out],
             workdir="/tmp/check"),
        capture_output=True, text=True, timeout=60, check=False, env={"SECRET": SECRET},
    )
    assert result.stdout == "[1, 2] /tmp/check False\n", result.stderr
    assert "Read-only file system" in result.stderr
    assert (out / "result").read_text() == "ok"
    assert not (data / "poison").exists()


def test_sandbox_problem_is_none_here():
    assert sandbox.sandbox_problem() is None


def test_the_export_folder_is_read_as_data_only(tmp_path):
    (tmp_path / "gradebook.txt").write_text(SECRET)
    executor = GuardedExecute(timeout=10)
    cells = run_with(executor, [
        "import os\nos.chdir('/kfc-export')\nopen('answer.json', 'w').write('[64]')\n"
        f"os.symlink({str(tmp_path / 'gradebook.txt')!r}, 'link')\nos.mkfifo('pipe')\n"
        "open('big', 'wb').write(bytes(2000))",
    ], tmp_path)
    assert error_names(cells[0]) == []
    folder = executor.export_dir
    assert sandbox.read_exported(folder, "answer.json", 100) == b"[64]"
    with pytest.raises(OSError):
        sandbox.read_exported(folder, "link", 100)  # a link to a file of the grader's
    with pytest.raises(ValueError, match="not a regular file"):
        sandbox.read_exported(folder, "pipe", 100)  # would block whoever opens it
    with pytest.raises(ValueError, match="larger than 1000 bytes"):
        sandbox.read_exported(folder, "big", 1000)
    with pytest.raises(ValueError, match="not a plain file name"):
        sandbox.read_exported(folder, "../export/answer.json", 100)


def test_a_kernel_that_locks_its_folders_does_not_stop_the_grading(tmp_path):
    executor = GuardedExecute(timeout=10)
    lock = ("import glob, os\nos.makedirs('/kfc-export/a/b')\n"
            "for folder in ['/kfc-export/a/b', '/kfc-export/a', '/kfc-export',"
            " *glob.glob('/tmp/kfc-kernel-*/runtime')]:\n    os.chmod(folder, 0)")
    cells = run_with(executor, ["x = 41", lock, "import os\nos._exit(1)", "print(x + 1)"],
                     tmp_path)
    assert error_names(cells[1]) == []
    assert stdout(cells[3]) == "42\n", "the restarted kernel could use its folders"
    first = executor.export_dir
    cells = run_with(executor, ["print('next notebook')"], tmp_path)
    assert stdout(cells[0]) == "next notebook\n"
    assert not first.exists(), "the last notebook's export folder was removed"


def test_the_grader_does_not_follow_socket_files_the_kernel_replaced(tmp_path):
    """The kernel can point its socket files at any socket of the grader's machine."""
    trap = tmp_path / "trap.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(trap))
        server.listen()
        server.settimeout(0.2)
        cells = run([
            "x = 41",
            "import glob, os\nfor path in glob.glob('/tmp/kfc-kernel-*/runtime/kernel-*'):\n"
            "    os.remove(path)\n"
            f"    os.symlink({str(trap)!r}, path)\n"
            "os.kill(os.getpid(), 9)",
            "print(x + 1)",
        ], tmp_path)
        with pytest.raises(TimeoutError):
            server.accept()
    assert error_names(cells[1]) == [KERNEL_DIED_ERROR]
    assert stdout(cells[2]) == "42\n"


def test_folders_left_by_a_killed_grader_are_removed_by_the_next(tmp_path):
    """nbgrader killed at the notebook timeout cannot remove its kernels' folders itself."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    probe = sandbox.private_folder("export")
    probe.rmdir()
    left = probe.with_name(f"kfc-export-{gone}-left")
    alive = left.with_name("kfc-export-1-alive")
    for folder in (left, alive):
        (folder / "export-x").mkdir(parents=True)
        (folder / "export-x" / "big").write_bytes(bytes(1000))
    try:
        cells = run(["print('graded')"], tmp_path)
        assert stdout(cells[0]) == "graded\n"
        assert not left.exists(), "the folder of a process that is gone was removed"
        assert alive.exists(), "the folder of a running process is left alone"
    finally:
        sandbox.remove_tree(left)
        sandbox.remove_tree(alive)


def test_the_python_environment_is_bound_after_the_private_tmp(monkeypatch):
    """A course cloned under /tmp (as CI may do) must not have its venv hidden by the tmpfs."""
    monkeypatch.setattr("autograder.pipeline.sandbox.python_folders",
                        lambda: ["/tmp/clone/.venv", "/tmp/clone/autograder"])
    command = wrap(["/bin/true"])
    private_tmp = command.index("/tmp", command.index("--tmpfs") + 1)
    for folder in ("/tmp/clone/.venv", "/tmp/clone/autograder"):
        bound = command.index(folder)
        assert command[bound - 1] == "--ro-bind" and bound > private_tmp, command

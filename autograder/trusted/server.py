"""A sandboxed process that has loaded Keras once and forks the trusted checks of each notebook.

`TrustedExecute` scores a notebook's test cells in a new Python process
(`autograder.trusted.recheck`), and that process spent about 7 s of CPU
importing TensorFlow, Keras and the checks before it checked anything: on a
2-core machine grading two submissions at once, as much CPU as a kernel
needs to run a short chapter. A recheck server pays the import once per
kernel slot of a grading run, and forks a child for each notebook's checks.

Concept: the server runs in the same sandbox as a fresh recheck process
(`sandbox.wrap`: no network, the system read-only, a private `/tmp`), bound
to one folder of its own, the *server folder*, where it listens on the Unix
socket `socket`. A run has one server per kernel slot, `recheck-K` next to
the slot files (`execute.make_kernel_slots`). `TrustedExecute`'s kernel writes
its snapshots into a job folder beside them; once the kernel has ended and
left its slot (so the next notebook's kernel runs meanwhile), `TrustedExecute`
takes a free server's lock (`server_lock`), moves the job folder into that
server's folder and asks the server, over the socket, to check it. For each
request the server forks a child, which starts with everything imported and
nothing else run: the child runs `recheck.recheck` on the job's snapshots, as
a fresh process would, and writes its results into the job folder. Only one
request is served at a time: the lock keeps to one notebook per server.

The child never runs the student's code (it rebuilds data into Keras
objects), but it reads what the student's kernel wrote, so the server treats
it as hostile all the same. After each child ends, and before the server
answers, the server:

- kills every other process in its sandbox (the sandbox has a process
  namespace of its own, where the server is process 2 under bubblewrap's 1:
  whatever the child left running cannot see the next notebook);
- empties the sandbox's private `/tmp` (but the folders bound into it) and
  `/dev/shm`, and its server folder but the socket and the job's folder,
  so nothing a child wrote is read by the next one;
- refuses connections from inside the sandbox (a peer whose process id
  the socket reports as not 0 is in the sandbox's process namespace), and
  stops serving if its socket file was replaced.

The server makes itself not dumpable (`PR_SET_DUMPABLE`), so no child can
read or trace its memory. Whatever goes wrong with a server (not started,
crashed, killed by a child), `TrustedExecute` runs the checks in a fresh
process, as before: a server only saves time, it never decides a score.

Run as `python -m autograder.trusted.server FOLDER` in the sandbox
(`start_server` builds the command); the request is one JSON line,
`{"tests": path, "results": path, "log": path, "timeout": seconds,
"memory_limit_mb": n, "cpu_limit_seconds": n}` with every path in a job
folder, and the answer one JSON line, `{"exit": status}` or
`{"timeout": true}`.

Example:

    servers = RecheckServers(slots_folder, count=2, threads=1)
    ...  # nbgrader processes grade with KFC_KERNEL_SLOTS=slots_folder
    servers.close()
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from autograder.pipeline.forkserver import _status

SOCKET_NAME = "socket"
# How long a client waits for a starting server's socket before it checks in a fresh process.
START_WAIT_SECONDS = 90
MAX_REQUEST_BYTES = 64 * 1024
PR_SET_DUMPABLE = 4


def server_lock(folder: Path) -> Path:
    """The lock file of the server folder `folder` (`recheck-K` -> `recheck-K.lock`).

    `TrustedExecute` holds it (`execute.hold_one_of`) while its job is in the folder.
    """
    return folder.with_name(folder.name + ".lock")


# --- the client side: the coordinator starts servers, TrustedExecute asks them ------------


def start_server(folder: Path, threads: int | None = None,
                 log_path: Path | None = None) -> subprocess.Popen:
    """Starts a sandboxed recheck server for `folder` (created, mode 0700).

    Args:
        folder: the server folder; bound writable into the server's sandbox.
        threads: TensorFlow threads of the checks (`sandbox.thread_environment`).
        log_path: where the server's own messages go (default: nowhere).

    Returns:
        The sandbox's process; `stop_server` ends it.

    Raises:
        SandboxUnavailable: when no sandbox can be made here.
    """
    from autograder.pipeline.sandbox import thread_environment, wrap

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    command = wrap([sys.executable, "-m", "autograder.trusted.server", str(folder)],
                   writable=[str(folder)],
                   environment={"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "",
                                **thread_environment(threads)})
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True)
    finally:
        if log_path:
            log.close()


def stop_server(process: subprocess.Popen) -> None:
    """Ends a server started by `start_server` (its whole sandbox goes with it)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class RecheckServers:
    """One recheck server per kernel slot of a grading run (`execute.make_kernel_slots`).

    Args:
        slots: the run's kernel-slot folder; server K gets `slots/recheck-K`.
        count: how many slots (and servers).
        threads: TensorFlow threads of the checks, as the kernels get.
    """

    def __init__(self, slots: Path, count: int, threads: int | None = None):
        self.processes: list[subprocess.Popen] = []
        for number in range(count):
            self.processes.append(start_server(slots / f"recheck-{number}", threads,
                                               slots / f"recheck-{number}.log"))

    def close(self) -> None:
        for process in self.processes:
            stop_server(process)
        self.processes = []


class ServerUnavailable(RuntimeError):
    """The server could not check the notebook (not running, crashed): check in a fresh process."""


def ask(folder: Path, request: dict, wait: float | None = None) -> dict:
    """Sends one request to the server of `folder`; returns its answer.

    Waits up to `wait` seconds (default `START_WAIT_SECONDS`) for a server that
    is still starting (its socket not there yet), then for as long as the
    checks take (the request's `timeout`, which the server enforces, plus a
    margin).

    Raises:
        ServerUnavailable: no server answered, or it ended before it answered.
    """
    path = folder / SOCKET_NAME
    deadline = time.monotonic() + (START_WAIT_SECONDS if wait is None else wait)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        while True:
            try:
                connection.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError) as error:
                if time.monotonic() > deadline or not folder.is_dir():
                    raise ServerUnavailable(f"no recheck server at {path}: {error}") from None
                time.sleep(0.1)
            except OSError as error:
                raise ServerUnavailable(f"no recheck server at {path}: {error}") from None
        connection.settimeout(float(request.get("timeout", 600)) + 60)
        connection.sendall((json.dumps(request) + "\n").encode())
        return _read_line(connection, "the recheck server's answer")
    except (OSError, ValueError) as error:
        raise ServerUnavailable(f"the recheck server did not answer: {error}") from None
    finally:
        connection.close()


def _read_line(connection: socket.socket, what: str) -> dict:
    """One JSON line from `connection` (a request or an answer, at most MAX_REQUEST_BYTES).

    Raises:
        ValueError: the other side closed before the line ended, it is too long, or not JSON.
    """
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(4096)
        if not chunk:
            raise ValueError(f"the connection closed before {what} ended")
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            raise ValueError(f"{what} is too long")
    return json.loads(data)


# --- the server process --------------------------------------------------------------------


def _in_own_namespace() -> bool:
    """Whether this process is process 2 under an init of 1: a process namespace of its own."""
    return os.getpid() == 2 and os.getppid() == 1


def _not_dumpable() -> None:
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _other_processes() -> list[int]:
    """The live processes of the namespace but init and this one (zombies left out)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, os.getpid()):
            continue
        try:
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            pids.append(int(entry))
    return pids


def kill_others() -> None:
    """Kills every process in the sandbox but init and the server, until none is left."""
    for _ in range(200):
        pids = _other_processes()
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        time.sleep(0.01)
    raise RuntimeError("processes of a recheck child could not be stopped")


def _empty(folder: str, keep: set[str]) -> None:
    """Removes what is in `folder` but `keep` (paths) and anything holding a path of `keep`."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if os.path.ismount(entry.path):
                continue  # a folder bound into the sandbox (the Python environment, say)
            if any(kept == entry.path or kept.startswith(entry.path + "/") for kept in keep):
                if entry.path not in keep and entry.is_dir(follow_symlinks=False):
                    _empty(entry.path, keep)
                continue
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)


def clean(folder: Path, job: Path | None, keep: set[str]) -> None:
    """After a child: no process but the server, nothing written outside what stays."""
    from autograder.pipeline.sandbox import SANDBOX_HOME

    kill_others()
    _empty("/tmp", keep)
    _empty("/dev/shm", set())
    _empty(str(folder), {str(folder / SOCKET_NAME), *([str(job)] if job else [])})
    with contextlib.suppress(OSError):
        os.makedirs(SANDBOX_HOME, exist_ok=True)


def _job_paths(folder: Path, request: dict) -> tuple[Path, dict[str, str]]:
    """The request's paths, each checked to be in one job folder directly in `folder`."""
    paths = {name: str(request[name]) for name in ("tests", "results", "log")}
    jobs = set()
    for name, value in paths.items():
        path = Path(os.path.normpath(value))
        if not path.is_absolute() or path.parent.parent.parent != folder:
            raise ValueError(f"{name} path {value!r} is not in a job folder of {folder}")
        jobs.add(path.parent.parent)
    if len(jobs) != 1:
        raise ValueError("the request's paths are in different job folders")
    return jobs.pop(), paths


def _child(request: dict, paths: dict[str, str], descriptors: list[int]) -> None:
    """In the forked child: runs the checks of one notebook; never returns."""
    code = 1
    try:
        for descriptor in descriptors:
            with contextlib.suppress(OSError):
                os.close(descriptor)
        for number in (signal.SIGTERM, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        log = os.open(paths["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        memory = int(request.get("memory_limit_mb") or 0) * 2**20
        if memory > 0:
            resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
        cpu = int(request.get("cpu_limit_seconds") or 0)
        if cpu > 0:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        from autograder.trusted.recheck import recheck

        tests = json.loads(Path(paths["tests"]).read_text(encoding="utf-8"))
        results = recheck(tests)
        Path(paths["results"]).write_text(json.dumps(results), encoding="utf-8")
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _wait(pid: int, connection: socket.socket, timeout: float) -> dict:
    """Waits for the child: its exit status, a timeout, or the client gone (child killed)."""
    deadline = time.monotonic() + timeout
    child = os.pidfd_open(pid)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"timeout": True}
            ready, _, _ = select.select([child, connection], [], [], left)
            if child in ready:
                return {"exit": _status(os.waitpid(pid, 0)[1])}
            if connection in ready and not connection.recv(1, socket.MSG_PEEK):
                os.kill(pid, signal.SIGKILL)  # the client is gone: nobody wants the results
                os.waitpid(pid, 0)
                return {"gone": True}
    finally:
        os.close(child)


def _peer_pid(connection: socket.socket) -> int:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                        struct.calcsize("3i"))
    return struct.unpack("3i", credentials)[0]


def _read_request(connection: socket.socket) -> dict:
    connection.settimeout(30)
    request = _read_line(connection, "the request")
    connection.settimeout(None)
    return request


def serve(folder: Path) -> int:
    """The server's loop: loads Keras and the checks, then forks one child per request."""
    if not _in_own_namespace():
        print("the recheck server runs only in its sandbox (a process namespace of its own)",
              file=sys.stderr)
        return 2
    from autograder.pipeline.sandbox import python_folders

    start_folder = os.getcwd()
    os.chdir("/")
    sys.path[:] = [entry for entry in sys.path if entry not in ("", start_folder)]
    _not_dumpable()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras  # noqa: F401 - what every child would import

    import autograder.checks  # noqa: F401
    import autograder.trusted.rebuild  # noqa: F401
    import autograder.trusted.recheck  # noqa: F401

    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    keep = {str(folder), *python_folders()}
    path = folder / SOCKET_NAME
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)
    identity = (path.lstat().st_dev, path.lstat().st_ino)
    while True:
        connection, _ = listener.accept()
        with connection:
            if _peer_pid(connection) != 0:
                continue  # from a process in the sandbox: not the grader
            job = None
            try:
                request = _read_request(connection)
                job, paths = _job_paths(folder, request)
            except (OSError, ValueError, KeyError, TypeError) as error:
                answer = {"error": str(error)}
            else:
                pid = os.fork()
                if pid == 0:
                    _child(request, paths, [listener.fileno(), connection.fileno()])
                answer = _wait(pid, connection, float(request.get("timeout", 600)))
            clean(folder, job, keep)
            try:
                replaced = (path.lstat().st_dev, path.lstat().st_ino) != identity
            except OSError:
                replaced = True
            with contextlib.suppress(OSError):
                connection.sendall((json.dumps(answer) + "\n").encode())
            if replaced:
                print("the recheck server's socket was replaced: it stops", file=sys.stderr)
                return 1


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if len(arguments) != 1:
        print("usage: python -m autograder.trusted.server FOLDER", file=sys.stderr)
        return 2
    return serve(Path(arguments[0]))


if __name__ == "__main__":
    sys.exit(main())

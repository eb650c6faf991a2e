"""One process that has imported nbgrader and forks a child for each nbgrader command.

Every nbgrader command of a grading run (the release, one autograde per
submission, the feedback) used to be a new Python process, and each spent
about 2 s on a 2-core machine importing nbgrader, nbconvert, nbformat's
validators and the course's checks before it did anything. A `ForkServer`
pays that once: it starts a server process that imports them all, and for
each command the server forks a child, which starts with everything already
imported.

Concept: a forked child is still a process of its own, as a new one was:
its own session and process group (so `workspace.stop_all` and a timeout kill
it with its kernels), its own working folder, environment and log file, and
its own memory, so a submission that takes its nbgrader down costs only that
command. The server runs no student code and no command itself; it only
forks, so every child starts from the same state: nbgrader imported and
nothing run. The server is single-threaded (forking a process with threads
can copy a held lock); it refuses to fork otherwise, and `Workspace.nbgrader`
then starts a new process as before. If the server dies, the commands it
was running are reported lost and the next command starts a new server.

Environment variables that a library reads when it is imported (traitlets'
`TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR`) take the server's value, so
the server is started with the variables every command of the run shares.

Example:

    with ForkServer(environment) as server:
        process = server.spawn(["-m", "nbgrader", "--version"], cwd=folder,
                               environment=environment, log_path=folder / "log")
        returncode = process.wait(timeout=60)
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

# Imported by the server before it forks: what every nbgrader command of a grading run loads.
PRELOAD = (
    "nbgrader.apps.nbgraderapp",
    "nbgrader.converters",
    "nbgrader.preprocessors",
    "nbclient",
    "jupyter_client.manager",
    "autograder.trusted.execute",
    "autograder.pipeline.execute",
)


class ServerLost(RuntimeError):
    """The fork server ended while a command it had forked was still running."""


class ForkedProcess:
    """A command forked by the server: `pid`, and `wait` as `subprocess.Popen.wait`."""

    def __init__(self, server: ForkServer, request_id: int, pid: int):
        self.server = server
        self.request_id = request_id
        self.pid = pid
        self.returncode: int | None = None
        self._done = threading.Event()

    def _finish(self, returncode: int) -> None:
        self.returncode = returncode
        self._done.set()

    def wait(self, timeout: float | None = None) -> int:
        """The exit status (negative: killed by that signal), when the command ends.

        Raises:
            subprocess.TimeoutExpired: when it is still running after `timeout` seconds.
            ServerLost: when the server ended first (its exit status is then unknown).
        """
        if not self._done.wait(timeout):
            raise subprocess.TimeoutExpired(["forked", str(self.pid)], timeout)
        if self.returncode is None:
            raise ServerLost(f"the fork server ended while process {self.pid} ran")
        return self.returncode


class ForkServer:
    """Starts the server process; `spawn` forks a command from it.

    Args:
        environment: the server's environment (each command gets its own as well).
        preload: modules the server imports before it forks anything.
    """

    def __init__(self, environment: Mapping[str, str] | None = None,
                 preload: tuple[str, ...] = PRELOAD):
        self.environment = dict(os.environ if environment is None else environment)
        self.preload = preload
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._waiting: dict[int, threading.Event | ForkedProcess] = {}
        self._replies: dict[int, dict] = {}
        self._next_id = 0

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self) -> ForkServer:
        """Starts the server process now (else the first `spawn` does); returns the server.

        The server imports for a few seconds: started early, it does so while this
        process gets on with its own start-up.
        """
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
        return self

    def _start(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "autograder.pipeline.forkserver", *self.preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=self.environment, start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, args=(self._process,), daemon=True,
                                        name="kfc-forkserver-reader")
        self._reader.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            with contextlib.suppress(ValueError):
                reply = json.loads(line)
                with self._lock:
                    waiting = self._waiting.get(reply.get("id"))
                    if "exit" in reply and isinstance(waiting, ForkedProcess):
                        del self._waiting[reply["id"]]
                        waiting._finish(reply["exit"])
                    elif isinstance(waiting, threading.Event):
                        # Its pid, and maybe already its exit status, before spawn has it.
                        self._replies.setdefault(reply["id"], {}).update(reply)
                        waiting.set()
        # The server ended: whatever it was running or about to fork is lost.
        with self._lock:
            lost, self._waiting = self._waiting, {}
            if self._process is process:
                self._process = None
        for waiting in lost.values():
            if isinstance(waiting, ForkedProcess):
                waiting._done.set()
            else:
                waiting.set()

    def spawn(self, argv: list[str], *, cwd: Path, environment: Mapping[str, str],
              log_path: Path) -> ForkedProcess | None:
        """Forks `python <argv>` (`-m module ...` or a script path) in the server.

        The child runs in a session of its own, in `cwd`, with exactly
        `environment`, standard output and error written to `log_path`, and no
        standard input.

        Returns:
            The forked process, or None when the server could not fork (the caller
            then starts a process of its own).
        """
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            self._next_id += 1
            request_id = self._next_id
            answered = threading.Event()
            self._waiting[request_id] = answered
            request = {"id": request_id, "argv": list(argv), "cwd": str(cwd),
                       "env": dict(environment), "log": str(log_path)}
            try:
                self._process.stdin.write((json.dumps(request) + "\n").encode())
                self._process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                self._waiting.pop(request_id, None)
                return None
        if not answered.wait(timeout=120):
            with self._lock:
                self._waiting.pop(request_id, None)
            return None
        with self._lock:
            reply = self._replies.pop(request_id, None)
            if not reply or "pid" not in reply:
                self._waiting.pop(request_id, None)
                return None
            forked = ForkedProcess(self, request_id, reply["pid"])
            if "exit" in reply:  # it ended before the reply was read
                forked._finish(reply["exit"])
            elif request_id in self._waiting:
                self._waiting[request_id] = forked
            else:  # the server ended in between
                forked._done.set()
            return forked

    def close(self) -> None:
        """Ends the server (commands it forked run on, in their own sessions)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError, ValueError):
                process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_CURRENT: ForkServer | None = None


def command_environment() -> dict[str, str]:
    """The environment of every nbgrader command (and of the fork server that starts them)."""
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1",
            "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR": "1"}


def current() -> ForkServer | None:
    """The fork server of this grading run (`serving`), if one is running."""
    return _CURRENT


@contextlib.contextmanager
def serving(environment: Mapping[str, str] | None = None):
    """Runs a fork server for the commands of the `with` block (`Workspace.nbgrader` uses it)."""
    global _CURRENT
    if _CURRENT is not None:  # already serving: one server for the whole run
        yield _CURRENT
        return
    server = ForkServer(environment)
    _CURRENT = server
    try:
        yield server
    finally:
        _CURRENT = None
        server.close()


_PROCESS_LOCK = threading.Lock()


def for_this_process(environment: Mapping[str, str] | None = None) -> ForkServer:
    """The fork server of this process for the rest of its life, started on first use.

    For a process that runs grading jobs without a `serving` block around them, as a
    Dask worker does: the server ends when the process does.
    """
    global _CURRENT
    with _PROCESS_LOCK:
        if _CURRENT is None:
            _CURRENT = ForkServer(environment)
            atexit.register(_CURRENT.close)
        return _CURRENT


# --- the server process ----------------------------------------------------------------


def _child(request: dict, inherited: list[int]) -> None:
    """In the forked child: becomes the command; never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a new process
        os.setsid()
        for descriptor in inherited:  # the server's own pipes; 0, 1 and 2 are replaced below
            with contextlib.suppress(OSError):
                os.close(descriptor)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        for descriptor in {log, null} - {0, 1, 2}:
            os.close(descriptor)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        argv = request["argv"]
        import runpy

        if argv[:1] == ["-m"]:
            sys.argv = [argv[1], *argv[2:]]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(argv)
            runpy.run_path(argv[0], run_name="__main__")
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if not isinstance(stop.code, int) and stop.code is not None:
            print(stop.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _status(status: int) -> int:
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def serve(preload: list[str]) -> None:
    """The server's loop: reads requests on stdin, forks, reports pids and exit statuses."""
    import importlib

    for module in preload:
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    with contextlib.suppress(Exception):  # nbformat's validator, built once for every child
        import nbformat.validator

        nbformat.validator.get_validator(version=4, version_minor=5)
    requests_in, replies = sys.stdin.buffer.fileno(), sys.stdout.buffer
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    selector = selectors.DefaultSelector()
    selector.register(requests_in, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    children: dict[int, int] = {}
    buffer = b""

    def reply(message: dict) -> None:
        replies.write((json.dumps(message) + "\n").encode())
        replies.flush()

    def reap() -> None:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            request_id = children.pop(pid, None)
            if request_id is not None:
                reply({"id": request_id, "exit": _status(status)})

    open_input = True
    while open_input:
        for key, _ in selector.select(timeout=1.0):
            if key.fd == wake_read:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_read, 4096)
                continue
            data = os.read(requests_in, 65536)
            if not data:
                open_input = False
                break
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                try:
                    request = json.loads(line)
                except ValueError:
                    continue
                if threading.active_count() != 1:
                    reply({"id": request.get("id"), "error": "the server has threads"})
                    continue
                try:
                    pid = os.fork()
                except OSError as error:
                    reply({"id": request.get("id"), "error": str(error)})
                    continue
                if pid == 0:
                    _child(request, [wake_read, wake_write, selector.fileno()])
                children[pid] = request["id"]
                reply({"id": request["id"], "pid": pid})
        reap()


if __name__ == "__main__":
    serve(sys.argv[1:])

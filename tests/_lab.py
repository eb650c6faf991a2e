"""`kfc-lab` as a running server, for tests: start it, ask it things over HTTP, stop it.

`kfc_lab(*arguments, home=..., cwd=...)` runs `python -m autograder.pipeline.lab`
(what the `kfc-lab` command runs) with the arguments given, on 127.0.0.1, a free
port and a random token, with HOME and every Jupyter folder (config, data, runtime,
IPython) inside `home`, and none of the caller's `JUPYTER*` or `NBGRADER_EXCHANGE`
variables; it waits until the server answers and stops it (and whatever it started)
on leaving. The `LabServer` it yields reads the server's REST API:

    with kfc_lab("--instructor", "--workspace", str(workspace), home=tmp_path / "home",
                 cwd=tmp_path) as lab:
        lab.page_config()["disabledExtensions"]    # what JupyterLab's page config disables
        lab.get("formgrader/api/students")         # (status, body)
        lab.json("formgrader/api/assignments")     # the body as JSON (status 200 only)
        lab.request("PUT", "formgrader/api/comment/ID", {"manual_comment": "Good."})
        lab.page("lab")                            # the address to open in a browser

`kfc-lab` options that stop it before JupyterLab starts (a wrong command) make
`kfc_lab` raise `LabExited` with the command's output. `start_kfc_lab` and
`wait_until_ready` do the same in two steps, so that several servers start at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PAGE_CONFIG = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)


class LabExited(RuntimeError):
    """kfc-lab ended before its server answered; `output` is what it printed."""

    def __init__(self, returncode: int, output: str):
        super().__init__(f"kfc-lab exited with status {returncode}:\n{output[-3000:]}")
        self.returncode = returncode
        self.output = output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a server of its own: HOME and the Jupyter folders in `home`."""
    folders = {"HOME": home, "JUPYTER_CONFIG_DIR": home / ".jupyter",
               "JUPYTER_DATA_DIR": home / ".local" / "share" / "jupyter",
               "JUPYTER_RUNTIME_DIR": home / "runtime", "IPYTHONDIR": home / ".ipython"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("JUPYTER", "JPY_")) and key != "NBGRADER_EXCHANGE"}
    return {**environment, **{key: str(value) for key, value in folders.items()},
            "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", **(extra or {})}


@dataclass
class LabServer:
    """A running kfc-lab server."""

    url: str  # http://127.0.0.1:PORT
    token: str
    log: Path
    process: subprocess.Popen

    def page(self, path: str) -> str:
        """The address of a page of the server, with the token."""
        separator = "&" if "?" in path else "?"
        return f"{self.url}/{path.lstrip('/')}{separator}token={self.token}"

    def get(self, path: str, timeout: float = 30) -> tuple[int, str]:
        """GET a path of the server: its status and body (an error status is returned too)."""
        return self.request("GET", path, timeout=timeout)

    def request(self, method: str, path: str, body=None, timeout: float = 30) -> tuple[int, str]:
        """Sends `body` (as JSON, if given) to a path of the server: its status and body.

        Token-authenticated requests need no XSRF cookie, so PUT and POST work as they do
        from JupyterLab.
        """
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.page(path), data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def json(self, path: str):
        """The JSON body of a GET that must answer 200."""
        status, body = self.get(path)
        assert status == 200, f"GET /{path} answered {status}: {body[:500]}\n{self.log_tail()}"
        return json.loads(body)

    def page_config(self) -> dict:
        """JupyterLab's page config, as embedded in `/lab` (`disabledExtensions`, ...)."""
        status, body = self.get("lab")
        assert status == 200, f"GET /lab answered {status}\n{self.log_tail()}"
        found = PAGE_CONFIG.search(body)
        assert found, "no jupyter-config-data in /lab"
        return json.loads(found.group(1))

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:]


def stop(process: subprocess.Popen) -> None:
    """Stops a server started in a session of its own, with its process group (kernels)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


def start_kfc_lab(*arguments: str, home: Path, cwd: Path,
                  environment: dict[str, str] | None = None) -> LabServer:
    """Starts `kfc-lab <arguments>` in `cwd` as a server on 127.0.0.1, without waiting.

    Call `wait_until_ready` before asking it anything, and `stop` when done (`kfc_lab`
    does both); starting several servers first and then waiting for each saves time.

    Args:
        arguments: kfc-lab's arguments (`--instructor`, `--workspace DIR`, a folder, ...).
        home: HOME and the Jupyter folders of the server (created).
        cwd: the folder the command is started in.
        environment: variables added to the server's environment.
    """
    port, token = free_port(), secrets.token_hex(16)
    home.mkdir(parents=True, exist_ok=True)
    log = home / f"kfc-lab-{port}.log"
    command = [sys.executable, "-m", "autograder.pipeline.lab", *arguments, "--no-browser",
               "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:  # CI runs as root, which Jupyter refuses without this
        command.append("--allow-root")
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=cwd, env=lab_environment(home, environment),
                                   stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    return LabServer(f"http://127.0.0.1:{port}", token, log, process)


def wait_until_ready(lab: LabServer, timeout: float = 90) -> LabServer:
    """Waits until the server answers `/api/status`.

    Raises:
        LabExited: when kfc-lab ends first (a wrong command: its sentence is in `output`).
        RuntimeError: when it does not answer within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        if lab.process.poll() is not None:
            raise LabExited(lab.process.returncode, lab.log.read_text(errors="replace"))
        if time.monotonic() > deadline:
            raise RuntimeError(f"kfc-lab did not answer in {timeout:.0f} s:\n{lab.log_tail()}")
        with contextlib.suppress(OSError), \
                urllib.request.urlopen(lab.page("api/status"), timeout=5) as answer:
            if answer.status == 200:
                return lab
        time.sleep(0.3)


@contextlib.contextmanager
def kfc_lab(*arguments: str, home: Path, cwd: Path, environment: dict[str, str] | None = None,
            timeout: float = 90) -> Iterator[LabServer]:
    """`kfc-lab <arguments>` started in `cwd` as a server on 127.0.0.1; stopped on leaving.

    Takes `start_kfc_lab`'s arguments; `timeout` is how long to wait for it to answer.

    Raises:
        LabExited: when kfc-lab ends before its server answers (a wrong command).
    """
    lab = start_kfc_lab(*arguments, home=home, cwd=cwd, environment=environment)
    try:
        yield wait_until_ready(lab, timeout)
    finally:
        stop(lab.process)

"""A bubblewrap sandbox for the processes that run students' code.

A grading kernel runs whatever a student wrote. Outside a sandbox it runs as
the instructor, with the instructor's environment and working folder: it can
read the gradebook, the hidden tests and classmates' notebooks, write into the
workspace, signal `kfc-grade`, or leave a process behind that rewrites the
reports later. This module runs such processes in a
[bubblewrap](https://github.com/containers/bubblewrap) (`bwrap`) sandbox built
from Linux namespaces, which needs no root.

What a sandboxed process sees (everything else does not exist for it):

- read-only: the system (`/usr`, `/bin`, `/sbin`, `/lib*`, and `/etc` without
  the entries other users may not read), the Python installation
  (`sys.base_prefix` and the virtual environment `sys.prefix`), and the
  installed course packages (`autograder`, `keras_functional_course`), at their
  own paths, and any folders given as `readable`;
- read-write: a private `/tmp` of `disk_limit_mb` MiB (a tmpfs, gone when the
  process ends) holding its home folder (`SANDBOX_HOME`) and working folder
  (`SANDBOX_WORKDIR`), a small `/dev/shm`, and the folders given as `writable`;
- its own `/proc` and a minimal `/dev`; no network (a private network
  namespace with only a loopback interface), no other process (a private PID
  namespace), no user namespace of its own (`--disable-userns`);
- an environment of `sandbox_environment()` only: none of the grader's
  variables (database URLs, credentials, `NBGRADER_EXECUTION`) reach it, not
  even through `/proc/1/environ`.

It runs as user 65534 (`nobody`) inside its user namespace, with no
capabilities and `no_new_privs`. Outside, it is the user who started it: when
that is root, it is root to the files it can see (which is why `/etc`'s
private entries are covered) and owns as root what it writes. When the
sandbox's parent (the grader's process) ends or kills it, every process
inside, including detached ones in a session of their own, is killed with it.

What a sandboxed process wrote is the student's: read it as data, never
follow a link or open a named pipe in it (`read_exported`), and never connect
to a socket path it could have replaced (`SandboxedKernelManager` connects
through links of its kernel's sockets, made before any student code ran).

`SandboxedKernelManager` starts Jupyter kernels this way for nbclient (and so
for nbgrader's Execute, see `autograder.pipeline.execute`); `wrap` gives the
command line for any other process. `sandbox_problem` says whether a sandbox
can be made on this machine.

Example:

    problem = sandbox_problem()
    if problem:
        raise SystemExit(problem)
    command = wrap([sys.executable, "check.py"], readable=[data], writable=[out])
    subprocess.run(command, timeout=60, check=True)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import importlib.util
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, List, Unicode

SANDBOX_UID = 65534
"""The user and group id a sandboxed process has inside its user namespace (`nobody`)."""

SANDBOX_HOME = "/tmp/home"
"""The home folder inside the sandbox, in its private `/tmp`."""

SANDBOX_WORKDIR = "/tmp/notebook"
"""The working folder of a sandboxed kernel, in its private `/tmp`."""

EXPORT_MOUNT = "/kfc-export"
"""Where a kernel sees the folder given as `SandboxedKernelManager.export_dir`."""

DEFAULT_DISK_LIMIT_MB = 256
SHM_LIMIT_MB = 64
COURSE_PACKAGES = ("autograder", "keras_functional_course")
SYSTEM_FOLDERS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")
MAX_WRITABLE_ENTRIES = 10_000
"""Files and folders a kernel may create in the host folders it can write to."""
KERNEL_START_SECONDS = 60
MAX_SOCKET_PATH = 100

INSTALL_HINT = (
    "install Debian's bubblewrap (`apt-get install bubblewrap`), or grade with --no-sandbox"
)
ENABLE_HINT = (
    "enable unprivileged user namespaces (`sysctl kernel.unprivileged_userns_clone=1` on "
    "Debian and Ubuntu, `sysctl user.max_user_namespaces=10000` elsewhere; in a container, "
    "allow them), or grade with --no-sandbox"
)


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made here; the message is `sandbox_problem()`'s sentence."""


def sandbox_problem() -> str | None:
    """Whether a sandbox can be made on this machine, and if not, what to do.

    It finds `bwrap` on `PATH` and runs `true` in a sandbox built as `wrap`
    builds it. The answer is cached per `bwrap` found, for the life of the
    process.

    Returns:
        None when a sandbox works here; otherwise one sentence telling the
        instructor what to install or enable.

    Example:

        >>> sandbox_problem() is None  # on a machine with bubblewrap
        True
    """
    return _problem(shutil.which("bwrap"))


@functools.cache
def _problem(bwrap: str | None) -> str | None:
    if bwrap is None:
        return (f"Grading runs every notebook in a sandbox, and bubblewrap (`bwrap`) is not "
                f"installed: {INSTALL_HINT}.")
    try:
        result = subprocess.run(wrap(["true"], bwrap=bwrap), capture_output=True, text=True,
                                errors="replace", timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        detail = str(error)
    else:
        if result.returncode == 0:
            return None
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        detail = (lines or [f"exit status {result.returncode}"])[-1]
    detail = detail.split(". ")[0].rstrip(".")[:200]
    return (f"Grading runs every notebook in a sandbox, and bubblewrap could not make one "
            f"here ({detail}): {ENABLE_HINT}.")


# How many threads a grading kernel's TensorFlow may use (`thread_environment`): set by
# `kfc-grade --jobs` for the nbgrader processes it starts, or by the instructor.
KERNEL_THREADS_VARIABLE = "KFC_KERNEL_THREADS"


def kernel_threads(environment: Mapping[str, str] | None = None) -> int | None:
    """The thread count `KFC_KERNEL_THREADS` asks for, or None when it is not set.

    Args:
        environment: where to look (default: this process's environment).

    Raises:
        ValueError: when the variable is set to anything but a whole number of 1 or more.
    """
    value = (os.environ if environment is None else environment).get(KERNEL_THREADS_VARIABLE)
    if value is None or not value.strip():
        return None
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(
            f"{KERNEL_THREADS_VARIABLE} must be a whole number of threads, 1 or more, got "
            f"{value!r}: set it to how many threads each grading kernel may use, or unset it "
            "to let kfc-grade share the cores among its --jobs.")
    return int(value)


def thread_environment(threads: int | None = None) -> dict[str, str]:
    """The variables that give a kernel's TensorFlow `threads` threads.

    Concept: TensorFlow sizes its thread pools to the machine, so N kernels at
    once on N cores each run N threads and spend their time waiting for one
    another. `TF_NUM_INTRAOP_THREADS` and `TF_NUM_INTEROP_THREADS` size
    TensorFlow's pools, `OMP_NUM_THREADS` oneDNN's.

    Args:
        threads: the thread count (default: `kernel_threads()`, from
            `KFC_KERNEL_THREADS`; an unset or unreadable value gives nothing).

    Returns:
        The three variables, or an empty dict for TensorFlow's own choice.
    """
    if threads is None:
        try:
            threads = kernel_threads()
        except ValueError:  # kfc-grade refuses such a value before it starts any job
            threads = None
    if threads is None:
        return {}
    return {"TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": str(threads),
            "OMP_NUM_THREADS": str(threads)}


def sandbox_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a sandboxed process: nothing of the grader's.

    Args:
        extra: variables to add or override.

    Returns:
        `PATH` (the Python environment's `bin` first), `HOME`, `LANG`, and the
        settings a course kernel runs with (quiet TensorFlow, unbuffered
        output, matplotlib's non-interactive backend), TensorFlow's thread count
        when `KFC_KERNEL_THREADS` sets one (`thread_environment`), plus `extra`.
    """
    environment = {
        "PATH": os.pathsep.join(dict.fromkeys(
            [str(Path(sys.prefix) / "bin"), str(Path(sys.base_prefix) / "bin"),
             "/usr/local/bin", "/usr/bin", "/bin"])),
        "HOME": SANDBOX_HOME,
        "LANG": "C.UTF-8",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        **thread_environment(),
    }
    environment.update(extra or {})
    return environment


def python_folders() -> list[str]:
    """The folders a sandboxed Python needs, read-only: the installation and the course packages.

    The virtual environment (`sys.prefix`) may sit inside the course repository;
    only it, not the repository, is bound. The course packages are bound where
    they are installed from (an editable install maps them into the repository).
    """
    folders = [sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix]
    for package in COURSE_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            folders += list(spec.submodule_search_locations)
    resolved = [os.path.realpath(folder) for folder in folders]
    return [folder for folder in dict.fromkeys(resolved)
            if os.path.isdir(folder) and not _under_system(folder)]


def _under_system(path: str) -> bool:
    """Whether `path` is already visible through the system folders bound read-only."""
    parts = Path(path).parts
    return len(parts) > 1 and parts[1] in ("usr", "etc")


@functools.lru_cache(maxsize=1)
def _hidden_etc_entries() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The folders and files under /etc that other users may not read (shadow, private keys).

    A sandbox started by root runs as root outside its user namespace, so it
    would read them as their owner; they are covered instead.

    Returns:
        (folders, files), by absolute path.
    """
    folders, files = [], []
    for root, subfolders, names in os.walk("/etc"):
        kept = []
        for name in subfolders:
            path = os.path.join(root, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISDIR(mode) and mode & 0o005 != 0o005:
                folders.append(path)
            else:
                kept.append(name)
        subfolders[:] = kept
        for name in names:
            path = os.path.join(root, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode) and not mode & 0o004:
                files.append(path)
    return tuple(folders), tuple(files)


def _bind_pairs(paths: Iterable) -> list[tuple[str, str]]:
    """(host, sandbox) pairs from paths (bound at the same path) or (host, sandbox) pairs."""
    pairs = []
    for item in paths:
        if isinstance(item, tuple | list):
            host, inside = item
        else:
            host = inside = item
        pairs.append((os.path.realpath(host), str(inside)))
    return pairs


def wrap(argv: list[str], *, readable: Iterable = (), writable: Iterable = (),
         workdir: str = SANDBOX_WORKDIR, environment: Mapping[str, str] | None = None,
         disk_limit_mb: int = DEFAULT_DISK_LIMIT_MB, bwrap: str | None = None) -> list[str]:
    """The command line that runs `argv` in a sandbox.

    The sandbox is described in this module's docstring: the system and the
    Python environment read-only, a private `/tmp` capped at `disk_limit_mb`,
    no network, no other processes, no user namespace, and nothing of the
    caller's environment. The command starts with `env -i`, so not even the
    sandbox's own helper process keeps the caller's environment, whatever
    `env` the caller runs it with. Run it with `preexec_fn` setting rlimits to
    limit memory and CPU time: they pass on to `argv`.

    Args:
        argv: the command to run inside; its program must be visible there
            (an absolute path in the Python environment or the system).
        readable: host folders or files to bind read-only, each a path (bound
            at the same path) or a `(host_path, sandbox_path)` pair.
        writable: host folders to bind read-write, the same way. What is
            written there is on the host's disk and outlives the sandbox; keep
            each inside a folder of the caller's own (mode 0700), which the
            sandbox cannot see.
        workdir: the working folder inside, created in the private `/tmp`
            when it is there.
        environment: variables to add to `sandbox_environment()`.
        disk_limit_mb: the size of the private `/tmp`, in MiB: writes past it
            fail with `OSError` (ENOSPC).
        bwrap: the bubblewrap program; default: `bwrap` on `PATH`.

    Returns:
        The argument list for `subprocess.Popen`.

    Raises:
        SandboxUnavailable: when `bwrap` is not installed.

    Example:

        >>> command = wrap([sys.executable, "-c", "print(42)"],
        ...                readable=[("/srv/answers", "/data")], writable=["/srv/out/ada"])
        >>> subprocess.run(command, capture_output=True, text=True).stdout
        '42\\n'
    """
    bwrap = bwrap or shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(sandbox_problem() or "bubblewrap (`bwrap`) is not installed.")
    command = [
        shutil.which("env") or "/usr/bin/env", "-i", bwrap,
        "--unshare-all", "--unshare-user", "--disable-userns",
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
        "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--hostname", "sandbox", "--clearenv",
    ]
    for name, value in sandbox_environment(environment).items():
        command += ["--setenv", name, value]
    for name in SYSTEM_FOLDERS:
        path = f"/{name}"
        if os.path.islink(path):
            command += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            command += ["--ro-bind", path, path]
    hidden_folders, hidden_files = _hidden_etc_entries()
    for folder in hidden_folders:
        command += ["--tmpfs", folder, "--remount-ro", folder]
    for file in hidden_files:
        command += ["--ro-bind", "/dev/null", file]
    command += [
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(SHM_LIMIT_MB * 2**20), "--tmpfs", "/dev/shm",
        "--size", str(max(disk_limit_mb, 1) * 2**20), "--tmpfs", "/tmp",
        "--dir", SANDBOX_HOME, "--dir", workdir,
    ]
    # After the private /tmp: a course cloned under /tmp (as CI may) keeps its environment.
    for folder in python_folders():
        command += ["--ro-bind", folder, folder]
    for host, inside in _bind_pairs(readable):
        command += ["--ro-bind", host, inside]
    for host, inside in _bind_pairs(writable):
        command += ["--bind", host, inside]
    command += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", workdir, "--", *argv]
    return command


class _OutputTail:
    """Reads a pipe to its end in a thread, keeping only its last `limit` bytes."""

    def __init__(self, descriptor: int, limit: int = 64 * 1024):
        self._tail: collections.deque[bytes] = collections.deque()
        self._size = 0
        self._limit = limit
        self._thread = threading.Thread(target=self._read, args=(descriptor,), daemon=True)
        self._thread.start()

    def _read(self, descriptor: int) -> None:
        with open(descriptor, "rb", buffering=0) as pipe:
            while chunk := pipe.read(8192):
                self._tail.append(chunk)
                self._size += len(chunk)
                while self._size > self._limit and len(self._tail) > 1:
                    self._size -= len(self._tail.popleft())

    def text(self) -> str:
        return b"".join(self._tail)[-self._limit:].decode(errors="replace")


def _usage(folders: list[str], limit: int) -> tuple[int, int]:
    """(bytes, entries) under the folders, counting no further than `limit` entries."""
    size = entries = 0
    pending = list(folders)
    while pending and entries <= limit:
        try:
            with os.scandir(pending.pop()) as scan:
                for entry in scan:
                    entries += 1
                    info = entry.stat(follow_symlinks=False)
                    size += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
        except OSError:
            continue
    return size, entries


def read_exported(folder: Path, name: str, max_bytes: int) -> bytes:
    """Reads one file a sandboxed process wrote into `folder`, as data, safely.

    Whatever is in a folder a sandbox could write to was put there by the
    student's code: a symbolic link to the gradebook, a named pipe that would
    block the reader, a file of gigabytes. Only a regular file directly in
    `folder` is read, without following links and without blocking.

    Args:
        folder: the host folder (e.g. `GuardedExecute.export_dir`).
        name: a plain file name in it (no `/`).
        max_bytes: the most that is read.

    Returns:
        The file's bytes.

    Raises:
        ValueError: `name` is not a plain file name, the file is not a regular
            file, or it is larger than `max_bytes`.
        OSError: it cannot be opened (missing, a link, no permission).
    """
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"{name!r} is not a plain file name")
    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
                             dir_fd=folder_fd)
    finally:
        os.close(folder_fd)
    with open(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{name} is not a regular file")
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"{name} is larger than {max_bytes} bytes")
    return data


def remove_tree(path: str | Path) -> None:
    """Removes a folder a sandboxed process could write to, whatever it did to it.

    The process may have taken the permissions off its folders, or nested
    them thousands deep: each folder is made the owner's again, then the tree
    is removed (by `rm -rf` when it is too deep for Python). Nothing is
    followed through a symbolic link. Missing folders are fine.
    """
    path = str(path)
    pending = [path] if os.path.isdir(path) and not os.path.islink(path) else []
    while pending:
        folder = pending.pop()
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
            with os.scandir(folder) as entries:
                pending += [entry.path for entry in entries if entry.is_dir(follow_symlinks=False)]
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except (OSError, RecursionError):
        subprocess.run(["rm", "-rf", "--one-file-system", "--", path], check=False,
                       stdin=subprocess.DEVNULL, capture_output=True)


def private_folder(kind: str) -> Path:
    """A new folder of this process's (mode 0700) in the temporary folder, for `kind`.

    It is named `kfc-<kind>-<pid>-...`. A process killed before it could remove
    its folders (nbgrader stopped at the notebook timeout) leaves them behind,
    with whatever its kernels wrote: the ones of this user whose process is gone
    are removed first.
    """
    parent = tempfile.gettempdir()
    if len(parent) > MAX_SOCKET_PATH - 40:  # the kernel's sockets are in there: keep it short
        parent = "/tmp"
    for old in Path(parent).glob(f"kfc-{kind}-*-*"):
        pid = old.name.split("-")[2]
        with contextlib.suppress(OSError):
            info = old.lstat()
            if (pid.isdigit() and stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
                    and not _alive(int(pid))):
                remove_tree(old)
    return Path(tempfile.mkdtemp(prefix=f"kfc-{kind}-{os.getpid()}-", dir=parent))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SandboxedKernelManager(AsyncKernelManager):
    """A Jupyter kernel manager whose kernels run in the sandbox `wrap` builds.

    Each manager makes a private folder (mode 0700) holding the kernel's
    connection file (read-only for the kernel) and its runtime folder, where
    the kernel makes its ZeroMQ sockets (transport `ipc`, since the kernel has
    no network); the grader connects through hard links of those sockets,
    made as soon as they exist. The runtime folder, and the `export_dir` when
    given (at `EXPORT_MOUNT`), are the only host folders a kernel can write
    to; a watchdog kills the kernel when it writes more than `disk_limit_mb`
    there (or `MAX_WRITABLE_ENTRIES` files), like the cap of its private `/tmp`,
    and they are emptied before the next start (`disk_limit_exceeded` tells).

    Interrupts are sent as `interrupt_request` messages on the control
    channel (ipykernel then sends SIGINT to its own process group), since a
    signal to the sandbox's outer process does not reach the kernel. Shutting
    down or killing the kernel kills every process the kernel started. The
    kernel's stdout and stderr (not the cells' outputs, which go over ZeroMQ)
    go to a pipe the manager reads; `kernel_output()` gives its end. Popen
    arguments such as `preexec_fn` (rlimits) apply to the sandbox and all in it.

    Example (what `GuardedExecute` does):

        km = SandboxedKernelManager(kernel_name="python3", export_dir=str(folder))
        await km.start_kernel(preexec_fn=kernel_limits(4096, 600))
    """

    disk_limit_mb = Integer(
        DEFAULT_DISK_LIMIT_MB,
        help="MiB the kernel may write: the size of its private /tmp (home and working "
             "folder), and again in total in the host folders it can write to.",
    ).tag(config=True)

    export_dir = Unicode(
        "", help=f"A host folder the kernel sees read-write at {EXPORT_MOUNT}; empty for none."
    ).tag(config=True)

    readable = List(
        Unicode(), help="Host folders the kernel sees read-only, at the same path."
    ).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._private = private_folder("kernel")
        self._finalizer = weakref.finalize(self, remove_tree, str(self._private))
        self.runtime_dir = self._private / "runtime"
        self.runtime_dir.mkdir()
        self.transport = "ipc"
        # Read-only for the kernel, outside the folder it can write to: a restarted
        # kernel reads the grader's connection file, not one the student rewrote.
        self.connection_file = str(self._private / "kernel.json")
        self.ip = str(self.runtime_dir / "kernel")
        # The grader connects through hard links of the kernel's sockets, made before
        # any student code runs: the kernel can replace its socket files with links to
        # any socket of the host, which a reconnecting client would follow.
        self._sockets = self._private / "sockets"
        self._sockets.mkdir()
        self.disk_limit_exceeded = False
        self._tail: _OutputTail | None = None
        self._guard_stop: threading.Event | None = None

    @property
    def kernel_spec(self):
        """The kernel's spec, interrupted by message: a signal would stop at the sandbox."""
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel spec's command (`{connection_file}` filled in), run in the sandbox."""
        command = super().format_kernel_cmd(extra_arguments)
        writable = [str(self.runtime_dir)]
        if self.export_dir:
            writable.append((self.export_dir, EXPORT_MOUNT))
        return wrap(command, readable=[*self.readable, self.connection_file],
                    writable=writable, disk_limit_mb=self.disk_limit_mb)

    def writable_folders(self) -> list[str]:
        """The host folders the kernel can write to."""
        return [str(self.runtime_dir)] + ([self.export_dir] if self.export_dir else [])

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        """Starts the sandbox: no grader environment, pipes, or working folder passed on."""
        for folder in self.writable_folders():  # whatever the last kernel made of them
            os.chmod(folder, 0o700)
        if self.disk_limit_exceeded:
            self._empty_writable_folders()
            self.disk_limit_exceeded = False
        read_end, write_end = os.pipe()
        kw.update(env={}, cwd=str(self._private), stdin=subprocess.DEVNULL,
                  stdout=write_end, stderr=subprocess.STDOUT)
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        self._tail = _OutputTail(read_end)
        self._start_guard()
        await self._wait_for_sockets()

    async def _wait_for_sockets(self) -> None:
        """Waits until the kernel has made its ZeroMQ sockets, then links them for the grader.

        The kernel has run no student code yet (its home and `/tmp` are new), so
        the socket files are the kernel's own. If it dies first, there is nothing
        to connect to, and nbclient reports the dead kernel.
        """
        paths = [f"{self.ip}-{port}" for port in self.ports]
        process = self.provisioner.process if self.provisioner else None
        deadline = time.monotonic() + KERNEL_START_SECONDS
        while time.monotonic() < deadline and process is not None and process.poll() is None:
            try:
                if all(stat.S_ISSOCK(os.lstat(path).st_mode) for path in paths):
                    break
            except OSError:
                pass
            await asyncio.sleep(0.02)
        else:
            return
        self._unlink_sockets()
        for path in paths:
            link = self._sockets / Path(path).name
            os.link(path, link, follow_symlinks=False)
            if not stat.S_ISSOCK(os.lstat(link).st_mode):
                link.unlink()

    def _unlink_sockets(self) -> None:
        if self._sockets.is_dir():
            for link in self._sockets.iterdir():
                link.unlink(missing_ok=True)

    def _make_url(self, channel: str) -> str:
        """The grader's address of a kernel channel: the link of its socket."""
        return f"ipc://{self._sockets / Path(self.ip).name}-{getattr(self, f'{channel}_port')}"

    def client(self, **kwargs):
        """A client that connects through the links of the kernel's sockets."""
        return super().client(**{"ip": str(self._sockets / Path(self.ip).name), **kwargs})

    def _start_guard(self) -> None:
        if self._guard_stop is not None:
            self._guard_stop.set()
        stop = self._guard_stop = threading.Event()
        process = self.provisioner.process if self.provisioner else None
        limit = self.disk_limit_mb * 2**20

        def watch():
            while not stop.wait(0.25):
                if process is None or process.poll() is not None:
                    return
                size, entries = _usage(self.writable_folders(), MAX_WRITABLE_ENTRIES)
                if size > limit or entries > MAX_WRITABLE_ENTRIES:
                    self.disk_limit_exceeded = True
                    self.log.warning("The kernel wrote more than %s MiB or %s files to %s: "
                                     "killed.", self.disk_limit_mb, MAX_WRITABLE_ENTRIES,
                                     self.writable_folders())
                    with contextlib.suppress(OSError):
                        os.killpg(process.pid, signal.SIGKILL)
                    return

        threading.Thread(target=watch, daemon=True).start()

    def _empty_writable_folders(self) -> None:
        """Empties the folders the kernel wrote too much to (keeps the connection file)."""
        for folder in self.writable_folders():
            for entry in Path(folder).iterdir():
                if entry == Path(self.connection_file):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)

    def kernel_output(self) -> str:
        """The end of what the kernel process and bubblewrap wrote to stdout and stderr."""
        return self._tail.text() if self._tail else ""

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        if self._guard_stop is not None:
            self._guard_stop.set()
        self._unlink_sockets()
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._finalizer()

    cleanup_resources = _async_cleanup_resources

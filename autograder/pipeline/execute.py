"""`GuardedExecute`: nbgrader's Execute preprocessor, hardened for a class of submissions.

nbgrader runs every submission top to bottom in a kernel. A student's notebook
can stop that run in ways nbgrader does not survive: a loop that ignores the
interrupt nbgrader sends at the timeout raises `CellTimeoutError` out of the
whole autograde; a kernel that exits (`os._exit`, the out-of-memory killer)
raises `DeadKernelError`; a cell printing gigabytes fills the grader's memory.
And a test cell that was never run has no error output, which nbgrader scores
as full marks. Worse, the kernel runs whatever the student wrote, next to the
gradebook, the hidden tests and the other students' work.

`GuardedExecute` keeps grading in all those cases:

- the kernel runs in a sandbox (`autograder.pipeline.sandbox`, `sandbox = True`,
  the default): it sees the Python environment read-only, a private `/tmp` of
  `disk_limit_mb` MiB for its home and working folder, and its export folder
  (`export_dir`); not the workspace, the course repository, the instructor's
  home, the grader's environment variables or the network; everything it
  starts is killed with it. When no sandbox can be made here, it raises
  `SandboxUnavailable` rather than run the notebook without one;
- the kernel runs under a memory limit (`RLIMIT_DATA`) and a CPU-time limit
  (`RLIMIT_CPU`), so a runaway notebook cannot take the machine down;
- when a cell times out and ignores the interrupt, or the kernel dies, the cell
  gets an error output saying so, the kernel is restarted, the cells before it
  are run again (their outputs are kept from the first run), and grading goes
  on with the next cell;
- after `max_kernel_restarts` restarts, every remaining code cell gets a
  `NotExecuted` error, so no test cell earns points it was not run for;
- each cell's outputs are capped: `max_output_chars` characters of text and
  `max_output_bytes` bytes of images and other data, with a note where they
  were cut; error outputs are kept (a failed test cell must stay failed), cut
  to size.

The error names it writes (`CellTimeoutError`, `KernelDied`, `NotExecuted`) and
the truncation notes are what `autograder.pipeline.report` reads back to give each
submission its status.

The export folder: each notebook gets a fresh, empty folder that the kernel
can write to, at `kernel_export_dir` as the kernel sees it (`/kfc-export` in the
sandbox) and at `export_dir` on the grader's side, where it can be read after
the notebook ran (until the next notebook starts). Kernel restarts keep it. A
later preprocessor finds both in `resources["kfc_export"]`.

Example (in `nbgrader_config.py`):

    from autograder.pipeline.execute import GuardedExecute
    c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ...]
    c.GuardedExecute.memory_limit_mb = 4096
    c.GuardedExecute.sandbox = True
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import resource
import tempfile
import time
import weakref
from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Enum, Integer, Unicode

from autograder.pipeline.sandbox import (
    DEFAULT_DISK_LIMIT_MB,
    EXPORT_MOUNT,
    SandboxedKernelManager,
    SandboxUnavailable,
    private_folder,
    remove_tree,
    sandbox_problem,
)

KERNEL_DIED_ERROR = "KernelDied"
NOT_EXECUTED_ERROR = "NotExecuted"
TIMEOUT_ERROR = "CellTimeoutError"
TRUNCATION_NOTE = "[output truncated by the grader: this cell printed more than {limit} characters]"
DATA_TRUNCATION_NOTE = (
    "[output truncated by the grader: this cell displayed more than {limit} bytes of images "
    "or other data]"
)
EXPORT_RESOURCE = "kfc_export"
"""`resources[EXPORT_RESOURCE]`: {"export_dir": host path, "kernel_export_dir": kernel's path}."""
MAX_ERRORS_PER_CELL = 10
OUTPUT_MESSAGES = ("stream", "display_data", "execute_result", "error")


# A folder of lock files, one per kernel allowed to run at once (`kernel_slot`); set by
# `jobs.run_job` for the nbgrader processes of one grading run.
KERNEL_SLOTS_VARIABLE = "KFC_KERNEL_SLOTS"


@contextlib.contextmanager
def hold_one_of(locks: list[Path], poll_seconds: float = 0.05):
    """Waits until one of the lock files `locks` is free, holds it for the block; yields it.

    The lock is an exclusive `flock` on the file (created if missing), so it is
    shared by every process of a grading run and released when the holder ends,
    however it ends.

    Args:
        locks: the lock files; an empty list yields None at once.
        poll_seconds: how long to sleep between two rounds over the files.
    """
    if not locks:
        yield None
        return
    while True:
        for lock in locks:
            handle = open(lock, "a")  # noqa: SIM115 - held until the block ends
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            try:
                yield lock
            finally:
                handle.close()  # releases the lock
            return
        time.sleep(poll_seconds)


def slots_folder() -> Path | None:
    """The run's kernel-slot folder (`KFC_KERNEL_SLOTS`), or None when nbgrader runs by hand."""
    folder = os.environ.get(KERNEL_SLOTS_VARIABLE)
    return Path(folder) if folder else None


@contextlib.contextmanager
def kernel_slot():
    """Waits for one of the run's kernel slots and holds it for the block; yields its file.

    Concept: `kfc-grade --jobs N` starts one nbgrader process more than N, so the
    next submission's nbgrader starts up, reads its notebook and gradebook,
    sanitises it and starts its kernel while N kernels run; `GuardedExecute`
    then waits here with the kernel ready, and runs the first cell the moment
    one of them finishes. Without `KFC_KERNEL_SLOTS` in the environment
    (nbgrader run by hand) there is nothing to wait for, and the block gets None.
    """
    folder = slots_folder()
    with hold_one_of(sorted(folder.glob("slot-*")) if folder else []) as slot:
        yield slot


def make_kernel_slots(folder: Path, count: int) -> Path:
    """Creates `count` slot files in `folder` for `kernel_slot`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / f"slot-{number}").touch()
    return folder


def error_output(name: str, message: str) -> NotebookNode:
    """An nbformat error output, as a kernel would have sent it."""
    return NotebookNode(
        output_type="error", ename=name, evalue=message, traceback=[f"{name}: {message}"]
    )


def kernel_limits(memory_limit_mb: int, cpu_limit_seconds: int):
    """A function for `Popen(preexec_fn=...)` that limits the kernel's memory and CPU time.

    Args:
        memory_limit_mb: the most memory (heap and private mappings) the kernel
            may allocate, in MiB; 0 for no limit. Allocations past it raise
            `MemoryError` in the cell.
        cpu_limit_seconds: the most CPU time the kernel process may use, in
            seconds; 0 for no limit. Past it the kernel is killed (SIGXCPU).

    Returns:
        A function of no arguments that sets the limits in the calling process
        (and so in the sandbox and the kernel it starts).
    """

    def apply_limits():
        if memory_limit_mb > 0:
            memory = memory_limit_mb * 2**20
            resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
        if cpu_limit_seconds > 0:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit_seconds, cpu_limit_seconds + 5))

    return apply_limits


def _output_size(content: dict) -> int:
    """How many characters of text an iopub output message carries (`text/*` and streams)."""
    if "text" in content:
        return len(content["text"])
    data = content.get("data") or {}
    return sum(len(value) if isinstance(value, str) else len(str(value))
               for mimetype, value in data.items() if mimetype.startswith("text/"))


def _data_size(content: dict) -> int:
    """How many bytes of other data an output message carries: images, JSON, and metadata."""
    data = content.get("data") or {}
    size = sum(len(value) if isinstance(value, str) else len(json.dumps(value, default=str))
               for mimetype, value in data.items() if not mimetype.startswith("text/"))
    metadata = content.get("metadata")
    return size + (len(json.dumps(metadata, default=str)) if metadata else 0)


class GuardedExecute(Execute):
    """Runs a submission like nbgrader's Execute, but survives what a student's code can do.

    Configure it in `nbgrader_config.py` as `c.GuardedExecute.<trait>`; the
    traits of nbgrader's `Execute` (`timeout`, `interrupt_on_timeout`, ...) apply.

    Attributes:
        export_dir: the host folder the kernel of the current (or last)
            notebook could write to, fresh for each notebook; None before the
            first notebook.
        kernel_export_dir: the same folder as the kernel sees it.
    """

    sandbox = Bool(
        True, help="Run the kernel in a bubblewrap sandbox (see autograder.pipeline.sandbox). "
                   "When it cannot be made, grading stops with an error instead.",
    ).tag(config=True)

    disk_limit_mb = Integer(
        DEFAULT_DISK_LIMIT_MB,
        help="MiB the sandboxed kernel may write: its private /tmp (home and working folder), "
             "and its export folder.",
    ).tag(config=True)

    memory_limit_mb = Integer(
        4096, help="Memory limit of the grading kernel in MiB (RLIMIT_DATA); 0 for none."
    ).tag(config=True)

    cpu_limit_seconds = Integer(
        600, help="CPU-time limit of each grading kernel in seconds (RLIMIT_CPU); 0 for none."
    ).tag(config=True)

    max_output_chars = Integer(
        100_000, help="Characters of text output kept per cell; the rest is cut, with a note."
    ).tag(config=True)

    max_output_bytes = Integer(
        5 * 2**20, help="Bytes of images and other non-text output (and output metadata) kept "
                        "per cell; the rest is cut, with a note.",
    ).tag(config=True)

    max_kernel_restarts = Integer(
        3, help="Kernel restarts allowed per notebook before the remaining cells are not run."
    ).tag(config=True)

    # nbclient skips cells tagged "skip-execution"; a student could tag a test cell
    # and earn its points without running it. No cell is skipped here.
    skip_cells_with_tag = Unicode("course-grader-never-skips")

    # Widget state sent by the kernel would be stored, uncapped, in the notebook's metadata.
    store_widget_state = Bool(False)

    # After the last cell the kernel is killed, not asked to exit: a student's `atexit` hook
    # gets no time to run, and the next submission's kernel no wait for it.
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)

    export_dir: Path | None = None

    @property
    def kernel_export_dir(self) -> str | None:
        """Where the kernel sees `export_dir`: `/kfc-export` in the sandbox, else the same path."""
        if self.export_dir is None:
            return None
        return EXPORT_MOUNT if self.sandbox else str(self.export_dir)

    def preprocess(self, nb, resources=None, km=None):
        if self.sandbox:
            problem = sandbox_problem()
            if problem:
                raise SandboxUnavailable(problem)
            if km is not None and not isinstance(km, SandboxedKernelManager):
                raise SandboxUnavailable(
                    "GuardedExecute was given a kernel manager that does not sandbox its "
                    "kernel: leave out km, or set GuardedExecute.sandbox = False."
                )
        self._new_export_dir()
        resources = {} if resources is None else resources
        resources[EXPORT_RESOURCE] = {"export_dir": str(self.export_dir),
                                      "kernel_export_dir": self.kernel_export_dir}
        self._restarts = 0
        self._given_up = False
        self._failed_cells: set[int] = set()
        self._output_chars: dict[int, int] = {}
        self._output_bytes: dict[int, int] = {}
        self._errors: dict[int, int] = {}
        self._cut_cells: set[int] = set()
        self._replaying = False
        # The kernel starts first; the slot is taken at the first cell (`_take_slot`) and
        # released once the kernel is stopped, when nbclient's kernel context has ended.
        with contextlib.ExitStack() as self._slot_stack:
            try:
                return super().preprocess(nb, resources, km)
            finally:
                self._slot_stack = None

    def _take_slot(self) -> None:
        """Waits for a kernel slot (`kernel_slot`) once the kernel is up, before any cell runs."""
        stack = getattr(self, "_slot_stack", None)
        if stack is not None and not getattr(self, "_slot_taken", False):
            stack.enter_context(kernel_slot())
            self._slot_taken = True
            stack.callback(setattr, self, "_slot_taken", False)

    def _new_export_dir(self) -> None:
        """A fresh, empty export folder (the last one removed), in a private folder (0700)."""
        if getattr(self, "_export_parent", None) is None:
            self._export_parent = private_folder("export")
            weakref.finalize(self, remove_tree, str(self._export_parent))
        if self.export_dir is not None:
            remove_tree(self.export_dir)
        self.export_dir = Path(tempfile.mkdtemp(prefix="export-", dir=self._export_parent))

    def create_kernel_manager(self):
        """nbclient's kernel manager, or with `sandbox` a `SandboxedKernelManager`."""
        if not self.sandbox:
            return super().create_kernel_manager()
        if not self.kernel_name:
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name") or ""
        named = {"kernel_name": self.kernel_name} if self.kernel_name else {}
        self.km = SandboxedKernelManager(
            config=self.config, export_dir=str(self.export_dir),
            disk_limit_mb=self.disk_limit_mb, **named,
        )
        return self.km

    async def async_start_new_kernel(self, **kwargs):
        """Starts the kernel with the memory and CPU limits (kept across restarts)."""
        kwargs.setdefault(
            "preexec_fn", kernel_limits(self.memory_limit_mb, self.cpu_limit_seconds)
        )
        await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_start_new_kernel_client(self):
        """Connects to the kernel; if it died starting, says what the sandbox printed."""
        try:
            return await super().async_start_new_kernel_client()
        except RuntimeError as error:
            output = getattr(self.km, "kernel_output", lambda: "")().strip()
            if not output:
                raise
            raise RuntimeError(f"{error}; the kernel printed:\n{output[-2000:]}") from error

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess_cell(self, cell, resources, index):
        self._take_slot()
        if cell.cell_type != "code":
            return cell, self.resources
        if self._given_up:
            cell.outputs = [error_output(NOT_EXECUTED_ERROR, (
                f"The grader did not run this cell: the kernel had to be restarted "
                f"{self._restarts} times before it."
            ))]
            return cell, self.resources
        self._output_chars[index] = 0
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:
            cell.outputs.append(error_output(TIMEOUT_ERROR, (
                f"This cell did not finish within {self.timeout} s and did not stop when "
                "interrupted. The grader restarted the kernel and went on without it."
            )))
            self._recover(index)
        except DeadKernelError:
            cell.outputs.append(error_output(KERNEL_DIED_ERROR, self._death_message()))
            self._recover(index)
        return cell, self.resources

    def _death_message(self) -> str:
        if getattr(self.km, "disk_limit_exceeded", False):
            return (
                "The kernel (the Python process running this notebook) was stopped in this "
                f"cell: it wrote more than the grader's limit of {self.disk_limit_mb} MiB to "
                "disk. The grader restarted the kernel and went on without this cell."
            )
        return (
            "The kernel (the Python process running this notebook) died in this cell: "
            f"it exited, or went over the grader's limits ({self.memory_limit_mb} MiB of "
            f"memory, {self.cpu_limit_seconds} s of CPU time). The grader restarted the "
            "kernel and went on without this cell."
        )

    def _recover(self, failed_index: int) -> None:
        """Restarts the kernel and re-runs the code cells before `failed_index`, except failed ones.

        The re-run cells keep the outputs of their first run. If the restart
        budget is spent, or a re-run fails too, the remaining cells are not run.
        """
        self._failed_cells.add(failed_index)
        while not self._given_up:
            if self._restarts >= self.max_kernel_restarts:
                self._given_up = True
                return
            self._restarts += 1
            self._restart_kernel()
            try:
                self._replay(failed_index)
                return
            except (CellTimeoutError, DeadKernelError):
                continue

    def _restart_kernel(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        run_sync(self.km.restart_kernel)(now=True)
        self.start_new_kernel_client()

    def _replay(self, failed_index: int) -> None:
        self._replaying = True
        try:
            for index in range(failed_index):
                original = self.nb.cells[index]
                if original.cell_type != "code" or index in self._failed_cells:
                    continue
                self.execute_cell(copy.deepcopy(original), index, store_history=False)
                self.nb.cells[index] = original
        finally:
            self._replaying = False

    def process_message(self, msg, cell, cell_index):
        """Caps a display message on its own before nbclient stores it (display ids included).

        An output with a display id is written into every output with that id,
        and `update_display_data` rewrites them without passing through `output`.
        """
        content = msg.get("content") or {}
        transient = content.get("transient") or {}
        if (msg.get("msg_type") in ("display_data", "execute_result", "update_display_data")
                and transient.get("display_id")):
            if _data_size(content) > self.max_output_bytes:
                note = DATA_TRUNCATION_NOTE.format(limit=self.max_output_bytes)
            elif _output_size(content) > self.max_output_chars:
                note = TRUNCATION_NOTE.format(limit=self.max_output_chars)
            else:
                note = None
            if note:
                msg = {**msg, "content": {**content, "data": {"text/plain": note},
                                          "metadata": {}}}
        return super().process_message(msg, cell, cell_index)

    def output(self, outs, msg, display_id, cell_index):
        """Keeps at most `max_output_chars` characters of text and `max_output_bytes` of data."""
        content = msg.get("content", {})
        if self._replaying or msg.get("msg_type") not in OUTPUT_MESSAGES:
            return super().output(outs, msg, display_id, cell_index)
        limit = self.max_output_chars
        if msg["msg_type"] == "error":
            return self._error_output(outs, msg, display_id, cell_index)
        if cell_index in self._cut_cells:
            return None
        used_chars = self._output_chars.get(cell_index, 0) + _output_size(content)
        used_bytes = self._output_bytes.get(cell_index, 0) + _data_size(content)
        previous_chars = self._output_chars.get(cell_index, 0)
        self._output_chars[cell_index] = used_chars
        self._output_bytes[cell_index] = used_bytes
        if used_chars <= limit and used_bytes <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        self._cut_cells.add(cell_index)
        if used_bytes > self.max_output_bytes:
            text = DATA_TRUNCATION_NOTE.format(limit=self.max_output_bytes) + "\n"
        elif msg["msg_type"] == "stream" and content.get("name") == "stdout":
            note = TRUNCATION_NOTE.format(limit=limit)
            text = content["text"][: max(limit - previous_chars, 0)] + "\n" + note + "\n"
        else:
            text = TRUNCATION_NOTE.format(limit=limit) + "\n"
        truncated = {
            **msg, "msg_type": "stream", "header": {**msg["header"], "msg_type": "stream"},
            "content": {"name": "stdout", "text": text},
        }
        return super().output(outs, truncated, display_id, cell_index)

    def _error_output(self, outs, msg, display_id, cell_index):
        """An error is always kept (a failed test cell stays failed), cut to `max_output_chars`.

        Past `MAX_ERRORS_PER_CELL` errors in one cell (only code sending error
        messages itself makes more than one), the rest are dropped: the cell
        has failed already.
        """
        errors = self._errors.get(cell_index, 0)
        if errors >= MAX_ERRORS_PER_CELL:
            return None
        self._errors[cell_index] = errors + 1
        limit = self.max_output_chars
        content = dict(msg.get("content", {}))
        content["ename"] = str(content.get("ename", ""))[:200]
        content["evalue"] = str(content.get("evalue", ""))[:limit]
        traceback, kept = [], 0
        for line in content.get("traceback", []):
            line = str(line)[:limit]
            if kept + len(line) > limit:
                traceback.append(TRUNCATION_NOTE.format(limit=limit))
                break
            traceback.append(line)
            kept += len(line)
        content["traceback"] = traceback
        return super().output(outs, {**msg, "content": content}, display_id, cell_index)

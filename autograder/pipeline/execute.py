"""`GuardedExecute`: nbgrader's Execute preprocessor, hardened for a class of submissions.

nbgrader runs every submission top to bottom in a kernel. A student's notebook
can stop that run in ways nbgrader does not survive: a loop that ignores the
interrupt nbgrader sends at the timeout raises `CellTimeoutError` out of the
whole autograde; a kernel that exits (`os._exit`, the out-of-memory killer)
raises `DeadKernelError`; a cell printing gigabytes fills the grader's memory.
And a test cell that was never run has no error output, which nbgrader scores
as full marks.

`GuardedExecute` keeps grading in all those cases:

- the kernel runs under a memory limit (`RLIMIT_DATA`) and a CPU-time limit
  (`RLIMIT_CPU`), so a runaway notebook cannot take the machine down;
- when a cell times out and ignores the interrupt, or the kernel dies, the cell
  gets an error output saying so, the kernel is restarted, the cells before it
  are run again (their outputs are kept from the first run), and grading goes
  on with the next cell;
- after `max_kernel_restarts` restarts, every remaining code cell gets a
  `NotExecuted` error, so no test cell earns points it was not run for;
- each cell's outputs are capped at `max_output_chars` characters, with a note
  where they were cut.

The error names it writes (`CellTimeoutError`, `KernelDied`, `NotExecuted`) and
the truncation note are what `autograder.pipeline.report` reads back to give each
submission its status.

Example (in `nbgrader_config.py`):

    from autograder.pipeline.execute import GuardedExecute
    c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ...]
    c.GuardedExecute.memory_limit_mb = 4096
"""

from __future__ import annotations

import copy
import resource

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

KERNEL_DIED_ERROR = "KernelDied"
NOT_EXECUTED_ERROR = "NotExecuted"
TIMEOUT_ERROR = "CellTimeoutError"
TRUNCATION_NOTE = "[output truncated by the grader: this cell printed more than {limit} characters]"


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
        A function of no arguments that sets the limits in the calling process.
    """

    def apply_limits():
        if memory_limit_mb > 0:
            memory = memory_limit_mb * 2**20
            resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
        if cpu_limit_seconds > 0:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit_seconds, cpu_limit_seconds + 5))

    return apply_limits


def _output_size(content: dict) -> int:
    """How many characters of text an iopub output message carries (images are not counted)."""
    if "text" in content:
        return len(content["text"])
    data = content.get("data", {})
    return sum(len(value) if isinstance(value, str) else len(str(value))
               for mimetype, value in data.items() if mimetype.startswith("text/"))


class GuardedExecute(Execute):
    """Runs a submission like nbgrader's Execute, but survives what a student's code can do.

    Configure it in `nbgrader_config.py` as `c.GuardedExecute.<trait>`; the
    traits of nbgrader's `Execute` (`timeout`, `interrupt_on_timeout`, ...) apply.
    """

    memory_limit_mb = Integer(
        4096, help="Memory limit of the grading kernel in MiB (RLIMIT_DATA); 0 for none."
    ).tag(config=True)

    cpu_limit_seconds = Integer(
        600, help="CPU-time limit of each grading kernel in seconds (RLIMIT_CPU); 0 for none."
    ).tag(config=True)

    max_output_chars = Integer(
        100_000, help="Characters of text output kept per cell; the rest is cut, with a note."
    ).tag(config=True)

    max_kernel_restarts = Integer(
        3, help="Kernel restarts allowed per notebook before the remaining cells are not run."
    ).tag(config=True)

    # nbclient skips cells tagged "skip-execution"; a student could tag a test cell
    # and earn its points without running it. No cell is skipped here.
    skip_cells_with_tag = Unicode("course-grader-never-skips")

    def preprocess(self, nb, resources=None, km=None):
        self._restarts = 0
        self._given_up = False
        self._failed_cells: set[int] = set()
        self._output_chars: dict[int, int] = {}
        self._replaying = False
        return super().preprocess(nb, resources, km)

    async def async_start_new_kernel(self, **kwargs):
        """Starts the kernel with the memory and CPU limits (kept across restarts)."""
        kwargs.setdefault(
            "preexec_fn", kernel_limits(self.memory_limit_mb, self.cpu_limit_seconds)
        )
        await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)

    def preprocess_cell(self, cell, resources, index):
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
            cell.outputs.append(error_output(KERNEL_DIED_ERROR, (
                "The kernel (the Python process running this notebook) died in this cell: "
                f"it exited, or went over the grader's limits ({self.memory_limit_mb} MiB of "
                f"memory, {self.cpu_limit_seconds} s of CPU time). The grader restarted the "
                "kernel and went on without this cell."
            )))
            self._recover(index)
        return cell, self.resources

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

    def output(self, outs, msg, display_id, cell_index):
        """Keeps at most `max_output_chars` characters of a cell's output."""
        content = msg.get("content", {})
        if self._replaying or msg.get("msg_type") not in (
            "stream", "display_data", "execute_result", "error"
        ):
            return super().output(outs, msg, display_id, cell_index)
        limit = self.max_output_chars
        note = TRUNCATION_NOTE.format(limit=limit)
        if msg["msg_type"] == "error":
            content = dict(content)
            content["evalue"] = content.get("evalue", "")[:limit]
            content["traceback"] = [line[:limit] for line in content.get("traceback", [])]
            return super().output(outs, {**msg, "content": content}, display_id, cell_index)
        used = self._output_chars.get(cell_index, 0)
        size = _output_size(content)
        if used > limit:
            return None
        self._output_chars[cell_index] = used + size
        if used + size <= limit:
            return super().output(outs, msg, display_id, cell_index)
        self._output_chars[cell_index] = limit + 1
        if msg["msg_type"] == "stream" and content.get("name") == "stdout":
            text = content["text"][: max(limit - used, 0)] + "\n" + note + "\n"
        else:
            text = note + "\n"
        truncated = {
            **msg, "msg_type": "stream", "header": {**msg["header"], "msg_type": "stream"},
            "content": {"name": "stdout", "text": text},
        }
        return super().output(outs, truncated, display_id, cell_index)

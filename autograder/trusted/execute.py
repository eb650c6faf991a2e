"""`TrustedExecute`: the score of a submission from checks the student's code never touched.

nbgrader scores a test cell by its output: no error, full marks. The output
comes from the kernel, and the kernel runs the student's code, which can
replace the check functions, install IPython hooks that skip or rewrite later
cells, fake the objects a check looks at, or behave differently when graded.
So no test cell runs in the kernel here:

1. the notebook runs in the (sandboxed) kernel as `GuardedExecute` runs it,
   except that at each test cell the kernel only writes a snapshot of its
   variables as data (`autograder.trusted.snapshot`); the test cell's source,
   hidden tests included, never reaches the kernel;
2. after the last cell, a new Python process (`autograder.trusted.recheck`),
   sandboxed too, rebuilds each snapshot into Keras objects and runs the test
   cell's source, as nbgrader restored it from the gradebook, on them; when
   `kfc-grade` started a recheck server for the kernel slot held
   (`autograder.trusted.server`), that process is forked from the server,
   which has Keras loaded already, and a fresh one runs only if it fails;
3. each test cell's outputs become what that process found: nothing when it
   passed, the check's message as an error when it failed. nbgrader's
   `SaveAutoGrades` then scores these outputs as usual, so a number printed
   by the student's code can never count as partial credit.

A cell whose snapshot is missing or malformed fails with the error name
`AnswersNotReadable`, which `autograder.pipeline.report` reports as
"tampering suspected".

Example (in `nbgrader_config.py`):

    from autograder.trusted.execute import TrustedExecute
    c.Autograde.autograde_preprocessors = [TrustedExecute, IgnorePattern, ...]
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from nbclient.util import run_sync
from traitlets import Integer

from autograder.pipeline.execute import (
    KERNEL_DIED_ERROR,
    NOT_EXECUTED_ERROR,
    TIMEOUT_ERROR,
    GuardedExecute,
    error_output,
    kernel_limits,
    kernel_slot,
)
from autograder.pipeline.sandbox import read_exported, remove_tree, thread_environment, wrap
from autograder.trusted.recheck import CHECKS_FAILED_TO_RUN, UNREADABLE
from autograder.trusted.server import ServerUnavailable, ask, server_folder

EXPORT_SOURCE = (
    "__import__('autograder.trusted.snapshot', fromlist=['export']).export(globals(), {path!r})"
)
GUARD_ERRORS = (KERNEL_DIED_ERROR, NOT_EXECUTED_ERROR, TIMEOUT_ERROR)
MAX_RESULTS_BYTES = 64 * 2**20


def is_test_cell(cell) -> bool:
    """An nbgrader test cell: graded, not an answer cell, code."""
    metadata = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(metadata.get("grade")) and not metadata.get(
        "solution")


class TrustedExecute(GuardedExecute):
    """Runs a submission like `GuardedExecute`, scoring its test cells outside the kernel."""

    recheck_timeout = Integer(
        600, help="Seconds the trusted checks of one notebook may take in all."
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._tests: list[dict] = []
        self._probe_errors: dict[int, list] = {}
        self._checker: subprocess.Popen | None = None
        self._server: Path | None = None
        self._exchange: Path | None = None
        own_export_parent = getattr(self, "_export_parent", None)
        try:
            with kernel_slot() as slot:  # the kernel and the trusted checks after it
                self._holding_slot = True
                self._server = self._server_for(slot)
                # With a recheck server, the job's files go where its sandbox can see them.
                self._exchange = Path(tempfile.mkdtemp(prefix="kfc-trusted-", dir=self._server))
                (self._exchange / "in").mkdir()
                (self._exchange / "out").mkdir()
                if self._server is not None:
                    self._export_parent = self._exchange / "exports"
                    self._export_parent.mkdir(mode=0o700)
                nb, resources = super().preprocess(nb, resources, km)
                self._score(nb)
        finally:
            self._holding_slot = False
            if self._checker is not None and self._checker.poll() is None:
                self._checker.kill()
                self._checker.wait()
            if self._server is not None:
                self._export_parent = own_export_parent
            if self._exchange is not None:
                remove_tree(self._exchange)
        return nb, resources

    def _server_for(self, slot: Path | None) -> Path | None:
        """The recheck server folder of the kernel slot held, if the run started one."""
        if slot is None or not self.sandbox:
            return None
        folder = server_folder(slot)
        return folder if folder.is_dir() else None

    async def async_start_new_kernel_client(self):
        """Starts the trusted checks' process too, once: it loads Keras while the kernel runs."""
        result = await super().async_start_new_kernel_client()
        if getattr(self, "_checker", None) is None and getattr(self, "_server", None) is None:
            self._checker = self._start_checker()
        return result

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    # Where snapshots go: the kernel writes them, the trusted checks read them.
    def _export_folders(self) -> tuple[Path, str]:
        host = getattr(self, "export_dir", None)
        if host:
            return Path(host), str(self.kernel_export_dir)
        folder = self._exchange / "export"
        folder.mkdir(exist_ok=True)
        return folder, str(folder)

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell) or self._given_up:
            return super().preprocess_cell(cell, resources, index)
        host, inside = self._export_folders()
        name = f"cell-{index:04d}"
        self._tests.append({
            "cell": index, "grade_id": cell.metadata.nbgrader.get("grade_id", f"cell {index}"),
            "source": cell.source, "snapshot": str(host / name),
        })
        probe = copy.deepcopy(cell)
        probe.source = EXPORT_SOURCE.format(path=f"{inside}/{name}")
        probe.outputs = []
        probe, resources = super().preprocess_cell(probe, resources, index)
        # nbclient put the probe in the notebook in the test cell's place: put the test back,
        # so the graded notebook (and the Formgrader) shows the test cell, not the export.
        self.nb.cells[index] = cell
        guard = [output for output in probe.outputs if output.get("output_type") == "error"
                 and output.get("ename") in GUARD_ERRORS]
        if guard:
            self._probe_errors[index] = guard
        cell.outputs = []
        cell.execution_count = probe.get("execution_count")
        return cell, resources

    def _replay(self, failed_index: int) -> None:
        """Re-runs the cells before `failed_index` after a restart, test cells left out."""
        self._replaying = True
        try:
            for index in range(failed_index):
                original = self.nb.cells[index]
                if (original.cell_type != "code" or index in self._failed_cells
                        or is_test_cell(original)):
                    continue
                self.execute_cell(copy.deepcopy(original), index, store_history=False)
                self.nb.cells[index] = original
        finally:
            self._replaying = False

    def _score(self, nb) -> None:
        """Runs the trusted checks and writes what they found into the test cells."""
        cells = nb.cells
        for index, errors in self._probe_errors.items():
            cells[index].outputs = errors
        pending = [test for test in self._tests if test["cell"] not in self._probe_errors]
        exported = {test["cell"] for test in self._tests}
        for index, cell in enumerate(cells):
            # A test cell the run never reached (the kernel given up on) scores nothing.
            if is_test_cell(cell) and index not in exported and not any(
                    output.get("output_type") == "error" for output in cell.outputs):
                cell.outputs = [error_output(NOT_EXECUTED_ERROR, (
                    "The grader did not run this cell."))]
        if not pending:
            return
        results = self._run_checks(pending)
        for test in pending:
            result = results.get(test["cell"])
            if result is None:
                cells[test["cell"]].outputs = [error_output(CHECKS_FAILED_TO_RUN, (
                    "The grader's checks did not finish for this cell; it earns no points. "
                    "Tell your instructor."))]
            elif result.get("passed"):
                cells[test["cell"]].outputs = []
            else:
                output = error_output(str(result.get("ename", "Error")),
                                      str(result.get("evalue", "")))
                output.traceback = [str(line) for line in result.get("traceback", [])]
                cells[test["cell"]].outputs = [output]

    def recheck_command(self, tests_path: Path, results_path: Path) -> list[str]:
        """The command line of the trusted checks process.

        With `sandbox` it runs in a sandbox like the kernel's: it reads only the
        snapshots and the test sources, and writes only its results.
        """
        command = [sys.executable, "-m", "autograder.trusted.recheck", "--wait",
                   str(tests_path), str(results_path)]
        if not self.sandbox:
            return command
        host, _ = self._export_folders()
        return wrap(command, readable=[str(host), str(tests_path.parent)],
                    writable=[str(results_path.parent)],
                    environment={"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""})

    def _start_checker(self) -> subprocess.Popen:
        environment = {key: value for key, value in os.environ.items()
                       if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
        environment.update(TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1", MPLBACKEND="Agg",
                           PYTHONDONTWRITEBYTECODE="1", CUDA_VISIBLE_DEVICES="",
                           **thread_environment())
        command = self.recheck_command(self._exchange / "in" / "tests.json",
                                       self._exchange / "out" / "results.json")
        return subprocess.Popen(
            command, env=environment, cwd=self._exchange, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=kernel_limits(self.memory_limit_mb, self.cpu_limit_seconds))

    def _run_checks(self, pending: list[dict]) -> dict[int, dict]:
        tests_path = self._exchange / "in" / "tests.json"
        results_path = self._exchange / "out" / "results.json"
        tests_path.write_text(json.dumps(pending), encoding="utf-8")
        if self._server is not None:
            results = self._ask_server(tests_path, results_path)
            if results is not None:
                return results
        checker = self._checker if self._checker is not None else self._start_checker()
        self._checker = checker
        try:
            log, _ = checker.communicate(b"go\n", timeout=self.recheck_timeout)
        except subprocess.TimeoutExpired:
            checker.kill()
            checker.communicate()
            self.log.error("The trusted checks took longer than %s s", self.recheck_timeout)
            return {}
        results = self._read_results(results_path) if checker.returncode == 0 else None
        if results is None:
            self.log.error("The trusted checks failed: %s", log.decode(errors="replace")[-2000:])
            return {}
        return results

    def _ask_server(self, tests_path: Path, results_path: Path) -> dict[int, dict] | None:
        """The results from the slot's recheck server; None to check in a fresh process.

        A timeout counts as the fresh process's would (no results); a server that is
        not there, crashed, or whose child failed leaves the notebook to a fresh process.
        """
        log_path = results_path.with_name("log")
        try:
            answer = ask(self._server, {
                "tests": str(tests_path), "results": str(results_path), "log": str(log_path),
                "timeout": self.recheck_timeout, "memory_limit_mb": self.memory_limit_mb,
                "cpu_limit_seconds": self.cpu_limit_seconds})
        except ServerUnavailable as error:
            self.log.warning("The recheck server could not check this notebook (%s): "
                             "checking it in a fresh process.", error)
            return None
        if answer.get("timeout"):
            self.log.error("The trusted checks took longer than %s s", self.recheck_timeout)
            return {}
        results = self._read_results(results_path) if answer.get("exit") == 0 else None
        if results is None:
            try:
                log = read_exported(log_path.parent, log_path.name, 2**20)
            except (OSError, ValueError):
                log = b""
            self.log.warning("The recheck server's checks failed (%s): checking this notebook "
                             "in a fresh process. %s", answer, log.decode(errors="replace")[-2000:])
            remove_tree(results_path.parent)
            results_path.parent.mkdir()
        return results

    def _read_results(self, results_path: Path) -> dict[int, dict] | None:
        """The results file the checks wrote, read as data; None when it is not readable."""
        try:
            document = json.loads(read_exported(results_path.parent, results_path.name,
                                                MAX_RESULTS_BYTES))
            return {int(result["cell"]): result for result in document}
        except (OSError, ValueError, TypeError, KeyError):
            return None


__all__ = ["CHECKS_FAILED_TO_RUN", "UNREADABLE", "TrustedExecute", "is_test_cell"]

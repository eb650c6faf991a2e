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
   `kfc-grade` started recheck servers (`autograder.trusted.server`), that
   process is forked from a free one, which has Keras loaded already, and a
   fresh one runs only if it fails. The checks run after the kernel has left
   its kernel slot, so the next notebook's kernel runs meanwhile;
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

import contextlib
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
    hold_one_of,
    kernel_limits,
    slots_folder,
)
from autograder.pipeline.sandbox import read_exported, remove_tree, thread_environment, wrap
from autograder.trusted.recheck import CHECKS_FAILED_TO_RUN, UNREADABLE
from autograder.trusted.server import ServerUnavailable, ask, server_lock

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
        self._servers = self._recheck_servers()
        # With recheck servers, the job's files go next to them, on their filesystem: the
        # folder is moved into a server's folder, where its sandbox sees it, for the checks.
        self._exchange: Path | None = Path(tempfile.mkdtemp(
            prefix="kfc-trusted-", dir=slots_folder() if self._servers else None))
        own_export_parent = getattr(self, "_export_parent", None)
        try:
            (self._exchange / "in").mkdir()
            (self._exchange / "out").mkdir()
            if self._servers:
                self._export_parent = self._exchange / "exports"
                self._export_parent.mkdir(mode=0o700)
            # The kernel runs in a kernel slot; its checks run after it has left the slot.
            nb, resources = super().preprocess(nb, resources, km)
            self._score(nb)
        finally:
            if self._checker is not None and self._checker.poll() is None:
                self._checker.kill()
                self._checker.wait()
            if self._servers:
                self._export_parent = own_export_parent
            remove_tree(self._exchange)
        return nb, resources

    def _recheck_servers(self) -> list[Path]:
        """The recheck server folders the run started (`server.RecheckServers`), if sandboxed."""
        folder = slots_folder()
        if folder is None or not self.sandbox:
            return []
        return sorted(path for path in folder.glob("recheck-*") if path.is_dir())

    async def async_start_new_kernel_client(self):
        """Starts the trusted checks' process too, once: it loads Keras while the kernel runs."""
        result = await super().async_start_new_kernel_client()
        if getattr(self, "_checker", None) is None and not getattr(self, "_servers", None):
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
        if self._servers:
            results = self._check_on_a_server(pending)
            if results is not None:
                return results
            if not self._fresh_exchange():
                return {}
        tests_path = self._exchange / "in" / "tests.json"
        results_path = self._exchange / "out" / "results.json"
        _write_tests(tests_path, pending, self._exchange, self._exchange)
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

    def _check_on_a_server(self, pending: list[dict]) -> dict[int, dict] | None:
        """The results from a free recheck server of the run; None to check in a fresh process.

        Waits for a server no other notebook is using (`server.server_lock`), moves the
        job's folder into the server's folder for the request, and back afterwards,
        whatever the server did.
        """
        servers = {server_lock(folder): folder for folder in self._servers}
        with hold_one_of(list(servers)) as lock:
            folder = servers[lock]
            served = folder / self._exchange.name
            try:
                os.rename(self._exchange, served)
            except OSError as error:
                self.log.warning("The job could not be moved to the recheck server (%s): "
                                 "checking this notebook in a fresh process.", error)
                return None
            try:
                tests_path = served / "in" / "tests.json"
                _write_tests(tests_path, pending, self._exchange, served)
                return self._ask_server(folder, tests_path, served / "out" / "results.json")
            finally:
                os.rename(served, self._exchange)

    def _fresh_exchange(self) -> bool:
        """After a server failed: new `in` and `out` folders for the fresh process.

        The server's child could write in the job's folder; False (no checks) when
        it replaced the snapshots' folders with something else.
        """
        for name in ("in", "out"):
            remove_tree(self._exchange / name)
            (self._exchange / name).mkdir()
        return all(path.is_dir() and not path.is_symlink()
                   for path in (self._export_parent, self.export_dir))

    def _ask_server(self, folder: Path, tests_path: Path,
                    results_path: Path) -> dict[int, dict] | None:
        """The results from the recheck server of `folder`; None to check in a fresh process.

        A timeout counts as the fresh process's would (no results); a server that is
        not there, crashed, or whose child failed leaves the notebook to a fresh process.
        """
        log_path = results_path.with_name("log")
        try:
            answer = ask(folder, {
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


def _write_tests(path: Path, pending: list[dict], written_in: Path, now_in: Path) -> None:
    """Writes the checks' input, each snapshot path moved from `written_in` to `now_in`.

    The file is made anew (never written through whatever a check left at its place).
    """
    tests = []
    for test in pending:
        snapshot = Path(test["snapshot"])
        if snapshot.is_relative_to(written_in):
            snapshot = now_in / snapshot.relative_to(written_in)
        tests.append({**test, "snapshot": str(snapshot)})
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(tests, file)


__all__ = ["CHECKS_FAILED_TO_RUN", "UNREADABLE", "TrustedExecute", "is_test_cell"]

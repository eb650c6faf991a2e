"""GuardedExecute survives what a student's notebook can do to a kernel, and grades the rest.

Each test runs a small notebook (no TensorFlow) with a short cell timeout.
"""

from __future__ import annotations

import threading
import time

import pytest
from _notebooks import REPOSITORY
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.preprocessors import Execute
from traitlets.config import PyFileConfigLoader

from autograder.pipeline.execute import (
    KERNEL_DIED_ERROR,
    KERNEL_SLOTS_VARIABLE,
    NOT_EXECUTED_ERROR,
    TIMEOUT_ERROR,
    GuardedExecute,
    kernel_slot,
    make_kernel_slots,
)
from autograder.pipeline.sandbox import EXPORT_MOUNT

IGNORES_INTERRUPTS = (
    "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "while True:\n    time.sleep(0.05)"
)


def run(sources: list[str], tmp_path, **traits) -> list:
    """Runs the cells with GuardedExecute; returns the executed cells."""
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    traits = {"timeout": 3, **traits}
    executed, _ = GuardedExecute(**traits).preprocess(
        notebook, {"metadata": {"path": str(tmp_path)}}
    )
    return executed.cells


def error_names(cell) -> list[str]:
    return [output.ename for output in cell.outputs if output.output_type == "error"]


def stdout(cell) -> str:
    return "".join(output.text for output in cell.outputs if output.output_type == "stream")


def _notebook(sources: list[str]):
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    return notebook


def test_the_kernel_is_killed_after_the_last_cell_so_a_students_atexit_hook_never_runs(
        tmp_path):
    executor = GuardedExecute(timeout=10)
    executor.preprocess(_notebook([
        "import atexit, time\n"
        f"atexit.register(lambda: (open({EXPORT_MOUNT!r} + '/after-exit', 'w').write('x'), "
        "time.sleep(3)))"]), {"metadata": {"path": str(tmp_path)}})
    assert executor.export_dir.is_dir()
    assert not (executor.export_dir / "after-exit").exists(), (
        "the kernel was asked to exit, and ran the notebook's atexit hook")


def _kernel_up(executor) -> bool:
    return (getattr(executor, "kc", None) is not None and executor.km is not None
            and executor.km.has_kernel)


def test_the_kernel_starts_while_another_holds_the_slot_and_runs_no_cell_before_its_turn(
        tmp_path, monkeypatch):
    monkeypatch.setenv(KERNEL_SLOTS_VARIABLE, str(make_kernel_slots(tmp_path / "slots", 1)))
    executor = GuardedExecute(timeout=10)
    notebook = _notebook(["print('ran')"])
    executed = []
    with kernel_slot():  # another submission's kernel runs in the only slot
        thread = threading.Thread(target=lambda: executed.append(executor.preprocess(
            notebook, {"metadata": {"path": str(tmp_path)}})[0]))
        thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _kernel_up(executor):
            time.sleep(0.05)
        assert _kernel_up(executor), "the kernel was not started while the slot was taken"
        thread.join(1)
        assert thread.is_alive() and not notebook.cells[0].outputs, (
            "a cell ran before the kernel had a slot")
    thread.join(60)
    assert stdout(executed[0].cells[0]) == "ran\n"


def test_an_interrupted_infinite_loop_costs_only_its_cell(tmp_path):
    cells = run(["x = 41", "while True:\n    pass", "print(x + 1)"], tmp_path)
    assert error_names(cells[1]) == ["KeyboardInterrupt", TIMEOUT_ERROR]
    assert stdout(cells[2]) == "42\n"


def test_a_loop_that_ignores_interrupts_is_stopped_and_the_notebook_goes_on(tmp_path):
    cells = run(["x = 41", IGNORES_INTERRUPTS, "print(x + 1)"], tmp_path)
    assert error_names(cells[1]) == [TIMEOUT_ERROR]
    assert "did not stop when interrupted" in cells[1].outputs[-1].evalue
    assert stdout(cells[2]) == "42\n", "the cells before were re-run in the new kernel"
    assert stdout(cells[0]) == "", "re-running a cell does not change its recorded output"


@pytest.mark.parametrize("death", [
    "import os\nos._exit(1)",
    "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
])
def test_a_dead_kernel_costs_only_its_cell(death, tmp_path):
    cells = run(["x = 41", death, "print(x + 1)"], tmp_path)
    assert error_names(cells[1]) == [KERNEL_DIED_ERROR]
    assert stdout(cells[2]) == "42\n"


def test_after_too_many_restarts_the_remaining_cells_are_marked_not_run(tmp_path):
    cells = run(["import os", "os._exit(1)", "os._exit(1)", "print('graded?')"], tmp_path,
                max_kernel_restarts=1)
    assert error_names(cells[1]) == [KERNEL_DIED_ERROR]
    assert error_names(cells[2]) == [KERNEL_DIED_ERROR]
    assert error_names(cells[3]) == [NOT_EXECUTED_ERROR], (
        "a cell that was not run must carry an error, or nbgrader gives a test cell full marks"
    )


def test_nbgraders_own_execute_loses_the_whole_notebook_to_an_ignored_interrupt(tmp_path):
    """Why GuardedExecute exists: nbgrader's Execute raises out of the whole notebook."""
    notebook = new_notebook(cells=[new_code_cell(IGNORES_INTERRUPTS), new_code_cell("1")])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    with pytest.raises(Exception, match="Timeout"):
        Execute(timeout=3).preprocess(notebook, {"metadata": {"path": str(tmp_path)}})


def test_memory_past_the_limit_raises_memory_error_in_the_cell(tmp_path):
    cells = run(["blocks = []\nwhile True:\n    blocks.append(bytearray(2**26))",
                 "del blocks\nprint('still alive')"], tmp_path, memory_limit_mb=512, timeout=30)
    assert error_names(cells[0]) == ["MemoryError"]
    assert stdout(cells[1]) == "still alive\n"


def test_cpu_time_past_the_limit_kills_the_kernel(tmp_path):
    cells = run(["x = 1", "while True:\n    pass", "print(x)"], tmp_path,
                cpu_limit_seconds=1, timeout=30)
    assert error_names(cells[1]) == [KERNEL_DIED_ERROR]
    assert stdout(cells[2]) == "1\n"


@pytest.mark.parametrize("source", [
    "for step in range(100_000):\n    print('step', step)",
    "print('x' * 10_000_000)",
])
def test_outputs_are_capped_with_a_note(source, tmp_path):
    cells = run([source, "print('next')"], tmp_path, max_output_chars=1000)
    text = stdout(cells[0])
    assert len(text) < 1200
    assert "[output truncated by the grader" in text
    assert stdout(cells[1]) == "next\n"


def test_an_enormous_error_message_is_capped(tmp_path):
    cells = run(["raise ValueError('z' * 1_000_000)"], tmp_path, max_output_chars=1000)
    assert error_names(cells[0]) == ["ValueError"]
    assert len(cells[0].outputs[0].evalue) == 1000


def test_a_cell_tagged_skip_execution_is_still_run(tmp_path):
    """A student cannot tag a test cell to skip it: a test cell that never ran scores full."""
    notebook_cell = new_code_cell("raise AssertionError('wrong answer')")
    notebook_cell.metadata["tags"] = ["skip-execution"]
    notebook = new_notebook(cells=[notebook_cell])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    executed, _ = GuardedExecute(timeout=3).preprocess(
        notebook, {"metadata": {"path": str(tmp_path)}})
    assert error_names(executed.cells[0]) == ["AssertionError"]


def test_the_course_config_grades_with_guarded_execute():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPOSITORY)).load_config()
    assert any(isinstance(preprocessor, type) and issubclass(preprocessor, GuardedExecute)
               for preprocessor in config.Autograde.autograde_preprocessors)
    assert Execute not in config.Autograde.autograde_preprocessors
    assert config.OverwriteCells.add_missing_cells is True
    assert config.GuardedExecute.memory_limit_mb > 0
    assert config.GuardedExecute.cpu_limit_seconds > 0
    assert config.GuardedExecute.sandbox is True
    assert config.LimitOutput.max_lines > 0

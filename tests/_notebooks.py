"""Runs course notebooks in a kernel and replays wrong answers against their graded cells.

Used by the course tests: a notebook is executed once, top to bottom; then each
mistake replaces one exercise cell with wrong code, runs that exercise's test
cells, records what they raised, and restores the right answer.
"""

from __future__ import annotations

import copy
import runpy
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPOSITORY = Path(__file__).resolve().parent.parent
SOLUTIONS = REPOSITORY / "solutions"
COURSE = REPOSITORY / "course"


@dataclass
class Mistake:
    """A plausible wrong answer to one exercise.

    Args:
        notebook: path of the notebook under `solutions/`,
            e.g. "05-shared-layers/shared_layers.ipynb".
        cell: grade_id of the exercise (solution) cell that the wrong code replaces.
        code: the wrong answer, the whole cell.
        fails: grade_id of each test cell that must fail -> a fragment of its
            AssertionError message.
        why: what the mistake is, in a few words.
    """

    notebook: str
    cell: str
    code: str
    fails: dict[str, str]
    why: str


@dataclass
class CellOutcome:
    """What one test cell did: the exception name and message, or None if it passed."""

    grade_id: str
    error_name: str | None
    error_message: str = ""
    stderr: str = ""


@dataclass
class MistakeOutcome:
    mistake: Mistake
    wrong_cell_error: str | None
    tests: dict[str, CellOutcome] = field(default_factory=dict)


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test_cell(cell) -> bool:
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return bool(nbgrader.get("grade")) and cell.cell_type == "code"


def is_solution_cell(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def exercise_test_cells(notebook, solution_grade_id: str) -> list:
    """The test cells that follow a solution cell, up to the next solution cell."""
    cells = notebook.cells
    start = next(i for i, cell in enumerate(cells) if grade_id(cell) == solution_grade_id)
    tests = []
    for cell in cells[start + 1:]:
        if is_solution_cell(cell):
            break
        if is_test_cell(cell):
            tests.append(cell)
    return tests


def _outcome(cell) -> tuple[str | None, str, str]:
    errors = [output for output in cell.outputs if output.output_type == "error"]
    stderr = "".join(
        output.text for output in cell.outputs
        if output.output_type == "stream" and output.name == "stderr"
    )
    if errors:
        return errors[0].ename, errors[0].evalue, stderr
    return None, "", stderr


def replay_mistakes(notebook_path: Path, mistakes: list[Mistake]) -> list[MistakeOutcome]:
    """Executes the notebook once, then replays each mistake in the same kernel.

    Args:
        notebook_path: the solution notebook.
        mistakes: wrong answers to exercises of that notebook.

    Returns:
        One MistakeOutcome per mistake, in order.
    """
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=300, allow_errors=True,
        record_timing=False, resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    outcomes = []
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        by_id = {grade_id(cell): (index, cell) for index, cell in enumerate(notebook.cells)}
        for mistake in mistakes:
            index, solution = by_id[mistake.cell]
            wrong = copy.deepcopy(solution)
            wrong.source = mistake.code
            client.execute_cell(wrong, index)
            wrong_error = _outcome(wrong)[0]
            outcome = MistakeOutcome(mistake, wrong_error)
            for test in exercise_test_cells(notebook, mistake.cell):
                replay = copy.deepcopy(test)
                client.execute_cell(replay, by_id[grade_id(test)][0])
                outcome.tests[grade_id(test)] = CellOutcome(grade_id(test), *_outcome(replay))
            restore = copy.deepcopy(solution)
            client.execute_cell(restore, index)
            outcomes.append(outcome)
    return outcomes


def chapters() -> list[str]:
    """The chapter folders under `solutions/` (one nbgrader assignment each), in order."""
    return sorted(
        path.name for path in SOLUTIONS.iterdir()
        if path.is_dir() and path.name[:2].isdigit() and path.name[2] == "-"
    )


def chapter_notebook(chapter: str, root: Path = SOLUTIONS) -> Path:
    """The one notebook of a chapter folder under `root` (solutions/ or course/)."""
    notebooks = sorted((root / chapter).glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(f"{root / chapter} should hold exactly one notebook, found {notebooks}")
    return notebooks[0]


def load_mistakes(chapter: str) -> list[Mistake]:
    """The wrong answers written for a chapter, from tests/mistakes/chapter_NN.py."""
    path = Path(__file__).parent / "mistakes" / f"chapter_{chapter[:2]}.py"
    return [Mistake(**entry) for entry in runpy.run_path(str(path))["MISTAKES"]]


def run_nbgrader(*arguments: str, cwd: Path = REPOSITORY, timeout: int = 900):
    """Runs an nbgrader command in `cwd` and returns the completed process (output as text)."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *arguments], cwd=cwd, capture_output=True,
        text=True, timeout=timeout, check=False,
    )

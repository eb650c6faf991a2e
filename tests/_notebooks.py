"""The course's notebooks and wrong answers, as the course tests read them.

The chapters and their notebooks under `solutions/` and `course/`, the wrong answers of
`tests/mistakes/` (replayed against the graded cells by `autograder.mutation.run`, in
the mutants' kernel: tests/test_course_mutants.py), and nbgrader run as a command.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test_cell(cell) -> bool:
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return bool(nbgrader.get("grade")) and cell.cell_type == "code"


def is_solution_cell(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


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

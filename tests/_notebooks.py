"""The course's notebooks and wrong answers, as the course tests read them.

The chapters and their notebooks under `solutions/` and `course/`, their graded cells,
and nbgrader run as a command. The wrong answers of `tests/mistakes/` are read and
replayed by `autograder.mutation.run` (tests/test_course_mutants.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SOLUTIONS = REPOSITORY / "solutions"
COURSE = REPOSITORY / "course"


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


def run_nbgrader(*arguments: str, cwd: Path = REPOSITORY, timeout: int = 900):
    """Runs an nbgrader command in `cwd` and returns the completed process (output as text)."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *arguments], cwd=cwd, capture_output=True,
        text=True, timeout=timeout, check=False,
    )

"""Benchmark: every chapter's solution notebook runs top to bottom in under a minute on a CPU.

Run with `python benchmarks/notebooks.py [chapter ...]`. Each notebook in `solutions/` is
executed in a fresh kernel, one after the other, as `nbgrader validate` and nbval run it;
the script prints the wall-clock time of each (kernel start-up included) and exits
non-zero if any takes longer than the target (default 60 s, `--target`) or raises an
error that its cell does not expect. This is a measurement for maintainers, not part of
the test suite: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"


def chapter_notebooks(chapters: list[str]) -> list[Path]:
    """The solution notebook of each chapter asked for (all chapters when none is)."""
    folders = sorted(
        path for path in SOLUTIONS.iterdir() if path.is_dir() and path.name[0].isdigit()
    )
    if chapters:
        unknown = sorted(set(chapters) - {folder.name for folder in folders})
        if unknown:
            raise SystemExit(
                f"Unknown chapter(s) {unknown}: choose from {[f.name for f in folders]}."
            )
        folders = [folder for folder in folders if folder.name in chapters]
    return [notebook for folder in folders for notebook in sorted(folder.glob("*.ipynb"))]


def run(notebook_path: Path) -> tuple[float, list[str]]:
    """Executes one notebook; returns its wall-clock seconds and its unexpected errors."""
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=600, allow_errors=True,
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    errors = [
        f"{output.ename}: {output.evalue}"
        for cell in notebook.cells if cell.cell_type == "code"
        and "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.outputs if output.output_type == "error"
    ]
    return seconds, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter folders, e.g. 05-shared-layers")
    parser.add_argument("--target", type=float, default=60.0, help="seconds per notebook")
    arguments = parser.parse_args(argv)
    failed = False
    for notebook_path in chapter_notebooks(arguments.chapters):
        seconds, errors = run(notebook_path)
        verdict = "ok" if seconds <= arguments.target and not errors else "TOO SLOW"
        if errors:
            verdict = f"ERROR ({errors[0]})"
        failed = failed or verdict != "ok"
        print(f"{notebook_path.relative_to(SOLUTIONS)!s:60} {seconds:6.1f} s  {verdict}",
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

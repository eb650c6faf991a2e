"""Scores one notebook the way `kfc-grade` does, and prints each test cell's outcome.

For maintainers writing a chapter: every test cell of a solution notebook must
pass through the trusted checks (the test cells run on what the kernel exported,
not in the kernel), not only in the kernel as nbval and Validate run them.

    python -m autograder.trusted solutions/09-custom-layers/custom_layers.ipynb

It runs the notebook with `TrustedExecute` in the sandbox (without it, with a
warning, where no sandbox can be made), prints one line per test cell (its
`grade_id`, then PASS or the first line of its message) and exits 1 if any
test cell failed, 2 if the notebook cannot be read.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

from autograder.pipeline.sandbox import sandbox_problem
from autograder.trusted.execute import TrustedExecute, is_test_cell


def score(path: Path, *, sandbox: bool, timeout: int = 120) -> list[tuple[str, str | None]]:
    """Runs `path` through `TrustedExecute`.

    Returns:
        `(grade_id, message)` for each test cell, message None when it passed.
    """
    notebook = nbformat.read(path, as_version=4)
    executed, _ = TrustedExecute(timeout=timeout, sandbox=sandbox).preprocess(
        copy.deepcopy(notebook), {"metadata": {"path": str(path.parent)}})
    outcomes = []
    for cell in executed.cells:
        if not is_test_cell(cell):
            continue
        errors = [output for output in cell.outputs if output.output_type == "error"]
        message = None
        if errors:
            value = str(errors[0].get("evalue", "")).strip().splitlines() or [""]
            message = f"{errors[0].get('ename', 'Error')}: {value[0][:300]}"
        outcomes.append((cell.metadata["nbgrader"].get("grade_id", "?"), message))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path, help="a notebook, e.g. a chapter's solution")
    parser.add_argument("--no-sandbox", action="store_true", help="run the kernel unsandboxed")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    arguments = parser.parse_args(argv)
    if not arguments.notebook.is_file():
        print(f"{arguments.notebook} is not a notebook file: give the path of an .ipynb file.",
              file=sys.stderr)
        return 2
    sandbox = not arguments.no_sandbox
    if sandbox and (problem := sandbox_problem()) is not None:
        print(f"warning: running without a sandbox ({problem})", file=sys.stderr)
        sandbox = False
    outcomes = score(arguments.notebook, sandbox=sandbox, timeout=arguments.timeout)
    for grade_id, message in outcomes:
        print(f"{grade_id:40} {'PASS' if message is None else message}")
    failed = sum(message is not None for _, message in outcomes)
    print(f"{len(outcomes) - failed} of {len(outcomes)} test cells passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

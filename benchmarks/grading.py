"""Benchmark: what the sandbox and the trusted checks cost per graded notebook.

Run with `python benchmarks/grading.py [chapter ...] [--repeat N]`. Each chapter's
solution notebook is graded three ways, one after the other, in the same run:
`GuardedExecute` without a sandbox (the kernel as nbgrader runs it), `GuardedExecute`
in the sandbox, and `TrustedExecute` (sandboxed kernel, test cells scored by the trusted
checks' process). The script prints each one's wall-clock seconds and the ratios to the
first, so that the figures compare within one run on one machine. It exits non-zero if a
solution loses a point under `TrustedExecute`. A measurement for maintainers, not part of
the test suite: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))

from notebooks import chapter_notebooks  # noqa: E402

from autograder.pipeline.execute import GuardedExecute  # noqa: E402
from autograder.trusted.execute import TrustedExecute, is_test_cell  # noqa: E402

WAYS = {
    "guarded, no sandbox": lambda: GuardedExecute(timeout=120, sandbox=False),
    "guarded, sandbox": lambda: GuardedExecute(timeout=120, sandbox=True),
    "trusted, sandbox": lambda: TrustedExecute(timeout=120, sandbox=True),
}


def grade(notebook_path: Path, make) -> tuple[float, int]:
    """Runs one way; returns its seconds and how many test cells failed."""
    notebook = nbformat.read(notebook_path, as_version=4)
    start = time.perf_counter()
    executed, _ = make().preprocess(
        copy.deepcopy(notebook), {"metadata": {"path": str(notebook_path.parent)}})
    seconds = time.perf_counter() - start
    failed = sum(1 for cell in executed.cells if is_test_cell(cell) and any(
        output.output_type == "error" for output in cell.outputs))
    return seconds, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter folders, e.g. 00-welcome")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each way (median)")
    arguments = parser.parse_args(argv)
    lost = False
    print(f"{'notebook':44} " + "  ".join(f"{way:>20}" for way in WAYS))
    for notebook_path in chapter_notebooks(arguments.chapters):
        times = {}
        for way, make in WAYS.items():
            runs = [grade(notebook_path, make) for _ in range(arguments.repeat)]
            times[way] = statistics.median(seconds for seconds, _ in runs)
            if way.startswith("trusted") and any(failed for _, failed in runs):
                lost = True
        base = times["guarded, no sandbox"]
        print(f"{notebook_path.parent.name:44} " + "  ".join(
            f"{times[way]:7.1f} s ({times[way] / base:4.2f}x)" for way in WAYS), flush=True)
    if lost:
        print("A solution lost points under TrustedExecute.")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: grading a class on one machine, in parallel and on a Dask cluster, against bare runs.

Run with `python benchmarks/grading.py [--chapter 00] [--submissions 10]`. It builds a
class of N copies of the chapter's answered notebook and, in one run, one after the
other: executes the N notebooks bare with nbclient (no nbgrader, no sandbox), then
grades the class with `kfc-grade --jobs 1`, `kfc-grade --jobs 2` and `kfc-grade
--scheduler` on a two-worker `distributed.LocalCluster`, each in a fresh workspace. It
prints each wall-clock time and the ratios the README quotes: `--jobs 2`'s throughput
over `--jobs 1`'s (target at least 1.6), the cluster's time over `--jobs 2`'s (target
within 10 %), and `--jobs 1`'s time over the bare runs' (target at most 1.10).

`python benchmarks/grading.py --per-notebook [chapter ...] [--repeat N]` compares, per
solution notebook, `GuardedExecute` without a sandbox, in the sandbox, and
`TrustedExecute` (sandboxed kernel, test cells scored by the trusted checks' process).

`python benchmarks/grading.py --start-up [--repeat N]` times N nbgrader commands started
as new processes against N forked from a fork server (`autograder.pipeline.forkserver`).

Both are measurements for maintainers, not part of the test suite: run them on an
otherwise idle machine.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))

from notebooks import chapter_notebooks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

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


def per_notebook(arguments) -> int:
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


def build_class(folder: Path, chapter: str, submissions: int) -> list[Path]:
    """N copies of the chapter's release, answered as the solution answers it."""
    from autograder.pipeline.demo import answered

    release = nbformat.read(next((ROOT / "course" / chapter).glob("*.ipynb")), as_version=4)
    solution = nbformat.read(next((ROOT / "solutions" / chapter).glob("*.ipynb")), as_version=4)
    folder.mkdir(parents=True)
    paths = []
    for number in range(1, submissions + 1):
        path = folder / f"student-{number:03d}.ipynb"
        nbformat.write(answered(release, solution), str(path))
        paths.append(path)
    return paths


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bare(paths: list[Path]) -> None:
    from nbclient import NotebookClient

    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, kernel_name="python3", timeout=600, allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()


def kfc_grade(folder: Path, chapter: str, workspace: Path, *options: str) -> None:
    command = [str(Path(sys.executable).with_name("kfc-grade")), str(folder), "--chapter",
               chapter[:2], "--workspace", str(workspace), *options]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")


def on_local_cluster(folder: Path, chapter: str, workspace: Path) -> float:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit=None) as cluster:
        return timed(lambda: kfc_grade(folder, chapter, workspace,
                                       "--scheduler", cluster.scheduler_address))


def whole_class(arguments) -> int:
    chapter = next(path.name for path in sorted((ROOT / "solutions").iterdir())
                   if path.name.startswith(arguments.chapter[:2]))
    with tempfile.TemporaryDirectory(prefix="kfc-benchmark-") as scratch:
        scratch = Path(scratch)
        paths = build_class(scratch / "class", chapter, arguments.submissions)
        times = {"bare nbclient": timed(lambda: bare(paths))}
        for jobs in (1, 2):
            times[f"--jobs {jobs}"] = timed(lambda jobs=jobs: kfc_grade(
                scratch / "class", chapter, scratch / f"jobs-{jobs}", "--jobs", str(jobs)))
        times["LocalCluster, 2 workers"] = on_local_cluster(scratch / "class", chapter,
                                                             scratch / "cluster")
    print(f"{arguments.submissions} submissions of {chapter}, "
          f"{len(os.sched_getaffinity(0))} cores")
    for way, seconds in times.items():
        print(f"  {way:26} {seconds:7.1f} s")
    ratios = {
        "--jobs 2 throughput / --jobs 1 (target >= 1.6)":
            times["--jobs 1"] / times["--jobs 2"],
        "LocalCluster time / --jobs 2 (target <= 1.10)":
            times["LocalCluster, 2 workers"] / times["--jobs 2"],
        "--jobs 1 time / bare nbclient (target <= 1.10)":
            times["--jobs 1"] / times["bare nbclient"],
    }
    for name, ratio in ratios.items():
        print(f"  {name:50} {ratio:5.2f}")
    return 0


def start_up(arguments) -> int:
    """`--start-up`: N nbgrader commands started afresh against N forked from a fork server."""
    from autograder.pipeline import forkserver
    from autograder.pipeline.workspace import Limits, Workspace, command_environment

    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace(Path(folder) / "workspace", ROOT)
        workspace.prepare(Limits())
        count = arguments.repeat if arguments.repeat > 1 else 10

        def commands() -> None:
            for _ in range(count):
                workspace.nbgrader("list", "--inbound")

        started = timed(commands)
        with forkserver.serving(command_environment()) as server:
            server.spawn(["-m", "nbgrader", "--version"], cwd=Path(folder),
                         environment=command_environment(),
                         log_path=Path(folder) / "warm").wait(timeout=300)  # server up
            forked = timed(commands)
    print(f"{count} nbgrader commands: started afresh {started:.1f} s, forked {forked:.1f} s")
    print(f"  per command: {started / count:.2f} s against {forked / count:.2f} s "
          f"(forked/started {forked / started:.2f})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="with --per-notebook: chapter folders")
    parser.add_argument("--per-notebook", action="store_true",
                        help="compare the sandbox and the trusted checks per notebook")
    parser.add_argument("--repeat", type=int, default=1, help="--per-notebook: runs (median)")
    parser.add_argument("--chapter", default="00", help="the class's chapter (default 00)")
    parser.add_argument("--submissions", type=int, default=10, help="class size (default 10)")
    parser.add_argument("--start-up", action="store_true",
                        help="nbgrader commands started afresh against forked (--repeat N)")
    arguments = parser.parse_args(argv)
    if arguments.start_up:
        return start_up(arguments)
    return per_notebook(arguments) if arguments.per_notebook else whole_class(arguments)


if __name__ == "__main__":
    sys.exit(main())

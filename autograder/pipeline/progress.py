"""What `kfc-grade` shows while it grades: a progress bar on a terminal, plain lines elsewhere.

`GradingProgress` follows the grading loop (`cli.run_gradable`). When stderr is
a terminal it draws, with `rich`, a bar of the submissions graded so far, the
time elapsed, an estimate of the time left (the time per submission so far,
times the submissions left: with several graded at once it is the pace of the
whole batch) and, under it, the submissions running now (sent to the cluster,
with `--scheduler`). Each submission's result is printed above the bar as it
comes back.

When stderr is not a terminal (a log file, CI, a test reading the output) it
prints the plain lines instead, exactly as before the bar existed:

    [1/3] grading ada 00-welcome ...
    [2/3] grading ben 00-welcome ... (also running: ada 00-welcome)
        done: ada 00-welcome in 12 s
        nbgrader failed: ben 00-welcome in 3 s
    [3/3] sent cleo 00-welcome to the cluster      (--scheduler)

Whether stderr is a terminal is asked of the stream itself (`isatty`), so
`FORCE_COLOR` or `TTY_COMPATIBLE` in the environment never turn the plain lines
into a bar.

Example:

    shown = GradingProgress(len(jobs), reports_starts=runner.reports_starts)
    shown.start()
    try:
        for result in runner.run(jobs, shown.started, shown.finished):
            shown.result(result.label, result.ok, result.seconds)
    finally:
        shown.stop()
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

UNKNOWN_TIME = "-:--:--"


class TimeLeftColumn(ProgressColumn):
    """The time left: the time per submission so far times the submissions left."""

    def render(self, task: Task) -> Text:
        elapsed, done = task.elapsed, task.completed
        if task.finished:
            left = "0:00:00"
        elif not elapsed or not done or task.total is None:
            left = UNKNOWN_TIME
        else:
            left = str(timedelta(seconds=round(elapsed / done * (task.total - done))))
        return Text(left, style="progress.remaining")


class _Bar(Progress):
    """A rich Progress that shows a line of what is running under its bar."""

    running_line = ""

    def get_renderables(self):
        yield self.make_tasks_table(self.tasks)
        if self.running_line:
            yield Text(self.running_line, style="dim", no_wrap=True, overflow="ellipsis")


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class GradingProgress:
    """The grading loop's progress: a rich bar on a terminal, else the plain lines.

    Its `started` and `finished` methods are the runner's callbacks (called from
    the threads grading); `result` is called by the loop for each result.

    Args:
        total: how many submissions are to be graded.
        reports_starts: whether the runner says when a submission starts (this
            machine) or only when it is sent (a Dask cluster).
        stream: where the plain lines go (default: `sys.stderr` when created); a bar
            is drawn on it when it is a terminal.
        console: a rich Console to draw the bar on instead, if it is a terminal
            (the tests give `Console(force_terminal=True, file=StringIO())`);
            when it is not, the plain lines go to its file.
        clock: seconds now, for elapsed and left (default: rich's, monotonic).
    """

    def __init__(self, total: int, *, reports_starts: bool = True, stream: TextIO | None = None,
                 console: Console | None = None, clock: Callable[[], float] | None = None):
        self.total = total
        self.reports_starts = reports_starts
        self._stream = stream if stream is not None else sys.stderr
        if console is None and _is_terminal(self._stream):
            console = Console(file=self._stream, force_terminal=True)
        if console is not None and not console.is_terminal:
            self._stream, console = console.file, None
        self.console = console
        self._running: list[str] = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._bar: _Bar | None = None
        self._task = None
        if console is not None:
            self._bar = _Bar(
                TextColumn("Grading"), BarColumn(), MofNCompleteColumn(),
                TextColumn("elapsed"), TimeElapsedColumn(),
                TextColumn("left"), TimeLeftColumn(),
                console=console, get_time=clock, redirect_stdout=False)
            self._task = self._bar.add_task("grading", total=total)

    @property
    def is_bar(self) -> bool:
        """Whether a bar is drawn (stderr, or the console given, is a terminal)."""
        return self._bar is not None

    def _line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, file=self._stream, flush=True)

    def _show_running(self) -> None:
        if self._bar is not None:
            what = "running" if self.reports_starts else "sent to the cluster"
            self._bar.running_line = f"{what}: {', '.join(self._running)}" if (
                self._running) else ""
            self._bar.refresh()

    def start(self) -> None:
        if self._bar is not None:
            self._bar.start()

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.running_line = ""
            self._bar.stop()

    def __enter__(self) -> GradingProgress:
        self.start()
        return self

    def __exit__(self, *exception) -> None:
        self.stop()

    def started(self, job) -> None:
        """A submission started grading (was sent to the cluster): `job.label`."""
        with self._lock:
            number = next(self._numbers)
            others = list(self._running)
            self._running.append(job.label)
            if self._bar is not None:
                self._show_running()
            elif not self.reports_starts:
                self._line(f"[{number}/{self.total}] sent {job.label} to the cluster")
            else:
                also = f" (also running: {', '.join(others)})" if others else ""
                self._line(f"[{number}/{self.total}] grading {job.label} ...{also}")

    def finished(self, job) -> None:
        """A submission stopped running (its result is on its way)."""
        with self._lock:
            if job.label in self._running:
                self._running.remove(job.label)
            self._show_running()

    def result(self, label: str, ok: bool, seconds: float) -> None:
        """A submission's result came back: printed, and the bar moves on."""
        with self._lock:
            self._line(f"    {'done' if ok else 'nbgrader failed'}: {label} in {seconds:.0f} s")
            if self._bar is not None:
                self._bar.advance(self._task)
                self._bar.refresh()

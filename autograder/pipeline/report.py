"""What a grading run tells the instructor: statuses, the summary table, the CSVs and the plot.

Each submission ends with a status (`autograder.pipeline.notebooks.STATUSES`) and a
reason. Findings come from two places: the checks made before grading
(unreadable file, repaired cells, wrong chapter) and the autograded notebook
itself, read back here (errors in the student's cells, timeouts, a kernel that
died, cut output, unanswered exercises). The most serious finding is the
status; all of them, joined, are the reason.

Every CSV cell that a spreadsheet would read as a formula (text starting with
`=`, `+`, `-`, `@`, a tab or a carriage return, as a student's name or file name
may) is written behind a single quote (`spreadsheet_safe`); numbers stay numbers.

The students' feedback pages are rendered by `FeedbackHTMLExporter`, which
nbgrader's `generate_feedback` uses in place of nbconvert's HTMLExporter: the
HTML that markdown cells, outputs and comments bring is sanitised (no script,
no event handler, no `javascript:` link, images only from `data:image/` or
http(s)), so a notebook cannot put live code into the page.

Example:

    row = Row(student, chapter, score, max_score, findings)
    write_grades_csv(rows, reports / "grades.csv")
    print(summary_table(rows, chapters))
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograder.pipeline.execute import (
    KERNEL_DIED_ERROR,
    NOT_EXECUTED_ERROR,
    TIMEOUT_ERROR,
    TRUNCATION_NOTE,
)
from autograder.pipeline.notebooks import (
    ERRORS,
    GRADED,
    KERNEL_DIED,
    MISSING,
    NOT_GRADED,
    STATUSES,
    TAMPERING,
    TIMED_OUT,
    TRUNCATED,
    Finding,
    cell_grade_id,
    nbgrader_metadata,
    printable,
)
from autograder.trusted.recheck import CHECKS_FAILED_TO_RUN, UNREADABLE

# The summary table shows a reason up to this many characters, cut at a word with "…";
# grades.csv always holds the whole reason.
SUMMARY_REASON_LENGTH = 300
NOTHING_HANDED_IN = "no notebook was handed in for this chapter"
# Cut output: GuardedExecute's note (characters), nbgrader's LimitOutput's (lines).
TRUNCATION_MARKERS = (TRUNCATION_NOTE.split(":")[0], "... Output truncated ...")


@dataclass
class Row:
    """One student's result for one chapter.

    Args:
        student: the student's id.
        chapter: the chapter.
        score: points earned (0 when nothing could be graded).
        max_score: points available.
        findings: everything found, before and after grading.
        cells: graded cell -> (score, max_score), empty when not graded.
        source: the file the submission came from.
    """

    student: str
    chapter: str
    score: float
    max_score: float
    findings: list[Finding] = field(default_factory=list)
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)
    source: str = ""

    @property
    def status(self) -> str:
        statuses = [finding.status for finding in self.findings] + [GRADED]
        return min(statuses, key=STATUSES.index)

    @property
    def reason(self) -> str:
        """Every finding's reason, the most serious first, joined by "; " (never cut)."""
        return "; ".join(finding.reason for finding in sorted(
            self.findings, key=lambda finding: STATUSES.index(finding.status)))


def shorten(text: str, length: int = SUMMARY_REASON_LENGTH) -> str:
    """`text`, or its first words and "…" when it is longer than `length` characters.

    The cut falls between words (a single word longer than `length` is cut inside
    it), and the punctuation before the cut is dropped: "a; b; c" -> "a; b…".
    """
    if len(text) <= length:
        return text
    room = length - 1  # for the "…"
    if text[room].isspace():  # the cut falls between two words
        kept = text[:room]
    else:
        space = text.rfind(" ", 0, room)
        kept = text[:space] if space > 0 else text[:room]
    return kept.rstrip(" ;,:.") + "…"


def _where(cells, index: int) -> str:
    """'cell 12 (ex1_input)' for a labelled cell, 'cell 13 (after ex1_input)' for another."""
    grade_id = nbgrader_metadata(cells[index]).get("grade_id")
    if grade_id:
        return f"cell {index + 1} ({grade_id})"
    for cell in reversed(cells[:index]):
        if nbgrader_metadata(cell).get("grade_id"):
            return f"cell {index + 1} (after {cell_grade_id(cell)})"
    return f"cell {index + 1} (before the first exercise)"


def expects_error(cell) -> bool:
    """Whether the course shows this cell failing on purpose (tagged `raises-exception`)."""
    return "raises-exception" in cell.get("metadata", {}).get("tags", [])


def execution_findings(notebook, release=None) -> list[Finding]:
    """What the autograded notebook shows went wrong while it ran.

    Args:
        notebook: nbgrader's autograded copy of a submission.
        release: the chapter's release notebook. Its own cells (demonstrations
            that use the student's answers) failing is a consequence of a wrong
            or missing answer, not an error of the student's, so only errors in
            answer cells and in cells the student added are reported.

    Returns:
        Findings for timeouts, dead kernels, cells not run, errors in the
        student's own cells (not in test cells, where a failure is a lost point),
        cut output, and a count of unanswered exercises.
    """
    course_cells = {cell.source.strip() for cell in release.cells} if release else set()
    findings: list[Finding] = []
    errors: list[str] = []
    unanswered, exercises, not_run, unreadable = 0, 0, [], []
    cells = notebook.cells
    for index, cell in enumerate(cells):
        metadata = nbgrader_metadata(cell)
        if metadata.get("solution"):
            exercises += 1
        if cell.cell_type != "code":
            continue
        names = [output.ename for output in cell.outputs if output.output_type == "error"]
        if any(marker in output.get("text", "") for output in cell.outputs
               for marker in TRUNCATION_MARKERS):
            findings.append(Finding(TRUNCATED, (
                f"{_where(cells, index)} printed too much; its output was cut"
            )))
        if TIMEOUT_ERROR in names:
            interrupted = "KeyboardInterrupt" in names
            findings.append(Finding(TIMED_OUT, (
                f"{_where(cells, index)} ran past the time limit and "
                + ("was interrupted" if interrupted else
                   "ignored the interrupt, so the kernel was restarted without it")
            )))
        elif KERNEL_DIED_ERROR in names:
            findings.append(Finding(KERNEL_DIED, (
                f"the kernel died in {_where(cells, index)} (it exited, or went over the memory "
                "or CPU limit) and was restarted without that cell"
            )))
        elif NOT_EXECUTED_ERROR in names:
            not_run.append(index)
        elif names and metadata.get("grade") and names[0] == UNREADABLE:
            unreadable.append(index)
        elif names and metadata.get("grade") and names[0] == CHECKS_FAILED_TO_RUN:
            findings.append(Finding(NOT_GRADED, (
                f"{_where(cells, index)} scored 0: the grader's trusted checks did not finish "
                "(a grader fault, or answers too large to check); grade it again"
            )))
        elif names and metadata.get("solution") and names[0] == "NotImplementedError":
            unanswered += 1
        elif names == ["MemoryError"]:
            errors.append(f"{_where(cells, index)} ran out of memory (MemoryError): it asked "
                          "for more than the grading kernel's memory limit")
        elif names and not metadata.get("grade") and not expects_error(cell) and (
                metadata.get("solution") or cell.source.strip() not in course_cells):
            error = next(output for output in cell.outputs if output.output_type == "error")
            message = (f": {printable(error.evalue.strip().splitlines()[0])}"
                       if error.evalue.strip() else "")
            errors.append(f"{_where(cells, index)} raised {error.ename}{message}")
    if unreadable:
        listed = ", ".join(_where(cells, index) for index in unreadable)
        findings.append(Finding(TAMPERING, (
            f"{listed} scored 0: the answers the kernel exported for the trusted checks were "
            "missing or not data (code that changes how cells run, or patches the export); "
            "tampering suspected, look at the notebook"
        )))
    if not_run:
        findings.append(Finding(KERNEL_DIED, (
            f"cells {not_run[0] + 1} to {not_run[-1] + 1} were not run: the kernel had to be "
            "restarted too many times"
        )))
    for error in errors:
        findings.append(Finding(ERRORS, error))
    if unanswered:
        findings.append(Finding(GRADED, f"{unanswered} of {exercises} exercises not answered"))
    return findings


def nbgrader_failure(log_line: str) -> Finding:
    return Finding(NOT_GRADED, (
        f"nbgrader could not grade this submission ({log_line}); it was left out of the "
        "gradebook: open the notebook to see why"
    ))


COLUMNS = ["student", "chapter", "score", "max_score", "status", "reason", "source", "sandbox"]

# What makes a spreadsheet read a cell as a formula (also in full width, which some
# spreadsheets accept): such text gets a leading quote, the usual way to say "text".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value) -> str:
    """A CSV cell no spreadsheet runs: numbers as numbers (`3`, `2.5`), text that could
    start a formula (`=HYPERLINK(...)`, `@SUM(...)`) behind a single quote."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _SpreadsheetSafeWriter:
    """`csv.writer` whose every cell goes through `spreadsheet_safe`."""

    def __init__(self, handle):
        self._writer = csv.writer(handle)

    def writerow(self, values) -> None:
        self._writer.writerow([spreadsheet_safe(value) for value in values])


def write_grades_csv(rows: list[Row], path: Path, sandbox: bool = True) -> None:
    """One line per student and chapter: score, status, reason, the file it came from, and
    whether its kernel ran in the sandbox (`yes`; `no` for a class graded with --no-sandbox)."""
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = _SpreadsheetSafeWriter(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row.student, row.chapter, row.score, row.max_score,
                             row.status, row.reason, row.source, "yes" if sandbox else "no"])


def write_cells_csv(rows: list[Row], path: Path) -> None:
    """One line per student and graded cell: the score nbgrader gave it."""
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = _SpreadsheetSafeWriter(handle)
        writer.writerow(["student", "chapter", "cell", "score", "max_score"])
        for row in rows:
            for cell, (score, max_score) in row.cells.items():
                writer.writerow([row.student, row.chapter, cell, score, max_score])


# The feedback pages live in autograder.pipeline.feedback; these two are still imported
# from here.
from autograder.pipeline.feedback import (  # noqa: E402, F401 - re-exported
    FeedbackHTMLExporter,
    clean_feedback_html,
)


def read_grades_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def summary_table(rows: list[Row], chapters: list[str]) -> str:
    """A plain-text table: one line per student, a score column per chapter, the worst status.

    Below it, every submission whose status is not `graded` is listed with its reason
    (`shorten`ed; grades.csv has it whole), except chapters a student simply did not
    hand in (shown as "-" in the table).
    """
    students = sorted({row.student for row in rows})
    by_key = {(row.student, row.chapter): row for row in rows}
    headers = ["student", *[chapter[:2] for chapter in chapters], "total", "status"]
    lines = []
    for student in students:
        mine = [by_key.get((student, chapter)) for chapter in chapters]
        cells = [f"{row.score:g}/{row.max_score:g}" if row and row.reason != NOTHING_HANDED_IN
                 else "-" for row in mine]
        cells = [cell + ("*" if row and row.status != GRADED and cell != "-" else "")
                 for cell, row in zip(cells, mine, strict=True)]
        score = sum(row.score for row in mine if row)
        maximum = sum(row.max_score for row in mine if row)
        handed_in = [row for row in mine if row and row.reason != NOTHING_HANDED_IN]
        worst = min((row.status for row in handed_in), key=STATUSES.index,
                    default=MISSING if any(mine) else GRADED)
        lines.append([student, *cells, f"{score:g}/{maximum:g}", worst])
    widths = [max(len(str(line[i])) for line in [headers, *lines]) for i in range(len(headers))]

    def format_line(values):
        return "  ".join(str(value).ljust(width) for value, width in zip(values, widths,
                                                                           strict=True)).rstrip()

    text = [format_line(headers), format_line(["-" * width for width in widths])]
    text += [format_line(line) for line in lines]
    flagged = [row for row in rows if row.status != GRADED and row.reason != NOTHING_HANDED_IN]
    if flagged:
        text += ["", "* needs a look:"]
        text += [f"  {row.student} {row.chapter}: {row.status}: {shorten(row.reason)}"
                 for row in flagged]
    return "\n".join(text)


def plot_cell_scores(rows: list[Row], chapters: list[str], path: Path) -> dict:
    """Draws, per graded cell, how many submissions earned full, part or no marks.

    Submissions that could not be graded or are missing are left out.

    Returns:
        chapter -> {cell: (full, part, none)}, the counts drawn.
    """
    counts: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        if row.chapter not in chapters:
            continue
        for cell, (score, max_score) in row.cells.items():
            tally = counts.setdefault(row.chapter, {}).setdefault(cell, [0, 0, 0])
            tally[0 if score >= max_score else 2 if score == 0 else 1] += 1
    shown = [chapter for chapter in chapters if chapter in counts]
    heights = [max(len(counts[chapter]), 1) * 0.3 + 0.8 for chapter in shown] or [1.0]
    figure = Figure(figsize=(8, sum(heights) + 0.5))
    axes = figure.subplots(len(heights), 1, gridspec_kw={"height_ratios": heights},
                           squeeze=False)
    for axis, chapter in zip(axes[:, 0], shown, strict=False):
        names = list(counts[chapter])[::-1]
        full, part, none = (
            [counts[chapter][name][kind] for name in names] for kind in range(3)
        )
        axis.barh(names, full, color="#4c9f70", label="full marks")
        axis.barh(names, part, left=full, color="#f2b134", label="part")
        axis.barh(names, none, left=[f + p for f, p in zip(full, part, strict=True)],
                  color="#d1495b", label="no marks")
        axis.set_title(chapter, loc="left", fontsize=10)
        axis.tick_params(axis="y", labelsize=7)
        axis.set_xlabel("submissions")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    if shown:
        axes[0, 0].legend(loc="lower right", fontsize=7)
    else:
        axes[0, 0].text(0.5, 0.5, "no graded submissions", ha="center", va="center")
        axes[0, 0].set_axis_off()
    figure.suptitle("Score per graded cell", fontsize=11)
    figure.tight_layout(rect=(0, 0, 1, 0.99))
    figure.savefig(path, dpi=90)
    return {chapter: {cell: tuple(tally) for cell, tally in cells.items()}
            for chapter, cells in counts.items()}

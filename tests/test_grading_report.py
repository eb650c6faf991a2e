"""Statuses read back from autograded notebooks, the summary table, the CSVs and the plot."""

from __future__ import annotations

import csv

import nbformat
import pytest
from _html import Elements, nbgrader_feedback_config
from nbformat.v4 import new_code_cell, new_notebook

from autograder.pipeline.execute import (
    KERNEL_DIED_ERROR,
    NOT_EXECUTED_ERROR,
    TIMEOUT_ERROR,
    TRUNCATION_NOTE,
    error_output,
)
from autograder.pipeline.notebooks import (
    ERRORS,
    GRADED,
    KERNEL_DIED,
    MISSING,
    NOT_GRADED,
    REPAIRED,
    TAMPERING,
    TIMED_OUT,
    TRUNCATED,
    Finding,
)
from autograder.pipeline.report import (
    NOTHING_HANDED_IN,
    SUMMARY_REASON_LENGTH,
    FeedbackHTMLExporter,
    Row,
    clean_feedback_html,
    execution_findings,
    plot_cell_scores,
    read_grades_csv,
    shorten,
    spreadsheet_safe,
    summary_table,
    write_cells_csv,
    write_grades_csv,
)
from autograder.trusted.recheck import CHECKS_FAILED_TO_RUN, UNREADABLE


def labelled(source, grade_id, *, solution=False, grade=False, outputs=()):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution, "grade": grade,
                                 "locked": not solution, "points": 1 if grade else 0}
    cell.outputs = list(outputs)
    return cell


def plain(source, outputs=(), tags=()):
    cell = new_code_cell(source)
    cell.outputs = list(outputs)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def notebook(*cells):
    return new_notebook(cells=list(cells))


def stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def test_a_clean_notebook_has_no_findings():
    assert execution_findings(notebook(
        labelled("x = 1", "ex1", solution=True), labelled("assert x", "ex1_check", grade=True),
    )) == []


def test_a_failed_test_cell_is_a_lost_point_not_an_error():
    failing = error_output("AssertionError", "Your `x` is 2.")
    assert execution_findings(notebook(
        labelled("x = 2", "ex1", solution=True),
        labelled("check(x)", "ex1_check", grade=True, outputs=[failing]),
    )) == []


def test_a_test_cell_whose_answers_could_not_be_read_is_flagged_as_tampering():
    unreadable = error_output(UNREADABLE, "The grader could not read your answers at this cell")
    unfinished = error_output(CHECKS_FAILED_TO_RUN, "The grader's checks did not finish")
    findings = execution_findings(notebook(
        labelled("x = 2", "ex1", solution=True),
        labelled("check(x)", "ex1_check", grade=True, outputs=[unreadable]),
        labelled("check(x)", "ex1_again", grade=True, outputs=[unfinished]),
    ))
    assert sorted(finding.status for finding in findings) == sorted([TAMPERING, NOT_GRADED])
    tampering = next(finding for finding in findings if finding.status == TAMPERING)
    assert tampering.reason.startswith("cell 2 (ex1_check) scored 0")
    assert "tampering suspected" in tampering.reason
    assert any("did not finish" in finding.reason for finding in findings)


def test_cells_whose_answers_could_not_be_read_make_one_finding():
    unreadable = error_output(UNREADABLE, "The grader could not read your answers")
    findings = execution_findings(notebook(*[
        labelled("check(x)", f"check_{number}", grade=True, outputs=[unreadable])
        for number in range(5)]))
    assert len(findings) == 1
    assert findings[0].reason.startswith(
        "cell 1 (check_0), cell 2 (check_1), cell 3 (check_2), cell 4 (check_3), "
        "cell 5 (check_4) scored 0"), "every cell is named: the reason is never cut"


def test_an_error_in_the_students_cell_is_reported_with_the_cell():
    findings = execution_findings(notebook(
        labelled("x = (", "ex1", solution=True,
                 outputs=[error_output("SyntaxError", "incomplete input")]),
        plain("print(y)", [error_output("NameError", "name 'y' is not defined")]),
    ))
    assert findings == [
        Finding(ERRORS, "cell 1 (ex1) raised SyntaxError: incomplete input"),
        Finding(ERRORS, "cell 2 (after ex1) raised NameError: name 'y' is not defined"),
    ]


def test_a_cell_the_course_shows_failing_on_purpose_is_not_an_error():
    findings = execution_findings(notebook(
        plain("check(wrong)", [error_output("AssertionError", "wrong")], tags=["raises-exception"]),
    ))
    assert findings == []


def test_a_course_cell_failing_after_a_wrong_answer_is_not_the_students_error():
    """A demonstration cell of the release that uses a missing answer fails as a consequence."""
    demo = plain("draw(model)", [error_output("NameError", "name 'model' is not defined")])
    release = notebook(plain("draw(model)"))
    added = plain("my_experiment()", [error_output("NameError", "name 'my_experiment'")])
    findings = execution_findings(notebook(demo, added), release)
    assert findings == [Finding(ERRORS, "cell 2 (before the first exercise) raised NameError: "
                                        "name 'my_experiment'")]


def test_output_cut_by_nbgraders_line_limit_is_reported():
    cut = stream("1\n2\n... Output truncated ...")
    findings = execution_findings(notebook(plain("loop", [cut])))
    assert [finding.status for finding in findings] == [TRUNCATED]


def test_unanswered_exercises_are_counted():
    stub = error_output("NotImplementedError", "Replace this line with your answer.")
    findings = execution_findings(notebook(
        labelled("raise NotImplementedError()", "ex1", solution=True, outputs=[stub]),
        labelled("x = 1", "ex2", solution=True),
    ))
    assert findings == [Finding(GRADED, "1 of 2 exercises not answered")]


def test_timeouts_dead_kernels_cells_not_run_memory_and_cut_output():
    findings = execution_findings(notebook(
        labelled("loop", "ex1", solution=True, outputs=[
            error_output("KeyboardInterrupt", ""), error_output(TIMEOUT_ERROR, "")]),
        plain("stubborn loop", [error_output(TIMEOUT_ERROR, "did not stop")]),
        plain("os._exit(1)", [error_output(KERNEL_DIED_ERROR, "died")]),
        plain("big = bytes(10**12)", [error_output("MemoryError", "")]),
        plain("print(x)", [stream("x" * 10 + TRUNCATION_NOTE.format(limit=10))]),
        plain("a", [error_output(NOT_EXECUTED_ERROR, "")]),
        plain("b", [error_output(NOT_EXECUTED_ERROR, "")]),
    ))
    statuses = [finding.status for finding in findings]
    assert statuses == [TIMED_OUT, TIMED_OUT, KERNEL_DIED, TRUNCATED, KERNEL_DIED, ERRORS]
    reasons = [finding.reason for finding in findings]
    assert "cell 1 (ex1) ran past the time limit and was interrupted" in reasons[0]
    assert "ignored the interrupt, so the kernel was restarted without it" in reasons[1]
    assert "the kernel died in cell 3 (after ex1)" in reasons[2]
    assert "cell 5 (after ex1) printed too much; its output was cut" in reasons[3]
    assert "cells 6 to 7 were not run" in reasons[4]
    assert "cell 4 (after ex1) ran out of memory (MemoryError)" in reasons[5]


def test_a_rows_status_is_its_most_serious_finding():
    row = Row("ada", "00", 3, 5, [Finding(GRADED, "1 of 4 exercises not answered"),
                                  Finding(REPAIRED, "a cell was put back"),
                                  Finding(TIMED_OUT, "cell 3 ran too long")])
    assert row.status == TIMED_OUT
    assert row.reason == ("cell 3 ran too long; a cell was put back; "
                          "1 of 4 exercises not answered")
    assert Row("ben", "00", 5, 5).status == GRADED


def test_a_rows_reason_holds_every_finding():
    row = Row("ada", "00", 0, 5, [Finding(ERRORS, f"error {n}") for n in range(7)])
    assert row.reason == "; ".join(f"error {n}" for n in range(7))


def test_a_long_error_message_is_kept_whole():
    message = "Input 0 of layer 'dense' is incompatible with the layer: " + " ".join(
        f"expected axis {axis} of input shape to have value 8" for axis in range(6))
    assert len(message) > 120
    findings = execution_findings(notebook(
        labelled("x = f()", "ex1", solution=True,
                 outputs=[error_output("ValueError", message + "\nsecond line")]),
    ))
    assert findings == [Finding(ERRORS, f"cell 1 (ex1) raised ValueError: {message}")]


@pytest.mark.parametrize("text, length, expected", [
    ("short enough", 12, "short enough"),
    ("one two three four", 12, "one two…"),
    ("one two three four", 14, "one two three…"),
    ("one two; three four", 12, "one two…"),
    ("abcdefghijklmnopqrstuvwxyz and more", 10, "abcdefghi…"),
])
def test_shorten_cuts_between_words_with_an_ellipsis(text, length, expected):
    assert shorten(text, length) == expected
    assert len(shorten(text, length)) <= length


def test_the_summary_shortens_a_long_reason_at_a_word_and_grades_csv_keeps_it_whole(
        tmp_path):
    findings = [Finding(ERRORS, f"cell {n} (ex{n}) raised NameError: name 'answer_{n}' is "
                                "not defined") for n in range(12)]
    row = Row("ada", "00-welcome", 1, 5, findings)
    assert len(row.reason) > SUMMARY_REASON_LENGTH
    line = next(line for line in summary_table([row], ["00-welcome"]).splitlines()
                if line.startswith("  ada 00-welcome: errors: "))
    shown = line.removeprefix("  ada 00-welcome: errors: ")
    assert shown.endswith("…") and len(shown) <= SUMMARY_REASON_LENGTH
    kept = shown.removesuffix("…")
    assert row.reason.startswith(kept) and row.reason[len(kept)] in " ;", "cut at a word"
    write_grades_csv([row], tmp_path / "grades.csv")
    assert read_grades_csv(tmp_path / "grades.csv")[0]["reason"] == row.reason


ROWS = [
    Row("ada", "00-welcome", 5, 5, cells={"ex1_check": (1, 1), "ex2_check": (4, 4)}),
    Row("ben", "00-welcome", 1, 5, [Finding(ERRORS, "cell 3 (ex2) raised NameError")],
        cells={"ex1_check": (1, 1), "ex2_check": (0, 4)}),
    Row("cleo", "00-welcome", 0, 5, [Finding(NOT_GRADED, "welcome.ipynb is empty")]),
    Row("cleo", "01-next", 0, 3, [Finding(MISSING, NOTHING_HANDED_IN)]),
    Row("ada", "01-next", 2, 3, cells={"ex1_check": (2, 3)}),
    Row("ben", "01-next", 0, 3, [Finding(MISSING, NOTHING_HANDED_IN)]),
]


def test_the_summary_has_a_line_per_student_and_lists_what_needs_a_look():
    table = summary_table(ROWS, ["00-welcome", "01-next"]).splitlines()
    assert table[0].split() == ["student", "00", "01", "total", "status"]
    assert table[2].split() == ["ada", "5/5", "2/3", "7/8", "graded"]
    assert table[3].split() == ["ben", "1/5*", "-", "1/8", "errors"]
    assert table[4].split() == ["cleo", "0/5*", "-", "0/8", "not-graded"]
    assert summary_table(ROWS[3:4], ["01-next"]).splitlines()[2].split()[-1] == MISSING
    assert "  ben 00-welcome: errors: cell 3 (ex2) raised NameError" in table
    assert "  cleo 00-welcome: not-graded: welcome.ipynb is empty" in table
    assert not any(NOTHING_HANDED_IN in line for line in table), "plain absences stay '-'"


def test_the_grades_csv_has_score_status_and_reason(tmp_path):
    write_grades_csv(ROWS, tmp_path / "grades.csv")
    rows = read_grades_csv(tmp_path / "grades.csv")
    assert rows[1] == {"student": "ben", "chapter": "00-welcome", "score": "1", "max_score": "5",
                       "status": "errors", "reason": "cell 3 (ex2) raised NameError",
                       "source": "", "sandbox": "yes"}
    assert [row["status"] for row in rows] == [
        "graded", "errors", "not-graded", "missing", "graded", "missing"]
    write_grades_csv(ROWS, tmp_path / "grades.csv", sandbox=False)
    assert {row["sandbox"] for row in read_grades_csv(tmp_path / "grades.csv")} == {"no"}


def test_the_cells_csv_has_a_line_per_graded_cell(tmp_path):
    write_cells_csv(ROWS, tmp_path / "cells.csv")
    lines = (tmp_path / "cells.csv").read_text().splitlines()
    assert lines[0] == "student,chapter,cell,score,max_score"
    assert "ben,00-welcome,ex2_check,0,4" in lines
    assert len(lines) == 1 + 5


def test_the_plot_counts_full_part_and_no_marks_per_cell(tmp_path):
    counts = plot_cell_scores(ROWS, ["00-welcome", "01-next"], tmp_path / "cells.png")
    assert counts == {
        "00-welcome": {"ex1_check": (2, 0, 0), "ex2_check": (1, 0, 1)},
        "01-next": {"ex1_check": (0, 1, 0)},
    }
    assert (tmp_path / "cells.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_plot_of_a_class_with_nothing_graded_is_still_written(tmp_path):
    assert plot_cell_scores(ROWS[2:3], ["00-welcome"], tmp_path / "cells.png") == {}
    assert (tmp_path / "cells.png").exists()


# CSV cells a spreadsheet would run, and the feedback page


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(1+1)", "\tTAB", "\rCR",
    "\uff1dSUM(1)",
])
def test_text_that_starts_a_formula_is_quoted_in_the_csvs(text, tmp_path):
    rows = [Row(text, "00-welcome", 2, 5, [Finding(NOT_GRADED, f"{text}.ipynb is empty")],
                cells={text: (1, 2)}, source=f"{text}.ipynb")]
    write_grades_csv(rows, tmp_path / "grades.csv")
    write_cells_csv(rows, tmp_path / "cells.csv")
    grades = read_grades_csv(tmp_path / "grades.csv")[0]
    assert grades == {"student": "'" + text, "chapter": "00-welcome", "score": "2",
                      "max_score": "5", "status": "not-graded", "reason": f"'{text}.ipynb is empty",
                      "source": f"'{text}.ipynb", "sandbox": "yes"}
    with (tmp_path / "cells.csv").open(newline="") as handle:
        assert list(csv.reader(handle))[1] == ["'" + text, "00-welcome", "'" + text, "1", "2"]


def test_numbers_stay_numbers_and_plain_text_stays_as_it_is():
    assert [spreadsheet_safe(value) for value in (3.0, 2.5, 0, -1.5, "ada", "a=b", "x-1")] == [
        "3", "2.5", "0", "-1.5", "ada", "a=b", "x-1"]


def feedback_html(notebook) -> str:
    """The feedback page of `notebook` as nbgrader's generate_feedback renders it."""
    html, _ = FeedbackHTMLExporter(config=nbgrader_feedback_config()).from_notebook_node(
        notebook, resources={"nbgrader": {"notebook": "welcome", "score": 1, "max_score": 2,
                                          "late_penalty": 0}})
    return html


def test_the_feedback_page_keeps_no_script_or_handler_of_the_notebook():
    markdown = nbformat.v4.new_markdown_cell(
        "# Answers\n\n<script>alert('markdown')</script> <img src=x onerror=alert('img')>\n\n"
        "[link](javascript:alert('link')) <a href=\"data:text/html,<script>x</script>\">d</a>\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |")
    markdown.metadata["nbgrader"] = {"grade_id": "notes", "solution": True, "grade": False}
    output = nbformat.v4.new_output("display_data", data={"text/html": (
        "<b>bold</b><script>alert('output')</script><img src=x onerror=alert('out')>"
        "<iframe src=\"javascript:alert('frame')\"></iframe>"
        "<img src=\"data:image/png;base64,iVBORw0KGgo=\">")})
    js = nbformat.v4.new_output("display_data", data={"application/javascript": "alert('js')"})
    html = feedback_html(notebook(markdown, plain("show()", [output, js])))
    body = html[html.index("<body"):]
    page = Elements()
    page.feed(html)
    assert not [script for script in page.scripts if "alert" in script], "no live script"
    attributes = [(tag, name, value or "") for tag, attrs in page.tags
                  for name, value in attrs.items()]
    assert [name for _, name, _ in attributes if name.startswith("on")] == [], "no handler"
    assert [value for _, _, value in attributes if "javascript:" in value] == []
    assert [tag for tag, _, value in attributes if tag == "a" and value.startswith("data:")] == []
    assert "iframe" not in {tag for tag, _ in page.tags}
    assert "&lt;script&gt;alert('markdown')&lt;/script&gt;" in body, "shown as text"
    assert "<b>bold</b>" in body and "<h1" in body and "<td>1</td>" in body
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in body, "images stay"


def test_html_from_a_notebook_is_cleaned():
    assert clean_feedback_html('<p onclick="x()">hi</p><script>x()</script>') == (
        "<p>hi</p>&lt;script&gt;x()&lt;/script&gt;")
    assert clean_feedback_html('<img src="http://a/b.png" onerror="x()">') == (
        '<img src="http://a/b.png">')
    assert clean_feedback_html('<img src="data:text/html;base64,AAA">') == "<img>"

"""The students' feedback page, rendered from synthetic autograded notebooks (no nbgrader run).

Each notebook is what nbgrader's autograde leaves: graded test cells with their
hidden-test regions, scores in their nbgrader metadata (as nbgrader's GetGrades
puts them there), and outputs, among them an AssertionError whose IPython
traceback quotes the hidden lines around the failing one. The page is rendered
by `FeedbackHTMLExporter` configured as nbgrader's generate_feedback configures
its exporter.
"""

from __future__ import annotations

import html
import linecache
import re
import sys

import IPython
import nbformat
import pytest
from _html import Elements, nbgrader_feedback_config
from IPython.core.ultratb import AutoFormattedTB
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from traitlets.config import Config

from autograder.pipeline.feedback import (
    HIDDEN_TESTS_NOTE,
    FeedbackHTMLExporter,
    clean_feedback_html,
    hide_hidden_tests,
    points_text,
    strip_hidden_lines,
    without_hidden_tests,
)

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
LONG_MESSAGE = ("Your `scores` has 3 columns. Expected one column per class of the exercise, "
                "that is 2; the layer that makes it decides its width, so look at its units. ") * 3
SCORES_TEST = f'''checks.require("scores", exercise=2)
assert scores_width > 0, "Your `scores` has no columns."
{BEGIN}
reference_width = 40 // 20
assert scores_width == reference_width, (
    {LONG_MESSAGE!r})
{END}
'''
MODEL_TEST = f'''assert model_params == 18, "Your model does not have 18 parameters."
{BEGIN}
assert model_layer_names == ["measurements", "scores"], "Rename the layers."
{END}'''
PLAIN_TEST = "assert setup_done"
MARKDOWN = ("# Welcome\n\nThe loss is $x^2$ and $$\\sum_i y_i$$.\n\n"
            "<script>alert('markdown')</script> <a href='#' onclick=\"alert('click')\">a</a>\n\n"
            "![a plot](https://example.invalid/plot.png)")
LONG_LINE = "word " * 150 + "a" * 300


def graded(cell, grade_id, *, points=0, score=None, solution=False):
    cell.metadata["nbgrader"] = {"grade": not solution, "grade_id": grade_id,
                                 "locked": not solution, "schema_version": 3,
                                 "solution": solution,
                                 **({} if solution else {"points": points, "score": score})}
    return cell


def ipython_traceback(source: str, namespace: dict) -> list[str]:
    """The traceback IPython shows for `source` failing, frames quoting its lines."""
    filename = "<ipython-input-7-feedback>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the test's own code
    except AssertionError:
        major = int(IPython.__version__.split(".")[0])
        formatter = (AutoFormattedTB(mode="Context", theme_name="linux") if major >= 9
                     else AutoFormattedTB(mode="Context", color_scheme="Linux"))
        return formatter.structured_traceback(*sys.exc_info())
    raise AssertionError("the source was meant to fail")


def autograded_notebook():
    """An autograded notebook: three graded test cells (two with hidden tests), outputs."""
    visible = "\n".join(SCORES_TEST.splitlines()[1:])  # the kernel has no `checks`
    traceback = ipython_traceback(visible, {"scores_width": 3})
    error = new_output("error", ename="AssertionError", evalue=LONG_MESSAGE, traceback=traceback)
    html_output = new_output("display_data", data={
        "text/html": "<b onclick=\"alert('b')\">bold</b><script>alert('out')</script>",
        "text/plain": "bold"})
    javascript = new_output("display_data", data={"application/javascript": "alert('js')"})
    stream = new_output("stream", name="stdout", text=LONG_LINE + "\n")
    cells = [
        new_markdown_cell(MARKDOWN),
        graded(new_code_cell("scores_width = 3"), "ex2_scores", solution=True),
        graded(new_code_cell(SCORES_TEST, outputs=[error]), "ex2_scores_shape", points=1,
               score=0.0),
        graded(new_code_cell(MODEL_TEST), "ex3_model_params", points=2, score=2.0),
        graded(new_code_cell(PLAIN_TEST), "setup_check", points=0.5, score=0.5),
        new_code_cell("show()", outputs=[stream, html_output, javascript]),
    ]
    return new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})


def nbgrader_config() -> Config:
    """The exporter config nbgrader's GenerateFeedback sets (nbgrader/converters)."""
    return nbgrader_feedback_config()


def render(notebook, config: Config | None = None) -> str:
    exporter = FeedbackHTMLExporter(config=config if config is not None else nbgrader_config())
    page, _ = exporter.from_notebook_node(notebook, resources={"nbgrader": {
        "notebook": "welcome", "score": 2.5, "max_score": 3.5, "late_penalty": 0}})
    return page


@pytest.fixture(scope="module")
def page() -> str:
    return render(autograded_notebook())


def hidden_lines(source: str) -> list[str]:
    """The lines between (and of) the hidden-test markers, read independently of the code."""
    lines, inside = [], False
    for line in source.splitlines():
        inside = inside or BEGIN in line
        if inside:
            lines.append(line.strip())
        inside = inside and END not in line
    return lines


def text_lines(page: str) -> list[str]:
    """The page's text as a reader sees it (tags and highlighting gone), line by line."""
    body = page[page.index("<body"):]
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    return [line.strip() for line in text.splitlines()]


def test_no_line_of_the_hidden_tests_is_on_the_page(page):
    secrets = [line for source in (SCORES_TEST, MODEL_TEST) for line in hidden_lines(source)
               if len(line) > 3]
    assert secrets, "the notebook has hidden tests"
    text = "\n".join(text_lines(page))
    assert [line for line in secrets if line in text] == []
    assert "reference_width" not in page and "model_layer_names" not in page
    assert "HIDDEN TESTS" not in page


def test_the_sentence_stands_in_for_each_hidden_region_and_visible_checks_stay(page):
    lines = text_lines(page)
    assert lines.count(HIDDEN_TESTS_NOTE) == 2
    assert 'assert scores_width > 0, "Your `scores` has no columns."' in lines
    assert 'assert model_params == 18, "Your model does not have 18 parameters."' in lines
    assert "assert setup_done" in lines


def test_the_message_of_a_failed_hidden_check_stays_without_its_source(page):
    text = " ".join(text_lines(page))
    assert "AssertionError: " + LONG_MESSAGE.strip() in text
    assert "lines of the hidden tests are not shown" in text
    # The frame of the test cell is still named, only its hidden lines are gone.
    assert "File <ipython-input-7-feedback>:4" in text


def score_lines(page: str) -> list[str]:
    return [line for line in text_lines(page) if re.search(r"\d / \d", line)]


@pytest.mark.parametrize(("grade_id", "expected"), [
    ("ex2_scores_shape", "Exercise 2 · check ex2_scores_shape — 0 / 1 point"),
    ("ex3_model_params", "Exercise 3 · check ex3_model_params — 2 / 2 points"),
    ("setup_check", "Check setup_check — 0.5 / 0.5 points"),
])
def test_each_score_line_names_the_exercise_and_the_score(page, grade_id, expected):
    listed = [line for line in score_lines(page) if grade_id in line]
    assert expected in listed, listed
    headings = [line for line in text_lines(page)
                if line.startswith(expected.split(" — ")[0]) and "(Top)" in line]
    assert headings == [expected.split(" — ")[0] + expected.split(" — ")[1] + " (Top)"], (
        headings)
    assert "Test cell" not in page and "Grade cell" not in page


def test_the_notebooks_score_stays_as_nbgrader_writes_it(page):
    assert "welcome (Score: 2.5 / 3.5)" in page


def test_long_text_wraps_inside_the_page(page):
    styles = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.S))
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", styles)
    wrapping = [selector for selector, body in rules
                if re.search(r"white-space:\s*pre-wrap", body)
                and re.search(r"overflow-wrap:\s*anywhere", body)]
    assert any(re.search(r"(^|[\s,])pre([\s,]|$)", selector) for selector in wrapping), wrapping
    assert LONG_LINE.strip() in " ".join(text_lines(page)), "the long line is still whole"


def test_nothing_on_the_page_is_fetched_or_runs(page):
    assert "<script" not in page.lower()
    assert "mathjax" not in page.lower()
    elements = Elements()
    elements.feed(page)
    remote = [(tag, attrs) for tag, attrs in elements.tags
              if tag in ("script", "link", "img", "iframe")
              and re.match(r"\s*(https?:)?//", (attrs.get("src") or attrs.get("href") or ""))]
    assert remote == []
    assert [tag for tag, _ in elements.tags if tag in ("script", "link", "iframe")] == []
    handlers = [(tag, name) for tag, attrs in elements.tags for name in attrs
                if name.lower().startswith("on")]
    assert handlers == []
    assert [attrs for _, attrs in elements.tags
            if "javascript:" in " ".join(str(value) for value in attrs.values())] == []
    styles = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.S))
    assert re.findall(r"url\((?!\s*['\"]?data:)[^)]*\)|@import|@font-face", styles) == []


def test_math_and_the_notebooks_markup_are_kept_as_text(page):
    text = " ".join(text_lines(page))
    assert "$x^2$" in text and "$$\\sum_i y_i$$" in text
    assert "<script>alert('markdown')</script>" in text, "shown, not run"
    assert "<b>bold</b>" in page
    assert "[image: a plot]" in text, "a remote image becomes a link to it"


def test_the_course_template_is_used_without_nbgraders_config():
    text = " ".join(text_lines(render(autograded_notebook(), Config())))
    assert "Exercise 2 · check ex2_scores_shape — 0 / 1 point" in text
    assert HIDDEN_TESTS_NOTE in text and "reference_width" not in text


def test_the_autograded_notebook_itself_is_left_as_it_was():
    notebook = autograded_notebook()
    before = nbformat.writes(notebook)
    render(notebook)
    assert nbformat.writes(notebook) == before


def test_hidden_regions_are_taken_out_of_sources_and_metadata():
    source, hidden = hide_hidden_tests(f"a = 1\n  {BEGIN}\n  b = 2\n  {END}\nc = 3\n{BEGIN}\nd")
    assert source == f"a = 1\n  {HIDDEN_TESTS_NOTE}\nc = 3\n{HIDDEN_TESTS_NOTE}"
    assert hidden == [f"  {BEGIN}", "  b = 2", f"  {END}", BEGIN, "d"], "open region: to the end"
    notebook = new_notebook(cells=[new_code_cell("x = 1")])
    notebook.cells[0].metadata["copy"] = {"source": [f"{BEGIN}\nsecret = 1\n{END}"]}
    cleaned = without_hidden_tests(notebook)
    assert "secret" not in nbformat.writes(cleaned)
    assert "secret" in nbformat.writes(notebook)


def test_a_plain_python_traceback_loses_the_hidden_lines_it_quotes():
    traceback = ['Traceback (most recent call last):\n  File "<test cell ex1>", line 3, in '
                 '<module>\n    assert secret_value == 42, "Expected 42."\n',
                 "AssertionError: Expected 42."]
    cleaned = strip_hidden_lines(traceback, [BEGIN, 'assert secret_value == 42, "Expected 42."'])
    assert "secret_value" not in "".join(cleaned)
    assert cleaned[1] == "AssertionError: Expected 42.", "the message stays"


@pytest.mark.parametrize(("score", "points", "expected"), [
    (1.0, 1.0, "1 / 1 point"), (0, 2, "0 / 2 points"), (1.25, 2, "1.25 / 2 points"),
    (None, 1, "not scored (1 point)")])
def test_points_are_shown_plainly(score, points, expected):
    assert points_text(score, points) == expected


def test_points_that_are_not_a_number_are_a_value_error():
    with pytest.raises(ValueError, match=r"`points` must be a number, got 'many'; pass"):
        points_text(1, "many")


def test_html_from_a_notebook_is_cleaned_by_the_feedback_module():
    assert clean_feedback_html('<p onclick="x()">hi</p><script>x()</script>') == (
        "<p>hi</p>&lt;script&gt;x()&lt;/script&gt;")

"""The course in a real browser: what a student and the instructor see.

Headless Chromium (Debian's `chromium` and `chromium-driver`, which .ci/run installs)
driven by Selenium, against JupyterLab servers started by `kfc-lab` (tests/_lab.py) on
127.0.0.1 and stopped after each test, kernels and all; the browser stays off the
network (tests/_browser.py). A failing test saves a screenshot of the page under its
`tmp_path` and names the file in its message.

- a student opens chapter 00 in student mode (no Nbgrader menu, no Create Assignment),
  types an exercise's answer and presses nbgrader's Validate: success; then a wrong
  answer from tests/mistakes/: the dialog shows its one failed check with that check's
  message, and no line of a hidden test;
- the instructor opens Formgrader on a class graded by `kfc-grade` (two students, one
  wrong answer) and sees every student with the score kfc-grade reported;
- each feedback page of that class renders with no script, no event handler and no
  line of the hidden tests, and asks for nothing from the network.

The class is graded once for the module (40 to 60 s); the whole file takes two to three
minutes on 2 cores. Run it alone with `pytest tests/test_browser.py`.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from _browser import chromium, lab, offsite_requests, screenshot_on_failure
from _notebooks import COURSE, REPOSITORY, SOLUTIONS, chapter_notebook, grade_id
from mistakes.chapter_00 import MISTAKES
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from autograder.pipeline.demo import SOLUTION_MARKERS, answered
from autograder.pipeline.report import read_grades_csv

WELCOME = "00-welcome"
RELEASE = chapter_notebook(WELCOME, COURSE)
SOLUTION = chapter_notebook(WELCOME, SOLUTIONS)
KFC_GRADE = str(Path(sys.executable).with_name("kfc-grade"))
CELLS = ".jp-NotebookPanel .jp-Notebook-cell"
VALIDATE = ("//*[contains(@class, 'jp-NotebookPanel-toolbar')]"
            "//jp-button[normalize-space(.)='Validate']")
DIALOG = ".jp-Dialog #validation-message"
MENU = "//li[contains(@class, 'lm-MenuBar-item')][normalize-space(.)='{}']"
SIDEBAR_TAB = "//li[contains(@class, 'lm-TabBar-tab')][normalize-space(.)='{}']"
EXERCISE = "ex4_predict"  # the exercise the student types: one line, its own check cell
CHECK = "ex4_predictions_shape"
WRONG = next(mistake for mistake in MISTAKES
             if mistake["cell"] == EXERCISE and list(mistake["fails"]) == [CHECK])
# The class's wrong answer fails a hidden test, so its feedback holds a hidden check's failure.
CLASS_MISTAKE = next(mistake for mistake in MISTAKES if mistake["why"] == "a ReLU on the scores")
# Where an f-string starts (one STRING token before Python 3.12).
STRING_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_START", tokenize.STRING)}


def notebooks():
    return nbformat.read(RELEASE, as_version=4), nbformat.read(SOLUTION, as_version=4)


def solution_of(grade: str) -> str:
    _, solution = notebooks()
    cell = next(cell for cell in solution.cells if grade_id(cell) == grade)
    return SOLUTION_MARKERS.sub("", cell.source).strip()


def cell_index(notebook, grade: str) -> int:
    return next(index for index, cell in enumerate(notebook.cells) if grade_id(cell) == grade)


def hidden_tests(answers: str = "") -> tuple[list[str], list[str]]:
    """What a page must not show of the solutions' hidden tests: their code, their text.

    The code: each line of a `### BEGIN HIDDEN TESTS` region up to its first string
    literal. The text: the pieces of 20 characters or more of its string literals (its
    failure messages, the reference solutions they quote) between f-string fields and
    `\\n`s. Whitespace is collapsed; what the release or `answers` (a student's
    submission) also holds is left out, and code lines under 12 characters.
    """
    release, solution = notebooks()
    visible = " ".join(("\n".join(cell.source for cell in release.cells) + answers).split())
    code, text = [], []
    for cell in solution.cells:
        for region in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS",
                                 cell.source, re.S):
            lines = region.splitlines()
            cut = {number: len(line) for number, line in enumerate(lines, 1)}
            for token in tokenize.generate_tokens(io.StringIO(region).readline):
                if token.type not in STRING_TOKENS:
                    continue
                for number in range(token.start[0], token.end[0] + 1):
                    column = token.start[1] if number == token.start[0] else 0
                    cut[number] = min(cut[number], column)
                literal = token.string.lstrip("rbfuRBFU").strip("'\"")
                text += [" ".join(piece.split())
                         for piece in re.split(r"\{[^}]*\}|\\n", literal)]
            code += [" ".join(line[:cut[number]].split())
                     for number, line in enumerate(lines, 1)]
    return ([line for line in code if len(line) >= 12 and line not in visible],
            [piece for piece in text if len(piece) >= 20 and piece not in visible])


@pytest.fixture
def driver(tmp_path):
    """Headless Chromium, off the network, its profile in the test's tmp_path."""
    with chromium(tmp_path / "chromium-profile") as browser:
        yield browser


@pytest.fixture
def driver_without_javascript(tmp_path):
    """The same with JavaScript off: the DOM is the page as written."""
    with chromium(tmp_path / "chromium-profile", javascript=False) as browser:
        yield browser


# A student validates in JupyterLab -----------------------------------------------------------

def open_notebook(driver, server, name: str, cells: int):
    driver.get(server.page(f"lab/tree/{name}"))
    wait = WebDriverWait(driver, 120)
    wait.until(EC.element_to_be_clickable((By.XPATH, VALIDATE)))
    wait.until(lambda _: len(driver.find_elements(By.CSS_SELECTOR, CELLS)) == cells)


def type_into_cell(driver, index: int, text: str) -> None:
    """Clicks a cell's editor, selects all of it and types `text` in its place, as a student."""
    cell = driver.find_elements(By.CSS_SELECTOR, CELLS)[index]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    editor = cell.find_element(By.CSS_SELECTOR, ".cm-content")
    editor.click()
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
    ActionChains(driver).send_keys(text).perform()
    try:
        WebDriverWait(driver, 10).until(lambda _: editor.text == text)
    except TimeoutException:
        raise AssertionError(f"the cell editor holds {editor.text!r}, not {text!r}") from None


def validate(driver):
    """Presses Validate and returns the dialog's message element once it shows."""
    driver.find_element(By.XPATH, VALIDATE).click()
    return WebDriverWait(driver, 180).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, DIALOG)),
        "no Validation Results dialog")


def close_dialog(driver) -> None:
    driver.find_element(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept").click()
    WebDriverWait(driver, 10).until_not(
        EC.presence_of_element_located((By.CSS_SELECTOR, ".jp-Dialog")))


@screenshot_on_failure
def test_a_student_validates_a_right_then_a_wrong_answer(driver, tmp_path):
    release, solution = notebooks()
    folder = tmp_path / "kfc"
    folder.mkdir()
    # The other exercises are answered already; the student types the last one.
    path = folder / RELEASE.name
    nbformat.write(answered(release, solution, unanswered=frozenset({EXERCISE})), path)
    index = cell_index(release, EXERCISE)
    right = solution_of(EXERCISE)
    with lab(str(folder), home=tmp_path / "home", cwd=tmp_path) as server:
        open_notebook(driver, server, path.name, len(release.cells))
        assert driver.find_elements(By.XPATH, MENU.format("Kernel")), "the menu bar is there"
        assert not driver.find_elements(By.XPATH, MENU.format("Nbgrader")), (
            "student mode has no Nbgrader menu (Formgrader, the Course List)")
        assert not driver.find_elements(By.XPATH, SIDEBAR_TAB.format("Create Assignment")), (
            "student mode has no Create Assignment panel")

        type_into_cell(driver, index, right)
        dialog = validate(driver)
        assert "validation-success" in dialog.get_attribute("class"), dialog.text
        assert dialog.text == "Success! Your notebook passes all the tests."
        close_dialog(driver)

        type_into_cell(driver, index, WRONG["code"])
        dialog = validate(driver)
        text = dialog.text
        assert "validation-failed" in dialog.get_attribute("class"), text
        assert nbformat.read(path, as_version=4).cells[index].source == WRONG["code"], (
            "Validate saved the notebook as typed")
        failed = dialog.find_elements(By.XPATH, ".//p[normalize-space(.)='The following cell "
                                                "failed:']")
        assert len(failed) == 1, f"one check failed, the dialog shows {len(failed)}:\n{text}"
        assert WRONG["fails"][CHECK] in text, text
        shown = [line for line in sum(hidden_tests(), []) if line in " ".join(text.split())]
        assert not shown, f"the dialog shows hidden tests: {shown}"
        # The check's own source (the frames of autograder/checks) stays hidden: the
        # student reads their test cell and the message (IPython's __tracebackhide__).
        checks_source = [line for line in ("autograder/checks", "fail(", "student_check",
                                           "_State") if line in text]
        assert not checks_source, f"the dialog shows the check's source: {checks_source}\n{text}"
        assert not offsite_requests(driver, server.url)


# The instructor's Formgrader and the students' feedback, after kfc-grade ----------------------

@dataclass
class GradedClass:
    workspace: Path
    grades: list[dict[str, str]]  # reports/grades.csv
    submissions: Path

    def answers(self, student: str) -> str:
        """The text of a student's submission."""
        notebook = nbformat.read(self.submissions / f"{student}.ipynb", as_version=4)
        return "\n".join(cell.source for cell in notebook.cells)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory) -> GradedClass:
    """Chapter 00 of a class of two graded by kfc-grade: ada right, ben with one mistake."""
    root = tmp_path_factory.mktemp("graded-class")
    release, solution = notebooks()
    submissions = root / "submissions"
    submissions.mkdir()
    nbformat.write(answered(release, solution), submissions / "ada.ipynb")
    nbformat.write(answered(release, solution,
                            answers={CLASS_MISTAKE["cell"]: CLASS_MISTAKE["code"]}),
                   submissions / "ben.ipynb")
    workspace = root / "workspace"
    result = subprocess.run([KFC_GRADE, str(submissions), "--chapter", WELCOME,
                             "--workspace", str(workspace)], cwd=REPOSITORY,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    grades = read_grades_csv(workspace / "reports" / "grades.csv")
    assert sorted(row["student"] for row in grades) == ["ada", "ben"], grades
    return GradedClass(workspace, grades, submissions)


def formgrader_scores(driver) -> dict[str, tuple[float, float]]:
    """Formgrader's Manage Students table: student id -> (score, max score)."""
    rows = "#main-table tr"
    WebDriverWait(driver, 60).until(
        lambda _: driver.find_elements(By.CSS_SELECTOR, f"{rows} td.score"),
        "Manage Students lists no student")
    scores = {}
    for row in driver.find_elements(By.CSS_SELECTOR, rows):
        student = row.find_element(By.CSS_SELECTOR, "td.id").text.strip()
        score = row.find_element(By.CSS_SELECTOR, "td.score").text.strip()
        found = re.fullmatch(r"([\d.]+) / ([\d.]+)", score)
        assert found, f"the score of {student} reads {score!r}"
        scores[student] = (float(found[1]), float(found[2]))
    return scores


@screenshot_on_failure
def test_an_instructor_sees_the_class_and_its_scores_in_formgrader(graded_class, driver,
                                                                   tmp_path):
    expected = {row["student"]: (float(row["score"]), float(row["max_score"]))
                for row in graded_class.grades}
    assert len(set(expected.values())) > 1, "the two students have different scores"
    with lab("--instructor", "--workspace", str(graded_class.workspace),
             home=tmp_path / "home", cwd=tmp_path) as server:
        driver.get(server.page("lab"))
        wait = WebDriverWait(driver, 120)
        wait.until(EC.element_to_be_clickable((By.XPATH, MENU.format("Nbgrader")))).click()
        wait.until(EC.element_to_be_clickable((
            By.XPATH, "//li[contains(@class, 'lm-Menu-item')][contains(., 'Formgrader')]"
        ))).click()
        frame = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR,
                                                           "iframe[src*='formgrader']")))
        driver.switch_to.frame(frame)
        wait.until(EC.element_to_be_clickable((By.LINK_TEXT, "Manage Students"))).click()
        scores = formgrader_scores(driver)
        fetched = offsite_requests(driver, server.url)
        driver.switch_to.default_content()
        assert scores == expected, "Formgrader shows the scores kfc-grade reported"
        assert not fetched + offsite_requests(driver, server.url)


def feedback_problems(driver, page: Path, answers: str, full_marks: bool) -> list[str]:
    """What is wrong with a feedback page as the browser has it: scripts, hidden tests, fetches.

    No line of a hidden test's code may show; with `full_marks` (every hidden check
    passed, so none has a message to give) no piece of their text either. `answers`:
    the student's submission, whose text the page shows.
    """
    driver.get(page.as_uri())
    problems = []
    scripts = driver.execute_script("return document.scripts.length")
    if scripts:
        problems.append(f"{scripts} script element(s)")
    live = driver.execute_script("""
        return [...document.querySelectorAll('*')].flatMap(element =>
            [...element.attributes].filter(attribute => attribute.name.startsWith('on')
                || /^\\s*javascript:/i.test(attribute.value))
            .map(attribute => element.tagName + ' ' + attribute.name))
            .concat([...document.querySelectorAll('iframe, object, embed, frame')]
            .map(element => element.tagName))""")
    if live:
        problems.append(f"live elements or handlers: {live[:5]}")
    text = " ".join(driver.execute_script("return document.body.innerText").split())
    code, messages = hidden_tests(answers)
    shown = [line for line in code if line in text]
    if shown:
        problems.append(f"hidden test code shown: {shown[:3]}")
    shown = [piece for piece in messages if piece in text] if full_marks else []
    if shown:
        problems.append(f"hidden test text shown: {shown[:3]}")
    fetched = offsite_requests(driver, "file:")
    if fetched:
        problems.append(f"asks the network for {fetched[:3]}")
    return problems


@screenshot_on_failure
def test_the_feedback_pages_show_no_hidden_test_and_run_no_script(
        graded_class, driver_without_javascript, tmp_path):
    driver = driver_without_javascript
    release, _ = notebooks()
    title = next(line.lstrip("# ") for cell in release.cells if cell.cell_type == "markdown"
                 for line in cell.source.splitlines() if line.startswith("# "))
    for row in graded_class.grades:
        page = graded_class.workspace / "feedback" / row["student"] / WELCOME / "welcome.html"
        assert page.is_file(), f"no feedback page {page}"
        problems = feedback_problems(driver, page, graded_class.answers(row["student"]),
                                     full_marks=row["score"] == row["max_score"])
        text = driver.execute_script("return document.body.innerText")
        assert title in text, f"{page} is not the chapter's page"
        if row["student"] == "ben":
            failure = next(iter(CLASS_MISTAKE["fails"].values()))
            assert failure in text, "the hidden check's message is shown"
        assert not problems, f"{page}: {problems}"


@screenshot_on_failure
def test_the_feedback_check_finds_a_script_and_a_hidden_test(
        graded_class, driver_without_javascript, tmp_path):
    """The check above fails on a page with a script, a hidden test's line or its message."""
    code, messages = hidden_tests(graded_class.answers("ada"))
    page = tmp_path / "tampered.html"
    original = graded_class.workspace / "feedback" / "ada" / WELCOME / "welcome.html"
    for tampered, problem in [
        ("<script>document.title = 'x'</script>", "script element"),
        ('<a href="#" onclick="alert(1)">x</a>', "live elements or handlers"),
        (f"<pre>{html.escape(code[-1])}</pre>", "hidden test code shown"),
        (f"<p>{html.escape(messages[-1])}</p>", "hidden test text shown"),
    ]:
        page.write_text(original.read_text().replace("</body>", tampered + "</body>", 1))
        problems = feedback_problems(driver_without_javascript, page,
                                     graded_class.answers("ada"), full_marks=True)
        assert any(problem in found for found in problems), (tampered, problems)
    assert not feedback_problems(driver_without_javascript, original,
                                 graded_class.answers("ada"), full_marks=True)

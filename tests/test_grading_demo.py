"""`kfc-grade --demo` end to end: the sample class gets exactly the grades and statuses it should.

The demo class (autograder/pipeline/demo.py) holds a correct student, an untouched
release, a half-answered student, each foundation mistake, and every kind of
broken notebook the grader must survive, and notebooks that cheat or harm. It
is graded once (about 11 minutes on 2 cores, beside the other tests), then
chapter 01 is graded again to show that grading an unchanged class again keeps
its grades without running it. The scores below were worked out from the points
of each chapter's graded cells and what each submission breaks.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.pipeline.collect import student_id
from autograder.pipeline.demo import FOUNDATION_MISTAKES
from autograder.pipeline.report import NOTHING_HANDED_IN, read_grades_csv

KFC_GRADE = str(Path(sys.executable).with_name("kfc-grade"))
REPOSITORY = Path(__file__).resolve().parent.parent


def _chapter_points() -> dict[str, int]:
    """Each chapter's total points: the sum of its release's graded cells."""
    points = {}
    for notebook_path in sorted((REPOSITORY / "course").glob("[0-9][0-9]-*/*.ipynb")):
        notebook = nbformat.read(notebook_path, as_version=4)
        points[notebook_path.parent.name] = int(sum(
            cell.metadata.get("nbgrader", {}).get("points", 0) or 0 for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("grade")))
    return points


CHAPTER_POINTS = _chapter_points()
POINTS = CHAPTER_POINTS

# (student, chapter) -> (score, status), for every chapter a student handed in.
EXPECTED = {
    **{("ada-all-correct", chapter): (points, "graded")
       for chapter, points in CHAPTER_POINTS.items()},
    **{("ben-untouched", chapter): (0, "graded") for chapter in CHAPTER_POINTS},
    # The release's exercise 4 cell trains `pair_model`, which the untouched exercise 1 lacks.
    ("ben-untouched", "06-models-as-layers"): (0, "errors"),
    # Half the exercises answered: chapter 00's first 2 of 4, chapter 01's first 2 of 5.
    ("cleo-partly-correct", "00-welcome"): (2, "graded"),
    ("cleo-partly-correct", "01-sequential-vs-functional"): (5, "graded"),  # 2 + 3 points
    # Each loses the points of the cells its mistake fails (see FOUNDATION_MISTAKES). The
    # student ids are the folder names, with a hash where a name is long (`student_id`).
    (student_id("mistake-1-two-lstms-instead-of-one-shared"), "05-shared-layers"):
        (POINTS["05-shared-layers"] - 3, "graded"),
    # Exercise 1's loss-weight (1 point) and weighted-loss (2) cells; with one loss for
    # both heads, its losses cell (1) too.
    (student_id("mistake-2-loss-weights-swapped-between-the-outputs"), "03-multi-output"):
        (POINTS["03-multi-output"] - 3, "graded"),
    (student_id("mistake-3-one-loss-for-all-outputs-and"), "03-multi-output"):
        (POINTS["03-multi-output"] - 4, "graded"),
    # Exercise 2's shortcut (2) and same-layers (2) cells.
    (student_id("mistake-4-residual-added-from-the-last-convolution"), "04-dags"):
        (POINTS["04-dags"] - 4, "graded"),
    # The axis-1 Inception loses exercise 1's axis (1), output (1) and same-layers (2) cells,
    # and breaks exercise 4 (4 points), which stacks the student's blocks.
    (student_id("mistake-5-the-seed-s-concatenation-on-axis"), "04-dags"):
        (POINTS["04-dags"] - 8, "errors"),
    (student_id("mistake-6-a-node-index-off-by-one"), "05-shared-layers"):
        (POINTS["05-shared-layers"] - 1, "graded"),
    # Exercise 1's three cells (4 points) and exercise 4's shared-model check (2).
    (student_id("mistake-7-a-dense-instead-of-a-shared"), "06-models-as-layers"):
        (POINTS["06-models-as-layers"] - 6, "graded"),
    # Chapter 00's broken notebooks (1 point per graded cell, 5 in all).
    ("broken-syntax-error", "00-welcome"): (1, "errors"),  # exercises 2-4 fail with it
    ("broken-exception", "00-welcome"): (2, "errors"),  # exercises 3-4
    ("broken-infinite-loop", "00-welcome"): (4, "timed-out"),  # exercise 4
    ("broken-ignores-interrupts", "00-welcome"): (4, "timed-out"),  # exercise 4
    ("broken-kernel-exits", "00-welcome"): (5, "kernel-died"),  # an extra cell exits
    ("broken-kernel-killed", "00-welcome"): (5, "kernel-died"),  # an extra cell is killed
    ("broken-out-of-memory", "00-welcome"): (5, "errors"),  # MemoryError in an extra cell
    ("broken-invalid-json", "00-welcome"): (0, "not-graded"),
    ("broken-empty-file", "00-welcome"): (0, "not-graded"),
    ("broken-deleted-test-cell", "00-welcome"): (5, "repaired"),
    ("broken-duplicated-test-cell", "00-welcome"): (5, "repaired"),
    ("broken-edited-test-cell", "00-welcome"): (4, "repaired"),  # wrong answer, test put back
    ("broken-relabelled-test-cell", "00-welcome"): (5, "repaired"),
    ("broken-huge-output", "00-welcome"): (5, "output-truncated"),
    ("broken-one-enormous-line", "00-welcome"): (5, "output-truncated"),
    # Cheats (demo.CHEATS): patched checks and fake answers earn nothing; hooks that blank
    # every later cell leave no answers to read; harm attempted in an answered notebook
    # reaches nothing and costs nothing.
    ("cheat-patched-checks-and-fakes", "00-welcome"): (0, "graded"),
    ("cheat-ipython-hooks", "00-welcome"): (0, "tampering-suspected"),
    ("cheat-reads-kills-and-lingers", "00-welcome"): (5, "graded"),
    # Chapter 01's notebook in chapter 00's folder: graded as 01, 00 left empty.
    ("broken-wrong-chapter", "00-welcome"): (0, "missing"),
    ("broken-wrong-chapter", "01-sequential-vs-functional"):
        (POINTS["01-sequential-vs-functional"], "repaired"),
}

REASONS = {
    ("broken-syntax-error", "00-welcome"): "cell 21 (ex2_scores) raised SyntaxError",
    ("broken-exception", "00-welcome"): "cell 24 (ex3_model) raised NameError",
    ("broken-infinite-loop", "00-welcome"):
        "cell 28 (ex4_predict) ran past the time limit and was interrupted",
    ("broken-ignores-interrupts", "00-welcome"):
        "ignored the interrupt, so the kernel was restarted without it",
    ("broken-kernel-exits", "00-welcome"): "the kernel died in cell 23 (after ex2_scores_shape)",
    ("broken-kernel-killed", "00-welcome"): "the kernel died in cell 20 (after ex1_input_shape)",
    ("broken-out-of-memory", "00-welcome"): "ran out of memory (MemoryError)",
    ("broken-invalid-json", "00-welcome"): "is not valid notebook JSON",
    ("broken-empty-file", "00-welcome"): "is empty (0 bytes of notebook)",
    ("broken-deleted-test-cell", "00-welcome"):
        "the test cell ex3_model_connections had been deleted",
    ("broken-duplicated-test-cell", "00-welcome"):
        "the test cell ex2_scores_shape appears more than once",
    ("broken-edited-test-cell", "00-welcome"):
        "the test cell ex4_predictions_shape had been edited; the original was graded",
    ("broken-relabelled-test-cell", "00-welcome"): "had been re-labelled 'my_scores_check'",
    ("broken-huge-output", "00-welcome"): "printed too much; its output was cut",
    ("broken-one-enormous-line", "00-welcome"): "printed too much; its output was cut",
    ("broken-wrong-chapter", "00-welcome"): "is 01-sequential-vs-functional's; it was graded there",
    ("broken-wrong-chapter", "01-sequential-vs-functional"): "was handed in for 00-welcome",
    ("cleo-partly-correct", "01-sequential-vs-functional"): "3 of 5 exercises not answered",
    ("cheat-ipython-hooks", "00-welcome"): "tampering suspected",
    ("cheat-patched-checks-and-fakes", "00-welcome"): "4 of 4 exercises not answered",
    ("ben-untouched", "08-appendix-keras3"): "5 of 5 exercises not answered",
}


def kfc_grade(*arguments):
    return subprocess.run([KFC_GRADE, *map(str, arguments)], capture_output=True, text=True,
                          timeout=3600, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Grades the demo class once; returns the workspace, the command's output and its CSV."""
    workspace = tmp_path_factory.mktemp("demo-workspace")
    result = kfc_grade("--demo", "--workspace", workspace)
    assert result.returncode == 0, result.stderr[-5000:]
    return workspace, result, read_grades_csv(workspace / "reports" / "grades.csv")


@pytest.fixture(scope="module")
def handed_in(demo):
    _, _, rows = demo
    return {(row["student"], row["chapter"]): row for row in rows
            if row["reason"] != NOTHING_HANDED_IN}


def test_every_submission_gets_its_expected_score_and_status(handed_in):
    found = {key: (float(row["score"]), row["status"]) for key, row in handed_in.items()}
    assert found == EXPECTED


def test_every_chapter_a_student_did_not_hand_in_is_missing_with_no_points(demo):
    _, _, rows = demo
    students = {row["student"] for row in rows}
    absent = [row for row in rows if row["reason"] == NOTHING_HANDED_IN]
    assert len(absent) + len(EXPECTED) == len(students) * len(CHAPTER_POINTS)
    assert {(row["score"], row["status"]) for row in absent} == {("0", "missing")}


def test_max_scores_are_the_chapters_points(demo):
    _, _, rows = demo
    assert {(row["chapter"], float(row["max_score"])) for row in rows} == {
        (chapter, points) for chapter, points in CHAPTER_POINTS.items()}


@pytest.mark.parametrize("key", REASONS)
def test_the_reason_says_what_happened(key, handed_in):
    assert REASONS[key] in handed_in[key]["reason"]


def test_a_submission_that_could_not_be_graded_is_never_a_silent_zero(handed_in):
    for row in handed_in.values():
        if float(row["score"]) == 0 and row["status"] not in ("graded", "errors"):
            assert row["reason"], row


@pytest.mark.parametrize("name", FOUNDATION_MISTAKES)
def test_each_foundation_mistake_loses_the_cells_it_fails(name, demo):
    workspace, _, _ = demo
    mistake = FOUNDATION_MISTAKES[name]
    chapter = mistake["notebook"].split("/")[0]
    with (workspace / "reports" / "cells.csv").open() as handle:
        cells = [row for row in csv.DictReader(handle)
                 if row["chapter"] == chapter and row["student"].startswith("mistake-")]
    lost = {(row["student"], row["cell"]) for row in cells if float(row["score"]) == 0}
    assert any(all((student, cell) in lost for cell in mistake["fails"])
               for student in {row["student"] for row in cells})


def test_feedback_is_written_for_every_graded_submission_and_no_other(demo, handed_in):
    workspace, _, _ = demo
    for (student, chapter), row in handed_in.items():
        pages = list((workspace / "feedback" / student / chapter).glob("*.html"))
        if row["status"] in ("not-graded", "missing"):
            assert pages == [], (student, chapter)
        else:
            assert len(pages) == 1, (student, chapter)
            score = f"Score: {float(row['score']):.1f} / {float(row['max_score']):.1f}"
            assert score in pages[0].read_text(), (student, chapter)


def test_the_gradebook_holds_exactly_the_graded_submissions(demo, handed_in):
    workspace, _, _ = demo
    graded = {key for key, row in handed_in.items()
              if row["status"] not in ("not-graded", "missing")}
    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gradebook:
        stored = {(submission.student.id, assignment.name): submission.score
                  for assignment in gradebook.assignments
                  for submission in assignment.submissions}
    assert set(stored) == graded
    assert {key: float(handed_in[key]["score"]) for key in graded} == stored


def test_nbgraders_export_agrees(demo, handed_in):
    workspace, _, _ = demo
    with (workspace / "reports" / "nbgrader-grades.csv").open() as handle:
        exported = {(row["student_id"], row["assignment"]): float(row["score"])
                    for row in csv.DictReader(handle)}
    for key, row in handed_in.items():
        if row["status"] not in ("not-graded", "missing"):
            assert exported[key] == float(row["score"]), key


def test_the_plot_is_a_png(demo):
    workspace, _, _ = demo
    image = (workspace / "reports" / "cell-scores.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(image) > 20_000


def test_the_summary_table_is_printed_with_what_needs_a_look(demo):
    workspace, result, _ = demo
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["student", "00", "01"]
    assert next(line for line in lines if line.startswith("ada-all-correct ")).split()[-2:] == [
        f"{sum(CHAPTER_POINTS.values())}/{sum(CHAPTER_POINTS.values())}", "graded"]
    assert "* needs a look:" in lines
    assert any(line.startswith("  broken-empty-file 00-welcome: not-graded: ") for line in lines)
    assert (workspace / "reports" / "summary.txt").read_text().startswith(lines[0])
    # Every submission with a notebook is graded: all but the unreadable and the missing.
    graded = sum(status not in ("not-graded", "missing") for _, status in EXPECTED.values())
    assert graded == 50 and f"[{graded}/{graded}] grading" in result.stderr, "progress is shown"


def test_harm_reached_nothing_and_left_nothing_running(demo, handed_in):
    """The harmful notebook found no file, variable or process of the grader's."""
    workspace, _, _ = demo
    autograded = next((workspace / "autograded" / "cheat-reads-kills-and-lingers"
                       / "00-welcome").glob("*.ipynb"))
    printed = "".join(output.get("text", "") for cell in nbformat.read(
        autograded, as_version=4).cells if cell.cell_type == "code" for output in cell.outputs)
    assert "reached: 0 secrets: 0" in printed
    assert "overwritten" not in (workspace / "nbgrader_config.py").read_text()
    lingering = subprocess.run(["pgrep", "-f", "kfc-demo-lingerer"], capture_output=True,
                               text=True, check=False)
    assert lingering.stdout == "", "the detached process outlived its notebook"
    assert handed_in[("ada-all-correct", "00-welcome")]["status"] == "graded", (
        "the students graded after it were graded as usual")


def test_grading_again_keeps_every_unchanged_grade(demo, handed_in):
    """Chapter 01 graded again, nothing changed (four submissions): no notebook runs, the same
    rows, other chapters kept. (`--force` and grading again for real: test_grading_parallel.)"""
    workspace, _, _ = demo
    chapter = "01-sequential-vs-functional"
    again = kfc_grade("--demo", "--workspace", workspace, "--chapter", "01")
    assert again.returncode == 0, again.stderr[-5000:]
    assert "Kept 4 grades of submissions unchanged since they were graded" in again.stderr
    assert "] grading" not in again.stderr
    rows = read_grades_csv(workspace / "reports" / "grades.csv")
    regraded = {(row["student"], row["chapter"]): row for row in rows
                if row["reason"] != NOTHING_HANDED_IN}
    assert regraded == {key: row for key, row in handed_in.items() if key[1] == chapter}
    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("00-welcome", "ada-all-correct").score == (
            CHAPTER_POINTS["00-welcome"]), "other chapters' grades are kept"

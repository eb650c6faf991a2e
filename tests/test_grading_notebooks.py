"""Reading submissions, telling their chapter, and repairing their graded cells."""

from __future__ import annotations

import copy
import json
import os

import nbformat
import pytest
from _notebooks import COURSE, SOLUTIONS, chapter_notebook, chapters
from nbformat.v4 import new_code_cell, new_notebook

from autograder.pipeline.notebooks import (
    GRADED,
    MAX_NOTEBOOK_BYTES,
    NOT_GRADED,
    REPAIRED,
    Finding,
    cell_grade_id,
    identify_chapter,
    nbgrader_metadata,
    printable,
    read_notebook,
    repair,
)

CHAPTER = "00-welcome"


@pytest.fixture(scope="module")
def releases():
    return {chapter: nbformat.read(chapter_notebook(chapter, COURSE), as_version=4)
            for chapter in chapters()}


@pytest.fixture
def release(releases):
    return copy.deepcopy(releases[CHAPTER])


def labels(notebook) -> list[str]:
    return [cell_grade_id(cell) for cell in notebook.cells if cell_grade_id(cell)]


def index_of(notebook, grade_id: str) -> int:
    return next(i for i, cell in enumerate(notebook.cells) if cell_grade_id(cell) == grade_id)


# Reading


def test_a_notebook_reads(tmp_path):
    path = tmp_path / "welcome.ipynb"
    path.write_text(chapter_notebook(CHAPTER, COURSE).read_text())
    notebook, finding = read_notebook(path)
    assert finding is None
    assert notebook.cells


@pytest.mark.parametrize("content, expected", [
    ("", "is empty"),
    ("   \n", "is empty"),
    ('{"cells": [', "is not valid notebook JSON"),
    ('["a", "list"]', "is JSON but not a Jupyter notebook"),
    ('{"cells": "not a list", "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
     "could not be read as a notebook"),
])
def test_an_unreadable_file_is_not_graded_with_a_reason(content, expected, tmp_path):
    path = tmp_path / "welcome.ipynb"
    path.write_text(content)
    notebook, finding = read_notebook(path, label="ada/welcome.ipynb")
    assert notebook is None
    assert finding.status == NOT_GRADED
    assert expected in finding.reason
    assert finding.reason.startswith("ada/welcome.ipynb ")


@pytest.mark.parametrize("chapter", chapters())
def test_an_nbformat_3_notebook_is_converted_and_identified(chapter, releases, tmp_path):
    """An honest notebook saved by an older Jupyter: `worksheets` instead of `cells`."""
    old = nbformat.convert(copy.deepcopy(releases[chapter]), 3)
    path = tmp_path / "old.ipynb"
    path.write_text(nbformat.writes(old, version=3))
    assert "worksheets" in json.loads(path.read_text())
    notebook, finding = read_notebook(path, label="ada/old.ipynb")
    assert (notebook.nbformat, notebook.nbformat_minor) >= (4, 5)
    assert finding == Finding(GRADED, "ada/old.ipynb was saved in notebook format 3 (an older "
                                      "Jupyter); it was converted to format 4 and graded")
    assert identify_chapter(notebook, releases) == chapter
    assert labels(notebook) == labels(releases[chapter])
    assert repair(notebook, releases[chapter]) == [], "its graded cells came through unchanged"
    nbformat.validate(notebook)


def test_a_notebook_over_the_size_cap_is_not_read(tmp_path):
    path = tmp_path / "big.ipynb"
    with path.open("wb") as handle:
        handle.truncate(MAX_NOTEBOOK_BYTES + 1)
    notebook, finding = read_notebook(path, label="ada/big.ipynb")
    assert notebook is None
    assert (finding.status, finding.reason) == (NOT_GRADED, (
        "ada/big.ipynb is 20.0 MB, over the 20 MB a notebook may be: ask the student to clear "
        "its outputs (Kernel > Restart Kernel and Clear Outputs), save, and submit it again"))


def test_deeply_nested_json_is_not_graded_with_a_reason(tmp_path):
    path = tmp_path / "deep.ipynb"
    path.write_text("[" * 100_000 + "]" * 100_000)
    notebook, finding = read_notebook(path)
    assert notebook is None and "is not valid notebook JSON" in finding.reason


def test_text_for_the_instructor_is_printable():
    assert printable("ada\x1b[2J\n\u202egnp.ipynb") == "ada\\x1b[2J\\n\\u202egnp.ipynb"
    assert printable(os.fsdecode(b"caf\xe9")) == "caf\ufffd"
    assert printable("José") == "José"


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "welcome.ipynb"
    text = chapter_notebook(CHAPTER, COURSE).read_text()
    path.write_text(text[: len(text) // 2])
    _, finding = read_notebook(path)
    assert "line " in finding.reason and "column " in finding.reason


# Chapters


@pytest.mark.parametrize("chapter", chapters())
def test_every_release_and_solution_is_identified_as_its_chapter(chapter, releases):
    for root in (COURSE, SOLUTIONS):
        notebook = nbformat.read(chapter_notebook(chapter, root), as_version=4)
        assert identify_chapter(notebook, releases) == chapter


def test_a_notebook_from_elsewhere_is_no_chapter(releases):
    notebook = new_notebook(cells=[new_code_cell("print('my own work')")])
    assert identify_chapter(notebook, releases) is None


# Repairs


def test_an_untouched_release_needs_no_repair(release, releases):
    assert repair(release, releases[CHAPTER]) == []
    assert release == releases[CHAPTER]


def test_a_deleted_test_cell_is_put_back_where_it_was(release, releases):
    original = releases[CHAPTER]
    del release.cells[index_of(release, "ex3_model_connections")]
    findings = repair(release, original)
    assert [f.status for f in findings] == [REPAIRED]
    assert "test cell ex3_model_connections had been deleted" in findings[0].reason
    assert labels(release) == labels(original)
    restored = release.cells[index_of(release, "ex3_model_connections")]
    assert restored.source == original.cells[index_of(original, "ex3_model_connections")].source


def test_two_deleted_neighbours_come_back_in_order(release, releases):
    original = releases[CHAPTER]
    for grade_id in ("ex3_model_params", "ex3_model_connections"):
        del release.cells[index_of(release, grade_id)]
    assert len(repair(release, original)) == 2
    assert labels(release) == labels(original)


def test_a_deleted_answer_cell_comes_back_unanswered(release, releases):
    del release.cells[index_of(release, "ex2_scores")]
    findings = repair(release, releases[CHAPTER])
    assert "answer cell ex2_scores had been deleted; its answer was graded as unanswered" in (
        findings[0].reason)
    assert "raise NotImplementedError" in release.cells[index_of(release, "ex2_scores")].source


def test_a_duplicated_test_cell_keeps_one_label(release, releases):
    index = index_of(release, "ex2_scores_shape")
    release.cells.insert(index + 1, copy.deepcopy(release.cells[index]))
    findings = repair(release, releases[CHAPTER])
    assert "test cell ex2_scores_shape appears more than once" in findings[0].reason
    assert labels(release) == labels(releases[CHAPTER])
    assert nbgrader_metadata(release.cells[index + 1]) == {}, "the copy runs as an ordinary cell"
    ids = [cell.id for cell in release.cells]
    assert len(ids) == len(set(ids)), "cell ids stay unique"


def test_of_a_duplicated_test_cell_the_unedited_copy_keeps_the_label(release, releases):
    index = index_of(release, "ex2_scores_shape")
    edited = copy.deepcopy(release.cells[index])
    edited.source = "pass"
    release.cells.insert(index, edited)
    repair(release, releases[CHAPTER])
    assert release.cells[index].source == "pass"
    assert nbgrader_metadata(release.cells[index]) == {}
    assert cell_grade_id(release.cells[index + 1]) == "ex2_scores_shape"


def test_an_edited_test_cell_is_graded_as_the_original(release, releases):
    index = index_of(release, "ex1_input_shape")
    release.cells[index].source = "pass  # trust me"
    findings = repair(release, releases[CHAPTER])
    assert "test cell ex1_input_shape had been edited; the original was graded" in (
        findings[0].reason)
    assert release.cells[index].source == releases[CHAPTER].cells[index].source


def test_a_test_cell_turned_into_markdown_is_graded_as_code(release, releases):
    index = index_of(release, "ex1_input_shape")
    cell = release.cells[index]
    release.cells[index] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    findings = repair(release, releases[CHAPTER])
    assert "changed to a markdown cell" in findings[0].reason
    assert release.cells[index].cell_type == "code"


def test_a_relabelled_test_cell_gets_its_label_back(release, releases):
    index = index_of(release, "ex2_scores_shape")
    release.cells[index].metadata.nbgrader["grade_id"] = "my_check"
    findings = repair(release, releases[CHAPTER])
    assert "test cell ex2_scores_shape had been re-labelled 'my_check'" in findings[0].reason
    assert labels(release) == labels(releases[CHAPTER])


def test_a_test_cell_relabelled_as_another_keeps_its_own_label(release, releases):
    """Re-labelled as an existing label: the unedited cells keep their own labels."""
    index = index_of(release, "ex1_input_shape")
    release.cells[index].metadata.nbgrader["grade_id"] = "ex2_scores_shape"
    findings = repair(release, releases[CHAPTER])
    assert findings
    assert labels(release) == labels(releases[CHAPTER])


def test_an_unknown_label_on_a_students_cell_is_removed(release, releases):
    cell = new_code_cell("x = 1")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 100,
                                 "solution": False, "locked": False, "schema_version": 3}
    release.cells.append(cell)
    findings = repair(release, releases[CHAPTER])
    assert "a cell labelled 'bonus', which this chapter does not grade" in findings[0].reason
    assert nbgrader_metadata(release.cells[-1]) == {}


def test_changed_points_are_put_back(release, releases):
    index = index_of(release, "ex1_input_shape")
    release.cells[index].metadata.nbgrader["points"] = 50
    repair(release, releases[CHAPTER])
    assert release.cells[index].metadata.nbgrader["points"] == 1


def test_a_repaired_notebook_is_valid_json_nbgrader_reads(release, releases, tmp_path):
    del release.cells[index_of(release, "ex1_input_shape")]
    release.cells.insert(3, copy.deepcopy(release.cells[3]))
    repair(release, releases[CHAPTER])
    path = tmp_path / "welcome.ipynb"
    nbformat.write(release, str(path))
    nbformat.validate(json.loads(path.read_text()))

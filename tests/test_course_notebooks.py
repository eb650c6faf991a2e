"""The chapter notebooks in `solutions/` follow the course's shape.

Each chapter: a title, a setup cell first that imports the helper library
before Keras, the lesson, `## Summary`, then at least three graded exercises,
each a locked task, a solution cell and test cells with points, a docstring
and a hidden part. The solution notebooks are committed executed (nbval
compares the outputs of the cells tagged `nbval-check-output`), with no
unexpected errors and nothing on stderr. Across the course the graded cells
check output shapes, node indices, loss weighting, connectivity and sharing.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest
from _notebooks import chapter_notebook, chapters, grade_id, is_solution_cell, is_test_cell

CHAPTERS = chapters()
NOTEBOOKS = {
    chapter: nbformat.read(chapter_notebook(chapter), as_version=4) for chapter in CHAPTERS
}
AUTO_NAME = re.compile(r"""["'](dense|conv2d|lstm|embedding|input_layer|concatenate|add)_\d+["']""")


def nbgrader_metadata(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def exercises(notebook) -> list[tuple]:
    """(solution cell, [its test cells]) for each graded exercise, in order."""
    found = []
    for cell in notebook.cells:
        if is_solution_cell(cell) and cell.cell_type == "code":
            found.append((cell, []))
        elif is_test_cell(cell) and found:
            found[-1][1].append(cell)
    return found


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_opens_with_title_and_setup_cell(chapter):
    notebook = NOTEBOOKS[chapter]
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith(f"# Chapter {int(chapter[:2])} · ")
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert grade_id(first_code) == "setup" and nbgrader_metadata(first_code)["locked"]
    imports = [line for line in first_code.source.splitlines() if line.startswith("import ")]
    assert imports[0].startswith("import keras_functional_course"), (
        "the setup cell must import keras_functional_course before keras"
    )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_summary_comes_before_the_exercises(chapter):
    text = [cell.source for cell in NOTEBOOKS[chapter].cells if cell.cell_type == "markdown"]
    summary = next(i for i, source in enumerate(text) if "## Summary" in source)
    exercises_heading = next(i for i, source in enumerate(text) if "## Exercises" in source)
    first_task = next(i for i, source in enumerate(text) if source.startswith("### Exercise"))
    assert summary <= exercises_heading <= first_task


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_at_least_three_graded_exercises_each_with_tests(chapter):
    found = exercises(NOTEBOOKS[chapter])
    assert len(found) >= 3
    for solution, tests in found:
        assert "### BEGIN SOLUTION" in solution.source and "### END SOLUTION" in solution.source
        assert tests, f"exercise {grade_id(solution)} has no test cell"
        assert any("### BEGIN HIDDEN TESTS" in test.source for test in tests), (
            f"exercise {grade_id(solution)} has no hidden tests"
        )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_graded_cells_have_points_docstring_and_locked_source(chapter):
    for cell in NOTEBOOKS[chapter].cells:
        if not is_test_cell(cell):
            continue
        metadata = nbgrader_metadata(cell)
        assert metadata["points"] > 0 and metadata["locked"], grade_id(cell)
        module = ast.parse(cell.source)
        assert ast.get_docstring(module), f"test cell {grade_id(cell)} has no docstring"
        assert re.fullmatch(r"ex\d+_[a-z0-9_]+", grade_id(cell)), grade_id(cell)


def test_grade_ids_are_unique_across_each_notebook():
    for chapter, notebook in NOTEBOOKS.items():
        ids = [grade_id(cell) for cell in notebook.cells if grade_id(cell)]
        assert len(ids) == len(set(ids)), chapter


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_checks_never_use_auto_generated_layer_names(chapter):
    for cell in NOTEBOOKS[chapter].cells:
        if is_test_cell(cell):
            assert not AUTO_NAME.search(cell.source), grade_id(cell)
            assert "_keras_history" not in cell.source, grade_id(cell)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_graded_models_are_built_in_a_fresh_seeded_session(chapter):
    for solution, _ in exercises(NOTEBOOKS[chapter]):
        visible = solution.source.split("### BEGIN SOLUTION")[0]
        if "clear_session" in visible:
            assert "set_random_seed" in visible, grade_id(solution)
    assert any(
        "clear_session" in solution.source.split("### BEGIN SOLUTION")[0]
        for solution, _ in exercises(NOTEBOOKS[chapter])
    ), "no exercise starts from keras.utils.clear_session() and set_random_seed()"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solutions_are_committed_executed_without_stray_errors(chapter):
    notebook = NOTEBOOKS[chapter]
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code_cells), "run nbauthor / re-execute"
    for cell in code_cells:
        expected_error = "raises-exception" in cell.metadata.get("tags", [])
        errors = [output for output in cell.outputs if output.output_type == "error"]
        stderr = [output for output in cell.outputs
                  if output.output_type == "stream" and output.name == "stderr"]
        assert bool(errors) == expected_error, cell.source[:200]
        assert stderr == [], cell.source[:200]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_some_outputs_are_compared_by_nbval(chapter):
    tagged = [cell for cell in NOTEBOOKS[chapter].cells
              if "nbval-check-output" in cell.metadata.get("tags", [])]
    assert tagged and all(cell.outputs for cell in tagged)


@pytest.mark.parametrize(
    "concept, check_functions",
    [
        ("output shapes", ("check_output_shapes", "check_shape")),
        ("node indices", ("check_node_index",)),
        ("loss weighting", ("check_loss_weights", "check_weighted_loss")),
        ("connectivity", ("check_feeds", "check_residual_shortcut", "check_branches_from_input")),
        ("sharing", ("check_shared_layer", "check_shared_submodel")),
    ],
)
def test_course_grades_every_concept(concept, check_functions):
    graded_sources = [
        cell.source for notebook in NOTEBOOKS.values() for cell in notebook.cells
        if is_test_cell(cell)
    ]
    assert any(name in source for source in graded_sources for name in check_functions), concept


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_drawings_and_plots_show_as_pictures(chapter):
    """A cell that draws a model or a curve has an image output, not `<Figure size ...>`."""
    for cell in NOTEBOOKS[chapter].cells:
        if cell.cell_type != "code" or not re.search(r"draw_model\(|plt\.show\(\)", cell.source):
            continue
        kinds = {key for output in cell.outputs for key in output.get("data", {})}
        assert "image/png" in kinds, cell.source[:200]

"""The score of a submission comes from checks its code never touched.

Each test runs chapter 00 (the smallest chapter) through `TrustedExecute`, in
the sandboxed kernel, with answer cells replaced by what a dishonest student
would write. The test cells run in the trusted checks' process on what the
kernel exported, so nothing done inside the kernel earns a point: not
replacing the check functions or NumPy's, not IPython hooks that rewrite or
swallow later cells, not objects that claim to be equal to anything or to
be a Keras model. The honest notebook still gets every point, and the test
cells' sources (hidden tests included) never reach the kernel.
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from _notebooks import SOLUTIONS
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.utils import determine_grade

from autograder.trusted.execute import UNREADABLE, TrustedExecute, is_test_cell

CHAPTER = SOLUTIONS / "00-welcome" / "welcome.ipynb"

PATCHED_CHECKS = '''
from autograder import checks
from autograder.checks import messages
import numpy as np
for name in dir(checks):
    if name.startswith(("check_", "require", "solution_reference")):
        setattr(checks, name, lambda *args, **kwargs: None)
messages.fail = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True

class Anything:
    shape = (None, 8)
    name = "measurements"
    dtype = "float32"
    def __eq__(self, other):
        return True

inputs = Anything()
'''

POSES_AS_TENSOR = '''
class Poser:
    shape = (None, 2)
    @property
    def __class__(self):
        return keras.KerasTensor

scores = Poser()
'''

FAKE_MODEL = '''
class Eighteen(keras.Model):
    def count_params(self):
        return 18

model = Eighteen()
'''

IPYTHON_HOOKS = '''
import ast, os
shell = get_ipython()
shell.input_transformers_post.append(lambda lines: ["pass\\n"])

class Blank(ast.NodeTransformer):
    def visit_Module(self, node):
        return ast.Module(body=[ast.Pass()], type_ignores=[])

shell.ast_transformers.append(Blank())
shell.set_custom_exc((BaseException,), lambda *args, **kwargs: None)
original_run_cell = shell.run_cell
shell.run_cell = lambda *args, **kwargs: original_run_cell("pass")
graded = bool(os.environ.get("NBGRADER_EXECUTION"))
predictions = np.zeros((5, 2))
'''

HIDDEN_SEEN = (
    "hidden_seen = [source for source in In[:-1]\n"
    '               if "HIDDEN" in source or "checks.require" in source]\n'
    "print(len(hidden_seen))"
)


def _with_answers(answers: dict[str, str], extra_cells: tuple[str, ...] = ()):
    notebook = nbformat.read(CHAPTER, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    for source in extra_cells:
        notebook.cells.append(nbformat.v4.new_code_cell(source))
    return notebook


def _grade(notebook, tmp_path) -> dict[str, list]:
    """Runs the notebook with TrustedExecute; returns each test cell's error outputs."""
    executed, _ = TrustedExecute(timeout=60).preprocess(
        copy.deepcopy(notebook), {"metadata": {"path": str(tmp_path)}})
    return executed, {cell.metadata.nbgrader.grade_id: [
        output for output in cell.outputs if output.output_type == "error"]
        for cell in executed.cells if is_test_cell(cell)}


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return _grade(_with_answers({}, extra_cells=(HIDDEN_SEEN,)), tmp_path_factory.mktemp("h"))


def test_the_honest_notebook_passes_every_test_cell(honest):
    _, errors = honest
    assert errors and not any(errors.values()), errors


def test_the_graded_notebook_shows_each_test_cell_as_it_was(honest):
    """The kernel ran an export in each test cell's place; the graded notebook keeps the test."""
    executed, _ = honest
    original = nbformat.read(CHAPTER, as_version=4)
    tests = {cell.metadata.nbgrader.grade_id: cell.source for cell in original.cells
             if is_test_cell(cell)}
    shown = {cell.metadata.nbgrader.grade_id: cell.source for cell in executed.cells
             if is_test_cell(cell)}
    assert shown == tests, "a test cell shows the trusted checks' export call, not its source"


def test_no_test_cell_source_reaches_the_kernel(honest):
    executed, _ = honest
    printed = "".join(output.get("text", "") for output in executed.cells[-1].outputs)
    assert printed.strip() == "0", (
        "the kernel's input history holds test-cell code: the hidden tests reached it")


def test_answers_made_of_patched_checks_fakes_and_hooks_earn_nothing(tmp_path):
    notebook = _with_answers({"ex1_input": PATCHED_CHECKS, "ex2_scores": POSES_AS_TENSOR,
                              "ex3_model": FAKE_MODEL, "ex4_predict": IPYTHON_HOOKS})
    _, errors = _grade(notebook, tmp_path)
    assert all(errors.values()), {cell: found for cell, found in errors.items() if not found}
    messages = {cell: found[0].evalue for cell, found in errors.items()}
    assert "`inputs`" in messages["ex1_input_shape"], messages["ex1_input_shape"]
    assert "`scores`" in messages["ex2_scores_shape"]
    assert "`model`" in messages["ex3_model_params"]
    assert errors["ex4_predictions_shape"][0].ename == UNREADABLE, (
        "hooks that swallow the export leave no answers to read: reported, not passed")


PARTIAL_CREDIT = """x = 2
from IPython.display import display
get_ipython().events.register("post_run_cell", lambda result: display(1.0))
"""


def _graded_cell(source, grade_id, points, *, solution=False):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "grade": not solution,
                                 "solution": solution, "locked": not solution,
                                 "points": points, "schema_version": 3}
    return cell


def test_output_the_students_code_adds_to_a_test_cell_is_not_partial_credit(tmp_path):
    """nbgrader reads a number a test cell outputs as partial credit: no such output survives."""
    notebook = new_notebook(cells=[
        _graded_cell(PARTIAL_CREDIT, "answer", 0, solution=True),
        _graded_cell("assert x == 1, 'Your `x` is not 1.'", "x_is_one", 2),
        _graded_cell("assert x == 2", "x_is_two", 1),
    ])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    executed, _ = TrustedExecute(timeout=30).preprocess(
        notebook, {"metadata": {"path": str(tmp_path)}})
    wrong, right = executed.cells[1], executed.cells[2]
    assert [output.output_type for output in wrong.outputs] == ["error"]
    assert wrong.outputs[0].evalue == "Your `x` is not 1."
    assert right.outputs == []
    assert determine_grade(wrong, None)[0] == 0
    assert determine_grade(right, None)[0] == 1


def test_the_maintainers_command_prints_each_test_cells_outcome(tmp_path, capsys):
    """`python -m autograder.trusted NOTEBOOK`: one line per test cell, exit 1 on a failure."""
    from autograder.trusted.__main__ import main

    notebook = new_notebook(cells=[
        _graded_cell("x = 2", "answer", 0, solution=True),
        _graded_cell("assert x == 1, 'Your `x` is not 1.'", "x_is_one", 2),
        _graded_cell("assert x == 2", "x_is_two", 1),
    ])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    path = tmp_path / "toy.ipynb"
    nbformat.write(notebook, path)
    assert main([str(path), "--timeout", "30"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["x_is_one", "AssertionError:", "Your", "`x`", "is", "not", "1."]
    assert lines[1].split() == ["x_is_two", "PASS"]
    assert lines[2] == "1 of 2 test cells passed"
    assert main([str(tmp_path / "missing.ipynb")]) == 2
    assert "is not a notebook file" in capsys.readouterr().err

"""Equivalent rewrites of each solution earn full marks.

`tests/rewrites/chapter_NN.py` holds, for each exercise, answers a student could write that
are as right as the solution by the exercise's text (another spelling of a layer, keyword
or positional arguments, statements in another order, other variable names ...). Each
runs in place of the solution, in the same kernel run as the chapter's mutants
(`autograder.mutation.run.cached_chapter_run`), and every test cell of its exercise must
pass: `test_rewrites_earn_full_marks` in tests/test_course_mutants.py, next to the mutants,
so that one kernel run per chapter serves both (pytest-xdist keeps a file on one worker).
This file checks the corpus itself.
"""

from __future__ import annotations

import ast

import nbformat
import pytest

from autograder.mutation import generate, run

CHAPTERS = run.chapters()


def _solutions(chapter: str) -> dict[str, str]:
    notebook = nbformat.read(run.chapter_notebook(chapter), as_version=4)
    return {run.grade_id(c): c.source for c in notebook.cells if run.is_solution_cell(c)}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_has_rewrites(chapter):
    solutions = _solutions(chapter)
    rewrites = run.load_rewrites(chapter)
    unknown = sorted({r.exercise for r in rewrites} - set(solutions))
    assert unknown == [], "rewrites for cells that are not solution cells"
    counts = {exercise: sum(r.exercise == exercise for r in rewrites) for exercise in solutions}
    assert [e for e, n in counts.items() if n < 2] == [], "exercises with fewer than 2 rewrites"
    for rewrite in rewrites:
        ast.parse(rewrite.code)
        assert "### BEGIN SOLUTION" not in rewrite.code, rewrite.key
        body = generate.split_cell(solutions[rewrite.exercise])[1]
        assert rewrite.code.strip() != body.strip(), f"{rewrite.key} is the solution itself"

"""The graded cells catch the mutants of every solution (mutation testing).

For each chapter, the mutants of each exercise's solution (`autograder.mutation.generate`)
and the rewrites of `tests/rewrites/` run in one kernel (`autograder.mutation.run`):

- every mutant that no test cell catches is listed in `autograder/mutation/equivalent.toml`,
  and no test cell rejects a listed one;
- every catch of a mutant whose own cell ran cleanly is an AssertionError (a message
  written to the student), not a raw error from the test code;
- the right answer still passes its test cells after the replay (the replay is sound);
- every equivalent rewrite of `tests/rewrites/` earns full marks;
- every wrong answer of `tests/mistakes/` fails the test cells it names with its message
  (replayed in the same kernel, so each chapter's notebook runs once for all of these).

`python -m autograder.mutation --chapter NN` prints the same findings as a table. The
kernel runs take a few minutes per chapter; `test_equivalent_entries_are_not_stale`
needs no kernel.
"""

from __future__ import annotations

import nbformat
import pytest

from autograder.mutation import generate, run

CHAPTERS = run.chapters()


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:200]


@pytest.fixture(scope="module")
def equivalents():
    return run.load_equivalents()


def test_equivalent_entries_are_not_stale(equivalents):
    """Each listed equivalent matches a mutant the generator makes today."""
    keys = []
    for chapter in CHAPTERS:
        notebook = nbformat.read(run.chapter_notebook(chapter), as_version=4)
        for cell in notebook.cells:
            if run.is_solution_cell(cell):
                keys += [(chapter, run.grade_id(cell), m.key)
                         for m in generate.mutants(cell.source)]
    stale = [entry for entry in equivalents
             if not any(entry.matches(chapter, exercise, key) for chapter, exercise, key in keys)]
    assert stale == [], "entries of equivalent.toml that match no mutant: update or remove them"


@pytest.mark.notebooks
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_graded_cells_catch_every_mutant(chapter, equivalents):
    chapter_run = run.cached_chapter_run(chapter)
    scores = [run.score(exercise, equivalents) for exercise in chapter_run.exercises]
    unsound = [s.exercise for s in scores if not s.sound]
    assert unsound == [], "the right answer fails its test cells after the replay"
    survivors = [f"{s.exercise}: {r.variant.key}" for s in scores for r in s.survived]
    assert survivors == [], (
        "mutants that no test cell catches: make a test cell catch them, or list them in "
        "autograder/mutation/equivalent.toml with the reason they are equally right"
    )


@pytest.mark.notebooks
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_equivalent_mutants_keep_full_marks(chapter, equivalents):
    chapter_run = run.cached_chapter_run(chapter)
    rejected = [
        f"{s.exercise}: {r.variant.key} -> {r.first_failure.grade_id}: "
        f"{r.first_failure.error_name}: {_first_line(r.first_failure.error_message)}"
        for s in (run.score(e, equivalents) for e in chapter_run.exercises)
        for r, _ in s.equivalent_caught
    ]
    assert rejected == [], "mutants listed as equivalent (equally right) lose points"


@pytest.mark.notebooks
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_mutants_are_caught_by_assertion_messages(chapter, equivalents):
    chapter_run = run.cached_chapter_run(chapter)
    raw = [
        f"{s.exercise}: {r.variant.key} -> {r.first_failure.grade_id}: "
        f"{r.first_failure.error_name}: {_first_line(r.first_failure.error_message)}"
        for s in (run.score(e, equivalents) for e in chapter_run.exercises)
        for r in s.not_assertion
    ]
    assert raw == [], (
        "wrong answers whose cell runs cleanly must fail a test cell with an AssertionError "
        "message, not an error raised by the test code"
    )


@pytest.mark.notebooks
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_graded_cells_catch_the_mistakes(chapter):
    """Each wrong answer of tests/mistakes/ fails the test cells it names, each with an
    AssertionError holding the message fragment it names (replayed in the mutants' kernel)."""
    problems = []
    for exercise in run.cached_chapter_run(chapter).exercises:
        for result in exercise.mistakes:
            outcomes = {test.grade_id: test for test in result.tests}
            for cell, fragment in result.variant.expected:
                outcome = outcomes.get(cell)
                if outcome is None:
                    problems.append(f"{result.variant.description}: {cell} is not a test of "
                                    "that exercise")
                elif outcome.error_name != "AssertionError" or fragment not in (
                        outcome.error_message):
                    problems.append(
                        f"{result.variant.description}: {cell} gave {outcome.error_name}: "
                        f"{outcome.error_message!r}, expected an AssertionError containing "
                        f"{fragment!r}")
    assert problems == []


def test_every_mistake_of_a_chapter_is_replayed():
    """The mutants' kernel replays every entry of tests/mistakes/ (none is dropped)."""
    for chapter in CHAPTERS:
        variants = run.load_mistakes(chapter)
        assert variants, f"tests/mistakes/ has no mistake for {chapter}"
        assert all(v.kind == "mistake" and v.expected for v in variants)


def _toy_notebook(path):
    """A notebook with two exercises, their test cells and a set-up cell, no Keras."""
    def solution(grade_id, source):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": grade_id,
                                     "locked": False, "schema_version": 3}
        return cell

    def test(grade_id, source):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": grade_id,
                                     "points": 1, "locked": True, "schema_version": 3}
        return cell

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("base = 6\nitems = []"),
        solution("ex1", "### BEGIN SOLUTION\nanswer = base * 7\n### END SOLUTION"),
        test("ex1_value", 'assert answer == 42, "wrong answer"'),
        test("ex1_type", 'assert isinstance(answer, int), "not an int"'),
        nbformat.v4.new_markdown_cell("Exercise 2"),
        solution("ex2", "### BEGIN SOLUTION\nitems.append(answer)\n### END SOLUTION"),
        test("ex2_items", 'assert items == [42], f"items is {items}"'),
    ]
    nbformat.write(notebook, path)
    return path


@pytest.mark.notebooks
def test_the_runner_on_a_toy_notebook(tmp_path):
    """Caught, survived, stale names, timeouts, in-place state and rewrites, in one kernel."""
    codes = {
        "ex1": ["answer = base * 8", "pass", "while True:\n    pass", "answer = 42.0",
                "answer = 42", "answer = base * 7 + 0"],
        "ex2": ["items.append(41)", "items.append(answer)\nitems.append(answer)"],
    }

    def mutants_for(source):
        exercise = "ex1" if "answer = base" in source else "ex2"
        return [generate.Mutant(f"m{i}", "", code) for i, code in enumerate(codes[exercise])]

    # The rewrite binds `base` too; its old value comes back after the rewrite's tests.
    rewrite = run.Variant("ex1", "rewrite: 42 by hand", "base = 21\nanswer = base * 2",
                          "rewrite")
    result = run.run_notebook(_toy_notebook(tmp_path / "toy.ipynb"), mutants_for=mutants_for,
                              rewrites=[rewrite], cell_timeout=3, chapter="toy")
    ex1, ex2 = result.exercises
    assert ex1.sound and ex2.sound
    outcome = {r.variant.key: r for r in ex1.results}
    assert not outcome["rewrite: 42 by hand"].caught
    assert outcome["m0"].caught_by_assertion
    # `pass` binds nothing: the right answer's `answer` is gone, so the tests fail.
    assert outcome["m1"].caught and outcome["m1"].cell_error is None
    assert outcome["m1"].first_failure.error_name == "NameError"
    assert outcome["m2"].cell_error[0] == "Timeout" and outcome["m2"].caught
    assert [t.error_name for t in outcome["m3"].tests] == [None, "AssertionError"]
    assert not outcome["m4"].caught
    assert not outcome["m5"].caught, "the rewrite's `base = 21` leaked into the next variant"
    # ex2 changes `items`, made by an earlier cell: each mutant starts from a fresh list.
    assert [r.caught for r in ex2.results] == [True, True]
    assert "items is [41]" in ex2.results[0].first_failure.error_message
    assert "items is [42, 42]" in ex2.results[1].first_failure.error_message
    scores = run.score(ex1, [run.Equivalent("toy", "ex1", "m4", "the same number")])
    assert (len(scores.caught), len(scores.equivalent), len(scores.survived)) == (4, 1, 1)
    assert [r.variant.key for r in scores.not_assertion] == ["m1"]


@pytest.mark.notebooks
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_rewrites_earn_full_marks(chapter):
    chapter_run = run.cached_chapter_run(chapter)
    failed = []
    for exercise in chapter_run.exercises:
        for result in exercise.rewrites:
            if result.cell_error is not None:
                failed.append(f"{exercise.exercise} {result.variant.key}: the cell raised "
                              f"{result.cell_error[0]}: {result.cell_error[1][:200]}")
            elif result.caught:
                failure = result.first_failure
                failed.append(f"{exercise.exercise} {result.variant.key}: {failure.grade_id} "
                              f"raised {failure.error_name}: {failure.error_message[:300]}")
    assert failed == [], "equivalent rewrites that lose points"

"""Rules every exercise's test cells follow, read from the solution notebooks.

- A reference model is built by the solution's own lines: the text given to
  `checks.solution_reference` is a subsequence of the exercise's solution
  lines, so a change to the solution cannot leave a stale copy behind.
- Every test cell starts (after its docstring) with `checks.require(...)`,
  so an exercise not answered yet says so instead of raising NameError.
- No lesson cell defines a variable that an exercise asks the student to
  define: an unanswered exercise must not be checked against the lesson's
  object.

These tests only parse notebooks; they run no kernel.
"""

from __future__ import annotations

import ast
import textwrap

import nbformat
import pytest
from _notebooks import chapter_notebook, chapters, grade_id, is_solution_cell, is_test_cell

CHAPTERS = chapters()
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def solution_lines(source: str) -> list[str]:
    """The lines of a solution cell between its BEGIN and END SOLUTION markers."""
    lines = source.splitlines()
    if BEGIN not in source:
        return []
    start = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    stop = next(i for i, line in enumerate(lines) if line.strip() == END)
    return lines[start + 1:stop]


def outside_solution(source: str) -> str:
    """A solution cell's lines outside its markers (the exercise's given set-up)."""
    lines = source.splitlines()
    if BEGIN not in source:
        return source
    start = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    stop = next(i for i, line in enumerate(lines) if line.strip() == END)
    return "\n".join(lines[:start] + lines[stop + 1:])


def parse(source: str) -> ast.Module:
    """Parses cell source, with IPython magics and shell lines blanked out."""
    cleaned = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    return ast.parse(cleaned)


def assigned_names(source: str) -> set[str]:
    """Names a cell binds at its top level: assignments, for targets, imports, defs."""
    names = set()
    for node in parse(source).body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        elif isinstance(node, ast.For | ast.With):
            targets = [node.target] if isinstance(node, ast.For) else [
                item.optional_vars for item in node.items if item.optional_vars]
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def calls_to(source: str, function: str) -> list[ast.Call]:
    """The calls of `checks.<function>(...)` in a cell."""
    return [
        node for node in ast.walk(parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr == function
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "checks"
    ]


def exercises(notebook) -> list[tuple[object, list]]:
    """Each solution cell with the test cells that follow it."""
    found, current = [], None
    for cell in notebook.cells:
        if is_solution_cell(cell) and cell.cell_type == "code":
            current = (cell, [])
            found.append(current)
        elif is_test_cell(cell) and current is not None:
            current[1].append(cell)
    return found


def required_names(notebook) -> dict[str, set[str]]:
    """Solution grade_id -> the names its test cells `require`."""
    required = {}
    for solution, tests in exercises(notebook):
        names = set()
        for test in tests:
            for call in calls_to(test.source, "require"):
                names.update(a.value for a in call.args if isinstance(a, ast.Constant))
        required[grade_id(solution)] = names
    return required


def is_subsequence(lines: list[str], of: list[str]) -> bool:
    remaining = iter(line.strip() for line in of)
    return all(any(line == candidate for candidate in remaining) for line in lines)


def load(chapter: str):
    return nbformat.read(chapter_notebook(chapter), as_version=4)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_references_are_the_solutions_own_lines(chapter):
    problems = []
    for solution, tests in exercises(load(chapter)):
        lines = solution_lines(solution.source)
        for test in tests:
            for call in calls_to(test.source, "solution_reference"):
                text = call.args[1].value if len(call.args) > 1 else None
                if not isinstance(text, str):
                    problems.append(f"{grade_id(test)}: the solution lines are not a string")
                    continue
                wanted = [line.strip() for line in textwrap.dedent(text).splitlines()
                          if line.strip()]
                if not is_subsequence(wanted, lines):
                    problems.append(
                        f"{grade_id(test)}: solution_reference lines are not lines of "
                        f"{grade_id(solution)}'s solution, in order")
    assert problems == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_test_cell_starts_with_require(chapter):
    missing = []
    for cell in load(chapter).cells:
        if not is_test_cell(cell):
            continue
        body = parse(cell.source).body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        first = body[0] if body else None
        is_require = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
                      and calls_to(ast.unparse(first), "require"))
        if not is_require:
            missing.append(grade_id(cell))
    assert missing == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_lesson_cell_defines_an_exercise_variable(chapter):
    notebook = load(chapter)
    required = set().union(*required_names(notebook).values())
    clashes = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or is_test_cell(cell):
            continue
        source = outside_solution(cell.source) if is_solution_cell(cell) else cell.source
        for name in sorted(assigned_names(source) & required):
            clashes.append(f"cell {index} ({grade_id(cell) or 'lesson'}) defines `{name}`")
    assert clashes == []


def test_the_rules_catch_their_violations():
    """The helpers above see a stale copy, a missing require and a lesson clash."""
    solution = f"x = 1\n{BEGIN}\nmodel = build(3)\nmodel.compile()\n{END}\n"
    assert is_subsequence(["model = build(3)"], solution_lines(solution))
    assert not is_subsequence(["model = build(4)"], solution_lines(solution))
    assert not is_subsequence(["model.compile()", "model = build(3)"], solution_lines(solution))
    assert assigned_names(outside_solution(solution)) == {"x"}
    assert assigned_names("for a, b in pairs:\n    pass\nimport numpy as np\n") == {
        "a", "b", "np"}
    test = '"""Doc."""\nchecks.require("model", exercise=1)\n'
    assert [c.args[0].value for c in calls_to(test, "require")] == ["model"]

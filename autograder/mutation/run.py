"""Replays mutants and rewrites of each exercise against its test cells, in one kernel.

`run_notebook(path)` starts one kernel for the notebook and executes it once, top
to bottom (as `tests/_notebooks.py` does). Then, for each exercise (solution
cell) in order, each *variant* of it (a rewrite, then each mutant) goes to the
kernel in one request, run by a small driver defined in the kernel:

1. when the solution changes in place an object an earlier cell made (calls a
   layer or model, `compile`, `fit`, `add` ...), the cells from the one that made
   it up to the exercise that mention it run again (test cells excepted), so that
   every variant starts from the same state (`prefix_cells`);
2. the names the solution binds are deleted, so that a variant that raises cannot
   pass on what the right answer left behind; names the variant binds and the
   solution does not (a rewrite's own variables) get their old values back after
   its test cells, so that they cannot clobber what later cells use;
3. the variant's cell runs, then each test cell of the exercise, on its own,
   under a time limit; the outcome of each (passed, or the exception's name and
   message) comes back as one JSON line.

At the end of an exercise the right answer, its test cells and the cells up to
the next exercise run again (the same request), and the test cells must pass:
that is the check that the replay itself is sound. A variant's cell and each
test cell run with `exec` in the notebook's namespace, after IPython's own
transformation of the source (magics), so each test cell is still judged on
its own, as nbgrader does.

Speed: after the first pass and after each restore the driver calls `gc.freeze()`,
so that the `keras.utils.clear_session()` at the top of most exercise cells (a full
garbage collection) scans only what the variant made: about 0.01 s instead of 0.8 s
once a notebook has run.

The reviewed equivalent mutants, `equivalent.toml` and `equivalent/chapter_NN.toml`,
are read here too (`load_equivalents`).
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import runpy
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.mutation import generate

REPOSITORY = Path(__file__).resolve().parent.parent.parent
SOLUTIONS = REPOSITORY / "solutions"
REWRITES = REPOSITORY / "tests" / "rewrites"
MISTAKES = REPOSITORY / "tests" / "mistakes"
EQUIVALENTS = Path(__file__).resolve().parent / "equivalent.toml"
# One file per chapter, chapter_NN.toml, in the same format: chapter engineers edit these.
EQUIVALENT_DIRECTORY = Path(__file__).resolve().parent / "equivalent"
MARK = "@@mutation-result@@ "
CELL_TIMEOUT = 300


# --- what runs and what came back ------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A version of one exercise's solution cell to grade.

    Args:
        exercise: grade_id of the solution cell it replaces.
        key: the mutant's key, or a rewrite's label.
        code: the whole cell.
        kind: "mutant", "rewrite" (equally right) or "mistake" (a wrong answer of
            `tests/mistakes/`).
        description: what it changes, why a rewrite is right, or what the mistake is.
        expected: for a mistake, (test cell grade_id, a fragment of the message it must
            give) for each test cell it must fail.
    """

    exercise: str
    key: str
    code: str
    kind: str = "mutant"
    description: str = ""
    expected: tuple[tuple[str, str], ...] = ()


@dataclass
class TestOutcome:
    """One test cell: None when it passed, else the exception's name and message."""

    grade_id: str
    error_name: str | None
    error_message: str = ""


@dataclass
class VariantResult:
    variant: Variant
    cell_error: tuple[str, str] | None
    tests: list[TestOutcome]
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)
    prefix_errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def caught(self) -> bool:
        """At least one test cell raised: the variant loses points."""
        return any(test.error_name is not None for test in self.tests)

    @property
    def first_failure(self) -> TestOutcome | None:
        return next((test for test in self.tests if test.error_name is not None), None)

    @property
    def caught_by_assertion(self) -> bool:
        failure = self.first_failure
        return failure is not None and failure.error_name == "AssertionError"


@dataclass
class ExerciseRun:
    """Everything one exercise's variants did, and whether the right answer still passes."""

    chapter: str
    exercise: str
    results: list[VariantResult] = field(default_factory=list)
    restore: VariantResult | None = None
    seconds: float = 0.0

    @property
    def mutants(self) -> list[VariantResult]:
        return [r for r in self.results if r.variant.kind == "mutant"]

    @property
    def rewrites(self) -> list[VariantResult]:
        return [r for r in self.results if r.variant.kind == "rewrite"]

    @property
    def mistakes(self) -> list[VariantResult]:
        return [r for r in self.results if r.variant.kind == "mistake"]

    @property
    def sound(self) -> bool:
        """The right answer passes every test cell after the replay."""
        return self.restore is not None and not self.restore.caught


@dataclass
class ChapterRun:
    chapter: str
    notebook: Path
    exercises: list[ExerciseRun]
    seconds: float
    first_pass_seconds: float


# --- equivalent mutants ----------------------------------------------------------------


@dataclass(frozen=True)
class Equivalent:
    """A reviewed mutant that is as right as the solution by the exercise's text."""

    chapter: str
    exercise: str
    mutant: str
    why: str
    pattern: bool = False

    def matches(self, chapter: str, exercise: str, key: str) -> bool:
        if self.chapter not in ("*", chapter) or self.exercise not in ("*", exercise):
            return False
        if self.pattern:
            return re.search(self.mutant, key) is not None
        return self.mutant == key


EQUIVALENT_FIELDS = {"chapter", "exercise", "mutant", "why", "pattern"}


def load_equivalents(path: Path = EQUIVALENTS,
                     directory: Path | None = EQUIVALENT_DIRECTORY) -> list[Equivalent]:
    """Reads and checks the list of equivalent mutants.

    Args:
        path: the course-wide list, `equivalent.toml`.
        directory: a folder of more lists in the same format (`equivalent/chapter_NN.toml`),
            read in name order after `path`; None or a missing folder reads none.

    Raises:
        ValueError: naming the file, the entry and the field, for a missing or empty field,
            an unknown field, a `pattern` that is not a boolean, or a regex that does not
            compile.
    """
    files = [Path(path)]
    if directory is not None and Path(directory).is_dir():
        files += sorted(Path(directory).glob("*.toml"))
    return [entry for file in files for entry in _load_equivalent_file(file)]


def _load_equivalent_file(path: Path) -> list[Equivalent]:
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path} is not valid TOML: {error}") from error
    unknown_top = set(document) - {"equivalent"}
    if unknown_top:
        raise ValueError(f"{path}: unknown top-level key(s) {sorted(unknown_top)}; "
                         "write each entry as an [[equivalent]] table")
    entries = document.get("equivalent", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: 'equivalent' must be a list of [[equivalent]] tables")
    result = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: [[equivalent]] entry {number}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} is not a table")
        unknown = set(entry) - EQUIVALENT_FIELDS
        if unknown:
            raise ValueError(f"{where} has unknown field(s) {sorted(unknown)}; "
                             f"the fields are {sorted(EQUIVALENT_FIELDS)}")
        for name in ("chapter", "exercise", "mutant", "why"):
            value = entry.get(name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where} needs a non-empty string field {name!r}"
                                 + (f" (found {value!r})" if name in entry else ""))
        pattern = entry.get("pattern", False)
        if not isinstance(pattern, bool):
            raise ValueError(f"{where}: field 'pattern' must be true or false, not {pattern!r}")
        if pattern:
            try:
                re.compile(entry["mutant"])
            except re.error as error:
                raise ValueError(
                    f"{where}: field 'mutant' is not a valid regex: {error}") from error
        result.append(Equivalent(entry["chapter"], entry["exercise"], entry["mutant"],
                                 entry["why"].strip(), pattern))
    return result


def equivalent_for(equivalents: Iterable[Equivalent], chapter: str, exercise: str,
                   key: str) -> Equivalent | None:
    return next((e for e in equivalents if e.matches(chapter, exercise, key)), None)


# --- notebooks -------------------------------------------------------------------------


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_solution_cell(cell) -> bool:
    return cell.cell_type == "code" and bool(
        cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and bool(
        cell.get("metadata", {}).get("nbgrader", {}).get("grade"))


def chapters(root: Path = SOLUTIONS) -> list[str]:
    return sorted(path.name for path in root.iterdir()
                  if path.is_dir() and path.name[:2].isdigit() and path.name[2:3] == "-")


def chapter_notebook(chapter: str, root: Path = SOLUTIONS) -> Path:
    notebooks = sorted((root / chapter).glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(f"{root / chapter} should hold exactly one notebook, found {notebooks}")
    return notebooks[0]


def exercises(notebook) -> list[tuple[int, str]]:
    """(cell index, grade_id) of each solution code cell, in order."""
    return [(i, grade_id(cell)) for i, cell in enumerate(notebook.cells) if is_solution_cell(cell)]


def exercise_tests(notebook, index: int) -> list[tuple[int, str]]:
    """(cell index, grade_id) of the test cells after a solution cell, up to the next one."""
    tests = []
    for i in range(index + 1, len(notebook.cells)):
        cell = notebook.cells[i]
        if is_solution_cell(cell):
            break
        if is_test_cell(cell):
            tests.append((i, grade_id(cell)))
    return tests


def _python(source: str) -> str:
    return "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def prefix_cells(notebook, index: int) -> list[int]:
    """The cells to run again before each variant of the exercise at `index`.

    For each name the solution changes in place but does not bind
    (`generate.inplace_names`), the last earlier cell that binds it other than by an
    import; from the first of those cells up to the exercise, every code cell that is
    not a test cell and mentions one of the names. Empty when the solution changes
    nothing an earlier cell made.
    """
    names, starts = set(), []
    for name in generate.inplace_names(notebook.cells[index].source):
        for i in range(index - 1, -1, -1):
            cell = notebook.cells[i]
            if cell.cell_type != "code":
                continue
            source = _python(cell.source)
            if name in generate.import_names(source):
                break
            if name in generate.bound_names(source):
                names.add(name)
                starts.append(i)
                break
    if not starts:
        return []
    return [i for i in range(min(starts), index)
            if notebook.cells[i].cell_type == "code" and not is_test_cell(notebook.cells[i])
            and names & generate.mentioned_names(_python(notebook.cells[i].source))]


def mutant_variants(notebook, exercise: str,
                    mutants_for: Callable[[str], list[generate.Mutant]] = generate.mutants,
                    ) -> list[Variant]:
    cell = next(c for c in notebook.cells if grade_id(c) == exercise)
    return [Variant(exercise, m.key, m.code, "mutant", m.description)
            for m in mutants_for(cell.source)]


def load_rewrites(chapter: str, root: Path = REWRITES) -> list[Variant]:
    """The equivalent rewrites of a chapter's solutions, from tests/rewrites/chapter_NN.py."""
    path = root / f"chapter_{chapter[:2]}.py"
    if not path.exists():
        return []
    entries = runpy.run_path(str(path))["REWRITES"]
    variants = []
    for number, entry in enumerate(entries, start=1):
        unknown = set(entry) - {"cell", "why", "code"}
        if unknown or not all(entry.get(k) for k in ("cell", "why", "code")):
            raise ValueError(f"{path}: rewrite {number} needs exactly the fields cell, why, code")
        variants.append(Variant(entry["cell"], f"rewrite {number}: {entry['why']}",
                                entry["code"], "rewrite", entry["why"]))
    return variants


def load_mistakes(chapter: str, root: Path = MISTAKES) -> list[Variant]:
    """The wrong answers written for a chapter, from tests/mistakes/chapter_NN.py.

    Each entry gives the answer cell it replaces (`cell`), the wrong `code`, `why` it is
    wrong, and the message fragment each test cell it `fails` must give.
    """
    path = root / f"chapter_{chapter[:2]}.py"
    if not path.exists():
        return []
    variants = []
    for number, entry in enumerate(runpy.run_path(str(path))["MISTAKES"], start=1):
        unknown = set(entry) - {"notebook", "cell", "why", "code", "fails"}
        if unknown or not all(entry.get(k) for k in ("cell", "why", "code", "fails")):
            raise ValueError(f"{path}: mistake {number} needs the fields cell, why, code, fails "
                             "(and may name its notebook)")
        variants.append(Variant(entry["cell"], f"mistake {number}: {entry['why']}",
                                entry["code"], "mistake", entry["why"],
                                tuple(entry["fails"].items())))
    return variants


# --- the kernel side -------------------------------------------------------------------

DRIVER = r'''
import gc as _gc, json as _json, signal as _signal, sys as _sys, time as _time
import types as _types

def _install():
    driver = _types.ModuleType("_mutation_driver")

    class Timeout(BaseException):
        pass

    def run_source(source, timeout):
        shell = get_ipython()
        namespace = shell.user_ns
        def expire(signum, frame):
            raise Timeout(f"took longer than {timeout} s")
        previous = _signal.signal(_signal.SIGALRM, expire)
        _signal.setitimer(_signal.ITIMER_REAL, timeout)
        try:
            code = compile(shell.transform_cell(source), "<cell>", "exec")
            exec(code, namespace)
            return None
        except Timeout as error:
            return ["Timeout", str(error)]
        except Exception as error:
            return [type(error).__name__, str(error)[:2000]]
        finally:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            _signal.signal(_signal.SIGALRM, previous)

    def run(request):
        request = _json.loads(request)
        timeout = request["timeout"]
        # Each variant is another student's answer: the checks forget earlier failures, as
        # in a fresh kernel (they key them by object identity, which Python reuses).
        try:
            from autograder.checks import messages as _messages
            _messages.forget_failures()
        except ImportError:
            pass
        namespace = get_ipython().user_ns
        started = _time.perf_counter()
        result = {"prefix": [], "cell": None, "tests": [], "after": []}
        for source in request["prefix"]:
            result["prefix"].append(run_source(source, timeout))
        missing = object()
        saved = {name: namespace.get(name, missing) for name in request.get("keep", [])}
        for name in request["delete"]:
            namespace.pop(name, None)
        result["prefix_seconds"] = _time.perf_counter() - started
        result["cell"] = run_source(request["cell"], timeout)
        result["cell_seconds"] = _time.perf_counter() - started - result["prefix_seconds"]
        for grade_id, source in request["tests"]:
            result["tests"].append([grade_id, run_source(source, timeout)])
        result["test_seconds"] = (_time.perf_counter() - started - result["prefix_seconds"]
                                  - result["cell_seconds"])
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value
        for source in request["after"]:
            result["after"].append(run_source(source, timeout))
        result["seconds"] = _time.perf_counter() - started
        if request.get("freeze"):
            _gc.freeze()
        _sys.stdout.flush()
        print("\n" + MARK + _json.dumps(result), flush=True)

    driver.run = run
    _sys.modules["_mutation_driver"] = driver

_install()
del _install
_gc.collect()
_gc.freeze()
'''


class _Kernel:
    """One kernel for a notebook; restarts itself (and the notebook) if the kernel dies."""

    def __init__(self, notebook_path: Path, notebook, cell_timeout: int):
        from nbclient import NotebookClient

        self.path = notebook_path
        self.notebook = notebook
        self.cell_timeout = cell_timeout
        self.client = NotebookClient(
            copy.deepcopy(notebook), kernel_name="python3", timeout=cell_timeout,
            allow_errors=True, interrupt_on_timeout=True, record_timing=False,
            resources={"metadata": {"path": str(notebook_path.parent)}},
        )
        self.stack = contextlib.ExitStack()

    def start(self, upto: int | None = None) -> None:
        """Starts the kernel, runs the notebook (cells before `upto`) and the driver."""
        self.stack.enter_context(self.client.setup_kernel())
        cells = self.notebook.cells if upto is None else self.notebook.cells[:upto]
        for index, cell in enumerate(cells):
            if cell.cell_type == "code":
                self.client.execute_cell(copy.deepcopy(cell), index)
        self._execute(DRIVER.replace("MARK", repr(MARK)), 0)

    def close(self) -> None:
        self.stack.close()

    def _execute(self, source: str, index: int, timeout: int | None = None):
        cell = nbformat.v4.new_code_cell(source)
        self.client.timeout = timeout or self.cell_timeout
        self.client.execute_cell(cell, index)
        return cell

    def request(self, index: int, request: dict) -> dict:
        """Sends one request to the driver; returns its JSON answer (or an error answer)."""
        from nbclient.exceptions import DeadKernelError

        steps = len(request["prefix"]) + len(request["tests"]) + len(request["after"]) + 1
        source = f"__import__('_mutation_driver').run({json.dumps(request)!r})"
        try:
            cell = self._execute(source, index, timeout=self.cell_timeout * steps + 60)
        except DeadKernelError as error:
            self.stack.close()
            self.stack = contextlib.ExitStack()
            self.start(upto=index)
            return {"crash": f"DeadKernelError: {error}"}
        text = "".join(o.get("text", "") for o in cell.outputs
                       if o.output_type == "stream" and o.name == "stdout")
        for line in reversed(text.splitlines()):
            if line.startswith(MARK):
                return json.loads(line[len(MARK):])
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        return {"crash": errors[0] if errors else "the driver printed no result"}


def _result(variant: Variant, answer: dict, tests: list[str], seconds: float) -> VariantResult:
    if "crash" in answer:
        return VariantResult(variant, ("DriverError", answer["crash"]),
                             [TestOutcome(t, "DriverError", answer["crash"]) for t in tests],
                             seconds)
    outcomes = [TestOutcome(grade_id, *(error or (None, ""))) for grade_id, error in
                answer["tests"]]
    cell_error = tuple(answer["cell"]) if answer["cell"] else None
    steps = {name[: -len("_seconds")]: answer[name] for name in answer if name.endswith("_seconds")}
    prefix_errors = [tuple(error) for error in answer["prefix"] if error]
    return VariantResult(variant, cell_error, outcomes, seconds, steps, prefix_errors)


def run_notebook(
    notebook_path: Path,
    *,
    chapter: str | None = None,
    only: Iterable[str] | None = None,
    mutants_for: Callable[[str], list[generate.Mutant]] | None = generate.mutants,
    rewrites: Iterable[Variant] = (),
    cell_timeout: int = CELL_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> ChapterRun:
    """Runs the rewrites and mutants of each exercise of a notebook in one kernel.

    Args:
        notebook_path: the solution notebook.
        chapter: its chapter folder name (default: the notebook's folder).
        only: grade_ids of the exercises to run (default: all).
        mutants_for: cell source -> mutants; None runs no mutants.
        rewrites: rewrites and mistakes to grade (Variant objects, kind "rewrite" or
            "mistake").
        cell_timeout: seconds for each cell (a variant's cell, each test cell).
        progress: called with a line of text after each exercise.

    Returns:
        A ChapterRun with one ExerciseRun per exercise run, in notebook order.
    """
    started = time.perf_counter()
    notebook_path = Path(notebook_path)
    chapter = chapter or notebook_path.parent.name
    notebook = nbformat.read(notebook_path, as_version=4)
    wanted = set(only) if only is not None else None
    rewrites = list(rewrites)
    solution_cells = exercises(notebook)
    kernel = _Kernel(notebook_path, notebook, cell_timeout)
    runs = []
    try:
        kernel.start()
        first_pass = time.perf_counter() - started
        for position, (index, exercise) in enumerate(solution_cells):
            if wanted is not None and exercise not in wanted:
                continue
            exercise_started = time.perf_counter()
            solution = notebook.cells[index].source
            tests = exercise_tests(notebook, index)
            test_sources = [[gid, notebook.cells[i].source] for i, gid in tests]
            prefix = [notebook.cells[i].source for i in prefix_cells(notebook, index)]
            variants = [v for v in rewrites if v.exercise == exercise]
            if mutants_for is not None:
                variants += mutant_variants(notebook, exercise, mutants_for)
            delete = generate.solution_names(solution)
            solution_binds = set(generate.bound_names(_python(solution)))
            run = ExerciseRun(chapter, exercise)
            for variant in variants:
                variant_started = time.perf_counter()
                # Names the variant binds and the solution does not (a rewrite's own
                # variables) get their values back afterwards: later cells may use them.
                keep = sorted(set(generate.bound_names(_python(variant.code))) - solution_binds)
                answer = kernel.request(index, {
                    "prefix": prefix, "delete": delete, "keep": keep, "cell": variant.code,
                    "tests": test_sources, "after": [], "timeout": cell_timeout,
                })
                run.results.append(_result(variant, answer, [t[0] for t in test_sources],
                                           time.perf_counter() - variant_started))
            # The right answer again, with the cells up to the next exercise.
            following = (solution_cells[position + 1][0] if position + 1 < len(solution_cells)
                         else len(notebook.cells))
            after = [c.source for c in notebook.cells[index + 1:following]
                     if c.cell_type == "code" and not is_test_cell(c)]
            restore_started = time.perf_counter()
            answer = kernel.request(index, {
                "prefix": prefix, "delete": delete, "cell": solution, "tests": test_sources,
                "after": after, "timeout": cell_timeout, "freeze": True,
            })
            run.restore = _result(Variant(exercise, "the solution", solution, "solution"),
                                  answer, [t[0] for t in test_sources],
                                  time.perf_counter() - restore_started)
            run.seconds = time.perf_counter() - exercise_started
            runs.append(run)
            if progress is not None:
                progress(f"{chapter} {exercise}: {len(run.results)} variants, "
                         f"{run.seconds:.1f} s")
    finally:
        kernel.close()
    return ChapterRun(chapter, notebook_path, runs, time.perf_counter() - started, first_pass)


def run_chapter(chapter: str, *, only: Iterable[str] | None = None, with_mutants: bool = True,
                with_rewrites: bool = True, with_mistakes: bool = False,
                cell_timeout: int = CELL_TIMEOUT,
                progress: Callable[[str], None] | None = None) -> ChapterRun:
    """`run_notebook` for a chapter folder of solutions/, with its rewrites from tests/rewrites/
    (and, with `with_mistakes`, its wrong answers from tests/mistakes/)."""
    variants = load_rewrites(chapter) if with_rewrites else []
    if with_mistakes:
        variants += load_mistakes(chapter)
    return run_notebook(
        chapter_notebook(chapter), chapter=chapter, only=only,
        mutants_for=generate.mutants if with_mutants else None,
        rewrites=variants, cell_timeout=cell_timeout, progress=progress,
    )


_CACHE: dict[str, ChapterRun] = {}


def cached_chapter_run(chapter: str) -> ChapterRun:
    """The full run of a chapter (mutants, rewrites and mistakes), once per process.

    The mutant, rewrite and mistake tests of a chapter share it, so each chapter's notebook
    runs in a kernel once.
    """
    if chapter not in _CACHE:
        _CACHE[chapter] = run_chapter(chapter, with_mistakes=True)
    return _CACHE[chapter]


# --- summaries -------------------------------------------------------------------------


@dataclass
class Score:
    """One exercise's mutation score."""

    chapter: str
    exercise: str
    caught: list[VariantResult]
    equivalent: list[tuple[VariantResult, Equivalent]]
    survived: list[VariantResult]
    equivalent_caught: list[tuple[VariantResult, Equivalent]]
    not_assertion: list[VariantResult]
    failed_rewrites: list[VariantResult]
    seconds: float
    sound: bool

    @property
    def total(self) -> int:
        return len(self.caught) + len(self.equivalent) + len(self.survived)


def score(run: ExerciseRun, equivalents: Iterable[Equivalent]) -> Score:
    equivalents = list(equivalents)
    caught, equivalent, survived, equivalent_caught, not_assertion = [], [], [], [], []
    for result in run.mutants:
        entry = equivalent_for(equivalents, run.chapter, run.exercise, result.variant.key)
        if result.caught:
            caught.append(result)
            if entry is not None:
                equivalent_caught.append((result, entry))
            if result.cell_error is None and not result.caught_by_assertion:
                not_assertion.append(result)
        elif entry is not None:
            equivalent.append((result, entry))
        else:
            survived.append(result)
    failed = [r for r in run.rewrites if r.caught or r.cell_error is not None]
    return Score(run.chapter, run.exercise, caught, equivalent, survived, equivalent_caught,
                 not_assertion, failed, run.seconds, run.sound)


def changed_lines(original: str, mutated: str) -> str:
    """The lines a variant changes, as '-old / +new' (one line each side, shortened)."""
    import difflib

    old_lines, new_lines = original.splitlines(), mutated.splitlines()
    removed, added = [], []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += old_lines[i1:i2]
            added += new_lines[j1:j2]
    return " / ".join([*(f"- {line.strip()}" for line in removed),
                       *(f"+ {line.strip()}" for line in added)])

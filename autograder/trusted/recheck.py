"""The graded checks, run in a fresh process on the answers the kernel exported.

`TrustedExecute` (autograder/trusted/execute.py) runs a submission in the
grading kernel, but never its test cells there: at each test cell the kernel
writes a snapshot of its variables (`autograder.trusted.snapshot`). After the
notebook has run, this module is started as a new Python process that never
ran a line of the student's code. For each test cell, in notebook order, it
rebuilds that cell's snapshot (`autograder.trusted.rebuild`) and runs the
test cell's source, taken from the course's own source (the gradebook), in
the rebuilt namespace. What it finds is the score:

- the test cell raised nothing: full marks;
- it raised (a check's `AssertionError`, or any error): no marks, with the
  message written as the cell's output, as a kernel would have shown it;
- the snapshot is missing or is not data the export writes: no marks, and
  the cell is reported as one whose answers could not be read.

Run as `python -m autograder.trusted.recheck [--wait] TESTS_JSON RESULTS_JSON`, where
TESTS_JSON lists `{"cell": index, "grade_id": ..., "source": ...,
"snapshot": folder}` and RESULTS_JSON receives one result per cell.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

# Error names a test cell gets when it could not be scored: its snapshot could not be
# read back (`autograder.pipeline.report` reports "tampering suspected"), or the trusted
# checks' process did not finish.
UNREADABLE = "AnswersNotReadable"
CHECKS_FAILED_TO_RUN = "GraderChecksFailed"


def _result(cell: int, grade_id: str, error: BaseException | None = None,
            name: str | None = None, message: str | None = None) -> dict:
    if error is None and name is None:
        return {"cell": cell, "grade_id": grade_id, "passed": True}
    name = name or type(error).__name__
    message = message if message is not None else str(error)
    return {"cell": cell, "grade_id": grade_id, "passed": False, "ename": name,
            "evalue": message, "traceback": [f"{name}: {message}"]}


def run_test_cell(source: str, namespace: dict[str, Any], grade_id: str) -> BaseException | None:
    """Runs one test cell's source in `namespace`; returns what it raised, or None."""
    from autograder.checks import messages

    messages._forget_exercise()
    namespace.setdefault("__name__", "__main__")
    namespace.setdefault("__builtins__", __builtins__)
    try:
        code = compile(source, f"<test cell {grade_id}>", "exec")
        exec(code, namespace)  # noqa: S102 - the course's own test source
    except Exception as error:  # every failure of a test cell costs its points
        return error
    return None


def recheck(tests: list[dict]) -> list[dict]:
    """Runs every test cell on its snapshot; returns one result per cell, in order."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from autograder.checks import messages
    from autograder.trusted import rebuild

    messages.forget_failures()
    results = []
    previous: tuple[bytes, dict, dict] | None = None
    for test in tests:
        cell, grade_id = int(test["cell"]), str(test["grade_id"])
        snapshot = Path(test["snapshot"])
        try:
            # Test cells of one exercise usually follow each other with nothing run in
            # between: the same snapshot is rebuilt once, as the kernel kept one namespace.
            document = (snapshot / "namespace.json").read_bytes()
        except OSError:
            document = b""
        try:
            if previous is not None and document and previous[0] == document:
                namespace, identities = previous[1], previous[2]
            else:
                keras.utils.clear_session(free_memory=False)
                namespace, identities = rebuild.load(snapshot)
                previous = (document, namespace, identities)
        except rebuild.SnapshotError as error:
            previous = None
            results.append(_result(cell, grade_id, name=UNREADABLE, message=(
                f"The grader could not read your answers at this cell ({error}), so it could "
                "not check them: this cell earns no points. If you did not change how the "
                "notebook runs, tell your instructor.")))
            continue
        messages._State.identity = staticmethod(
            lambda value, known=identities: known.get(id(value), id(value)))
        error = run_test_cell(str(test["source"]), namespace, grade_id)
        if isinstance(error, AssertionError):
            results.append(_result(cell, grade_id, error))
        elif error is not None:
            results.append(_result(cell, grade_id, error, message=(
                f"{error}".strip() or "".join(traceback.format_exception_only(error)).strip())))
        else:
            results.append(_result(cell, grade_id))
    messages._State.identity = staticmethod(id)
    return results


def main(argv: list[str] | None = None) -> int:
    """`recheck TESTS_JSON RESULTS_JSON`; with `--wait` first, it loads Keras and the checks,
    then waits for a line on stdin before reading TESTS_JSON (started while the kernel runs)."""
    arguments = sys.argv[1:] if argv is None else argv
    wait = arguments[:1] == ["--wait"]
    arguments = arguments[1:] if wait else arguments
    if len(arguments) != 2:
        print("usage: python -m autograder.trusted.recheck [--wait] TESTS_JSON RESULTS_JSON",
              file=sys.stderr)
        return 2
    if wait:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras  # noqa: F401 - loaded while the kernel still runs

        import autograder.checks  # noqa: F401
        import autograder.trusted.rebuild  # noqa: F401

        if not sys.stdin.readline().strip():
            return 0  # the notebook had no test cell to check
    tests = json.loads(Path(arguments[0]).read_text(encoding="utf-8"))
    results = recheck(tests)
    Path(arguments[1]).write_text(json.dumps(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

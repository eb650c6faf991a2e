"""How a check speaks to the student: failures, names, unanswered exercises.

Every check raises `AssertionError` with a message in the second person, in
three parts: what was found, what was expected, and a hint about that
difference (`fail`). This module also holds what the checks share about the
way a message reaches the student:

- `student_check`, the decorator every public check wears. It hides the
  check's own frames from the traceback IPython shows (the student sees their
  cell and the message, not the check's source), turns an unexpected error
  inside a check into a message instead of a raw exception, and folds a
  cascade: once one check of an exercise has failed, a later check of the
  same exercise that fails too says so in one sentence instead of repeating
  the mistake in other words;
- `require`, the first call of a test cell: it says "Exercise N is not
  answered yet" when the student's variable does not exist;
- the student's own names for things: `student_namespace` finds the
  notebook's variables, `describe_layer` and `describe_tensor` name a layer or
  tensor as the student wrote it (the name they gave it, or the variable that
  holds it, or the layer it reads) and never by an auto-generated layer name.
"""

from __future__ import annotations

import functools
import linecache
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

import keras

from keras_functional_course import graph as graph_tools
from keras_functional_course._keras_internals import tensor_origin

# The frame that raises a check's message. Its two lines are all of the check that
# IPython shows: the student's traceback is their own cell, this, then the message.
_RAISER_SOURCE = "def check_failed(message):\n    raise message  # what the check found:\n"
_RAISER_FILE = "<autograder check>"
linecache.cache[_RAISER_FILE] = (
    len(_RAISER_SOURCE), None, _RAISER_SOURCE.splitlines(keepends=True), _RAISER_FILE)
_RAISER: dict[str, Any] = {}
exec(compile(_RAISER_SOURCE, _RAISER_FILE, "exec"), _RAISER)  # noqa: S102


class _State:
    """What the checks remember between test cells of one kernel.

    `exercise` is the exercise whose test cell is running (set by `require`,
    reset before every cell); `failed` maps an exercise to the identities of
    the student's objects it checked and the first failure found in them, so
    that running the exercise cell again (new objects) starts afresh.
    """

    exercise: str | None = None
    answer: tuple[int, ...] = ()
    failed: dict[str, tuple[tuple[int, ...], str]] = {}
    # How an answer object is told apart from another: its id in this process. The
    # trusted checks (`autograder.trusted.recheck`) rebuild the kernel's objects and
    # give them back the ids they had there.
    identity: Callable[[Any], int] = staticmethod(id)


def _forget_exercise(*_: Any) -> None:
    _State.exercise = None


def _install_cell_hook() -> None:
    """Forgets the current exercise before each cell, in an IPython kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    shell = get_ipython()
    if shell is not None and _forget_exercise not in shell.events.callbacks["pre_run_cell"]:
        shell.events.register("pre_run_cell", _forget_exercise)


_install_cell_hook()


def fail(found: str, expected: str, hint: str) -> None:
    """Raises the student-facing `AssertionError`: found, expected, hint.

    Args:
        found: what the student's answer has, naming their variable or layer.
        expected: what the exercise asks for, never the answer itself when
            the exercise asks the student to compute it.
        hint: how to find the difference, in the second person.
    """
    raise AssertionError(f"{found} {expected}\nHint: {hint}")


def _first_line(message: str) -> str:
    return message.split("\nHint:")[0].strip()


def student_check(function: Callable) -> Callable:
    """Decorates a public check: clean tracebacks, messages only, no cascades.

    Args:
        function: a check that returns None or raises `AssertionError`.

    Returns:
        The check, raising only `AssertionError`s whose traceback shows the
        student's cell and no line of the check.
    """

    @functools.wraps(function)
    def check(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841 - read by IPython and pytest
        try:
            return function(*args, **kwargs)
        except AssertionError as error:
            message = str(error)
        except Exception as error:  # a check must never crash on a wrong answer
            message = (
                f"Your answer could not be checked: {function.__name__} raised "
                f"{type(error).__name__}: {error}\n"
                "Hint: run your exercise cell again from a clean start (Restart Kernel and "
                "Run All Cells); if this message stays, ask your instructor."
            )
        exercise = _State.exercise
        if exercise is not None:
            answer, earlier = _State.failed.get(exercise, ((), None))
            if earlier is not None and answer == _State.answer and (
                    earlier != _first_line(message)):
                message = (
                    f"Not checked yet: an earlier check of exercise {exercise} found a "
                    f"mistake first ({earlier})\n"
                    "Hint: fix that mistake and run the checks again; this one runs then."
                )
            elif earlier is None or answer != _State.answer:
                _State.failed[exercise] = (_State.answer, _first_line(message))
        error = AssertionError(message)
        error.__suppress_context__ = True
        _RAISER["check_failed"](error)

    return check


def start_exercise(exercise: str | int | None, answer: tuple[int, ...] = ()) -> None:
    """Marks the running test cell as one of `exercise`'s, checking `answer`.

    Args:
        exercise: the exercise's number or label; None for no exercise.
        answer: the identities of the student's objects the cell checks; a
            failure recorded for other objects (an earlier run) is forgotten.
    """
    _State.exercise = None if exercise is None else str(exercise)
    _State.answer = answer


def forget_failures() -> None:
    """Forgets every exercise's recorded failures (a fresh kernel's state)."""
    _State.exercise = None
    _State.answer = ()
    _State.failed.clear()


def student_namespace() -> Mapping[str, Any]:
    """The notebook's variables: the globals of the nearest `__main__` frame.

    A test cell runs in IPython's user namespace, whose `__name__` is
    `__main__`; outside a notebook (a unit test) the caller's globals of the
    first frame outside this package stand in.
    """
    frame = sys._getframe(1)
    fallback = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module == "__main__":
            return frame.f_globals
        if fallback is None and not module.startswith("autograder.checks"):
            fallback = frame.f_globals
        frame = frame.f_back
    return fallback or {}


@student_check
def require(*names: str, exercise: int | str | None = None) -> None:
    """Checks that the exercise's variables exist: the first call of a test cell.

    A variable that does not exist means the exercise cell has not been run,
    still raises NotImplementedError, or stopped on an error; the message says
    so instead of a NameError.

    Args:
        *names: the variables the exercise asks the student to define.
        exercise: the exercise's number, for the message. Test cells of the
            same exercise that fail after a first one are folded into it.

    Example:

    >>> checks.require("inception", exercise=1)
    """
    namespace = student_namespace()
    missing = [name for name in names if name not in namespace]
    which = f"Exercise {exercise}" if exercise is not None else "This exercise"
    # A model compiled again keeps its identity but gets a new optimizer: a new answer.
    identity = _State.identity
    start_exercise(exercise, tuple(
        number for name in names for number in (
            identity(namespace.get(name)),
            identity(getattr(namespace.get(name), "optimizer", None)))))
    unreadable = [(name, getattr(namespace[name], "kfc_unreadable_reason", None))
                  for name in names if name in namespace]
    unreadable = [(name, why) for name, why in unreadable if isinstance(why, str)]
    if not missing and unreadable:
        name, why = unreadable[0]
        fail(
            f"The grader could not read your `{name}` as an answer: {why}.",
            "Expected an answer made of what the checks can read: Keras inputs, layers and "
            "models, arrays, numbers, and lists or dicts of them.",
            "build it from Keras layers (your own Layer and Model subclasses count) as the "
            "exercise asks; the grader does not run functions, Lambda layers, or objects of "
            "your own classes that are not Keras layers.",
        )
    if missing:
        listed = ", ".join(f"`{name}`" for name in missing)
        fail(
            f"{which} is not answered yet: {listed} "
            f"{'is' if len(missing) == 1 else 'are'} not defined.",
            "Expected your answer's cell to define "
            f"{'it' if len(missing) == 1 else 'them'}.",
            "replace the `raise NotImplementedError(...)` line with your answer and run the "
            "cell; if it stopped on an error, fix that error first.",
        )


_AUTO_NAME = re.compile(r"^(?P<base>.+?)(_\d+)?$")


def _snake_case(text: str) -> str:
    text = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", text)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", text).lower()


def is_auto_name(layer: Any) -> bool:
    """Whether a layer's name is one Keras made up (`dense_3`), not the student's."""
    match = _AUTO_NAME.match(layer.name)
    base = match.group("base") if match else layer.name
    candidates = {_snake_case(type(layer).__name__), "functional", "sequential", "input_layer"}
    if isinstance(layer, keras.Model):
        candidates.add("functional")
    return base in candidates or layer.name in candidates


def _variable_of(value: Any, namespace: Mapping[str, Any]) -> str | None:
    for variable, candidate in namespace.items():
        if candidate is value and not variable.startswith("_"):
            return variable
    return None


def kind_of(layer: Any) -> str:
    """A layer's kind in words: 'Dense layer', 'sub-model', 'input'."""
    if isinstance(layer, keras.layers.InputLayer):
        return "input"
    if isinstance(layer, keras.Model):
        return "sub-model"
    return f"{type(layer).__name__} layer"


def describe_tensor(tensor: Any, namespace: Mapping[str, Any] | None = None) -> str:
    """Names a symbolic tensor as the student knows it.

    The variable that holds it (`merged`), else the input's name, else the
    layer that produced it.
    """
    namespace = student_namespace() if namespace is None else namespace
    variable = _variable_of(tensor, namespace)
    if variable is not None:
        return f"`{variable}`"
    origin = tensor_origin(tensor)
    if origin is None:
        return "a tensor"
    operation = origin.operation
    if isinstance(operation, keras.layers.InputLayer):
        return f"the input {operation.name!r}" if not is_auto_name(operation) else (
            f"an input of shape {tuple(tensor.shape)}")
    if not is_auto_name(operation):
        return f"the output of the {kind_of(operation)} {operation.name!r}"
    return f"the output of a {kind_of(operation)}"


def describe_layer(layer: Any, namespace: Mapping[str, Any] | None = None,
                   model: Any = None) -> str:
    """Names a layer as the student knows it, never by an auto-generated name.

    In order: the name the student gave it (`the Dense layer 'hidden'`); its
    kind alone if it is the only layer of its kind in `model`; the variable
    that holds the layer (`the LSTM layer `shared_lstm``); the variable that
    holds its output (`the Dense layer that gives `x``); the tensors it reads
    (`the Dense layer that reads `merged``).

    Args:
        layer: the layer (or model used as a layer).
        namespace: the student's variables (default: the notebook's).
        model: the model the layer belongs to, if known.
    """
    namespace = student_namespace() if namespace is None else namespace
    kind = kind_of(layer)
    if isinstance(layer, keras.layers.InputLayer):
        return describe_tensor(layer.output, namespace)
    if not is_auto_name(layer):
        return f"the {kind} {layer.name!r}"
    if model is not None and sum(type(other) is type(layer) for other in model.layers) == 1:
        return f"the {kind}"
    variable = _variable_of(layer, namespace)
    if variable is not None:
        return f"the {kind} `{variable}`"
    nodes = graph_tools.layer_nodes(layer)
    for node in nodes:
        for tensor in node.outputs:
            variable = _variable_of(tensor, namespace)
            if variable is not None:
                return f"the {kind} that gives `{variable}`"
    if len(nodes) == 1 and nodes[0].inputs:
        read = " and ".join(describe_tensor(t, namespace) for t in nodes[0].inputs)
        return f"the {kind} that reads {read}"
    return f"a {kind}"

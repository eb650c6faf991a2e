"""How a check speaks to the student: unanswered exercises, cascades, crashes, names, tracebacks.

`require` says an exercise is not answered yet instead of a NameError; a
second failing check of the same exercise, on the same objects, says it was
not checked yet instead of repeating the first mistake in other words; a check
that crashes says it could not check the answer; layers and tensors are named
as the student knows them (the name given, the variable, what they read) and
never by an auto-generated name; in a real kernel the traceback shows the
student's cell and the message, and no line of the checks.
"""

import re
import textwrap
import threading

import keras
import nbformat
import numpy as np
import pytest
from _notebooks import REPOSITORY
from keras import layers
from nbclient import NotebookClient

from autograder import checks
from autograder.checks import messages


@pytest.fixture(autouse=True)
def _no_exercise_running():
    """Each test starts and ends with no exercise and no failure remembered."""
    messages.start_exercise(None)
    messages._State.failed.clear()
    yield
    messages.start_exercise(None)
    messages._State.failed.clear()


def _run_as_cell(source: str, namespace: dict | None = None) -> dict:
    """Runs `source` as a notebook cell does: in a `__main__` namespace."""
    namespace = {"__name__": "__main__", "keras": keras, "layers": layers,
                 "checks": checks} if namespace is None else namespace
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)  # noqa: S102
    return namespace


def _cell_failure(source: str, namespace: dict) -> str:
    with pytest.raises(AssertionError) as error:
        _run_as_cell(source, namespace)
    message = str(error.value)
    assert "\nHint: " in message, message
    return message


def _new_cell() -> dict:
    return _run_as_cell("")


# require -------------------------------------------------------------------


def test_require_says_the_exercise_is_not_answered_yet_for_a_missing_variable():
    message = _cell_failure('checks.require("inception", exercise=3)', _new_cell())
    assert message.startswith(
        "Exercise 3 is not answered yet: `inception` is not defined. "
        "Expected your answer's cell to define it."), message
    assert "raise NotImplementedError" in message


def test_require_lists_every_missing_variable_and_passes_when_they_exist():
    namespace = _run_as_cell("model = object()")
    message = _cell_failure('checks.require("model", "history", "scores", exercise=2)',
                            namespace)
    assert "Exercise 2 is not answered yet: `history`, `scores` are not defined." in message
    assert "define them" in message
    _run_as_cell("history = scores = object()", namespace)
    _run_as_cell('checks.require("model", "history", "scores", exercise=2)', namespace)
    message = _cell_failure('checks.require("missing")', namespace)
    assert message.startswith("This exercise is not answered yet: `missing`"), message


# cascades ------------------------------------------------------------------

EXERCISE_CELL = """
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(4)(inputs))
"""
FIRST_CHECK = """
    checks.require("model", exercise=1)
    checks.check_param_count(model, 99)
"""
SECOND_CHECK = """
    checks.require("model", exercise=1)
    checks.check_layer_types(model, {"LSTM": 1})
"""


def test_a_second_failing_check_of_the_same_exercise_is_not_checked_yet():
    namespace = _run_as_cell(EXERCISE_CELL)
    first = _cell_failure(FIRST_CHECK, namespace)
    assert first.startswith("Your model `model` has 16 parameters. Expected 99."), first
    second = _cell_failure(SECOND_CHECK, namespace)
    assert second.startswith(
        "Not checked yet: an earlier check of exercise 1 found a mistake first "
        "(Your model `model` has 16 parameters. Expected 99.)"), second
    assert "fix that mistake and run the checks again" in second
    assert _cell_failure(FIRST_CHECK, namespace) == first  # the first one still says it


def test_a_check_that_passes_is_not_folded():
    namespace = _run_as_cell(EXERCISE_CELL)
    _cell_failure(FIRST_CHECK, namespace)
    _run_as_cell('checks.require("model", exercise=1)\ncheck = checks.check_param_count(model, 16)',
                 namespace)


def test_running_the_exercise_again_shows_the_new_mistake():
    namespace = _run_as_cell(EXERCISE_CELL)
    _cell_failure(FIRST_CHECK, namespace)
    old_model = namespace["model"]  # kept alive: the new model cannot reuse its id
    _run_as_cell(EXERCISE_CELL, namespace)
    assert namespace["model"] is not old_model
    message = _cell_failure(SECOND_CHECK, namespace)
    assert message.startswith("Your model `model` has 0 LSTM layer(s). Expected 1"), message
    assert "Not checked yet" not in message


def test_a_failure_in_another_exercise_is_not_folded():
    namespace = _run_as_cell(EXERCISE_CELL)
    _cell_failure(FIRST_CHECK, namespace)
    message = _cell_failure(SECOND_CHECK.replace("exercise=1", "exercise=2"), namespace)
    assert message.startswith("Your model `model` has 0 LSTM layer(s)."), message


def test_a_check_outside_an_exercise_is_not_folded():
    namespace = _run_as_cell(EXERCISE_CELL)
    _cell_failure(FIRST_CHECK, namespace)
    messages.start_exercise(None)  # what the kernel does before every cell
    message = _cell_failure('checks.check_layer_types(model, {"LSTM": 1})', namespace)
    assert "Not checked yet" not in message


# crashes -------------------------------------------------------------------


def test_an_unexpected_error_inside_a_check_becomes_a_message():
    tensor = layers.Dense(4)(keras.Input((3,)))
    with pytest.raises(AssertionError) as error:
        checks.check_shape(tensor, None, name="hidden")  # iterating None: a TypeError
    message = str(error.value)
    assert message.startswith(
        "Your answer could not be checked: check_shape raised TypeError: "), message
    assert "Restart Kernel and Run All Cells" in message
    assert error.value.__suppress_context__
    assert not isinstance(error.value, TypeError)


def test_a_failing_check_raises_a_plain_assertion_error_with_its_message():
    with pytest.raises(AssertionError) as error:
        checks.check_model([1, 2], name="model")
    assert type(error.value) is AssertionError
    assert str(error.value).startswith("Your `model` is a list. Expected a keras.Model.")
    assert "could not be checked" not in str(error.value)


def test_fail_formats_found_expected_and_hint():
    with pytest.raises(AssertionError) as error:
        checks.fail("Your `x` is 1.", "Expected 2.", "count again.")
    assert str(error.value) == "Your `x` is 1. Expected 2.\nHint: count again."


# names ---------------------------------------------------------------------


def test_is_auto_name_tells_keras_names_from_the_students():
    image = keras.Input((8, 8, 1))
    assert messages.is_auto_name(image._keras_history.operation)
    assert not messages.is_auto_name(keras.Input((3,), name="image")._keras_history.operation)
    auto = [layers.Dense(2), layers.Dense(2), layers.Conv2D(2, 3), layers.LSTM(2),
            layers.ReLU(), layers.GlobalAveragePooling2D(), layers.Concatenate(),
            keras.Sequential([layers.Dense(1)])]
    model = keras.Model(image, layers.Flatten()(image))
    for layer in [*auto, model]:
        assert messages.is_auto_name(layer), layer.name
    for name in ("hidden", "encoder", "dense_layer", "main_output", "conv"):
        assert not messages.is_auto_name(layers.Dense(2, name=name)), name
    assert not messages.is_auto_name(keras.Model(image, model(image), name="vision_model"))


def _two_dense_model():
    features = keras.Input((3,), name="features")
    hidden = layers.Dense(4)
    hidden_output = hidden(features)
    scores = layers.Dense(2)(hidden_output)
    return features, hidden, hidden_output, scores, keras.Model(features, scores)


def test_describe_layer_prefers_the_students_name_then_uniqueness_then_variables():
    features, hidden, hidden_output, scores, model = _two_dense_model()
    describe = messages.describe_layer
    assert describe(layers.Dense(2, name="head"), {}) == "the Dense layer 'head'"
    assert describe(hidden, {"encoder": hidden}, model) == "the Dense layer `encoder`"
    assert describe(hidden, {"h": hidden_output}, model) == "the Dense layer that gives `h`"
    assert describe(hidden, {}, model) == "the Dense layer that reads the input 'features'"
    head = scores._keras_history.operation
    assert describe(head, {"x": hidden_output}, model) == "the Dense layer that reads `x`"
    assert describe(head, {}, model) == "the Dense layer that reads the output of a Dense layer"
    assert describe(features._keras_history.operation, {}) == "the input 'features'"
    flat = keras.Input((4,))
    only = keras.Model(flat, layers.Dense(1)(flat))
    assert describe(only.layers[-1], {}, only) == "the Dense layer"
    assert describe(only.layers[0], {}) == "an input of shape (None, 4)"
    assert describe(only.layers[0], {"image": flat}) == "`image`"


def test_describe_layer_falls_back_to_the_kind_for_a_layer_called_twice():
    a, b = keras.Input((3,)), keras.Input((3,))
    shared = layers.Dense(2)
    keras.Model([a, b], layers.concatenate([shared(a), shared(b)]))
    assert messages.describe_layer(shared, {}) == "a Dense layer"
    assert messages.describe_layer(shared, {"shared": shared}) == "the Dense layer `shared`"
    vision = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    assert messages.describe_layer(vision, {"vision": vision}) == "the sub-model `vision`"
    assert messages.kind_of(vision) == "sub-model"


def test_describe_tensor_names_the_variable_input_or_layer_never_an_auto_name():
    features, hidden, hidden_output, scores, model = _two_dense_model()
    describe = messages.describe_tensor
    assert describe(hidden_output, {"hidden_output": hidden_output}) == "`hidden_output`"
    assert describe(hidden_output, {"_private": hidden_output}) == "the output of a Dense layer"
    assert describe(features, {}) == "the input 'features'"
    assert describe(keras.Input((2, 5)), {}) == "an input of shape (None, 2, 5)"
    named = layers.Dense(3, name="hidden")(features)
    assert describe(named, {}) == "the output of the Dense layer 'hidden'"
    assert describe(np.zeros(3), {}) == "a tensor"
    for text in (describe(scores, {}), describe(keras.Input((1,)), {})):
        assert not re.search(r"\b(dense|input_layer)(_\d+)?\b", text), text


def test_student_namespace_is_the_nearest_main_frame_or_the_first_caller_outside_autograder():
    namespace = _run_as_cell("def find():\n    return checks.messages.student_namespace()\n"
                             "found = find()\nmarker = 1")
    assert namespace["found"] is namespace
    found = {}
    thread = threading.Thread(target=lambda: found.update(globals=messages.student_namespace()))
    thread.start()  # a thread's frames reach no `__main__` module: the caller's globals count
    thread.join()
    assert found["globals"] is globals()


# a real kernel -------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.mark.notebooks
def test_in_a_kernel_the_traceback_shows_the_students_cell_and_the_message_only():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import keras\nfrom autograder import checks"),
        nbformat.v4.new_code_cell(textwrap.dedent(EXERCISE_CELL).strip()),
        nbformat.v4.new_code_cell('checks.require("model", exercise=1)\n'
                                  "checks.check_param_count(model, 99)  # test cell"),
        nbformat.v4.new_code_cell('checks.require("model", exercise=1)\n'
                                  'checks.check_layer_types(model, {"LSTM": 1})'),
        nbformat.v4.new_code_cell('checks.check_layer_types(model, {"LSTM": 1})'),
        nbformat.v4.new_code_cell('checks.require("answer", exercise=2)'),
    ])
    notebook.cells[1].source = notebook.cells[1].source.replace("layers.", "keras.layers.")
    client = NotebookClient(notebook, kernel_name="python3", timeout=120, allow_errors=True,
                            record_timing=False,
                            resources={"metadata": {"path": str(REPOSITORY)}})
    client.execute()

    def error_of(cell):
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert len(errors) == 1, cell.outputs
        return errors[0].ename, ANSI.sub("", "\n".join(errors[0].traceback))

    assert not any(o.output_type == "error" for cell in notebook.cells[:2] for o in cell.outputs)
    name, traceback = error_of(notebook.cells[2])
    assert name == "AssertionError"
    assert "checks.check_param_count(model, 99)  # test cell" in traceback
    assert "Your model `model` has 16 parameters. Expected 99." in traceback
    assert "Hint: run model.summary()" in traceback
    # The one frame outside the cell is the two-line raiser messages.py shows on purpose.
    raiser = "File <autograder check>:2, in check_failed(message)"
    assert raiser in traceback
    checks_lines = traceback.replace("def check_failed(message):", "")
    for line_of_the_checks in ("fail(", "def check_", "autograder/checks", "student_check",
                               "function(*args", "__tracebackhide__", ".py"):
        assert line_of_the_checks not in checks_lines, traceback
    _, folded = error_of(notebook.cells[3])
    assert "Not checked yet: an earlier check of exercise 1 found a mistake first" in folded
    _, unfolded = error_of(notebook.cells[4])  # no require: the kernel forgot the exercise
    assert "Your model `model` has 0 LSTM layer(s)." in unfolded
    _, missing = error_of(notebook.cells[5])
    assert "Exercise 2 is not answered yet: `answer` is not defined." in missing
    assert "NameError" not in missing

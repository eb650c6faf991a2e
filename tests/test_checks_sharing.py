"""Node indices with what the call read, and the layer names an exercise asks for.

`check_node_index(..., reads=...)` fails on the right index of a call that
read the wrong tensor, naming what it read; `layer_named` and
`check_layer_names` find the layers an exercise asks to name, and say which
names the model has instead. Messages of the sharing checks name no
auto-generated layer.
"""

import textwrap

import keras
import pytest
from _checks_helpers import AUTO_NAME
from _checks_helpers import failure as _failure
from keras import layers

from autograder import checks


def _shared_lstm(order=("left", "right")):
    """An LSTM shared by two inputs, called on them in `order`; returns the pieces."""
    inputs = {side: keras.Input((5, 4), name=side) for side in ("left", "right")}
    lstm = layers.LSTM(3)
    first, second = (lstm(inputs[side]) for side in order)
    return inputs, lstm, first, second


# check_node_index with reads= ----------------------------------------------


def test_check_node_index_passes_on_the_right_call_on_the_right_input():
    inputs, lstm, first, second = _shared_lstm()
    checks.check_node_index(first, lstm, 0, name="encoded_left", reads=inputs["left"])
    checks.check_node_index(second, lstm, 1, name="encoded_right", reads=inputs["right"],
                            reads_name="the right tweet")


def test_check_node_index_fails_on_the_right_index_of_a_call_on_the_wrong_input():
    inputs, lstm, _, second = _shared_lstm(order=("right", "left"))
    message = _failure(checks.check_node_index, second, lstm, 1, name="encoded_right",
                       layer_name="`shared_lstm`", reads=inputs["right"])
    assert ("Your `encoded_right` comes from node 1 of `shared_lstm`, as asked, but that call "
            "read the input 'left'. Expected the call on the input 'right'.") in message
    assert "look at the tensor you pass in that call of the layer." in message
    message = _failure(checks.check_node_index, second, lstm, 1, name="encoded_right",
                       reads=inputs["right"], reads_name="the right tweet")
    assert "Expected the call on the right tweet." in message


def test_check_node_index_checks_the_index_before_what_the_call_read():
    inputs, lstm, first, _ = _shared_lstm()
    message = _failure(checks.check_node_index, first, lstm, 1, reads=inputs["left"])
    assert "comes from node 0 of the layer. Expected node 1." in message


def test_check_node_index_names_the_students_variables_in_a_notebook():
    namespace = {"__name__": "__main__", "keras": keras, "layers": layers, "checks": checks}
    source = """
        tweet_a = keras.Input((5, 4))
        tweet_b = keras.Input((5, 4))
        shared_lstm = layers.LSTM(3)
        encoded_b = shared_lstm(tweet_b)
        encoded_a = shared_lstm(tweet_a)
        checks.check_node_index(encoded_a, shared_lstm, 1, name="encoded_a",
                                layer_name="`shared_lstm`", reads=tweet_b)
    """
    with pytest.raises(AssertionError) as error:
        exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)  # noqa: S102
    message = str(error.value)
    assert "but that call read `tweet_a`. Expected the call on `tweet_b`." in message
    assert not AUTO_NAME.search(message)


def test_check_node_index_names_no_auto_generated_layer_for_another_layer():
    inputs, lstm, _, _ = _shared_lstm()
    other = layers.LSTM(3)
    other(inputs["left"])  # lstm_1 or the like: never shown
    message = _failure(checks.check_node_index, other(inputs["right"]), lstm, 1, name="encoded")
    assert "Your `encoded` comes from the output of a LSTM layer." in message
    named = layers.LSTM(3, name="encoder")(inputs["right"])
    message = _failure(checks.check_node_index, named, lstm, 1, name="encoded")
    assert "comes from the output of a LSTM layer ('encoder')." in message


# sharing messages name no auto-generated layer ------------------------------


def test_check_feeds_names_an_unnamed_submodel_without_its_auto_name():
    image = keras.Input((3,))
    vision = keras.Model(image, layers.Dense(2)(image))
    left, right = keras.Input((3,), name="left"), keras.Input((3,), name="right")
    model = keras.Model([left, right], vision(left))
    message = _failure(checks.check_feeds, model, right, vision, source_name="the right image")
    assert "In your model `model`, the sub-model receives the input 'left'." in message


def test_check_shared_layer_names_unnamed_inputs_by_their_shape():
    a, b = keras.Input((None, 4)), keras.Input((None, 4))
    lstm = layers.LSTM(2)
    model = keras.Model([a, b], layers.concatenate([lstm(a), lstm(a)]))
    message = _failure(checks.check_shared_layer, model, "LSTM")
    assert "twice on the same tensor (an input of shape (None, None, 4))" in message


# layer names ---------------------------------------------------------------


def _named_model():
    features = keras.Input((3,), name="features")
    hidden = layers.Dense(4, activation="relu", name="hidden")(features)
    return keras.Model(features, layers.Dense(1, name="score")(hidden))


def test_layer_named_returns_the_layer_the_exercise_names():
    model = _named_model()
    assert checks.layer_named(model, "hidden") is model.get_layer("hidden")
    assert checks.layer_named(model, "score").units == 1


def test_layer_named_fails_with_the_names_the_model_has():
    message = _failure(checks.layer_named, _named_model(), "encoder", name="net")
    assert ("Your model `net` has no layer named 'encoder' (its layers: ['hidden', 'score'])."
            in message)
    assert "Expected a layer named 'encoder', as the exercise asks." in message
    assert "pass name=... when you create that layer." in message


def test_layer_named_fails_first_on_what_is_not_a_model():
    message = _failure(checks.layer_named, None, "hidden", name="net")
    assert "Your `net` is None." in message


def test_check_layer_names_passes_when_every_name_is_there_and_fails_on_the_first_missing():
    model = _named_model()
    checks.check_layer_names(model, ["score", "hidden"])
    checks.check_layer_names(model, [])
    message = _failure(checks.check_layer_names, model, ["hidden", "main_output", "aux_output"])
    assert message.startswith("Your model `model` has no layer named 'main_output' "), message

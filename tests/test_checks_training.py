"""Compile settings, the History of `fit`, and new models: each check passes and fails as taught.

`check_same_compile` compares the student's compile with the solution's,
output by output (a list and a dict that say the same thing are equal, as are
"acc", "accuracy" and `keras.metrics.BinaryAccuracy()`); `check_history`
reads epochs, batches and validation from the History (its batch formula is
verified here against real calls of `fit`); `check_new_model` tells a new
model from the lesson's model or one sharing its weights.
"""

import math

import keras
import numpy as np
import pytest
from _checks_helpers import failure as _failure
from keras import layers

from autograder import checks


def _two_heads() -> keras.Model:
    features = keras.Input((3,), name="features")
    hidden = layers.Dense(4, activation="relu")(features)
    return keras.Model(features, [
        layers.Dense(1, activation="sigmoid", name="spam")(hidden),
        layers.Dense(3, activation="softmax", name="topic")(hidden),
    ])


REFERENCE = {
    "loss": {"spam": "binary_crossentropy", "topic": "categorical_crossentropy"},
    "loss_weights": {"spam": 1.0, "topic": 0.5},
    "metrics": {"spam": ["accuracy"], "topic": ["accuracy"]},
}


def _compiled(optimizer=None, **compile_arguments) -> keras.Model:
    model = _two_heads()
    optimizer = keras.optimizers.SGD(0.01, momentum=0.9) if optimizer is None else optimizer
    model.compile(optimizer=optimizer, **{**REFERENCE, **compile_arguments})
    return model


# check_same_compile --------------------------------------------------------

RIGHT_COMPILES = {
    "same-dicts": {},
    "lists": {"loss": ["binary_crossentropy", "categorical_crossentropy"],
              "loss_weights": [1.0, 0.5], "metrics": [["accuracy"], ["accuracy"]]},
    "loss-aliases-and-objects": {"loss": {"spam": keras.losses.BinaryCrossentropy(),
                                          "topic": "categorical_crossentropy"}},
    "acc": {"metrics": {"spam": ["acc"], "topic": ["acc"]}},
    "metric-objects": {"metrics": {"spam": [keras.metrics.BinaryAccuracy()],
                                   "topic": [keras.metrics.CategoricalAccuracy()]}},
    "metric-names": {"metrics": {"spam": "binary_accuracy", "topic": "categorical_accuracy"}},
    "one-metric-per-output-as-a-flat-list": {"metrics": ["accuracy", "acc"]},
}


@pytest.mark.parametrize("arguments", RIGHT_COMPILES.values(), ids=RIGHT_COMPILES.keys())
def test_check_same_compile_passes_on_equivalent_spellings(arguments):
    checks.check_same_compile(_compiled(**arguments), _compiled())


def test_check_same_compile_passes_on_an_optimizer_given_by_name_with_its_defaults():
    reference = _compiled(optimizer=keras.optimizers.Adam())
    checks.check_same_compile(_compiled(optimizer="adam"), reference)
    checks.check_same_compile(_compiled(optimizer=keras.optimizers.Adam(1e-3)), reference)


WRONG_COMPILES = {
    "optimizer-class": (
        {"optimizer": keras.optimizers.Adam(0.01)},
        ["You compiled `model` with the Adam optimizer. Expected SGD.", "names the optimizer"]),
    "learning-rate": (
        {"optimizer": keras.optimizers.SGD(0.1, momentum=0.9)},
        ["with SGD(learning_rate=0.1", "Expected learning_rate=0.01",
         "keras.optimizers.SGD(...)"]),
    "momentum": (
        {"optimizer": keras.optimizers.SGD(0.01)},
        ["with SGD(momentum=0.0). Expected momentum=0.9.", "the momentum the exercise gives"]),
    "loss-of-one-output": (
        {"loss": {"spam": "binary_crossentropy", "topic": "mse"}},
        ["uses topic: 'mean_squared_error'. Expected topic: 'categorical_crossentropy'."]),
    "losses-in-the-wrong-order": (
        {"loss": ["categorical_crossentropy", "binary_crossentropy"]},
        ["uses spam: 'categorical_crossentropy', topic: 'binary_crossentropy'",
         "['spam', 'topic']"]),
    "one-loss-for-all-outputs": (
        {"loss": "binary_crossentropy", "loss_weights": None},
        ["with one loss, 'binary_crossentropy', for all 2 outputs."]),
    "loss-weights-swapped": (
        {"loss_weights": [0.5, 1.0]},
        ["weights the losses spam: 0.5, topic: 1.", "Expected spam: 1, topic: 0.5."]),
    "loss-weights-missing": (
        {"loss_weights": None},
        ["weights the losses spam: 1, topic: 1.", "Expected spam: 1, topic: 0.5."]),
    "a-metric-missing": (
        {"metrics": {"spam": ["accuracy"]}},
        ["with the metrics [] for its output 'topic'. Expected ['accuracy'].",
         "metrics are reported, not trained on"]),
    "another-metric": (
        {"metrics": {"spam": ["accuracy"], "topic": ["mae"]}},
        ["with the metrics ['mean_absolute_error'] for its output 'topic'."]),
    "top-k-accuracy-is-not-accuracy": (
        {"metrics": {"spam": ["accuracy"], "topic": ["top_k_categorical_accuracy"]}},
        ["with the metrics ['top_k_categorical_accuracy'] for its output 'topic'."]),
    "an-extra-metric": (
        {"metrics": {"spam": ["accuracy", "mse"], "topic": ["accuracy"]}},
        ["with the metrics ['accuracy', 'mean_squared_error'] for its output 'spam'."]),
    "one-flat-metric-for-two-outputs": (
        {"metrics": ["accuracy"]},
        ["with a flat list of 1 metrics for 2 outputs", "a dict keyed by output name"]),
}


@pytest.mark.parametrize(("arguments", "fragments"), WRONG_COMPILES.values(),
                         ids=WRONG_COMPILES.keys())
def test_check_same_compile_fails_naming_the_setting(arguments, fragments):
    message = _failure(checks.check_same_compile, _compiled(**arguments), _compiled())
    for fragment in fragments:
        assert fragment in message, message


def test_check_same_compile_fails_on_an_uncompiled_model():
    message = _failure(checks.check_same_compile, _two_heads(), _compiled(), name="net")
    assert "Your model `net` is not compiled." in message


def test_the_flat_metric_list_keras_refuses_is_the_one_check_same_compile_refuses():
    refused = _compiled(metrics=["accuracy"], run_eagerly=True)  # eager: no tracing, faster
    accepted = _compiled(metrics=["accuracy", "mae"], run_eagerly=True)
    x, y = np.zeros((4, 3)), [np.zeros((4, 1)), np.zeros((4, 3))]
    with pytest.raises(ValueError, match="metrics"):
        refused.fit(x, y, verbose=0)
    history = accepted.fit(x, y, verbose=0)
    assert {"spam_accuracy", "topic_mae"} <= set(history.history)
    assert checks.output_metrics(accepted) == {"spam": ["accuracy"],
                                               "topic": ["mean_absolute_error"]}


def test_output_metrics_on_a_single_output_model():
    features = keras.Input((3,))
    model = keras.Model(features, layers.Dense(1, name="price")(features))
    model.compile(optimizer="adam", loss="mse", metrics=["mae", keras.metrics.MeanSquaredError()])
    assert checks.output_metrics(model) == {"price": ["mean_absolute_error",
                                                      "mean_squared_error"]}
    model.compile(optimizer="adam", loss="mse")
    assert checks.output_metrics(model) == {"price": []}


# check_history -------------------------------------------------------------


def _trained(num_samples=12, epochs=2, **fit_arguments):
    features = keras.Input((3,))
    model = keras.Model(features, layers.Dense(1)(features))
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)  # eager: no tracing, faster
    x = np.zeros((num_samples, 3), "float32")
    y = np.zeros((num_samples, 1), "float32")
    return model, model.fit(x, y, epochs=epochs, verbose=0, **fit_arguments)


@pytest.fixture(scope="module")
def trained():
    """Models trained once for the whole module (fit is the slow part): 12 samples, 2 epochs."""
    return {
        "plain": _trained(batch_size=4),
        "split": _trained(batch_size=4, validation_split=0.25),
        "given": _trained(batch_size=4, validation_data=(np.zeros((2, 3)), np.zeros((2, 1)))),
    }


@pytest.mark.parametrize(("num_samples", "batch_size", "validation_split"), [
    (10, 3, None), (10, 3, 0.3), (13, 5, 0.25), (7, 2, 0.1),
])
def test_check_history_batch_formula_matches_fit(num_samples, batch_size, validation_split):
    split = {} if validation_split is None else {"validation_split": validation_split}
    model, history = _trained(num_samples, epochs=1, batch_size=batch_size, **split)
    train = math.floor(num_samples * (1 - (validation_split or 0)))
    assert history.params["steps"] == math.ceil(train / batch_size)
    checks.check_history(history, model=model, epochs=1, batch_size=batch_size,
                         num_samples=num_samples, validation_split=validation_split,
                         validation=validation_split is not None)


def test_check_history_fails_on_the_batch_size(trained):
    _, history = trained["plain"]
    message = _failure(checks.check_history, history, batch_size=3, num_samples=12)
    assert "Your `history` shows 3 batches per epoch over 12 training samples: batches of " \
        "about 4." in message
    assert "Expected batches of 3." in message
    assert "look at the batch_size you give fit." in message
    checks.check_history(history, batch_size=4, num_samples=12)


def test_check_history_fails_on_the_share_held_out_for_validation(trained):
    _, history = trained["plain"]  # no split: 3 batches of 4
    message = _failure(checks.check_history, history, batch_size=4, num_samples=12,
                       validation_split=0.5)
    assert "shows 3 batches per epoch over 6 training samples" in message
    assert "with 0.5 of the 12 samples held out for validation." in message
    assert "the share you hold out with validation_split" in message
    _, split = trained["split"]
    checks.check_history(split, batch_size=4, num_samples=12, validation_split=0.25)


def test_check_history_fails_on_the_number_of_epochs(trained):
    model, history = trained["plain"]
    checks.check_history(history, model=model, epochs=2)
    message = _failure(checks.check_history, history, epochs=3, name="log")
    assert "Your `log` records 2 epoch(s). Expected 3." in message
    assert "`epochs`" in message


def test_check_history_checks_whether_there_is_validation(trained):
    without, split, given = (trained[key][1] for key in ("plain", "split", "given"))
    checks.check_history(without, validation=False)
    checks.check_history(split, validation=True)
    checks.check_history(given, validation=True)
    message = _failure(checks.check_history, without, validation=True)
    assert "Your `history` has no validation losses. Expected validation losses" in message
    assert "validation_split=... or validation_data=" in message
    for history in (split, given):
        message = _failure(checks.check_history, history, validation=False)
        assert "Your `history` has validation losses. Expected none" in message
        assert "leave out validation_split and validation_data" in message


def test_check_history_fails_on_the_history_of_another_model(trained):
    model, _ = trained["plain"]
    _, other = trained["split"]
    message = _failure(checks.check_history, other, model=model, model_name="classifier")
    assert "Your `history` does not come from training your `classifier`." in message


@pytest.mark.parametrize(("value", "kind"), [(None, "NoneType"), ({"loss": [1.0]}, "dict")])
def test_check_history_fails_on_what_is_not_a_history(value, kind):
    message = _failure(checks.check_history, value, epochs=1)
    assert f"Your `history` is a {kind}. Expected the History object that fit returns." \
        in message
    assert "assign the result of model.fit(...) to `history`" in message


def test_check_history_fails_on_the_model_instead_of_its_history(trained):
    model, _ = trained["plain"]
    message = _failure(checks.check_history, model, epochs=2)
    assert "Expected the History object that fit returns." in message


# check_new_model -----------------------------------------------------------


def _lesson_model() -> keras.Model:
    features = keras.Input((3,), name="features")
    hidden = layers.Dense(4, activation="relu", name="hidden")(features)
    return keras.Model(features, layers.Dense(1, name="score")(hidden))


def test_check_new_model_passes_on_a_fresh_model_and_a_clone():
    old = _lesson_model()
    checks.check_new_model(_lesson_model(), old)
    checks.check_new_model(keras.models.clone_model(old), old)


def test_check_new_model_fails_on_the_lessons_model_itself():
    old = _lesson_model()
    message = _failure(checks.check_new_model, old, old, name="model", old_name="baseline")
    assert "Your `model` is `baseline` itself. Expected a new model" in message
    assert "reuses its trained weights" in message


def test_check_new_model_fails_on_a_model_that_shares_weights():
    old = _lesson_model()
    reused_layer = keras.Model(old.inputs, layers.Dense(2)(old.get_layer("hidden").output))
    message = _failure(checks.check_new_model, reused_layer, old, old_name="baseline")
    assert "Your `model` uses 2 of the weights of `baseline`." in message
    assert "create new layers instead of calling `baseline` or its layers" in message
    features = keras.Input((3,))
    wrapped = keras.Model(features, layers.Dense(1)(old(features)))
    message = _failure(checks.check_new_model, wrapped, old, old_name="baseline")
    assert "uses 4 of the weights of `baseline`" in message


def test_check_new_model_fails_on_what_is_not_a_model():
    message = _failure(checks.check_new_model, None, _lesson_model())
    assert "Your `model` is None." in message

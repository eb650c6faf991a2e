"""Tests for keras_functional_course.losses: loss weights and the weighted-sum identity."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_functional_course import builders, data
from keras_functional_course.losses import (
    LossBreakdown,
    loss_breakdown,
    loss_name,
    output_loss_weights,
    output_losses,
)

HEADLINE_LOSSES = {"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"}
HEADLINE_WEIGHTS = {"main_output": 1.0, "aux_output": 0.2}
SOCIAL_LOSSES = ["mse", "categorical_crossentropy", "binary_crossentropy"]
SOCIAL_WEIGHTS = [0.25, 1.0, 10.0]


@pytest.fixture(scope="module")
def headline_data():
    return data.make_headline_data(num_samples=16)


@pytest.fixture
def headline_model():
    model = builders.build_headline_model()
    model.compile(optimizer="rmsprop", loss=HEADLINE_LOSSES, loss_weights=HEADLINE_WEIGHTS)
    return model


# --- reading compile's arguments ------------------------------------------------------------


def test_output_loss_weights_from_dicts(headline_model):
    assert list(headline_model.output_names) == ["main_output", "aux_output"]
    assert output_loss_weights(headline_model) == {"main_output": 1.0, "aux_output": 0.2}
    assert output_losses(headline_model) == HEADLINE_LOSSES


def test_output_loss_weights_from_lists_in_output_order():
    model = builders.build_headline_model()
    model.compile(
        optimizer="rmsprop",
        loss=["binary_crossentropy", "mse"],
        loss_weights=[1.0, 0.2],
    )
    assert output_loss_weights(model) == {"main_output": 1.0, "aux_output": 0.2}
    assert output_losses(model) == {"main_output": "binary_crossentropy", "aux_output": "mse"}


def test_loss_name_is_canonical():
    assert loss_name("mse") == "mean_squared_error"
    assert loss_name(keras.losses.MeanSquaredError()) == "mean_squared_error"
    assert loss_name(keras.losses.mean_squared_error) == "mean_squared_error"
    assert loss_name("binary_crossentropy") == "binary_crossentropy"
    assert loss_name(None) == "none"


def test_no_weights_means_all_ones():
    model = builders.build_headline_model()
    model.compile(optimizer="rmsprop", loss=HEADLINE_LOSSES)
    assert output_loss_weights(model) == {"main_output": 1.0, "aux_output": 1.0}


def test_single_loss_is_repeated_for_every_output():
    model = builders.build_headline_model()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    assert output_losses(model) == {
        "main_output": "binary_crossentropy",
        "aux_output": "binary_crossentropy",
    }
    assert output_loss_weights(model) == {"main_output": 1.0, "aux_output": 1.0}


def test_seed_single_loss_with_list_weights_is_refused(headline_data):
    # The seed: compile(loss="binary_crossentropy", loss_weights=[1., 0.2]).
    model = builders.build_headline_model()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2])
    with pytest.raises(ValueError, match="loss_weights") as error:
        output_loss_weights(model)
    assert "one loss per output" in str(error.value)
    # ... because Keras 3 itself refuses it, but only once training starts.
    with pytest.raises(ValueError, match="loss_weights"):
        model.fit(
            headline_data.inputs, headline_data.targets, batch_size=16, epochs=1, verbose=0
        )


def test_uncompiled_model_is_refused(headline_data):
    model = builders.build_headline_model()
    for function in (output_loss_weights, output_losses):
        with pytest.raises(ValueError, match="must be compiled"):
            function(model)
    with pytest.raises(ValueError, match="must be compiled"):
        loss_breakdown(model, headline_data.inputs, headline_data.targets)


def test_weights_dict_naming_an_unknown_output_is_refused():
    model = builders.build_headline_model()
    model.compile(
        optimizer="rmsprop",
        loss=HEADLINE_LOSSES,
        loss_weights={"main_output": 1.0, "no_such_output": 0.2},
    )
    with pytest.raises(ValueError, match="no_such_output"):
        output_loss_weights(model)


def test_weights_list_of_the_wrong_length_is_refused():
    model = builders.build_headline_model()
    model.compile(
        optimizer="rmsprop", loss=["binary_crossentropy"] * 2, loss_weights=[1.0, 0.2, 3.0]
    )
    with pytest.raises(ValueError, match="one entry per output"):
        output_loss_weights(model)


# --- the breakdown and the identity ---------------------------------------------------------


def _assert_matches_keras(model, dataset, breakdown):
    reported = model.evaluate(
        dataset.inputs, dataset.targets, batch_size=len(next(iter(dataset.targets.values()))),
        return_dict=True, verbose=0,
    )
    for name in model.output_names:
        np.testing.assert_allclose(breakdown.losses[name], reported[f"{name}_loss"], rtol=1e-4)
    np.testing.assert_allclose(breakdown.total, reported["loss"], rtol=1e-4)


def test_headline_breakdown_identity_and_keras_agreement(headline_model, headline_data):
    breakdown = loss_breakdown(headline_model, headline_data.inputs, headline_data.targets)
    assert isinstance(breakdown, LossBreakdown)
    assert breakdown.weights == {"main_output": 1.0, "aux_output": 0.2}
    assert set(breakdown.losses) == {"main_output", "aux_output"}
    assert breakdown.regularization == 0.0
    assert breakdown.identity_holds() is True
    expected = sum(breakdown.weights[n] * breakdown.losses[n] for n in breakdown.losses)
    assert abs(breakdown.total - expected) < 1e-5
    _assert_matches_keras(headline_model, headline_data, breakdown)


# Keras warns that a dict holding the one input "posts" is not the structure it expected;
# the call still goes through, as the matching results below show.
@pytest.mark.filterwarnings("ignore:Exception encountered when calling Functional:UserWarning")
@pytest.mark.filterwarnings("ignore:The structure of `inputs` doesn't match:UserWarning")
def test_social_media_breakdown_identity_and_keras_agreement():
    model = builders.build_social_media_model()
    model.compile(optimizer="rmsprop", loss=SOCIAL_LOSSES, loss_weights=SOCIAL_WEIGHTS)
    dataset = data.make_social_media_data(num_samples=16)
    assert output_loss_weights(model) == {"age": 0.25, "income": 1.0, "gender": 10.0}
    breakdown = loss_breakdown(model, dataset.inputs, dataset.targets)
    assert breakdown.identity_holds() is True
    expected = sum(breakdown.weights[n] * breakdown.losses[n] for n in breakdown.losses)
    assert abs(breakdown.total - expected) <= 1e-5 * max(1.0, abs(expected))
    _assert_matches_keras(model, dataset, breakdown)


def test_swapping_weights_changes_the_total_accordingly(headline_model, headline_data):
    first = loss_breakdown(headline_model, headline_data.inputs, headline_data.targets)
    headline_model.compile(
        optimizer="rmsprop",
        loss=HEADLINE_LOSSES,
        loss_weights={"main_output": 0.2, "aux_output": 1.0},
    )
    swapped = loss_breakdown(headline_model, headline_data.inputs, headline_data.targets)
    assert swapped.weights == {"main_output": 0.2, "aux_output": 1.0}
    for name in first.losses:
        np.testing.assert_allclose(swapped.losses[name], first.losses[name], rtol=1e-6)
    expected = 0.2 * first.losses["main_output"] + 1.0 * first.losses["aux_output"]
    assert abs(swapped.total - expected) < 1e-5
    predicted_change = 0.8 * (first.losses["aux_output"] - first.losses["main_output"])
    assert abs((swapped.total - first.total) - predicted_change) < 1e-5
    assert swapped.identity_holds() is True


def test_breakdown_counts_regularization():
    x = keras.Input((3,))
    first = keras.layers.Dense(
        1, name="first", kernel_regularizer=keras.regularizers.L2(1.0)
    )(x)
    second = keras.layers.Dense(1, name="second")(x)
    model = keras.Model(x, [first, second])
    model.compile(optimizer="sgd", loss=["mse", "mse"], loss_weights=[2.0, 3.0])
    inputs = np.ones((4, 3), dtype="float32")
    targets = [np.zeros((4, 1), "float32"), np.zeros((4, 1), "float32")]
    breakdown = loss_breakdown(model, inputs, targets)
    assert breakdown.regularization > 0.0
    assert breakdown.identity_holds() is True
    unregularized = 2.0 * breakdown.losses["first"] + 3.0 * breakdown.losses["second"]
    assert abs(breakdown.total - unregularized - breakdown.regularization) < 1e-5
    assert "regularization" in str(breakdown)


def test_identity_holds_can_fail():
    consistent = LossBreakdown(
        losses={"a": 1.0, "b": 2.0}, weights={"a": 1.0, "b": 0.5}, regularization=0.0, total=2.0
    )
    assert consistent.weighted_sum == pytest.approx(2.0)
    assert consistent.identity_holds() is True
    broken = LossBreakdown(
        losses={"a": 1.0, "b": 2.0}, weights={"a": 1.0, "b": 0.5}, regularization=0.0, total=3.0
    )
    assert broken.identity_holds() is False
    assert broken.identity_holds(atol=1.5) is True


def test_breakdown_str_shows_the_weighted_sum(headline_model, headline_data):
    breakdown = loss_breakdown(headline_model, headline_data.inputs, headline_data.targets)
    text = str(breakdown)
    assert text.startswith("Loss breakdown")
    assert "weighted sum" in text
    assert "main_output: 1 x" in text
    assert "aux_output: 0.2 x" in text
    assert f"{breakdown.total:.4f}" in text


# --- forms of compile's arguments that Keras accepts ----------------------------------------


def test_a_single_loss_instance_applies_to_every_output(headline_data):
    # compile(loss=keras.losses.BinaryCrossentropy()) is as common as the string form; its
    # compile config is a serialized dict, which must not be mistaken for a per-output dict.
    model = builders.build_headline_model()
    model.compile(optimizer="rmsprop", loss=keras.losses.BinaryCrossentropy())
    losses = output_losses(model)
    assert list(losses) == ["main_output", "aux_output"]
    assert {loss_name(loss) for loss in losses.values()} == {"binary_crossentropy"}
    assert output_loss_weights(model) == {"main_output": 1.0, "aux_output": 1.0}
    breakdown = loss_breakdown(model, headline_data.inputs, headline_data.targets)
    assert breakdown.identity_holds() is True


def test_list_losses_with_dict_weights_report_what_keras_applies(headline_data):
    # Keras accepts a list of losses with a dict of weights. Whatever weights
    # output_loss_weights reports must be the ones Keras trains with (the identity holds),
    # or the combination must be refused like the seed's single-loss/list-weights one.
    model = builders.build_headline_model()
    model.compile(
        optimizer="rmsprop",
        loss=["binary_crossentropy", "binary_crossentropy"],
        loss_weights={"main_output": 1.0, "aux_output": 0.2},
    )
    try:
        output_loss_weights(model)
    except ValueError as error:
        assert "loss_weights" in str(error)
    else:
        breakdown = loss_breakdown(model, headline_data.inputs, headline_data.targets)
        assert breakdown.identity_holds(), str(breakdown)


def test_dict_weights_missing_an_output_are_refused_with_value_error(headline_data):
    # Keras 3 cannot train with a weights dict that leaves an output out (it raises a
    # KeyError when the loss is first computed); loss_breakdown documents a ValueError.
    model = builders.build_headline_model()
    model.compile(optimizer="rmsprop", loss=HEADLINE_LOSSES, loss_weights={"main_output": 0.5})
    with pytest.raises(KeyError):
        model.fit(
            headline_data.inputs, headline_data.targets, batch_size=16, epochs=1, verbose=0
        )
    with pytest.raises(ValueError, match="loss_weights"):
        loss_breakdown(model, headline_data.inputs, headline_data.targets)

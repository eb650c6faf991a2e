"""Every autograder check passes on a right answer and fails, with its message, on wrong ones.

The wrong answers are the mistakes students make: two LSTMs instead of one
shared; loss weights swapped between outputs; one loss given for all outputs;
a residual added from the wrong tensor; Inception branches concatenated on the
wrong axis; a node index off by one; a Dense instead of a shared sub-model.
"""

import keras
import numpy as np
import pytest
from keras import layers

from autograder import checks
from keras_functional_course import builders, data


def _failure(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as error:
        check(*args, **kwargs)
    message = str(error.value)
    assert "\nHint: " in message, message
    return message


# Wrong answers -------------------------------------------------------------


def two_lstm_siamese() -> keras.Model:
    """Two look-alike LSTMs, each called once, instead of one shared LSTM."""
    left = keras.Input((None, 16), name="left")
    right = keras.Input((None, 16), name="right")
    merged = layers.concatenate([layers.LSTM(8)(left), layers.LSTM(8)(right)])
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(merged))


def dense_digit_classifier() -> keras.Model:
    """A Dense layer where the shared vision model should be called on each digit."""
    digit_a = keras.Input((8, 8, 1), name="digit_a")
    digit_b = keras.Input((8, 8, 1), name="digit_b")
    dense = layers.Dense(16)
    flat_a, flat_b = layers.Flatten()(digit_a), layers.Flatten()(digit_b)
    merged = layers.concatenate([dense(flat_a), dense(flat_b)])
    return keras.Model([digit_a, digit_b], layers.Dense(1, activation="sigmoid")(merged))


def residual_from_wrong_tensor() -> keras.Model:
    """The addition takes the first convolution's output instead of the block input."""
    block_input = keras.Input((16, 16, 8), name="block_input")
    y1 = layers.Conv2D(8, 3, padding="same", activation="relu")(block_input)
    y2 = layers.Conv2D(8, 3, padding="same")(y1)
    return keras.Model(block_input, layers.add([y2, y1]))


def inception_on_axis(axis: int) -> keras.Model:
    image = keras.Input((16, 16, 3), name="image")
    tower_1 = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
    tower_1 = layers.Conv2D(8, 3, padding="same", activation="relu")(tower_1)
    tower_2 = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
    tower_2 = layers.Conv2D(8, 5, padding="same", activation="relu")(tower_2)
    tower_3 = layers.MaxPooling2D(3, strides=1, padding="same")(image)
    tower_3 = layers.Conv2D(8, 1, padding="same", activation="relu")(tower_3)
    return keras.Model(image, layers.concatenate([tower_1, tower_2, tower_3], axis=axis))


def headline_compiled(**compile_arguments) -> keras.Model:
    model = builders.build_headline_model()
    model.compile(optimizer="rmsprop", **compile_arguments)
    return model


HEADLINE_WEIGHTS = {"main_output": 1.0, "aux_output": 0.2}
HEADLINE_LOSSES = {"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"}
SOCIAL_LOSSES = {"age": "mse", "income": "categorical_crossentropy",
                 "gender": "binary_crossentropy"}


# check_model ---------------------------------------------------------------


def test_check_model_passes_on_functional_and_sequential_models():
    checks.check_model(builders.build_functional_mlp())
    checks.check_model(builders.build_sequential_mlp())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "Your `model` is None"),
        (keras.Input((3,)), "is a tensor (None, 3), not a model"),
        ([1, 2], "Your `model` is a list"),
        (keras.Sequential([layers.Dense(2)]), "has no layer graph"),
    ],
    ids=["none", "tensor", "list", "unbuilt-sequential"],
)
def test_check_model_fails_on_what_is_not_a_model(value, expected):
    assert expected in _failure(checks.check_model, value, name="model")


# names, shapes, parameters, types ------------------------------------------


def test_check_input_and_output_shapes_pass_on_the_qa_model():
    model = builders.build_question_answering_model()
    checks.check_input_shapes(model, {"text": (None, None), "question": (None, None)})
    checks.check_output_shapes(model, {"answer": (None, 50)})


def test_check_input_shapes_fails_on_a_wrong_input_name():
    text = keras.Input((None,), dtype="int32", name="text")
    question = keras.Input((None,), dtype="int32", name="q")
    embedded = layers.Embedding(10, 4)
    encoded = [layers.LSTM(2)(embedded(text)), layers.LSTM(2)(embedded(question))]
    merged = layers.concatenate(encoded)
    model = keras.Model([text, question], layers.Dense(3, name="answer")(merged))
    message = _failure(
        checks.check_input_shapes, model, {"text": (None, None), "question": (None, None)},
        name="qa_model",
    )
    assert "Your model `qa_model` has inputs named ['text', 'q']" in message
    assert "Expected 2 input(s) named ['question', 'text']" in message
    assert "keras.Input(shape=..., name=...)" in message


def test_check_input_shapes_fails_on_a_fixed_length_where_any_length_is_expected():
    model = builders.build_headline_model()
    message = _failure(checks.check_input_shapes, model,
                       {"main_input": (None, None), "aux_input": (None, 5)})
    assert "The input 'main_input' of your model `model` has shape (None, 20)" in message
    assert "Expected (None, None)" in message
    assert "None lets a length vary" in message


def test_output_and_loss_checks_work_on_sequential_models():
    """Keras 3's Sequential has no `output_names`; the checks still answer with a message."""
    model = keras.Sequential([keras.Input((4,)), layers.Dense(2, name="scores")], name="seq")
    checks.check_output_shapes(model, {"scores": (None, 2)}, name="seq")
    message = _failure(checks.check_output_shapes, model, {"scores": (None, 3)}, name="seq")
    assert "The output 'scores' of your model `seq` has shape (None, 2)" in message
    model.compile(optimizer="sgd", loss="mse")
    checks.check_losses(model, {"scores": "mse"}, name="seq")
    message = _failure(checks.check_losses, model, {"scores": "mae"}, name="seq")
    assert "uses scores: 'mean_squared_error'. Expected scores: 'mean_absolute_error'" in message
    assert "match the loss to the output's task" in message


def test_check_shape_on_an_array_of_predictions_hints_at_samples_not_layers():
    message = _failure(checks.check_shape, np.zeros((1, 2)), (5, 2), name="predictions")
    assert "Your `predictions` has shape (1, 2). Expected shape (5, 2)." in message
    assert "the first axis counts the samples you passed in" in message


def test_check_output_shapes_fails_on_the_wrong_concatenation_axis():
    message = _failure(
        checks.check_output_shapes, inception_on_axis(1),
        {"concatenate": (None, 16, 16, 24)}, name="inception",
    )
    assert "has shape (None, 48, 16, 8)" in message
    assert "Expected (None, 16, 16, 24)" in message
    assert "which layer sets the dimension that differs?" in message


def test_check_shape_passes_and_fails():
    tensor = layers.Dense(4)(keras.Input((3,)))
    checks.check_shape(tensor, (None, 4), name="hidden")
    message = _failure(checks.check_shape, tensor, (None, 5), name="hidden")
    assert "Your `hidden` has shape (None, 4). Expected shape (None, 5)." in message
    message = _failure(checks.check_shape, layers.Dense(4), (None, 4), name="hidden")
    assert "Your `hidden` is a Dense, which has no shape" in message


def test_check_param_count_passes_on_the_seed_mlp_and_fails_on_a_wider_one():
    checks.check_param_count(builders.build_functional_mlp(), 3466)
    wider = builders.build_functional_mlp(hidden_units=(64, 32))
    message = _failure(checks.check_param_count, wider, 3466, name="mlp")
    assert "Your model `mlp` has 6,570 parameters. Expected 3,466." in message


def test_check_layer_types_counts_instances_not_calls():
    checks.check_layer_types(builders.build_siamese_lstm(), {"LSTM": 1, "Dense": 1})
    message = _failure(checks.check_layer_types, two_lstm_siamese(), {"LSTM": 1})
    assert "Your model `model` has 2 LSTM layer(s). Expected 1" in message
    assert "calling one instance twice still counts as one" in message


# connectivity --------------------------------------------------------------


def test_check_feeds_passes_when_the_tensor_or_layer_feeds_the_destination():
    model = builders.build_residual_block()
    checks.check_feeds(model, model.inputs[0], keras.layers.Add)
    checks.check_feeds(model, model.get_layer("conv_2"), model.get_layer("residual_add"))


def test_check_feeds_fails_when_the_destination_reads_something_else():
    model = residual_from_wrong_tensor()
    message = _failure(
        checks.check_feeds, model, model.inputs[0], "Add", name="block",
        source_name="the block input",
    )
    assert "In your model `block`, the Add layer receives the output of a Conv2D" in message
    assert "Expected it to receive the block input." in message


def test_check_input_shapes_hints_at_the_count_when_names_are_right_but_too_many():
    """A model built from more inputs than asked gets a hint about the count, not naming."""
    siamese = builders.build_siamese_lstm()
    message = _failure(
        checks.check_input_shapes, siamese, {"right": (None, None, 16)}, name="right_encoder"
    )
    assert "has inputs named ['left', 'right']" in message
    assert "list exactly the inputs the exercise asks for" in message


def test_check_shared_layer_fails_when_both_calls_read_the_same_tensor():
    left = keras.Input(shape=(None, 16), name="left")
    right = keras.Input(shape=(None, 16), name="right")
    lstm = keras.layers.LSTM(4)
    merged = keras.layers.concatenate([lstm(left), lstm(left)])
    model = keras.Model([left, right], [merged, right])
    message = _failure(checks.check_shared_layer, model, "LSTM", name="siamese")
    assert "calls its LSTM layer twice on the same tensor (the input 'left')" in message
    assert "Expected each call to read a different branch." in message


def test_check_feeds_names_a_sub_model_destination():
    """A sub-model fed the wrong tensor is named, not called "the Functional layer"."""
    vision = builders.build_vision_model()
    left = keras.Input(shape=(8, 8, 1), name="left")
    right = keras.Input(shape=(8, 8, 1), name="right")
    model = keras.Model([left, right], vision(left))
    message = _failure(checks.check_feeds, model, right, vision, source_name="the right image")
    assert "the sub-model 'vision_model' receives the input 'left'" in message


def test_check_feeds_fails_when_there_is_no_single_destination_of_that_type():
    model = builders.build_functional_mlp()
    message = _failure(checks.check_feeds, model, model.inputs[0], "Add")
    assert "has 0 Add layer(s)" in message


def test_check_residual_shortcut_passes_on_identity_and_projection_blocks():
    checks.check_residual_shortcut(builders.build_residual_block(), shortcut="identity")
    projection = builders.build_residual_block(shortcut="projection", filters=16)
    checks.check_residual_shortcut(projection, shortcut="projection")
    checks.check_residual_shortcut(projection)


def test_check_residual_shortcut_fails_when_the_residual_comes_from_the_wrong_tensor():
    message = _failure(checks.check_residual_shortcut, residual_from_wrong_tensor(), name="block")
    assert "The Add layer of your residual block `block` receives" in message
    assert "Expected one of them to be the shortcut" in message
    assert "keep a reference to the tensor that enters the block" in message


def test_check_residual_shortcut_fails_on_the_wrong_kind_of_shortcut():
    identity = builders.build_residual_block()
    message = _failure(checks.check_residual_shortcut, identity, shortcut="projection")
    assert "adds the block's input unchanged" in message
    projection = builders.build_residual_block(shortcut="projection", filters=16)
    message = _failure(checks.check_residual_shortcut, projection, shortcut="identity")
    assert "adds a projection of the input" in message


def test_check_concat_axis_passes_on_the_channel_axis():
    checks.check_concat_axis(builders.build_inception_module())
    checks.check_concat_axis(inception_on_axis(3))


def test_check_concat_axis_fails_on_the_seed_axis_1():
    message = _failure(checks.check_concat_axis, inception_on_axis(1), name="inception")
    assert "Your model `inception` concatenates along axis 1" in message
    assert "(None, 48, 16, 8)" in message
    assert "which axis holds the channels?" in message


def test_check_branches_from_input_passes_on_the_inception_module():
    checks.check_branches_from_input(builders.build_inception_module(), num_branches=3)


def test_check_branches_from_input_fails_when_a_branch_starts_from_another_branch():
    image = keras.Input((16, 16, 3))
    tower_1 = layers.Conv2D(8, 1, padding="same")(image)
    tower_2 = layers.Conv2D(8, 3, padding="same")(tower_1)  # reads tower 1, not the image
    model = keras.Model(image, layers.concatenate([tower_1, tower_2]))
    message = _failure(checks.check_branches_from_input, model, num_branches=2, name="module")
    assert "Branch 2 of your model `module`" in message
    assert "goes through a layer of another branch" in message


def test_check_branches_from_input_fails_on_the_wrong_number_of_branches():
    message = _failure(
        checks.check_branches_from_input, builders.build_inception_module(), num_branches=4
    )
    assert "joins 3 branch(es). Expected 4." in message


# sharing -------------------------------------------------------------------


def test_check_shared_layer_passes_on_one_lstm_called_twice():
    checks.check_shared_layer(builders.build_siamese_lstm(), "LSTM", num_nodes=2)
    checks.check_shared_layer(builders.build_shared_lstm_tweet_model(), layers.LSTM)


def test_check_shared_layer_fails_on_two_lstms_instead_of_one_shared():
    message = _failure(checks.check_shared_layer, two_lstm_siamese(), "LSTM", name="siamese")
    assert "Your model `siamese` has 2 separate LSTM layers, called 1, 1 time(s)" in message
    assert "Expected a single LSTM layer instance shared by the branches, with 2 nodes" in message
    assert "calling the constructor again makes a new layer" in message


def test_check_shared_layer_fails_on_a_layer_called_once_or_missing():
    message = _failure(checks.check_shared_layer, builders.build_functional_mlp(), "Dense",
                       name="mlp")
    assert "3 separate Dense layers" in message
    message = _failure(checks.check_shared_layer, builders.build_functional_mlp(), "LSTM")
    assert "has no LSTM layer" in message
    single = keras.Input((4, 2))
    once = keras.Model(single, layers.LSTM(3)(single))
    message = _failure(checks.check_shared_layer, once, "LSTM")
    assert "calls its LSTM layer 1 time(s) (1 node(s)). Expected it to be called 2 times" in message


def test_check_shared_submodel_passes_on_the_digit_pair_classifier():
    checks.check_shared_submodel(builders.build_digit_pair_classifier(), num_nodes=2)


def test_check_shared_submodel_fails_on_a_dense_instead_of_the_vision_model():
    message = _failure(checks.check_shared_submodel, dense_digit_classifier(), name="classifier")
    assert "Your model `classifier` has no sub-model (a model used as a layer)" in message
    assert "Dense" in message


def test_check_shared_submodel_fails_on_two_separate_vision_models():
    left = keras.Input(shape=(8, 8, 1), name="left")
    right = keras.Input(shape=(8, 8, 1), name="right")
    encoders = [keras.Sequential([layers.Flatten(), layers.Dense(4)], name=f"vision_{side}")
                for side in ("left", "right")]
    merged = layers.concatenate([encoders[0](left), encoders[1](right)])
    model = keras.Model([left, right], layers.Dense(1)(merged))
    message = _failure(checks.check_shared_submodel, model, name="classifier")
    assert "has 2 separate sub-models (models used as layers), called 1, 1 time(s)" in message


# node indices --------------------------------------------------------------


def test_check_node_index_passes_on_each_call_of_a_shared_layer():
    a, b = keras.Input((5, 4)), keras.Input((5, 4))
    lstm = layers.LSTM(3)
    encoded_a, encoded_b = lstm(a), lstm(b)
    checks.check_node_index(encoded_a, lstm, 0, name="encoded_a")
    checks.check_node_index(encoded_b, lstm, 1, name="encoded_b")


def test_check_node_index_fails_on_an_index_off_by_one():
    a, b = keras.Input((5, 4)), keras.Input((5, 4))
    lstm = layers.LSTM(3)
    encoded_a, _ = lstm(a), lstm(b)
    message = _failure(checks.check_node_index, encoded_a, lstm, 1, name="encoded_b",
                       layer_name="`shared_lstm`")
    assert "Your `encoded_b` comes from node 0 of `shared_lstm`. Expected node 1." in message
    assert "nodes count the calls of a layer from 0" in message


def test_check_node_index_fails_on_a_tensor_from_another_layer_or_no_tensor():
    a = keras.Input((5, 4))
    lstm, other = layers.LSTM(3), layers.LSTM(3)
    lstm(a)
    message = _failure(checks.check_node_index, other(a), lstm, 1, name="encoded_b")
    assert "comes from the output of a LSTM layer" in message
    assert "make sure you call that layer instance" in message
    message = _failure(checks.check_node_index, np.zeros(3), lstm, 0, name="encoded_b")
    assert "is a ndarray, not a symbolic tensor" in message


# loss weighting ------------------------------------------------------------


def test_check_losses_and_weights_pass_as_dicts_and_as_lists():
    as_dicts = headline_compiled(loss=HEADLINE_LOSSES, loss_weights=HEADLINE_WEIGHTS)
    as_lists = headline_compiled(loss=["binary_crossentropy"] * 2, loss_weights=[1.0, 0.2])
    for model in (as_dicts, as_lists):
        checks.check_losses(model, HEADLINE_LOSSES)
        checks.check_loss_weights(model, HEADLINE_WEIGHTS)


def test_check_loss_weights_fails_on_weights_swapped_between_outputs():
    swapped = headline_compiled(loss=HEADLINE_LOSSES, loss_weights=[0.2, 1.0])
    message = _failure(checks.check_loss_weights, swapped, HEADLINE_WEIGHTS)
    assert "Your model `model` weights the losses main_output: 0.2, aux_output: 1." in message
    assert "Expected main_output: 1, aux_output: 0.2." in message
    assert "follows the order of model.output_names (['main_output', 'aux_output'])" in message


def test_check_loss_weights_fails_on_the_seed_single_loss_with_a_list_of_weights():
    seed_style = headline_compiled(loss="binary_crossentropy", loss_weights=[1.0, 0.2])
    message = _failure(checks.check_loss_weights, seed_style, HEADLINE_WEIGHTS)
    assert "Keras 3 refuses this when training starts" in message
    assert "one loss per output" in message


def test_check_loss_weights_fails_on_an_uncompiled_model():
    message = _failure(checks.check_loss_weights, builders.build_headline_model(),
                       HEADLINE_WEIGHTS, name="headline")
    assert "Your model `headline` is not compiled." in message


def test_check_losses_fails_on_one_loss_given_for_all_outputs():
    model = builders.build_social_media_model()
    model.compile(optimizer="rmsprop", loss="mse")
    message = _failure(checks.check_losses, model, SOCIAL_LOSSES, name="social")
    assert "You compiled `social` with one loss, 'mean_squared_error', for all 3 outputs." \
        in message
    assert "give a list in the order of model.output_names" in message


def test_check_losses_fails_on_losses_in_the_wrong_order():
    model = builders.build_social_media_model()
    model.compile(optimizer="rmsprop",
                  loss=["mse", "binary_crossentropy", "categorical_crossentropy"])
    message = _failure(checks.check_losses, model, SOCIAL_LOSSES)
    assert "income: 'binary_crossentropy', gender: 'categorical_crossentropy'" in message
    assert "Expected income: 'categorical_crossentropy', gender: 'binary_crossentropy'" in message


def test_check_weighted_loss_passes_on_the_right_weights():
    batch = data.make_headline_data(num_samples=16)
    model = headline_compiled(loss=HEADLINE_LOSSES, loss_weights=HEADLINE_WEIGHTS)
    checks.check_weighted_loss(model, batch.inputs, batch.targets, HEADLINE_WEIGHTS)


def test_check_weighted_loss_fails_on_swapped_weights_with_the_numbers():
    batch = data.make_headline_data(num_samples=16)
    swapped = headline_compiled(loss=HEADLINE_LOSSES, loss_weights=[0.2, 1.0])
    message = _failure(checks.check_weighted_loss, swapped, batch.inputs, batch.targets,
                       HEADLINE_WEIGHTS, name="headline")
    assert "On a test batch, the total loss of your model `headline` is" in message
    assert "1 x " in message and "(main_output) + 0.2 x " in message
    assert "check which weight goes with which output" in message


def test_check_weighted_loss_fails_on_the_social_model_without_weights():
    batch = data.make_social_media_data(num_samples=16)
    model = builders.build_social_media_model()
    model.compile(optimizer="rmsprop", loss=SOCIAL_LOSSES)
    weights = {"age": 0.25, "income": 1.0, "gender": 10.0}
    message = _failure(checks.check_weighted_loss, model, batch.inputs, batch.targets, weights)
    assert "0.25 x" in message and "10 x" in message


# structural equivalence ----------------------------------------------------


def test_check_same_structure_ignores_names_and_layer_order():
    reference = builders.build_siamese_lstm()
    right = keras.Input((None, 16), name="second")  # created first, other names
    left = keras.Input((None, 16), name="first")
    encoder = layers.LSTM(8, name="encoder")
    merged = layers.concatenate([encoder(left), encoder(right)], name="joined")
    student = keras.Model([left, right], layers.Dense(1, activation="sigmoid")(merged))
    checks.check_same_structure(student, reference)


def test_check_same_structure_fails_on_two_lstms_instead_of_one_shared():
    message = _failure(checks.check_same_structure, two_lstm_siamese(),
                       builders.build_siamese_lstm(), name="siamese")
    assert "Your model `siamese` has 2 LSTM layers (expected 1)." in message
    assert "no more and no fewer" in message


def test_check_same_structure_fails_on_the_wrong_concatenation_axis():
    message = _failure(checks.check_same_structure, inception_on_axis(1),
                       builders.build_inception_module(), name="inception")
    assert "Your model `inception`: the Concatenate layer has axis 1. Expected 3." in message
    assert "which axis holds the features to join?" in message


def test_check_same_structure_fails_on_the_residual_from_the_wrong_tensor():
    reference = builders.build_residual_block()
    message = _failure(checks.check_same_structure, residual_from_wrong_tensor(), reference)
    assert ("Your model `model`: the Add layer reads the Conv2D layer that reads the output "
            "of a Conv2D layer and the Conv2D layer that reads the input 'block_input'.") in message
    assert "Expected the layers connected as the exercise describes" in message
    assert "which tensor do you pass to this layer?" in message


def test_check_same_structure_fails_on_a_dense_instead_of_a_shared_submodel():
    message = _failure(checks.check_same_structure, dense_digit_classifier(),
                       builders.build_digit_pair_classifier())
    assert "0 sub-models (models used as layers) (expected 1)" in message
    assert "2 Dense layers (expected 1)" in message


def test_check_loss_weights_fails_on_a_dict_of_weights_with_a_list_of_losses():
    """Keras 3 pairs such weights with the losses alphabetically: silently wrong."""
    mixed = headline_compiled(loss=["binary_crossentropy"] * 2, loss_weights=HEADLINE_WEIGHTS)
    message = _failure(checks.check_loss_weights, mixed, HEADLINE_WEIGHTS)
    assert "The way you compiled `model` does not match its outputs" in message
    assert "alphabetical order of the output names" in message

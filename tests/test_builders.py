"""Tests for keras_functional_course.builders."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest

from keras_functional_course import builders, data
from keras_functional_course.graph import shared_layers


def _input_names(model: keras.Model) -> list[str]:
    return [tensor.name for tensor in model.inputs]


def _output_shapes(model: keras.Model) -> list[tuple]:
    return [tuple(tensor.shape) for tensor in model.outputs]


# --- 1. The seeds' parameter totals -------------------------------------------------------

SEED_SIZES_QA = dict(
    text_vocabulary_size=10_000,
    question_vocabulary_size=10_000,
    answer_vocabulary_size=500,
    text_embedding_dim=64,
    question_embedding_dim=32,
    text_lstm_units=32,
    question_lstm_units=16,
)


@pytest.mark.parametrize(
    ("builder", "kwargs", "expected"),
    [
        (
            builders.build_sequential_mlp,
            dict(input_dim=64, hidden_units=(32, 32), num_classes=10),
            3466,
        ),
        (
            builders.build_functional_mlp,
            dict(input_dim=64, hidden_units=(32, 32), num_classes=10),
            3466,
        ),
        (builders.build_question_answering_model, SEED_SIZES_QA, 1_000_052),
        (builders.build_siamese_lstm, dict(features=128, lstm_units=32), 20_673),
    ],
    ids=["sequential_mlp", "functional_mlp", "question_answering", "siamese_lstm"],
)
def test_seed_sizes_reproduce_the_seed_parameter_totals(builder, kwargs, expected):
    assert builder(**kwargs).count_params() == expected


@pytest.mark.parametrize(
    "sizes",
    [
        dict(input_dim=5, hidden_units=(7,), num_classes=3),
        dict(input_dim=12, hidden_units=[4, 6, 2], num_classes=2),
    ],
)
def test_sequential_and_functional_mlp_agree_for_any_sizes(sizes):
    sequential = builders.build_sequential_mlp(**sizes)
    functional = builders.build_functional_mlp(**sizes)
    dims = [sizes["input_dim"], *sizes["hidden_units"], sizes["num_classes"]]
    expected = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(dims, dims[1:], strict=False))
    assert sequential.count_params() == functional.count_params() == expected
    hidden_names = [f"hidden_{i}" for i in range(1, len(sizes["hidden_units"]) + 1)]
    assert [layer.name for layer in sequential.layers] == [*hidden_names, "predictions"]
    assert isinstance(sequential, keras.Sequential)
    assert not isinstance(functional, keras.Sequential)


# --- 2. The documented contract of every builder -------------------------------------------

# builder, model name, input names, output names (None for Sequential models, which have no
# `output_names` in Keras 3), key layer names, output shapes.
CONTRACTS = {
    "sequential_mlp": (
        builders.build_sequential_mlp,
        "sequential_mlp",
        ["features"],
        None,
        ["hidden_1", "hidden_2", "predictions"],
        [(None, 10)],
    ),
    "functional_mlp": (
        builders.build_functional_mlp,
        "functional_mlp",
        ["features"],
        ["predictions"],
        ["hidden_1", "hidden_2", "predictions"],
        [(None, 10)],
    ),
    "headline": (
        builders.build_headline_model,
        "headline_model",
        ["main_input", "aux_input"],
        ["main_output", "aux_output"],
        ["embedding", "lstm", "merge"],
        [(None, 1), (None, 1)],
    ),
    "question_answering": (
        builders.build_question_answering_model,
        "question_answering",
        ["text", "question"],
        ["answer"],
        ["text_embedding", "text_lstm", "question_embedding", "question_lstm", "merge"],
        [(None, 50)],
    ),
    "social_media": (
        builders.build_social_media_model,
        "social_media",
        ["posts"],
        ["age", "income", "gender"],
        ["embedding", "features"],
        [(None, 1), (None, 10), (None, 1)],
    ),
    "inception": (
        builders.build_inception_module,
        "inception_module",
        ["image"],
        ["towers_concatenated"],
        ["tower_1", "tower_2", "tower_3", "towers_concatenated"],
        [(None, 16, 16, 24)],
    ),
    "residual_identity": (
        builders.build_residual_block,
        "residual_block_identity",
        ["block_input"],
        ["residual_add"],
        ["conv_1", "conv_2", "residual_add"],
        [(None, 16, 16, 8)],
    ),
    "tweet": (
        builders.build_shared_lstm_tweet_model,
        "tweet_model",
        ["tweet_a", "tweet_b"],
        ["prediction"],
        ["shared_lstm", "merge"],
        [(None, 1)],
    ),
    "siamese": (
        builders.build_siamese_lstm,
        "siamese_lstm",
        ["left", "right"],
        ["prediction"],
        ["shared_lstm", "merge"],
        [(None, 1)],
    ),
    "vision": (
        builders.build_vision_model,
        "vision_model",
        ["digit_input"],
        ["flatten"],
        ["conv_1", "conv_2", "pool", "flatten"],
        [(None, 64)],
    ),
    "digit_pair": (
        builders.build_digit_pair_classifier,
        "digit_pair_classifier",
        ["digit_a", "digit_b"],
        ["same_digit"],
        ["vision_model", "merge"],
        [(None, 1)],
    ),
    "vqa_vision": (
        builders.build_vqa_vision_model,
        "vision_model",
        None,
        None,
        [],
        [(None, 32)],
    ),
    "vqa": (
        builders.build_visual_question_answering_model,
        "vqa_model",
        ["image", "question"],
        ["answer"],
        ["vision_model", "question_embedding", "question_lstm", "merge"],
        [(None, 20)],
    ),
    "video_qa": (
        builders.build_video_question_answering_model,
        "video_qa_model",
        ["video", "video_question"],
        ["answer"],
        ["frame_encoder", "video_lstm", "question_encoder", "merge"],
        [(None, 20)],
    ),
}


@pytest.mark.parametrize("key", sorted(CONTRACTS))
def test_default_builder_matches_its_documented_contract(key):
    builder, name, inputs, outputs, key_layers, shapes = CONTRACTS[key]
    model = builder()
    assert isinstance(model, keras.Model)
    assert model.compiled is False
    assert model.name == name
    if inputs is not None:
        assert _input_names(model) == inputs
    if outputs is not None:
        assert list(model.output_names) == outputs
    else:
        assert isinstance(model, keras.Sequential)
    for layer_name in key_layers:
        assert model.get_layer(layer_name).name == layer_name
    assert _output_shapes(model) == shapes
    assert 0 < model.count_params() < 100_000


def test_every_public_builder_has_a_contract():
    tested = {CONTRACTS[key][0].__name__ for key in CONTRACTS}
    public_builders = {name for name in builders.__all__ if name.startswith("build_")}
    assert public_builders <= tested


def test_sequential_mlp_output_layer_is_predictions():
    model = builders.build_sequential_mlp(num_classes=4)
    assert model.layers[-1].name == "predictions"
    assert model.layers[-1].units == 4
    assert _input_names(model) == ["features"]


def test_headline_model_layers_follow_the_sizes():
    model = builders.build_headline_model(
        vocabulary_size=50,
        sequence_length=7,
        embedding_dim=3,
        lstm_units=5,
        auxiliary_features=2,
        dense_units=6,
        dense_layers=2,
    )
    assert [tuple(t.shape) for t in model.inputs] == [(None, 7), (None, 2)]
    assert model.inputs[0].dtype == "int32"
    assert tuple(model.get_layer("merge").output.shape) == (None, 5 + 2)
    assert model.get_layer("embedding").input_dim == 50
    assert [model.get_layer(f"dense_{i}").units for i in (1, 2)] == [6, 6]
    with pytest.raises(ValueError):
        model.get_layer("dense_3")


def test_question_answering_model_accepts_sequences_of_any_length():
    model = builders.build_question_answering_model(text_lstm_units=4, question_lstm_units=3)
    assert [tuple(t.shape) for t in model.inputs] == [(None, None), (None, None)]
    assert all(t.dtype == "int32" for t in model.inputs)
    assert tuple(model.get_layer("merge").output.shape) == (None, 7)


def test_inception_module_concatenates_towers_on_channels():
    model = builders.build_inception_module(input_shape=(10, 12, 5), filters=4)
    for tower in ("tower_1", "tower_2", "tower_3"):
        assert tuple(model.get_layer(tower).output.shape) == (None, 10, 12, 4)
    assert model.get_layer("tower_1").kernel_size == (3, 3)
    assert model.get_layer("tower_2").kernel_size == (5, 5)
    assert model.get_layer("tower_3").kernel_size == (1, 1)
    assert _output_shapes(model) == [(None, 10, 12, 12)]


def test_vqa_vision_model_is_sequential():
    model = builders.build_vqa_vision_model(image_shape=(20, 20, 1), filters=(2, 3, 5))
    assert isinstance(model, keras.Sequential)
    assert _output_shapes(model) == [(None, 5)]


# --- 3. Every builder trains for one short epoch on its dataset ----------------------------


def _fit_case(key):
    """Returns (model, inputs, targets, compile kwargs) for a short training run."""
    n = 16
    rng = np.random.default_rng(0)
    cce, bce = "categorical_crossentropy", "binary_crossentropy"
    if key in ("sequential_mlp", "functional_mlp"):
        dataset = data.make_mlp_data(num_samples=n)
        return CONTRACTS[key][0](), *dataset, dict(loss=cce)
    if key == "headline":
        dataset = data.make_headline_data(num_samples=n)
        return builders.build_headline_model(), *dataset, dict(
            loss={"main_output": bce, "aux_output": bce},
            loss_weights={"main_output": 1.0, "aux_output": 0.2},
        )
    if key == "question_answering":
        dataset = data.make_question_answering_data(num_samples=n)
        return builders.build_question_answering_model(), *dataset, dict(loss=cce)
    if key == "social_media":
        dataset = data.make_social_media_data(num_samples=n)
        return builders.build_social_media_model(), *dataset, dict(
            loss={"age": "mse", "income": cce, "gender": bce},
            loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0},
        )
    if key == "inception":
        images = data.make_image_data(num_samples=n)
        target = rng.random((n, 16, 16, 24)).astype("float32")
        return builders.build_inception_module(), images, target, dict(loss="mse")
    if key in ("residual_identity", "residual_projection"):
        shortcut = key.split("_")[1]
        images = data.make_image_data(
            num_samples=n, image_shape=(16, 16, 8), input_name="block_input"
        )
        side = 16 if shortcut == "identity" else 8
        target = rng.random((n, side, side, 8)).astype("float32")
        model = builders.build_residual_block(shortcut=shortcut)
        return model, images, target, dict(loss="mse")
    if key == "tweet":
        dataset = data.make_sequence_pair_data(num_samples=n, input_names=("tweet_a", "tweet_b"))
        return builders.build_shared_lstm_tweet_model(), *dataset, dict(loss=bce)
    if key == "siamese":
        dataset = data.make_sequence_pair_data(num_samples=n, timesteps=6)
        return builders.build_siamese_lstm(), *dataset, dict(loss=bce)
    if key == "vision":
        digits = data.load_digit_pairs(num_pairs=n).inputs["digit_a"]
        target = rng.random((n, 64)).astype("float32")
        return builders.build_vision_model(), digits, target, dict(loss="mse")
    if key == "digit_pair":
        dataset = data.load_digit_pairs(num_pairs=n)
        return builders.build_digit_pair_classifier(), *dataset, dict(loss=bce)
    if key == "vqa_vision":
        images = data.make_image_data(num_samples=n)["image"]
        target = rng.random((n, 32)).astype("float32")
        return builders.build_vqa_vision_model(), images, target, dict(loss="mse")
    if key == "vqa":
        dataset = data.make_visual_question_answering_data(num_samples=n)
        return builders.build_visual_question_answering_model(), *dataset, dict(loss=cce)
    if key == "video_qa":
        dataset = data.make_video_question_answering_data(num_samples=8)
        return builders.build_video_question_answering_model(), *dataset, dict(loss=cce)
    raise KeyError(key)


def _sole_value_or_dict(values):
    """A single-input (or single-output) Keras 3 model wants the bare array, not a dict."""
    if isinstance(values, dict) and len(values) == 1:
        return next(iter(values.values()))
    return values


GRAPH_MODE_CASES = {"sequential_mlp", "functional_mlp", "residual_identity"}


@pytest.mark.parametrize("key", [*sorted(CONTRACTS), "residual_projection"])
def test_builder_trains_one_short_epoch_with_a_finite_loss(key):
    model, inputs, targets, compile_kwargs = _fit_case(key)
    # Tracing a tf.function costs seconds per model on CPU; the cheap models are trained in
    # graph mode (the default path), the others eagerly to keep the file fast.
    run_eagerly = key not in GRAPH_MODE_CASES
    model.compile(optimizer="adam", run_eagerly=run_eagerly, **compile_kwargs)
    assert model.compiled is True
    history = model.fit(
        _sole_value_or_dict(inputs),
        _sole_value_or_dict(targets),
        epochs=1,
        batch_size=8,
        verbose=0,
    )
    losses = history.history["loss"]
    assert len(losses) == 1
    assert np.isfinite(losses[0])
    assert losses[0] > 0


# --- 4. Shared structure -----------------------------------------------------------------


@pytest.mark.parametrize(
    "builder", [builders.build_shared_lstm_tweet_model, builders.build_siamese_lstm]
)
def test_shared_lstm_is_one_instance_called_twice(builder):
    model = builder(lstm_units=4)
    shared = shared_layers(model)
    assert len(shared) == 1
    assert shared[0].layer is model.get_layer("shared_lstm")
    assert shared[0].node_indices == (0, 1)
    lstm_count = sum(isinstance(layer, keras.layers.LSTM) for layer in model.layers)
    assert lstm_count == 1
    merge = model.get_layer("merge")
    assert tuple(merge.output.shape) == (None, 8)
    # The LSTM's weights are counted once: LSTM + Dense(1) on the two encodings.
    assert model.count_params() == model.get_layer("shared_lstm").count_params() + 8 + 1


def test_siamese_lstm_accepts_sequences_of_any_length():
    model = builders.build_siamese_lstm(features=5, lstm_units=3)
    assert [tuple(t.shape) for t in model.inputs] == [(None, None, 5), (None, None, 5)]
    tweet = builders.build_shared_lstm_tweet_model(timesteps=9, characters=5, lstm_units=3)
    assert [tuple(t.shape) for t in tweet.inputs] == [(None, 9, 5), (None, 9, 5)]


def test_digit_pair_classifier_shares_its_vision_model():
    model = builders.build_digit_pair_classifier()
    shared = shared_layers(model)
    assert len(shared) == 1
    assert shared[0].layer is model.get_layer("vision_model")
    assert shared[0].num_nodes == 2
    vision = model.get_layer("vision_model")
    assert model.count_params() == vision.count_params() + 2 * 64 + 1


def test_digit_pair_classifier_uses_the_given_vision_model():
    vision = builders.build_vision_model(input_shape=(10, 10, 1), filters=4)
    model = builders.build_digit_pair_classifier(vision_model=vision)
    assert model.get_layer("vision_model") is vision
    assert [tuple(t.shape) for t in model.inputs] == [(None, 10, 10, 1), (None, 10, 10, 1)]
    assert shared_layers(model)[0].layer is vision


def test_video_qa_reuses_the_vqa_vision_model_and_question_branch():
    vqa = builders.build_visual_question_answering_model()
    video = builders.build_video_question_answering_model(vqa_model=vqa, num_frames=3)
    frame_encoder = video.get_layer("frame_encoder")
    assert isinstance(frame_encoder, keras.layers.TimeDistributed)
    assert frame_encoder.layer is vqa.get_layer("vision_model")
    assert tuple(video.inputs[0].shape) == (None, 3, 16, 16, 3)
    assert tuple(video.inputs[1].shape) == (None, 10)
    question_encoder = video.get_layer("question_encoder")
    assert question_encoder.get_layer("question_lstm") is vqa.get_layer("question_lstm")
    assert question_encoder.get_layer("question_embedding") is vqa.get_layer(
        "question_embedding"
    )
    assert video.get_layer("video_lstm").units == 16
    assert video.get_layer("answer").units == vqa.get_layer("answer").units


def test_video_qa_answer_vocabulary_can_be_overridden():
    vqa = builders.build_visual_question_answering_model(answer_vocabulary_size=7)
    assert _output_shapes(builders.build_video_question_answering_model(vqa_model=vqa)) == [
        (None, 7)
    ]
    video = builders.build_video_question_answering_model(vqa_model=vqa, answer_vocabulary_size=3)
    assert _output_shapes(video) == [(None, 3)]


def test_question_encoder_shares_weights_with_the_vqa_model():
    vqa = builders.build_visual_question_answering_model(lstm_units=6)
    encoder = builders.question_encoder_of(vqa)
    assert isinstance(encoder, keras.Model)
    assert encoder.name == "question_encoder"
    assert _input_names(encoder) == ["question"]
    assert _output_shapes(encoder) == [(None, 6)]
    assert encoder.get_layer("question_lstm") is vqa.get_layer("question_lstm")
    vqa_question_variables = {
        id(v)
        for name in ("question_embedding", "question_lstm")
        for v in vqa.get_layer(name).weights
    }
    assert {id(v) for v in encoder.weights} == vqa_question_variables
    assert len(vqa_question_variables) > 0


def test_training_the_video_model_trains_the_vqa_question_branch():
    vqa = builders.build_visual_question_answering_model()
    video = builders.build_video_question_answering_model(vqa_model=vqa)
    before = [w.copy() for w in vqa.get_layer("question_lstm").get_weights()]
    dataset = data.make_video_question_answering_data(num_samples=8)
    video.compile(optimizer="adam", loss="categorical_crossentropy", run_eagerly=True)
    history = video.fit(
        dataset.inputs, dataset.targets["answer"], epochs=1, batch_size=8, verbose=0
    )
    assert np.isfinite(history.history["loss"][0])
    after = vqa.get_layer("question_lstm").get_weights()
    assert any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True))


def test_question_encoder_of_rejects_a_model_without_a_question_branch():
    with pytest.raises(ValueError, match=re.escape("`vqa_model`")):
        builders.question_encoder_of(builders.build_functional_mlp())


# --- 5. Residual blocks -------------------------------------------------------------------


def test_identity_residual_block_adds_the_input_unchanged():
    model = builders.build_residual_block(input_shape=(6, 5, 4), filters=4)
    assert model.name == "residual_block_identity"
    assert _output_shapes(model) == [(None, 6, 5, 4)]
    add_inputs = model.get_layer("residual_add").input
    assert any(tensor is model.inputs[0] for tensor in add_inputs)
    for missing in ("pool", "projection"):
        with pytest.raises(ValueError):
            model.get_layer(missing)
    assert model.get_layer("conv_2").kernel_size == (3, 3)


def test_projection_residual_block_halves_the_image_and_projects_the_shortcut():
    model = builders.build_residual_block(
        input_shape=(16, 16, 8), filters=12, shortcut="projection"
    )
    assert model.name == "residual_block_projection"
    assert _input_names(model) == ["block_input"]
    assert list(model.output_names) == ["residual_add"]
    for layer_name in ("conv_1", "conv_2", "pool", "projection", "residual_add"):
        assert model.get_layer(layer_name).name == layer_name
    projection = model.get_layer("projection")
    assert projection.kernel_size == (1, 1)
    assert projection.strides == (2, 2)
    assert tuple(projection.output.shape) == (None, 8, 8, 12)
    assert tuple(model.get_layer("pool").output.shape) == (None, 8, 8, 12)
    assert _output_shapes(model) == [(None, 8, 8, 12)]


def test_identity_residual_block_needs_filters_equal_to_channels():
    with pytest.raises(ValueError, match=re.escape("`filters`")):
        builders.build_residual_block(input_shape=(16, 16, 8), filters=16, shortcut="identity")


def test_projection_residual_block_handles_odd_image_sizes_or_names_input_shape():
    """An odd height or width must either build (the projection matching the path) or raise a
    ValueError naming `input_shape`, not fail inside Keras's Add layer."""
    try:
        model = builders.build_residual_block(input_shape=(15, 15, 8), shortcut="projection")
    except ValueError as error:
        assert "`input_shape`" in str(error)
    else:
        path_shape = tuple(model.get_layer("pool").output.shape)
        assert tuple(model.get_layer("projection").output.shape) == path_shape
        assert _output_shapes(model) == [path_shape]


# --- 6. Bad sizes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "kwargs", "argument"),
    [
        (builders.build_sequential_mlp, dict(input_dim=0), "input_dim"),
        (builders.build_sequential_mlp, dict(hidden_units=(32, -1)), "hidden_units"),
        (builders.build_functional_mlp, dict(hidden_units=()), "hidden_units"),
        (builders.build_functional_mlp, dict(num_classes=2.0), "num_classes"),
        (builders.build_headline_model, dict(lstm_units=0), "lstm_units"),
        (builders.build_headline_model, dict(dense_layers=True), "dense_layers"),
        (builders.build_question_answering_model, dict(answer_vocabulary_size=0),
         "answer_vocabulary_size"),
        (builders.build_social_media_model, dict(filters=(16,)), "filters"),
        (builders.build_social_media_model, dict(kernel_size=-3), "kernel_size"),
        (builders.build_inception_module, dict(input_shape=(16, 16)), "input_shape"),
        (builders.build_inception_module, dict(input_shape=(16, 0, 3)), "input_shape"),
        (builders.build_inception_module, dict(filters=0), "filters"),
        (builders.build_residual_block, dict(shortcut="bogus"), "shortcut"),
        (builders.build_residual_block, dict(input_shape=(16, 16, 8, 1)), "input_shape"),
        (builders.build_shared_lstm_tweet_model, dict(timesteps=0), "timesteps"),
        (builders.build_siamese_lstm, dict(features=-1), "features"),
        (builders.build_siamese_lstm, dict(lstm_units=0), "lstm_units"),
        (builders.build_vision_model, dict(input_shape=(4, 4, 1)), "input_shape"),
        (builders.build_vision_model, dict(input_shape=(8, 8)), "input_shape"),
        (builders.build_digit_pair_classifier, dict(vision_model="vision"), "vision_model"),
        (builders.build_vqa_vision_model, dict(image_shape=(8, 8, 3)), "image_shape"),
        (builders.build_vqa_vision_model, dict(filters=(8, 16)), "filters"),
        (builders.build_visual_question_answering_model, dict(vocabulary_size=0),
         "vocabulary_size"),
        (builders.build_visual_question_answering_model, dict(image_shape=(16, 16)),
         "image_shape"),
        (builders.build_video_question_answering_model, dict(num_frames=0), "num_frames"),
        (builders.build_video_question_answering_model, dict(video_lstm_units=-2),
         "video_lstm_units"),
        (builders.build_video_question_answering_model, dict(answer_vocabulary_size=0),
         "answer_vocabulary_size"),
    ],
    ids=lambda value: value.__name__.removeprefix("build_") if callable(value) else None,
)
def test_bad_sizes_raise_value_error_naming_the_argument(builder, kwargs, argument):
    with pytest.raises(ValueError, match=re.escape(f"`{argument}`")):
        builder(**kwargs)

"""Tests for keras_functional_course.data."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

from keras_functional_course import builders, data

# name: (dataset factory taking num_samples and seed, matching builder, word-index inputs)
PAIRS = {
    "mlp": (
        lambda n, seed=0: data.make_mlp_data(num_samples=n, seed=seed),
        builders.build_functional_mlp,
        set(),
    ),
    "headline": (
        lambda n, seed=0: data.make_headline_data(num_samples=n, seed=seed),
        builders.build_headline_model,
        {"main_input"},
    ),
    "question_answering": (
        lambda n, seed=0: data.make_question_answering_data(num_samples=n, seed=seed),
        builders.build_question_answering_model,
        {"text", "question"},
    ),
    "social_media": (
        lambda n, seed=0: data.make_social_media_data(num_samples=n, seed=seed),
        builders.build_social_media_model,
        {"posts"},
    ),
    "tweet": (
        lambda n, seed=0: data.make_sequence_pair_data(
            num_samples=n, input_names=("tweet_a", "tweet_b"), seed=seed
        ),
        builders.build_shared_lstm_tweet_model,
        set(),
    ),
    "siamese": (
        lambda n, seed=0: data.make_sequence_pair_data(num_samples=n, seed=seed),
        builders.build_siamese_lstm,
        set(),
    ),
    "digit_pairs": (
        lambda n, seed=0: data.load_digit_pairs(num_pairs=n, seed=seed),
        builders.build_digit_pair_classifier,
        set(),
    ),
    "visual_qa": (
        lambda n, seed=0: data.make_visual_question_answering_data(num_samples=n, seed=seed),
        builders.build_visual_question_answering_model,
        {"question"},
    ),
    "video_qa": (
        lambda n, seed=0: data.make_video_question_answering_data(num_samples=n, seed=seed),
        builders.build_video_question_answering_model,
        {"video_question"},
    ),
}

# name: (image factory taking num_samples and seed, matching builder)
IMAGE_PAIRS = {
    "inception": (
        lambda n, seed=0: data.make_image_data(num_samples=n, seed=seed),
        builders.build_inception_module,
    ),
    "residual": (
        lambda n, seed=0: data.make_image_data(
            num_samples=n, image_shape=(16, 16, 8), input_name="block_input", seed=seed
        ),
        builders.build_residual_block,
    ),
}


def _input_names(model: keras.Model) -> list[str]:
    return [tensor.name for tensor in model.inputs]


def _compatible(array_shape: tuple, model_shape: tuple) -> bool:
    """Whether a data array fits a symbolic shape (batch and None dimensions match anything)."""
    expected = tuple(model_shape)[1:]
    actual = tuple(array_shape)[1:]
    return len(actual) == len(expected) and all(
        want is None or want == got for want, got in zip(expected, actual, strict=True)
    )


def _all_arrays(dataset) -> dict[str, np.ndarray]:
    if isinstance(dataset, data.Dataset):
        return {**{f"in:{k}": v for k, v in dataset.inputs.items()},
                **{f"out:{k}": v for k, v in dataset.targets.items()}}
    return dict(dataset)


# --- Names, sample counts, shapes and dtypes ---------------------------------------------


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_dataset_keys_match_the_builder_names(name):
    factory, builder, _ = PAIRS[name]
    dataset = factory(12)
    model = builder()
    assert isinstance(dataset, data.Dataset)
    assert isinstance(dataset.inputs, dict)
    assert isinstance(dataset.targets, dict)
    assert sorted(dataset.inputs) == sorted(_input_names(model))
    assert sorted(dataset.targets) == sorted(model.output_names)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_dataset_shapes_fit_the_builder_and_sample_counts_agree(name):
    factory, builder, _ = PAIRS[name]
    dataset = factory(12)
    model = builder()
    for tensor in model.inputs:
        array = dataset.inputs[tensor.name]
        assert array.shape[0] == 12
        assert _compatible(array.shape, tensor.shape), (tensor.name, array.shape)
    for output_name, tensor in zip(model.output_names, model.outputs, strict=True):
        array = dataset.targets[output_name]
        assert array.shape[0] == 12
        assert _compatible(array.shape, tensor.shape), (output_name, array.shape)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_word_indices_are_ints_and_everything_else_is_float32(name):
    factory, _, word_inputs = PAIRS[name]
    dataset = factory(12)
    for key, array in dataset.inputs.items():
        if key in word_inputs:
            assert np.issubdtype(array.dtype, np.integer), key
            assert array.min() >= 0
        else:
            assert array.dtype == np.float32, key
    for key, array in dataset.targets.items():
        assert array.dtype == np.float32, key


@pytest.mark.parametrize(
    ("name", "input_name", "vocabulary_size"),
    [
        ("headline", "main_input", 1000),
        ("question_answering", "text", 1000),
        ("question_answering", "question", 1000),
        ("social_media", "posts", 500),
        ("visual_qa", "question", 200),
        ("video_qa", "video_question", 200),
    ],
)
def test_word_indices_fit_the_default_vocabulary(name, input_name, vocabulary_size):
    factory, builder, _ = PAIRS[name]
    indices = factory(64).inputs[input_name]
    assert indices.min() >= 0 and indices.max() < vocabulary_size
    embedding = {
        "main_input": "embedding",
        "text": "text_embedding",
        "question": "question_embedding",
        "posts": "embedding",
        "video_question": None,
    }[input_name]
    if embedding is not None:
        assert builder().get_layer(embedding).input_dim == vocabulary_size


@pytest.mark.parametrize("name", sorted(IMAGE_PAIRS))
def test_image_data_is_keyed_by_the_builder_input(name):
    factory, builder = IMAGE_PAIRS[name]
    images = factory(5)
    model = builder()
    assert list(images) == _input_names(model)
    (array,) = images.values()
    assert array.dtype == np.float32
    assert array.shape[0] == 5
    assert _compatible(array.shape, model.inputs[0].shape)
    assert array.min() >= 0.0 and array.max() <= 1.0


# --- Determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*sorted(PAIRS), *sorted(IMAGE_PAIRS)])
def test_same_seed_same_data_other_seed_other_data(name):
    factory = (PAIRS.get(name) or IMAGE_PAIRS[name])[0]
    first, again = _all_arrays(factory(16, 1)), _all_arrays(factory(16, 1))
    other = _all_arrays(factory(16, 2))
    assert first.keys() == again.keys() == other.keys()
    for key in first:
        np.testing.assert_array_equal(first[key], again[key], err_msg=key)
    assert any(not np.array_equal(first[key], other[key]) for key in first)
    inputs = [key for key in first if not key.startswith("out:")]
    assert all(not np.array_equal(first[key], other[key]) for key in inputs)


# --- Targets that make sense -------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "question_key", "answers"),
    [
        (lambda: data.make_question_answering_data(num_samples=100), "question", 50),
        (
            lambda: data.make_question_answering_data(num_samples=100, answer_vocabulary_size=7),
            "question",
            7,
        ),
        (lambda: data.make_visual_question_answering_data(num_samples=100), "question", 20),
        (lambda: data.make_video_question_answering_data(num_samples=30), "video_question", 20),
    ],
    ids=["qa", "qa_7_answers", "visual_qa", "video_qa"],
)
def test_one_hot_answers_have_exactly_one_one_per_row(factory, question_key, answers):
    dataset = factory()
    answer = dataset.targets["answer"]
    assert answer.shape == (len(dataset.inputs[question_key]), answers)
    assert set(np.unique(answer)) == {0.0, 1.0}
    np.testing.assert_array_equal(answer.sum(axis=1), 1.0)
    # The answer is the question's first word folded into the answer vocabulary.
    np.testing.assert_array_equal(
        answer.argmax(axis=1), dataset.inputs[question_key][:, 0] % answers
    )


def test_question_answering_data_sizes_follow_the_arguments():
    dataset = data.make_question_answering_data(
        num_samples=9,
        text_vocabulary_size=30,
        question_vocabulary_size=11,
        answer_vocabulary_size=4,
        max_length=6,
    )
    assert dataset.inputs["text"].shape == (9, 6)
    assert dataset.inputs["question"].shape == (9, 6)
    assert dataset.inputs["text"].max() < 30
    assert dataset.inputs["question"].max() < 11
    assert dataset.targets["answer"].shape == (9, 4)


def test_headline_targets_are_binary_and_follow_the_documented_rule():
    dataset = data.make_headline_data(num_samples=200)
    main, aux = dataset.targets["main_output"], dataset.targets["aux_output"]
    assert main.shape == aux.shape == (200, 1)
    assert set(np.unique(main)) == set(np.unique(aux)) == {0.0, 1.0}
    # A viral headline (aux target 1) is a main positive; so is a positive first feature.
    assert np.all(main[aux == 1.0] == 1.0)
    positive_feature = dataset.inputs["aux_input"][:, 0] > 0
    assert np.all(main[positive_feature, 0] == 1.0)


def test_social_media_targets_are_on_their_own_scales():
    dataset = data.make_social_media_data(num_samples=200, num_income_groups=4, post_length=40)
    assert dataset.inputs["posts"].shape == (200, 40)
    age = dataset.targets["age"]
    assert age.shape == (200, 1) and 5 < age.mean() < 80
    income = dataset.targets["income"]
    assert income.shape == (200, 4)
    np.testing.assert_array_equal(income.sum(axis=1), 1.0)
    assert set(np.unique(dataset.targets["gender"])) == {0.0, 1.0}


def test_sequence_pairs_with_target_one_are_noisy_copies():
    dataset = data.make_sequence_pair_data(num_samples=100, timesteps=5, features=3)
    left, right = dataset.inputs["left"], dataset.inputs["right"]
    same = dataset.targets["prediction"][:, 0] == 1.0
    assert left.shape == right.shape == (100, 5, 3)
    assert 0 < same.sum() < 100
    difference = np.abs(left - right).mean(axis=(1, 2))
    assert np.all(difference[same] < 0.2)
    assert np.all(difference[~same] > 0.5)


def test_video_data_stacks_frames():
    dataset = data.make_video_question_answering_data(
        num_samples=3, num_frames=5, image_shape=(16, 16, 1), question_length=4
    )
    assert dataset.inputs["video"].shape == (3, 5, 16, 16, 1)
    assert dataset.inputs["video_question"].shape == (3, 4)
    assert dataset.targets["answer"].shape == (3, 20)


# --- Digit pairs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sklearn_digits():
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")
    pairs = zip(images, digits.target, strict=True)
    label_of = {image.tobytes(): int(label) for image, label in pairs}
    # Every bundled image is distinct, so an image identifies its sklearn label.
    assert len(label_of) == len(images)
    return label_of


def test_digit_pairs_are_scaled_images_with_a_channel_axis():
    dataset = data.load_digit_pairs(num_pairs=50)
    for key in ("digit_a", "digit_b"):
        images = dataset.inputs[key]
        assert images.shape == (50, 8, 8, 1)
        assert images.dtype == np.float32
        assert images.min() >= 0.0 and images.max() <= 1.0
        assert images.max() == 1.0
    assert dataset.targets["same_digit"].shape == (50, 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_digit_pair_labels_are_true_and_about_half_are_same(seed, sklearn_digits):
    dataset = data.load_digit_pairs(num_pairs=400, seed=seed)
    same = dataset.targets["same_digit"][:, 0]
    assert set(np.unique(same)) == {0.0, 1.0}
    assert 0.35 <= same.mean() <= 0.65
    labels_a, labels_b = (
        np.array([sklearn_digits[image[..., 0].tobytes()] for image in dataset.inputs[key]])
        for key in ("digit_a", "digit_b")
    )
    np.testing.assert_array_equal(labels_a == labels_b, same == 1.0)
    # "Two different images of it": a same pair never shows one image twice.
    is_same = same == 1.0
    identical = np.all(dataset.inputs["digit_a"] == dataset.inputs["digit_b"], axis=(1, 2, 3))
    assert not identical[is_same].any()
    # The pairs cover many digits, not just one.
    assert len(set(labels_a)) == 10


# --- The module's promise: fit(dataset.inputs, dataset.targets) ----------------------------


@pytest.mark.parametrize(
    ("factory", "builder", "loss"),
    [
        (
            lambda: data.make_headline_data(num_samples=8),
            builders.build_headline_model,
            "binary_crossentropy",
        ),
        (
            lambda: data.make_question_answering_data(num_samples=8),
            builders.build_question_answering_model,
            "categorical_crossentropy",
        ),
    ],
    ids=["headline_two_outputs", "question_answering_one_output"],
)
def test_dataset_can_be_passed_straight_to_fit(factory, builder, loss):
    """The module docstring: `dataset.x` and `dataset.y` are what `model.fit` takes."""
    dataset = factory()
    model = builder()
    model.compile(optimizer="adam", loss=loss, run_eagerly=True)
    history = model.fit(dataset.x, dataset.y, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])


# --- Bad counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "kwargs", "argument"),
    [
        (data.make_mlp_data, dict(num_samples=0), "num_samples"),
        (data.make_mlp_data, dict(num_classes=-1), "num_classes"),
        (data.make_headline_data, dict(sequence_length=0), "sequence_length"),
        (data.make_headline_data, dict(num_samples=2.5), "num_samples"),
        (data.make_question_answering_data, dict(answer_vocabulary_size=0),
         "answer_vocabulary_size"),
        (data.make_question_answering_data, dict(max_length=True), "max_length"),
        (data.make_social_media_data, dict(post_length=0), "post_length"),
        (data.make_social_media_data, dict(num_income_groups=0), "num_income_groups"),
        (data.make_image_data, dict(num_samples=-4), "num_samples"),
        (data.make_sequence_pair_data, dict(timesteps=0), "timesteps"),
        (data.make_sequence_pair_data, dict(features="3"), "features"),
        (data.load_digit_pairs, dict(num_pairs=0), "num_pairs"),
        (data.make_visual_question_answering_data, dict(question_length=0), "question_length"),
        (data.make_visual_question_answering_data, dict(num_samples=0), "num_samples"),
        (data.make_video_question_answering_data, dict(num_frames=0), "num_frames"),
        (data.make_video_question_answering_data, dict(num_samples=0), "num_samples"),
        (data.make_video_question_answering_data, dict(vocabulary_size=0), "vocabulary_size"),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_bad_counts_raise_value_error_naming_the_argument(function, kwargs, argument):
    with pytest.raises(ValueError, match=re.escape(f"`{argument}`")):
        function(**kwargs)


@pytest.mark.parametrize(
    ("function", "argument", "vocabulary_size", "input_name"),
    [
        (data.make_social_media_data, "vocabulary_size", 3, "posts"),
        (data.make_headline_data, "vocabulary_size", 1, "main_input"),
        (data.make_question_answering_data, "question_vocabulary_size", 1, "question"),
    ],
    ids=["social_media_3", "headline_1", "question_answering_1"],
)
def test_tiny_vocabulary_gives_valid_indices_or_names_the_argument(
    function, argument, vocabulary_size, input_name
):
    """A positive vocabulary size either yields word indices inside it, or is rejected with
    a ValueError naming the argument (not NumPy's "low >= high")."""
    try:
        dataset = function(num_samples=8, **{argument: vocabulary_size})
    except ValueError as error:
        assert f"`{argument}`" in str(error)
    else:
        indices = dataset.inputs[input_name]
        assert indices.min() >= 0 and indices.max() < vocabulary_size

"""Small datasets for the course's exercises; nothing is downloaded.

Every dataset is either synthetic, made by a seeded NumPy generator with a
learnable rule so that a few epochs show the loss going down, or built from
scikit-learn's bundled 8x8 digits (`sklearn.datasets.load_digits`, which ships
inside the package). Each function returns a `Dataset(inputs, targets)` whose
inputs and targets are dicts keyed by the input and output names of the
matching builder in `keras_functional_course.builders`. `dataset.x` and
`dataset.y` are what `model.fit` takes: the dicts for a model with several
inputs or outputs, the lone array otherwise (Keras 3 refuses a dict of targets
for a model whose single output is not itself a dict).

Example:

>>> data = make_headline_data(num_samples=64)
>>> sorted(data.inputs), sorted(data.targets)
(['aux_input', 'main_input'], ['aux_output', 'main_output'])
>>> model.fit(data.x, data.y, epochs=1)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn.datasets import load_digits

__all__ = [
    "Dataset",
    "load_digit_pairs",
    "make_headline_data",
    "make_image_data",
    "make_mlp_data",
    "make_question_answering_data",
    "make_sequence_pair_data",
    "make_social_media_data",
    "make_video_question_answering_data",
    "make_visual_question_answering_data",
]


class Dataset(NamedTuple):
    """Inputs and targets keyed by the model's input and output names."""

    inputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]

    @property
    def x(self) -> dict[str, np.ndarray] | np.ndarray:
        """The inputs as `model.fit` takes them: the dict, or the lone array."""
        return _unwrap(self.inputs)

    @property
    def y(self) -> dict[str, np.ndarray] | np.ndarray:
        """The targets as `model.fit` takes them: the dict, or the lone array."""
        return _unwrap(self.targets)


def _unwrap(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray] | np.ndarray:
    return next(iter(arrays.values())) if len(arrays) == 1 else arrays


def _check_vocabulary(minimum: int = 2, **sizes: int) -> None:
    """Vocabularies keep index 0 for padding, so they need at least `minimum` words."""
    for name, value in sizes.items():
        if value < minimum:
            raise ValueError(
                f"`{name}` must be at least {minimum} (index 0 is kept for padding), but "
                f"received {value}. Pass e.g. {name}=100."
            )


def _check_count(**counts: int) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(
                f"`{name}` must be a positive integer, but received {value!r}. "
                f"Pass e.g. {name}=64."
            )


def _one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes, dtype="float32")[labels]


def make_mlp_data(
    *, num_samples: int = 256, input_dim: int = 64, num_classes: int = 10, seed: int = 0
) -> Dataset:
    """Gaussian clusters, one per class, for the MLP.

    Returns:
        `Dataset` with input "features" of shape (num_samples, input_dim) and
        one-hot target "predictions" of shape (num_samples, num_classes).
    """
    _check_count(num_samples=num_samples, input_dim=input_dim, num_classes=num_classes)
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 1.0, size=(num_classes, input_dim))
    labels = rng.integers(0, num_classes, size=num_samples)
    features = centers[labels] + rng.normal(0.0, 0.5, size=(num_samples, input_dim))
    return Dataset(
        {"features": features.astype("float32")},
        {"predictions": _one_hot(labels, num_classes)},
    )


def make_headline_data(
    *,
    num_samples: int = 256,
    vocabulary_size: int = 1000,
    sequence_length: int = 20,
    auxiliary_features: int = 5,
    seed: int = 0,
) -> Dataset:
    """Headlines and side features for `build_headline_model`.

    A headline "goes viral" when it contains more words from the top tenth of
    the vocabulary than the median headline; the main target also depends on
    the first auxiliary feature, which only the main output can see.

    Returns:
        `Dataset` with inputs "main_input" (int word indices) and "aux_input",
        and binary targets "main_output" and "aux_output", each (num_samples, 1).
    """
    _check_count(
        num_samples=num_samples,
        vocabulary_size=vocabulary_size,
        sequence_length=sequence_length,
        auxiliary_features=auxiliary_features,
    )
    _check_vocabulary(vocabulary_size=vocabulary_size)
    rng = np.random.default_rng(seed)
    headlines = rng.integers(1, vocabulary_size, size=(num_samples, sequence_length))
    hot_words = (headlines >= vocabulary_size * 0.9).sum(axis=1)
    auxiliary = rng.normal(size=(num_samples, auxiliary_features)).astype("float32")
    headline_signal = (hot_words > np.median(hot_words)).astype("float32")
    main = ((headline_signal + (auxiliary[:, 0] > 0)) >= 1).astype("float32")
    return Dataset(
        {"main_input": headlines.astype("int32"), "aux_input": auxiliary},
        {"main_output": main[:, None], "aux_output": headline_signal[:, None]},
    )


def make_question_answering_data(
    *,
    num_samples: int = 256,
    text_vocabulary_size: int = 1000,
    question_vocabulary_size: int = 1000,
    answer_vocabulary_size: int = 50,
    max_length: int = 20,
    seed: int = 0,
) -> Dataset:
    """Reference texts, questions and one-hot answers for the QA model.

    The answer is the first word of the question, folded into the answer
    vocabulary, so there is something to learn. The one-hot answers really
    contain a 1 per row (the seed's `np.random.randint(0, 1, ...)` gives all
    zeros, hence its loss of exactly 0).

    Returns:
        `Dataset` with inputs "text" and "question" (int word indices) and
        target "answer" (num_samples, answer_vocabulary_size).
    """
    _check_count(
        num_samples=num_samples,
        text_vocabulary_size=text_vocabulary_size,
        question_vocabulary_size=question_vocabulary_size,
        answer_vocabulary_size=answer_vocabulary_size,
        max_length=max_length,
    )
    _check_vocabulary(
        text_vocabulary_size=text_vocabulary_size,
        question_vocabulary_size=question_vocabulary_size,
    )
    rng = np.random.default_rng(seed)
    text = rng.integers(1, text_vocabulary_size, size=(num_samples, max_length))
    question = rng.integers(1, question_vocabulary_size, size=(num_samples, max_length))
    answers = question[:, 0] % answer_vocabulary_size
    return Dataset(
        {"text": text.astype("int32"), "question": question.astype("int32")},
        {"answer": _one_hot(answers, answer_vocabulary_size)},
    )


def make_social_media_data(
    *,
    num_samples: int = 256,
    vocabulary_size: int = 500,
    post_length: int = 64,
    num_income_groups: int = 10,
    seed: int = 0,
) -> Dataset:
    """Posts with age, income group and gender targets for the social-media model.

    Each person has a hidden profile that shifts which words they use; age,
    income and gender are read off the same profile, on very different scales
    (age in years, so its mean squared error is large next to the two
    crossentropies: the reason the seed weights the losses).

    Returns:
        `Dataset` with input "posts" (int word indices) and targets "age"
        (num_samples, 1), "income" (one-hot) and "gender" (num_samples, 1).
    """
    _check_count(
        num_samples=num_samples,
        vocabulary_size=vocabulary_size,
        post_length=post_length,
        num_income_groups=num_income_groups,
    )
    _check_vocabulary(4, vocabulary_size=vocabulary_size)
    rng = np.random.default_rng(seed)
    profile = rng.random(num_samples)
    offsets = (profile * (vocabulary_size // 2)).astype(int)
    words = rng.integers(1, vocabulary_size // 2, size=(num_samples, post_length))
    posts = offsets[:, None] + words
    age = (18 + 50 * profile + rng.normal(0, 3, num_samples)).astype("float32")
    income = np.minimum((profile * num_income_groups).astype(int), num_income_groups - 1)
    gender = (profile + rng.normal(0, 0.1, num_samples) > 0.5).astype("float32")
    return Dataset(
        {"posts": posts.astype("int32")},
        {"age": age[:, None], "income": _one_hot(income, num_income_groups),
         "gender": gender[:, None]},
    )


def make_image_data(
    *,
    num_samples: int = 64,
    image_shape: tuple[int, int, int] = (16, 16, 3),
    seed: int = 0,
    input_name: str = "image",
) -> dict[str, np.ndarray]:
    """Random images for the Inception module and residual blocks.

    Returns:
        A dict `{input_name: array of shape (num_samples, *image_shape)}`.
    """
    _check_count(num_samples=num_samples)
    rng = np.random.default_rng(seed)
    return {input_name: rng.random((num_samples, *image_shape)).astype("float32")}


def make_sequence_pair_data(
    *,
    num_samples: int = 256,
    timesteps: int = 20,
    features: int = 16,
    input_names: tuple[str, str] = ("left", "right"),
    seed: int = 0,
) -> Dataset:
    """Pairs of sequences for the tweet model and the Siamese LSTM.

    Half the pairs are two noisy copies of one sequence ("same author",
    target 1), half are two unrelated sequences (target 0).

    Returns:
        `Dataset` with the two inputs named by `input_names`, each
        (num_samples, timesteps, features), and target "prediction".
    """
    _check_count(num_samples=num_samples, timesteps=timesteps, features=features)
    rng = np.random.default_rng(seed)
    first = rng.normal(size=(num_samples, timesteps, features))
    same = rng.random(num_samples) < 0.5
    unrelated = rng.normal(size=(num_samples, timesteps, features))
    second = np.where(
        same[:, None, None], first + rng.normal(0, 0.1, first.shape), unrelated
    )
    return Dataset(
        {input_names[0]: first.astype("float32"), input_names[1]: second.astype("float32")},
        {"prediction": same.astype("float32")[:, None]},
    )


def load_digit_pairs(*, num_pairs: int = 1000, seed: int = 0) -> Dataset:
    """Pairs of scikit-learn's bundled 8x8 digits: are they the same digit?

    Half the pairs show the same digit (two different images of it), half
    show two different digits. Pixels are scaled to [0, 1] and given a
    channel axis.

    Args:
        num_pairs: how many pairs.
        seed: seed of the pairing.

    Returns:
        `Dataset` with inputs "digit_a" and "digit_b", each
        (num_pairs, 8, 8, 1), and target "same_digit" (num_pairs, 1).
    """
    _check_count(num_pairs=num_pairs)
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., None]
    labels = digits.target
    rng = np.random.default_rng(seed)
    by_label = {label: np.flatnonzero(labels == label) for label in range(10)}
    first = rng.integers(0, len(labels), size=num_pairs)
    same = rng.random(num_pairs) < 0.5
    second = np.empty(num_pairs, dtype=int)
    for pair, index in enumerate(first):
        label = labels[index]
        if same[pair]:
            candidates = by_label[label][by_label[label] != index]
        else:
            other = (label + rng.integers(1, 10)) % 10
            candidates = by_label[other]
        second[pair] = rng.choice(candidates)
    return Dataset(
        {"digit_a": images[first], "digit_b": images[second]},
        {"same_digit": same.astype("float32")[:, None]},
    )


def make_visual_question_answering_data(
    *,
    num_samples: int = 64,
    image_shape: tuple[int, int, int] = (16, 16, 3),
    vocabulary_size: int = 200,
    question_length: int = 10,
    answer_vocabulary_size: int = 20,
    seed: int = 0,
) -> Dataset:
    """Images, questions and one-hot answers for the VQA model.

    Returns:
        `Dataset` with inputs "image" and "question" and target "answer".
    """
    _check_count(
        num_samples=num_samples,
        vocabulary_size=vocabulary_size,
        question_length=question_length,
        answer_vocabulary_size=answer_vocabulary_size,
    )
    _check_vocabulary(vocabulary_size=vocabulary_size)
    rng = np.random.default_rng(seed)
    images = rng.random((num_samples, *image_shape)).astype("float32")
    questions = rng.integers(1, vocabulary_size, size=(num_samples, question_length))
    answers = questions[:, 0] % answer_vocabulary_size
    return Dataset(
        {"image": images, "question": questions.astype("int32")},
        {"answer": _one_hot(answers, answer_vocabulary_size)},
    )


def make_video_question_answering_data(
    *,
    num_samples: int = 32,
    num_frames: int = 4,
    image_shape: tuple[int, int, int] = (16, 16, 3),
    vocabulary_size: int = 200,
    question_length: int = 10,
    answer_vocabulary_size: int = 20,
    seed: int = 0,
) -> Dataset:
    """Videos, questions and one-hot answers for the video QA model.

    Returns:
        `Dataset` with inputs "video" (num_samples, num_frames, *image_shape)
        and "video_question", and target "answer".
    """
    _check_count(num_samples=num_samples, num_frames=num_frames)
    still = make_visual_question_answering_data(
        num_samples=num_samples * num_frames,
        image_shape=image_shape,
        vocabulary_size=vocabulary_size,
        question_length=question_length,
        answer_vocabulary_size=answer_vocabulary_size,
        seed=seed,
    )
    videos = still.inputs["image"].reshape(num_samples, num_frames, *image_shape)
    questions = still.inputs["question"][::num_frames]
    return Dataset(
        {"video": videos, "video_question": questions},
        {"answer": still.targets["answer"][::num_frames]},
    )

"""Model builders for every architecture the course teaches.

Each builder returns an uncompiled `keras.Model` with named inputs, outputs
and key layers, so that exercises and checks can find them without relying on
auto-generated names. Sizes are keyword-only arguments. The defaults are small
enough to build and train a few steps on a laptop CPU in seconds; the seed
tutorials' sizes are given in each docstring, and with them the builders
reproduce the seeds' printed parameter totals:

- `build_sequential_mlp(input_dim=64, hidden_units=(32, 32), num_classes=10)`:
  3,466 parameters;
- `build_question_answering_model(text_vocabulary_size=10_000,
  question_vocabulary_size=10_000, answer_vocabulary_size=500,
  text_embedding_dim=64, question_embedding_dim=32, text_lstm_units=32,
  question_lstm_units=16)`: 1,000,052 parameters;
- `build_siamese_lstm(features=128, lstm_units=32)`: 20,673 parameters.

Models are built in the functional style the course teaches (a layer instance
is called on a tensor and returns a tensor), except `build_sequential_mlp`
and `build_vqa_vision_model`, which show the Sequential style.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import layers

__all__ = [
    "build_digit_pair_classifier",
    "build_functional_mlp",
    "build_headline_model",
    "build_inception_module",
    "build_question_answering_model",
    "build_residual_block",
    "build_sequential_mlp",
    "build_shared_lstm_tweet_model",
    "build_siamese_lstm",
    "build_social_media_model",
    "build_video_question_answering_model",
    "build_vision_model",
    "build_visual_question_answering_model",
    "build_vqa_vision_model",
    "question_encoder_of",
]


def _check_positive(**sizes: Any) -> None:
    """Raises ValueError naming the first size that is not a positive int."""
    for name, value in sizes.items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if isinstance(value, (tuple, list)) and not values:
            raise ValueError(
                f"`{name}` must be a non-empty sequence of positive integers, but received "
                f"{value!r}. Give at least one size, e.g. {name}=(32,)."
            )
        kind = "a sequence of positive integers" if values is value else "a positive integer"
        for item in values:
            if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
                raise ValueError(
                    f"`{name}` must be {kind}, but received {value!r}. "
                    f"Pass sizes such as {name}={(8,) if values is value else 8}."
                )


def _check_shape(name: str, shape: Any, rank: int) -> tuple:
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else shape
    if (
        not isinstance(shape, tuple)
        or len(shape) != rank
        or any(isinstance(d, bool) or not isinstance(d, int) or d <= 0 for d in shape)
    ):
        raise ValueError(
            f"`{name}` must be a tuple of {rank} positive integers without the batch "
            f"dimension, but received {shape!r}. For example {name}=(32, 32, 3) for "
            "channels-last RGB images."
        )
    return shape


def _dense_stack(x: Any, hidden_units: Sequence[int], prefix: str) -> Any:
    for number, units in enumerate(hidden_units, start=1):
        x = layers.Dense(units, activation="relu", name=f"{prefix}_{number}")(x)
    return x


def build_sequential_mlp(
    *, input_dim: int = 64, hidden_units: Sequence[int] = (32, 32), num_classes: int = 10
) -> keras.Sequential:
    """Builds a softmax multilayer perceptron with `keras.Sequential`.

    Layers are stacked in a list: an `Input`, one ReLU `Dense` per entry of
    `hidden_units`, and a softmax `Dense` classifier. The seed's 64-32-32-10
    MLP is the default and has 3,466 parameters, the same as
    `build_functional_mlp` with the same sizes.

    Args:
        input_dim: features per sample.
        hidden_units: units of each hidden layer.
        num_classes: units of the softmax output.

    Returns:
        An uncompiled `keras.Sequential` named "sequential_mlp" whose layers are
        named "hidden_1", "hidden_2", ... and "predictions".

    Example:

    >>> build_sequential_mlp().count_params()
    3466
    """
    _check_positive(input_dim=input_dim, hidden_units=hidden_units, num_classes=num_classes)
    model = keras.Sequential(name="sequential_mlp")
    model.add(keras.Input(shape=(input_dim,), name="features"))
    for number, units in enumerate(hidden_units, start=1):
        model.add(layers.Dense(units, activation="relu", name=f"hidden_{number}"))
    model.add(layers.Dense(num_classes, activation="softmax", name="predictions"))
    return model


def build_functional_mlp(
    *, input_dim: int = 64, hidden_units: Sequence[int] = (32, 32), num_classes: int = 10
) -> keras.Model:
    """Builds the functional twin of `build_sequential_mlp`.

    Each layer instance is called on the previous tensor and returns a new
    one; `keras.Model(inputs, outputs)` then collects every layer between them.
    Same sizes, same parameter count as the Sequential version.

    Args:
        input_dim: features per sample.
        hidden_units: units of each hidden layer.
        num_classes: units of the softmax output.

    Returns:
        An uncompiled `keras.Model` named "functional_mlp" with input "features"
        and output layer "predictions".
    """
    _check_positive(input_dim=input_dim, hidden_units=hidden_units, num_classes=num_classes)
    inputs = keras.Input(shape=(input_dim,), name="features")
    x = _dense_stack(inputs, hidden_units, "hidden")
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="functional_mlp")


def build_headline_model(
    *,
    vocabulary_size: int = 1000,
    sequence_length: int = 20,
    embedding_dim: int = 16,
    lstm_units: int = 8,
    auxiliary_features: int = 5,
    dense_units: int = 16,
    dense_layers: int = 3,
) -> keras.Model:
    """Builds the headline model: two inputs, a main and an auxiliary output.

    The headline (a sequence of word indices) is embedded and encoded by an
    LSTM. An auxiliary output reads the LSTM directly, so the LSTM and the
    embedding get a training signal early; the LSTM's vector is then
    concatenated with the auxiliary input (e.g. the time of posting) and a
    stack of Dense layers feeds the main output. The seed compiles it with
    `loss_weights=[1., 0.2]`. Seed sizes: vocabulary 10,000, length 100,
    embedding 512, LSTM 32, 5 auxiliary features, 3 Dense layers of 64.

    Args:
        vocabulary_size: number of distinct word indices.
        sequence_length: words per headline.
        embedding_dim: size of each word vector.
        lstm_units: size of the LSTM's encoding.
        auxiliary_features: features in the auxiliary input.
        dense_units: units of each Dense layer on top.
        dense_layers: how many Dense layers on top.

    Returns:
        An uncompiled `keras.Model` named "headline_model" with inputs
        "main_input" and "aux_input", outputs "main_output" and "aux_output",
        and key layers "embedding", "lstm" and "merge".
    """
    _check_positive(
        vocabulary_size=vocabulary_size,
        sequence_length=sequence_length,
        embedding_dim=embedding_dim,
        lstm_units=lstm_units,
        auxiliary_features=auxiliary_features,
        dense_units=dense_units,
        dense_layers=dense_layers,
    )
    main_input = keras.Input(shape=(sequence_length,), dtype="int32", name="main_input")
    x = layers.Embedding(vocabulary_size, embedding_dim, name="embedding")(main_input)
    lstm_out = layers.LSTM(lstm_units, name="lstm")(x)
    auxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    auxiliary_input = keras.Input(shape=(auxiliary_features,), name="aux_input")
    x = layers.concatenate([lstm_out, auxiliary_input], name="merge")
    x = _dense_stack(x, [dense_units] * dense_layers, "dense")
    main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
    return keras.Model(
        inputs=[main_input, auxiliary_input],
        outputs=[main_output, auxiliary_output],
        name="headline_model",
    )


def build_question_answering_model(
    *,
    text_vocabulary_size: int = 1000,
    question_vocabulary_size: int = 1000,
    answer_vocabulary_size: int = 50,
    text_embedding_dim: int = 16,
    question_embedding_dim: int = 8,
    text_lstm_units: int = 16,
    question_lstm_units: int = 8,
) -> keras.Model:
    """Builds the two-input question-answering model of *Deep Learning with Python*.

    A reference text and a question (sequences of word indices of any length)
    are each embedded and encoded into a vector by their own LSTM; the two
    vectors are concatenated and a softmax picks a one-word answer. Seed
    sizes (1,000,052 parameters): vocabularies 10,000 and 10,000, 500
    answers, embeddings 64 and 32, LSTMs 32 and 16.

    Args:
        text_vocabulary_size: word indices in the reference text.
        question_vocabulary_size: word indices in the question.
        answer_vocabulary_size: possible one-word answers.
        text_embedding_dim: size of each text word vector.
        question_embedding_dim: size of each question word vector.
        text_lstm_units: size of the text's encoding.
        question_lstm_units: size of the question's encoding.

    Returns:
        An uncompiled `keras.Model` named "question_answering" with inputs
        "text" and "question", output "answer", and key layers
        "text_embedding", "text_lstm", "question_embedding", "question_lstm"
        and "merge".
    """
    _check_positive(
        text_vocabulary_size=text_vocabulary_size,
        question_vocabulary_size=question_vocabulary_size,
        answer_vocabulary_size=answer_vocabulary_size,
        text_embedding_dim=text_embedding_dim,
        question_embedding_dim=question_embedding_dim,
        text_lstm_units=text_lstm_units,
        question_lstm_units=question_lstm_units,
    )
    text_input = keras.Input(shape=(None,), dtype="int32", name="text")
    embedded_text = layers.Embedding(
        text_vocabulary_size, text_embedding_dim, name="text_embedding"
    )(text_input)
    encoded_text = layers.LSTM(text_lstm_units, name="text_lstm")(embedded_text)
    question_input = keras.Input(shape=(None,), dtype="int32", name="question")
    embedded_question = layers.Embedding(
        question_vocabulary_size, question_embedding_dim, name="question_embedding"
    )(question_input)
    encoded_question = layers.LSTM(question_lstm_units, name="question_lstm")(embedded_question)
    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1, name="merge")
    answer = layers.Dense(answer_vocabulary_size, activation="softmax", name="answer")(
        concatenated
    )
    return keras.Model([text_input, question_input], answer, name="question_answering")


def build_social_media_model(
    *,
    vocabulary_size: int = 500,
    embedding_dim: int = 16,
    num_income_groups: int = 10,
    filters: Sequence[int] = (16, 32),
    kernel_size: int = 3,
    pool_size: int = 2,
    dense_units: int = 32,
) -> keras.Model:
    """Builds the social-media model: one input, three heads.

    A person's posts (word indices) go through an embedding and a 1D convnet
    (Conv1D, MaxPooling1D, two Conv1D, MaxPooling1D, two Conv1D, global max
    pooling, Dense); three heads then predict age (regression), income group
    (softmax) and gender (sigmoid). The seed compiles it with losses mse,
    categorical crossentropy and binary crossentropy and
    `loss_weights=[0.25, 1., 10.]`.

    Seed sizes: vocabulary 50,000, 10 income groups, filters 128 then 256,
    kernel and pool size 5, Dense 128. The seed writes
    `Embedding(256, vocabulary_size)` with its two dimensions swapped; this
    builder embeds `vocabulary_size` words into `embedding_dim` dimensions as
    intended. Posts must be long enough to survive the pooling: with the
    defaults, at least 31 words.

    Args:
        vocabulary_size: number of distinct word indices.
        embedding_dim: size of each word vector.
        num_income_groups: classes of the income head.
        filters: filters of the first Conv1D and of the four after it.
        kernel_size: Conv1D kernel size.
        pool_size: MaxPooling1D pool size.
        dense_units: units of the Dense layer before the heads.

    Returns:
        An uncompiled `keras.Model` named "social_media" with input "posts" and
        outputs "age", "income" and "gender".
    """
    _check_positive(
        vocabulary_size=vocabulary_size,
        embedding_dim=embedding_dim,
        num_income_groups=num_income_groups,
        filters=filters,
        kernel_size=kernel_size,
        pool_size=pool_size,
        dense_units=dense_units,
    )
    if len(filters) != 2:
        raise ValueError(
            f"`filters` must give two sizes (the first Conv1D, then the other four), but "
            f"received {filters!r}. Pass e.g. filters=(16, 32)."
        )
    first_filters, filters_after = filters
    posts_input = keras.Input(shape=(None,), dtype="int32", name="posts")
    x = layers.Embedding(vocabulary_size, embedding_dim, name="embedding")(posts_input)
    x = layers.Conv1D(first_filters, kernel_size, activation="relu")(x)
    x = layers.MaxPooling1D(pool_size)(x)
    x = layers.Conv1D(filters_after, kernel_size, activation="relu")(x)
    x = layers.Conv1D(filters_after, kernel_size, activation="relu")(x)
    x = layers.MaxPooling1D(pool_size)(x)
    x = layers.Conv1D(filters_after, kernel_size, activation="relu")(x)
    x = layers.Conv1D(filters_after, kernel_size, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(dense_units, activation="relu", name="features")(x)
    age = layers.Dense(1, name="age")(x)
    income = layers.Dense(num_income_groups, activation="softmax", name="income")(x)
    gender = layers.Dense(1, activation="sigmoid", name="gender")(x)
    return keras.Model(posts_input, [age, income, gender], name="social_media")


def build_inception_module(
    *, input_shape: Sequence[int] = (16, 16, 3), filters: int = 8
) -> keras.Model:
    """Builds an Inception module: three parallel towers, concatenated on channels.

    Tower 1 is a 1x1 then a 3x3 convolution, tower 2 a 1x1 then a 5x5, tower 3
    a 3x3 max pooling then a 1x1 convolution; all keep the image size
    (`padding="same"`, stride 1), so their outputs can be concatenated along
    the channel axis (the last axis, channels-last). The seed concatenates
    with `axis=1`, which stacks the towers along the image height instead.
    Seed sizes: 256x256x3 images, 64 filters.

    Args:
        input_shape: (height, width, channels) of the input images.
        filters: filters of every convolution; the output has
            `3 * filters` channels.

    Returns:
        An uncompiled `keras.Model` named "inception_module" with input
        "image", towers whose last layers are "tower_1", "tower_2" and
        "tower_3", and output layer "towers_concatenated".
    """
    input_shape = _check_shape("input_shape", input_shape, 3)
    _check_positive(filters=filters)
    image = keras.Input(shape=input_shape, name="image")
    tower_1 = layers.Conv2D(filters, (1, 1), padding="same", activation="relu")(image)
    tower_1 = layers.Conv2D(
        filters, (3, 3), padding="same", activation="relu", name="tower_1"
    )(tower_1)
    tower_2 = layers.Conv2D(filters, (1, 1), padding="same", activation="relu")(image)
    tower_2 = layers.Conv2D(
        filters, (5, 5), padding="same", activation="relu", name="tower_2"
    )(tower_2)
    tower_3 = layers.MaxPooling2D((3, 3), strides=(1, 1), padding="same")(image)
    tower_3 = layers.Conv2D(
        filters, (1, 1), padding="same", activation="relu", name="tower_3"
    )(tower_3)
    output = layers.concatenate([tower_1, tower_2, tower_3], axis=-1, name="towers_concatenated")
    return keras.Model(image, output, name="inception_module")


def build_residual_block(
    *,
    input_shape: Sequence[int] = (16, 16, 8),
    filters: int = 8,
    shortcut: str = "identity",
) -> keras.Model:
    """Builds a residual block: a convolutional path added back to its input.

    With `shortcut="identity"` two 3x3 convolutions keep the input's shape, so
    the block input is added to their output as it is (`filters` must equal
    the input channels). With `shortcut="projection"` the path also halves the
    image with a max pooling and may change the channels, so the shortcut is a
    1x1 convolution with stride 2 that projects the input to the path's shape
    before the addition (*Deep Learning with Python*, 128 filters). Both halve
    with `padding="same"`, so odd sizes round up on both sides.

    Args:
        input_shape: (height, width, channels) of the input feature map.
        filters: filters of each convolution.
        shortcut: "identity" or "projection".

    Returns:
        An uncompiled `keras.Model` named "residual_block_identity" or
        "residual_block_projection", with input "block_input", path layers
        "conv_1" and "conv_2" (and "pool" for projection), a "projection"
        layer for the projection shortcut, and output layer "residual_add".
    """
    input_shape = _check_shape("input_shape", input_shape, 3)
    _check_positive(filters=filters)
    if shortcut not in ("identity", "projection"):
        raise ValueError(
            f"`shortcut` must be 'identity' or 'projection', but received {shortcut!r}."
        )
    if shortcut == "identity" and filters != input_shape[-1]:
        raise ValueError(
            f"`filters` must equal the input channels ({input_shape[-1]}) for an identity "
            f"shortcut, but received filters={filters}. Pass filters={input_shape[-1]}, or "
            "use shortcut='projection' to change the number of channels."
        )
    block_input = keras.Input(shape=input_shape, name="block_input")
    y = layers.Conv2D(filters, 3, padding="same", activation="relu", name="conv_1")(block_input)
    if shortcut == "identity":
        y = layers.Conv2D(filters, 3, padding="same", name="conv_2")(y)
        residual = block_input
    else:
        y = layers.Conv2D(filters, 3, padding="same", activation="relu", name="conv_2")(y)
        y = layers.MaxPooling2D(2, strides=2, padding="same", name="pool")(y)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same", name="projection")(
            block_input
        )
    output = layers.add([y, residual], name="residual_add")
    return keras.Model(block_input, output, name=f"residual_block_{shortcut}")


def _shared_lstm_pair(
    shape: tuple, lstm_units: int, input_names: tuple[str, str], name: str
) -> keras.Model:
    """Two sequence inputs encoded by one LSTM instance, then a sigmoid."""
    first = keras.Input(shape=shape, name=input_names[0])
    second = keras.Input(shape=shape, name=input_names[1])
    shared_lstm = layers.LSTM(lstm_units, name="shared_lstm")
    encoded_first = shared_lstm(first)
    encoded_second = shared_lstm(second)
    merged = layers.concatenate([encoded_first, encoded_second], axis=-1, name="merge")
    prediction = layers.Dense(1, activation="sigmoid", name="prediction")(merged)
    return keras.Model([first, second], prediction, name=name)


def build_shared_lstm_tweet_model(
    *, timesteps: int = 20, characters: int = 16, lstm_units: int = 8
) -> keras.Model:
    """Builds the tweet model: do two tweets come from the same person?

    Each tweet is a (timesteps, characters) one-hot matrix. The problem is
    symmetric, so one LSTM instance, `shared_lstm`, encodes both tweets: it
    is called twice and has two nodes, and its weights serve both branches.
    Seed sizes: 280 characters per tweet, 256 possible characters, LSTM 64.

    Args:
        timesteps: characters per tweet.
        characters: size of the one-hot character vectors.
        lstm_units: size of each tweet's encoding.

    Returns:
        An uncompiled `keras.Model` named "tweet_model" with inputs "tweet_a"
        and "tweet_b", layers "shared_lstm" and "merge", and output
        "prediction".
    """
    _check_positive(timesteps=timesteps, characters=characters, lstm_units=lstm_units)
    return _shared_lstm_pair(
        (timesteps, characters), lstm_units, ("tweet_a", "tweet_b"), "tweet_model"
    )


def build_siamese_lstm(*, features: int = 16, lstm_units: int = 8) -> keras.Model:
    """Builds the Siamese LSTM that scores how similar two sentences are.

    Like the tweet model, with sequences of any length: one LSTM instance
    encodes both sentences, so the similarity of A to B is learnt with the
    same weights as that of B to A. Seed sizes (20,673 parameters): 128
    features per step, LSTM 32.

    Args:
        features: size of each step's vector.
        lstm_units: size of each sentence's encoding.

    Returns:
        An uncompiled `keras.Model` named "siamese_lstm" with inputs "left" and
        "right", layers "shared_lstm" and "merge", and output "prediction".
    """
    _check_positive(features=features, lstm_units=lstm_units)
    return _shared_lstm_pair((None, features), lstm_units, ("left", "right"), "siamese_lstm")


def build_vision_model(
    *, input_shape: Sequence[int] = (8, 8, 1), filters: int = 16
) -> keras.Model:
    """Builds the shared vision model that encodes one digit image.

    Two 3x3 convolutions, a 2x2 max pooling and a flatten, as a functional
    model so that it can be called like a layer on each digit of a pair.
    Seed sizes: 27x27x1 digits, 64 filters. The default fits scikit-learn's
    bundled 8x8 digits.

    Args:
        input_shape: (height, width, channels) of a digit image.
        filters: filters of each convolution.

    Returns:
        An uncompiled `keras.Model` named "vision_model" with input
        "digit_input".
    """
    input_shape = _check_shape("input_shape", input_shape, 3)
    _check_positive(filters=filters)
    if min(input_shape[:2]) < 6:
        raise ValueError(
            f"`input_shape` must be at least 6x6 for two 3x3 convolutions and a 2x2 pooling, "
            f"but received {input_shape!r}."
        )
    digit_input = keras.Input(shape=input_shape, name="digit_input")
    x = layers.Conv2D(filters, (3, 3), activation="relu", name="conv_1")(digit_input)
    x = layers.Conv2D(filters, (3, 3), activation="relu", name="conv_2")(x)
    x = layers.MaxPooling2D((2, 2), name="pool")(x)
    features = layers.Flatten(name="flatten")(x)
    return keras.Model(digit_input, features, name="vision_model")


def build_digit_pair_classifier(
    *, vision_model: keras.Model | None = None, input_shape: Sequence[int] = (8, 8, 1),
    filters: int = 16,
) -> keras.Model:
    """Builds the classifier that tells whether two digits are the same.

    The vision model is shared, weights and all: it is called like a layer on
    each digit, so it has two nodes in this model. The two encodings are
    concatenated and a sigmoid says "same digit" or not.

    Args:
        vision_model: the model that encodes one digit; by default a new
            `build_vision_model(input_shape=input_shape, filters=filters)`.
        input_shape: (height, width, channels) of each digit, used when
            `vision_model` is None.
        filters: filters of the default vision model.

    Returns:
        An uncompiled `keras.Model` named "digit_pair_classifier" with inputs
        "digit_a" and "digit_b", the shared layer "vision_model" and output
        "same_digit".
    """
    if vision_model is None:
        vision_model = build_vision_model(input_shape=input_shape, filters=filters)
    elif not isinstance(vision_model, keras.Model):
        raise ValueError(
            "`vision_model` must be a keras.Model that encodes one image, but received a "
            f"{type(vision_model).__name__}. Build one with build_vision_model()."
        )
    shape = tuple(vision_model.inputs[0].shape[1:])
    digit_a = keras.Input(shape=shape, name="digit_a")
    digit_b = keras.Input(shape=shape, name="digit_b")
    encoded_a = vision_model(digit_a)
    encoded_b = vision_model(digit_b)
    concatenated = layers.concatenate([encoded_a, encoded_b], name="merge")
    same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(concatenated)
    return keras.Model([digit_a, digit_b], same_digit, name="digit_pair_classifier")


def build_vqa_vision_model(
    *, image_shape: Sequence[int] = (16, 16, 3), filters: Sequence[int] = (8, 16, 32)
) -> keras.Sequential:
    """Builds the VGG-like Sequential vision model of visual question answering.

    Three blocks of 3x3 convolutions (2, 2 and 3 of them) each followed by a
    2x2 max pooling, then a flatten: an image becomes one vector. Seed sizes:
    224x224x3 images, filters 64, 128, 256.

    Args:
        image_shape: (height, width, channels) of an image; height and width
            must be at least 16.
        filters: filters of the three blocks.

    Returns:
        An uncompiled `keras.Sequential` named "vision_model".
    """
    image_shape = _check_shape("image_shape", image_shape, 3)
    _check_positive(filters=filters)
    if len(filters) != 3:
        raise ValueError(
            f"`filters` must give three sizes, one per block, but received {filters!r}. "
            "Pass e.g. filters=(8, 16, 32)."
        )
    if min(image_shape[:2]) < 16:
        raise ValueError(
            f"`image_shape` must be at least 16x16 for three convolution blocks, but "
            f"received {image_shape!r}."
        )
    first, second, third = filters
    return keras.Sequential(
        [
            keras.Input(shape=image_shape),
            layers.Conv2D(first, (3, 3), activation="relu", padding="same"),
            layers.Conv2D(first, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(second, (3, 3), activation="relu", padding="same"),
            layers.Conv2D(second, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(third, (3, 3), activation="relu", padding="same"),
            layers.Conv2D(third, (3, 3), activation="relu", padding="same"),
            layers.Conv2D(third, (3, 3), activation="relu", padding="same"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
        ],
        name="vision_model",
    )


def build_visual_question_answering_model(
    *,
    image_shape: Sequence[int] = (16, 16, 3),
    vision_filters: Sequence[int] = (8, 16, 32),
    vocabulary_size: int = 200,
    question_length: int = 10,
    embedding_dim: int = 16,
    lstm_units: int = 16,
    answer_vocabulary_size: int = 20,
) -> keras.Model:
    """Builds the visual question-answering model.

    A Sequential vision model encodes the image into a vector, an embedding
    and an LSTM encode the question into another; the two are concatenated
    and a softmax picks a one-word answer. Seed sizes: 224x224x3 images,
    filters 64/128/256, vocabulary 10,000, questions of 100 words,
    embedding 256, LSTM 256, 1,000 answers.

    Args:
        image_shape: (height, width, channels) of an image.
        vision_filters: filters of the vision model's three blocks.
        vocabulary_size: word indices in the question.
        question_length: words per question.
        embedding_dim: size of each question word vector.
        lstm_units: size of the question's encoding.
        answer_vocabulary_size: possible one-word answers.

    Returns:
        An uncompiled `keras.Model` named "vqa_model" with inputs "image" and
        "question", the nested Sequential "vision_model", layers
        "question_embedding" and "question_lstm", and output "answer".
        `question_encoder_of(model)` extracts the question branch as a model.
    """
    _check_positive(
        vocabulary_size=vocabulary_size,
        question_length=question_length,
        embedding_dim=embedding_dim,
        lstm_units=lstm_units,
        answer_vocabulary_size=answer_vocabulary_size,
    )
    vision_model = build_vqa_vision_model(image_shape=image_shape, filters=vision_filters)
    image_input = keras.Input(shape=tuple(image_shape), name="image")
    encoded_image = vision_model(image_input)
    question_input = keras.Input(shape=(question_length,), dtype="int32", name="question")
    embedded_question = layers.Embedding(
        vocabulary_size, embedding_dim, name="question_embedding"
    )(question_input)
    encoded_question = layers.LSTM(lstm_units, name="question_lstm")(embedded_question)
    merged = layers.concatenate([encoded_question, encoded_image], name="merge")
    answer = layers.Dense(answer_vocabulary_size, activation="softmax", name="answer")(merged)
    return keras.Model([image_input, question_input], answer, name="vqa_model")


def question_encoder_of(vqa_model: keras.Model) -> keras.Model:
    """Returns the question branch of a VQA model as a model of its own.

    The new model runs from the "question" input to the output of the
    "question_lstm" layer. It reuses the same layer instances, hence the same
    weights: training one trains the other.

    Args:
        vqa_model: a model from `build_visual_question_answering_model`.

    Returns:
        A `keras.Model` named "question_encoder".

    Raises:
        ValueError: if `vqa_model` has no "question" input or no
            "question_lstm" layer.
    """
    try:
        question_input = vqa_model.get_layer("question").output
        encoded_question = vqa_model.get_layer("question_lstm").output
    except ValueError as error:
        raise ValueError(
            "`vqa_model` must have a 'question' input and a 'question_lstm' layer, as "
            f"build_visual_question_answering_model() makes; {vqa_model.name!r} does not "
            f"({error})."
        ) from None
    return keras.Model(question_input, encoded_question, name="question_encoder")


def build_video_question_answering_model(
    *,
    vqa_model: keras.Model | None = None,
    num_frames: int = 4,
    video_lstm_units: int = 16,
    answer_vocabulary_size: int | None = None,
) -> keras.Model:
    """Builds the video question-answering model on top of a VQA model.

    The VQA model's vision model, wrapped in `TimeDistributed`, encodes every
    frame of a video; an LSTM turns the frame vectors into one video vector.
    The VQA model's question branch, extracted as a model
    (`question_encoder_of`), is called like a layer on the new question input,
    reusing its weights. Seed sizes: 100 frames, LSTM 256, 1,000 answers.

    Args:
        vqa_model: a model from `build_visual_question_answering_model`; by
            default a new one with its default sizes.
        num_frames: frames per video.
        video_lstm_units: size of the video's encoding.
        answer_vocabulary_size: possible answers; by default the VQA model's.

    Returns:
        An uncompiled `keras.Model` named "video_qa_model" with inputs "video"
        and "video_question", layers "frame_encoder" (the `TimeDistributed`
        vision model), "video_lstm" and "question_encoder", and output
        "answer".
    """
    if vqa_model is None:
        vqa_model = build_visual_question_answering_model()
    if answer_vocabulary_size is None:
        answer_vocabulary_size = vqa_model.get_layer("answer").units
    _check_positive(
        num_frames=num_frames,
        video_lstm_units=video_lstm_units,
        answer_vocabulary_size=answer_vocabulary_size,
    )
    vision_model = vqa_model.get_layer("vision_model")
    question_encoder = question_encoder_of(vqa_model)
    image_shape = tuple(vqa_model.get_layer("image").output.shape[1:])
    question_shape = tuple(vqa_model.get_layer("question").output.shape[1:])
    video_input = keras.Input(shape=(num_frames, *image_shape), name="video")
    encoded_frames = layers.TimeDistributed(vision_model, name="frame_encoder")(video_input)
    encoded_video = layers.LSTM(video_lstm_units, name="video_lstm")(encoded_frames)
    video_question_input = keras.Input(
        shape=question_shape, dtype="int32", name="video_question"
    )
    encoded_video_question = question_encoder(video_question_input)
    merged = layers.concatenate([encoded_video, encoded_video_question], name="merge")
    answer = layers.Dense(answer_vocabulary_size, activation="softmax", name="answer")(merged)
    return keras.Model([video_input, video_question_input], answer, name="video_qa_model")

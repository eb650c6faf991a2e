"""Benchmark: every builder's default model builds and trains a few steps in seconds on a CPU.

Run with `python benchmarks/builders.py`. For each builder it prints the time to build the
model and to compile and train three batches of 16 samples on its matching dataset, and
exits non-zero if any model takes longer than the target (default 10 s, `--target`).
This is a measurement for maintainers, not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time

import keras
import numpy as np

from keras_functional_course import builders, data

BATCH = 16


def _cases():
    images = {"input_shape": (16, 16, 8)}
    categorical = "categorical_crossentropy"
    return [
        ("sequential_mlp", builders.build_sequential_mlp, data.make_mlp_data, categorical),
        ("functional_mlp", builders.build_functional_mlp, data.make_mlp_data, categorical),
        ("headline", builders.build_headline_model, data.make_headline_data, "binary_crossentropy"),
        ("question_answering", builders.build_question_answering_model,
         data.make_question_answering_data, "categorical_crossentropy"),
        ("social_media", builders.build_social_media_model, data.make_social_media_data,
         ["mse", "categorical_crossentropy", "binary_crossentropy"]),
        ("tweet", builders.build_shared_lstm_tweet_model,
         lambda **k: data.make_sequence_pair_data(input_names=("tweet_a", "tweet_b"), **k),
         "binary_crossentropy"),
        ("siamese_lstm", builders.build_siamese_lstm, data.make_sequence_pair_data,
         "binary_crossentropy"),
        ("digit_pairs", builders.build_digit_pair_classifier,
         lambda num_samples: data.load_digit_pairs(num_pairs=num_samples), "binary_crossentropy"),
        ("vqa", builders.build_visual_question_answering_model,
         data.make_visual_question_answering_data, "categorical_crossentropy"),
        ("video_qa", builders.build_video_question_answering_model,
         data.make_video_question_answering_data, "categorical_crossentropy"),
        ("inception", builders.build_inception_module,
         lambda num_samples: data.Dataset(
             data.make_image_data(num_samples=num_samples),
             {"towers_concatenated": np.zeros((num_samples, 16, 16, 24), "float32")}), "mse"),
        ("residual_identity", lambda: builders.build_residual_block(**images),
         lambda num_samples: data.Dataset(
             data.make_image_data(num_samples=num_samples, image_shape=(16, 16, 8),
                                  input_name="block_input"),
             {"residual_add": np.zeros((num_samples, 16, 16, 8), "float32")}), "mse"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=10.0, help="seconds allowed per model")
    arguments = parser.parse_args()
    slow = []
    print(f"{'model':<20} {'params':>8} {'build s':>8} {'train s':>8}")
    for name, build, make_data, loss in _cases():
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        start = time.perf_counter()
        model = build()
        built = time.perf_counter()
        dataset = make_data(num_samples=3 * BATCH)
        model.compile(optimizer="adam", loss=loss)
        model.fit(dataset.x, dataset.y, batch_size=BATCH, epochs=1, verbose=0)
        trained = time.perf_counter()
        params = model.count_params()
        print(f"{name:<20} {params:>8,} {built - start:>8.2f} {trained - built:>8.2f}")
        if trained - start > arguments.target:
            slow.append(name)
    if slow:
        print(f"over the {arguments.target:g} s target: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared fixtures: every test starts from a fresh, seeded Keras session."""

# ruff: noqa: I001 - keras_functional_course is imported first on purpose.

import keras_functional_course  # noqa: F401 - first: starts TensorFlow quietly

import keras
import pytest


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    """Clears Keras's global state and seeds every generator before each test.

    `free_memory=False` skips a full garbage collection, which costs about 0.1 s a
    test once TensorFlow is loaded.
    """
    keras.utils.clear_session(free_memory=False)
    keras.utils.set_random_seed(0)

"""What every failing check's message must be, for the checks' tests."""

import re

import pytest

AUTO_NAME = re.compile(
    r"\b(dense|conv2d|lstm|concatenate|add|activation|input_layer|functional)_\d+\b")
"""A layer name Keras made up: no message may show one."""


def failure(check, *args, **kwargs) -> str:
    """Runs a check that must fail; returns its message after the rules every message keeps.

    The message has a hint, is not the "could not be checked" of a crashed check, and
    names no auto-generated layer.
    """
    with pytest.raises(AssertionError) as error:
        check(*args, **kwargs)
    message = str(error.value)
    assert "\nHint: " in message, message
    assert "could not be checked" not in message, message
    assert not AUTO_NAME.search(message), message
    return message

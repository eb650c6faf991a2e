"""The installed environment is the one pyproject.toml promises, and nothing needs the network."""

import socket
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("package", "at_least", "below"),
    [
        ("tensorflow", "2.16", "3"),
        ("keras", "3.0", "4"),
        ("nbgrader", "0.9", "0.10"),
        ("jupyterlab", "4.2", "5"),
        ("notebook", "7.2", "8"),
        ("nbval", "0.11", "0.12"),
    ],
)
def test_pinned_stack_is_installed(package, at_least, below):
    installed = Version(version(package))
    assert Version(at_least) <= installed < Version(below), f"{package} {installed}"


def test_library_and_data_work_with_the_network_blocked(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from keras_functional_course import builders, data

    pairs = data.load_digit_pairs(num_pairs=20)
    model = builders.build_digit_pair_classifier()
    assert model(pairs.inputs).shape == (20, 1)


def test_no_code_downloads_datasets_or_weights():
    sources = [*ROOT.glob("src/**/*.py"), *ROOT.glob("autograder/**/*.py")]
    assert sources
    for path in sources:
        text = path.read_text()
        assert "keras.datasets" not in text, path
        assert "weights=\"imagenet\"" not in text and "weights='imagenet'" not in text, path

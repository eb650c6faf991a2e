"""The course's nbgrader configuration and TensorFlow's log lines.

TensorFlow 2.21 writes C++ log lines to stderr; nbgrader scores a test cell
with stderr output as failed. The package silences them at import, and the
nbgrader config (IgnorePattern) and nbval's sanitising remove any that slip
through, without touching a student's genuine warnings.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from _notebooks import REPOSITORY
from nbval.plugin import get_sanitize_patterns
from traitlets.config.loader import PyFileConfigLoader

TENSORFLOW_LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795361053.561208   13170 port.cc:153] oneDNN custom operations are on.",
    "I0000 00:00:1795361053.562073   13170 cudart_stub.cc:31] Could not find cuda drivers",
    "E0000 00:00:1795361058.450257   13170 cuda_platform.cc:52] failed call to cuInit: INTERNAL",
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow",
]
GENUINE_STDERR = [
    "/tmp/ipykernel_1/123.py:4: UserWarning: Do not pass an `input_shape` argument to a layer.",
    "Traceback (most recent call last):",
    "WARNING: my own message",
]


@pytest.fixture(scope="module")
def config():
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(REPOSITORY))
    return loader.load_config()


def test_config_maps_nbgrader_onto_the_repository(config):
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "course"
    assert config.CourseDirectory.root == str(REPOSITORY)
    assert config.IgnorePattern.enabled is True
    assert config.Execute.timeout >= 60


@pytest.mark.parametrize("line", TENSORFLOW_LINES)
def test_ignore_pattern_matches_tensorflow_log_lines(config, line):
    assert re.search(config.IgnorePattern.pattern, f"some output\n{line}\n")


@pytest.mark.parametrize("line", GENUINE_STDERR)
def test_ignore_pattern_keeps_genuine_stderr(config, line):
    assert not re.search(config.IgnorePattern.pattern, line + "\n")


def test_nbval_sanitising_removes_tensorflow_lines_only():
    patterns = get_sanitize_patterns((REPOSITORY / "tests" / "nbval_sanitize.cfg").read_text())
    text = "\n".join(TENSORFLOW_LINES + GENUINE_STDERR) + "\n"
    for regex, replacement in patterns:
        text = re.sub(regex, replacement, text)
    assert text == "\n".join(GENUINE_STDERR) + "\n"


def _stderr_of_a_first_model(environment: dict[str, str]) -> str:
    script = (
        "import keras_functional_course, keras\n"
        "keras.Model(*(lambda x: (x, keras.layers.Dense(2)(x)))(keras.Input((3,))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
        env=environment, check=True,
    )
    return result.stderr


def test_importing_the_package_first_keeps_tensorflow_start_up_lines_off_stderr():
    quiet = _stderr_of_a_first_model({**os.environ, "KFC_TENSORFLOW_LOGS": "0"})
    loud = _stderr_of_a_first_model({**os.environ, "KFC_TENSORFLOW_LOGS": "1"})
    assert "absl::InitializeLog" in loud, "TensorFlow no longer logs at start-up: recheck"
    assert "absl::InitializeLog" not in quiet and "cuInit" not in quiet, quiet


def test_autograde_scores_test_cells_outside_the_kernel_and_sanitises_feedback(config):
    """Stock Execute would score what the kernel says; TrustedExecute runs the checks itself."""
    from autograder.trusted.execute import TrustedExecute

    assert config.Autograde.autograde_preprocessors[0] is TrustedExecute
    assert config.GuardedExecute.sandbox is True
    assert config.GenerateFeedback.exporter_class.endswith("FeedbackHTMLExporter")
    assert config.HTMLExporter.sanitize_html is True

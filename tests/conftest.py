"""Shared fixtures and the test tiers.

Every test starts from a fresh, seeded Keras session. Tests that execute
notebooks or run nbgrader and `kfc-grade` (most of the suite's time) carry the
`notebooks` marker, so `pytest -m "not notebooks"` is the quick tier for daily
work: the library, the checks and the pipeline's unit tests.
"""

# ruff: noqa: I001, E402 - the thread settings come first, then keras_functional_course.

import os

# One TensorFlow thread per process, set before TensorFlow loads: the suite runs two
# pytest workers on 2 cores, each with kernels of its own, and TensorFlow sizes its thread
# pools to the machine, so with more threads than cores the processes wait on one another
# (with the fork server, the suite went from 31.5 to 19.3 minutes). Kernels inherit them;
# kfc-grade's sandboxed kernels and trusted checks get them from KFC_KERNEL_THREADS.
THREADS = {"KFC_KERNEL_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1",
           "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"}
for _name, _value in THREADS.items():
    os.environ.setdefault(_name, _value)

import keras_functional_course  # noqa: F401 - first: starts TensorFlow quietly

import keras
import pytest

from autograder.checks import messages

NOTEBOOK_MODULES = {
    "test_browser.py",
    "test_course_grading.py",
    "test_course_mutants.py",
    "test_course_release.py",
    "test_grading_cli.py",
    "test_grading_demo.py",
    "test_grading_exchange.py",
    "test_grading_feedback.py",
    "test_grading_parallel.py",
    "test_grading_sandbox.py",
    "test_lab.py",
    "test_trusted_execute.py",
    "test_trusted_server.py",
}
"""Test modules that execute notebooks or run nbgrader: all of their tests are slow."""


LONGEST_FIRST = ("test_grading_demo.py", "test_course_mutants.py", "test_grading_parallel.py")
"""The test files that take longest, in the order pytest-xdist should start them.

With `--dist loadfile` a file runs on one worker, and with `--no-loadscope-reorder`
files are handed out in this order (xdist's own order puts the files with the most tests
first, which starts the demo class last): the demo class on one worker, the mutants (and the
mistakes, replayed in the same kernels) on the other, then the parallel grading, then the
rest wherever a worker is free.
"""


def pytest_collection_modifyitems(config, items):
    """Marks nbval's notebook cells and the tests of NOTEBOOK_MODULES `notebooks`;
    puts the longest files first."""
    for item in items:
        path = item.path
        if path.suffix == ".ipynb" or path.name in NOTEBOOK_MODULES:
            item.add_marker(pytest.mark.notebooks)
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    """Clears Keras's global state, seeds every generator, forgets earlier check failures.

    `free_memory=False` skips a full garbage collection, which costs about 0.1 s a
    test once TensorFlow is loaded.
    """
    keras.utils.clear_session(free_memory=False)
    keras.utils.set_random_seed(0)
    messages.forget_failures()

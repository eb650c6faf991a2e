"""Keras Functional Course: model builders and graph tools for the Keras 3 functional API.

Modules:
    builders: one builder per architecture the course teaches.
    graph: node indices, per-node shapes, shared layers, the layer graph.
    drawing: a Graphviz-free matplotlib drawing of a model's graph.
    losses: loss weights of multi-output models and the weighted-sum identity.
    data: small synthetic datasets and digit pairs from scikit-learn.

Importing the package starts TensorFlow quietly: TensorFlow 2.21 writes its
C++ start-up log lines ("All log messages before absl::InitializeLog()...",
the oneDNN and CUDA notices) straight to file descriptor 2, whatever
`TF_CPP_MIN_LOG_LEVEL` says. In a Jupyter kernel those lines land in the
first cell's output, and nbgrader scores a test cell that has stderr output
as failed. Import this package before `keras` and they are kept out (set
the environment variable `KFC_TENSORFLOW_LOGS=1` to see them).
"""

import contextlib
import os
import sys

# TensorFlow's C++ logging is set before Keras imports it (it has no effect
# afterwards); users who want the logs can set the variable themselves.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"


@contextlib.contextmanager
def _native_stderr_silenced():
    """Point file descriptor 2 at the null device for the duration of the block.

    Python-level writes are flushed first so nothing already printed is lost;
    exceptions raised inside the block propagate after the descriptor is
    restored, so their tracebacks still show.
    """
    try:
        sys.stderr.flush()
        saved_descriptor = os.dup(2)
    except (AttributeError, OSError, ValueError):  # no usable fd 2: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null_device:
            os.dup2(null_device.fileno(), 2)
            yield
    finally:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            sys.stderr.flush()
        os.dup2(saved_descriptor, 2)
        os.close(saved_descriptor)


def _start_tensorflow_quietly() -> None:
    """Import TensorFlow and list its devices with native stderr silenced.

    Listing the devices is what triggers the CUDA probe ("failed call to
    cuInit") on a machine without a GPU, so it is done here too.
    """
    if os.environ.get("KFC_TENSORFLOW_LOGS") == "1" or "tensorflow" in sys.modules:
        return
    with _native_stderr_silenced():
        import tensorflow

        tensorflow.config.list_physical_devices()


_start_tensorflow_quietly()

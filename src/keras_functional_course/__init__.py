"""Keras Functional Course: model builders and graph tools for the Keras 3 functional API.

Modules:
    builders: one builder per architecture the course teaches.
    graph: node indices, per-node shapes, shared layers, the layer graph.
    drawing: a Graphviz-free matplotlib drawing of a model's graph.
    losses: loss weights of multi-output models and the weighted-sum identity.
    data: small synthetic datasets and digit pairs from scikit-learn.
"""

import os

# TensorFlow's C++ logging is set before Keras imports it (it has no effect
# afterwards); users who want the logs can set the variable themselves.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

"""Every read of a private Keras attribute, in one place.

Keras 3 removed the public accessors that the seed tutorials use to look at a
layer graph (`layer.get_output_at(i)`, `layer.get_input_shape_at(i)`, ...).
The information is still there, on private attributes:

- a symbolic tensor's `_keras_history` names the `operation` (layer) that
  produced it, the index of the `node` (the call) and the index of the tensor
  among that node's outputs;
- a layer's `_inbound_nodes` lists one `Node` per call, in call order, so a
  node's index is its position in that list;
- a functional model's `_nodes_by_depth` holds the nodes that belong to the
  model's own graph (a layer shared with another model has nodes there too);
- a `Sequential` model keeps its functional twin in `_functional` once built.

Nothing else in the package touches a private Keras name: every other module
goes through the functions below, and `tests/test_keras_internals.py` pins
each of them so that a Keras upgrade that changes one fails loudly there, not
deep inside a student's feedback.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import keras


class TensorOrigin(NamedTuple):
    """Where a symbolic tensor comes from.

    Attributes:
        operation: the layer (or model used as a layer) whose call produced it.
        node_index: which call of `operation` produced it (0 for the first).
        tensor_index: which output of that call it is (0 for single outputs).
    """

    operation: Any
    node_index: int
    tensor_index: int


def tensor_origin(tensor: Any) -> TensorOrigin | None:
    """Returns the `TensorOrigin` of a symbolic Keras tensor, or None.

    None is returned for anything that is not a symbolic tensor made by the
    functional API (a NumPy array, an eager tensor, a layer, ...).
    """
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None
    operation, node_index, tensor_index = history
    return TensorOrigin(operation, node_index, tensor_index)


def inbound_nodes(operation: Any) -> list[Any]:
    """Returns the nodes of `operation`, one per call, in call order."""
    return list(getattr(operation, "_inbound_nodes", []))


def node_operation(node: Any) -> Any:
    """Returns the layer (operation) that a node is a call of."""
    return node.operation


def node_input_tensors(node: Any) -> list[Any]:
    """Returns the symbolic tensors a node was called on, flattened in call order."""
    return list(node.input_tensors)


def node_output_tensors(node: Any) -> list[Any]:
    """Returns the symbolic tensors a node produced, flattened."""
    return list(node.output_tensors)


def node_index(node: Any) -> int:
    """Returns the index of `node` among its operation's nodes."""
    for index, candidate in enumerate(inbound_nodes(node.operation)):
        if candidate is node:
            return index
    raise ValueError(
        f"The node of operation {node.operation.name!r} is not among its inbound nodes; "
        "the Keras graph is inconsistent."
    )


def functional_graph(model: Any) -> Any:
    """Returns the functional graph behind `model`.

    A functional `keras.Model` is its own graph; a `keras.Sequential` model keeps
    a functional twin once it knows its input shape.

    Raises:
        ValueError: if `model` is a Sequential model that has not been built
            with an input shape, or a subclassed model with no graph.
    """
    if isinstance(model, keras.Sequential):
        functional = getattr(model, "_functional", None)
        if functional is None:
            raise ValueError(
                f"`model` must know its input shape, but Sequential model {model.name!r} "
                "has not been built. Start it with `keras.Input(shape=...)` or call it on "
                "data once."
            )
        return functional
    if not hasattr(model, "_nodes_by_depth"):
        raise ValueError(
            f"`model` must be a functional or Sequential keras.Model, but {model.name!r} is a "
            f"{type(model).__name__} with no layer graph. Build it with "
            "`keras.Model(inputs, outputs)`."
        )
    return model


def model_nodes(model: Any) -> list[Any]:
    """Returns the nodes of `model`'s own graph, inputs first.

    Args:
        model: a functional or built Sequential `keras.Model`.

    Returns:
        A list of nodes ordered by decreasing depth (inputs first, outputs last);
        nodes at the same depth keep Keras's order.
    """
    graph = functional_graph(model)
    nodes_by_depth = graph._nodes_by_depth
    ordered = []
    for depth in sorted(nodes_by_depth, reverse=True):
        ordered.extend(nodes_by_depth[depth])
    return ordered

"""Graph-inspection tools for Keras 3 functional models.

Every call of a layer on a symbolic tensor adds a *node* to the layer: node 0
for the first call, node 1 for the second, and so on. The node links the
tensors the layer was called on (its inputs) to the tensors it returned (its
outputs). A layer with more than one node is *shared*: one set of weights
serves every call.

Keras 1 and 2 exposed this through `layer.get_output_at(i)`,
`layer.get_input_shape_at(i)` and friends; Keras 3 removed them, and
`layer.output` on a shared layer silently returns node 0's output. This module
gives the same information back, publicly:

- `node_index_of(tensor)` and `origin_of(tensor)`: which layer and which node
  produced a tensor;
- `layer_nodes(layer)` and `output_at`, `input_at`, `output_shape_at`,
  `input_shape_at`: per-node inputs, outputs and shapes of a layer;
- `shared_layers(model)`: the layers a model calls more than once;
- `model_graph(model)`: the whole layer graph as a `networkx.DiGraph` whose
  edges carry node indices, and `describe_graph(model)`, a text rendering.

Example:

>>> a = keras.Input((5, 4)); b = keras.Input((5, 4))
>>> lstm = keras.layers.LSTM(3)
>>> encoded_a, encoded_b = lstm(a), lstm(b)
>>> node_index_of(encoded_b)
1
>>> output_at(lstm, 1) is encoded_b
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import networkx as nx

from keras_functional_course import _keras_internals as internals

__all__ = [
    "Connection",
    "LayerNode",
    "SharedLayer",
    "describe_graph",
    "input_at",
    "input_shape_at",
    "layer_nodes",
    "model_graph",
    "node_index_of",
    "origin_of",
    "output_at",
    "output_names",
    "output_shape_at",
    "shared_layers",
    "without_self_loops",
]


@dataclass(frozen=True)
class LayerNode:
    """One call of a layer: what went in, what came out.

    Attributes:
        layer: the layer (or model used as a layer) that was called.
        index: the node index, i.e. which call this is (0 for the first).
        inputs: the symbolic tensors the layer was called on, in call order.
        outputs: the symbolic tensors the call returned.
    """

    layer: Any
    index: int
    inputs: tuple
    outputs: tuple

    @property
    def input_shapes(self) -> tuple:
        """The shapes of `inputs`, one tuple per tensor."""
        return tuple(tuple(tensor.shape) for tensor in self.inputs)

    @property
    def output_shapes(self) -> tuple:
        """The shapes of `outputs`, one tuple per tensor."""
        return tuple(tuple(tensor.shape) for tensor in self.outputs)

    @property
    def input_shape(self) -> tuple | list:
        """The input shape as Keras 2's `get_input_shape_at` gave it.

        A single tuple when the layer was called on one tensor, a list of
        tuples when it was called on several (as a `Concatenate` is).
        """
        return _single_or_list(self.input_shapes)

    @property
    def output_shape(self) -> tuple | list:
        """The output shape as Keras 2's `get_output_shape_at` gave it."""
        return _single_or_list(self.output_shapes)


@dataclass(frozen=True)
class SharedLayer:
    """A layer that a model calls more than once.

    Attributes:
        layer: the shared layer (or model used as a layer).
        node_indices: the indices of its nodes that belong to the model.
    """

    layer: Any
    node_indices: tuple[int, ...]

    @property
    def num_nodes(self) -> int:
        """How many times the model calls the layer."""
        return len(self.node_indices)


@dataclass(frozen=True, order=True)
class Connection:
    """One tensor passed from one layer call to another.

    Attributes:
        source_node_index: the node of the source layer that produced the tensor.
        tensor_index: which output of that node the tensor is.
        destination_node_index: the node of the destination layer that received it.
        position: where the tensor stands among the destination call's inputs.
    """

    source_node_index: int
    tensor_index: int
    destination_node_index: int
    position: int


def _single_or_list(shapes: tuple) -> tuple | list:
    return shapes[0] if len(shapes) == 1 else list(shapes)


def _layer_description(layer: Any) -> str:
    name = getattr(layer, "name", None)
    return f"layer {name!r}" if name else f"{type(layer).__name__} object"


def origin_of(tensor: Any) -> internals.TensorOrigin:
    """Returns the layer, node index and tensor index that produced `tensor`.

    Args:
        tensor: a symbolic tensor made with the functional API, such as the
            result of `keras.Input(...)` or of calling a layer on one.

    Returns:
        A `TensorOrigin(operation, node_index, tensor_index)`.

    Raises:
        ValueError: if `tensor` is not a symbolic Keras tensor.

    Example:

    >>> x = keras.Input((4,))
    >>> origin_of(keras.layers.Dense(2)(x)).node_index
    0
    """
    origin = internals.tensor_origin(tensor)
    if origin is None:
        raise ValueError(
            "`tensor` must be a symbolic Keras tensor (from `keras.Input` or a layer call), "
            f"but received a {type(tensor).__name__}. Pass the tensor a layer call returned, "
            "not data or a layer."
        )
    return origin


def output_names(model: Any) -> list[str]:
    """Returns the names of a model's outputs, for Sequential models too.

    A functional model has `model.output_names`; Keras 3's `Sequential` does
    not, and its one output is named after its last layer.

    Args:
        model: a functional or built Sequential `keras.Model`.

    Returns:
        The output names, in the order of `model.outputs`.

    Example:

    >>> output_names(build_headline_model())
    ['main_output', 'aux_output']
    """
    names = getattr(model, "output_names", None)
    if names is not None:
        return list(names)
    return list(internals.functional_graph(model).output_names)


def node_index_of(tensor: Any) -> int:
    """Returns the index of the node (the layer call) that produced `tensor`.

    Args:
        tensor: a symbolic Keras tensor.

    Returns:
        0 if the tensor came from the first call of its layer, 1 from the
        second, and so on.

    Raises:
        ValueError: if `tensor` is not a symbolic Keras tensor.
    """
    return origin_of(tensor).node_index


def layer_nodes(layer: Any) -> list[LayerNode]:
    """Returns one `LayerNode` per call of `layer`, in call order.

    This is what Keras 2's `get_input_at(i)` / `get_output_at(i)` read from,
    for every `i` at once. It lists every call of the layer, including calls
    that belong to other models.

    Args:
        layer: a `keras.layers.Layer` (a model used as a layer works too).

    Returns:
        A list whose item `i` describes node `i`.

    Raises:
        ValueError: if `layer` is not a Keras layer.
    """
    if not isinstance(layer, keras.layers.Layer):
        raise ValueError(
            f"`layer` must be a keras layer, but received a {type(layer).__name__}. "
            "Pass the layer instance you called, e.g. `shared_lstm`, not its output tensor."
        )
    return [
        LayerNode(
            layer=layer,
            index=index,
            inputs=tuple(internals.node_input_tensors(node)),
            outputs=tuple(internals.node_output_tensors(node)),
        )
        for index, node in enumerate(internals.inbound_nodes(layer))
    ]


def _node_at(layer: Any, node_index: int) -> LayerNode:
    nodes = layer_nodes(layer)
    if not isinstance(node_index, int) or isinstance(node_index, bool):
        raise ValueError(
            f"`node_index` must be an int, but received {node_index!r}. "
            "Pass 0 for the first call of the layer, 1 for the second, ..."
        )
    if not nodes:
        raise ValueError(
            f"`layer` must have been called at least once, but {_layer_description(layer)} has "
            "no nodes yet. Call it on a symbolic tensor, e.g. `layer(keras.Input(...))`."
        )
    if not 0 <= node_index < len(nodes):
        raise ValueError(
            f"`node_index` must be between 0 and {len(nodes) - 1} for "
            f"{_layer_description(layer)}, which has {len(nodes)} node(s), "
            f"but received {node_index}. Node indices count calls from 0."
        )
    return nodes[node_index]


def output_at(layer: Any, node_index: int) -> Any:
    """Returns the output tensor(s) of call `node_index` of `layer`.

    The Keras 3 replacement for Keras 2's `layer.get_output_at(node_index)`.

    Args:
        layer: a Keras layer that has been called at least once.
        node_index: which call, counting from 0.

    Returns:
        The output tensor, or a list of them if the call returned several.

    Raises:
        ValueError: if `node_index` is out of range for `layer`.
    """
    return _single_or_list(_node_at(layer, node_index).outputs)


def input_at(layer: Any, node_index: int) -> Any:
    """Returns the input tensor(s) of call `node_index` of `layer`.

    The Keras 3 replacement for Keras 2's `layer.get_input_at(node_index)`.
    """
    return _single_or_list(_node_at(layer, node_index).inputs)


def output_shape_at(layer: Any, node_index: int) -> tuple | list:
    """Returns the output shape of call `node_index` of `layer`.

    The Keras 3 replacement for Keras 2's `layer.get_output_shape_at(node_index)`.
    """
    return _node_at(layer, node_index).output_shape


def input_shape_at(layer: Any, node_index: int) -> tuple | list:
    """Returns the input shape of call `node_index` of `layer`.

    The Keras 3 replacement for Keras 2's `layer.get_input_shape_at(node_index)`.

    Example:

    >>> conv = keras.layers.Conv2D(16, 3, padding="same")
    >>> _ = conv(keras.Input((32, 32, 3))); _ = conv(keras.Input((64, 64, 3)))
    >>> input_shape_at(conv, 1)
    (None, 64, 64, 3)
    """
    return _node_at(layer, node_index).input_shape


def _model_layer_nodes(model: Any) -> dict[Any, list[int]]:
    """Maps each operation of `model` to the indices of its nodes in the model."""
    by_layer: dict[Any, list[int]] = {}
    for node in internals.model_nodes(model):
        operation = internals.node_operation(node)
        by_layer.setdefault(operation, []).append(internals.node_index(node))
    return {layer: sorted(indices) for layer, indices in by_layer.items()}


def shared_layers(model: Any) -> list[SharedLayer]:
    """Returns the layers that `model` calls more than once.

    Only the calls that belong to `model`'s graph count: a layer called once
    here and once in another model is not shared *within* this model.

    Args:
        model: a functional or built Sequential `keras.Model`.

    Returns:
        One `SharedLayer(layer, node_indices)` per shared layer, in the order
        the model first uses them.
    """
    return [
        SharedLayer(layer=layer, node_indices=tuple(indices))
        for layer, indices in _model_layer_nodes(model).items()
        if len(indices) > 1
    ]


def _shape_text(shape: Any) -> str:
    return str(tuple(shape)) if not isinstance(shape, list) else ", ".join(map(str, shape))


def model_graph(model: Any) -> nx.DiGraph:
    """Returns the layer graph of `model` as a `networkx.DiGraph`.

    Each graph node is a layer of the model (a nested model used as a layer is
    one graph node), keyed by the layer's name. Each edge links the layer that
    produced a tensor to a layer called on it, and carries the node indices of
    every such tensor, so the two calls of a shared LSTM stay distinguishable.

    Graph-node attributes:
        `layer` (the layer object), `type` (its class name), `node_indices`
        (its nodes in this model), `output_shapes` and `input_shapes` (dicts
        from node index to shape), `shared` (called more than once here),
        `is_input`, `is_output`, `num_params`, `depth` (longest path from an
        input: inputs are at depth 0), `order` (position in the model's list
        of operations, used only to draw ties in a stable order).

    Edge attributes:
        `connections`, a sorted tuple of `Connection`s, and `node_indices`,
        the sorted distinct source node indices.

    Args:
        model: a functional or built Sequential `keras.Model`.

    Returns:
        A directed graph, acyclic except for a self-loop where a layer is
        called on its own output (`dense(dense(x))`); `without_self_loops`
        gives the acyclic part.
    """
    graph = nx.DiGraph(name=model.name)
    layer_node_indices = _model_layer_nodes(model)
    functional = internals.functional_graph(model)
    output_ids = {id(tensor) for tensor in functional.outputs}
    order = {id(operation): index for index, operation in enumerate(functional.operations)}
    for node in internals.model_nodes(model):
        layer = internals.node_operation(node)
        index = internals.node_index(node)
        if layer.name not in graph:
            # A keras.ops operation (`keras.ops.square(x)`) has no weights and no `built`.
            num_params = layer.count_params() if getattr(layer, "built", False) else 0
            graph.add_node(
                layer.name,
                layer=layer,
                type=type(layer).__name__,
                node_indices=tuple(layer_node_indices[layer]),
                output_shapes={},
                input_shapes={},
                shared=len(layer_node_indices[layer]) > 1,
                is_input=isinstance(layer, keras.layers.InputLayer),
                is_output=False,
                num_params=num_params,
                order=order.get(id(layer), len(order)),
            )
        attributes = graph.nodes[layer.name]
        outputs = internals.node_output_tensors(node)
        inputs = internals.node_input_tensors(node)
        attributes["output_shapes"][index] = _single_or_list(
            tuple(tuple(t.shape) for t in outputs)
        )
        if inputs:
            attributes["input_shapes"][index] = _single_or_list(
                tuple(tuple(t.shape) for t in inputs)
            )
        if any(id(tensor) in output_ids for tensor in outputs):
            attributes["is_output"] = True
        for position, tensor in enumerate(inputs):
            origin = internals.tensor_origin(tensor)
            connection = Connection(origin.node_index, origin.tensor_index, index, position)
            source = origin.operation.name
            if graph.has_edge(source, layer.name):
                connections = graph.edges[source, layer.name]["connections"] + (connection,)
            else:
                connections = (connection,)
            graph.add_edge(
                source,
                layer.name,
                connections=tuple(sorted(connections)),
                node_indices=tuple(sorted({c.source_node_index for c in connections})),
            )
    acyclic = without_self_loops(graph)
    for name in nx.topological_sort(acyclic):
        predecessors = list(acyclic.predecessors(name))
        graph.nodes[name]["depth"] = (
            1 + max(graph.nodes[p]["depth"] for p in predecessors) if predecessors else 0
        )
    return graph


def without_self_loops(graph: nx.DiGraph) -> nx.DiGraph:
    """Returns a view of a `model_graph` without the edges from a layer to itself.

    A layer called on its own output (`dense(dense(x))`) is one graph node
    with an edge to itself; without those edges the graph is acyclic and can
    be sorted topologically.
    """
    return nx.restricted_view(graph, [], list(nx.selfloop_edges(graph)))


def describe_graph(model: Any) -> str:
    """Returns a readable text description of `model`'s layer graph.

    One line per layer call, in topological order, in the notation of Keras's
    `model.summary()`: `shared_lstm[1][0]` is output 0 of node 1 of layer
    `shared_lstm`. Shared layers are flagged with their number of nodes.

    Args:
        model: a functional or built Sequential `keras.Model`.

    Returns:
        A multi-line string.

    Example:

    >>> print(describe_graph(model))  # doctest: +SKIP
    Model 'siamese_lstm': 2 inputs, 1 output, 1 shared layer
      left (InputLayer) -> (None, None, 16)
      right (InputLayer) -> (None, None, 16)
      shared_lstm (LSTM, shared: 2 nodes)
        node 0: left[0][0] -> (None, 8)
        node 1: right[0][0] -> (None, 8)
      ...
    """
    graph = model_graph(model)
    functional = internals.functional_graph(model)
    num_inputs, num_outputs = len(functional.inputs), len(functional.outputs)
    num_shared = sum(1 for _, data in graph.nodes(data=True) if data["shared"])
    lines = [
        f"Model {model.name!r}: {num_inputs} input{'s' * (num_inputs != 1)}, "
        f"{num_outputs} output{'s' * (num_outputs != 1)}, "
        f"{num_shared} shared layer{'s' * (num_shared != 1)}"
    ]
    nodes_by_layer: dict[str, dict[int, list[str]]] = {}
    for node in internals.model_nodes(model):
        sources = []
        for tensor in internals.node_input_tensors(node):
            origin = internals.tensor_origin(tensor)
            sources.append(f"{origin.operation.name}[{origin.node_index}][{origin.tensor_index}]")
        layer_name = internals.node_operation(node).name
        nodes_by_layer.setdefault(layer_name, {})[internals.node_index(node)] = sources
    for name in nx.lexicographical_topological_sort(
        without_self_loops(graph), key=lambda n: (graph.nodes[n]["depth"], n)
    ):
        data = graph.nodes[name]
        tags = [data["type"]]
        if data["shared"]:
            tags.append(f"shared: {len(data['node_indices'])} nodes")
        if data["is_output"]:
            tags.append("output")
        header = f"  {name} ({', '.join(tags)})"
        calls = nodes_by_layer[name]
        if data["is_input"]:
            lines.append(f"{header} -> {_shape_text(data['output_shapes'][0])}")
        elif len(calls) == 1:
            (index, sources), = calls.items()
            lines.append(
                f"{header}: {', '.join(sources)} -> {_shape_text(data['output_shapes'][index])}"
            )
        else:
            lines.append(header)
            for index, sources in sorted(calls.items()):
                lines.append(
                    f"    node {index}: {', '.join(sources)} -> "
                    f"{_shape_text(data['output_shapes'][index])}"
                )
    return "\n".join(lines)

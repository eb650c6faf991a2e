"""Sharing and nodes: which tensor feeds which layer, and which call made a tensor.

A layer called twice has two nodes, 0 and 1; a shared layer is one instance
with several nodes in a model. These checks follow tensors through the graph
(`graph.origin_of`, `graph.layer_nodes`): connections (`check_feeds`,
`check_residual_shortcut`, `check_branches_from_input`, `check_concat_axis`),
sharing (`check_shared_layer`, `check_shared_submodel`) and node indices
(`check_node_index`, which also checks what the node read).
"""

from __future__ import annotations

from typing import Any

import keras
import networkx as nx

from autograder.checks.messages import describe_tensor, fail, is_auto_name, student_check
from autograder.checks.structure import (
    _describe_types,
    _graph,
    _layers_of_type,
    _model_nodes_of,
    _single_layer,
    _type_name,
)
from keras_functional_course import graph as graph_tools


def _describe_source(origin: Any) -> str:
    operation = origin.operation
    if isinstance(operation, keras.layers.InputLayer):
        return describe_tensor(operation.output, {})  # its name, unless Keras made it up
    named = "" if is_auto_name(operation) else f" ({operation.name!r})"
    return f"the output of a {type(operation).__name__} layer{named}"


def _describe_destination(layer: Any) -> str:
    if isinstance(layer, keras.Model):
        return "the sub-model" + ("" if is_auto_name(layer) else f" {layer.name!r}")
    return f"the {type(layer).__name__} layer"


def _node_inputs(layer: Any, graph: nx.DiGraph) -> list[list[Any]]:
    """The input tensors of each of `layer`'s nodes in the model."""
    nodes = graph_tools.layer_nodes(layer)
    return [list(nodes[index].inputs) for index in _model_nodes_of(graph, layer)]


@student_check
def check_feeds(
    model: Any, source: Any, destination: Any, *, name: str = "model",
    source_name: str = "the source",
) -> None:
    """Checks that a tensor, or the output of a layer, feeds a given layer.

    Args:
        model: the student's model.
        source: a symbolic tensor (e.g. `model.inputs[0]`), or a layer whose
            output should be among the destination's inputs.
        destination: a layer of the model, or a layer type (class or class
            name) of which the model has exactly one.
        name: the student's variable name.
        source_name: how to call the source in the message.
    """
    graph = _graph(model, name)
    if not isinstance(destination, keras.layers.Layer):
        destination = _single_layer(destination, name, graph)
    if destination.name not in graph or graph.nodes[destination.name]["layer"] is not destination:
        fail(
            f"Your model `{name}` does not contain the layer {destination.name!r}.",
            "Expected it to be part of the model.",
            "build the model from the tensors this layer produces.",
        )
    received = [tensor for inputs in _node_inputs(destination, graph) for tensor in inputs]
    if isinstance(source, keras.layers.Layer):
        fed = any(graph_tools.origin_of(tensor).operation is source for tensor in received)
    else:
        fed = any(tensor is source for tensor in received)
    if not fed:
        found = ", ".join(_describe_source(graph_tools.origin_of(t)) for t in received)
        fail(
            f"In your model `{name}`, {_describe_destination(destination)} receives {found}.",
            f"Expected it to receive {source_name}.",
            "look at the tensor you pass when you call this layer.",
        )


def _is_model_input(tensor: Any, model: Any) -> bool:
    return any(tensor is model_input for model_input in model.inputs)


def _is_projection_of_input(tensor: Any, model: Any) -> bool:
    origin = graph_tools.origin_of(tensor)
    layer = origin.operation
    if not isinstance(layer, keras.layers.Conv2D) or tuple(layer.kernel_size) != (1, 1):
        return False
    inputs = graph_tools.layer_nodes(layer)[origin.node_index].inputs
    return any(_is_model_input(t, model) for t in inputs)


@student_check
def check_residual_shortcut(
    model: Any, *, shortcut: str | None = None, name: str = "model"
) -> None:
    """Checks that the residual addition receives the block input or its projection.

    The model must have exactly one `Add` layer; one of its inputs must be
    the block's input itself (identity shortcut) or a 1x1 `Conv2D` applied to
    the block's input (projection shortcut).

    Args:
        model: the student's residual block.
        shortcut: "identity" or "projection" to require that kind; None
            accepts either.
        name: the student's variable name.
    """
    graph = _graph(model, name)
    add_layer = _single_layer(keras.layers.Add, name, graph)
    received = _node_inputs(add_layer, graph)[0]
    identity = any(_is_model_input(t, model) for t in received)
    projection = any(_is_projection_of_input(t, model) for t in received)
    sources = ", ".join(_describe_source(graph_tools.origin_of(t)) for t in received)
    if not (identity or projection):
        fail(
            f"The Add layer of your residual block `{name}` receives {sources}.",
            "Expected one of them to be the shortcut: the block's input itself, or a 1x1 "
            "convolution of it when the shapes differ.",
            "keep a reference to the tensor that enters the block, and add it (or its "
            "projection) to the output of the convolution path.",
        )
    if shortcut == "projection" and not projection:
        fail(
            f"The Add layer of your residual block `{name}` adds the block's input unchanged.",
            "Expected a projection shortcut: a 1x1 Conv2D applied to the block's input.",
            "when the path changes the shape (filters or strides), the shortcut must be "
            "projected to the same shape before the addition.",
        )
    if shortcut == "identity" and not identity:
        fail(
            f"The Add layer of your residual block `{name}` adds a projection of the input.",
            "Expected an identity shortcut: the block's input itself.",
            "when the path keeps the shape, no projection is needed.",
        )


@student_check
def check_concat_axis(model: Any, *, name: str = "model") -> None:
    """Checks that the model's `Concatenate` layer joins tensors on the channel axis.

    With channels-last images the channels are the last axis; concatenating
    on axis 1 stacks the branches along the image height instead (the seed's
    Inception bug).
    """
    graph = _graph(model, name)
    concatenate = _single_layer(keras.layers.Concatenate, name, graph)
    rank = len(graph_tools.output_shape_at(concatenate, _model_nodes_of(graph, concatenate)[0]))
    axis = concatenate.axis
    if axis % rank != rank - 1:
        shape = graph.nodes[concatenate.name]["output_shapes"]
        fail(
            f"Your model `{name}` concatenates along axis {axis}; its output has shape "
            f"{next(iter(shape.values()))}.",
            "Expected the branches joined along the channel axis, keeping height and width.",
            "with channels-last images, which axis holds the channels? `axis=-1` always "
            "names it.",
        )


def _branch_root(tensor: Any, model: Any, seen: set[int]) -> str:
    """Walks up a branch; 'input' if it reaches the model input on its own."""
    while True:
        if _is_model_input(tensor, model):
            return "input"
        origin = graph_tools.origin_of(tensor)
        if id(origin.operation) in seen:
            return "shared"
        seen.add(id(origin.operation))
        inputs = graph_tools.layer_nodes(origin.operation)[origin.node_index].inputs
        if len(inputs) != 1:
            return "merge"
        tensor = inputs[0]


@student_check
def check_branches_from_input(
    model: Any, *, num_branches: int, merge_type: Any = "Concatenate", name: str = "model"
) -> None:
    """Checks that each branch of a merge starts from the module's input.

    In an Inception module every tower reads the module's input and runs on
    its own until the towers are merged. This follows each input of the
    merge layer back up its chain of layers and checks that it reaches the
    model's input without passing through another branch.

    Args:
        model: the student's module.
        num_branches: how many branches the merge should join.
        merge_type: the merging layer's type.
        name: the student's variable name.
    """
    graph = _graph(model, name)
    merge = _single_layer(merge_type, name, graph)
    received = _node_inputs(merge, graph)[0]
    if len(received) != num_branches:
        fail(
            f"The {_type_name(merge_type)} layer of your model `{name}` joins "
            f"{len(received)} branch(es).",
            f"Expected {num_branches}.",
            "pass every branch's last tensor in the list you merge.",
        )
    seen: set[int] = set()
    for number, tensor in enumerate(received, start=1):
        root = _branch_root(tensor, model, seen)
        if root != "input":
            where = "goes through a layer of another branch" if root == "shared" else (
                "starts from a merge of several tensors")
            source = _describe_source(graph_tools.origin_of(tensor))
            fail(
                f"Branch {number} of your model `{name}` ({source}) {where}.",
                "Expected every branch to start from the module's input and run on its own.",
                "start each branch by calling its first layer on the input tensor, not on "
                "another branch's output.",
            )


def _find_shared(graph: nx.DiGraph, layer_type: Any, num_nodes: int) -> list[Any]:
    return [
        layer for layer in _layers_of_type(graph, layer_type)
        if len(_model_nodes_of(graph, layer)) == num_nodes
    ]


def _check_calls_on_distinct_tensors(layer: Any, graph: nx.DiGraph, name: str, what: str) -> None:
    """Fails when two calls of a shared layer receive the very same tensors."""
    seen = {}
    for inputs in _node_inputs(layer, graph):
        key = tuple(id(tensor) for tensor in inputs)
        if key in seen:
            source = ", ".join(_describe_source(graph_tools.origin_of(t)) for t in inputs)
            fail(
                f"Your model `{name}` calls its {what} twice on the same tensor ({source}).",
                "Expected each call to read a different branch.",
                "look at the tensor you pass in each call of the shared layer.",
            )
        seen[key] = inputs


@student_check
def check_shared_layer(
    model: Any, layer_type: Any, *, num_nodes: int = 2, name: str = "model",
    what: str | None = None, what_plural: str | None = None,
) -> None:
    """Checks that one layer instance of `layer_type` is called `num_nodes` times.

    Sharing means one instance, so one set of weights, serving every branch;
    two look-alike layers, each called once, learn two different sets.

    Args:
        model: the student's model.
        layer_type: the shared layer's type (class or class name).
        num_nodes: how many times the model should call it.
        name: the student's variable name.
        what: how to call the layer in the message (default: its type).
        what_plural: the plural of `what` (default: `what` + "s").
    """
    graph = _graph(model, name)
    what = what or f"{_type_name(layer_type)} layer"
    shared = _find_shared(graph, layer_type, num_nodes)
    if shared:
        _check_calls_on_distinct_tensors(shared[0], graph, name, what)
        return
    candidates = _layers_of_type(graph, layer_type)
    calls = [len(_model_nodes_of(graph, layer)) for layer in candidates]
    if not candidates:
        fail(
            f"Your model `{name}` has no {what} (it has: {_describe_types(graph)}).",
            f"Expected one {what} called on each of the {num_nodes} branches.",
            f"create the {what} once, then call that same object on each branch's input.",
        )
    if len(candidates) > 1:
        plural = what_plural or what + "s"
        fail(
            f"Your model `{name}` has {len(candidates)} separate {plural}, called "
            f"{', '.join(map(str, calls))} time(s): each has its own weights.",
            f"Expected a single {what} instance shared by the branches, with {num_nodes} nodes.",
            "create the layer once and call that same instance on every branch; calling the "
            "constructor again makes a new layer with new weights.",
        )
    fail(
        f"Your model `{name}` calls its {what} {calls[0]} time(s) ({calls[0]} node(s)).",
        f"Expected it to be called {num_nodes} times, once per branch.",
        "every branch should go through this same layer: call it on each branch's tensor.",
    )


@student_check
def check_shared_submodel(model: Any, *, num_nodes: int = 2, name: str = "model") -> None:
    """Checks that a model is used as a layer, shared by `num_nodes` branches.

    Catches a plain layer (say a Dense) standing where the shared sub-model
    (say the vision model) should be called on each branch.
    """
    check_shared_layer(
        model, keras.Model, num_nodes=num_nodes, name=name,
        what="sub-model (a model used as a layer)",
        what_plural="sub-models (models used as layers)",
    )


@student_check
def check_node_index(
    tensor: Any, layer: Any, expected_index: int, *, name: str = "tensor",
    layer_name: str = "the layer", reads: Any = None, reads_name: str | None = None,
) -> None:
    """Checks that a tensor comes from node `expected_index` of `layer`.

    Args:
        tensor: the student's symbolic tensor.
        layer: the layer it should come from.
        expected_index: the node (call) it should come from.
        name: the student's variable name.
        layer_name: how to call the layer in the message, e.g. "`shared_lstm`".
        reads: the tensor that call should have read, if the exercise fixes it:
            the right index on a call that read the wrong input is still wrong.
        reads_name: how to call `reads` in the message (default: its variable).
    """
    try:
        origin = graph_tools.origin_of(tensor)
    except ValueError:
        fail(
            f"Your `{name}` is a {type(tensor).__name__}, not a symbolic tensor from a layer call.",
            f"Expected the tensor that node {expected_index} of {layer_name} produced.",
            "keep the value returned by calling the layer on a keras.Input-based tensor.",
        )
    if origin.operation is not layer:
        fail(
            f"Your `{name}` comes from {_describe_source(origin)}.",
            f"Expected it to come from {layer_name}.",
            "make sure you call that layer instance, not a new layer of the same kind.",
        )
    if origin.node_index != expected_index:
        fail(
            f"Your `{name}` comes from node {origin.node_index} of {layer_name}.",
            f"Expected node {expected_index}.",
            "nodes count the calls of a layer from 0, in the order the calls are made: "
            "which call produced this tensor?",
        )
    if reads is not None:
        read = list(graph_tools.layer_nodes(layer)[origin.node_index].inputs)
        if not any(candidate is reads for candidate in read):
            wanted = reads_name or describe_tensor(reads)
            fail(
                f"Your `{name}` comes from node {origin.node_index} of {layer_name}, as asked, "
                f"but that call read {' and '.join(describe_tensor(t) for t in read)}.",
                f"Expected the call on {wanted}.",
                "look at the tensor you pass in that call of the layer.",
            )

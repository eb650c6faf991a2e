"""Checks for nbgrader test cells, written to the student.

Each check takes the student's object and `name`, the name of the student's
variable, and returns None when the answer is right. When it is wrong it
raises `AssertionError` with a message in the second person that says what
was found, what was expected, and gives a hint that does not hand over the
answer. Checks find layers by type, by the input and output names the
exercise asks for, and by how they are connected: never by auto-generated
layer names, never by the order of `model.layers`.

Example, in a test cell:

>>> from autograder.checks import check_shared_layer
>>> check_shared_layer(model, "LSTM", num_nodes=2, name="model")
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import keras
import networkx as nx
import numpy as np

from keras_functional_course import graph as graph_tools
from keras_functional_course import losses as loss_tools

__all__ = [
    "check_branches_from_input",
    "check_concat_axis",
    "check_feeds",
    "check_input_shapes",
    "check_layer_types",
    "check_loss_weights",
    "check_losses",
    "check_model",
    "check_node_index",
    "check_output_shapes",
    "check_param_count",
    "check_residual_shortcut",
    "check_same_structure",
    "check_shape",
    "check_shared_layer",
    "check_shared_submodel",
    "check_weighted_loss",
]


def _fail(found: str, expected: str, hint: str) -> None:
    raise AssertionError(f"{found} {expected}\nHint: {hint}")


def _shape(value: Any) -> tuple:
    return tuple(None if d is None else int(d) for d in value)


def _type_name(layer_type: Any) -> str:
    return layer_type if isinstance(layer_type, str) else layer_type.__name__


def _is_type(layer: Any, layer_type: Any) -> bool:
    if isinstance(layer_type, str):
        return any(cls.__name__ == layer_type for cls in type(layer).__mro__)
    return isinstance(layer, layer_type)


def _graph(model: Any, name: str) -> nx.DiGraph:
    check_model(model, name=name)
    return graph_tools.model_graph(model)


def _layers_of_type(graph: nx.DiGraph, layer_type: Any) -> list[Any]:
    return [
        data["layer"]
        for _, data in sorted(graph.nodes(data=True), key=lambda item: item[1]["order"])
        if _is_type(data["layer"], layer_type)
    ]


def _describe_types(graph: nx.DiGraph) -> str:
    counts = Counter(data["type"] for _, data in graph.nodes(data=True) if not data["is_input"])
    return ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items())) or "no layers"


def _single_layer(layer_type: Any, name: str, graph: nx.DiGraph) -> Any:
    found = _layers_of_type(graph, layer_type)
    if len(found) != 1:
        _fail(
            f"Your model `{name}` has {len(found)} {_type_name(layer_type)} layer(s).",
            f"This exercise expects exactly one (your model has: {_describe_types(graph)}).",
            f"build the {_type_name(layer_type)} step once, with the layer the exercise names.",
        )
    return found[0]


def _model_nodes_of(graph: nx.DiGraph, layer: Any) -> tuple[int, ...]:
    return graph.nodes[layer.name]["node_indices"]


def check_model(model: Any, *, name: str = "model") -> None:
    """Checks that the student's variable holds a Keras model with a layer graph.

    Args:
        model: the student's object.
        name: the student's variable name, for the message.
    """
    if model is None:
        _fail(
            f"Your `{name}` is None.",
            "Expected a keras.Model.",
            "replace the `None` placeholder with the model you build, and run the cell.",
        )
    if isinstance(model, keras.KerasTensor):
        _fail(
            f"Your `{name}` is a tensor {_shape(model.shape)}, not a model.",
            "Expected a keras.Model.",
            "wrap your inputs and outputs with keras.Model(inputs=..., outputs=...).",
        )
    if not isinstance(model, keras.Model):
        _fail(
            f"Your `{name}` is a {type(model).__name__}.",
            "Expected a keras.Model.",
            "build it with keras.Model(inputs=..., outputs=...) or keras.Sequential([...]).",
        )
    try:
        graph_tools.model_graph(model)
    except ValueError as error:
        _fail(
            f"Your model `{name}` has no layer graph to inspect ({error}).",
            "Expected a functional model, or a Sequential model that starts with keras.Input.",
            "give the model its input shape with keras.Input(shape=...).",
        )


def _check_named_shapes(
    names: Sequence[str], tensors: Sequence[Any], expected: Mapping[str, Sequence[int | None]],
    kind: str, model_name: str, name_hint: str, shape_hint: str,
) -> None:
    names = list(names)
    if sorted(names) != sorted(expected):
        count_hint = (
            f"list exactly the {kind}s the exercise asks for when you create the model."
        )
        all_named = set(expected) <= set(names) or set(names) <= set(expected)
        _fail(
            f"Your model `{model_name}` has {kind}s named {names}.",
            f"Expected {len(expected)} {kind}(s) named {sorted(expected)}.",
            count_hint if all_named and len(names) != len(expected) else name_hint,
        )
    for tensor_name, tensor in zip(names, tensors, strict=True):
        found, wanted = _shape(tensor.shape), _shape(expected[tensor_name])
        if found != wanted:
            _fail(
                f"The {kind} {tensor_name!r} of your model `{model_name}` has shape {found}.",
                f"Expected {wanted} (None is the batch size, or a length that may vary).",
                shape_hint,
            )


def check_input_shapes(
    model: Any, expected: Mapping[str, Sequence[int | None]], *, name: str = "model"
) -> None:
    """Checks the names and shapes of a model's inputs.

    Args:
        model: the student's model.
        expected: input name -> full shape including the batch dimension,
            e.g. {"text": (None, None), "question": (None, None)}.
        name: the student's variable name.
    """
    check_model(model, name=name)
    inputs = list(model.inputs)
    names = [tensor.name for tensor in inputs]
    _check_named_shapes(
        names, inputs, expected, "input", name,
        "name each input when you create it: keras.Input(shape=..., name=...).",
        "the `shape` given to keras.Input leaves out the batch dimension; None lets a "
        "length vary.",
    )


def check_output_shapes(
    model: Any, expected: Mapping[str, Sequence[int | None]], *, name: str = "model"
) -> None:
    """Checks the names and shapes of a model's outputs.

    Args:
        model: the student's model.
        expected: output name -> full shape, e.g. {"age": (None, 1)}.
        name: the student's variable name.
    """
    check_model(model, name=name)
    _check_named_shapes(
        graph_tools.output_names(model), list(model.outputs), expected, "output", name,
        "an output is named after the layer that produces it: pass name=... to that layer.",
        "follow the shape step by step from the input: which layer sets the dimension "
        "that differs?",
    )


def check_shape(tensor: Any, expected: Sequence[int | None], *, name: str = "tensor") -> None:
    """Checks the shape of a symbolic tensor (or of a one-output model's output).

    Args:
        tensor: the student's tensor or single-output model.
        expected: the full shape including the batch dimension.
        name: the student's variable name.
    """
    if isinstance(tensor, keras.Model):
        tensor = tensor.outputs[0]
    if not hasattr(tensor, "shape"):
        _fail(
            f"Your `{name}` is a {type(tensor).__name__}, which has no shape.",
            f"Expected a tensor of shape {_shape(expected)}.",
            "keep the tensor that the layer call returns, not the layer itself.",
        )
    found = _shape(tensor.shape)
    if found != _shape(expected):
        symbolic = isinstance(tensor, keras.KerasTensor)
        _fail(
            f"Your `{name}` has shape {found}.",
            f"Expected shape {_shape(expected)}.",
            "compare the two shapes axis by axis and find the layer that sets the one "
            "that differs." if symbolic else
            "the first axis counts the samples you passed in; the others come from the "
            "model's output: compare them one by one.",
        )


def check_param_count(model: Any, expected: int, *, name: str = "model") -> None:
    """Checks a model's total number of parameters."""
    check_model(model, name=name)
    found = model.count_params()
    if found != expected:
        _fail(
            f"Your model `{name}` has {found:,} parameters.",
            f"Expected {expected:,}.",
            "run model.summary() and compare each layer's parameters with the sizes the "
            "exercise gives.",
        )


def check_layer_types(model: Any, expected: Mapping[str, int], *, name: str = "model") -> None:
    """Checks how many layers of each listed type a model has.

    Args:
        model: the student's model.
        expected: layer class name -> count, e.g. {"LSTM": 1, "Dense": 1}.
            Types not listed are not checked.
        name: the student's variable name.
    """
    graph = _graph(model, name)
    for layer_type, count in expected.items():
        found = len(_layers_of_type(graph, layer_type))
        if found != count:
            _fail(
                f"Your model `{name}` has {found} {layer_type} layer(s).",
                f"Expected {count} (your model has: {_describe_types(graph)}).",
                f"count how many {layer_type} layer *instances* you create: calling one "
                "instance twice still counts as one.",
            )


def _describe_source(origin: Any) -> str:
    operation = origin.operation
    if isinstance(operation, keras.layers.InputLayer):
        return f"the input {operation.name!r}"
    return f"the output of a {type(operation).__name__} layer ({operation.name!r})"


def _describe_destination(layer: Any) -> str:
    if isinstance(layer, keras.Model):
        return f"the sub-model {layer.name!r}"
    return f"the {type(layer).__name__} layer"


def _node_inputs(layer: Any, graph: nx.DiGraph) -> list[list[Any]]:
    """The input tensors of each of `layer`'s nodes in the model."""
    nodes = graph_tools.layer_nodes(layer)
    return [list(nodes[index].inputs) for index in _model_nodes_of(graph, layer)]


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
        _fail(
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
        _fail(
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
        _fail(
            f"The Add layer of your residual block `{name}` receives {sources}.",
            "Expected one of them to be the shortcut: the block's input itself, or a 1x1 "
            "convolution of it when the shapes differ.",
            "keep a reference to the tensor that enters the block, and add it (or its "
            "projection) to the output of the convolution path.",
        )
    if shortcut == "projection" and not projection:
        _fail(
            f"The Add layer of your residual block `{name}` adds the block's input unchanged.",
            "Expected a projection shortcut: a 1x1 Conv2D applied to the block's input.",
            "when the path changes the shape (filters or strides), the shortcut must be "
            "projected to the same shape before the addition.",
        )
    if shortcut == "identity" and not identity:
        _fail(
            f"The Add layer of your residual block `{name}` adds a projection of the input.",
            "Expected an identity shortcut: the block's input itself.",
            "when the path keeps the shape, no projection is needed.",
        )


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
        _fail(
            f"Your model `{name}` concatenates along axis {axis}; its output shape is "
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
        _fail(
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
            _fail(
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
            _fail(
                f"Your model `{name}` calls its {what} twice on the same tensor ({source}).",
                "Expected each call to read a different branch.",
                "look at the tensor you pass in each call of the shared layer.",
            )
        seen[key] = inputs


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
        _fail(
            f"Your model `{name}` has no {what} (it has: {_describe_types(graph)}).",
            f"Expected one {what} called on each of the {num_nodes} branches.",
            f"create the {what} once, then call that same object on each branch's input.",
        )
    if len(candidates) > 1:
        plural = what_plural or what + "s"
        _fail(
            f"Your model `{name}` has {len(candidates)} separate {plural}, called "
            f"{', '.join(map(str, calls))} time(s): each has its own weights.",
            f"Expected a single {what} instance shared by the branches, with {num_nodes} nodes.",
            "create the layer once and call that same instance on every branch; calling the "
            "constructor again makes a new layer with new weights.",
        )
    _fail(
        f"Your model `{name}` calls its {what} {calls[0]} time(s) ({calls[0]} node(s)).",
        f"Expected it to be called {num_nodes} times, once per branch.",
        "every branch should go through this same layer: call it on each branch's tensor.",
    )


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


def check_node_index(
    tensor: Any, layer: Any, expected_index: int, *, name: str = "tensor",
    layer_name: str = "the layer",
) -> None:
    """Checks that a tensor comes from node `expected_index` of `layer`.

    Args:
        tensor: the student's symbolic tensor.
        layer: the layer it should come from.
        expected_index: the node (call) it should come from.
        name: the student's variable name.
        layer_name: how to call the layer in the message, e.g. "`shared_lstm`".
    """
    try:
        origin = graph_tools.origin_of(tensor)
    except ValueError:
        _fail(
            f"Your `{name}` is a {type(tensor).__name__}, not a symbolic tensor from a layer call.",
            f"Expected the tensor that node {expected_index} of {layer_name} produced.",
            "keep the value returned by calling the layer on a keras.Input-based tensor.",
        )
    if origin.operation is not layer:
        _fail(
            f"Your `{name}` comes from {_describe_source(origin)}.",
            f"Expected it to come from {layer_name}.",
            "make sure you call that layer instance, not a new layer of the same kind.",
        )
    if origin.node_index != expected_index:
        _fail(
            f"Your `{name}` comes from node {origin.node_index} of {layer_name}.",
            f"Expected node {expected_index}.",
            "nodes count the calls of a layer from 0, in the order the calls are made: "
            "which call produced this tensor?",
        )


def _compile_error_message(name: str, error: ValueError, model: Any) -> None:
    loss = loss_tools.single_loss(model)
    weights = model.get_compile_config()["loss_weights"]
    if loss is not None and weights is not None:
        found = (
            f"You compiled `{name}` with one loss, {loss_tools.loss_name(loss)!r}, and "
            f"{len(weights)} loss weights: Keras 3 refuses this when training starts "
            "('loss_weights must match the number of losses')."
        )
    else:
        found = f"The way you compiled `{name}` does not match its outputs: {error}"
    _fail(
        found,
        "Expected one loss per output (a list or a dict keyed by output name), with "
        "matching loss weights.",
        "with several outputs, give `loss` as a list in the order of model.output_names "
        "or as a dict keyed by output name, and `loss_weights` the same way.",
    )


def _check_compiled(model: Any, name: str) -> None:
    check_model(model, name=name)
    if not model.compiled:
        _fail(
            f"Your model `{name}` is not compiled.",
            "Expected it compiled with a loss for each output and their loss weights.",
            "call model.compile(optimizer=..., loss=..., loss_weights=...).",
        )


def check_losses(model: Any, expected: Mapping[str, str], *, name: str = "model") -> None:
    """Checks the loss compiled for each output.

    Loss names are compared after resolving aliases ("mse" is
    "mean_squared_error"; a `keras.losses.Loss` object counts as its function).

    Args:
        model: the student's compiled model.
        expected: output name -> loss name, e.g. {"age": "mse", ...}.
        name: the student's variable name.
    """
    _check_compiled(model, name)
    try:
        given = loss_tools.output_losses(model)
    except ValueError as error:
        _compile_error_message(name, error, model)
    found = {output: loss_tools.loss_name(loss) for output, loss in given.items()}
    wanted = {output: loss_tools.loss_name(loss) for output, loss in expected.items()}
    if found == wanted:
        return
    compiled_loss = loss_tools.single_loss(model)
    if compiled_loss is not None and len(found) > 1:
        _fail(
            f"You compiled `{name}` with one loss, {loss_tools.loss_name(compiled_loss)!r}, "
            f"for all {len(found)} outputs.",
            "Expected a loss suited to each output's task.",
            "regression, multi-class and binary outputs each need their own loss: give a "
            "list in the order of model.output_names, or a dict keyed by output name.",
        )
    wrong = [output for output in wanted if found.get(output) != wanted[output]]
    names = graph_tools.output_names(model)
    _fail(
        f"Your model `{name}` uses {', '.join(f'{o}: {found.get(o)!r}' for o in wrong)}.",
        f"Expected {', '.join(f'{o}: {wanted[o]!r}' for o in wrong)}.",
        "a list of losses follows the order of model.output_names "
        f"({names}); a dict keyed by output name avoids order mistakes." if len(names) > 1
        else "match the loss to the output's task: a number (regression), one class of "
        "several, or a yes/no answer.",
    )


def check_loss_weights(
    model: Any, expected: Mapping[str, float], *, name: str = "model", rtol: float = 1e-6
) -> None:
    """Checks the loss weight compiled for each output, by output name.

    Args:
        model: the student's compiled model.
        expected: output name -> weight, e.g. {"main_output": 1.0, "aux_output": 0.2}.
        name: the student's variable name.
        rtol: relative tolerance.
    """
    _check_compiled(model, name)
    try:
        found = loss_tools.output_loss_weights(model)
    except ValueError as error:
        _compile_error_message(name, error, model)
    wrong = [
        output for output, weight in expected.items()
        if not np.isclose(found.get(output, np.nan), weight, rtol=rtol)
    ]
    if wrong:
        _fail(
            f"Your model `{name}` weights the losses "
            f"{', '.join(f'{o}: {found[o]:g}' for o in found)}.",
            f"Expected {', '.join(f'{o}: {w:g}' for o, w in expected.items())}.",
            "a list of weights follows the order of model.output_names "
            f"({graph_tools.output_names(model)}); a dict keyed by output name avoids order "
            "mistakes.",
        )


def check_weighted_loss(
    model: Any, x: Any, y: Any, expected_weights: Mapping[str, float], *,
    name: str = "model", rtol: float = 1e-4,
) -> None:
    """Checks numerically, on a batch, that the total loss is the expected weighted sum.

    Computes each output's loss on `(x, y)`, the sum of expected weight times
    loss, and compares it with the total loss Keras computes for the
    student's compiled model.

    Args:
        model: the student's compiled model.
        x, y: one batch of inputs and targets (lists or dicts by name).
        expected_weights: output name -> expected loss weight.
        name: the student's variable name.
        rtol: relative tolerance of the comparison.
    """
    _check_compiled(model, name)
    try:
        breakdown = loss_tools.loss_breakdown(model, x, y)
    except ValueError as error:
        _compile_error_message(name, error, model)
    expected_total = sum(
        expected_weights[output] * breakdown.losses[output] for output in breakdown.losses
    ) + breakdown.regularization
    if not np.isclose(breakdown.total, expected_total, rtol=rtol, atol=1e-6):
        terms = " + ".join(
            f"{expected_weights[o]:g} x {breakdown.losses[o]:.4f} ({o})" for o in breakdown.losses
        )
        _fail(
            f"On a test batch, the total loss of your model `{name}` is "
            f"{breakdown.total:.4f}.",
            f"Expected the weighted sum of the per-output losses, {terms} = "
            f"{expected_total:.4f}.",
            "the total is the sum of each output's loss times its weight: check which "
            "weight goes with which output.",
        )


def _structure(model: Any) -> nx.DiGraph:
    """The model graph with name-free labels on nodes and edges."""
    graph = graph_tools.model_graph(model)
    labelled = nx.DiGraph()
    rank = {
        name: {index: position for position, index in enumerate(data["node_indices"])}
        for name, data in graph.nodes(data=True)
    }
    for node, data in graph.nodes(data=True):
        shapes = " and ".join(
            str(data["output_shapes"][index]) for index in data["node_indices"]
        )
        labelled.add_node(node, label=(data["type"], shapes), type=data["type"])
    for source, destination, data in graph.edges(data=True):
        labelled.add_edge(
            source, destination,
            label=tuple(sorted(
                (rank[source][c.source_node_index], c.tensor_index,
                 rank[destination][c.destination_node_index], c.position)
                for c in data["connections"]
            )),
        )
    return labelled


def _counter_difference(found: Counter, wanted: Counter, describe: Callable[[Any], str]) -> str:
    parts = []
    for key in sorted(set(found) | set(wanted), key=str):
        if found[key] != wanted[key]:
            parts.append(f"{found[key]} {describe(key)} (expected {wanted[key]})")
    return "; ".join(parts)


def check_same_structure(model: Any, reference: Any, *, name: str = "model") -> None:
    """Checks that a model has the same graph as a reference, names aside.

    The two layer graphs are compared as labelled graphs: each layer labelled
    by its type and output shape(s), each edge by which node's output goes
    to which node's input. Layer names and the order of `model.layers` play
    no part.

    Args:
        model: the student's model.
        reference: the model it should be equivalent to.
        name: the student's variable name.
    """
    check_model(model, name=name)
    found, wanted = _structure(model), _structure(reference)
    found_types = Counter(nx.get_node_attributes(found, "type").values())
    wanted_types = Counter(nx.get_node_attributes(wanted, "type").values())
    if found_types != wanted_types:
        _fail(
            f"Your model `{name}` has "
            f"{_counter_difference(found_types, wanted_types, lambda t: f'{t} layer(s)')}.",
            "Expected the same layers as the reference architecture.",
            "compare model.summary() with the architecture described above, layer by layer.",
        )
    found_labels = Counter(nx.get_node_attributes(found, "label").values())
    wanted_labels = Counter(nx.get_node_attributes(wanted, "label").values())
    if found_labels != wanted_labels:
        difference = _counter_difference(
            found_labels, wanted_labels, lambda label: f"{label[0]} with output {label[1]}"
        )
        _fail(
            f"Your model `{name}` has the right kinds of layers, but {difference}.",
            "Expected every layer's output shape to match the reference.",
            "check the sizes (units, filters, strides, axes) you give each layer.",
        )
    if not nx.is_isomorphic(
        found, wanted,
        node_match=lambda a, b: a["label"] == b["label"],
        edge_match=lambda a, b: a["label"] == b["label"],
    ):
        _fail(
            f"Your model `{name}` has the right layers, but they are connected differently "
            "from the reference.",
            "Expected the same connections: each layer called on the same tensors.",
            "draw your graph (keras_functional_course.drawing.draw_model) and follow "
            "each tensor from the inputs to the outputs.",
        )

"""Structure and settings: is it a model, with the inputs, outputs and layers asked for.

Checks that find layers by type, by the names an exercise asks for, and by
counts, never by auto-generated layer names or by the order of
`model.layers`. `autograder.checks.comparison` compares a whole model with
the solution's own model, setting by setting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import keras
import networkx as nx

from autograder.checks.messages import fail, student_check
from keras_functional_course import graph as graph_tools


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
        fail(
            f"Your model `{name}` has {len(found)} {_type_name(layer_type)} layer(s).",
            f"This exercise expects exactly one (your model has: {_describe_types(graph)}).",
            f"build the {_type_name(layer_type)} step once, with the layer the exercise names.",
        )
    return found[0]


def _model_nodes_of(graph: nx.DiGraph, layer: Any) -> tuple[int, ...]:
    return graph.nodes[layer.name]["node_indices"]


@student_check
def check_model(model: Any, *, name: str = "model") -> None:
    """Checks that the student's variable holds a Keras model with a layer graph.

    Args:
        model: the student's object.
        name: the student's variable name, for the message.
    """
    if model is None:
        fail(
            f"Your `{name}` is None.",
            "Expected a keras.Model.",
            "replace the `None` placeholder with the model you build, and run the cell.",
        )
    if isinstance(model, keras.KerasTensor):
        fail(
            f"Your `{name}` is a tensor {_shape(model.shape)}, not a model.",
            "Expected a keras.Model.",
            "wrap your inputs and outputs with keras.Model(inputs=..., outputs=...).",
        )
    if not isinstance(model, keras.Model):
        fail(
            f"Your `{name}` is a {type(model).__name__}.",
            "Expected a keras.Model.",
            "build it with keras.Model(inputs=..., outputs=...) or keras.Sequential([...]).",
        )
    try:
        graph_tools.model_graph(model)
    except ValueError as error:
        fail(
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
        fail(
            f"Your model `{model_name}` has {kind}s named {names}.",
            f"Expected {len(expected)} {kind}(s) named {sorted(expected)}.",
            count_hint if all_named and len(names) != len(expected) else name_hint,
        )
    for tensor_name, tensor in zip(names, tensors, strict=True):
        found, wanted = _shape(tensor.shape), _shape(expected[tensor_name])
        if found != wanted:
            fail(
                f"The {kind} {tensor_name!r} of your model `{model_name}` has shape {found}.",
                f"Expected {wanted} (None is the batch size, or a length that may vary).",
                shape_hint,
            )


@student_check
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


@student_check
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


@student_check
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
        fail(
            f"Your `{name}` is a {type(tensor).__name__}, which has no shape.",
            f"Expected a tensor of shape {_shape(expected)}.",
            "keep the tensor that the layer call returns, not the layer itself.",
        )
    found = _shape(tensor.shape)
    if found != _shape(expected):
        symbolic = isinstance(tensor, keras.KerasTensor)
        fail(
            f"Your `{name}` has shape {found}.",
            f"Expected shape {_shape(expected)}.",
            "compare the two shapes axis by axis and find the layer that sets the one "
            "that differs." if symbolic else
            "the first axis counts the samples you passed in; the others come from the "
            "model's output: compare them one by one.",
        )


@student_check
def check_param_count(model: Any, expected: int, *, name: str = "model") -> None:
    """Checks a model's total number of parameters."""
    check_model(model, name=name)
    found = model.count_params()
    if found != expected:
        fail(
            f"Your model `{name}` has {found:,} parameters.",
            f"Expected {expected:,}.",
            "run model.summary() and compare each layer's parameters with the sizes the "
            "exercise gives.",
        )


@student_check
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
            fail(
                f"Your model `{name}` has {found} {layer_type} layer(s).",
                f"Expected {count} (your model has: {_describe_types(graph)}).",
                f"count how many {layer_type} layer *instances* you create: calling one "
                "instance twice still counts as one.",
            )




@student_check
def layer_named(model: Any, layer_name: str, *, name: str = "model") -> Any:
    """Returns the model's layer called `layer_name`, or fails with a message.

    For names the exercise asks for: `model.get_layer` would raise a bare
    ValueError on a wrong answer.
    """
    check_model(model, name=name)
    for layer in model.layers:
        if layer.name == layer_name:
            return layer
    given = sorted(layer.name for layer in model.layers
                   if not isinstance(layer, keras.layers.InputLayer))
    fail(
        f"Your model `{name}` has no layer named {layer_name!r} (its layers: {given}).",
        f"Expected a layer named {layer_name!r}, as the exercise asks.",
        "pass name=... when you create that layer.",
    )


@student_check
def check_layer_names(model: Any, names: Sequence[str], *, name: str = "model") -> None:
    """Checks that the model has a layer for each name the exercise asks for."""
    for layer_name in names:
        layer_named(model, layer_name, name=name)

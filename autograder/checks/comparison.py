"""Comparing a student's model with the solution's own model, setting by setting.

The comparison works on each model's layer graph (`graph.model_graph`), made
canonical so that equivalent spellings compare equal:

- every layer is labelled with its class and the settings an exercise can fix
  (units, filters, kernel size, strides, padding, dilation, activation,
  dropout rate, pooling size, merge axis, embedding sizes, recurrent options,
  the wrapped layer of `TimeDistributed`, the graph of a sub-model), never
  with its name;
- an `Activation`, `ReLU` or `Softmax` layer that follows a layer with no
  activation of its own, and is its only reader, is folded into it, so
  `Dense(8)` + `Activation("relu")` is `Dense(8, activation="relu")`;
- edges say which node (call) of a layer feeds which node of another; the
  order of operands counts for order-sensitive merges (`Concatenate`,
  `Subtract`, `Dot`, and any other layer with several inputs) but not for the
  commutative ones (`Add`, `Multiply`, `Average`, `Maximum`, `Minimum`).

The student's graph is matched to the reference's on classes and connections
alone; among the matchings, the one with the fewest differences in settings is
kept, and the first difference (from the inputs on) is reported in the
student's terms: the layer's name or variable, the setting found and the
setting expected, with a hint about that setting.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import keras
import networkx as nx
from networkx.algorithms import isomorphism

from autograder.checks import custom
from autograder.checks.messages import (
    describe_layer,
    describe_tensor,
    fail,
    is_auto_name,
    student_check,
    student_namespace,
)
from autograder.checks.structure import check_model
from keras_functional_course import graph as graph_tools

ORDER_FREE_MERGES = frozenset({"Add", "Multiply", "Average", "Maximum", "Minimum"})
"""Merge layers whose operands may come in any order."""

SETTINGS = {
    "units": "units",
    "filters": "filters",
    "kernel_size": "kernel size",
    "strides": "strides",
    "padding": "padding",
    "dilation_rate": "dilation rate",
    "groups": "groups",
    "activation": "activation",
    "use_bias": "use_bias",
    "rate": "dropout rate",
    "pool_size": "pool size",
    "keepdims": "keepdims",
    "axis": "axis",
    "axes": "axes",
    "normalize": "normalize",
    "input_dim": "input_dim (the number of distinct indices)",
    "output_dim": "output_dim (the length of each vector)",
    "return_sequences": "return_sequences",
    "return_state": "return_state",
    "go_backwards": "go_backwards",
    "stateful": "stateful",
    "dropout": "dropout",
    "recurrent_dropout": "recurrent_dropout",
    "target_shape": "target shape",
    "dims": "dims",
    "n": "n (repetitions)",
    "size": "size",
    "merge_mode": "merge_mode",
    "layer": "wrapped layer",
    "model": "layers",
    "shape": "shape",
    "dtype": "dtype",
}
"""The settings compared, with the words a message uses for them."""

HINTS = {
    "activation": "look at the activation you give this layer (`activation=...`, or an "
                  "Activation layer right after it): which one does the exercise ask for?",
    "units": "count the units the exercise gives this layer.",
    "filters": "count the filters the exercise gives this convolution.",
    "kernel_size": "look at the window size the exercise gives this layer.",
    "strides": "look at the step (strides) the exercise gives this layer.",
    "padding": "'same' keeps the height and width, 'valid' shrinks them: which does the "
               "exercise ask for?",
    "rate": "look at the dropout rate the exercise gives.",
    "pool_size": "look at the pooling window the exercise gives.",
    "axis": "which axis holds the features to join? `axis=-1` is the last one.",
    "input_dim": "input_dim counts the distinct indices (the vocabulary size), output_dim "
                 "the length of each vector: check both, in that order.",
    "output_dim": "input_dim counts the distinct indices (the vocabulary size), output_dim "
                  "the length of each vector: check both, in that order.",
    "return_sequences": "does the next layer need the whole sequence or only the last step?",
    "layer": "wrap the layer or model the exercise names.",
    "model": "call the sub-model the exercise names, built as it describes.",
    "shape": "the `shape` given to keras.Input leaves out the batch dimension.",
    "dtype": "keras.Input takes a dtype=...: word indices are integers.",
}

_ACTIVATION_LAYERS = {"Activation", "ReLU", "Softmax"}


@dataclass
class _Layer:
    """One layer of a canonical graph."""

    key: str
    layer: Any
    kind: str
    settings: dict[str, Any]
    ranks: dict[int, int]
    output_shapes: dict[int, Any]
    depth: int = 0
    inputs: dict[int, list[tuple[str, int, int]]] = field(default_factory=dict)


@dataclass
class _Canonical:
    """A model's canonical graph: layers, connections, inputs and outputs in order."""

    layers: dict[str, _Layer]
    graph: nx.DiGraph
    inputs: list[str]
    outputs: list[tuple[str, int, int]]
    model: Any = None


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _plain(item)) for key, item in value.items()))
    if isinstance(value, float):
        return round(value, 6)
    return value


def _activation_of(layer: Any) -> str | None:
    """The activation an activation layer applies, or None if it is another kind."""
    kind = type(layer).__name__
    config = layer.get_config()
    if kind == "Activation":
        return keras.activations.serialize(keras.activations.get(config["activation"])) \
            if not isinstance(config["activation"], str) else config["activation"]
    if kind == "ReLU" and config.get("max_value") is None and not config.get(
            "negative_slope") and not config.get("threshold"):
        return "relu"
    if kind == "Softmax" and config.get("axis") in (-1, [-1], (-1,)):
        return "softmax"
    return None


def signature(layer: Any) -> tuple:
    """A layer's class and settings, as a hashable, name-free value."""
    return (_kind(layer), tuple(sorted(_settings(layer, rank=None).items())))


def _kind(layer: Any) -> str:
    if custom.is_custom(layer):
        return type(layer).__name__  # the student's class: its name and config say what it is
    if isinstance(layer, keras.Model):
        return "Model"
    if type(layer).__name__ in ("ReLU", "Softmax") and _activation_of(layer) is not None:
        return "Activation"  # ReLU() is Activation("relu") wherever it stands
    return type(layer).__name__


def _settings(layer: Any, rank: int | None) -> dict[str, Any]:
    if isinstance(layer, keras.layers.InputLayer):
        shape = tuple(layer.output.shape)
        return {"shape": shape, "dtype": "int" if "int" in str(layer.output.dtype) else (
            "bool" if "bool" in str(layer.output.dtype) else "float")}
    if custom.is_custom(layer):
        config = custom.config_of(layer) or {}
        return {key: _plain(value) for key, value in config.items()
                if key not in ("name", "trainable", "dtype")}
    if isinstance(layer, keras.Model):
        inner = _canonical(layer)
        return {"model": tuple(sorted(
            (item.kind, tuple(sorted(item.settings.items()))) for item in inner.layers.values()
        ))}
    if type(layer).__name__ in _ACTIVATION_LAYERS and _activation_of(layer) is not None:
        return {"activation": _activation_of(layer)}
    config = layer.get_config()
    settings = {}
    for key in SETTINGS:
        if key not in config or key in ("shape", "dtype", "model"):
            continue
        value = config[key]
        if key == "layer":
            value = signature(layer.layer)
        elif key == "activation" and value is None:
            value = "linear"
        elif key == "axis" and isinstance(value, int) and rank is not None and value < 0:
            value = value % rank
        settings[key] = _plain(value)
    return settings


def _rank_of(layer: Any, node_index: int) -> int | None:
    shape = graph_tools.output_shape_at(layer, node_index)
    return len(shape) if isinstance(shape, tuple) and all(
        not isinstance(d, tuple) for d in shape) else None


def _canonical(model: Any) -> _Canonical:
    """Builds the canonical graph of `model`: settings on layers, activations folded."""
    graph = graph_tools.model_graph(model)
    layers: dict[str, _Layer] = {}
    for key, data in graph.nodes(data=True):
        layer = data["layer"]
        indices = data["node_indices"]
        ranks = {index: position for position, index in enumerate(indices)}
        layers[key] = _Layer(
            key=key, layer=layer, kind=_kind(layer),
            settings=_settings(layer, _rank_of(layer, indices[0]) if indices else None),
            ranks=ranks,
            output_shapes={ranks[i]: data["output_shapes"][i] for i in indices},
            depth=data.get("depth", 0),
        )
    for source, destination, data in graph.edges(data=True):
        for connection in data["connections"]:
            inputs = layers[destination].inputs.setdefault(
                layers[destination].ranks[connection.destination_node_index], [])
            inputs.append((connection.position, source,
                           layers[source].ranks[connection.source_node_index],
                           connection.tensor_index))
    for item in layers.values():
        item.inputs = {
            rank: [entry[1:] for entry in sorted(entries)] for rank, entries in item.inputs.items()
        }
    outputs = []
    for tensor in model.outputs:
        origin = graph_tools.origin_of(tensor)
        item = layers[origin.operation.name]
        outputs.append((item.key, item.ranks[origin.node_index], origin.tensor_index))
    inputs = [graph_tools.origin_of(tensor).operation.name for tensor in model.inputs]
    _fold_activations(layers, outputs)
    return _Canonical(layers, _connection_graph(layers), inputs, outputs, model)


def _readers(layers: dict[str, _Layer], key: str) -> list[tuple[str, int]]:
    return [
        (other.key, rank) for other in layers.values()
        for rank, entries in other.inputs.items() for entry in entries if entry[0] == key
    ]


def _fold_activations(layers: dict[str, _Layer], outputs: list[tuple[str, int, int]]) -> None:
    """Folds an activation layer into the layer it follows, when that is equivalent."""
    for key in list(layers):
        item = layers[key]
        activation = _activation_of(item.layer) if item.kind in _ACTIVATION_LAYERS else None
        if activation is None or len(item.ranks) != 1 or len(item.inputs.get(0, [])) != 1:
            continue
        source_key, source_rank, _ = item.inputs[0][0]
        source = layers[source_key]
        if (len(source.ranks) != 1 or source.settings.get("activation") != "linear"
                or len(_readers(layers, source_key)) != 1
                or any(output[0] == source_key for output in outputs)):
            continue
        source.settings["activation"] = activation
        source.output_shapes = item.output_shapes
        for other in layers.values():
            for entries in other.inputs.values():
                for position, entry in enumerate(entries):
                    if entry[0] == key:
                        entries[position] = (source_key, source_rank, entry[2])
        for position, output in enumerate(outputs):
            if output[0] == key:
                outputs[position] = (source_key, source_rank, output[2])
        del layers[key]


def _connection_graph(layers: dict[str, _Layer]) -> nx.DiGraph:
    """The graph matched on: class and node count on layers, node-to-node edges."""
    graph = nx.DiGraph()
    for item in layers.values():
        graph.add_node(item.key, kind=item.kind, calls=len(item.ranks))
    for item in layers.values():
        for rank, entries in item.inputs.items():
            for source, source_rank, tensor_index in entries:
                label = graph.edges[source, item.key]["label"] if graph.has_edge(
                    source, item.key) else ()
                graph.add_edge(source, item.key,
                               label=tuple(sorted(label + ((source_rank, tensor_index, rank),))))
    return graph


@dataclass(order=True)
class _Difference:
    """One way the student's model differs from the reference, in report order."""

    priority: tuple
    message: tuple[str, str, str] = field(compare=False)


def _words(key: str, value: Any) -> str:
    if key == "activation" and value == "linear":
        return "no activation (linear)"
    if key in ("layer", "model"):
        return "a different one"
    return repr(value)


def _listed(tensors: list[Any], namespace: Any) -> str:
    """A model's inputs or outputs in order: their names, unless Keras made them up."""
    operations = [graph_tools.origin_of(tensor).operation for tensor in tensors]
    if not any(is_auto_name(operation) for operation in operations):
        return str([operation.name for operation in operations])
    return ", then ".join(
        f"{describe_tensor(tensor, namespace)} {tuple(tensor.shape)}" for tensor in tensors)


def _differences(found: _Canonical, wanted: _Canonical, mapping: dict[str, str],
                 name: str, namespace: Any) -> list[_Difference]:
    differences = []

    def describe(key: str) -> str:
        return describe_layer(found.layers[key].layer, namespace, found.model)

    for key, item in found.layers.items():
        other = wanted.layers[mapping[key]]
        # A custom layer's settings are its config's keys, the student's own words.
        extra = sorted((set(item.settings) | set(other.settings)) - set(SETTINGS))
        for setting in list(SETTINGS) + extra:
            mine, theirs = item.settings.get(setting), other.settings.get(setting)
            if mine == theirs:
                continue
            what = SETTINGS.get(setting, f"the setting `{setting}`")
            if setting in ("layer", "model"):
                found_text = f"Your model `{name}`: {describe(key)} is not built like the one " \
                             "the exercise describes."
                expected = f"Expected {'its ' + what} to match the exercise's."
            else:
                found_text = f"Your model `{name}`: {describe(key)} has " + (
                    "no activation (linear)." if setting == "activation" and mine == "linear"
                    else f"{what} {_words(setting, mine)}.")
                expected = f"Expected {_words(setting, theirs)}."
            hint = HINTS.get(setting, f"look at the {what} the exercise gives this layer.")
            differences.append(_Difference((0, item.depth, key, setting),
                                           (found_text, expected, hint)))
        if item.kind not in ORDER_FREE_MERGES:
            for rank, entries in item.inputs.items():
                mapped = [(mapping[s], r, t) for s, r, t in entries]
                if len(mapped) > 1 and mapped != other.inputs.get(rank):
                    differences.append(_Difference((1, item.depth, key, "order"), (
                        f"Your model `{name}`: {describe(key)} takes its inputs in another "
                        "order than the exercise asks for.",
                        "Expected the same tensors in the order the exercise gives.",
                        "the order of the list you pass to this layer is the order of its "
                        "operands (and of the features it puts side by side).",
                    )))
        if item.output_shapes != other.output_shapes and item.kind != "InputLayer":
            differences.append(_Difference((3, item.depth, key, "shape"), (
                f"Your model `{name}`: {describe(key)} gives shape "
                f"{' and '.join(str(s) for s in item.output_shapes.values())}.",
                f"Expected {' and '.join(str(s) for s in other.output_shapes.values())}.",
                "follow the shapes from the input: which setting of this layer or of the "
                "layers before it differs from the exercise?",
            )))
    order = [mapping[key] for key in found.inputs]
    if order != wanted.inputs:
        differences.append(_Difference((2, 0, "", "inputs"), (
            f"Your model `{name}` lists its inputs in the order "
            f"{_listed(found.model.inputs, namespace)}.",
            "Expected them in the order the exercise gives.",
            "the list you give keras.Model(inputs=...) fixes the order in which data must "
            "be passed.",
        )))
    outputs = [(mapping[key], rank, tensor) for key, rank, tensor in found.outputs]
    if outputs != wanted.outputs:
        differences.append(_Difference((2, 1, "", "outputs"), (
            f"Your model `{name}` lists its outputs in another order "
            f"({_listed(found.model.outputs, namespace)}) than the exercise gives.",
            "Expected the outputs in the order the exercise gives.",
            "the list you give keras.Model(outputs=...) fixes the order of the "
            "predictions, of a list of losses and of a list of targets.",
        )))
    return sorted(differences)


def _type_counts(canonical: _Canonical) -> Counter:
    return Counter(item.kind for item in canonical.layers.values() if item.kind != "InputLayer")


def _plural(kind: str, count: int) -> str:
    if kind == "Model":
        return f"{count} sub-model{'s' if count != 1 else ''} (models used as layers)"
    return f"{count} {kind} layer{'s' if count != 1 else ''}"


_MAX_MATCHINGS = 400


@student_check
def check_same_structure(model: Any, reference: Any, *, name: str = "model") -> None:
    """Checks that a model is the reference model, names aside, setting by setting.

    Compares layer classes, the settings an exercise can fix, the
    connections between calls, the order of operands of order-sensitive
    merges, the order of the model's inputs and outputs, and the inputs'
    shapes and dtypes. Layer names, the order of `model.layers` and
    equivalent spellings (an activation as an argument or as a layer after
    it, `concatenate` or `Concatenate()`) play no part.

    Args:
        model: the student's model.
        reference: the model the exercise asks for, built by the solution's
            own code.
        name: the student's variable name.

    Example:

    >>> checks.check_same_structure(inception, reference, name="inception")
    """
    check_model(model, name=name)
    namespace = student_namespace()
    found, wanted = _canonical(model), _canonical(reference)
    found_types, wanted_types = _type_counts(found), _type_counts(wanted)
    if found_types != wanted_types:
        extra = [_plural(k, found_types[k]) + f" (expected {wanted_types[k]})"
                 for k in sorted(set(found_types) | set(wanted_types), key=str)
                 if found_types[k] != wanted_types[k]]
        fail(
            f"Your model `{name}` has {'; '.join(extra)}.",
            "Expected the layers the exercise describes, no more and no fewer.",
            "compare model.summary() with the exercise, layer by layer: which kind of "
            "layer is extra or missing? (An activation can be an argument of the layer "
            "before it.)",
        )
    matcher = isomorphism.DiGraphMatcher(
        found.graph, wanted.graph,
        node_match=lambda a, b: a["kind"] == b["kind"] and a["calls"] == b["calls"],
        edge_match=lambda a, b: a["label"] == b["label"],
    )
    best = None
    for mapping in itertools.islice(matcher.isomorphisms_iter(), _MAX_MATCHINGS):
        differences = _differences(found, wanted, mapping, name, namespace)
        if best is None or len(differences) < len(best):
            best = differences
        if not differences:
            return
    if best is None:
        _fail_connections(found, wanted, name, namespace)
    fail(*best[0].message)


def _neighbourhood(canonical: _Canonical, key: str) -> tuple:
    item = canonical.layers[key]
    sources = sorted(
        (canonical.layers[source].kind, rank, source_rank)
        for rank, entries in item.inputs.items() for source, source_rank, _ in entries
    )
    return item.kind, len(item.ranks), tuple(sources)


def _fail_connections(found: _Canonical, wanted: _Canonical, name: str, namespace: Any) -> None:
    """Fails on the first layer (from the inputs) whose inputs no reference layer has."""
    wanted_shapes = Counter(_neighbourhood(wanted, key) for key in wanted.layers)
    for key in sorted(found.layers, key=lambda k: (found.layers[k].depth, k)):
        shape = _neighbourhood(found, key)
        if wanted_shapes[shape] > 0:
            wanted_shapes[shape] -= 1
            continue
        item = found.layers[key]
        sources = [entry for entries in item.inputs.values() for entry in entries]
        read = " and ".join(
            describe_layer(found.layers[s].layer, namespace, found.model) for s, _, _ in sources)
        calls = len(item.ranks)
        fail(
            f"Your model `{name}`: {describe_layer(item.layer, namespace, found.model)} reads "
            f"{read or 'nothing'}{f' ({calls} calls)' if calls > 1 else ''}.",
            "Expected the layers connected as the exercise describes: no layer of this kind "
            "reads that there.",
            "draw your graph (keras_functional_course.drawing.draw_model) and follow each "
            "tensor from the inputs: which tensor do you pass to this layer?",
        )
    fail(
        f"Your model `{name}` has the right layers, but they are connected differently from "
        "the exercise's.",
        "Expected each layer called on the same tensors, in the same order of calls.",
        "draw your graph (keras_functional_course.drawing.draw_model) and follow each tensor "
        "from the inputs to the outputs.",
    )

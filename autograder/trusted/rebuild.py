"""A snapshot read back into Keras objects, in a process that never ran student code.

`autograder.trusted.snapshot` wrote the kernel's variables as data. Here
they become real objects again: layers from their class and configuration
(resolved only among Keras's own classes, never by importing a module the
snapshot names), inputs, then every node replayed in an order that keeps each
layer's calls in their order, so a shared layer's node indices are the
kernel's; functional and Sequential models built on the rebuilt tensors;
weights set from the stored arrays; models compiled from their compile
settings with Keras's safe mode; Histories with their params and model.

Everything read is data: JSON parsed with size limits, arrays loaded with
`allow_pickle=False`. Anything else in the snapshot (an unknown class, a
module outside Keras, a malformed entry) raises `SnapshotError`, which the
trusted checks report as an answer that could not be checked, never as a pass.

Example:

>>> namespace, identities = rebuild.load(Path("export/cell-012"))
>>> namespace["model"].summary()
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import keras
import networkx as nx
import numpy as np
from keras.src.ops.node import Node

from autograder.trusted.snapshot import FORMAT

MAX_JSON_BYTES = 64 * 2**20
MAX_ARRAY_BYTES = 512 * 2**20
# The only modules whose objects a snapshot may name (a layer's class, an initializer).
SAFE_MODULE_PREFIXES = ("keras.",)
SAFE_MODULES = {"keras", "numpy", "tensorflow", "keras.layers", "keras.ops", "numpy.random",
                "autograder.checks", "keras_functional_course"}
PUBLIC_NAMESPACES = ("layers", "models")


class SnapshotError(ValueError):
    """A snapshot that is not what `snapshot.export` writes: it cannot be rebuilt."""


def _check_safe_config(config: Any, depth: int = 0) -> None:
    """Refuses configs that name code outside Keras: another module, a lambda's bytecode."""
    if depth > 40:
        raise SnapshotError("a configuration nested too deeply")
    if isinstance(config, dict):
        module = config.get("module")
        if isinstance(module, str) and module != "keras" and not module.startswith(
                SAFE_MODULE_PREFIXES):
            raise SnapshotError(f"has a configuration that names the module {module!r}")
        if config.get("class_name") == "__lambda__":
            raise SnapshotError("has a configuration that holds a lambda's code")
        for value in config.values():
            _check_safe_config(value, depth + 1)
    elif isinstance(config, list):
        for value in config:
            _check_safe_config(value, depth + 1)


def _restore_floats(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        return {key: _restore_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore_floats(item) for item in value]
    return value


def _layer_class(entry: dict) -> type:
    """A Keras layer class by name, found only in Keras's public layer namespace."""
    name = entry.get("class")
    candidate = getattr(keras.layers, name, None) if isinstance(name, str) else None
    if not (isinstance(candidate, type) and issubclass(candidate, keras.layers.Layer)):
        raise SnapshotError(f"is a {name!r}, which is not one of Keras's layers")
    return candidate


def _op_class(entry: dict) -> type:
    module_name, name = entry.get("module", ""), entry.get("class")
    if not (isinstance(module_name, str) and module_name.startswith("keras.src.ops.")):
        raise SnapshotError(f"the operation {name!r} is not one of keras.ops")
    import importlib

    module = importlib.import_module(module_name)
    candidate = getattr(module, name, None) if isinstance(name, str) else None
    from keras.src.ops.operation import Operation

    if not (isinstance(candidate, type) and issubclass(candidate, Operation)):
        raise SnapshotError(f"{name!r} is not one of keras.ops")
    return candidate


class _Rebuilder:
    def __init__(self, document: dict, store: Path):
        self.document = document
        self.store = store
        self.entries: dict[str, dict] = document["operations"]
        self.operations: dict[str, Any] = {}
        self.arrays_read = 0

    # Values --------------------------------------------------------------
    def array(self, reference: dict) -> Any:
        digest = reference.get("ref")
        if not (isinstance(digest, str) and digest.isalnum() and len(digest) <= 64):
            raise SnapshotError("an array reference is malformed")
        path = self.store / f"{digest}.npy"
        if not path.is_file():
            raise SnapshotError("an array of the snapshot is missing")
        self.arrays_read += path.stat().st_size
        if self.arrays_read > MAX_ARRAY_BYTES:
            raise SnapshotError("the snapshot's arrays are too large")
        array = np.load(path, allow_pickle=False)
        return array[()] if reference.get("scalar") else array

    def tensor(self, reference: dict) -> Any:
        self._refuse_failed(reference.get("op"))
        operation = self.operations.get(reference.get("op"))
        if operation is None:
            raise SnapshotError("a tensor comes from an operation the snapshot lacks")
        nodes = operation._inbound_nodes
        node, index = reference.get("node"), reference.get("index")
        if not (isinstance(node, int) and 0 <= node < len(nodes)):
            raise SnapshotError(f"a tensor names node {node!r} of {operation.name!r}")
        outputs = nodes[node].outputs
        if not (isinstance(index, int) and 0 <= index < len(outputs)):
            raise SnapshotError(f"a tensor names output {index!r} of {operation.name!r}")
        return outputs[index]

    def value(self, encoded: Any) -> Any:
        if not isinstance(encoded, dict):
            raise SnapshotError("a value is not a tagged object")
        kind = encoded.get("kind")
        if kind == "json":
            value = encoded.get("value")
            if not (value is None or isinstance(value, bool | int | float | str)):
                raise SnapshotError("a plain value is not a number or string")
            return value
        if kind == "float":
            return float(encoded["repr"]) if encoded.get("repr") in ("nan", "inf", "-inf") else (
                _raise(SnapshotError("a float is malformed")))
        if kind == "array":
            return self.array(encoded)
        if kind == "tensor":
            return self.tensor(encoded)
        if kind == "operation":
            return self.operation(encoded.get("op"))
        if kind in ("list", "tuple"):
            items = [self.value(item) for item in _list(encoded.get("items"))]
            return items if kind == "list" else tuple(items)
        if kind == "record":
            fields = _dict(encoded.get("fields"))
            if not all(isinstance(field, str) and field.isidentifier() for field in fields):
                raise SnapshotError("a record is malformed")
            type_name = str(encoded.get("type", "Record"))
            record = dataclasses.make_dataclass(
                type_name if type_name.isidentifier() else "Record", list(fields), frozen=True)
            return record(**{field: self.value(item) for field, item in fields.items()})
        if kind == "range":
            bounds = [encoded.get(key) for key in ("start", "stop", "step")]
            if not all(type(bound) is int for bound in bounds):
                raise SnapshotError("a range is malformed")
            return range(*bounds)
        if kind == "namedtuple":
            fields = [str(field) for field in _list(encoded.get("fields"))]
            items = [self.value(item) for item in _list(encoded.get("items"))]
            if len(fields) != len(items) or not all(f.isidentifier() for f in fields):
                raise SnapshotError("a named tuple is malformed")
            course_class = _course_class(encoded)
            if course_class is not None and tuple(getattr(course_class, "_fields", ())) == tuple(
                    fields):
                return course_class(*items)
            type_name = str(encoded.get("type", "Record"))
            return collections.namedtuple(type_name if type_name.isidentifier() else "Record",
                                          fields)(*items)
        if kind == "dict":
            result = {}
            for pair in _list(encoded.get("items")):
                key, item = _list(pair)
                key = self.value(key)
                if not isinstance(key, str | int | float | bool | tuple) and key is not None:
                    raise SnapshotError("a dict key is not a plain value")
                result[key] = self.value(item)
            return result
        if kind == "history":
            history = keras.callbacks.History()
            history.history = {str(k): [float(v) for v in _list(values)]
                               for k, values in _dict(encoded.get("history")).items()}
            history.params = _restore_floats(_dict(encoded.get("params")))
            history.epoch = [int(epoch) for epoch in _list(encoded.get("epoch", []))]
            if encoded.get("model") is not None:
                history.set_model(self.operation(encoded["model"]))
            return history
        if kind == "module":
            name = encoded.get("name")
            if name not in SAFE_MODULES and not (isinstance(name, str) and name.startswith(
                    ("keras.", "numpy.", "keras_functional_course."))):
                raise SnapshotError(f"the module {name!r} is not one the checks may use")
            import importlib

            return importlib.import_module(name)
        if kind == "unsupported":
            return Unreadable(str(encoded.get("type", "?")), str(encoded.get("why", "")))
        raise SnapshotError(f"a value of unknown kind {kind!r}")

    def _refuse_failed(self, key: Any) -> None:
        failed = getattr(self, "failed", {})
        if key in failed:
            root = getattr(self, "roots", {}).get(key)
            raise SnapshotError(
                f"it uses {self._name(root)}, which {failed[root]}" if root else
                f"{self._name(key)} {failed[key]}")

    def operation(self, key: Any) -> Any:
        self._refuse_failed(key)
        if key not in self.operations:
            raise SnapshotError("a value refers to an operation the snapshot lacks")
        return self.operations[key]

    # The graph -----------------------------------------------------------
    def _graph(self) -> nx.DiGraph:
        """The steps (create, build, node) and what each needs first; calls of a layer in order."""
        graph = nx.DiGraph()
        produced_by: dict[tuple[str, int], tuple] = {}
        for key, entry in self.entries.items():
            kind = entry.get("kind")
            nodes = _list(entry.get("nodes", []))
            create = ("create", key)
            graph.add_node(create)
            if kind == "input":
                produced_by[(key, 0)] = create
            if kind in ("functional", "sequential"):
                graph.add_node(("build", key))
                graph.add_edge(create, ("build", key))
            if entry.get("wraps") is not None:
                inner = entry["wraps"]
                graph.add_edge(_made(self.entries, inner), create)
            if kind == "custom":
                for inner in _list(entry.get("tracked", [])) + list(
                        _dict(entry.get("sublayers")).values()):
                    graph.add_edge(_made(self.entries, inner), create)
            for index, _node in enumerate(nodes):
                if not (kind == "input" and index == 0):
                    produced_by.setdefault((key, index), ("node", key, index))
        for key, entry in self.entries.items():
            if entry.get("kind") == "sequential":
                for pair in _list(entry.get("internal_nodes", [])):
                    operation, index = _list(pair)
                    if _dict(self.entries.get(operation)).get("kind") != "input":
                        produced_by[(operation, index)] = ("build", key)
                for layer in _list(entry.get("layers", [])):
                    graph.add_edge(_made(self.entries, layer), ("build", key))
        for key, entry in self.entries.items():
            for index, node in enumerate(_list(entry.get("nodes", []))):
                step = produced_by.get((key, index))
                if step is None:
                    raise SnapshotError(f"node {index} of {entry.get('name')!r} has no origin")
                graph.add_node(step)
                if index > 0:
                    before = produced_by.get((key, index - 1))
                    if before != step:
                        graph.add_edge(before, step)
                if step[0] == "node":
                    graph.add_edge(_made(self.entries, key), step)
                    for reference in _tensors(node.get("args")) + _tensors(node.get("kwargs")):
                        source = produced_by.get((reference["op"], reference["node"]))
                        if source is None:
                            raise SnapshotError("a node reads a tensor with no origin")
                        graph.add_edge(source, step)
            if entry.get("kind") == "functional":
                for reference in _tensors(entry.get("inputs")) + _tensors(entry.get("outputs")):
                    source = produced_by.get((reference["op"], reference["node"]))
                    if source is None:
                        raise SnapshotError("a model's tensor has no origin")
                    graph.add_edge(source, ("build", key))
                # A model's graph is complete once every node of every operation it contains
                # up to its outputs exists: its outputs' origins depend on all of them.
            if entry.get("kind") == "sequential" and entry.get("input") is not None:
                graph.add_edge(("create", entry["input"]["op"]), ("build", key))
        if not nx.is_directed_acyclic_graph(graph):
            cycle = " -> ".join(str(step) for step, _ in nx.find_cycle(graph))
            raise SnapshotError(f"the snapshot's graph has a cycle ({cycle})")
        return graph

    def create(self, key: str) -> None:
        entry = self.entries[key]
        kind = entry.get("kind")
        if kind == "layer" and entry.get("class") == "Lambda":
            raise SnapshotError(
                "is a Lambda layer: Python code inside the model, which the grader does not "
                "run (Keras layers, or keras.ops on the layer's inputs, can be checked)")
        config = _restore_floats(_dict(entry.get("config")))
        _check_safe_config(config)
        if kind == "input":
            tensor = keras.Input(batch_shape=tuple(_shape(config.get("batch_shape"))),
                                 dtype=config.get("dtype"), sparse=bool(config.get("sparse")),
                                 name=str(entry.get("name")))
            self.operations[key] = tensor._keras_history[0]
        elif kind == "layer":
            cls = _layer_class(entry)
            if entry.get("wraps") is not None:
                inner = self.operation(entry["wraps"])
                config = {k: v for k, v in config.items() if k != "layer"}
                if cls is keras.layers.TimeDistributed:
                    layer = cls(inner, **_without(config, "dtype"))
                else:
                    layer = cls.from_config({**config, "layer": keras.saving.serialize_keras_object(
                        inner)})
                    layer.layer = inner
            else:
                layer = cls.from_config(config)
            build_config = entry.get("build_config")
            if build_config and not layer.built:
                layer.build_from_config(_restore_floats(_dict(build_config)))
            layer.trainable = bool(entry.get("trainable", True))
            self.operations[key] = layer
        elif kind == "op":
            self.operations[key] = _op_class(entry).from_config(config)
        elif kind == "custom":
            self.operations[key] = self.stand_in(entry)
        elif kind in ("functional", "sequential"):
            pass  # made by its build step
        else:
            raise SnapshotError(f"an operation of unknown kind {kind!r}")

    def stand_in(self, entry: dict) -> Any:
        """A stand-in for an object of the student's class, with its weights and layers."""
        info = _dict(entry.get("info"))
        class_name = info.get("class_name")
        if not (isinstance(class_name, str) and class_name.isidentifier()):
            raise SnapshotError("a custom layer's class name is malformed")
        base = _StandInModel if entry.get("model") else _StandInLayer
        cls = type(class_name, (base,), {"__module__": STUDENT_MODULE,
                                         "__qualname__": class_name})
        weights = [_dict(weight) for weight in _list(entry.get("own_weights", []))]
        tracked = [self.operation(inner) for inner in _list(entry.get("tracked", []))]
        layer = cls(name=str(entry.get("name")), trainable=bool(entry.get("trainable", True)),
                    weights=[(self.array(_dict(w.get("value"))), str(w.get("name", "weight")),
                              bool(w.get("trainable", True))) for w in weights],
                    tracked=tracked)
        # What each call gave, so that a Sequential model that calls it while it is built
        # gets the kernel's shapes without the student's code running.
        object.__setattr__(layer, "_kfc_output_specs", [
            [_dict(spec) for spec in _list(_dict(node).get("outputs"))]
            for node in _list(entry.get("nodes", []))])
        return layer

    def build(self, key: str) -> None:
        entry = self.entries[key]
        name = str(entry.get("name"))
        if entry["kind"] == "functional":
            inputs = self.value(entry.get("inputs"))
            outputs = self.value(entry.get("outputs"))
            model = keras.Model(inputs=inputs, outputs=outputs, name=name)
        else:
            layers = [self.operation(layer) for layer in _list(entry.get("layers", []))]
            if entry.get("input") is not None:
                start = [self.tensor(entry["input"])]
                model = keras.Sequential(start + layers, name=name)
            else:
                model = keras.Sequential(layers, name=name)
        model.trainable = bool(entry.get("trainable", True))
        self.operations[key] = model

    def node(self, key: str, index: int) -> None:
        operation = self.operations[key]
        node = self.entries[key]["nodes"][index]
        if len(operation._inbound_nodes) != index:
            raise SnapshotError(
                f"replaying call {index} of {operation.name!r} gave call "
                f"{len(operation._inbound_nodes)}")
        args = self.value(node.get("args", {"kind": "list", "items": []}))
        kwargs = self.value(node.get("kwargs", {"kind": "dict", "items": []}))
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise SnapshotError("a node's arguments are malformed")
        outputs = []
        for spec in _list(node.get("outputs")):
            spec = _dict(spec)
            outputs.append(keras.KerasTensor(
                shape=tuple(_shape(spec.get("shape"))), dtype=str(spec.get("dtype")),
                sparse=bool(spec.get("sparse")), name=str(spec.get("name"))))
        # The call as Keras records it (what `clone_graph_nodes` does too): the node is
        # wired to its operation and to the tensors it read, with the shapes the kernel saw.
        Node(operation, call_args=tuple(args), call_kwargs={str(k): v for k, v in kwargs.items()},
             outputs=outputs)

    def run(self) -> None:
        """Rebuilds every operation it can; one that cannot be rebuilt spoils only what uses it.

        An operation whose class or configuration is refused (a `Lambda` layer's code,
        say), and everything built on it, is recorded in `failed` with the reason; the
        variables that hold them become `Unreadable`, and the rest of the notebook's
        answers are rebuilt and checked as usual.
        """
        self.failed: dict[str, str] = {}
        self.roots: dict[str, str] = {}
        graph = self.graph = self._graph()
        for step in nx.lexicographical_topological_sort(graph, key=repr):
            key = step[1]
            if key in self.failed:
                continue
            spoiled = next((before[1] for before in graph.predecessors(step)
                            if before[1] in self.failed), None)
            if spoiled is not None:
                self._fail(key, root=self.roots.get(spoiled, spoiled))
                continue
            try:
                if step[0] == "create":
                    self.create(key)
                elif step[0] == "build":
                    self.build(key)
                else:
                    self.node(key, step[2])
            except SnapshotError as error:
                self._fail(key, str(error))
            except (KeyError, TypeError, ValueError, AttributeError, IndexError,
                    NotImplementedError) as error:
                self._fail(key, f"Keras could not rebuild it ({type(error).__name__}: "
                                f"{str(error)[:160]})")
        for key, entry in self.entries.items():
            if key in self.failed:
                continue
            try:
                self._finish(key, entry)
            except SnapshotError as error:
                self._fail(key, str(error))
                for own in [step for step in graph if step[1] == key]:
                    for later in nx.descendants(graph, own):
                        if later[1] != key:
                            self._fail(later[1], root=key)

    def _finish(self, key: str, entry: dict) -> None:
        """Checks a rebuilt operation's calls, sets its weights, compiles a model."""
        operation = self.operations[key]
        counted = len(_list(entry.get("nodes", [])))
        if len(operation._inbound_nodes) != counted:
            raise SnapshotError(
                f"has {len(operation._inbound_nodes)} calls after the rebuild, not {counted}")
        if entry.get("kind") == "custom" or entry.get("probes") is not None:
            self._record(operation, entry)
        weights = [self.array(w) for w in _list(entry.get("weights", []))]
        if weights:
            try:
                operation.set_weights(weights)
            except ValueError as error:
                raise SnapshotError(f"has weights that do not fit it ({error})") from None
        compiled = entry.get("compile")
        if compiled:
            config = _restore_floats(_dict(_dict(compiled).get("config")))
            _check_safe_config(config)
            try:
                with keras.saving.custom_object_scope({}):
                    operation.compile_from_config(config)
                iterations = _dict(compiled).get("iterations", 0)
                if type(iterations) is int and operation.optimizer is not None:
                    operation.optimizer.iterations.assign(iterations)
            except Exception as error:
                raise SnapshotError(
                    f"was compiled with settings the grader cannot rebuild ({error})") from None

    def _record(self, operation: Any, entry: dict) -> None:
        """Gives a stand-in (or a model holding one) what the kernel recorded about it."""
        from autograder.checks import custom

        probes = []
        for probe in _list(entry.get("probes", [])):
            probe = _dict(probe)
            outputs = _dict(probe.get("outputs"))
            probes.append((self.value(probe.get("inputs")), custom.ProbeFailure(
                str(outputs.get("message", ""))[:500]) if outputs.get("kind") == "failure"
                else self.value(outputs)))
        info = None
        if entry.get("kind") == "custom":
            recorded = _dict(entry.get("info"))
            optional = {name: recorded.get(name) if isinstance(recorded.get(name), str) else None
                        for name in ("config_error", "round_trip_error")}
            config = recorded.get("config")
            info = custom.LayerInfo(
                class_name=str(recorded.get("class_name")), custom=True,
                bases=[str(base) for base in _list(recorded.get("bases", []))],
                methods=[str(method) for method in _list(recorded.get("methods", []))],
                config=config if isinstance(config, dict) else None,
                attributes=_dict(recorded.get("attributes")),
                sublayers={str(name): self.operation(inner)
                           for name, inner in _dict(entry.get("sublayers")).items()},
                **optional)
            if info.config is None and info.config_error is None:
                info.config_error = "get_config() could not be recorded"
        object.__setattr__(operation, "_kfc_record", custom.StandInRecord(info=info,
                                                                           probes=probes))

    def _fail(self, key: str, why: str = "", root: str | None = None) -> None:
        """Records that `key` could not be rebuilt: for `why`, or because `root` could not."""
        if key in self.failed:
            return
        if root is None:
            self.failed[key] = why
        else:
            self.roots[key] = root
            self.failed[key] = f"it is built on {self._name(root)}, which {self.failed[root]}"

    def _name(self, key: str) -> str:
        entry = self.entries.get(key, {})
        return f"the {entry.get('class', 'operation')} {entry.get('name', '?')!r}"


STUDENT_MODULE = "student_code"
"""The module a stand-in's class claims: not Keras's, so `custom.is_custom` is true."""


class _StandIn:
    """What a stand-in for the student's class does: hold weights, refuse to compute.

    The student's `call` is code the grader does not run. The checks read what the
    kernel recorded instead (`autograder.checks.custom`); calling the stand-in says so.
    """

    def _kfc_setup(self, weights: list, tracked: list) -> None:
        for index, inner in enumerate(tracked):
            setattr(self, f"kfc_tracked_{index}", inner)
        for value, name, trainable in weights:
            variable = self.add_weight(shape=np.shape(value), initializer="zeros",
                                       dtype=str(value.dtype), trainable=trainable,
                                       name=name.split("/")[-1].split(":")[0] or "weight")
            variable.assign(value)
        self.built = True

    def __getattr__(self, name: str) -> Any:
        record = self.__dict__.get("_kfc_record")
        info = getattr(record, "info", None)
        if not name.startswith("_") and info is not None and name in info.attributes:
            return info.attributes[name]
        raise AttributeError(name)

    def get_config(self) -> dict:
        info = getattr(self.__dict__.get("_kfc_record"), "info", None)
        if info is None or info.config is None:
            raise NotImplementedError(getattr(info, "config_error", None) or "no config")
        return dict(info.config)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        recorded = self.__dict__.get("_kfc_output_specs") or []
        index = len(self._inbound_nodes)
        if index >= len(recorded) or not recorded[index]:
            return self.call(*args, **kwargs)
        outputs = [keras.KerasTensor(shape=tuple(_shape(spec.get("shape"))),
                                     dtype=str(spec.get("dtype"))) for spec in recorded[index]]
        return outputs[0] if len(outputs) == 1 else outputs

    def call(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"the grader does not run the code of your class {type(self).__name__}; "
            "it checks what your layer computed on the probe inputs instead")


class _StandInLayer(_StandIn, keras.layers.Layer):
    def __init__(self, name: str, trainable: bool, weights: list, tracked: list):
        super().__init__(name=name, trainable=trainable)
        self._kfc_setup(weights, tracked)


class _StandInModel(_StandIn, keras.Model):
    def __init__(self, name: str, trainable: bool, weights: list, tracked: list):
        super().__init__(name=name, trainable=trainable)
        self._kfc_setup(weights, tracked)


class Unreadable:
    """Stands in for a variable the grader could not read as data (a function, a file).

    `checks.require` fails on it with `kfc_unreadable_reason` as the cause.
    """

    def __init__(self, type_name: str, why: str):
        self.type_name = type_name
        self.why = why

    @property
    def kfc_unreadable_reason(self) -> str:
        if not self.type_name:
            return self.why
        return f"it is a {self.type_name}" + (f" ({self.why})" if self.why else "")

    def __repr__(self) -> str:
        return f"<{self.type_name}: not readable by the grader ({self.why})>"


def _course_class(encoded: dict) -> type | None:
    """The course package's own class a record names (`keras_functional_course.data.Dataset`)."""
    module_name, name = encoded.get("module"), encoded.get("type")
    if not (isinstance(module_name, str) and isinstance(name, str)
            and module_name.startswith("keras_functional_course")):
        return None
    import importlib

    try:
        candidate = getattr(importlib.import_module(module_name), name, None)
    except ImportError:
        return None
    return candidate if isinstance(candidate, type) else None


def _raise(error: Exception) -> Any:
    raise error


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise SnapshotError("a list is malformed")
    return value


def _dict(value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SnapshotError("a mapping is malformed")
    return value


def _shape(value: Any) -> list:
    shape = _list(value)
    if not all(item is None or isinstance(item, int) for item in shape):
        raise SnapshotError("a shape is malformed")
    return shape


def _without(config: dict, *names: str) -> dict:
    return {key: value for key, value in config.items() if key not in names}


def _made(entries: dict, key: str) -> tuple:
    """The step after which operation `key` exists."""
    entry = entries.get(key)
    if entry is None:
        raise SnapshotError("a reference to an operation the snapshot lacks")
    return ("build", key) if entry.get("kind") in ("functional", "sequential") else (
        "create", key)


def _tensors(encoded: Any) -> list[dict]:
    """Every tensor reference inside an encoded value."""
    found = []
    stack = [encoded]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("kind") == "tensor":
                found.append(item)
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def load(folder: Path) -> tuple[dict[str, Any], dict[int, int]]:
    """Rebuilds the namespace of one snapshot.

    Args:
        folder: the snapshot's folder (with `namespace.json`; arrays in `../arrays/`).

    Returns:
        `(namespace, identities)`: the variables by name, and for each rebuilt
        top-level object (and model optimizer) the id it had in the kernel, so
        that checks can tell an answer run again from the same one.

    Raises:
        SnapshotError: if the snapshot is missing, too large, or not data the
            export writes.
    """
    path = Path(folder) / "namespace.json"
    if not path.is_file():
        raise SnapshotError("the kernel wrote no snapshot for this cell")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise SnapshotError("the snapshot is too large")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:
        raise SnapshotError(f"the snapshot is not JSON ({type(error).__name__})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SnapshotError("the snapshot is not in the grader's format")
    if not isinstance(document.get("operations"), dict) or not isinstance(
            document.get("values"), dict):
        raise SnapshotError("the snapshot lacks its operations or values")
    try:
        rebuilder = _Rebuilder(document, Path(folder).parent / "arrays")
        rebuilder.run()
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as error:
        raise SnapshotError(f"the snapshot's graph could not be rebuilt ({type(error).__name__}: "
                            f"{str(error)[:200]})") from None
    namespace: dict[str, Any] = {}
    identities: dict[int, int] = {}
    kernel_ids = _dict(document.get("identities"))
    for name, encoded in _dict(document.get("values")).items():
        try:
            value = rebuilder.value(encoded)
        except (SnapshotError, KeyError, TypeError, ValueError, RecursionError) as error:
            value = Unreadable("", str(error)[:300])
        namespace[str(name)] = value
        if isinstance(kernel_ids.get(name), int):
            identities[id(value)] = kernel_ids[name]
    for key, entry in rebuilder.entries.items():
        compiled = entry.get("compile")
        optimizer = getattr(rebuilder.operations.get(key), "optimizer", None)
        if compiled and optimizer is not None and isinstance(compiled.get("optimizer_id"), int):
            identities[id(optimizer)] = compiled["optimizer_id"]
    for name in ("keras", "np"):
        namespace.setdefault(name, {"keras": keras, "np": np}[name])
    _ = math
    return namespace, identities

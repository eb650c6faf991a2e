"""A notebook's variables written out as data: what the trusted checks read.

The grading kernel runs the student's code, so nothing the kernel says can be
believed: not the output of a test cell, not an object's `__eq__`, not the
functions the test cells would call there. What can be believed is evidence
that a check reads for itself. At every test cell the grader runs
`export(globals(), folder)` in the kernel instead of the test, and the kernel
writes its variables as data only:

- JSON for plain values (numbers, strings, lists, dicts) and for the Keras
  graph: every operation (layer, model, input) reachable from a variable, with
  its class, its `get_config()`, and every node (call) of it in call order,
  each node naming the tensors it read by `(operation, node index, tensor
  index)`;
- `.npy` files for arrays and layer weights, named by the hash of their bytes
  (so the same data across test cells is written once);
- compile settings (`get_compile_config()`), a `History`'s `params`,
  `history` and `epoch`, and the model it came from.

`autograder.trusted.rebuild` reads this back, in a process that never ran
student code, into real Keras objects with the same graph, node indices,
weights and compile settings; the test cells run there. A student can write
anything into the snapshot (they control the kernel), but what they write is
checked as an answer: to pass they must write the data of a right answer,
which is solving the exercise.

- for a custom layer or subclassed model (the student's own class), what it is
  and computes instead of its code: class name, Keras bases, own methods, config,
  whether `from_config` recreates it, weights, the layers it holds, and its
  outputs on the probe inputs of `autograder.checks.custom`.

This module runs inside the kernel; it imports only NumPy and Keras (and
`autograder.checks.custom`, to describe the student's own classes).

Example (what the grader runs in the kernel at a test cell):

>>> from autograder.trusted import snapshot
>>> snapshot.export(globals(), "/kfc-export/cell-012")
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "kfc-snapshot-1"
# Names IPython puts in every user namespace; they are not the student's answers.
IPYTHON_NAMES = frozenset({"In", "Out", "exit", "quit", "get_ipython", "open"})
MAX_DEPTH = 20
MAX_ITEMS = 10_000


class Unsupported(Exception):
    """A value the snapshot cannot write as data (a function, a file, a custom class)."""


def _keras():
    """Keras, if the notebook has loaded it: without it, no value can be a Keras object."""
    return sys.modules.get("keras")


def _is_custom(operation: Any) -> bool:
    """Whether an operation's class is the student's own (defined outside Keras)."""
    module = type(operation).__module__ or ""
    return not (module == "keras" or module.startswith("keras."))


def _is_symbolic_tensor(value: Any) -> bool:
    return getattr(value, "_keras_history", None) is not None


class _Writer:
    """Writes one snapshot: values to JSON, arrays to the shared store, the graph once."""

    def __init__(self, store: Path):
        self.keras = _keras()
        self.store = store
        self.operations: dict[int, dict] = {}
        self.objects: dict[int, Any] = {}
        self.pending: list[Any] = []

    # Arrays --------------------------------------------------------------
    def array(self, value: Any) -> dict:
        array = np.asarray(value)
        if array.dtype.hasobject or array.dtype.kind not in "biufcUS":
            raise Unsupported(f"an array of {array.dtype}")
        data = np.ascontiguousarray(array)
        digest = hashlib.sha256(
            f"{data.dtype.str}{data.shape}".encode() + data.tobytes()).hexdigest()[:32]
        path = self.store / f"{digest}.npy"
        if not path.exists():
            np.save(path, data, allow_pickle=False)
        return {"kind": "array", "ref": digest, "scalar": array.ndim == 0
                and not isinstance(value, np.ndarray)}

    # Operations ----------------------------------------------------------
    def operation(self, operation: Any) -> str:
        """The id of a Keras operation in this snapshot; describes it the first time."""
        key = id(operation)
        if key not in self.operations:
            self.operations[key] = {}
            self.objects[key] = operation
            self.pending.append(operation)
        return f"op{key}"

    def tensor(self, tensor: Any) -> dict:
        operation, node_index, tensor_index = tensor._keras_history
        return {"kind": "tensor", "op": self.operation(operation), "node": int(node_index),
                "index": int(tensor_index)}

    def describe_pending(self) -> None:
        while self.pending:
            operation = self.pending.pop()
            self.operations[id(operation)] = self.describe(operation)

    def describe(self, operation: Any) -> dict:
        keras = self.keras
        entry: dict[str, Any] = {"name": operation.name, "class": type(operation).__name__,
                                 "module": type(operation).__module__}
        if isinstance(operation, keras.layers.InputLayer):
            entry["kind"] = "input"
            entry["config"] = self.plain(operation.get_config())
        elif isinstance(operation, keras.layers.Layer) and _is_custom(operation):
            self.describe_custom(operation, entry)
        elif isinstance(operation, keras.Sequential):
            entry["kind"] = "sequential"
            entry["layers"] = [self.operation(layer) for layer in operation.layers]
            functional = getattr(operation, "_functional", None)
            if functional is not None:
                entry["input"] = self.tensor(functional.inputs[0])
                entry["internal_nodes"] = self.internal_nodes(functional)
            entry["trainable"] = bool(operation.trainable)
        elif type(operation).__name__ == "Functional" and hasattr(operation, "_nodes_by_depth"):
            entry["kind"] = "functional"
            entry["inputs"] = self.structure(operation._inputs_struct)
            entry["outputs"] = self.structure(operation._outputs_struct)
            entry["trainable"] = bool(operation.trainable)
        elif isinstance(operation, keras.Model):
            raise Unsupported(f"a subclassed model ({type(operation).__name__})")
        elif isinstance(operation, keras.layers.Layer):
            entry["kind"] = "layer"
            inner = getattr(operation, "layer", None)
            config = dict(operation.get_config())
            if isinstance(inner, keras.layers.Layer):
                entry["wraps"] = self.operation(inner)
                config.pop("layer", None)
            entry["config"] = self.plain(config)
            entry["trainable"] = bool(operation.trainable)
            entry["built"] = bool(operation.built)
            entry["build_config"] = self.plain(operation.get_build_config()) if (
                operation.built) else None
            entry["weights"] = [self.array(w) for w in operation.get_weights()] if (
                operation.built and not isinstance(inner, keras.layers.Layer)) else []
        else:  # a keras.ops operation called on symbolic tensors (`x + y`, ops.concatenate)
            entry["kind"] = "op"
            entry["config"] = self.plain(operation.get_config())
        if entry["kind"] in ("functional", "sequential") and self.contains_custom(operation):
            entry["probes"] = self.probes(operation)
        if isinstance(operation, keras.Model):
            entry["compile"] = self.compile_config(operation)
        entry["nodes"] = [self.node(node) for node in operation._inbound_nodes]
        return entry

    # The student's own classes --------------------------------------------
    def describe_custom(self, operation: Any, entry: dict) -> None:
        """A custom layer or subclassed model: what it is and computes, never its code.

        The trusted checks rebuild it as a stand-in with these facts
        (`autograder.checks.custom`): its class name, bases, own methods, config
        and whether `from_config` recreates it, its plain attributes, its own
        weights, the Keras layers it tracks, and its outputs on the probe inputs.
        """
        from autograder.checks import custom

        info = custom.inspect_layer(operation)
        entry["kind"] = "custom"
        entry["model"] = isinstance(operation, self.keras.Model)
        entry["info"] = {
            "class_name": info.class_name, "bases": info.bases, "methods": info.methods,
            "config": info.config, "config_error": info.config_error,
            "round_trip_error": info.round_trip_error, "attributes": info.attributes}
        entry["sublayers"] = {name: self.operation(layer) for name, layer in info.sublayers.items()}
        entry["tracked"] = [self.operation(layer) for layer in operation._layers]
        own = list(operation._trainable_variables) + list(operation._non_trainable_variables)
        entry["own_weights"] = [
            {"value": self.array(variable), "name": str(variable.name),
             "trainable": bool(variable.trainable), "dtype": str(variable.dtype)}
            for variable in own]
        entry["trainable"] = bool(operation.trainable)
        entry["probes"] = self.probes(operation)

    def contains_custom(self, model: Any, depth: int = 0) -> bool:
        if depth > MAX_DEPTH:
            return False
        return any(_is_custom(operation) or (
            isinstance(operation, self.keras.Model) and self.contains_custom(operation, depth + 1))
            for operation in getattr(model, "layers", []))

    def probes(self, operation: Any) -> list[dict]:
        from autograder.checks import custom

        recorded = []
        for inputs, outputs in custom.probe_outputs(operation):
            recorded.append({"inputs": self.value(inputs), "outputs": (
                {"kind": "failure", "message": outputs.message[:500]}
                if isinstance(outputs, custom.ProbeFailure) else self.value(outputs))})
        return recorded

    def internal_nodes(self, functional: Any) -> list[list]:
        nodes = []
        for depth_nodes in functional._nodes_by_depth.values():
            for node in depth_nodes:
                index = node.operation._inbound_nodes.index(node)
                nodes.append([self.operation(node.operation), index])
        return nodes

    def node(self, node: Any) -> dict:
        return {"input": bool(node.is_input),
                "args": self.structure(list(node.arguments.args)),
                "kwargs": self.structure(dict(node.arguments.kwargs)),
                "outputs": [{"shape": [None if size is None else int(size)
                                       for size in tensor.shape],
                             "dtype": str(tensor.dtype), "sparse": bool(tensor.sparse),
                             "name": str(tensor.name)} for tensor in node.outputs]}

    def compile_config(self, model: Any) -> dict | None:
        if not model.compiled:
            return None
        try:
            config = model.get_compile_config()
        except Exception as error:  # a loss or metric Keras cannot serialise
            raise Unsupported(f"compile settings Keras cannot save ({error})") from None
        optimizer = getattr(model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        return {"config": self.plain(config), "optimizer_id": id(optimizer),
                "iterations": int(np.asarray(iterations)) if iterations is not None else 0}

    # Values --------------------------------------------------------------
    def plain(self, value: Any, depth: int = 0) -> Any:
        """JSON-ready configs: dicts, lists, numbers, strings (tuples become lists)."""
        if depth > MAX_DEPTH:
            raise Unsupported("a configuration nested too deeply")
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating):
            value = float(value)
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, list | tuple):
            return [self.plain(item, depth + 1) for item in value]
        if isinstance(value, dict):
            return {str(key): self.plain(item, depth + 1) for key, item in value.items()}
        raise Unsupported(f"a {type(value).__name__} in a configuration")

    def structure(self, value: Any, depth: int = 0) -> dict:
        return self.value(value, depth)

    def value(self, value: Any, depth: int = 0) -> dict:
        """One value as a tagged JSON object."""
        keras = self.keras
        if depth > MAX_DEPTH:
            raise Unsupported("a value nested too deeply")
        if value is None or isinstance(value, bool | str):
            return {"kind": "json", "value": value}
        if type(value) is int:
            return {"kind": "json", "value": value}
        if type(value) is float:
            return ({"kind": "json", "value": value} if math.isfinite(value)
                    else {"kind": "float", "repr": repr(value)})
        if isinstance(value, np.ndarray | np.generic):
            return self.array(value)
        if _is_symbolic_tensor(value):
            return self.tensor(value)
        if keras is None:
            pass
        elif isinstance(value, keras.callbacks.History):
            model = getattr(value, "model", None)
            return {"kind": "history", "params": self.plain(value.params or {}),
                    "history": self.plain(value.history), "epoch": self.plain(value.epoch),
                    "model": self.operation(model) if model is not None else None}
        elif isinstance(value, keras.layers.Layer) or type(value).__module__.startswith(
                "keras.src.ops"):
            return {"kind": "operation", "op": self.operation(value)}
        if isinstance(value, types.ModuleType):
            return {"kind": "module", "name": value.__name__}
        if isinstance(value, range):
            return {"kind": "range", "start": value.start, "stop": value.stop,
                    "step": value.step}
        if isinstance(value, tuple) and hasattr(type(value), "_fields"):
            return {"kind": "namedtuple", "type": type(value).__name__,
                    "module": type(value).__module__,
                    "fields": [str(field) for field in type(value)._fields],
                    "items": [self.value(item, depth + 1) for item in value]}
        if isinstance(value, list | tuple):
            if len(value) > MAX_ITEMS:
                raise Unsupported("a list too long")
            return {"kind": "list" if isinstance(value, list) else "tuple",
                    "items": [self.value(item, depth + 1) for item in value]}
        if isinstance(value, dict):
            if len(value) > MAX_ITEMS:
                raise Unsupported("a dict too long")
            return {"kind": "dict", "items": [[self.value(key, depth + 1),
                                               self.value(item, depth + 1)]
                                              for key, item in value.items()]}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"kind": "record", "type": type(value).__name__,
                    "fields": {field.name: self.value(getattr(value, field.name), depth + 1)
                               for field in dataclasses.fields(value)}}
        if hasattr(value, "numpy") and hasattr(value, "dtype") and hasattr(value, "shape"):
            return self.array(value.numpy())  # an eager tensor
        raise Unsupported(f"a {type(value).__name__}")


def export(namespace: dict, folder: str | os.PathLike) -> Path:
    """Writes the notebook's variables under `folder` as a snapshot.

    Args:
        namespace: the notebook's globals (`globals()` in the kernel).
        folder: the snapshot's folder; its parent holds the shared `arrays/` store.

    Returns:
        The path of the snapshot's `namespace.json`.

    A variable that cannot be written as data is recorded as unsupported, with
    its type; a check that needs it then says so.
    """
    folder = Path(folder)
    store = folder.parent / "arrays"
    store.mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(store)
    values: dict[str, Any] = {}
    identities: dict[str, int] = {}
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in IPYTHON_NAMES:
            continue
        if isinstance(value, types.ModuleType) and not value.__name__.startswith(
                ("keras", "numpy", "tensorflow", "autograder", "keras_functional_course")):
            continue
        checkpoint = (dict(writer.operations), list(writer.pending))
        try:
            values[name] = writer.value(value)
            writer.describe_pending()
        except Unsupported as why:
            writer.operations, writer.pending = checkpoint[0], checkpoint[1]
            values[name] = {"kind": "unsupported", "type": type(value).__name__,
                            "why": str(why)}
        except Exception as error:  # an object whose attributes raise: not data
            writer.operations, writer.pending = checkpoint[0], checkpoint[1]
            values[name] = {"kind": "unsupported", "type": type(value).__name__,
                            "why": f"{type(error).__name__} while reading it"}
        identities[name] = id(value)
    document = {
        "format": FORMAT,
        "values": values,
        "identities": identities,
        "operations": {f"op{key}": entry for key, entry in writer.operations.items()},
    }
    path = folder / "namespace.json"
    path.write_text(json.dumps(document))
    return path

"""Checks for the student's own classes: custom layers and subclassed models.

A custom layer is code, and the trusted checks never run the student's code
(`autograder.trusted`). So what a check may know about a custom layer is what
can be recorded about it where it was made, as data:

- `layer_info`: its class name, the Keras classes it derives from, the methods
  its own class body defines, its `get_config()`, whether `from_config`
  recreates it, the plain attributes it keeps, and the Keras layers it holds;
- `probe_outputs`: what it computes on deterministic test inputs, one per way it
  was called (`probe_inputs`).

In the notebook's kernel both are computed on the spot. In the trusted checks'
process the layer is a stand-in rebuilt from the snapshot, which carries what
the kernel recorded with these same functions (`_kfc_record`), so a test cell
reads the same facts either way. The checks below are built on them.

Example, in a test cell:

>>> checks.require("scale", exercise=1)
>>> checks.check_custom_layer(scale, name="scale", methods=("build", "call", "get_config"))
>>> checks.check_computes(scale, lambda x: 2 * x, name="scale", hint="multiply, do not add.")
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from autograder.checks.messages import fail, student_check

PROBE_BATCH = 3
PROBE_FREE_DIMENSION = 5
PROBE_SEED = 20_261_201


@dataclasses.dataclass
class LayerInfo:
    """What a check may know about a layer or model: data, never its code.

    Attributes:
        class_name: the name of the object's class.
        custom: whether the class is the student's (not one of Keras's).
        bases: Keras's public classes it derives from, nearest first
            (`["Dense", "Layer"]` for a subclass of Dense).
        methods: the methods the student's own class bodies define.
        config: its `get_config()`, as plain values; None if that raised.
        config_error: what `get_config()` raised, or None.
        round_trip_error: why `type(layer).from_config(layer.get_config())`
            does not recreate it (what it raised, or how the new config
            differs); None when it gives an equal config.
        attributes: the plain values (numbers, strings, tuples) it keeps as
            public attributes, e.g. `units`.
        sublayers: the Keras layers and models it holds, by attribute name.
    """

    class_name: str
    custom: bool
    bases: list[str]
    methods: list[str]
    config: dict | None
    config_error: str | None
    round_trip_error: str | None
    attributes: dict[str, Any]
    sublayers: dict[str, Any]


@dataclasses.dataclass
class StandInRecord:
    """What the kernel recorded about an object, carried by its rebuilt stand-in.

    `autograder.trusted.rebuild` sets it as `_kfc_record` on a stand-in of the
    student's class (`info` and `probes`) and on a rebuilt functional model that
    contains one (`probes`, since the stand-in cannot compute).
    """

    info: LayerInfo | None = None
    probes: list | None = None


@dataclasses.dataclass
class ProbeFailure:
    """What calling the object on a probe input raised, in place of its outputs."""

    message: str


def is_custom(operation: Any) -> bool:
    """Whether `operation`'s class is the student's own (defined outside Keras)."""
    module = type(operation).__module__ or ""
    return not (module == "keras" or module.startswith("keras."))


def _record(operation: Any) -> StandInRecord | None:
    record = getattr(operation, "_kfc_record", None)
    return record if isinstance(record, StandInRecord) else None


def plain(value: Any, depth: int = 0) -> Any:
    """A configuration as JSON-like values: lists, dicts, numbers, strings, None."""
    if depth > 30:
        return repr(value)[:200]
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else repr(number)
    if isinstance(value, list | tuple):
        return [plain(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, np.ndarray) and value.size <= 64:
        return plain(value.tolist(), depth + 1)
    return repr(value)[:200]


def _keras_bases(cls: type) -> list[str]:
    bases = []
    for base in cls.__mro__:
        module = base.__module__ or ""
        if not (module == "keras" or module.startswith("keras.")):
            continue
        public = getattr(keras.layers, base.__name__, None) is base or getattr(
            keras, base.__name__, None) is base
        if public and base.__name__ != "Operation" and base.__name__ not in bases:
            bases.append(base.__name__)
    return bases


def _own_methods(cls: type) -> list[str]:
    methods = set()
    for klass in cls.__mro__:
        module = klass.__module__ or ""
        if module == "keras" or module.startswith("keras.") or klass is object:
            break
        methods.update(name for name, member in vars(klass).items() if inspect.isfunction(
            member) or isinstance(member, classmethod | staticmethod))
    return sorted(methods)


def _config_difference(original: dict, recreated: dict) -> str | None:
    for key in original:
        if key not in recreated:
            return f"the recreated layer's config has no {key!r}"
        if plain(recreated[key]) != plain(original[key]):
            return (f"the recreated layer's config has {key!r} = {plain(recreated[key])!r}, "
                    f"not {plain(original[key])!r}")
    extra = sorted(set(recreated) - set(original))
    if extra:
        return f"the recreated layer's config has {extra[0]!r}, which the original's lacks"
    return None


def _is_plain_attribute(value: Any) -> bool:
    scalar = (bool, int, float, str, np.number, type(None))
    if isinstance(value, scalar):
        return True
    return isinstance(value, tuple | list) and len(value) <= 16 and all(
        isinstance(item, scalar) for item in value)


def inspect_layer(layer: Any) -> LayerInfo:
    """Computes `layer_info` for a live layer (in the kernel, or a Keras layer anywhere)."""
    cls = type(layer)
    config, config_error, round_trip_error = None, None, None
    try:
        raw_config = layer.get_config()
        if not isinstance(raw_config, dict):
            raise TypeError(f"get_config() returned a {type(raw_config).__name__}, not a dict")
        config = plain(raw_config)
    except Exception as error:  # the student's get_config
        config_error = error_text(error)
    if config is not None:
        try:
            recreated = cls.from_config(raw_config)
            round_trip_error = _config_difference(config, plain(recreated.get_config()))
        except Exception as error:  # the student's __init__ or from_config
            round_trip_error = f"from_config raised {error_text(error)}"
    attributes, sublayers = {}, {}
    for key, value in vars(layer).items():
        if key.startswith("_"):
            continue
        if isinstance(value, keras.layers.Layer):
            sublayers[key] = value
        elif _is_plain_attribute(value):
            attributes[key] = plain(value)
    return LayerInfo(
        class_name=cls.__name__, custom=is_custom(layer), bases=_keras_bases(cls),
        methods=_own_methods(cls), config=config, config_error=config_error,
        round_trip_error=round_trip_error, attributes=attributes, sublayers=sublayers)


def layer_info(layer: Any) -> LayerInfo:
    """What is known about `layer` as data (recorded by the kernel for a stand-in).

    Args:
        layer: a Keras layer or model, the student's own class or Keras's.

    Returns:
        Its `LayerInfo`.
    """
    record = _record(layer)
    if record is not None and record.info is not None:
        return record.info
    return inspect_layer(layer)


def config_of(layer: Any) -> dict | None:
    """`layer.get_config()` as plain values (recorded, for a stand-in); None if it raises."""
    record = _record(layer)
    if record is not None and record.info is not None:
        return record.info.config
    try:
        config = layer.get_config()
    except Exception:  # the student's get_config
        return None
    return plain(config) if isinstance(config, dict) else None


def _spec_of(tensor: Any) -> tuple[tuple, str]:
    return tuple(tensor.shape), str(tensor.dtype)


def _signature(structure: Any) -> Any:
    """The shapes and dtypes of a call's first argument, in its structure."""
    if isinstance(structure, list | tuple):
        return [_signature(item) for item in structure]
    if isinstance(structure, dict):
        return {key: _signature(item) for key, item in sorted(structure.items())}
    if hasattr(structure, "shape") and hasattr(structure, "dtype"):
        return _spec_of(structure)
    raise TypeError(f"a call argument of type {type(structure).__name__}")


def _signatures(operation: Any) -> list[Any]:
    signatures: list[Any] = []
    if type(operation).__name__ == "Functional" and hasattr(operation, "_inputs_struct"):
        signatures.append(_signature(operation._inputs_struct))
    for node in getattr(operation, "_inbound_nodes", []):
        args = getattr(node.arguments, "args", ())
        if args:
            try:
                signatures.append(_signature(args[0]))
            except TypeError:
                continue
    if not signatures and getattr(operation, "built", False):
        try:
            shape = operation.get_build_config().get("input_shape")
        except Exception:
            shape = None
        if isinstance(shape, list | tuple) and shape and isinstance(shape[0], list | tuple):
            signatures.append([(tuple(s), "float32") for s in shape])
        elif isinstance(shape, list | tuple):
            signatures.append((tuple(shape), "float32"))
    unique = []
    for signature in signatures:
        if signature not in unique:
            unique.append(signature)
    return unique


def _make_input(signature: Any, rng: np.random.Generator) -> Any:
    if isinstance(signature, list):
        return [_make_input(item, rng) for item in signature]
    if isinstance(signature, dict):
        return {key: _make_input(item, rng) for key, item in signature.items()}
    shape, dtype = signature
    concrete = tuple(PROBE_BATCH if index == 0 else (PROBE_FREE_DIMENSION if d is None else d)
                     for index, d in enumerate(shape))
    if "int" in dtype:
        return rng.integers(0, PROBE_FREE_DIMENSION, size=concrete).astype(dtype)
    if "bool" in dtype:
        return rng.integers(0, 2, size=concrete).astype(bool)
    return rng.standard_normal(concrete).astype("float32")


def probe_inputs(operation: Any) -> list[Any]:
    """Deterministic test inputs, one for each way `operation` was called.

    Args:
        operation: a layer or model that has been called or built.

    Returns:
        For each distinct input signature (shapes and dtypes of the call's first
        argument, in its structure), a NumPy array, or a list or dict of arrays:
        batch 3, unknown dimensions 5, float32 standard normal from a fixed seed,
        integers in [0, 5) for integer inputs.
    """
    record = _record(operation)
    if record is not None and record.probes is not None:
        return [inputs for inputs, _ in record.probes]
    rng = np.random.default_rng(PROBE_SEED)
    return [_make_input(signature, rng) for signature in _signatures(operation)]


def _to_numpy(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_to_numpy(item) for item in value]
    if isinstance(value, dict):
        return {key: _to_numpy(item) for key, item in value.items()}
    return np.asarray(keras.ops.convert_to_numpy(value))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(error: BaseException) -> str:
    """An error as one line, without Keras's "Exception encountered when calling" frame."""
    text = _ANSI.sub("", str(error))
    text = text.split("Arguments received by")[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0].startswith("Exception encountered when calling"):
        lines = lines[1:]
    return f"{type(error).__name__}: {' '.join(lines)[:300]}"


def _call(operation: Any, inputs: Any) -> Any:
    try:
        return _to_numpy(operation(inputs, training=False))
    except TypeError:
        return _to_numpy(operation(inputs))


def probe_outputs(operation: Any) -> list[tuple[Any, Any]]:
    """What `operation` computes on each of its `probe_inputs`.

    Args:
        operation: a layer or model (the student's class or Keras's).

    Returns:
        `(inputs, outputs)` pairs, outputs as NumPy arrays in the call's output
        structure, or a `ProbeFailure` saying what the call raised.
    """
    record = _record(operation)
    if record is not None and record.probes is not None:
        return list(record.probes)
    pairs = []
    for inputs in probe_inputs(operation):
        try:
            pairs.append((inputs, _call(operation, inputs)))
        except Exception as error:  # the student's call
            pairs.append((inputs, ProbeFailure(error_text(error))))
    return pairs


def _shape_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shape_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_shape_text(v)}" for k, v in value.items()) + "}"
    return str(tuple(np.shape(value)))


def _flat(value: Any) -> list[np.ndarray]:
    if isinstance(value, list | tuple):
        return [array for item in value for array in _flat(item)]
    if isinstance(value, dict):
        return [array for key in sorted(value) for array in _flat(value[key])]
    return [np.asarray(value)]


@student_check
def check_custom_layer(layer: Any, *, name: str = "layer", base: str = "Layer",
                       methods: Sequence[str] = ("build", "call", "get_config")) -> None:
    """Checks that `layer` is an object of the student's own class, derived from `base`.

    Args:
        layer: the student's layer (or model, with `base="Model"`).
        name: the student's variable, for the message.
        base: the Keras class it must derive from: "Layer" or "Model".
        methods: the methods its own class must define.
    """
    noun = "model" if base == "Model" else "layer"
    if not isinstance(layer, keras.layers.Layer):
        fail(f"Your `{name}` is a {type(layer).__name__}, not a Keras {noun}.",
             f"Expected an object of a class you write, derived from keras.{base}"
             if base == "Model" else
             "Expected an object of a class you write, derived from keras.layers.Layer.",
             f"define the class, then create one {noun} from it: `{name} = MyClass(...)`.")
    info = layer_info(layer)
    if not info.custom:
        fail(f"Your `{name}` is Keras's own `{info.class_name}`.",
             f"Expected an object of a class you write yourself, derived from keras."
             f"{'Model' if base == 'Model' else 'layers.Layer'}.",
             f"the exercise is about writing the class: `class My{base}(keras."
             f"{'Model' if base == 'Model' else 'layers.Layer'}):` with the methods it asks "
             "for.")
    if base not in info.bases:
        found = info.bases[0] if info.bases else "no Keras class"
        wanted = "keras.Model" if base == "Model" else "keras.layers.Layer"
        fail(f"Your `{name}`'s class, `{info.class_name}`, derives from {found}.",
             f"Expected a class derived from {wanted}.",
             "put the Keras base class in the parentheses of your `class` line.")
    missing = [method for method in methods if method not in info.methods]
    if missing:
        listed = ", ".join(f"`{method}`" for method in missing)
        fail(f"Your class `{info.class_name}` does not define {listed} itself.",
             f"Expected it to define {', '.join(f'`{m}`' for m in methods)}.",
             "a method inherited from Keras's class does not count: write each one in your "
             "class body (`def build(self, input_shape):`, `def call(self, inputs):`, "
             "`def get_config(self):`).")


@student_check
def check_computes(operation: Any, reference: Callable[[Any], Any], *, name: str = "layer",
                   hint: str = "compare your `call` with what the exercise asks it to compute.",
                   atol: float = 1e-5, rtol: float = 1e-4) -> None:
    """Checks that `operation` computes what `reference` does, on its probe inputs.

    Args:
        operation: the student's layer or model.
        reference: a function of the probe inputs (NumPy arrays) returning the
            expected outputs, or a Keras layer or model to call on them.
        name: the student's variable, for the message.
        hint: what to look at when the values differ.
        atol, rtol: the tolerances of `np.allclose`.
    """
    pairs = probe_outputs(operation)
    if not pairs:
        fail(f"Your `{name}` has not been called or built yet, so it cannot be tried on an "
             "input.", "Expected it to be used as the exercise asks (called on an input).",
             "call it on the exercise's input before the end of your cell.")
    for inputs, outputs in pairs:
        if isinstance(outputs, ProbeFailure):
            fail(f"Your `{name}` raised {outputs.message} when called on a test input of "
                 f"shape {_shape_text(inputs)}.",
                 "Expected it to compute an output.",
                 "call it yourself on an array of that shape and read the error.")
        if isinstance(reference, keras.layers.Layer):
            expected = _call(reference, inputs)
        else:
            expected = reference(inputs)
        found_arrays, expected_arrays = _flat(outputs), _flat(expected)
        if len(found_arrays) != len(expected_arrays):
            fail(f"Your `{name}` returns {len(found_arrays)} output(s) on a test input of "
                 f"shape {_shape_text(inputs)}.",
                 f"Expected {len(expected_arrays)}.",
                 "return exactly the outputs the exercise lists, in a list if more than one.")
        for position, (found, wanted) in enumerate(zip(found_arrays, expected_arrays, strict=True)):
            which = f"output {position} " if len(found_arrays) > 1 else "output "
            if found.shape != np.shape(wanted):
                fail(f"Your `{name}` returns an {which}of shape {found.shape} on a test input of "
                     f"shape {_shape_text(inputs)}.",
                     f"Expected shape {tuple(np.shape(wanted))}.", hint)
            close = np.isclose(found, wanted, atol=atol, rtol=rtol)
            if not close.all():
                index = tuple(int(i) for i in np.argwhere(~close)[0])
                fail(f"Your `{name}` gives {float(found[index]):.4g} at position {index} of its "
                     f"{which}on a test input of shape {_shape_text(inputs)}.",
                     f"Expected {float(np.asarray(wanted)[index]):.4g} there.", hint)


@student_check
def check_config_round_trip(layer: Any, *, name: str = "layer",
                            keys: Sequence[str] = ()) -> None:
    """Checks `get_config()`: it works, holds `keys`, and `from_config` recreates the layer.

    Args:
        layer: the student's layer.
        name: the student's variable, for the message.
        keys: constructor arguments the config must hold, each with the value
            of the layer's attribute of the same name.
    """
    info = layer_info(layer)
    if info.config is None:
        fail(f"Calling `{name}.get_config()` raised {info.config_error}.",
             "Expected it to return a dict of the layer's constructor arguments.",
             "start from `config = super().get_config()`, add your arguments, return it.")
    for key in keys:
        if key not in info.config:
            fail(f"Your `{name}.get_config()` has no {key!r}.",
                 f"Expected it to hold {key!r}, the constructor argument, so that the layer can "
                 "be recreated from its config.",
                 f"add `{key}` to the dict that `get_config` returns.")
        if key in info.attributes and info.config[key] != info.attributes[key]:
            fail(f"Your `{name}.get_config()` gives {key!r} = {info.config[key]!r}, but the layer "
                 f"keeps `{name}.{key}` = {info.attributes[key]!r}.",
                 "Expected the config to hold the value the layer was created with.",
                 f"return `self.{key}` in the config, not a constant.")
    if info.round_trip_error is not None:
        fail(f"`{info.class_name}.from_config({name}.get_config())` does not recreate your "
             f"layer: {info.round_trip_error}.",
             "Expected the recreated layer to have the same config.",
             "every key of the config must be an argument of `__init__` (pass the others on "
             "with `**kwargs` to `super().__init__`).")

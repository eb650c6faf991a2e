"""Loss weighting of compiled multi-output models.

A model with several outputs is trained on one number: Keras computes one loss
per output, multiplies each by its loss weight, and adds them up,

    total = sum(loss_weights[name] * loss[name](y_true[name], y_pred[name]))

(plus any regularization losses of the layers). `model.compile` accepts
losses and weights as lists (in the order of `model.output_names`) or as
dicts keyed by output name; a single loss is applied to every output, with a
weight of 1 unless weights are given. Keras 3 refuses a single loss with a
list of several weights (the seed's `loss="binary_crossentropy",
loss_weights=[1., 0.2]`), but only when the model is first trained.

This module reads what `compile` was given, through the public
`model.get_compile_config()`, and resolves it per output name:

- `output_losses(model)`: the loss of each output;
- `output_loss_weights(model)`: the weight of each output;
- `loss_breakdown(model, x, y)`: each output's loss on a batch, its weight,
  the weighted sum, and the total that Keras itself computes, so the
  identity can be seen to hold.

Example:

>>> model.compile(optimizer="rmsprop",
...               loss={"main_output": "binary_crossentropy",
...                     "aux_output": "binary_crossentropy"},
...               loss_weights={"main_output": 1.0, "aux_output": 0.2})
>>> output_loss_weights(model)
{'main_output': 1.0, 'aux_output': 0.2}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from keras_functional_course.graph import output_names

__all__ = [
    "LossBreakdown",
    "loss_breakdown",
    "loss_name",
    "output_loss_weights",
    "output_losses",
    "single_loss",
]


def _compile_config(model: Any) -> dict:
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"`model` must be a keras.Model, but received a {type(model).__name__}."
        )
    if not model.compiled:
        raise ValueError(
            f"`model` must be compiled, but {model.name!r} is not. Call "
            "`model.compile(optimizer=..., loss=..., loss_weights=...)` first."
        )
    return model.get_compile_config()


def _is_serialized_object(value: Any) -> bool:
    """Whether `value` is one serialized Keras object (how compile configs keep a Loss)."""
    return isinstance(value, Mapping) and "class_name" in value and "config" in value


def _is_single(value: Any) -> bool:
    """Whether a compile argument is one value for all outputs (not a list or a dict)."""
    if isinstance(value, (list, tuple)):
        return False
    return not isinstance(value, Mapping) or _is_serialized_object(value)


def _per_output(model: Any, value: Any, argument: str, default: Any) -> dict[str, Any]:
    """Spreads a compile argument (None, single, list or dict) over output names."""
    names = output_names(model)
    if value is None:
        return dict.fromkeys(names, default)
    if _is_single(value):
        return dict.fromkeys(names, value)
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(
                f"`{argument}` names outputs {unknown} that model {model.name!r} does not have; "
                f"its outputs are {names}. Key the dict by output layer names."
            )
        return {name: value.get(name, default) for name in names}
    if len(value) != len(names):
        raise ValueError(
            f"`{argument}` must give one entry per output ({len(names)}: {names}), but "
            f"received {len(value)}: {list(value)!r}. Give a list of {len(names)} or a dict "
            "keyed by output name."
        )
    return dict(zip(names, value, strict=True))


def _resolve_loss(identifier: Any) -> Any:
    if isinstance(identifier, Mapping):
        return keras.losses.deserialize(dict(identifier))
    return keras.losses.get(identifier)


def loss_name(loss: Any) -> str:
    """Returns the canonical name of a loss, whatever form it was given in.

    "mse", "mean_squared_error", `keras.losses.mean_squared_error` and
    `keras.losses.MeanSquaredError()` all give "mean_squared_error".

    Args:
        loss: a loss identifier (string, function, `keras.losses.Loss`, or a
            serialized config), or None.

    Returns:
        The name of the underlying loss function, or "none" for None.
    """
    if loss is None:
        return "none"
    resolved = _resolve_loss(loss)
    function = getattr(resolved, "fn", resolved)
    return getattr(function, "__name__", type(resolved).__name__)


def single_loss(model: Any) -> Any:
    """Returns the loss a compiled model applies to all its outputs, or None.

    Args:
        model: a compiled `keras.Model`.

    Returns:
        The loss identifier if `compile` received one loss (not a list or a
        dict), else None.
    """
    loss = _compile_config(model)["loss"]
    return loss if _is_single(loss) else None


def output_losses(model: Any) -> dict[str, Any]:
    """Returns the loss of each output of a compiled model, as given to compile.

    Args:
        model: a compiled `keras.Model`.

    Returns:
        A dict from output name to the loss identifier compile received for
        it (a single loss given for all outputs is repeated for each).

    Raises:
        ValueError: if the model is not compiled, or its losses do not match
            its outputs.
    """
    config = _compile_config(model)
    return _per_output(model, config["loss"], "loss", None)


def output_loss_weights(model: Any) -> dict[str, float]:
    """Returns the loss weight of each output of a compiled model.

    Args:
        model: a compiled `keras.Model`.

    Returns:
        A dict from output name to its weight; outputs without a weight
        weigh 1.0.

    Raises:
        ValueError: if the model is not compiled, or its weights are given in
            a way Keras 3 does not apply by output name: a list without one
            weight per output; several weights with a single loss (Keras
            refuses it when training starts); a dict of weights with a list of
            losses (Keras pairs them in alphabetical order of the output names,
            silently); a dict of weights that leaves an output out (Keras
            fails with a KeyError).
    """
    config = _compile_config(model)
    weights = config["loss_weights"]
    loss = config["loss"]
    names = output_names(model)
    if _is_single(loss) and not _is_single(weights) and len(names) > 1:
        raise ValueError(
            f"`loss_weights` gives {len(weights)} weights but `loss` is the single "
            f"{loss_name(loss)!r}; Keras 3 raises 'loss_weights must match the number of "
            "losses' when training starts. Give one loss per output, as a list or a dict "
            "keyed by output name."
        )
    if isinstance(weights, Mapping) and isinstance(loss, (list, tuple)):
        raise ValueError(
            "`loss_weights` is a dict but `loss` is a list: Keras 3 pairs them in the "
            "alphabetical order of the output names, not by name, so weights can land on the "
            "wrong outputs. Give `loss` as a dict keyed by output name too, or both as lists "
            f"in the order {names}."
        )
    per_output = _per_output(model, weights, "loss_weights", 1.0)
    if isinstance(weights, Mapping) and set(names) - set(weights):
        missing = [name for name in names if name not in weights]
        raise ValueError(
            f"`loss_weights` must have a weight for every output, but {missing} are missing "
            "(Keras 3 fails with a KeyError when training starts). Add them, e.g. with 1.0."
        )
    return {name: float(1.0 if weight is None else weight) for name, weight in per_output.items()}


@dataclass(frozen=True)
class LossBreakdown:
    """The loss of a multi-output model on one batch, output by output.

    Attributes:
        losses: each output's loss (before weighting), by output name.
        weights: each output's loss weight, by output name.
        regularization: the sum of the layers' regularization losses.
        total: the total loss as Keras computes it (`model.compute_loss`).
    """

    losses: dict[str, float]
    weights: dict[str, float]
    regularization: float
    total: float

    @property
    def weighted_sum(self) -> float:
        """Sum over outputs of weight times loss, plus regularization."""
        return self.regularization + sum(
            self.weights[name] * self.losses[name] for name in self.losses
        )

    def identity_holds(self, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
        """Whether `total` equals `weighted_sum` within the tolerances."""
        return bool(np.isclose(self.total, self.weighted_sum, rtol=rtol, atol=atol))

    def __str__(self) -> str:
        rows = [
            f"  {name}: {self.weights[name]:g} x {self.losses[name]:.4f} = "
            f"{self.weights[name] * self.losses[name]:.4f}"
            for name in self.losses
        ]
        if self.regularization:
            rows.append(f"  regularization: {self.regularization:.4f}")
        rows.append(f"  weighted sum: {self.weighted_sum:.4f}")
        rows.append(f"  total loss computed by Keras: {self.total:.4f}")
        return "Loss breakdown\n" + "\n".join(rows)


def _by_output_name(model: Any, values: Any, argument: str) -> dict[str, Any]:
    names = output_names(model)
    if isinstance(values, Mapping):
        missing = [name for name in names if name not in values]
        if missing:
            raise ValueError(
                f"`{argument}` must have an entry for every output of {model.name!r}, but "
                f"{missing} are missing. Key it by the output names {names}."
            )
        return {name: values[name] for name in names}
    if len(names) == 1 and not isinstance(values, (list, tuple)):
        return {names[0]: values}
    if not isinstance(values, (list, tuple)) or len(values) != len(names):
        raise ValueError(
            f"`{argument}` must be a list of {len(names)} arrays (one per output, in the order "
            f"{names}) or a dict keyed by output name, but received "
            f"{type(values).__name__}."
        )
    return dict(zip(names, values, strict=True))


def loss_breakdown(model: Any, x: Any, y: Any) -> LossBreakdown:
    """Computes each output's loss on one batch, and the total Keras trains on.

    The per-output losses are computed here from the compiled loss functions
    (mean over the batch, as Keras's default reduction does); the total comes
    from Keras's own `model.compute_loss`. `breakdown.identity_holds()` then
    tells whether total = sum of weight x loss (+ regularization).

    Args:
        model: a compiled `keras.Model`.
        x: the model's inputs for one batch (array, list or dict by input name).
        y: the targets for that batch (list in output order, or dict by
            output name; an array for a single-output model).

    Returns:
        A `LossBreakdown`.

    Raises:
        ValueError: if the model is not compiled, or its losses, weights or
            `y` do not match its outputs.
    """
    weights = output_loss_weights(model)
    losses = output_losses(model)
    y_true = _by_output_name(model, y, "y")
    if isinstance(x, Mapping) and len(model.inputs) == 1:
        x = x.get(model.inputs[0].name, x)
    y_pred = model(x, training=False)
    y_pred = _by_output_name(model, y_pred, "model outputs")
    per_output: dict[str, float] = {}
    for name in output_names(model):
        if losses[name] is None:
            raise ValueError(
                f"`model` must have a loss for every output, but output {name!r} of "
                f"{model.name!r} has none. Give it a loss in compile."
            )
        loss = _resolve_loss(losses[name])
        target = keras.ops.convert_to_tensor(y_true[name], dtype=y_pred[name].dtype)
        value = loss(target, y_pred[name])
        per_output[name] = float(keras.ops.convert_to_numpy(keras.ops.mean(value)))
    regularization = float(
        sum(float(keras.ops.convert_to_numpy(term)) for term in model.losses)
    )
    total = model.compute_loss(
        x=x, y=[y_true[name] for name in output_names(model)],
        y_pred=[y_pred[name] for name in output_names(model)], training=False,
    )
    return LossBreakdown(
        losses=per_output,
        weights=weights,
        regularization=regularization,
        total=float(keras.ops.convert_to_numpy(total)),
    )

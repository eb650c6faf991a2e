"""Losses and training: how a model is compiled and how it was trained.

Loss names are compared after resolving aliases ("mse" is
"mean_squared_error"); loss weights per output name, whatever form
`compile` received them in; the total loss is verified numerically on a
batch (`check_weighted_loss`). `check_same_compile` compares the optimizer,
its learning rate, the losses, loss weights and metrics with the solution's
own compiled model; `check_history` reads how `fit` was called from the
History it returned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from autograder.checks.messages import fail, student_check
from autograder.checks.structure import check_model
from keras_functional_course import graph as graph_tools
from keras_functional_course import losses as loss_tools


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
    fail(
        found,
        "Expected one loss per output (a list or a dict keyed by output name), with "
        "matching loss weights.",
        "with several outputs, give `loss` as a list in the order of model.output_names "
        "or as a dict keyed by output name, and `loss_weights` the same way.",
    )


def _check_compiled(model: Any, name: str) -> None:
    check_model(model, name=name)
    if not model.compiled:
        fail(
            f"Your model `{name}` is not compiled.",
            "Expected it compiled with a loss for each output and their loss weights.",
            "call model.compile(optimizer=..., loss=..., loss_weights=...).",
        )


@student_check
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
        fail(
            f"You compiled `{name}` with one loss, {loss_tools.loss_name(compiled_loss)!r}, "
            f"for all {len(found)} outputs.",
            "Expected a loss suited to each output's task.",
            "regression, multi-class and binary outputs each need their own loss: give a "
            "list in the order of model.output_names, or a dict keyed by output name.",
        )
    wrong = [output for output in wanted if found.get(output) != wanted[output]]
    names = graph_tools.output_names(model)
    fail(
        f"Your model `{name}` uses {', '.join(f'{o}: {found.get(o)!r}' for o in wrong)}.",
        f"Expected {', '.join(f'{o}: {wanted[o]!r}' for o in wrong)}.",
        "a list of losses follows the order of model.output_names "
        f"({names}); a dict keyed by output name avoids order mistakes." if len(names) > 1
        else "match the loss to the output's task: a number (regression), one class of "
        "several, or a yes/no answer.",
    )


@student_check
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
        fail(
            f"Your model `{name}` weights the losses "
            f"{', '.join(f'{o}: {found[o]:g}' for o in found)}.",
            f"Expected {', '.join(f'{o}: {w:g}' for o, w in expected.items())}.",
            "a list of weights follows the order of model.output_names "
            f"({graph_tools.output_names(model)}); a dict keyed by output name avoids order "
            "mistakes.",
        )


@student_check
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
        fail(
            f"On a test batch, the total loss of your model `{name}` is "
            f"{breakdown.total:.4f}.",
            f"Expected the weighted sum of the per-output losses, {terms} = "
            f"{expected_total:.4f}.",
            "the total is the sum of each output's loss times its weight: check which "
            "weight goes with which output.",
        )




def _optimizer_settings(optimizer: Any) -> dict[str, Any]:
    config = dict(optimizer.get_config())
    config.pop("name", None)
    # A float32 variable: 0.1 reads 0.10000000149011612; its 7 significant digits are 0.1.
    config["learning_rate"] = float(
        f"{float(keras.ops.convert_to_numpy(optimizer.learning_rate)):.7g}")
    return config


def _metric_name(metric: Any) -> str:
    if isinstance(metric, str):
        text = metric
    elif isinstance(metric, Mapping):  # a serialized metric object
        text = metric.get("config", {}).get("name") or metric.get("class_name", "")
    else:
        text = getattr(metric, "name", None) or getattr(metric, "__name__", type(metric).__name__)
    text = text.lower()
    if text in ("acc", "accuracy") or (text.endswith("accuracy") and "top_k" not in text):
        return "accuracy"
    return loss_tools.loss_name(text) if text in ("mse", "mae", "mape", "msle") else text


def output_metrics(model: Any) -> dict[str, list[str]]:
    """The metrics a compiled model tracks for each output, by output name.

    Accuracy in any spelling ("acc", "accuracy", "binary_accuracy", a
    `keras.metrics.BinaryAccuracy()` object) counts as "accuracy".
    """
    metrics = model.get_compile_config().get("metrics")
    names = graph_tools.output_names(model)
    if not metrics:
        return {output: [] for output in names}
    if isinstance(metrics, Mapping):
        given = {output: metrics.get(output) or [] for output in names}
    elif len(names) > 1 and all(isinstance(m, list | tuple) or m is None for m in metrics):
        given = dict(zip(names, (m or [] for m in metrics), strict=False))
    elif len(names) > 1 and len(metrics) == len(names):  # Keras reads one metric per output
        given = {output: [] if m is None else [m] for output, m in zip(names, metrics, strict=True)}
    elif len(names) > 1:
        raise ValueError(
            f"a flat list of {len(metrics)} metrics for {len(names)} outputs: Keras 3 refuses "
            "it when training starts")
    else:
        given = {output: metrics for output in names}
    return {
        output: sorted(_metric_name(m) for m in (v if isinstance(v, list | tuple) else [v]))
        for output, v in given.items()
    }


@student_check
def check_same_compile(model: Any, reference: Any, *, name: str = "model") -> None:
    """Checks that a model is compiled as the solution's model is.

    Compares the optimizer's class and settings (the learning rate among
    them), the loss of each output, the loss weight of each output and the
    metrics of each output, all by output name, so a list and a dict that say
    the same thing are equal.

    Args:
        model: the student's compiled model.
        reference: the model compiled by the solution's own code.
        name: the student's variable name.

    Example:

    >>> checks.check_same_compile(model, reference, name="model")
    """
    _check_compiled(model, name)
    found, wanted = model.optimizer, reference.optimizer
    if type(found).__name__ != type(wanted).__name__:
        fail(
            f"You compiled `{name}` with the {type(found).__name__} optimizer.",
            f"Expected {type(wanted).__name__}.",
            "the exercise names the optimizer to give compile.",
        )
    mine, theirs = _optimizer_settings(found), _optimizer_settings(wanted)
    for setting in ["learning_rate", *sorted(set(theirs) - {"learning_rate"})]:
        a, b = mine.get(setting), theirs.get(setting)
        same = a == b or (isinstance(a, float | int) and isinstance(b, float | int)
                          and math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9))
        if not same:
            fail(
                f"You compiled `{name}` with {type(found).__name__}({setting}={a!r}).",
                f"Expected {setting}={b!r}.",
                "create the optimizer object yourself, keras.optimizers."
                f"{type(wanted).__name__}(...), with the settings the exercise gives."
                if setting == "learning_rate" else
                f"look at the {setting.replace('_', ' ')} the exercise gives the optimizer.",
            )
    # One output each: compare it whatever its name (a name the exercise does not fix).
    names, reference_names = graph_tools.output_names(model), graph_tools.output_names(reference)
    rename = dict(zip(reference_names, names, strict=True)) if (
        len(names) == len(reference_names) == 1) else {}
    expected_losses = {
        rename.get(output, output): loss_tools.loss_name(loss) for output, loss in
        loss_tools.output_losses(reference).items()
    }
    check_losses(model, expected_losses, name=name)
    check_loss_weights(model, {
        rename.get(output, output): weight
        for output, weight in loss_tools.output_loss_weights(reference).items()}, name=name)
    try:
        found_metrics = output_metrics(model)
    except ValueError as error:
        fail(
            f"You compiled `{name}` with {error}.",
            "Expected the metrics of each output, as the exercise gives them.",
            "with several outputs, give `metrics` as a dict keyed by output name, e.g. "
            "metrics={'output_name': ['accuracy']}.",
        )
    wanted_metrics = {rename.get(output, output): metrics
                      for output, metrics in output_metrics(reference).items()}
    for output, wanted_list in wanted_metrics.items():
        found_list = found_metrics.get(output, [])
        if found_list != wanted_list:
            fail(
                f"You compiled `{name}` with the metrics {found_list} for its output "
                f"{output!r}.",
                f"Expected {wanted_list}.",
                "metrics are reported, not trained on: give compile the metrics the exercise "
                "asks for (a dict keyed by output name sets them per output).",
            )


def _training_samples(num_samples: int, validation_split: float | None) -> int:
    """How many samples `fit` trains on, after holding out `validation_split` of them."""
    if not validation_split:
        return num_samples
    return int(math.floor(num_samples * (1.0 - validation_split)))


@student_check
def check_history(
    history: Any, *, model: Any = None, epochs: int | None = None,
    batch_size: int | None = None, num_samples: int | None = None,
    validation_split: float | None = None, validation: bool | None = None,
    name: str = "history", model_name: str = "model",
) -> None:
    """Checks how `fit` was called, from the History it returned.

    `fit` records the number of epochs and of steps (batches) per epoch in
    `history.params`; with the number of samples they give the batch size
    and the share held out for validation.

    Args:
        history: the student's History.
        model: the model it should come from (the exercise's model).
        epochs: the number of epochs the exercise fixes.
        batch_size: the batch size it fixes (needs `num_samples`).
        num_samples: how many samples the training data holds.
        validation_split: the share held out by `validation_split=...`.
        validation: True if the exercise asks for validation data (by
            split or by `validation_data`), False if it asks for none.
        name: the student's variable name.
        model_name: the model's variable name.

    Example:

    >>> checks.check_history(history, model=model, epochs=10, batch_size=32,
    ...                      num_samples=512, validation_split=0.2)
    """
    if not isinstance(history, keras.callbacks.History):
        fail(
            f"Your `{name}` is a {type(history).__name__}.",
            "Expected the History object that fit returns.",
            f"assign the result of {model_name}.fit(...) to `{name}`.",
        )
    if model is not None and history.model is not model:
        fail(
            f"Your `{name}` does not come from training your `{model_name}`.",
            f"Expected what `{model_name}.fit(...)` returned.",
            f"keep what `{model_name}.fit(...)` returns, and make sure the fit call runs "
            "without an error.",
        )
    recorded = len(history.history.get("loss", []))
    if epochs is not None and recorded != epochs:
        fail(
            f"Your `{name}` records {recorded} epoch(s).",
            f"Expected {epochs}.",
            "fit's argument for the number of passes over the data is `epochs`.",
        )
    held_out = any(key.startswith("val_") for key in history.history)
    if validation is not None and held_out != validation:
        fail(
            f"Your `{name}` {'has' if held_out else 'has no'} validation losses.",
            f"Expected {'validation losses' if validation else 'none'}: the exercise "
            f"{'asks for' if validation else 'does not ask for'} validation data.",
            "fit reports validation losses when you give it validation_split=... or "
            "validation_data=(inputs, targets)." if validation else
            "leave out validation_split and validation_data.",
        )
    if num_samples is not None and (batch_size is not None or validation_split is not None):
        steps = history.params.get("steps")
        train = _training_samples(num_samples, validation_split)
        wanted = math.ceil(train / batch_size) if batch_size else None
        if wanted is not None and steps != wanted:
            size = f"about {math.ceil(train / steps)}" if steps else "unknown"
            fail(
                f"Your `{name}` shows {steps} batches per epoch over {train} training "
                f"samples: batches of {size}.",
                f"Expected batches of {batch_size}"
                + (f", with {validation_split:g} of the {num_samples} samples held out for "
                   "validation." if validation_split else "."),
                "look at the batch_size you give fit" + (
                    " and the share you hold out with validation_split." if validation_split
                    else "."),
            )


@student_check
def check_new_model(model: Any, old: Any, *, name: str = "model", old_name: str = "old") -> None:
    """Checks that `model` is a new model, sharing no weights with `old`.

    Args:
        model: the student's model.
        old: a model the lesson built (and maybe trained) that the exercise
            asks not to reuse.
        name: the student's variable name.
        old_name: the lesson model's variable name.
    """
    check_model(model, name=name)
    if model is old:
        fail(
            f"Your `{name}` is `{old_name}` itself.",
            "Expected a new model, built in your answer.",
            "build the layers again in your answer cell: reusing the lesson's model reuses its "
            "trained weights.",
        )
    old_weights = {id(weight) for weight in old.weights}
    shared = [weight for weight in model.weights if id(weight) in old_weights]
    if shared:
        fail(
            f"Your `{name}` uses {len(shared)} of the weights of `{old_name}`.",
            "Expected a new model with weights of its own.",
            f"create new layers instead of calling `{old_name}` or its layers.",
        )

"""The checks of the student's own classes, in the kernel and on the trusted stand-ins.

Each test builds a custom layer or subclassed model as a student would, then
runs the check twice: on the live object (the kernel: Validate, nbval) and on
the stand-in that `autograder.trusted.rebuild` makes from its snapshot (what
`kfc-grade` scores). Both must pass a right answer and fail a wrong one with
the same message.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from _checks_helpers import failure
from keras import layers

from autograder import checks
from autograder.trusted import rebuild, snapshot


class Scale(layers.Layer):
    """A learned per-feature scale times a constant factor: a right custom layer."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, inputs):
        return inputs * self.scale * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class ForgetsFactor(Scale):
    """get_config leaves out `factor`, and __init__ needs it: from_config loses it."""

    def __init__(self, factor, **kwargs):
        super().__init__(factor, **kwargs)

    def get_config(self):
        return layers.Layer.get_config(self)


class ConstantInConfig(Scale):
    """get_config writes a constant instead of the layer's own factor."""

    def get_config(self):
        return {**layers.Layer.get_config(self), "factor": 2.0}


class ConfigRaises(Scale):
    """get_config fails on an attribute that is not there."""

    def get_config(self):
        return {**super().get_config(), "low": self.low}


class NoBuild(layers.Layer):
    """Weights made in __init__, no build, no get_config."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel = self.add_weight(shape=(4, units), initializer="ones", name="kernel")

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.kernel)


class BrokenCall(Scale):
    """Builds a graph, but raises on a real batch (a shape read that only holds symbolically)."""

    def call(self, inputs):
        if inputs.shape[0] is not None:
            raise ValueError("this layer only works while building")
        return inputs


class Pair(keras.Model):
    """A subclassed model that runs one functional encoder on both of its inputs."""

    def __init__(self, encoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.head = layers.Dense(1, name="head")

    def call(self, inputs):
        first, second = inputs
        return self.head(keras.ops.abs(self.encoder(first) - self.encoder(second)))


def _model_with(layer):
    inputs = keras.Input((4,), name="features")
    return keras.Model(inputs, layer(inputs))


@pytest.fixture(params=["kernel", "trusted"])
def where(request, tmp_path):
    """Returns a function giving the objects as the check sees them in the kernel or the grader."""
    if request.param == "kernel":
        return lambda namespace: namespace

    def rebuilt(namespace):
        snapshot.export(namespace, tmp_path / "cell-0001")
        keras.utils.clear_session(free_memory=False)
        return rebuild.load(tmp_path / "cell-0001")[0]

    return rebuilt


def test_a_right_custom_layer_passes_every_check(where):
    scale = Scale(3.0, name="scale")
    model = _model_with(scale)
    seen = where({"scale": scale, "model": model})
    checks.check_custom_layer(seen["scale"], name="scale")
    checks.check_config_round_trip(seen["scale"], name="scale", keys=("factor",))
    checks.check_computes(seen["scale"], lambda x: 3 * x, name="scale")
    checks.check_computes(seen["model"], lambda x: 3 * x, name="model")
    assert seen["scale"].count_params() == 4 and seen["model"].count_params() == 4
    info = checks.layer_info(seen["scale"])
    assert (info.class_name, info.bases, info.attributes["factor"]) == ("Scale", ["Layer"], 3.0)


def test_a_keras_layer_is_not_a_custom_layer(where):
    seen = where({"dense": layers.Dense(4)})
    message = failure(checks.check_custom_layer, seen["dense"], name="dense")
    assert "Your `dense` is Keras's own `Dense`" in message


def test_a_layer_where_a_model_is_asked_for(where):
    scale = Scale(name="scale")
    _model_with(scale)
    seen = where({"scale": scale})
    message = failure(checks.check_custom_layer, seen["scale"], name="scale", base="Model",
                      methods=("call",))
    assert "Your `scale`'s class, `Scale`, derives from Layer. Expected a class derived from " \
           "keras.Model" in message


def test_a_layer_that_does_not_define_build_or_get_config_itself(where):
    layer = NoBuild(name="projection")
    _model_with(layer)
    seen = where({"projection": layer})
    message = failure(checks.check_custom_layer, seen["projection"], name="projection")
    assert "does not define `build`, `get_config` itself" in message
    checks.check_custom_layer(seen["projection"], name="projection", methods=("call",))


def test_a_layer_that_computes_something_else_says_where(where):
    scale = Scale(2.0, name="scale")
    _model_with(scale)
    seen = where({"scale": scale})
    message = failure(checks.check_computes, seen["scale"], lambda x: 3 * x, name="scale",
                      hint="multiply by the factor you were given.")
    assert "on a test input of shape (3, 4)" in message and "Expected" in message
    assert message.endswith("Hint: multiply by the factor you were given.")


def test_a_layer_whose_output_shape_differs(where):
    layer = NoBuild(units=3, name="projection")
    _model_with(layer)
    seen = where({"projection": layer})
    message = failure(checks.check_computes, seen["projection"], lambda x: x @ np.ones((4, 2)),
                      name="projection")
    assert "of shape (3, 3) on a test input of shape (3, 4). Expected shape (3, 2)" in message


def test_a_call_that_raises_on_real_inputs(where):
    layer = BrokenCall(name="broken")
    _model_with(layer)
    seen = where({"broken": layer})
    message = failure(checks.check_computes, seen["broken"], lambda x: x, name="broken")
    assert "Your `broken` raised ValueError: this layer only works while building" in message


@pytest.mark.parametrize("cls, keys, found", [
    (ForgetsFactor, (), "from_config raised TypeError"),
    (ForgetsFactor, ("factor",), "Your `scale.get_config()` has no 'factor'"),
    (ConstantInConfig, ("factor",),
     "gives 'factor' = 2.0, but the layer keeps `scale.factor` = 5.0"),
    (ConfigRaises, (), "Calling `scale.get_config()` raised AttributeError"),
])
def test_a_config_that_does_not_recreate_the_layer(cls, keys, found, where):
    scale = cls(5.0, name="scale")
    _model_with(scale)
    seen = where({"scale": scale})
    message = failure(checks.check_config_round_trip, seen["scale"], name="scale", keys=keys)
    assert found in message


def test_a_subclassed_model_that_calls_a_functional_encoder(where):
    features = keras.Input((4,), name="features")
    encoder = keras.Model(features, layers.Dense(3, name="code")(features), name="encoder")
    pair = Pair(encoder, name="pair")
    first, second = keras.Input((4,), name="first"), keras.Input((4,), name="second")
    outer = keras.Model([first, second], pair([first, second]))
    seen = where({"encoder": encoder, "pair": pair, "outer": outer})
    checks.check_custom_layer(seen["pair"], name="pair", base="Model", methods=("call",))
    info = checks.layer_info(seen["pair"])
    assert info.sublayers["encoder"] is seen["encoder"], "the encoder it holds is the same model"
    assert seen["pair"].weights[0] is seen["encoder"].weights[0], "its weights are the encoder's"
    kernel, bias = encoder.get_weights()
    head_kernel, head_bias = pair.head.get_weights()

    def expected(inputs):
        first_code, second_code = (x @ kernel + bias for x in inputs)
        return np.abs(first_code - second_code) @ head_kernel + head_bias

    checks.check_computes(seen["pair"], expected, name="pair")
    checks.check_computes(seen["outer"], expected, name="outer")
    message = failure(checks.check_custom_layer, seen["encoder"], name="encoder", base="Model")
    assert "Your `encoder` is Keras's own `Functional`" in message


def test_a_stand_in_does_not_run_and_says_why(tmp_path):
    scale = Scale(name="scale")
    model = _model_with(scale)
    snapshot.export({"model": model}, tmp_path / "cell-0001")
    rebuilt = rebuild.load(tmp_path / "cell-0001")[0]["model"]
    with pytest.raises(NotImplementedError, match="does not run the code of your class Scale"):
        rebuilt.predict(np.ones((1, 4)), verbose=0)


def test_a_forged_class_name_is_not_rebuilt(tmp_path):
    scale = Scale(name="scale")
    _model_with(scale)
    path = snapshot.export({"scale": scale}, tmp_path / "cell-0001")
    document = path.read_text().replace('"class_name": "Scale"', '"class_name": "os.system"')
    path.write_text(document)
    rebuilt = rebuild.load(tmp_path / "cell-0001")[0]["scale"]
    assert "class name is malformed" in rebuilt.kfc_unreadable_reason


def test_check_same_structure_compares_a_custom_layer_by_class_and_config(where):
    scale = Scale(3.0, name="scale")
    model = _model_with(scale)
    seen = where({"model": model})
    reference = _model_with(Scale(3.0))
    checks.check_same_structure(seen["model"], reference, name="model")
    message = failure(checks.check_same_structure, seen["model"], _model_with(Scale(2.0)),
                      name="model")
    assert "factor" in message


class Stack(layers.Layer):
    """A custom layer that holds a list of Dense layers and a frozen one."""

    def __init__(self, widths=(4, 2), **kwargs):
        super().__init__(**kwargs)
        self.widths = tuple(widths)
        self.blocks = [layers.Dense(width, activation="relu") for width in self.widths]
        self.frozen = layers.Dense(2, trainable=False)

    def call(self, inputs):
        for block in self.blocks:
            inputs = block(inputs)
        return self.frozen(inputs)

    def get_config(self):
        return {**super().get_config(), "widths": list(self.widths)}


def test_weights_of_the_layers_a_custom_layer_holds_keep_their_order_and_trainability(where):
    stack = Stack(name="stack")
    model = keras.Sequential([keras.Input((3,)), stack, layers.Dense(1, name="out")])
    seen = where({"stack": stack, "model": model})
    assert [w.shape for w in seen["stack"].weights] == [w.shape for w in stack.weights]
    assert [w.trainable for w in seen["stack"].weights] == [w.trainable for w in stack.weights]
    assert len(seen["stack"].trainable_weights) == 4 and seen["model"].count_params() == 35
    for found, original in zip(seen["stack"].get_weights(), stack.get_weights(), strict=True):
        np.testing.assert_array_equal(found, original)
    checks.check_computes(seen["model"], lambda x: model.predict(x, verbose=0), name="model")
    assert checks.layer_info(seen["stack"]).sublayers["frozen"].trainable is False


def test_a_registered_class_reloaded_from_a_keras_file_is_still_the_students(where, tmp_path):
    registered = keras.saving.register_keras_serializable(package="course_tests")(Scale)
    model = _model_with(registered(4.0, name="scale"))
    model.save(tmp_path / "scaled.keras")
    restored = keras.models.load_model(tmp_path / "scaled.keras")
    seen = where({"model": model, "restored": restored})
    checks.check_custom_layer(seen["restored"].get_layer("scale"), name="restored")
    checks.check_computes(seen["restored"], lambda x: 4 * x, name="restored")
    assert seen["restored"] is not seen["model"]

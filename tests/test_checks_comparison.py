"""`check_same_structure` passes on every spelling of the right model and names each difference.

The student's model is compared with the solution's own model as a graph of
layer calls: classes, the settings an exercise fixes, connections, the order
of operands where it matters, and the order of the model's inputs and
outputs. Spellings that build the same graph pass (an activation as an
argument or as a layer, `concatenate` or `Concatenate()`, any variable names,
any statement order, a Sequential model or a functional one); each plausible
mistake fails with a message that names the setting found and expected, in
the student's words, and never an auto-generated layer name.
"""

import textwrap

import keras
import pytest
from _checks_helpers import AUTO_NAME
from _checks_helpers import failure as _failure
from keras import layers

from autograder import checks


def _one_input(body, shape=(6,), dtype="float32"):
    """A model on one input named 'features': `body` maps the input to the output(s)."""
    def build():
        features = keras.Input(shape, dtype=dtype, name="features")
        return keras.Model(features, body(features))
    return build


def _two_inputs(body, shapes=((3,), (5,))):
    """A model on inputs 'a' and 'b', in that order."""
    def build():
        a = keras.Input(shapes[0], name="a")
        b = keras.Input(shapes[1], name="b")
        return keras.Model([a, b], body(a, b))
    return build


# Right answers, spelled differently -----------------------------------------


def _mlp_reference(x):
    return layers.Dense(1, activation="sigmoid")(layers.Dense(8, activation="relu")(x))


def _mlp_with_variables(x):
    hidden = layers.Dense(8)(x)
    hidden = layers.Activation("relu")(hidden)
    scores = layers.Dense(1)(hidden)
    return layers.Activation("sigmoid")(scores)


EQUIVALENT_MLPS = {
    "activation-layer": lambda x: layers.Dense(1, activation="sigmoid")(
        layers.Activation("relu")(layers.Dense(8)(x))),
    "relu-layer": lambda x: layers.Dense(1, activation="sigmoid")(
        layers.ReLU()(layers.Dense(8)(x))),
    "activation-function": lambda x: layers.Dense(1, activation=keras.activations.sigmoid)(
        layers.Dense(8, activation=keras.activations.relu)(x)),
    "activation-layer-with-a-function": lambda x: layers.Dense(1, activation="sigmoid")(
        layers.Activation(keras.activations.relu)(layers.Dense(8)(x))),
    "keyword-arguments": lambda x: layers.Dense(units=1, activation="sigmoid")(
        layers.Dense(units=8, activation="relu")(x)),
    "keras-layers-prefix": lambda x: keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Dense(8, activation="relu")(x)),
    "names-not-asked-for": lambda x: layers.Dense(1, activation="sigmoid", name="score")(
        layers.Dense(8, activation="relu", name="hidden")(x)),
    "variables-and-activation-layers-everywhere": _mlp_with_variables,
}


@pytest.mark.parametrize("student", EQUIVALENT_MLPS.values(), ids=EQUIVALENT_MLPS.keys())
def test_check_same_structure_passes_on_equivalent_spellings_of_an_mlp(student):
    reference = _one_input(_mlp_reference)()
    checks.check_same_structure(_one_input(student)(), reference)


def test_check_same_structure_passes_on_model_inputs_and_outputs_as_keywords():
    reference = _one_input(_mlp_reference)()
    features = keras.Input((6,), name="features")
    outputs = _mlp_reference(features)
    checks.check_same_structure(keras.Model(inputs=features, outputs=outputs), reference)
    checks.check_same_structure(keras.Model(inputs=[features], outputs=[outputs]), reference)


@pytest.mark.parametrize("activation", ["linear", None, "missing"])
def test_check_same_structure_treats_linear_none_and_no_activation_alike(activation):
    def spelled(x):
        hidden = layers.Dense(8, activation="relu")(x)
        if activation == "missing":
            return layers.Dense(3)(hidden)
        return layers.Dense(3, activation=activation)(hidden)

    checks.check_same_structure(_one_input(spelled)(), _one_input(
        lambda x: layers.Dense(3, activation="linear")(layers.Dense(8, activation="relu")(x)))())


def _joined(join):
    return _two_inputs(lambda a, b: layers.Dense(2)(join([layers.Dense(4)(a), b])))


def test_check_same_structure_passes_on_concatenate_function_or_layer():
    reference = _joined(layers.concatenate)()
    checks.check_same_structure(_joined(lambda xs: layers.Concatenate()(xs))(), reference)
    checks.check_same_structure(_joined(lambda xs: layers.Concatenate(axis=-1)(xs))(), reference)
    checks.check_same_structure(_joined(lambda xs: layers.Concatenate(axis=1)(xs))(), reference)


def test_check_same_structure_passes_on_statements_in_another_order():
    reference = _joined(layers.concatenate)()
    b = keras.Input((5,), name="b")  # created first
    a = keras.Input((3,), name="a")
    head = layers.Dense(2)  # created before the layer it reads
    encoder = layers.Dense(4)
    encoded = encoder(a)
    student = keras.Model(inputs=[a, b], outputs=head(layers.concatenate([encoded, b])))
    checks.check_same_structure(student, reference)


def test_check_same_structure_passes_on_add_operands_in_either_order():
    def residual(order):
        def body(x):
            hidden = layers.Dense(6, activation="relu")(x)
            return layers.add(order(layers.Dense(6)(hidden), x))
        return _one_input(body)()

    reference = residual(lambda path, shortcut: [path, shortcut])
    checks.check_same_structure(residual(lambda path, shortcut: [shortcut, path]), reference)
    checks.check_same_structure(residual(lambda path, shortcut: [path, shortcut]), reference)


def test_check_same_structure_compares_graphs_so_sequential_equals_functional():
    """The comparison is about the graph: a Sequential model with the same layers is the same.

    Exercises that ask for the functional API say so to the student; the
    structure check does not tell the two apart.
    """
    functional = _one_input(_mlp_reference)()
    sequential = keras.Sequential([
        keras.Input((6,), name="features"),
        layers.Dense(8, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    checks.check_same_structure(sequential, functional)
    checks.check_same_structure(functional, sequential)
    wrong = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="tanh"),
                              layers.Dense(1, activation="sigmoid")])
    message = _failure(checks.check_same_structure, wrong, functional)
    assert "has activation 'tanh'. Expected 'relu'." in message


def test_check_same_structure_passes_on_a_shared_submodel_built_another_way():
    def classifier(vision):
        left, right = keras.Input((4, 4, 1), name="left"), keras.Input((4, 4, 1), name="right")
        merged = layers.concatenate([vision(left), vision(right)])
        return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(merged))

    image = keras.Input((4, 4, 1))
    functional_vision = keras.Model(image, layers.Dense(3, activation="relu")(
        layers.Flatten()(image)))
    sequential_vision = keras.Sequential([keras.Input((4, 4, 1)), layers.Flatten(),
                                          layers.Dense(3), layers.ReLU()])
    checks.check_same_structure(classifier(sequential_vision), classifier(functional_vision))


# Wrong answers -------------------------------------------------------------


def _conv(**settings):
    defaults = {"filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}
    return _one_input(lambda x: layers.Flatten()(layers.Conv2D(**{**defaults, **settings})(x)),
                      shape=(8, 8, 1))


def _pooled(pooling, dropout=None):
    def body(x):
        x = layers.Conv2D(4, 3, activation="relu")(x)
        x = pooling()(x)
        if dropout is not None:
            x = layers.Dropout(dropout)(x)
        return layers.Dense(2, activation="softmax")(x)
    return _one_input(body, shape=(8, 8, 1))


def _residual(shortcut_relu=False, relu_after_add=False, projection=True):
    def body(x):
        path = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
        path = layers.Conv2D(8, 3, padding="same")(path)
        shortcut = layers.Conv2D(8, 1)(x) if projection else x
        if shortcut_relu:
            shortcut = layers.ReLU()(shortcut)
        merged = layers.add([path, shortcut])
        return layers.Activation("relu")(merged) if relu_after_add else merged
    return _one_input(body, shape=(6, 6, 4))


def _subtracted(order):
    def body(x):
        positive = layers.Dense(4, activation="relu")(x)
        plain = layers.Dense(4)(x)
        return layers.subtract(order(positive, plain))
    return _one_input(body)


def _two_outputs(order):
    def body(x):
        hidden = layers.Dense(8, activation="relu")(x)
        return order(layers.Dense(1)(hidden), layers.Dense(3, activation="softmax")(hidden))
    return _one_input(body)


def _shared_dense(shared):
    def body(a, b):
        first = layers.Dense(4)
        second = first if shared else layers.Dense(4)
        return layers.Dense(1)(layers.concatenate([first(a), second(b)]))
    return _two_inputs(body, shapes=((3,), (3,)))


def _residual_from(tensor):
    def body(x):
        hidden = layers.Dense(6, activation="relu")(x)
        path = layers.Dense(6)(hidden)
        return layers.add([path, hidden if tensor == "hidden" else x])
    return _one_input(body)


def _vision_classifier(units):
    def build():
        image = keras.Input((4, 4, 1))
        vision = keras.Model(image, layers.Dense(units, activation="relu")(
            layers.Flatten()(image)))
        left, right = keras.Input((4, 4, 1), name="left"), keras.Input((4, 4, 1), name="right")
        merged = layers.concatenate([vision(left), vision(right)])
        return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(merged))
    return build


def _embedded(dtype):
    return _one_input(lambda x: layers.Dense(1)(layers.Flatten()(layers.Embedding(10, 3)(x))),
                      shape=(5,), dtype=dtype)


def _mlp(hidden_units=8, hidden_activation="relu", output_activation="sigmoid"):
    return _one_input(lambda x: layers.Dense(1, activation=output_activation)(
        layers.Dense(hidden_units, activation=hidden_activation)(x)))


WRONG = {
    "tanh-for-relu": (
        _mlp(), _mlp(hidden_activation="tanh"),
        ["Dense layer", "has activation 'tanh'. Expected 'relu'.", "which one does the exercise"]),
    "softmax-for-sigmoid": (
        _mlp(), _mlp(output_activation="softmax"),
        ["has activation 'softmax'. Expected 'sigmoid'."]),
    "missing-relu": (
        _mlp(), _mlp(hidden_activation=None),
        ["has no activation (linear). Expected 'relu'."]),
    "units": (
        _mlp(), _mlp(hidden_units=16),
        ["has units 16. Expected 8.", "count the units"]),
    "filters": (
        _conv(), _conv(filters=6), ["the Conv2D layer has filters 6. Expected 4."]),
    "kernel-size-with-same-padding": (
        _conv(), _conv(kernel_size=5),
        ["the Conv2D layer has kernel size (5, 5). Expected (3, 3).", "window size"]),
    "strides": (
        _conv(), _conv(strides=2), ["has strides (2, 2). Expected (1, 1)."]),
    "padding": (
        _conv(), _conv(padding="valid"), ["has padding 'valid'. Expected 'same'.", "'same' keeps"]),
    "dropout-rate": (
        _pooled(layers.GlobalMaxPooling2D, dropout=0.2),
        _pooled(layers.GlobalMaxPooling2D, dropout=0.5),
        ["the Dropout layer has dropout rate 0.5. Expected 0.2.", "dropout rate"]),
    "dropout-added": (
        _pooled(layers.GlobalMaxPooling2D), _pooled(layers.GlobalMaxPooling2D, dropout=0.5),
        ["has 1 Dropout layer (expected 0).", "extra or missing"]),
    "max-for-average-pooling": (
        _one_input(lambda x: layers.Flatten()(layers.AveragePooling2D(2)(x)), shape=(8, 8, 1)),
        _one_input(lambda x: layers.Flatten()(layers.MaxPooling2D(2)(x)), shape=(8, 8, 1)),
        ["0 AveragePooling2D layers (expected 1)", "1 MaxPooling2D layer (expected 0)"]),
    "global-max-for-global-average": (
        _pooled(layers.GlobalAveragePooling2D), _pooled(layers.GlobalMaxPooling2D),
        ["0 GlobalAveragePooling2D layers (expected 1)",
         "1 GlobalMaxPooling2D layer (expected 0)"]),
    "add-for-concatenate": (
        _two_inputs(lambda a, b: layers.concatenate([layers.Dense(4)(a), layers.Dense(4)(b)])),
        _two_inputs(lambda a, b: layers.add([layers.Dense(4)(a), layers.Dense(4)(b)])),
        ["1 Add layer (expected 0)", "0 Concatenate layers (expected 1)"]),
    "concatenate-axis-where-shapes-allow-either": (
        _two_inputs(lambda a, b: layers.concatenate([a, b], axis=-1), shapes=((4, 4), (4, 4))),
        _two_inputs(lambda a, b: layers.concatenate([a, b], axis=1), shapes=((4, 4), (4, 4))),
        ["the Concatenate layer has axis 1. Expected 2.", "which axis holds the features"]),
    "concatenate-operands-swapped": (
        _joined(layers.concatenate), _joined(lambda xs: layers.concatenate(xs[::-1])),
        ["the Concatenate layer takes its inputs in another order", "the order of the list"]),
    "subtract-operands-swapped": (
        _subtracted(lambda p, q: [p, q]), _subtracted(lambda p, q: [q, p]),
        ["the Subtract layer takes its inputs in another order"]),
    "inputs-swapped": (
        _joined(layers.concatenate),
        lambda: keras.Model(list(reversed((model := _joined(layers.concatenate)()).inputs)),
                            model.outputs),
        ["lists its inputs in the order", "keras.Model(inputs=...)"]),
    "outputs-swapped": (
        _two_outputs(lambda first, second: [first, second]),
        _two_outputs(lambda first, second: [second, first]),
        ["lists its outputs in another order", "keras.Model(outputs=...)"]),
    "input-dtype": (
        _embedded("int32"), _embedded("float32"),
        ["the input 'features' has dtype 'float'. Expected 'int'.", "integers"]),
    "relu-after-add": (
        _residual(), _residual(relu_after_add=True),
        ["has 1 Activation layer (expected 0)."]),
    "relu-on-the-1x1-shortcut": (
        _residual(), _residual(shortcut_relu=True),
        ["has activation 'relu'. Expected no activation (linear)."]),
    "shared-layer-as-two-instances": (
        _shared_dense(shared=True), _shared_dense(shared=False),
        ["has 3 Dense layers (expected 2)."]),
    "call-on-another-tensor-of-the-same-shape": (
        _residual_from("hidden"), _residual_from("input"),
        ["the Add layer reads", "the input 'features'", "which tensor do you pass"]),
    "submodel-differs": (
        _vision_classifier(3), _vision_classifier(5),
        ["the sub-model", "is not built like the one the exercise describes",
         "call the sub-model the exercise names"]),
}


@pytest.mark.parametrize(("reference", "student", "fragments"), WRONG.values(), ids=WRONG.keys())
def test_check_same_structure_fails_naming_the_difference(reference, student, fragments):
    expected = reference()
    message = _failure(checks.check_same_structure, student(), expected, name="model")
    assert message.startswith("Your model `model`"), message
    for fragment in fragments:
        assert fragment in message, message


def test_check_same_structure_fails_on_the_order_of_inputs_with_their_names():
    reference = _joined(layers.concatenate)()
    model = _joined(layers.concatenate)()
    swapped = keras.Model(model.inputs[::-1], model.outputs)
    message = _failure(checks.check_same_structure, swapped, reference)
    assert "lists its inputs in the order ['b', 'a']" in message


def test_check_same_structure_messages_name_no_auto_generated_layer():
    """Layers and outputs left unnamed are described by kind and by what they read."""
    reference = _two_outputs(lambda first, second: [first, second])()
    student = _two_outputs(lambda first, second: [second, first])()
    assert any(AUTO_NAME.match(layer.name) for layer in student.layers)
    _failure(checks.check_same_structure, student, reference)  # asserts no auto name
    student = _mlp(hidden_units=16)()
    assert [layer.name for layer in student.layers if AUTO_NAME.match(layer.name)]
    message = _failure(checks.check_same_structure, student, _mlp()())
    assert "the Dense layer that reads the input 'features' has units 16" in message


def _run_as_cell(source: str, **given) -> dict:
    """Runs `source` as a notebook cell does: in a `__main__` namespace of its own."""
    namespace = {"__name__": "__main__", "keras": keras, "layers": layers, "checks": checks,
                 **given}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)  # noqa: S102
    return namespace


def test_check_same_structure_names_the_students_variable_holding_the_layer_output():
    reference = _mlp()()
    with pytest.raises(AssertionError) as error:
        _run_as_cell("""
            features = keras.Input((6,), name="features")
            hidden = layers.Dense(16, activation="relu")(features)
            score = layers.Dense(1, activation="sigmoid")(hidden)
            model = keras.Model(features, score)
            checks.check_same_structure(model, reference, name="model")
        """, reference=reference)
    message = str(error.value)
    assert "Your model `model`: the Dense layer that gives `hidden` has units 16." in message
    assert not AUTO_NAME.search(message)


def test_check_same_structure_names_the_variables_a_misconnected_layer_reads():
    reference = _residual_from("hidden")()
    with pytest.raises(AssertionError) as error:
        _run_as_cell("""
            features = keras.Input((6,), name="features")
            hidden = layers.Dense(6, activation="relu")(features)
            path = layers.Dense(6)(hidden)
            block = keras.Model(features, layers.add([path, features]))
            checks.check_same_structure(block, reference, name="block")
        """, reference=reference)
    message = str(error.value)
    assert "Your model `block`: the Add layer reads the Dense layer that gives `path`" in message
    assert not AUTO_NAME.search(message)


def test_check_same_structure_fails_first_on_something_that_is_not_a_model():
    message = _failure(checks.check_same_structure, None, _mlp()(), name="mlp")
    assert "Your `mlp` is None." in message


@pytest.mark.parametrize("activation", [
    lambda: layers.ReLU(), lambda: layers.Activation("relu"),
    lambda: layers.Activation(keras.activations.relu),
], ids=["ReLU", "Activation-relu", "Activation-function"])
def test_check_same_structure_passes_on_any_spelling_of_the_relu_after_an_add(activation):
    """After an Add (no activation argument to fold into) the activation stays a layer."""
    def block(relu):
        def body(x):
            path = layers.Conv2D(4, 3, padding="same")(x)
            return relu()(layers.add([path, x]))
        return _one_input(body, shape=(6, 6, 4))()

    checks.check_same_structure(block(activation), block(lambda: layers.ReLU()))
    message = _failure(checks.check_same_structure, block(lambda: layers.Activation("tanh")),
                       block(activation))
    assert "has activation 'tanh'. Expected 'relu'." in message


def test_check_same_structure_passes_on_a_softmax_layer_for_the_softmax_argument():
    reference = _mlp(output_activation="softmax")()
    student = _one_input(lambda x: layers.Softmax()(layers.Dense(1)(
        layers.Dense(8, activation="relu")(x))))()
    checks.check_same_structure(student, reference)

"""Equivalent rewrites of chapter 09's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

import runpy
from pathlib import Path

# The exercises' given set-up lines are written once, in the chapter's mistakes file.
_GIVEN = runpy.run_path(str(Path(__file__).resolve().parents[1] / "mistakes" / "chapter_09.py"))
EX1_SETUP = _GIVEN["EX1_SETUP"]
EX2_SETUP = _GIVEN["EX2_SETUP"]
EX3_SETUP = _GIVEN["EX3_SETUP"]

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

REWRITES = [
    dict(cell="ex1_projection", why="the @ operator, a named weight with an initializer, a dict merge in get_config, keyword Model",
         code=EX1_SETUP + '''class Projection(keras.layers.Layer):
    """Multiplies the input by a learned matrix."""

    def __init__(self, units=3, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        features = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(features, self.units),
                                      initializer="glorot_uniform", trainable=True)

    def call(self, inputs):
        return self.activation(inputs @ self.kernel)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.activations.serialize(self.activation)}


projection = Projection(units=3, activation="tanh", name="projection")
projected = projection(readings)
sensor_model = keras.Model(inputs=readings, outputs=head(projected), name="sensor_model")
'''),
    dict(cell="ex1_projection", why="keras.ops.dot, input_shape[1] (the same axis on 2-D inputs), zeros initializer (any initializer), config.update, tanh given as the function, attributes set before super().__init__",
         code=EX1_SETUP + '''class Projection(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        self.units = units
        self.activation = keras.activations.get(activation)
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.matrix = self.add_weight(shape=(input_shape[1], self.units), initializer="zeros")

    def call(self, inputs):
        projected = keras.ops.dot(inputs, self.matrix)
        return self.activation(projected)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "activation": keras.activations.serialize(self.activation)})
        return config


projection = Projection(3, keras.activations.tanh)
output = head(projection(readings))
sensor_model = keras.Model(readings, output)
'''),
    dict(cell="ex2_energy", why="log(1 + ...) for log1p, signal * signal for the square, a Concatenate layer, keyword Model",
         code=EX2_SETUP + '''energy = keras.ops.sum(signal * signal, axis=-1, keepdims=True)
log_energy = keras.ops.log(1.0 + energy)
features = layers.Concatenate(axis=-1)([signal, log_energy])
score = layers.Dense(units=1, activation="sigmoid", name="score")(features)
energy_model = keras.Model(inputs=signal, outputs=score)
'''),
    dict(cell="ex2_energy", why="keras.ops.power and axis=1 (the last axis here), keras.ops.concatenate, everything on fewer lines",
         code=EX2_SETUP + '''log_energy = keras.ops.log1p(keras.ops.sum(keras.ops.power(signal, 2), axis=1, keepdims=True))
score = layers.Dense(1, activation="sigmoid", name="score")(keras.ops.concatenate([signal, log_energy], axis=-1))
energy_model = keras.Model(signal, score, name="energy_model")
'''),
    dict(cell="ex3_pair_scorer", why="the pair unpacked, keyword arguments, a model name, keyword Model",
         code=EX3_SETUP + '''class PairScorer(keras.Model):
    """Scores how different two inputs are, through one encoder."""

    def __init__(self, encoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.head = layers.Dense(units=1, activation="sigmoid")

    def call(self, inputs):
        first, second = inputs
        first_code = self.encoder(first)
        second_code = self.encoder(second)
        return self.head(keras.ops.abs(first_code - second_code))


pair_model = PairScorer(encoder=encoder, name="pair_scorer")
scores = pair_model([left, right])
pair_graph = keras.Model(inputs=[left, right], outputs=scores, name="pair_graph")
'''),
    dict(cell="ex3_pair_scorer", why="second code minus first (the absolute value is the same), keras.ops.subtract and absolute, a sigmoid function for the string",
         code=EX3_SETUP + '''class PairScorer(keras.Model):
    def __init__(self, encoder, **kwargs):
        super().__init__(**kwargs)
        self.head = layers.Dense(1, activation=keras.activations.sigmoid)
        self.encoder = encoder

    def call(self, inputs):
        codes = [self.encoder(tensor) for tensor in inputs]
        return self.head(keras.ops.absolute(keras.ops.subtract(codes[1], codes[0])))


pair_model = PairScorer(encoder)
scores = pair_model([left, right])
pair_graph = keras.Model([left, right], scores)
'''),
]

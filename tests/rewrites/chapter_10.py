"""Equivalent rewrites of chapter 10's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

import runpy
from pathlib import Path

# The exercises' given set-up lines are written once, in the chapter's mistakes file.
_GIVEN = runpy.run_path(str(Path(__file__).resolve().parents[1] / "mistakes" / "chapter_10.py"))
ENCODER = _GIVEN["ENCODER"]
EX1 = _GIVEN["EX1"]
CLASSIFIER = _GIVEN["CLASSIFIER"]

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
EX1_END = "workspace.cleanup()\n"

REWRITES = [
    dict(cell="ex1_round_trip", why="default package, config.update, keras.saving functions, a str path",
         code=EX1 + '''@keras.saving.register_keras_serializable()
class Clip(layers.Layer):
    def __init__(self, low, high, **kwargs):
        super().__init__(**kwargs)
        self.low = low
        self.high = high

    def call(self, inputs):
        return keras.ops.minimum(keras.ops.maximum(inputs, self.low), self.high)

    def get_config(self):
        config = super().get_config()
        config.update({"low": self.low, "high": self.high})
        return config


clip_name = keras.saving.get_registered_name(Clip)
readings = keras.Input((6,), name="readings")
limit = Clip(low=-1.0, high=1.0, name="limit")
score = layers.Dense(units=3, name="score")
sensor_model = keras.Model(inputs=readings, outputs=score(limit(readings)), name="sensors")
path = str(folder / "sensors.keras")
keras.saving.save_model(sensor_model, path)
restored_sensors = keras.saving.load_model(path)
''' + EX1_END),
    dict(cell="ex1_round_trip", why="decorator applied as a function after the class, os.path, compile=False",
         code=EX1 + '''import os


class Clip(layers.Layer):
    def __init__(self, low, high, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def call(self, inputs):
        return keras.ops.clip(inputs, self.low, self.high)

    def get_config(self):
        return dict(super().get_config(), low=self.low, high=self.high)


Clip = keras.saving.register_keras_serializable(package="course_sensors")(Clip)
clip_name = keras.saving.get_registered_name(Clip)
readings = keras.Input(shape=(6,), name="readings")
sensor_model = keras.Model(readings, layers.Dense(3, name="score")(Clip(-1, 1, name="limit")(readings)))
file_name = os.path.join(folder, "sensors.keras")
sensor_model.save(file_name)
restored_sensors = keras.models.load_model(file_name, compile=False)
''' + EX1_END),
    dict(cell="ex2_copies", why="from_config for the fresh copy, assign for the backup, keyword Model",
         code=ENCODER + '''left = keras.Input((8, 8, 1), name="left")
right = keras.Input((8, 8, 1), name="right")
left_code = encoder(left)
right_code = encoder(right)
pair = keras.Model(inputs=[left, right], outputs=layers.Concatenate(axis=-1)([left_code, right_code]), name="pair")
fresh = keras.Model.from_config(encoder.get_config())
backup = keras.models.clone_model(encoder)
for mine, original in zip(backup.weights, encoder.weights):
    mine.assign(original)
'''),
    dict(cell="ex2_copies", why="backup first, set_weights from a list, clone_model with input_tensors",
         code=ENCODER + '''values = encoder.get_weights()
backup = keras.models.clone_model(encoder)
backup.set_weights(values)
fresh = keras.models.clone_model(encoder, input_tensors=keras.Input(shape=(8, 8, 1), name="image"))
inputs = [keras.Input(shape=(8, 8, 1), name=side) for side in ("left", "right")]
pair = keras.Model(inputs, layers.concatenate([encoder(patch) for patch in inputs]))
'''),
    dict(cell="ex3_edit_config", why="the entry found with next(), the model class from keras.models",
         code=CLASSIFIER + '''config = classifier.get_config()
scores_entry = next(entry for entry in config["layers"] if entry["name"] == "scores")
scores_entry["config"]["units"] = 5
five_classes = keras.models.Model.from_config(config)
'''),
    dict(cell="ex3_edit_config", why="enumerate and an index into the list, found by name",
         code=CLASSIFIER + '''config = classifier.get_config()
for index, entry in enumerate(config["layers"]):
    if entry["config"]["name"] == "scores":
        config["layers"][index]["config"].update(units=5)
five_classes = keras.Model.from_config(config)
'''),
]

NB = "10-saving/saving.ipynb"
SEED = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
# Exercise 1's cell makes its own temporary folder and deletes it at its end.
EX1 = SEED + "workspace = tempfile.TemporaryDirectory()\nfolder = Path(workspace.name)\n"
EX1_END = "workspace.cleanup()\n"

CLIP = '''@keras.saving.register_keras_serializable(package="sensors")
class Clip(layers.Layer):
    def __init__(self, low, high, **kwargs):
        super().__init__(**kwargs)
        self.low = low
        self.high = high

    def call(self, inputs):
        return keras.ops.clip(inputs, self.low, self.high)

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high}


clip_name = keras.saving.get_registered_name(Clip)
'''
SENSOR_MODEL = '''readings = keras.Input(shape=(6,), name="readings")
clipped = Clip(-1.0, 1.0, name="limit")(readings)
sensor_model = keras.Model(readings, layers.Dense(3, name="score")(clipped))
sensor_model.save(folder / "sensors.keras")
'''
LOAD = 'restored_sensors = keras.models.load_model(folder / "sensors.keras")\n'

ENCODER = SEED + '''image = keras.Input(shape=(8, 8, 1), name="image")
feature_maps = layers.Conv2D(4, 3, activation="relu", name="conv")(image)
pooled = layers.GlobalAveragePooling2D(name="pool")(feature_maps)
encoder = keras.Model(image, layers.Dense(4, name="code")(pooled), name="encoder")
'''
INPUTS = '''left = keras.Input(shape=(8, 8, 1), name="left")
right = keras.Input(shape=(8, 8, 1), name="right")
'''
PAIR = INPUTS + '''codes = layers.concatenate([encoder(left), encoder(right)])
pair = keras.Model([left, right], codes)
'''
FRESH = "fresh = keras.models.clone_model(encoder)\n"
BACKUP = "backup = keras.models.clone_model(encoder)\nbackup.set_weights(encoder.get_weights())\n"

CLASSIFIER = SEED + '''inputs = keras.Input(shape=(10,), name="features")
hidden = layers.Dense(16, activation="relu", name="hidden")(inputs)
scores = layers.Dense(3, activation="softmax", name="scores")(hidden)
classifier = keras.Model(inputs, scores, name="classifier")
'''

MISTAKES = [
    # Exercise 1: a custom layer that survives a round trip.
    dict(notebook=NB, cell="ex1_round_trip", why="the class not registered; loaded with custom_objects",
         code=EX1 + CLIP.replace('@keras.saving.register_keras_serializable(package="sensors")\n', "")
         + SENSOR_MODEL
         + 'restored_sensors = keras.models.load_model(folder / "sensors.keras", custom_objects={"Clip": Clip})\n' + EX1_END,
         fails={"ex1_registered_name": "Your `clip_name` is 'Clip'"}),
    dict(notebook=NB, cell="ex1_round_trip", why="the saved model itself kept, not the loaded one",
         code=EX1 + CLIP + SENSOR_MODEL + "restored_sensors = sensor_model\n" + EX1_END,
         fails={"ex1_restored_model": "Your `restored_sensors` is `sensor_model` itself"}),
    dict(notebook=NB, cell="ex1_round_trip", why="rebuilt from the config (fresh weights) instead of loaded",
         code=EX1 + CLIP + SENSOR_MODEL + "restored_sensors = keras.Model.from_config(sensor_model.get_config())\n" + EX1_END,
         fails={"ex1_restored_model": "has weight values that differ from those of `sensor_model`"}),
    dict(notebook=NB, cell="ex1_round_trip", why="a clone (fresh weights) instead of loading the file",
         code=EX1 + CLIP + SENSOR_MODEL + "restored_sensors = keras.models.clone_model(sensor_model)\n" + EX1_END,
         fails={"ex1_restored_model": "has weight values that differ from those of `sensor_model`"}),
    dict(notebook=NB, cell="ex1_round_trip", why="call clips only from above (minimum), not to [low, high]",
         code=EX1 + CLIP.replace("keras.ops.clip(inputs, self.low, self.high)", "keras.ops.minimum(inputs, self.high)")
         + SENSOR_MODEL + LOAD + EX1_END,
         fails={"ex1_restored_clip": "Expected -1 there"}),
    dict(notebook=NB, cell="ex1_round_trip", why="the clip layer not named 'limit'",
         code=EX1 + CLIP + SENSOR_MODEL.replace(', name="limit"', "") + LOAD + EX1_END,
         fails={"ex1_restored_clip": "'limit'"}),
    dict(notebook=NB, cell="ex1_round_trip", why="get_config forgets low, which then comes back as its default",
         code=EX1 + CLIP.replace('"low": self.low, "high": self.high}', '"high": self.high}')
         .replace("def __init__(self, low, high, **kwargs):", "def __init__(self, low=0.0, high=1.0, **kwargs):")
         + SENSOR_MODEL + LOAD + EX1_END,
         fails={"ex1_restored_clip": "get_config()` has no 'low'"}),
    dict(notebook=NB, cell="ex1_round_trip", why="Dense of 4 units instead of 3",
         code=EX1 + CLIP + SENSOR_MODEL.replace("layers.Dense(3,", "layers.Dense(4,") + LOAD + EX1_END,
         fails={"ex1_restored_model": "(None, 3)"}),
    dict(notebook=NB, cell="ex1_round_trip", why="Keras's own Dense clipped by its activation, not a class of yours",
         code=EX1 + CLIP + '''readings = keras.Input(shape=(6,), name="readings")
clipped = layers.Activation("tanh", name="limit")(readings)
sensor_model = keras.Model(readings, layers.Dense(3, name="score")(clipped))
sensor_model.save(folder / "sensors.keras")
''' + LOAD + EX1_END,
         fails={"ex1_restored_clip": "is Keras's own `Activation`"}),

    # Exercise 2: a pair model, a fresh copy and a backup.
    dict(notebook=NB, cell="ex2_copies", why="encoder called on the left patch twice",
         code=ENCODER + INPUTS + '''codes = layers.concatenate([encoder(left), encoder(left)])
pair = keras.Model([left, right], codes)
''' + FRESH + BACKUP,
         fails={"ex2_pair_shares": "twice on the same tensor"}),
    dict(notebook=NB, cell="ex2_copies", why="one clone of encoder shared by both branches, not encoder itself",
         code=ENCODER + INPUTS + '''copy_of_encoder = keras.models.clone_model(encoder)
codes = layers.concatenate([copy_of_encoder(left), copy_of_encoder(right)])
pair = keras.Model([left, right], codes)
''' + FRESH + BACKUP,
         fails={"ex2_pair_shares": "that are not `encoder`'s own variables"}),
    dict(notebook=NB, cell="ex2_copies", why="the codes concatenated right first",
         code=ENCODER + INPUTS + '''codes = layers.concatenate([encoder(right), encoder(left)])
pair = keras.Model([left, right], codes)
''' + FRESH + BACKUP,
         fails={"ex2_pair_shares": "the code of `left` first"}),
    dict(notebook=NB, cell="ex2_copies", why="the inputs not named left and right",
         code=ENCODER + '''left = keras.Input(shape=(8, 8, 1))
right = keras.Input(shape=(8, 8, 1))
codes = layers.concatenate([encoder(left), encoder(right)])
pair = keras.Model([left, right], codes)
''' + FRESH + BACKUP,
         fails={"ex2_pair_shares": "left"}),
    dict(notebook=NB, cell="ex2_copies", why="fresh given encoder's values",
         code=ENCODER + PAIR + FRESH + "fresh.set_weights(encoder.get_weights())\n" + BACKUP,
         fails={"ex2_fresh_clone": "Your `fresh` has the same weight values as `encoder`"}),
    dict(notebook=NB, cell="ex2_copies", why="fresh made by calling encoder (shared weights)",
         code=ENCODER + PAIR + '''fresh_input = keras.Input(shape=(8, 8, 1), name="image")
fresh = keras.Model(fresh_input, encoder(fresh_input))
''' + BACKUP,
         fails={"ex2_fresh_clone": "uses 4 of the weights of `encoder`"}),
    dict(notebook=NB, cell="ex2_copies", why="backup cloned without copying the values",
         code=ENCODER + PAIR + FRESH + "backup = keras.models.clone_model(encoder)\n",
         fails={"ex2_backup": "Your `backup` has weight values that differ from those of `encoder`"}),
    dict(notebook=NB, cell="ex2_copies", why="backup is encoder itself",
         code=ENCODER + PAIR + FRESH + "backup = encoder\n",
         fails={"ex2_backup": "Your `backup` is `encoder` itself"}),

    # Exercise 3: edit a config, rebuild the model.
    dict(notebook=NB, cell="ex3_edit_config", why="the model itself, not a rebuilt one",
         code=CLASSIFIER + "five_classes = classifier\n",
         fails={"ex3_output_units": "Your `five_classes` is `classifier` itself"}),
    dict(notebook=NB, cell="ex3_edit_config", why="units set on the layer entry, not under its 'config'",
         code=CLASSIFIER + '''config = classifier.get_config()
for layer_config in config["layers"]:
    if layer_config["name"] == "scores":
        layer_config["units"] = 5
five_classes = keras.Model.from_config(config)
''',
         fails={"ex3_output_units": "Expected a Dense layer of 5 units"}),
    dict(notebook=NB, cell="ex3_edit_config", why="built again by hand, hidden layer without relu",
         code=CLASSIFIER + '''features = keras.Input(shape=(10,), name="features")
five_classes = keras.Model(features, layers.Dense(5, activation="softmax", name="scores")(
    layers.Dense(16, name="hidden")(features)))
''',
         fails={"ex3_rest_unchanged": "relu"}),
    dict(notebook=NB, cell="ex3_edit_config", why="the output activation changed along with the units",
         code=CLASSIFIER + '''config = classifier.get_config()
for layer_config in config["layers"]:
    if layer_config["name"] == "scores":
        layer_config["config"]["units"] = 5
        layer_config["config"]["activation"] = "sigmoid"
five_classes = keras.Model.from_config(config)
''',
         fails={"ex3_rest_unchanged": "sigmoid"}),
]

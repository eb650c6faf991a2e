NB = "09-custom-layers/custom_layers.ipynb"
SEED = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
EX1_SETUP = SEED + '''readings = keras.Input(shape=(5,), name="readings")
head = layers.Dense(1, name="head")
'''
EX2_SETUP = SEED + 'signal = keras.Input(shape=(8,), name="signal")\n'
EX3_SETUP = SEED + '''item = keras.Input(shape=(6,), name="item")
encoder = keras.Model(item, layers.Dense(4, activation="relu")(item), name="encoder")
left = keras.Input(shape=(6,), name="left")
right = keras.Input(shape=(6,), name="right")
'''


def projection_class(build="self.matrix = self.add_weight(shape=(input_shape[-1], self.units))",
                     call="return self.activation(keras.ops.matmul(inputs, self.matrix))",
                     config='config = super().get_config()\n        config["units"] = self.units\n'
                            '        config["activation"] = keras.activations.serialize(self.activation)\n'
                            '        return config'):
    """The exercise 1 class with one method body replaced."""
    return f'''class Projection(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        {build}

    def call(self, inputs):
        {call}

    def get_config(self):
        {config}


'''


EX1_MODEL = '''projection = Projection(3, activation="tanh")
sensor_model = keras.Model(readings, head(projection(readings)))'''


def pair_class(init_extra="", call='difference = self.encoder(inputs[0]) - self.encoder(inputs[1])\n        return self.head(keras.ops.abs(difference))',
               encoder="encoder", head='layers.Dense(1, activation="sigmoid")'):
    """The exercise 3 class with parts replaced."""
    return f'''class PairScorer(keras.Model):
    def __init__(self, encoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = {encoder}
        self.head = {head}{init_extra}

    def call(self, inputs):
        {call}


'''


EX3_MODEL = '''pair_model = PairScorer(encoder)
scores = pair_model([left, right])
pair_graph = keras.Model([left, right], scores)'''

MISTAKES = [
    # Exercise 1: a projection layer of your own.
    dict(notebook=NB, cell="ex1_projection", why="Keras's Dense without bias instead of a class of one's own",
         code=EX1_SETUP + '''projection = layers.Dense(3, activation="tanh", use_bias=False)
sensor_model = keras.Model(readings, head(projection(readings)))''',
         fails={"ex1_projection_class": "Your `projection` is Keras's own `Dense`"}),
    dict(notebook=NB, cell="ex1_projection", why="no get_config in the class (Keras's automatic config)",
         code=EX1_SETUP + '''class Projection(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.matrix = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.matrix))


''' + EX1_MODEL,
         fails={"ex1_projection_class": "does not define `get_config` itself"}),
    dict(notebook=NB, cell="ex1_projection", why="a bias added to the projection",
         code=EX1_SETUP + projection_class(
             build="self.matrix = self.add_weight(shape=(input_shape[-1], self.units))\n"
                   "        self.bias = self.add_weight(shape=(self.units,))",
             call="return self.activation(keras.ops.matmul(inputs, self.matrix) + self.bias)") + EX1_MODEL,
         fails={"ex1_projection_weight": "has 2 weights"}),
    dict(notebook=NB, cell="ex1_projection", why="the matrix made (units, features) and transposed in call",
         code=EX1_SETUP + projection_class(
             build="self.matrix = self.add_weight(shape=(self.units, input_shape[-1]))",
             call="return self.activation(keras.ops.matmul(inputs, keras.ops.transpose(self.matrix)))") + EX1_MODEL,
         fails={"ex1_projection_weight": "matrix has shape (3, 5)"}),
    dict(notebook=NB, cell="ex1_projection", why="get_config without units",
         code=EX1_SETUP + projection_class(config="return super().get_config()") + EX1_MODEL,
         fails={"ex1_projection_config": "Your `projection.get_config()` has no 'units'"}),
    dict(notebook=NB, cell="ex1_projection", why="units kept in the config under another name",
         code=EX1_SETUP + projection_class(
             config='config = super().get_config()\n        config["size"] = self.units\n'
                    '        config["activation"] = keras.activations.serialize(self.activation)\n'
                    '        return config') + EX1_MODEL,
         fails={"ex1_projection_config": "has no 'units'"}),
    dict(notebook=NB, cell="ex1_projection", why="the activation function itself kept in the config",
         code=EX1_SETUP + projection_class(
             config='config = super().get_config()\n        config["units"] = self.units\n'
                    '        config["activation"] = self.activation\n'
                    '        return config') + EX1_MODEL,
         fails={"ex1_projection_config": "gives 'activation' = '<function"}),
    dict(notebook=NB, cell="ex1_projection", why="the layer created without its activation",
         code=EX1_SETUP + projection_class() + '''projection = Projection(3)
sensor_model = keras.Model(readings, head(projection(readings)))''',
         fails={"ex1_projection_config": "gives 'activation' = 'linear'"}),
    dict(notebook=NB, cell="ex1_projection", why="call forgets the activation",
         code=EX1_SETUP + projection_class(
             call="return keras.ops.matmul(inputs, self.matrix)") + EX1_MODEL,
         fails={"ex1_projection_computes": "Your `projection` gives",
                "ex1_sensor_model": "Not checked yet"}),
    dict(notebook=NB, cell="ex1_projection", why="head left out of the model",
         code=EX1_SETUP + projection_class() + '''projection = Projection(3, activation="tanh")
sensor_model = keras.Model(readings, projection(readings))''',
         fails={"ex1_sensor_model": "Your `sensor_model` has shape (None, 3)"}),
    dict(notebook=NB, cell="ex1_projection", why="head called on readings, projection beside it",
         code=EX1_SETUP + projection_class() + '''projection = Projection(3, activation="tanh")
projected = projection(readings)
sensor_model = keras.Model(readings, head(readings))''',
         fails={"ex1_sensor_model": "Expected it to receive the output of `projection`"}),

    # Exercise 2: from tf.* to keras.ops.
    dict(notebook=NB, cell="ex2_energy", why="a Lambda layer instead of keras.ops",
         code=EX2_SETUP + '''log_energy = layers.Lambda(
    lambda tensor: keras.ops.log1p(keras.ops.sum(keras.ops.square(tensor), axis=-1, keepdims=True)))(signal)
features = layers.concatenate([signal, log_energy])
score = layers.Dense(1, activation="sigmoid", name="score")(features)
energy_model = keras.Model(signal, score)''',
         fails={"ex2_log_energy": "comes out of a Lambda layer"}),
    dict(notebook=NB, cell="ex2_energy", why="log instead of log1p (the 1 + forgotten)",
         code=EX2_SETUP + '''energy = keras.ops.sum(keras.ops.square(signal), axis=-1, keepdims=True)
log_energy = keras.ops.log(energy)
features = layers.concatenate([signal, log_energy])
score = layers.Dense(1, activation="sigmoid", name="score")(features)
energy_model = keras.Model(signal, score)''',
         fails={"ex2_log_energy": "Your `log_energy` gives"}),
    dict(notebook=NB, cell="ex2_energy", why="keepdims forgotten: the energy has no feature axis",
         code=EX2_SETUP + '''energy = keras.ops.sum(keras.ops.square(signal), axis=-1)
log_energy = keras.ops.log1p(energy)
features = layers.concatenate([signal, log_energy])
score = layers.Dense(1, activation="sigmoid", name="score")(features)
energy_model = keras.Model(signal, score)''',
         # Concatenate refuses (None, 8) with (None,), so the cell stops before
         # `energy_model`: the student reads that it is not defined and the cell stopped.
         fails={"ex2_log_energy": "`energy_model` is not defined"}),
    dict(notebook=NB, cell="ex2_energy", why="the squares summed over the batch axis",
         code=EX2_SETUP + '''energy = keras.ops.sum(keras.ops.square(signal), axis=0, keepdims=True)
log_energy = keras.ops.log1p(energy)
features = layers.concatenate([signal, log_energy])
score = layers.Dense(1, activation="sigmoid", name="score")(features)
energy_model = keras.Model(signal, score)''',
         fails={"ex2_log_energy": "Your `log_energy` has shape (1, 8)"}),
    dict(notebook=NB, cell="ex2_energy", why="signal and log_energy concatenated in the other order",
         code=EX2_SETUP + '''energy = keras.ops.sum(keras.ops.square(signal), axis=-1, keepdims=True)
log_energy = keras.ops.log1p(energy)
features = layers.concatenate([log_energy, signal])
score = layers.Dense(1, activation="sigmoid", name="score")(features)
energy_model = keras.Model(signal, score)''',
         fails={"ex2_energy_model": "Your `energy_model` gives"}),
    dict(notebook=NB, cell="ex2_energy", why="the sigmoid left out",
         code=EX2_SETUP + '''energy = keras.ops.sum(keras.ops.square(signal), axis=-1, keepdims=True)
log_energy = keras.ops.log1p(energy)
features = layers.concatenate([signal, log_energy])
score = layers.Dense(1, name="score")(features)
energy_model = keras.Model(signal, score)''',
         fails={"ex2_energy_model": "Expected 'sigmoid'"}),
    dict(notebook=NB, cell="ex2_energy", why="the Dense layer not named score",
         code=EX2_SETUP + '''energy = keras.ops.sum(keras.ops.square(signal), axis=-1, keepdims=True)
log_energy = keras.ops.log1p(energy)
features = layers.concatenate([signal, log_energy])
score = layers.Dense(1, activation="sigmoid")(features)
energy_model = keras.Model(signal, score)''',
         fails={"ex2_energy_model": "Expected 1 output(s) named ['score']"}),
    dict(notebook=NB, cell="ex2_energy", why="the Dense layer reads the log-energy alone",
         code=EX2_SETUP + '''energy = keras.ops.sum(keras.ops.square(signal), axis=-1, keepdims=True)
log_energy = keras.ops.log1p(energy)
score = layers.Dense(1, activation="sigmoid", name="score")(log_energy)
energy_model = keras.Model(signal, score)''',
         fails={"ex2_energy_model": "reads 1 numbers"}),

    # Exercise 3: a subclassed model around a functional encoder.
    dict(notebook=NB, cell="ex3_pair_scorer", why="a functional model instead of a class of one's own",
         code=EX3_SETUP + '''codes = layers.subtract([encoder(left), encoder(right)])
scores = layers.Dense(1, activation="sigmoid")(keras.ops.abs(codes))
pair_model = keras.Model([left, right], scores)
pair_graph = keras.Model([left, right], scores)''',
         fails={"ex3_pair_model_class": "is Keras's own `Functional`"}),
    dict(notebook=NB, cell="ex3_pair_scorer", why="a subclass of Layer instead of Model",
         code=EX3_SETUP + pair_class().replace("(keras.Model)", "(layers.Layer)") + EX3_MODEL,
         fails={"ex3_pair_model_class": "derives from Layer"}),
    dict(notebook=NB, cell="ex3_pair_scorer", why="a clone of the encoder instead of the given one",
         code=EX3_SETUP + pair_class(encoder="keras.models.clone_model(encoder)") + EX3_MODEL,
         fails={"ex3_encoder_reused": "is not the `encoder` the cell gives you"}),
    dict(notebook=NB, cell="ex3_pair_scorer", why="a second encoder, cloned, for the second input",
         code=EX3_SETUP + pair_class(
             init_extra="\n        self.other = keras.models.clone_model(encoder)",
             call="difference = self.encoder(inputs[0]) - self.other(inputs[1])\n"
                  "        return self.head(keras.ops.abs(difference))") + EX3_MODEL,
         fails={"ex3_encoder_reused": "Your `pair_model` has 61 parameters",
                "ex3_pair_model_computes": "Your `pair_model` gives"}),
    dict(notebook=NB, cell="ex3_pair_scorer", why="the difference without its absolute value",
         code=EX3_SETUP + pair_class(
             call="return self.head(self.encoder(inputs[0]) - self.encoder(inputs[1]))") + EX3_MODEL,
         fails={"ex3_pair_model_computes": "Your `pair_model` gives"}),
    dict(notebook=NB, cell="ex3_pair_scorer", why="the head without its sigmoid",
         code=EX3_SETUP + pair_class(head="layers.Dense(1)") + EX3_MODEL,
         fails={"ex3_pair_model_computes": "Expected 'sigmoid'"}),
    dict(notebook=NB, cell="ex3_pair_scorer", why="the two codes concatenated instead of subtracted",
         code=EX3_SETUP + pair_class(
             call="codes = keras.ops.concatenate([self.encoder(inputs[0]), self.encoder(inputs[1])], axis=-1)\n"
                  "        return self.head(codes)") + EX3_MODEL,
         fails={"ex3_pair_model_computes": "has a kernel of shape (8, 1)"}),
    dict(notebook=NB, cell="ex3_pair_scorer", why="the graph's inputs listed right first",
         code=EX3_SETUP + pair_class() + '''pair_model = PairScorer(encoder)
scores = pair_model([left, right])
pair_graph = keras.Model([right, left], scores)''',
         fails={"ex3_pair_graph": "in the order ['right', 'left']"}),
    dict(notebook=NB, cell="ex3_pair_scorer", why="pair_graph built on a second call of pair_model, on left twice",
         code=EX3_SETUP + pair_class() + '''pair_model = PairScorer(encoder)
scores = pair_model([left, right])
pair_graph = keras.Model([left, right], [pair_model([left, left])])''',
         fails={"ex3_pair_graph": "reads [`left`, `left`]"}),
]

NB = "07-capstone/capstone.ipynb"
START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

ENCODER_TAIL = '''residual = layers.Activation("relu")(residual)
pooled = layers.MaxPooling2D(2)(residual)
features = layers.Dense(32, activation="relu", name="features")(layers.Flatten()(pooled))
encoder = keras.Model(digit, features, name="encoder")'''

HEADS = '''hidden = layers.Dense(32, activation="relu", name="hidden")(difference)
same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(hidden)
ink_difference = layers.Dense(1, name="ink_difference")(hidden)
model = keras.Model([digit_a, digit_b], [same_digit, ink_difference], name="capstone")'''

INPUTS = '''digit_a = keras.Input(shape=(8, 8, 1), name="digit_a")
digit_b = keras.Input(shape=(8, 8, 1), name="digit_b")
'''

MISTAKES = [
    dict(notebook=NB, cell="ex1_encoder", why="residual added from the first convolution instead of the input",
         code=START + '''digit = keras.Input(shape=(8, 8, 1), name="digit")
first = layers.Conv2D(16, 3, padding="same", activation="relu")(digit)
path = layers.Conv2D(16, 3, padding="same")(first)
residual = layers.add([path, first], name="residual_add")
''' + ENCODER_TAIL,
         fails={"ex1_residual_shortcut": "Expected one of them to be the shortcut"}),
    dict(notebook=NB, cell="ex1_encoder", why="the 1-channel input added unprojected (Keras broadcasts it)",
         code=START + '''digit = keras.Input(shape=(8, 8, 1), name="digit")
path = layers.Conv2D(16, 3, padding="same", activation="relu")(digit)
path = layers.Conv2D(16, 3, padding="same")(path)
residual = layers.add([path, digit], name="residual_add")
''' + ENCODER_TAIL,
         fails={"ex1_residual_shortcut": "adds the block's input unchanged",
                "ex1_encoder_shapes": "Not checked yet: an earlier check of exercise 1"}),
    dict(notebook=NB, cell="ex1_encoder", why="the features Dense left out: the encoder ends with the flattened maps",
         code=START + '''digit = keras.Input(shape=(8, 8, 1), name="digit")
path = layers.Conv2D(16, 3, padding="same", activation="relu")(digit)
path = layers.Conv2D(16, 3, padding="same")(path)
shortcut = layers.Conv2D(16, 1)(digit)
residual = layers.add([path, shortcut], name="residual_add")
residual = layers.Activation("relu")(residual)
pooled = layers.MaxPooling2D(2)(residual)
features = layers.Flatten(name="features")(pooled)
encoder = keras.Model(digit, features, name="encoder")''',
         fails={"ex1_encoder_shapes": "has shape (None, 256)"}),
    dict(notebook=NB, cell="ex2_model", why="a shared Dense instead of the shared encoder sub-model",
         code=START + INPUTS + '''flatten = layers.Flatten()
shared_dense = layers.Dense(32, activation="relu")
encoded_a = shared_dense(flatten(digit_a))
encoded_b = shared_dense(flatten(digit_b))
difference = layers.subtract([encoded_a, encoded_b], name="difference")
''' + HEADS,
         fails={"ex2_shared_encoder": "has no sub-model (a model used as a layer)",
                "ex2_difference_merge": "Not checked yet: an earlier check of exercise 2"}),
    dict(notebook=NB, cell="ex2_model", why="two separate encoders instead of one shared",
         code=START + '''digit = keras.Input(shape=(8, 8, 1), name="digit")
path = layers.Conv2D(16, 3, padding="same", activation="relu")(digit)
path = layers.Conv2D(16, 3, padding="same")(path)
residual = layers.add([path, layers.Conv2D(16, 1)(digit)], name="residual_add")
pooled = layers.MaxPooling2D(2)(layers.Activation("relu")(residual))
features = layers.Dense(32, activation="relu", name="features")(layers.Flatten()(pooled))
encoder_b = keras.Model(digit, features, name="encoder_b")
''' + INPUTS + '''encoded_a = encoder(digit_a)
encoded_b = encoder_b(digit_b)
difference = layers.subtract([encoded_a, encoded_b], name="difference")
''' + HEADS,
         fails={"ex2_shared_encoder": "has 2 separate sub-model",
                "ex2_inputs_outputs": "Expected 11,858"}),
    dict(notebook=NB, cell="ex2_model", why="encodings concatenated instead of subtracted",
         code=START + INPUTS + '''encoded_a = encoder(digit_a)
encoded_b = encoder(digit_b)
difference = layers.concatenate([encoded_a, encoded_b], name="difference")
''' + HEADS,
         fails={"ex2_difference_merge": "has 0 Subtract layer(s)",
                "ex2_inputs_outputs": "Expected 11,858"}),
    dict(notebook=NB, cell="ex2_model", why="the ink head not named, so its output has an automatic name",
         code=START + INPUTS + '''encoded_a = encoder(digit_a)
encoded_b = encoder(digit_b)
difference = layers.subtract([encoded_a, encoded_b], name="difference")
hidden = layers.Dense(32, activation="relu", name="hidden")(difference)
same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(hidden)
ink_difference = layers.Dense(1)(hidden)
model = keras.Model([digit_a, digit_b], [same_digit, ink_difference], name="capstone")''',
         fails={"ex2_inputs_outputs": "Expected 2 output(s) named ['ink_difference', 'same_digit']"}),
    dict(notebook=NB, cell="ex3_compile", why="loss weights swapped (lists in the wrong order)",
         code='''model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.003),
    loss=["binary_crossentropy", "mse"],
    loss_weights=[0.1, 1.0],
    metrics={"same_digit": ["accuracy"]},
)''',
         fails={"ex3_loss_weights": "weights the losses same_digit: 0.1, ink_difference: 1",
                "ex3_weighted_loss": "Not checked yet: an earlier check of exercise 3"}),
    dict(notebook=NB, cell="ex3_compile", why="one loss for both outputs",
         code='''model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.003),
    loss="binary_crossentropy",
    loss_weights={"same_digit": 1.0, "ink_difference": 0.1},
    metrics={"same_digit": ["accuracy"]},
)''',
         fails={"ex3_losses": "with one loss, 'binary_crossentropy', for all 2 outputs"}),
    dict(notebook=NB, cell="ex3_compile", why="losses given per output but the weights forgotten",
         code='''model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.003),
    loss={"same_digit": "binary_crossentropy", "ink_difference": "mse"},
    metrics={"same_digit": ["accuracy"]},
)''',
         fails={"ex3_loss_weights": "ink_difference: 1.",
                "ex3_weighted_loss": "Not checked yet: an earlier check of exercise 3"}),
    dict(notebook=NB, cell="ex3_compile", why="lists in the right order instead of the dicts asked for",
         code='''model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.003),
    loss=["binary_crossentropy", "mse"],
    loss_weights=[1.0, 0.1],
    metrics={"same_digit": ["accuracy"]},
)''',
         fails={"ex3_loss_weights": "Expected the losses, the loss weights and the metrics as dicts"}),
    dict(notebook=NB, cell="ex3_compile", why="the optimizer given by name, at its default learning rate",
         code='''model.compile(
    optimizer="adam",
    loss={"same_digit": "binary_crossentropy", "ink_difference": "mse"},
    loss_weights={"same_digit": 1.0, "ink_difference": 0.1},
    metrics={"same_digit": ["accuracy"]},
)''',
         fails={"ex3_optimizer_metrics": "Expected learning_rate=0.003"}),
    dict(notebook=NB, cell="ex4_fit", why="a single epoch",
         code='keras.utils.set_random_seed(0)\nhistory = model.fit(x, y, epochs=1, batch_size=16, validation_split=0.2, verbose=0)',
         fails={"ex4_history": "records 1 epoch(s)"}),
    dict(notebook=NB, cell="ex4_fit", why="no validation data held out",
         code='keras.utils.set_random_seed(0)\nhistory = model.fit(x, y, epochs=10, batch_size=16, verbose=0)',
         fails={"ex4_history": "has no validation losses"}),
]

ENCODER_HEAD = '''digit = keras.Input(shape=(8, 8, 1), name="digit")
path = layers.Conv2D(16, 3, padding="same", activation="relu")(digit)
path = layers.Conv2D(16, 3, padding="same")(path)
shortcut = layers.Conv2D(16, 1)(digit)
residual = layers.add([path, shortcut], name="residual_add")
'''
ENCODE = "encoded_a = encoder(digit_a)\nencoded_b = encoder(digit_b)\n"
DIFFERENCE = 'difference = layers.subtract([encoded_a, encoded_b], name="difference")\n'
COMPILE = '''model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.003),
    loss={"same_digit": "binary_crossentropy", "ink_difference": "mse"},
    loss_weights={"same_digit": 1.0, "ink_difference": 0.1},
    metrics={"same_digit": ["accuracy"]},
)'''
FIT = 'keras.utils.set_random_seed(0)\nhistory = model.fit(x, y, epochs=10, batch_size=16, validation_split=0.2, verbose=0)'

MISTAKES += [
    dict(notebook=NB, cell="ex1_encoder", why="no ReLU after the Add",
         code=START + ENCODER_HEAD + ENCODER_TAIL.replace('residual = layers.Activation("relu")(residual)\n', ""),
         fails={"ex1_encoder_shapes": "Activation layers (expected 1)"}),
    dict(notebook=NB, cell="ex1_encoder", why="average pooling instead of max pooling",
         code=START + ENCODER_HEAD + ENCODER_TAIL.replace("MaxPooling2D", "AveragePooling2D"),
         fails={"ex1_encoder_shapes": "AveragePooling2D layer"}),
    dict(notebook=NB, cell="ex1_encoder", why="a ReLU on the second convolution of the path",
         code=START + ENCODER_HEAD.replace('path = layers.Conv2D(16, 3, padding="same")(path)',
                                           'path = layers.Conv2D(16, 3, padding="same", activation="relu")(path)')
         + ENCODER_TAIL,
         fails={"ex1_encoder_shapes": "has activation 'relu'. Expected no activation (linear)"}),
    dict(notebook=NB, cell="ex1_encoder", why="the Add layer not named",
         code=START + ENCODER_HEAD.replace(', name="residual_add"', "") + ENCODER_TAIL,
         fails={"ex1_encoder_shapes": "has no layer named 'residual_add'"}),
    dict(notebook=NB, cell="ex1_encoder", why="the encoder model not named",
         code=START + ENCODER_HEAD + ENCODER_TAIL.replace(', name="encoder"', ""),
         fails={"ex1_encoder_shapes": "Expected the name 'encoder'"}),
    dict(notebook=NB, cell="ex2_model", why="the first encoding subtracted from the second",
         code=START + INPUTS + ENCODE + DIFFERENCE.replace("[encoded_a, encoded_b]", "[encoded_b, encoded_a]") + HEADS,
         fails={"ex2_inputs_outputs": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex2_model", why="the outputs listed as [ink_difference, same_digit]",
         code=START + INPUTS + ENCODE + DIFFERENCE + HEADS.replace("[same_digit, ink_difference]", "[ink_difference, same_digit]"),
         fails={"ex2_inputs_outputs": "lists its outputs in another order"}),
    dict(notebook=NB, cell="ex2_model", why="a sigmoid on the ink difference head",
         code=START + INPUTS + ENCODE + DIFFERENCE
         + HEADS.replace('Dense(1, name="ink_difference")', 'Dense(1, activation="sigmoid", name="ink_difference")'),
         fails={"ex2_inputs_outputs": "has activation 'sigmoid'. Expected no activation (linear)"}),
    dict(notebook=NB, cell="ex2_model", why="the model not named",
         code=START + INPUTS + ENCODE + DIFFERENCE + HEADS.replace(', name="capstone"', ""),
         fails={"ex2_inputs_outputs": "Expected the name 'capstone'"}),
    dict(notebook=NB, cell="ex3_compile", why="the metric for both outputs instead of same_digit only",
         code=COMPILE.replace('metrics={"same_digit": ["accuracy"]}', 'metrics=["accuracy"]'),
         fails={"ex3_optimizer_metrics": "flat list of 1 metrics for 2 outputs"}),
    dict(notebook=NB, cell="ex3_compile", why="Adam with learning rate 0.001",
         code=COMPILE.replace("learning_rate=0.003", "learning_rate=0.001"),
         fails={"ex3_optimizer_metrics": "Expected learning_rate=0.003"}),
    dict(notebook=NB, cell="ex3_compile", why="mae instead of mse for the ink difference",
         code=COMPILE.replace('"ink_difference": "mse"', '"ink_difference": "mae"'),
         fails={"ex3_losses": "Expected ink_difference: 'mean_squared_error'"}),
    dict(notebook=NB, cell="ex4_fit", why="batches of 32 instead of 16",
         code=FIT.replace("batch_size=16", "batch_size=32"),
         fails={"ex4_history": "Expected batches of 16"}),
    dict(notebook=NB, cell="ex4_fit", why="40% held out instead of 20%",
         code=FIT.replace("validation_split=0.2", "validation_split=0.4"),
         fails={"ex4_history": "with 0.2 of the 1000 samples held out"}),
]

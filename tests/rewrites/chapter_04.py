"""Equivalent rewrites of chapter 04's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

REWRITES = [
    dict(cell="ex1_inception", why="Concatenate layer, keyword Model, other names for inner tensors",
         code=START + '''image = keras.Input(shape=(16, 16, 3), name="image")
branch_a = layers.Conv2D(8, 1, padding="same", activation="relu", name="branch_a")(image)
b = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
branch_b = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_b")(b)
c = layers.AveragePooling2D(3, strides=1, padding="same")(image)
branch_c = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_c")(c)
d = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
d = layers.Conv2D(8, 3, padding="same", activation="relu")(d)
branch_d = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_d")(d)
branches = layers.Concatenate(axis=-1, name="branches")([branch_a, branch_b, branch_c, branch_d])
inception = keras.Model(inputs=image, outputs=branches, name="inception")
'''),
    dict(cell="ex1_inception", why="branches built in reverse order, tuple kernel sizes and strides",
         code=START + '''image = keras.Input(shape=(16, 16, 3), name="image")
branch_d = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(image)
branch_d = layers.Conv2D(8, (3, 3), padding="same", activation="relu")(branch_d)
branch_d = layers.Conv2D(8, (3, 3), padding="same", activation="relu", name="branch_d")(branch_d)
branch_c = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(image)
branch_c = layers.Conv2D(8, (3, 3), padding="same", activation="relu", name="branch_c")(branch_c)
branch_b = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(image)
branch_b = layers.Conv2D(8, (3, 3), padding="same", activation="relu", name="branch_b")(branch_b)
branch_a = layers.Conv2D(8, (1, 1), padding="same", activation="relu", name="branch_a")(image)
branches = layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=-1, name="branches")
inception = keras.Model(image, branches, name="inception")
'''),
    dict(cell="ex1_inception", why="axis=3 is the channel axis of these 4-D tensors, no model name, keywords",
         code=START + '''image = keras.layers.Input(shape=(16, 16, 3), name="image")
relu = keras.activations.relu
branch_a = layers.Conv2D(filters=8, kernel_size=1, padding="same", activation=relu,
                         name="branch_a")(image)
branch_b = layers.Conv2D(filters=8, kernel_size=1, padding="same", activation=relu)(image)
branch_b = layers.Conv2D(filters=8, kernel_size=3, padding="same", activation=relu,
                         name="branch_b")(branch_b)
branch_c = layers.AveragePooling2D(pool_size=3, strides=1, padding="same")(image)
branch_c = layers.Conv2D(filters=8, kernel_size=3, padding="same", activation=relu,
                         name="branch_c")(branch_c)
branch_d = layers.Conv2D(filters=8, kernel_size=1, padding="same", activation=relu)(image)
branch_d = layers.Conv2D(filters=8, kernel_size=3, padding="same", activation=relu)(branch_d)
branch_d = layers.Conv2D(filters=8, kernel_size=3, padding="same", activation=relu,
                         name="branch_d")(branch_d)
branches = layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=3, name="branches")
inception = keras.Model(image, branches)
'''),
    dict(cell="ex2_identity_block", why="Add layer with the operands the other way round (addition commutes)",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(32, 3, padding="same", activation="relu")(block_input)
y = layers.Conv2D(32, 3, padding="same")(y)
residual_add = layers.Add(name="residual_add")([block_input, y])
identity_block = keras.Model(block_input, residual_add, name="identity_block")
'''),
    dict(cell="ex2_identity_block", why="keywords, activation=None spelled out, no model name",
         code=START + '''block_input = keras.Input((16, 16, 32), name="block_input")
path = layers.Conv2D(filters=32, kernel_size=(3, 3), padding="same", activation="relu")(block_input)
path = layers.Conv2D(filters=32, kernel_size=(3, 3), padding="same", activation=None)(path)
output = layers.add([path, block_input], name="residual_add")
identity_block = keras.Model(inputs=block_input, outputs=output)
'''),
    dict(cell="ex3_projection_block", why="shortcut built before the path, Add layer, operands swapped",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
shortcut = layers.Conv2D(64, 1, strides=2, padding="same")(block_input)
y = layers.Conv2D(64, 3, padding="same", activation="relu")(block_input)
y = layers.Conv2D(64, 3, padding="same", activation="relu")(y)
y = layers.MaxPooling2D(2, strides=2)(y)
residual_add = layers.Add(name="residual_add")([shortcut, y])
projection_block = keras.Model(block_input, residual_add, name="projection_block")
'''),
    dict(cell="ex3_projection_block", why="MaxPool2D alias, tuple sizes, activation=None, keyword Model",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(64, (3, 3), padding="same", activation="relu")(block_input)
y = layers.Conv2D(64, (3, 3), padding="same", activation="relu")(y)
y = layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2))(y)
residual = layers.Conv2D(64, (1, 1), strides=(2, 2), padding="same", activation=None)(block_input)
residual_add = layers.add([y, residual], name="residual_add")
projection_block = keras.Model(inputs=block_input, outputs=residual_add)
'''),
    dict(cell="ex4_network", why="other tensor names, keyword Model, keyword order",
         code=START + '''image = keras.Input(shape=(16, 16, 3), name="image")
features = inception(image)
features = identity_block(features)
features = projection_block(features)
pooled = layers.GlobalAveragePooling2D()(features)
label = layers.Dense(10, name="label", activation="softmax")(pooled)
network = keras.Model(inputs=image, outputs=label, name="network")
'''),
    dict(cell="ex4_network", why="nested calls, GlobalAvgPool2D alias, the softmax function, no model name",
         code=START + '''network_input = keras.Input((16, 16, 3), name="image")
x = layers.GlobalAvgPool2D()(projection_block(identity_block(inception(network_input))))
label = layers.Dense(units=10, activation=keras.activations.softmax, name="label")(x)
network = keras.Model(network_input, label)
'''),
]

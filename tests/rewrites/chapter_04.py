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
    dict(cell="ex2_identity_block", why="Add layer with the operands the other way round (addition commutes), Activation(\"relu\") layers",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(8, 1, padding="same")(block_input)
y = layers.BatchNormalization()(y)
y = layers.Activation("relu")(y)
y = layers.Conv2D(8, 3, padding="same")(y)
y = layers.BatchNormalization()(y)
y = layers.Activation("relu")(y)
y = layers.Conv2D(32, 1, padding="same")(y)
y = layers.BatchNormalization()(y)
residual_add = layers.Add(name="residual_add")([block_input, y])
block_output = layers.Activation("relu", name="block_output")(residual_add)
identity_block = keras.Model(block_input, block_output, name="identity_block")
'''),
    dict(cell="ex2_identity_block", why="keywords, tuple kernels, activation=None spelled out, other tensor names, no model name",
         code=START + '''block_input = keras.Input((16, 16, 32), name="block_input")
narrow = layers.Conv2D(filters=8, kernel_size=(1, 1), padding="same", activation=None)(block_input)
narrow = layers.ReLU()(layers.BatchNormalization()(narrow))
spatial = layers.Conv2D(filters=8, kernel_size=(3, 3), padding="same", activation=None)(narrow)
spatial = layers.ReLU()(layers.BatchNormalization()(spatial))
wide = layers.Conv2D(filters=32, kernel_size=(1, 1), padding="same", activation=None)(spatial)
wide = layers.BatchNormalization()(wide)
summed = layers.add([wide, block_input], name="residual_add")
output = layers.ReLU(name="block_output")(summed)
identity_block = keras.Model(inputs=block_input, outputs=output)
'''),
    dict(cell="ex2_identity_block", why="the widening convolution's filters read from the input's shape, a loop over the two narrow stages",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = block_input
for kernel in (1, 3):
    y = layers.Conv2D(8, kernel, padding="same")(y)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
y = layers.Conv2D(block_input.shape[-1], 1, padding="same")(y)
y = layers.BatchNormalization()(y)
residual_add = layers.add([y, block_input], name="residual_add")
identity_block = keras.Model(block_input, layers.ReLU(name="block_output")(residual_add))
'''),
    dict(cell="ex3_projection_block", why="shortcut built before the path, Add layer, operands swapped, tuple strides",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
shortcut = layers.Conv2D(64, 1, strides=(2, 2), padding="same")(block_input)
y = layers.Conv2D(64, 3, strides=(2, 2), padding="same")(block_input)
y = layers.BatchNormalization()(y)
y = layers.ReLU()(y)
y = layers.Conv2D(64, 3, padding="same")(y)
y = layers.BatchNormalization()(y)
residual_add = layers.Add(name="residual_add")([shortcut, y])
block_output = layers.ReLU(name="block_output")(residual_add)
projection_block = keras.Model(block_input, block_output, name="projection_block")
'''),
    dict(cell="ex3_projection_block", why="keywords, Activation layers, activation=None, keyword Model, no model name",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
path = layers.Conv2D(filters=64, kernel_size=(3, 3), strides=2, padding="same", activation=None)(block_input)
path = layers.BatchNormalization()(path)
path = layers.Activation("relu")(path)
path = layers.Conv2D(filters=64, kernel_size=(3, 3), padding="same", activation=None)(path)
path = layers.BatchNormalization()(path)
projection = layers.Conv2D(filters=64, kernel_size=(1, 1), strides=2, padding="same",
                           activation=None)(block_input)
summed = layers.add([path, projection], name="residual_add")
output = layers.Activation("relu", name="block_output")(summed)
projection_block = keras.Model(inputs=block_input, outputs=output)
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

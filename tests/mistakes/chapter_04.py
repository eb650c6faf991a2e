from autograder.pipeline.demo import FOUNDATION_MISTAKES as FOUNDATION

NB = "04-dags/dags.ipynb"
START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

INCEPTION_BRANCHES = '''image = keras.Input(shape=(16, 16, 3), name="image")
branch_a = layers.Conv2D(8, 1, padding="same", activation="relu", name="branch_a")(image)
branch_b = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
branch_b = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_b")(branch_b)
branch_c = layers.AveragePooling2D(3, strides=1, padding="same")(image)
branch_c = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_c")(branch_c)
branch_d = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
branch_d = layers.Conv2D(8, 3, padding="same", activation="relu")(branch_d)
branch_d = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_d")(branch_d)
'''

MISTAKES = [
    FOUNDATION["concatenation on axis 1"],
    dict(notebook=NB, cell="ex1_inception", why="branch c pools branch b's output instead of the image",
         code=START + '''image = keras.Input(shape=(16, 16, 3), name="image")
branch_a = layers.Conv2D(8, 1, padding="same", activation="relu", name="branch_a")(image)
branch_b = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
branch_b = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_b")(branch_b)
branch_c = layers.AveragePooling2D(3, strides=1, padding="same")(branch_b)
branch_c = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_c")(branch_c)
branch_d = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
branch_d = layers.Conv2D(8, 3, padding="same", activation="relu")(branch_d)
branch_d = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_d")(branch_d)
branches = layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=-1, name="branches")
inception = keras.Model(image, branches, name="inception")''',
         fails={"ex1_branches_from_input": "goes through a layer of another branch"}),
    dict(notebook=NB, cell="ex1_inception", why="branch a left out of the concatenation",
         code=START + INCEPTION_BRANCHES + '''branches = layers.concatenate([branch_b, branch_c, branch_d], axis=-1, name="branches")
inception = keras.Model(image, branches, name="inception")''',
         fails={"ex1_branches_from_input": "joins 3 branch(es). Expected 4.",
                "ex1_output_shapes": "Expected (None, 16, 16, 32)"}),
    dict(notebook=NB, cell="ex1_inception", why="concatenation layer not named",
         code=START + INCEPTION_BRANCHES + '''branches = layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=-1)
inception = keras.Model(image, branches, name="inception")''',
         fails={"ex1_output_shapes": "has outputs named ['concatenate']"}),
    FOUNDATION["a residual added from the wrong tensor"],
    dict(notebook=NB, cell="ex2_identity_block", why="a projection where the shapes already match",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(32, 3, padding="same", activation="relu")(block_input)
y = layers.Conv2D(32, 3, padding="same")(y)
residual = layers.Conv2D(32, 1, padding="same")(block_input)
residual_add = layers.add([y, residual], name="residual_add")
identity_block = keras.Model(block_input, residual_add, name="identity_block")''',
         fails={"ex2_identity_shortcut": "adds a projection of the input"}),
    dict(notebook=NB, cell="ex3_projection_block", why="shortcut projected from the first convolution instead of the block input",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y1 = layers.Conv2D(64, 3, padding="same", activation="relu")(block_input)
y = layers.Conv2D(64, 3, padding="same", activation="relu")(y1)
y = layers.MaxPooling2D(2, strides=2)(y)
residual = layers.Conv2D(64, 1, strides=2, padding="same")(y1)
residual_add = layers.add([y, residual], name="residual_add")
projection_block = keras.Model(block_input, residual_add, name="projection_block")''',
         fails={"ex3_projection_shortcut": "Expected one of them to be the shortcut"}),
    dict(notebook=NB, cell="ex3_projection_block", why="a 3x3 convolution on the shortcut instead of a 1x1",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(64, 3, padding="same", activation="relu")(block_input)
y = layers.Conv2D(64, 3, padding="same", activation="relu")(y)
y = layers.MaxPooling2D(2, strides=2)(y)
residual = layers.Conv2D(64, 3, strides=2, padding="same")(block_input)
residual_add = layers.add([y, residual], name="residual_add")
projection_block = keras.Model(block_input, residual_add, name="projection_block")''',
         fails={"ex3_projection_shortcut": "a 1x1 convolution of it"}),
    dict(notebook=NB, cell="ex3_projection_block", why="downsampling forgotten on both sides of the addition",
         code=START + '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(64, 3, padding="same", activation="relu")(block_input)
y = layers.Conv2D(64, 3, padding="same", activation="relu")(y)
residual = layers.Conv2D(64, 1, padding="same")(block_input)
residual_add = layers.add([y, residual], name="residual_add")
projection_block = keras.Model(block_input, residual_add, name="projection_block")''',
         fails={"ex3_output_shapes": "has shape (None, 16, 16, 64)"}),
    dict(notebook=NB, cell="ex4_network", why="Dense on the feature maps without the global pooling",
         code=START + '''network_input = keras.Input(shape=(16, 16, 3), name="image")
x = inception(network_input)
x = identity_block(x)
x = projection_block(x)
label = layers.Dense(10, activation="softmax", name="label")(x)
network = keras.Model(network_input, label, name="network")''',
         fails={"ex4_network_shapes": "has shape (None, 8, 8, 10)"}),
    dict(notebook=NB, cell="ex4_network", why="the identity block left out",
         code=START + '''network_input = keras.Input(shape=(16, 16, 3), name="image")
x = inception(network_input)
x = projection_block(x)
x = layers.GlobalAveragePooling2D()(x)
label = layers.Dense(10, activation="softmax", name="label")(x)
network = keras.Model(network_input, label, name="network")''',
         fails={"ex4_network_shapes": "has 60,258 parameters. Expected 78,754",
                "ex4_blocks_in_order": "does not contain the layer 'identity_block'"}),
]

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
INCEPTION_END = '''branches = layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=-1, name="branches")
inception = keras.Model(image, branches, name="inception")'''


def inception_with(old, new):
    """The right module with one line changed."""
    assert old in INCEPTION_BRANCHES + INCEPTION_END
    return START + (INCEPTION_BRANCHES + INCEPTION_END).replace(old, new)


IDENTITY = '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(32, 3, padding="same", activation="relu")(block_input)
y = layers.Conv2D(32, 3, padding="same")(y)
residual_add = layers.add([y, block_input], name="residual_add")
identity_block = keras.Model(block_input, residual_add, name="identity_block")'''

PROJECTION = '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(64, 3, padding="same", activation="relu")(block_input)
y = layers.Conv2D(64, 3, padding="same", activation="relu")(y)
y = layers.MaxPooling2D(2, strides=2)(y)
residual = layers.Conv2D(64, 1, strides=2, padding="same")(block_input)
residual_add = layers.add([y, residual], name="residual_add")
projection_block = keras.Model(block_input, residual_add, name="projection_block")'''

NETWORK = '''network_input = keras.Input(shape=(16, 16, 3), name="image")
x = inception(network_input)
x = identity_block(x)
x = projection_block(x)
x = layers.GlobalAveragePooling2D()(x)
label = layers.Dense(10, activation="softmax", name="label")(x)
network = keras.Model(network_input, label, name="network")'''

# With require(..., exercise=1) in every test cell, a later failing cell of the same exercise
# repeats the first failure's first line ("Not checked yet: ... (<first message>)"). The
# foundation mistake's fragments still match: ex1_concat_axis fails first and its message now
# says "its output has shape (None, 64, 16, 8)".
MISTAKES = [
    # Exercise 1: the Inception module
    FOUNDATION["concatenation on axis 1"],
    dict(notebook=NB, cell="ex1_inception", why="branch c pools branch b's output instead of the image",
         code=inception_with('branch_c = layers.AveragePooling2D(3, strides=1, padding="same")(image)',
                             'branch_c = layers.AveragePooling2D(3, strides=1, padding="same")(branch_b)'),
         fails={"ex1_branches_from_input": "goes through a layer of another branch",
                "ex1_same_layers": "goes through a layer of another branch"}),
    dict(notebook=NB, cell="ex1_inception", why="branch a left out of the concatenation",
         code=inception_with("[branch_a, branch_b, branch_c, branch_d]", "[branch_b, branch_c, branch_d]"),
         fails={"ex1_branches_from_input": "joins 3 branch(es). Expected 4.",
                "ex1_output_shapes": "joins 3 branch(es). Expected 4."}),
    dict(notebook=NB, cell="ex1_inception", why="concatenation layer not named",
         code=inception_with(', axis=-1, name="branches")', ", axis=-1)"),
         fails={"ex1_branches_from_input": "has no layer named 'branches'",
                "ex1_output_shapes": "has no layer named 'branches'"}),
    dict(notebook=NB, cell="ex1_inception", why="max pooling in branch c instead of the average pooling asked for",
         code=inception_with("layers.AveragePooling2D(3,", "layers.MaxPooling2D(3,"),
         fails={"ex1_same_layers": "1 MaxPooling2D layer (expected 0)"}),
    dict(notebook=NB, cell="ex1_inception", why="a 5x5 convolution in branch b instead of the 3x3 (same shapes)",
         code=inception_with('layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_b")',
                             'layers.Conv2D(8, 5, padding="same", activation="relu", name="branch_b")'),
         fails={"ex1_same_layers": "the Conv2D layer 'branch_b' has kernel size (5, 5). Expected (3, 3)"}),
    dict(notebook=NB, cell="ex1_inception", why="no activation on the first convolution of branch d",
         code=inception_with('branch_d = layers.Conv2D(8, 1, padding="same", activation="relu")(image)',
                             'branch_d = layers.Conv2D(8, 1, padding="same")(image)'),
         fails={"ex1_same_layers": "has no activation (linear). Expected 'relu'"}),
    dict(notebook=NB, cell="ex1_inception", why="branches concatenated in another order (d, c, b, a)",
         code=inception_with("[branch_a, branch_b, branch_c, branch_d]", "[branch_d, branch_c, branch_b, branch_a]"),
         fails={"ex1_same_layers": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex1_inception", why="branches added instead of concatenated",
         code=inception_with("layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=-1,",
                             "layers.add([branch_a, branch_b, branch_c, branch_d],"),
         fails={"ex1_branches_from_input": "has 0 Concatenate layer(s)",
                "ex1_concat_axis": "has 0 Concatenate layer(s)"}),
    # Exercise 2: the identity block
    FOUNDATION["a residual added from the wrong tensor"],
    dict(notebook=NB, cell="ex2_identity_block", why="a projection where the shapes already match",
         code=START + IDENTITY.replace(
             "residual_add = layers.add([y, block_input]",
             'residual = layers.Conv2D(32, 1, padding="same")(block_input)\n'
             "residual_add = layers.add([y, residual]"),
         fails={"ex2_identity_shortcut": "adds a projection of the input",
                "ex2_same_layers": "adds a projection of the input"}),
    dict(notebook=NB, cell="ex2_identity_block", why="a ReLU after the addition",
         code=START + IDENTITY.replace(
             'residual_add = layers.add([y, block_input], name="residual_add")',
             'added = layers.add([y, block_input])\n'
             'residual_add = layers.Activation("relu", name="residual_add")(added)'),
         fails={"ex2_same_layers": "1 Activation layer (expected 0)"}),
    dict(notebook=NB, cell="ex2_identity_block", why="a ReLU on the second convolution of the path",
         code=START + IDENTITY.replace('y = layers.Conv2D(32, 3, padding="same")(y)',
                                       'y = layers.Conv2D(32, 3, padding="same", activation="relu")(y)'),
         fails={"ex2_same_layers": "has activation 'relu'. Expected no activation (linear)"}),
    dict(notebook=NB, cell="ex2_identity_block", why="5x5 convolutions on the path (same shapes)",
         code=START + IDENTITY.replace("Conv2D(32, 3,", "Conv2D(32, 5,"),
         fails={"ex2_same_layers": "has kernel size (5, 5). Expected (3, 3)"}),
    # Exercise 3: the projection block
    dict(notebook=NB, cell="ex3_projection_block", why="shortcut projected from the first convolution instead of the block input",
         code=START + PROJECTION.replace(
             'y = layers.Conv2D(64, 3, padding="same", activation="relu")(block_input)\n'
             'y = layers.Conv2D(64, 3, padding="same", activation="relu")(y)',
             'y1 = layers.Conv2D(64, 3, padding="same", activation="relu")(block_input)\n'
             'y = layers.Conv2D(64, 3, padding="same", activation="relu")(y1)').replace(
             "strides=2, padding=\"same\")(block_input)", "strides=2, padding=\"same\")(y1)"),
         fails={"ex3_projection_shortcut": "Expected one of them to be the shortcut"}),
    dict(notebook=NB, cell="ex3_projection_block", why="a 3x3 convolution on the shortcut instead of a 1x1",
         code=START + PROJECTION.replace("Conv2D(64, 1, strides=2", "Conv2D(64, 3, strides=2"),
         fails={"ex3_projection_shortcut": "a 1x1 convolution of it"}),
    dict(notebook=NB, cell="ex3_projection_block", why="downsampling forgotten on both sides of the addition",
         code=START + PROJECTION.replace("y = layers.MaxPooling2D(2, strides=2)(y)\n", "").replace(
             "Conv2D(64, 1, strides=2,", "Conv2D(64, 1,"),
         fails={"ex3_output_shapes": "has shape (None, 16, 16, 64)"}),
    dict(notebook=NB, cell="ex3_projection_block", why="a ReLU on the 1x1 shortcut",
         code=START + PROJECTION.replace('Conv2D(64, 1, strides=2, padding="same")',
                                         'Conv2D(64, 1, strides=2, padding="same", activation="relu")'),
         fails={"ex3_same_layers": "gives `residual` has activation 'relu'. Expected no activation (linear)"}),
    dict(notebook=NB, cell="ex3_projection_block", why="average pooling on the path instead of the max pooling asked for",
         code=START + PROJECTION.replace("layers.MaxPooling2D(2, strides=2)", "layers.AveragePooling2D(2, strides=2)"),
         fails={"ex3_same_layers": "1 AveragePooling2D layer (expected 0)"}),
    dict(notebook=NB, cell="ex3_projection_block", why="a ReLU after the addition",
         code=START + PROJECTION.replace(
             'residual_add = layers.add([y, residual], name="residual_add")',
             'residual_add = layers.ReLU(name="residual_add")(layers.add([y, residual]))'),
         fails={"ex3_same_layers": "1 Activation layer (expected 0)"}),
    # Exercise 4: the network
    dict(notebook=NB, cell="ex4_network", why="Dense on the feature maps without the global pooling",
         code=START + NETWORK.replace("x = layers.GlobalAveragePooling2D()(x)\n", ""),
         fails={"ex4_network_shapes": "has shape (None, 8, 8, 10)"}),
    dict(notebook=NB, cell="ex4_network", why="the identity block left out",
         code=START + NETWORK.replace("x = identity_block(x)\n", ""),
         fails={"ex4_blocks_in_order": "does not contain the layer 'identity_block'"}),
    dict(notebook=NB, cell="ex4_network", why="global max pooling instead of the global average pooling asked for",
         code=START + NETWORK.replace("GlobalAveragePooling2D", "GlobalMaxPooling2D"),
         fails={"ex4_same_layers": "1 GlobalMaxPooling2D layer (expected 0)"}),
    dict(notebook=NB, cell="ex4_network", why="no softmax on the label layer",
         code=START + NETWORK.replace('Dense(10, activation="softmax", name="label")', 'Dense(10, name="label")'),
         fails={"ex4_same_layers": "the Dense layer 'label' has no activation (linear). Expected 'softmax'"}),
    dict(notebook=NB, cell="ex4_network", why="a copy of the projection block instead of the model itself",
         code=START + NETWORK.replace("x = projection_block(x)",
                                      "x = keras.models.clone_model(projection_block)(x)"),
         fails={"ex4_blocks_in_order": "does not contain the layer 'projection_block'"}),
]

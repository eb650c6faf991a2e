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
y = layers.Conv2D(8, 1, padding="same")(block_input)
y = layers.BatchNormalization()(y)
y = layers.ReLU()(y)
y = layers.Conv2D(8, 3, padding="same")(y)
y = layers.BatchNormalization()(y)
y = layers.ReLU()(y)
y = layers.Conv2D(32, 1, padding="same")(y)
y = layers.BatchNormalization()(y)
residual_add = layers.add([y, block_input], name="residual_add")
block_output = layers.ReLU(name="block_output")(residual_add)
identity_block = keras.Model(block_input, block_output, name="identity_block")'''

PROJECTION = '''block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(64, 3, strides=2, padding="same")(block_input)
y = layers.BatchNormalization()(y)
y = layers.ReLU()(y)
y = layers.Conv2D(64, 3, padding="same")(y)
y = layers.BatchNormalization()(y)
residual = layers.Conv2D(64, 1, strides=2, padding="same")(block_input)
residual_add = layers.add([y, residual], name="residual_add")
block_output = layers.ReLU(name="block_output")(residual_add)
projection_block = keras.Model(block_input, block_output, name="projection_block")'''

def identity_with(old, new):
    """The right bottleneck block with one line changed."""
    assert old in IDENTITY
    return START + IDENTITY.replace(old, new)


def projection_with(old, new):
    """The right strided block with one line changed."""
    assert old in PROJECTION
    return START + PROJECTION.replace(old, new)


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
    # Exercise 2: the bottleneck block with an identity shortcut
    FOUNDATION["a residual added from the wrong tensor"],
    dict(notebook=NB, cell="ex2_identity_block", why="a projection where the shapes already match",
         code=identity_with('residual_add = layers.add([y, block_input]',
                            'residual = layers.Conv2D(32, 1, padding="same")(block_input)\n'
                            "residual_add = layers.add([y, residual]"),
         fails={"ex2_identity_shortcut": "adds a projection of the input",
                "ex2_same_layers": "adds a projection of the input"}),
    dict(notebook=NB, cell="ex2_identity_block", why="no ReLU after the addition (the Add named as the output)",
         code=identity_with('residual_add = layers.add([y, block_input], name="residual_add")\n'
                            'block_output = layers.ReLU(name="block_output")(residual_add)',
                            'block_output = layers.add([y, block_input], name="block_output")'),
         fails={"ex2_same_layers": "has 2 Activation layers (expected 3)"}),
    dict(notebook=NB, cell="ex2_identity_block", why="no ReLU layer at all: the Add is the output, and block_output missing",
         code=identity_with('block_output = layers.ReLU(name="block_output")(residual_add)\n'
                            'identity_block = keras.Model(block_input, block_output, name="identity_block")',
                            'identity_block = keras.Model(block_input, residual_add, name="identity_block")'),
         fails={"ex2_identity_shortcut": "block_output"}),
    dict(notebook=NB, cell="ex2_identity_block", why="the Add layer not named",
         code=identity_with(', name="residual_add")', ")"),
         fails={"ex2_same_layers": "has no layer named 'residual_add'"}),
    dict(notebook=NB, cell="ex2_identity_block", why="a ReLU on the path's output too, before the addition",
         code=identity_with('y = layers.Conv2D(32, 1, padding="same")(y)\ny = layers.BatchNormalization()(y)\n', 'y = layers.Conv2D(32, 1, padding="same")(y)\ny = layers.BatchNormalization()(y)\ny = layers.ReLU()(y)\n'),
         fails={"ex2_same_layers": "has 4 Activation layers (expected 3)"}),
    dict(notebook=NB, cell="ex2_identity_block", why="the ReLU before the batch normalisation (activation on the convolution)",
         code=identity_with('y = layers.Conv2D(8, 1, padding="same")(block_input)\n'
                            'y = layers.BatchNormalization()(y)\n'
                            'y = layers.ReLU()(y)\n',
                            'y = layers.Conv2D(8, 1, padding="same", activation="relu")(block_input)\n'
                            'y = layers.BatchNormalization()(y)\n'),
         fails={"ex2_same_layers": "has 2 Activation layers (expected 3)"}),
    dict(notebook=NB, cell="ex2_identity_block", why="no batch normalisation after the widening convolution",
         code=identity_with('y = layers.Conv2D(32, 1, padding="same")(y)\ny = layers.BatchNormalization()(y)\n', 'y = layers.Conv2D(32, 1, padding="same")(y)\n'),
         fails={"ex2_same_layers": "has 2 BatchNormalization layers (expected 3)"}),
    dict(notebook=NB, cell="ex2_identity_block", why="a 1x1 convolution in the middle of the bottleneck instead of the 3x3",
         code=identity_with('y = layers.Conv2D(8, 3, padding="same")(y)', 'y = layers.Conv2D(8, 1, padding="same")(y)'),
         fails={"ex2_same_layers": "has kernel size (1, 1). Expected (3, 3)"}),
    dict(notebook=NB, cell="ex2_identity_block", why="narrowing to 16 channels instead of 8",
         code=START + IDENTITY.replace("Conv2D(8,", "Conv2D(16,"),
         fails={"ex2_same_layers": "count the filters the exercise gives this convolution"}),
    # Exercise 3: downsampling with a strided convolution, and its projection shortcut
    dict(notebook=NB, cell="ex3_projection_block", why="shortcut projected from the first convolution instead of the block input",
         code=projection_with(
             'y = layers.Conv2D(64, 3, strides=2, padding="same")(block_input)\n'
             'y = layers.BatchNormalization()(y)\n',
             'first = layers.Conv2D(64, 3, strides=2, padding="same")(block_input)\n'
             'y = layers.BatchNormalization()(first)\n').replace(
             'residual = layers.Conv2D(64, 1, strides=2, padding="same")(block_input)',
             'residual = layers.Conv2D(64, 1, padding="same")(first)'),
         fails={"ex3_projection_shortcut": "Expected one of them to be the shortcut"}),
    dict(notebook=NB, cell="ex3_projection_block", why="a 3x3 convolution on the shortcut instead of a 1x1",
         code=projection_with("Conv2D(64, 1, strides=2", "Conv2D(64, 3, strides=2"),
         fails={"ex3_projection_shortcut": "a 1x1 convolution of it"}),
    dict(notebook=NB, cell="ex3_projection_block", why="a batch normalisation after the shortcut's convolution",
         code=projection_with('residual = layers.Conv2D(64, 1, strides=2, padding="same")(block_input)',
                              'residual = layers.Conv2D(64, 1, strides=2, padding="same")(block_input)\n'
                              'residual = layers.BatchNormalization()(residual)'),
         fails={"ex3_projection_shortcut": "the output of a BatchNormalization layer"}),
    dict(notebook=NB, cell="ex3_projection_block", why="downsampling forgotten on both sides of the addition",
         code=START + PROJECTION.replace("strides=2, ", ""),
         fails={"ex3_output_shapes": "has shape (None, 16, 16, 64)"}),
    dict(notebook=NB, cell="ex3_projection_block", why="the lesson's max pooling instead of the strided first convolution",
         code=projection_with('y = layers.Conv2D(64, 3, strides=2, padding="same")(block_input)',
                              'y = layers.Conv2D(64, 3, padding="same")(block_input)').replace(
             'y = layers.BatchNormalization()(y)\nresidual', 'y = layers.BatchNormalization()(y)\n'
             'y = layers.MaxPooling2D(2, strides=2)(y)\nresidual'),
         fails={"ex3_same_layers": "1 MaxPooling2D layer (expected 0)"}),
    dict(notebook=NB, cell="ex3_projection_block", why="the stride on the second convolution of the path instead of the first",
         code=projection_with('y = layers.Conv2D(64, 3, strides=2, padding="same")(block_input)',
                              'y = layers.Conv2D(64, 3, padding="same")(block_input)').replace(
             'y = layers.Conv2D(64, 3, padding="same")(y)', 'y = layers.Conv2D(64, 3, strides=2, padding="same")(y)'),
         fails={"ex3_same_layers": "strides"}),
    dict(notebook=NB, cell="ex3_projection_block", why="a ReLU on the path's output too, before the addition",
         code=projection_with('y = layers.BatchNormalization()(y)\nresidual',
                              'y = layers.BatchNormalization()(y)\ny = layers.ReLU()(y)\nresidual'),
         fails={"ex3_same_layers": "has 3 Activation layers (expected 2)"}),
    dict(notebook=NB, cell="ex3_projection_block", why="a ReLU on the 1x1 shortcut",
         code=projection_with('Conv2D(64, 1, strides=2, padding="same")',
                              'Conv2D(64, 1, strides=2, padding="same", activation="relu")'),
         fails={"ex3_same_layers": "the Conv2D layer that gives `residual` has activation 'relu'. Expected no activation (linear)"}),
    dict(notebook=NB, cell="ex3_projection_block", why="\"valid\" padding on the 1x1 shortcut (same shape here)",
         code=projection_with('Conv2D(64, 1, strides=2, padding="same")', 'Conv2D(64, 1, strides=2)'),
         fails={"ex3_same_layers": "padding"}),
    dict(notebook=NB, cell="ex3_projection_block", why="no ReLU after the addition (the Add named as the output)",
         code=projection_with('residual_add = layers.add([y, residual], name="residual_add")\n'
                              'block_output = layers.ReLU(name="block_output")(residual_add)',
                              'block_output = layers.add([y, residual], name="block_output")'),
         fails={"ex3_same_layers": "has 1 Activation layer (expected 2)"}),
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

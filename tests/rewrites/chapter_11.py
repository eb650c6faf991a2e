"""Equivalent rewrites of chapter 11's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
CHANGE_MODEL = START + '''

def _build_change_model():
    before = keras.Input(shape=(12,), name="before")
    after = keras.Input(shape=(12,), name="after")
    encoder = layers.Dense(8, activation="relu", name="encoder")
    encoded_after = encoder(after)
    encoded_before = encoder(before)
    change = layers.Dense(4, activation="relu", name="change")(
        layers.subtract([encoded_after, encoded_before]))
    return keras.Model([before, after], layers.Dense(1, name="score")(change), name="change_model")


change_model = _build_change_model()
'''
PRETRAINED = START + '''pretrained = keras.Sequential([
    keras.Input(shape=(20,), name="features"),
    layers.Dense(32, activation="relu", name="block_1"),
    layers.Dense(16, activation="relu", name="block_2"),
    layers.Dense(8, activation="relu", name="block_3"),
    layers.Dense(5, activation="softmax", name="old_head"),
], name="pretrained")
'''
MATCHER = START + '''

def _build_matcher():
    left = keras.Input(shape=(6,), name="left")
    right = keras.Input(shape=(6,), name="right")
    joined = layers.concatenate([layers.Dense(4, name="read_left")(left),
                                 layers.Dense(4, name="read_right")(right)])
    score = layers.Dense(1, activation="sigmoid", name="score")(joined)
    delta = layers.Dense(3, name="delta")(joined)
    return keras.Model([left, right], [score, delta], name="matcher")


matcher = _build_matcher()
'''

REWRITES = [
    dict(cell="ex1_extractor", why="keyword Model, everything inline",
         code=CHANGE_MODEL + '''encoder_layer = change_model.get_layer("encoder")
extractor = keras.Model(inputs=change_model.inputs,
                        outputs=[graph.output_at(encoder_layer, 1), change_model.get_layer("change").output])
'''),
    dict(cell="ex1_extractor", why="the node found by the input it read; 'change' read as the input of 'score'",
         code=CHANGE_MODEL + '''encoder = change_model.get_layer("encoder")
before_node = next(node for node in graph.layer_nodes(encoder) if node.inputs[0].name == "before")
change_output = change_model.get_layer("score").input
extractor = keras.Model([change_model.inputs[0], change_model.inputs[1]], [before_node.outputs[0], change_output])
'''),
    dict(cell="ex2_frozen_base", why="a loop that freezes every layer but the head; positional compile, 'acc'",
         code=PRETRAINED + '''alarm = layers.Dense(1, activation="sigmoid", name="alarm")(pretrained.get_layer("block_2").output)
new_model = keras.Model(inputs=pretrained.inputs, outputs=alarm)
for layer in new_model.layers:
    if layer.name != "alarm":
        layer.trainable = False
new_model.compile(keras.optimizers.Adam(1e-4), "binary_crossentropy", metrics=["acc"])
'''),
    dict(cell="ex2_frozen_base", why="pretrained frozen as a whole first (its other layers too); keywords; a loss object",
         code=PRETRAINED + '''pretrained.trainable = False
alarm = layers.Dense(units=1, activation=keras.activations.sigmoid, name="alarm")(
    pretrained.get_layer("block_2").output)
new_model = keras.Model(pretrained.inputs, alarm, name="alarm_model")
new_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0001),
                  loss=keras.losses.BinaryCrossentropy(), metrics=["accuracy"])
'''),
    dict(cell="ex3_both_ways", why="outputs indexed instead of unpacked; Average and Subtract layers; keyword Model",
         code=MATCHER + '''first = keras.Input(shape=(6,), name="first")
second = keras.Input(shape=(6,), name="second")
forward = matcher([first, second])
score_ab, delta_ab = forward[0], forward[1]
backward = matcher([second, first])
score_ba, delta_ba = backward[0], backward[1]
similarity = layers.Average(name="similarity")([score_ab, score_ba])
difference = layers.Subtract(name="difference")([delta_ab, delta_ba])
both_ways = keras.Model(inputs=[first, second], outputs=[similarity, difference])
'''),
    dict(cell="ex3_both_ways", why="positional shapes, the scores averaged in the other order, a model name",
         code=MATCHER + '''first = keras.Input((6,), name="first")
second = keras.Input((6,), name="second")
score_ab, delta_ab = matcher([first, second])
score_ba, delta_ba = matcher([second, first])
both_ways = keras.Model(
    [first, second],
    [layers.average([score_ba, score_ab], name="similarity"),
     layers.subtract([delta_ab, delta_ba], name="difference")],
    name="both_ways")
'''),
]

"""Equivalent rewrites of chapter 11's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

import runpy
from pathlib import Path

# The exercises' given set-up lines are written once, in the chapter's mistakes file.
_GIVEN = runpy.run_path(str(Path(__file__).resolve().parents[1] / "mistakes" / "chapter_11.py"))
CHANGE_MODEL = _GIVEN["EX1_SETUP"]
PRETRAINED = _GIVEN["EX2_SETUP"]
MATCHER = _GIVEN["EX3_SETUP"]

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

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

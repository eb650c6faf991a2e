NB = "11-feature-extraction/feature_extraction.ipynb"
SEED = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
EX1_SETUP = SEED + '''

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
EX2_SETUP = SEED + '''pretrained = keras.Sequential([
    keras.Input(shape=(20,), name="features"),
    layers.Dense(32, activation="relu", name="block_1"),
    layers.Dense(16, activation="relu", name="block_2"),
    layers.Dense(8, activation="relu", name="block_3"),
    layers.Dense(5, activation="softmax", name="old_head"),
], name="pretrained")
'''
EX3_SETUP = SEED + '''

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
EX2_COMPILE = '''new_model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
                  loss="binary_crossentropy", metrics=["accuracy"])
'''
EX2_BODY = '''block_2 = pretrained.get_layer("block_2")
alarm = layers.Dense(1, activation="sigmoid", name="alarm")(block_2.output)
new_model = keras.Model(pretrained.inputs, alarm)
'''
EX3_CALLS = '''first = keras.Input(shape=(6,), name="first")
second = keras.Input(shape=(6,), name="second")
score_ab, delta_ab = matcher([first, second])
score_ba, delta_ba = matcher([second, first])
'''

MISTAKES = [
    # Exercise 1: features from a model you did not build.
    dict(notebook=NB, cell="ex1_extractor", why="encoder.output, node 0: the 'after' reading's encoding",
         code=EX1_SETUP + '''encoder = change_model.get_layer("encoder")
before_encoding = encoder.output
change_output = change_model.get_layer("change").output
extractor = keras.Model(change_model.inputs, [before_encoding, change_output])''',
         fails={"ex1_before_encoding_node": "comes from node 0 of the shared layer 'encoder'. Expected node 1"}),
    dict(notebook=NB, cell="ex1_extractor", why="the inputs in the other order",
         code=EX1_SETUP + '''encoder = change_model.get_layer("encoder")
before_encoding = graph.output_at(encoder, 1)
change_output = change_model.get_layer("change").output
extractor = keras.Model(change_model.inputs[::-1], [before_encoding, change_output])''',
         fails={"ex1_extractor_io": "Expected ['before', 'after'], the order of `change_model.inputs`"}),
    dict(notebook=NB, cell="ex1_extractor", why="a new layer named 'change' instead of the model's own",
         code=EX1_SETUP + '''encoder = change_model.get_layer("encoder")
before_encoding = graph.output_at(encoder, 1)
change_output = layers.Dense(4, activation="relu", name="change")(
    layers.subtract([graph.output_at(encoder, 0), before_encoding]))
extractor = keras.Model(change_model.inputs, [before_encoding, change_output])''',
         fails={"ex1_change_output": "comes from a layer that is not `change_model`'s own 'change'"}),
    dict(notebook=NB, cell="ex1_extractor", why="the layer 'change' called again: a recomputed copy, node 1",
         code=EX1_SETUP + '''encoder = change_model.get_layer("encoder")
before_encoding = graph.output_at(encoder, 1)
change_output = change_model.get_layer("change")(
    layers.subtract([graph.output_at(encoder, 0), before_encoding]))
extractor = keras.Model(change_model.inputs, [before_encoding, change_output])''',
         fails={"ex1_change_output": "comes from node 1 of the layer 'change' of `change_model`. Expected node 0"}),
    dict(notebook=NB, cell="ex1_extractor", why="only the encoding as output",
         code=EX1_SETUP + '''encoder = change_model.get_layer("encoder")
before_encoding = graph.output_at(encoder, 1)
extractor = keras.Model(change_model.inputs, before_encoding)''',
         fails={"ex1_extractor_io": "Expected 2 output(s) named ['change', 'encoder']",
                "ex1_change_output": "Your `extractor` has 1 output(s). Expected 2"}),
    dict(notebook=NB, cell="ex1_extractor", why="the two outputs in the other order",
         code=EX1_SETUP + '''encoder = change_model.get_layer("encoder")
before_encoding = graph.output_at(encoder, 1)
change_output = change_model.get_layer("change").output
extractor = keras.Model(change_model.inputs, [change_output, before_encoding])''',
         fails={"ex1_extractor_io": "Expected the encoder's output first, then the output of 'change'"}),

    # Exercise 2: a frozen base with a new head.
    dict(notebook=NB, cell="ex2_frozen_base", why="the head on block_3 instead of block_2",
         code=EX2_SETUP + '''block_2 = pretrained.get_layer("block_2")
alarm = layers.Dense(1, activation="sigmoid", name="alarm")(pretrained.get_layer("block_3").output)
new_model = keras.Model(pretrained.inputs, alarm)
pretrained.get_layer("block_1").trainable = False
block_2.trainable = False
''' + EX2_COMPILE,
         fails={"ex2_alarm_head": "receives the output of a Dense layer ('block_3')"}),
    dict(notebook=NB, cell="ex2_frozen_base", why="a clone of pretrained: copies of its layers, other weights",
         code=EX2_SETUP + '''copy = keras.models.clone_model(pretrained)
block_2 = copy.get_layer("block_2")
alarm = layers.Dense(1, activation="sigmoid", name="alarm")(block_2.output)
new_model = keras.Model(copy.inputs, alarm)
copy.get_layer("block_1").trainable = False
block_2.trainable = False
''' + EX2_COMPILE,
         fails={"ex2_base_is_pretrained": "The layer 'block_1' of your `new_model` is not the one of `pretrained`"}),
    dict(notebook=NB, cell="ex2_frozen_base", why="block_1 left trainable",
         code=EX2_SETUP + EX2_BODY + "block_2.trainable = False\n" + EX2_COMPILE,
         fails={"ex2_only_head_trains": "in the layers ['alarm', 'block_1']"}),
    dict(notebook=NB, cell="ex2_frozen_base", why="the whole new model frozen, the new head too",
         code=EX2_SETUP + EX2_BODY + "new_model.trainable = False\n" + EX2_COMPILE,
         fails={"ex2_only_head_trains": "no layer of it trains"}),
    dict(notebook=NB, cell="ex2_frozen_base", why="Adam with its default learning rate",
         code=EX2_SETUP + EX2_BODY + '''pretrained.get_layer("block_1").trainable = False
block_2.trainable = False
new_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])''',
         fails={"ex2_compiled": "Adam(learning_rate=0.001)"}),
    dict(notebook=NB, cell="ex2_frozen_base", why="the loss of the old classes, categorical crossentropy",
         code=EX2_SETUP + EX2_BODY + '''pretrained.get_layer("block_1").trainable = False
block_2.trainable = False
new_model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
                  loss="categorical_crossentropy", metrics=["accuracy"])''',
         fails={"ex2_compiled": "categorical_crossentropy"}),
    dict(notebook=NB, cell="ex2_frozen_base", why="no accuracy metric",
         code=EX2_SETUP + EX2_BODY + '''pretrained.get_layer("block_1").trainable = False
block_2.trainable = False
new_model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
                  loss="binary_crossentropy")''',
         fails={"ex2_compiled": "with the metrics [] for its output"}),

    # Exercise 3: a two-output model, both ways round.
    dict(notebook=NB, cell="ex3_both_ways", why="each call's outputs unpacked in the wrong order",
         code=EX3_SETUP + '''first = keras.Input(shape=(6,), name="first")
second = keras.Input(shape=(6,), name="second")
delta_ab, score_ab = matcher([first, second])
delta_ba, score_ba = matcher([second, first])
similarity = layers.average([score_ab, score_ba], name="similarity")
difference = layers.subtract([delta_ab, delta_ba], name="difference")
both_ways = keras.Model([first, second], [similarity, difference])''',
         fails={"ex3_inputs_outputs": "The output 'similarity' of your model `both_ways` has shape (None, 3)",
                "ex3_tensor_indices": "Your `score_ab` is output 1 of its call of `matcher`, 'delta'"}),
    dict(notebook=NB, cell="ex3_both_ways", why="the second call on [first, second] again",
         code=EX3_SETUP + '''first = keras.Input(shape=(6,), name="first")
second = keras.Input(shape=(6,), name="second")
score_ab, delta_ab = matcher([first, second])
score_ba, delta_ba = matcher([first, second])
similarity = layers.average([score_ab, score_ba], name="similarity")
difference = layers.subtract([delta_ab, delta_ba], name="difference")
both_ways = keras.Model([first, second], [similarity, difference])''',
         fails={"ex3_matcher_calls": "calls its sub-model (a model used as a layer) twice on the same tensor"}),
    dict(notebook=NB, cell="ex3_both_ways", why="the calls made in the other order: [second, first] is node 0",
         code=EX3_SETUP + '''first = keras.Input(shape=(6,), name="first")
second = keras.Input(shape=(6,), name="second")
score_ba, delta_ba = matcher([second, first])
score_ab, delta_ab = matcher([first, second])
similarity = layers.average([score_ab, score_ba], name="similarity")
difference = layers.subtract([delta_ab, delta_ba], name="difference")
both_ways = keras.Model([first, second], [similarity, difference])''',
         fails={"ex3_matcher_calls": "comes from node 1 of `matcher`. Expected node 0"}),
    dict(notebook=NB, cell="ex3_both_ways", why="delta_ba minus delta_ab: the subtraction reversed",
         code=EX3_SETUP + EX3_CALLS + '''similarity = layers.average([score_ab, score_ba], name="similarity")
difference = layers.subtract([delta_ba, delta_ab], name="difference")
both_ways = keras.Model([first, second], [similarity, difference])''',
         fails={"ex3_inputs_outputs": "the Subtract layer 'difference' takes its inputs in another order"}),
    dict(notebook=NB, cell="ex3_both_ways", why="the scores added instead of averaged",
         code=EX3_SETUP + EX3_CALLS + '''similarity = layers.add([score_ab, score_ba], name="similarity")
difference = layers.subtract([delta_ab, delta_ba], name="difference")
both_ways = keras.Model([first, second], [similarity, difference])''',
         fails={"ex3_inputs_outputs": "1 Add layer (expected 0)"}),
]

from autograder.pipeline.demo import FOUNDATION_MISTAKES as FOUNDATION

NB = "06-models-as-layers/models_as_layers.ipynb"

EX1_PRE = (
    "keras.utils.clear_session()\n"
    "keras.utils.set_random_seed(0)\n"
    "vision = builders.build_vision_model()\n"
)
EX1_INPUTS = (
    'digit_a = keras.Input(shape=(8, 8, 1), name="digit_a")\n'
    'digit_b = keras.Input(shape=(8, 8, 1), name="digit_b")\n'
)
EX1_HEAD = (
    'product = layers.multiply([encoded_a, encoded_b], name="product")\n'
    'merged = layers.concatenate([encoded_a, encoded_b, product], name="merge")\n'
    'compared = layers.Dense(64, activation="relu", name="compare")(merged)\n'
    'same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(compared)\n'
    'pair_model = keras.Model([digit_a, digit_b], same_digit, name="pair_model")\n'
)
EX2_PRE = (
    "keras.utils.clear_session()\n"
    "keras.utils.set_random_seed(0)\n"
    "digit_classifier = keras.Sequential(\n"
    "    [keras.Input(shape=(8, 8, 1)), builders.build_vision_model(),\n"
    '     layers.Dense(10, activation="softmax", name="digit_class")],\n'
    '    name="digit_classifier",\n'
    ")\n"
    'digit_sequence = keras.Input(shape=(6, 8, 8, 1), name="digit_sequence")\n'
)
EX2_SHARES = (
    'class_shares = layers.GlobalAveragePooling1D(name="class_shares")(per_digit)\n'
    'sequence_model = keras.Model(digit_sequence, [per_digit, class_shares], name="sequence_model")\n'
)
EX3_PRE = (
    "keras.utils.clear_session()\n"
    "keras.utils.set_random_seed(0)\n"
    "vqa = builders.build_visual_question_answering_model()\n"
    'vqa_vision = vqa.get_layer("vision_model")\n'
    "question_encoder = builders.question_encoder_of(vqa)\n"
    'video = keras.Input(shape=(4, 16, 16, 3), name="video")\n'
    'video_question = keras.Input(shape=(10,), dtype="int32", name="video_question")\n'
)
EX3_TAIL = (
    'merged = layers.concatenate([encoded_video, encoded_video_question], name="merge")\n'
    'answer = layers.Dense(20, activation="softmax", name="answer")(merged)\n'
    'video_qa = keras.Model([video, video_question], answer, name="video_qa")\n'
)
EX4_PRE = (
    "keras.utils.clear_session()\n"
    "keras.utils.set_random_seed(0)\n"
    "fresh_pair_model = keras.models.clone_model(pair_model)\n"
)
EX4_DATA = (
    "both_orders = {\n"
    '    "digit_a": np.concatenate([pairs.inputs["digit_a"], pairs.inputs["digit_b"]]),\n'
    '    "digit_b": np.concatenate([pairs.inputs["digit_b"], pairs.inputs["digit_a"]]),\n'
    "}\n"
    "both_targets = np.concatenate([pairs.y, pairs.y])\n"
)
EX4_FIT = (
    "history = fresh_pair_model.fit(both_orders, both_targets, epochs=3, batch_size=64,\n"
    "                               validation_data=(val_pairs.x, val_pairs.y), verbose=0)\n"
)
EX4_COMPILE = (
    "fresh_pair_model.compile(optimizer=keras.optimizers.Adam(3e-3),\n"
    '                         loss="binary_crossentropy", metrics=["accuracy"])\n'
)

MISTAKES = [
    # Exercise 1: the digit-pair classifier.
    FOUNDATION["a Dense instead of a shared sub-model"],
    dict(notebook=NB, cell="ex1_pair_model",
         why="two separate vision models, one per digit, instead of one shared",
         code=EX1_PRE + EX1_INPUTS
         + "def make_vision_model(name):\n"
           "    digit = keras.Input(shape=(8, 8, 1))\n"
           '    x = layers.Conv2D(16, (3, 3), activation="relu")(digit)\n'
           '    x = layers.Conv2D(16, (3, 3), activation="relu")(x)\n'
           "    x = layers.MaxPooling2D((2, 2))(x)\n"
           "    return keras.Model(digit, layers.Flatten()(x), name=name)\n"
           'encoded_a = make_vision_model("vision_a")(digit_a)\n'
           'encoded_b = make_vision_model("vision_b")(digit_b)\n' + EX1_HEAD,
         fails={"ex1_shared_vision_model": "separate sub-model",
                "ex1_node_indices": "Expected it to come from `vision`"}),
    dict(notebook=NB, cell="ex1_pair_model",
         why="shares a vision model, but a new one instead of the given `vision`",
         code=EX1_PRE + EX1_INPUTS
         + "my_vision = builders.build_vision_model()\n"
           "encoded_a = my_vision(digit_a)\n"
           "encoded_b = my_vision(digit_b)\n" + EX1_HEAD,
         fails={"ex1_shared_vision_model": "not the `vision` model given",
                "ex1_node_indices": "Expected it to come from `vision`"}),
    dict(notebook=NB, cell="ex1_pair_model",
         why="calls `vision` on digit_b first, then on digit_a",
         code=EX1_PRE + EX1_INPUTS
         + "encoded_b = vision(digit_b)\n"
           "encoded_a = vision(digit_a)\n" + EX1_HEAD,
         fails={"ex1_node_indices": "Expected node 0"}),
    dict(notebook=NB, cell="ex1_pair_model",
         why="copy-paste: digit_a goes through `vision` twice, digit_b never",
         code=EX1_PRE + EX1_INPUTS
         + "encoded_a = vision(digit_a)\n"
           "encoded_b = vision(digit_a)\n" + EX1_HEAD,
         fails={"ex1_node_indices": "but that call read `digit_a`. Expected the call on the input `digit_b`"}),
    dict(notebook=NB, cell="ex1_pair_model",
         why="the seed's head: no hidden `compare` layer",
         code=EX1_PRE + EX1_INPUTS
         + "encoded_a = vision(digit_a)\n"
           "encoded_b = vision(digit_b)\n"
           'product = layers.multiply([encoded_a, encoded_b], name="product")\n'
           'merged = layers.concatenate([encoded_a, encoded_b, product], name="merge")\n'
           'same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)\n'
           'pair_model = keras.Model([digit_a, digit_b], same_digit, name="pair_model")\n',
         fails={"ex1_inputs_outputs": "has 1 Dense layer (expected 2)"}),
    dict(notebook=NB, cell="ex1_pair_model",
         why="output layer not named",
         code=EX1_PRE + EX1_INPUTS
         + "encoded_a = vision(digit_a)\n"
           "encoded_b = vision(digit_b)\n"
           'product = layers.multiply([encoded_a, encoded_b], name="product")\n'
           'merged = layers.concatenate([encoded_a, encoded_b, product], name="merge")\n'
           'compared = layers.Dense(64, activation="relu", name="compare")(merged)\n'
           'same_digit = layers.Dense(1, activation="sigmoid")(compared)\n'
           'pair_model = keras.Model([digit_a, digit_b], same_digit, name="pair_model")\n',
         fails={"ex1_inputs_outputs": "Expected 1 output(s) named ['same_digit']"}),

    # Exercise 2: TimeDistributed.
    dict(notebook=NB, cell="ex2_per_digit",
         why="TimeDistributed around a new Dense instead of the classifier",
         code=EX2_PRE
         + "flat_digits = layers.Reshape((6, 64))(digit_sequence)\n"
           'per_digit = layers.TimeDistributed(layers.Dense(10, activation="softmax"),\n'
           '                                   name="per_digit")(flat_digits)\n' + EX2_SHARES,
         fails={"ex2_wraps_digit_classifier": "not the given `digit_classifier`"}),
    dict(notebook=NB, cell="ex2_per_digit",
         why="wraps a newly built classifier instead of the given one",
         code=EX2_PRE
         + "my_classifier = keras.Sequential([keras.Input(shape=(8, 8, 1)),\n"
           "                                 builders.build_vision_model(),\n"
           '                                 layers.Dense(10, activation="softmax")])\n'
           'per_digit = layers.TimeDistributed(my_classifier, name="per_digit")(digit_sequence)\n'
           + EX2_SHARES,
         fails={"ex2_wraps_digit_classifier": "not the given `digit_classifier`"}),
    dict(notebook=NB, cell="ex2_per_digit",
         why="wraps only the vision model, forgetting the classifier's softmax",
         code=EX2_PRE
         + "per_digit = layers.TimeDistributed(digit_classifier.layers[0],\n"
           '                                   name="per_digit")(digit_sequence)\n' + EX2_SHARES,
         fails={"ex2_per_digit_shape": "Expected shape (None, 6, 10)",
                "ex2_wraps_digit_classifier": "not the given `digit_classifier`"}),
    dict(notebook=NB, cell="ex2_per_digit",
         why="the maximum over the digits instead of the average",
         code=EX2_PRE
         + 'per_digit = layers.TimeDistributed(digit_classifier, name="per_digit")(digit_sequence)\n'
         + EX2_SHARES.replace("GlobalAveragePooling1D", "GlobalMaxPooling1D"),
         fails={"ex2_class_shares": "Expected the average over its 6 digits"}),
    dict(notebook=NB, cell="ex2_per_digit",
         why="the two outputs in the other order",
         code=EX2_PRE
         + 'per_digit = layers.TimeDistributed(digit_classifier, name="per_digit")(digit_sequence)\n'
         + EX2_SHARES.replace("[per_digit, class_shares]", "[class_shares, per_digit]"),
         fails={"ex2_wraps_digit_classifier": "Expected each digit classified by `digit_classifier` alone",
                "ex2_class_shares": "Hint: list the model's outputs as [per_digit, class_shares]"}),
    dict(notebook=NB, cell="ex2_per_digit",
         why="the shares as the only output, the per-digit classes left out",
         code=EX2_PRE
         + 'per_digit = layers.TimeDistributed(digit_classifier, name="per_digit")(digit_sequence)\n'
         + EX2_SHARES.replace("[per_digit, class_shares]", "class_shares"),
         fails={"ex2_per_digit_shape": "Expected 2 output(s)"}),

    # Exercise 3: video question answering.
    dict(notebook=NB, cell="ex3_video_qa",
         why="two LSTMs instead of one shared: a new question branch for the video question",
         code=EX3_PRE
         + 'encoded_frames = layers.TimeDistributed(vqa_vision, name="frame_encoder")(video)\n'
           'encoded_video = layers.LSTM(16, name="video_lstm")(encoded_frames)\n'
           "embedded = layers.Embedding(200, 16)(video_question)\n"
           "encoded_video_question = layers.LSTM(16)(embedded)\n" + EX3_TAIL,
         fails={"ex3_question_encoder_reused": "Expected it to come from `question_encoder`",
                "ex3_inputs_outputs": "2 LSTM layers (expected 1)"}),
    dict(notebook=NB, cell="ex3_video_qa",
         why="a new vision model in TimeDistributed instead of the image model's",
         code=EX3_PRE
         + "new_vision = builders.build_vqa_vision_model()\n"
           'encoded_frames = layers.TimeDistributed(new_vision, name="frame_encoder")(video)\n'
           'encoded_video = layers.LSTM(16, name="video_lstm")(encoded_frames)\n'
           "encoded_video_question = question_encoder(video_question)\n" + EX3_TAIL,
         fails={"ex3_vision_model_reused": "not from `vqa_vision` wrapped in TimeDistributed"}),
    dict(notebook=NB, cell="ex3_video_qa",
         why="answer with 10 units instead of 20",
         code=EX3_PRE
         + 'encoded_frames = layers.TimeDistributed(vqa_vision, name="frame_encoder")(video)\n'
           'encoded_video = layers.LSTM(16, name="video_lstm")(encoded_frames)\n'
           "encoded_video_question = question_encoder(video_question)\n"
           'merged = layers.concatenate([encoded_video, encoded_video_question], name="merge")\n'
           'answer = layers.Dense(10, activation="softmax", name="answer")(merged)\n'
           'video_qa = keras.Model([video, video_question], answer, name="video_qa")\n',
         fails={"ex3_inputs_outputs": "Expected (None, 20)"}),

    # Exercise 4: training on both orders.
    dict(notebook=NB, cell="ex4_train",
         why="trains for a single epoch",
         code=EX4_PRE + EX4_DATA + EX4_COMPILE
         + EX4_FIT.replace("epochs=3", "epochs=1"),
         fails={"ex4_accuracy": "Expected at least 75% each way",
                "ex4_history": "Expected 3"}),
    dict(notebook=NB, cell="ex4_train",
         why="trains the seed's classifier (no comparison before the last Dense)",
         code=EX4_PRE + EX4_DATA
         + "fresh_pair_model = builders.build_digit_pair_classifier()\n" + EX4_COMPILE + EX4_FIT,
         fails={"ex4_accuracy": "Expected at least 75% each way"}),
    dict(notebook=NB, cell="ex4_train",
         why="no validation data passed to fit",
         code=EX4_PRE + EX4_DATA + EX4_COMPILE
         + EX4_FIT.replace(",\n                               validation_data=(val_pairs.x, val_pairs.y)", ""),
         fails={"ex4_history": "has no validation losses"}),
    dict(notebook=NB, cell="ex4_train",
         why="trains on the 2,000 pairs in one order only, as in the lesson",
         code=EX4_PRE + EX4_DATA + EX4_COMPILE
         + EX4_FIT.replace("fit(both_orders, both_targets", "fit(pairs.x, pairs.y"),
         fails={"ex4_history": "Expected the 4,000 examples of `both_orders`"}),
    dict(notebook=NB, cell="ex4_train",
         why="the pairs copied twice without swapping the images",
         code=EX4_PRE
         + "both_orders = {name: np.concatenate([images, images]) for name, images in pairs.inputs.items()}\n"
           "both_targets = np.concatenate([pairs.y, pairs.y])\n" + EX4_COMPILE + EX4_FIT,
         fails={"ex4_both_orders": "lacks 0 of the 2,000 pairs as they are"}),
    dict(notebook=NB, cell="ex4_train",
         why="only digit_a's images swapped in: the second half pairs each digit_b with itself",
         code=EX4_PRE + EX4_DATA.replace(
             'np.concatenate([pairs.inputs["digit_b"], pairs.inputs["digit_a"]])',
             'np.concatenate([pairs.inputs["digit_b"], pairs.inputs["digit_b"]])') + EX4_COMPILE + EX4_FIT,
         fails={"ex4_both_orders": "of them swapped. Expected every pair once as it is"}),
    dict(notebook=NB, cell="ex4_train",
         why="the targets flipped for the swapped pairs",
         code=EX4_PRE + EX4_DATA.replace("np.concatenate([pairs.y, pairs.y])",
                                         "np.concatenate([pairs.y, 1 - pairs.y])") + EX4_COMPILE + EX4_FIT,
         fails={"ex4_both_orders": "a target that is not their pair's"}),
    dict(notebook=NB, cell="ex4_train",
         why="the inputs as a list instead of a dict keyed by input name",
         code=EX4_PRE
         + 'both_orders = [np.concatenate([pairs.inputs["digit_a"], pairs.inputs["digit_b"]]),\n'
           '               np.concatenate([pairs.inputs["digit_b"], pairs.inputs["digit_a"]])]\n'
           "both_targets = np.concatenate([pairs.y, pairs.y])\n" + EX4_COMPILE + EX4_FIT,
         fails={"ex4_both_orders": "Your `both_orders` is a list"}),
]

EX1_ENCODE = "encoded_a = vision(digit_a)\nencoded_b = vision(digit_b)\n"
EX3_BODY = (
    'encoded_frames = layers.TimeDistributed(vqa_vision, name="frame_encoder")(video)\n'
    'encoded_video = layers.LSTM(16, name="video_lstm")(encoded_frames)\n'
    "encoded_video_question = question_encoder(video_question)\n"
)


MISTAKES += [
    dict(notebook=NB, cell="ex1_pair_model", why="the encodings concatenated in the other order",
         code=EX1_PRE + EX1_INPUTS + EX1_ENCODE
         + EX1_HEAD.replace("[encoded_a, encoded_b, product]", "[encoded_b, encoded_a, product]"),
         fails={"ex1_inputs_outputs": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex1_pair_model", why="a tanh instead of the ReLU in `compare`",
         code=EX1_PRE + EX1_INPUTS + EX1_ENCODE
         + EX1_HEAD.replace('Dense(64, activation="relu"', 'Dense(64, activation="tanh"'),
         fails={"ex1_inputs_outputs": "has activation 'tanh'. Expected 'relu'"}),
    dict(notebook=NB, cell="ex1_pair_model", why="the model's inputs listed as [digit_b, digit_a]",
         code=EX1_PRE + EX1_INPUTS + EX1_ENCODE
         + EX1_HEAD.replace("keras.Model([digit_a, digit_b]", "keras.Model([digit_b, digit_a]"),
         fails={"ex1_inputs_outputs": "lists its inputs in the order ['digit_b', 'digit_a']"}),
    dict(notebook=NB, cell="ex1_pair_model", why="the concatenation not named",
         code=EX1_PRE + EX1_INPUTS + EX1_ENCODE + EX1_HEAD.replace(', name="merge"', ""),
         fails={"ex1_inputs_outputs": "has no layer named 'merge'"}),
    dict(notebook=NB, cell="ex1_pair_model", why="the product left out of the concatenation",
         code=EX1_PRE + EX1_INPUTS + EX1_ENCODE
         + EX1_HEAD.replace("[encoded_a, encoded_b, product]", "[encoded_a, encoded_b]"),
         fails={"ex1_inputs_outputs": "0 Multiply layers (expected 1)"}),
    dict(notebook=NB, cell="ex1_pair_model", why="a sum of the encodings instead of their product",
         code=EX1_PRE + EX1_INPUTS + EX1_ENCODE
         + EX1_HEAD.replace("layers.multiply(", "layers.add("),
         fails={"ex1_inputs_outputs": "1 Add layer (expected 0)"}),
    dict(notebook=NB, cell="ex1_pair_model", why="the model not named",
         code=EX1_PRE + EX1_INPUTS + EX1_ENCODE + EX1_HEAD.replace(', name="pair_model"', ""),
         fails={"ex1_inputs_outputs": "Expected the name 'pair_model'"}),
    dict(notebook=NB, cell="ex2_per_digit", why="the TimeDistributed wrapper not named",
         code=EX2_PRE
         + "per_digit = layers.TimeDistributed(digit_classifier)(digit_sequence)\n" + EX2_SHARES,
         fails={"ex2_wraps_digit_classifier": "has no layer named 'per_digit'"}),
    dict(notebook=NB, cell="ex3_video_qa", why="the question input left as floats (no dtype)",
         code=EX3_PRE.replace(', dtype="int32"', "") + EX3_BODY + EX3_TAIL,
         fails={"ex3_inputs_outputs": "has dtype 'float'. Expected 'int'"}),
    dict(notebook=NB, cell="ex3_video_qa", why="the encodings concatenated in the other order",
         code=EX3_PRE + EX3_BODY
         + EX3_TAIL.replace("[encoded_video, encoded_video_question]", "[encoded_video_question, encoded_video]"),
         fails={"ex3_inputs_outputs": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex3_video_qa", why="a GRU instead of the video LSTM",
         code=EX3_PRE + EX3_BODY.replace("layers.LSTM(16", "layers.GRU(16") + EX3_TAIL,
         fails={"ex3_inputs_outputs": "GRU layer"}),
    dict(notebook=NB, cell="ex3_video_qa", why="the video question encoded by a copy of the question encoder",
         code=EX3_PRE + EX3_BODY.replace("question_encoder(video_question)",
                                         "keras.models.clone_model(question_encoder)(video_question)") + EX3_TAIL,
         fails={"ex3_question_encoder_reused": "Expected it to come from `question_encoder`"}),
    dict(notebook=NB, cell="ex4_train", why="Adam at its default learning rate",
         code=EX4_PRE + EX4_DATA + EX4_COMPILE.replace("keras.optimizers.Adam(3e-3)", "keras.optimizers.Adam()") + EX4_FIT,
         fails={"ex4_compile": "Expected learning_rate=0.003"}),
    dict(notebook=NB, cell="ex4_train", why="RMSprop instead of Adam",
         code=EX4_PRE + EX4_DATA + EX4_COMPILE.replace("keras.optimizers.Adam(3e-3)", "keras.optimizers.RMSprop(3e-3)") + EX4_FIT,
         fails={"ex4_compile": "with the RMSprop optimizer"}),
    dict(notebook=NB, cell="ex4_train", why="the metric left out",
         code=EX4_PRE + EX4_DATA + EX4_COMPILE.replace(', metrics=["accuracy"]', "") + EX4_FIT,
         fails={"ex4_compile": "Expected ['accuracy']"}),
    dict(notebook=NB, cell="ex4_train", why="batches of 32 instead of 64",
         code=EX4_PRE + EX4_DATA + EX4_COMPILE + EX4_FIT.replace("batch_size=64", "batch_size=32"),
         fails={"ex4_history": "Expected batches of 64"}),
    dict(notebook=NB, cell="ex4_train", why="validated on the training pairs instead of val_pairs",
         code=EX4_PRE + EX4_DATA + EX4_COMPILE + EX4_FIT.replace("validation_data=(val_pairs.x, val_pairs.y)",
                                                      "validation_data=(pairs.x, pairs.y)"),
         fails={"ex4_history": "Expected the validation losses to be measured on `val_pairs`"}),
]

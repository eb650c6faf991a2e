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
    'merged = layers.concatenate([encoded_a, encoded_b], name="merge")\n'
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
         fails={"ex1_node_indices": "read the inputs ['digit_a', 'digit_a']"}),
    dict(notebook=NB, cell="ex1_pair_model",
         why="the seed's head: no hidden `compare` layer",
         code=EX1_PRE + EX1_INPUTS
         + "encoded_a = vision(digit_a)\n"
           "encoded_b = vision(digit_b)\n"
           'merged = layers.concatenate([encoded_a, encoded_b], name="merge")\n'
           'same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)\n'
           'pair_model = keras.Model([digit_a, digit_b], same_digit, name="pair_model")\n',
         fails={"ex1_inputs_outputs": "1 Dense layer(s) (expected 2)"}),
    dict(notebook=NB, cell="ex1_pair_model",
         why="output layer not named",
         code=EX1_PRE + EX1_INPUTS
         + "encoded_a = vision(digit_a)\n"
           "encoded_b = vision(digit_b)\n"
           'merged = layers.concatenate([encoded_a, encoded_b], name="merge")\n'
           'compared = layers.Dense(64, activation="relu", name="compare")(merged)\n'
           'same_digit = layers.Dense(1, activation="sigmoid")(compared)\n'
           'pair_model = keras.Model([digit_a, digit_b], same_digit, name="pair_model")\n',
         fails={"ex1_inputs_outputs": "Expected 1 output(s) named ['same_digit']"}),

    # Exercise 2: TimeDistributed.
    dict(notebook=NB, cell="ex2_per_digit",
         why="TimeDistributed around a new Dense instead of the classifier",
         code=EX2_PRE
         + 'per_digit = layers.TimeDistributed(layers.Dense(10, activation="softmax"),\n'
           '                                   name="per_digit")(digit_sequence)\n'
           'sequence_model = keras.Model(digit_sequence, per_digit, name="sequence_model")\n',
         fails={"ex2_per_digit_shape": "Expected shape (None, 6, 10)",
                "ex2_wraps_digit_classifier": "not the given `digit_classifier`"}),
    dict(notebook=NB, cell="ex2_per_digit",
         why="wraps a newly built classifier instead of the given one",
         code=EX2_PRE
         + "my_classifier = keras.Sequential([keras.Input(shape=(8, 8, 1)),\n"
           "                                 builders.build_vision_model(),\n"
           '                                 layers.Dense(10, activation="softmax")])\n'
           'per_digit = layers.TimeDistributed(my_classifier, name="per_digit")(digit_sequence)\n'
           'sequence_model = keras.Model(digit_sequence, per_digit, name="sequence_model")\n',
         fails={"ex2_wraps_digit_classifier": "not the given `digit_classifier`"}),
    dict(notebook=NB, cell="ex2_per_digit",
         why="wraps only the vision model, forgetting the classifier's softmax",
         code=EX2_PRE
         + "per_digit = layers.TimeDistributed(digit_classifier.layers[0],\n"
           '                                   name="per_digit")(digit_sequence)\n'
           'sequence_model = keras.Model(digit_sequence, per_digit, name="sequence_model")\n',
         fails={"ex2_per_digit_shape": "Expected shape (None, 6, 10)",
                "ex2_wraps_digit_classifier": "not the given `digit_classifier`"}),

    # Exercise 3: video question answering.
    dict(notebook=NB, cell="ex3_video_qa",
         why="two LSTMs instead of one shared: a new question branch for the video question",
         code=EX3_PRE
         + 'encoded_frames = layers.TimeDistributed(vqa_vision, name="frame_encoder")(video)\n'
           'encoded_video = layers.LSTM(16, name="video_lstm")(encoded_frames)\n'
           "embedded = layers.Embedding(200, 16)(video_question)\n"
           "encoded_video_question = layers.LSTM(16)(embedded)\n" + EX3_TAIL,
         fails={"ex3_question_encoder_reused": "Expected it to come from `question_encoder`",
                "ex3_inputs_outputs": "Expected the same layers as the reference"}),
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

    # Exercise 4: training.
    dict(notebook=NB, cell="ex4_train",
         why="trains for a single epoch",
         code=EX4_PRE + EX4_COMPILE
         + "history = fresh_pair_model.fit(pairs.x, pairs.y, epochs=1, batch_size=64,\n"
           "                               validation_data=(val_pairs.x, val_pairs.y), verbose=0)\n",
         fails={"ex4_accuracy": "Expected at least 75%",
                "ex4_history": "Expected 8"}),
    dict(notebook=NB, cell="ex4_train",
         why="trains the seed's classifier (no comparison before the last Dense)",
         code=EX4_PRE
         + "fresh_pair_model = builders.build_digit_pair_classifier()\n" + EX4_COMPILE
         + "history = fresh_pair_model.fit(pairs.x, pairs.y, epochs=8, batch_size=64,\n"
           "                               validation_data=(val_pairs.x, val_pairs.y), verbose=0)\n",
         fails={"ex4_accuracy": "Expected at least 75%"}),
    dict(notebook=NB, cell="ex4_train",
         why="no validation data passed to fit",
         code=EX4_PRE + EX4_COMPILE
         + "history = fresh_pair_model.fit(pairs.x, pairs.y, epochs=8, batch_size=64, verbose=0)\n",
         fails={"ex4_history": "has no validation accuracy"}),
]

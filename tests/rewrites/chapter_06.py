"""Equivalent rewrites of chapter 06's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
VISION = START + "vision = builders.build_vision_model()\n"
CLASSIFIER = START + '''digit_classifier = keras.Sequential(
    [keras.Input(shape=(8, 8, 1)), builders.build_vision_model(),
     layers.Dense(10, activation="softmax", name="digit_class")],
    name="digit_classifier",
)
'''
VQA = START + '''vqa = builders.build_visual_question_answering_model()
vqa_vision = vqa.get_layer("vision_model")
question_encoder = builders.question_encoder_of(vqa)
'''
FRESH = START + "fresh_pair_model = keras.models.clone_model(pair_model)\n"
PRINT = 'print(f"validation accuracy: {history.history[\'val_accuracy\'][-1]:.2f}")\n'

REWRITES = [
    dict(cell="ex1_pair_model", why="Concatenate layer, keyword Model",
         code=VISION + '''digit_a = keras.Input(shape=(8, 8, 1), name="digit_a")
digit_b = keras.Input(shape=(8, 8, 1), name="digit_b")
encoded_a = vision(digit_a)
encoded_b = vision(digit_b)
product = layers.Multiply(name="product")([encoded_a, encoded_b])
merged = layers.Concatenate(name="merge")([encoded_a, encoded_b, product])
compared = layers.Dense(64, activation="relu", name="compare")(merged)
same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(compared)
pair_model = keras.Model(inputs=[digit_a, digit_b], outputs=same_digit, name="pair_model")
'''),
    dict(cell="ex1_pair_model", why="keras.layers prefix, units= keywords, axis=-1 spelled out",
         code=VISION + '''digit_a = keras.Input((8, 8, 1), name="digit_a")
digit_b = keras.Input((8, 8, 1), name="digit_b")
encoded_a = vision(digit_a)
encoded_b = vision(digit_b)
merged = keras.layers.concatenate(
    [encoded_a, encoded_b, keras.layers.multiply([encoded_b, encoded_a], name="product")],
    axis=-1, name="merge")
hidden = keras.layers.Dense(units=64, activation="relu", name="compare")(merged)
same_digit = keras.layers.Dense(units=1, activation="sigmoid", name="same_digit")(hidden)
pair_model = keras.Model([digit_a, digit_b], same_digit, name="pair_model")
'''),
    dict(cell="ex2_per_digit", why="the wrapper in a variable, keyword Model without a name",
         code=CLASSIFIER + '''digit_sequence = keras.Input(shape=(6, 8, 8, 1), name="digit_sequence")
wrapper = layers.TimeDistributed(digit_classifier, name="per_digit")
per_digit = wrapper(digit_sequence)
averaging = layers.GlobalAveragePooling1D(name="class_shares")
class_shares = averaging(per_digit)
sequence_model = keras.Model(inputs=digit_sequence, outputs=[per_digit, class_shares])
'''),
    dict(cell="ex2_per_digit", why="layer= keyword, keras.layers prefix",
         code=CLASSIFIER + '''digit_sequence = keras.Input((6, 8, 8, 1), name="digit_sequence")
per_digit = keras.layers.TimeDistributed(layer=digit_classifier, name="per_digit")(digit_sequence)
class_shares = keras.layers.GlobalAveragePooling1D(data_format="channels_last", name="class_shares")(per_digit)
sequence_model = keras.Model(digit_sequence, outputs=[per_digit, class_shares], name="sequence_model")
'''),
    dict(cell="ex3_video_qa", why="question branch built first, Concatenate layer, keyword Model",
         code=VQA + '''video_question = keras.Input(shape=(10,), dtype="int32", name="video_question")
encoded_video_question = question_encoder(video_question)
video = keras.Input(shape=(4, 16, 16, 3), name="video")
encoded_frames = layers.TimeDistributed(vqa_vision, name="frame_encoder")(video)
encoded_video = layers.LSTM(16, name="video_lstm")(encoded_frames)
merged = layers.Concatenate(name="merge")([encoded_video, encoded_video_question])
answer = layers.Dense(20, activation="softmax", name="answer")(merged)
video_qa = keras.Model(inputs=[video, video_question], outputs=answer, name="video_qa")
'''),
    dict(cell="ex3_video_qa", why="keywords, no names for the wrapper, the merge and the model",
         code=VQA + '''video = keras.Input((4, 16, 16, 3), name="video")
encoded_frames = layers.TimeDistributed(vqa_vision)(video)
encoded_video = layers.LSTM(units=16, name="video_lstm")(encoded_frames)
video_question = keras.Input((10,), dtype="int32", name="video_question")
encoded_video_question = question_encoder(video_question)
merged = layers.concatenate([encoded_video, encoded_video_question])
answer = layers.Dense(units=20, activation="softmax", name="answer")(merged)
video_qa = keras.Model([video, video_question], answer)
'''),
    dict(cell="ex4_train", why="swapped pairs first, built in a loop; optimizer in a variable, keywords",
         code=FRESH + '''swapped = {"digit_a": pairs.inputs["digit_b"], "digit_b": pairs.inputs["digit_a"]}
both_orders = {name: np.concatenate([swapped[name], pairs.inputs[name]]) for name in ("digit_a", "digit_b")}
both_targets = np.concatenate([pairs.y, pairs.y])
optimizer = keras.optimizers.Adam(learning_rate=3e-3)
fresh_pair_model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
history = fresh_pair_model.fit(x=both_orders, y=both_targets, batch_size=64, epochs=3,
                               validation_data=(val_pairs.x, val_pairs.y), verbose=0)
''' + PRINT),
    dict(cell="ex4_train", why="each pair next to its swap (interleaved), 0.003 for 3e-3, a loss object, no print",
         code=FRESH + '''first, second = pairs.inputs["digit_a"], pairs.inputs["digit_b"]
both_orders = {"digit_a": np.stack([first, second], axis=1).reshape(-1, 8, 8, 1),
               "digit_b": np.stack([second, first], axis=1).reshape(-1, 8, 8, 1)}
both_targets = np.repeat(pairs.y, 2, axis=0)
fresh_pair_model.compile(optimizer=keras.optimizers.Adam(0.003),
                         loss=keras.losses.BinaryCrossentropy(), metrics=["accuracy"])
validation = (val_pairs.x, val_pairs.y)
history = fresh_pair_model.fit(both_orders, both_targets, epochs=3, batch_size=64,
                               validation_data=validation, verbose=0)
'''),
]

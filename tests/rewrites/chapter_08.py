"""Equivalent rewrites of chapter 08's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
VOCABULARY = START + "vocabulary_size = 2000\n"
ANSWERS = "keras.utils.set_random_seed(0)\nnum_samples = 64\nanswer_vocabulary_size = 20\n"
CAMERA = START + "camera_base = builders.build_vision_model(input_shape=(16, 16, 3), filters=8)\n"

REWRITES = [
    dict(cell="ex1_inception", why="axis=3 is the channel axis of these 4-D tensors, Concatenate layer",
         code=START + '''input_img = keras.Input(shape=(16, 16, 3), name="image")
tower_1 = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(input_img)
tower_1 = layers.Conv2D(8, (3, 3), padding="same", activation="relu")(tower_1)
tower_2 = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(input_img)
tower_2 = layers.Conv2D(8, (5, 5), padding="same", activation="relu")(tower_2)
tower_3 = layers.MaxPooling2D((3, 3), strides=(1, 1), padding="same")(input_img)
tower_3 = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(tower_3)
output = layers.Concatenate(axis=3, name="towers_concatenated")([tower_1, tower_2, tower_3])
inception = keras.Model(input_img, output, name="inception")
'''),
    dict(cell="ex1_inception", why="int kernel sizes, towers built in another order, keyword Model",
         code=START + '''input_img = keras.Input(shape=(16, 16, 3), name="image")
tower_3 = layers.MaxPooling2D(3, strides=1, padding="same")(input_img)
tower_3 = layers.Conv2D(8, 1, padding="same", activation="relu")(tower_3)
tower_2 = layers.Conv2D(8, 1, padding="same", activation="relu")(input_img)
tower_2 = layers.Conv2D(8, 5, padding="same", activation="relu")(tower_2)
tower_1 = layers.Conv2D(8, 1, padding="same", activation="relu")(input_img)
tower_1 = layers.Conv2D(8, 3, padding="same", activation="relu")(tower_1)
output = layers.concatenate([tower_1, tower_2, tower_3], name="towers_concatenated")
inception = keras.Model(inputs=input_img, outputs=output)
'''),
    dict(cell="ex2_embedding", why="input_dim=/output_dim= keywords, GlobalMaxPool1D alias",
         code=VOCABULARY + '''posts_input = keras.Input(shape=(None,), dtype="int32", name="posts")
embedded_post = layers.Embedding(input_dim=vocabulary_size, output_dim=32)(posts_input)
x = layers.Conv1D(32, 5, activation="relu")(embedded_post)
x = layers.GlobalMaxPool1D()(x)
age = layers.Dense(1, name="age")(x)
posts_model = keras.Model(posts_input, age, name="posts_model")
'''),
    dict(cell="ex2_embedding", why="filters=/kernel_size= keywords, keyword Model without a name",
         code=VOCABULARY + '''posts_input = keras.Input((None,), dtype="int32", name="posts")
embedded_post = layers.Embedding(vocabulary_size, 32)(posts_input)
features = layers.Conv1D(filters=32, kernel_size=5, activation="relu")(embedded_post)
pooled = layers.GlobalMaxPooling1D()(features)
age = layers.Dense(units=1, name="age")(pooled)
posts_model = keras.Model(inputs=posts_input, outputs=age)
'''),
    dict(cell="ex3_answers", why="one-hot rows picked from an identity matrix",
         code=ANSWERS + '''answer_indices = np.random.randint(0, answer_vocabulary_size, size=num_samples)
answers = np.eye(answer_vocabulary_size)[answer_indices]
'''),
    dict(cell="ex3_answers", why="ones set by fancy indexing, randint with its low bound left out",
         code=ANSWERS + '''answers = np.zeros((num_samples, answer_vocabulary_size))
answers[np.arange(num_samples), np.random.randint(answer_vocabulary_size, size=num_samples)] = 1
'''),
    dict(cell="ex3_answers", why="np.random.choice for the answer indices",
         code=ANSWERS + '''answers = keras.utils.to_categorical(
    np.random.choice(answer_vocabulary_size, size=num_samples),
    num_classes=answer_vocabulary_size)
'''),
    dict(cell="ex4_dual_camera", why="Concatenate layer, keyword Model",
         code=CAMERA + '''left_input = keras.Input(shape=(16, 16, 3), name="left_camera")
right_input = keras.Input(shape=(16, 16, 3), name="right_camera")
left_features = camera_base(left_input)
right_features = camera_base(right_input)
merged_features = layers.Concatenate(axis=-1)([left_features, right_features])
depth = layers.Dense(1, name="depth")(merged_features)
dual_camera = keras.Model(inputs=[left_input, right_input], outputs=depth, name="dual_camera")
'''),
    dict(cell="ex4_dual_camera", why="default concatenation axis, units= keyword, no model name",
         code=CAMERA + '''left_input = keras.Input((16, 16, 3), name="left_camera")
right_input = keras.Input((16, 16, 3), name="right_camera")
merged_features = layers.concatenate([camera_base(left_input), camera_base(right_input)])
depth = layers.Dense(units=1, name="depth")(merged_features)
dual_camera = keras.Model([left_input, right_input], depth)
'''),
    dict(cell="ex5_port_headline", why="lists in the order of the outputs, Concatenate layer",
         code=START + '''main_input = keras.Input(shape=(20,), dtype="int32", name="main_input")
x = layers.Embedding(input_dim=1000, output_dim=16)(main_input)
lstm_out = layers.LSTM(8)(x)
auxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
auxiliary_input = keras.Input(shape=(5,), name="aux_input")
x = layers.Concatenate()([lstm_out, auxiliary_input])
x = layers.Dense(16, activation="relu")(x)
x = layers.Dense(16, activation="relu")(x)
x = layers.Dense(16, activation="relu")(x)
main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
headline = keras.Model(
    inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output]
)
headline.compile(optimizer="rmsprop", loss=["binary_crossentropy", "binary_crossentropy"],
                 loss_weights=[1.0, 0.2])
'''),
    dict(cell="ex5_port_headline", why="positional Embedding sizes, a loop for the three Dense layers, positional Model",
         code=START + '''main_input = keras.Input(shape=(20,), dtype="int32", name="main_input")
lstm_out = layers.LSTM(8)(layers.Embedding(1000, 16)(main_input))
auxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
auxiliary_input = keras.Input(shape=(5,), name="aux_input")
x = layers.concatenate([lstm_out, auxiliary_input])
for _ in range(3):
    x = layers.Dense(16, activation="relu")(x)
main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
headline = keras.Model([main_input, auxiliary_input], [main_output, auxiliary_output])
headline.compile(
    optimizer="rmsprop",
    loss={"aux_output": "binary_crossentropy", "main_output": "binary_crossentropy"},
    loss_weights={"aux_output": 0.2, "main_output": 1},
)
'''),
]

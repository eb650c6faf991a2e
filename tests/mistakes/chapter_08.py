NB = "08-appendix-keras3/keras3_migration.ipynb"

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

INCEPTION_TOWERS = '''input_img = keras.Input(shape=(16, 16, 3), name="image")
tower_1 = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(input_img)
tower_1 = layers.Conv2D(8, (3, 3), padding="same", activation="relu")(tower_1)
tower_2 = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(input_img)
tower_2 = layers.Conv2D(8, (5, 5), padding="same", activation="relu")(tower_2)
tower_3 = layers.MaxPooling2D((3, 3), strides=(1, 1), padding="same")(input_img)
tower_3 = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(tower_3)
'''

POSTS = '''vocabulary_size = 2000
posts_input = keras.Input(shape=(None,), dtype="int32", name="posts")
embedded_post = layers.Embedding({dims})(posts_input)
x = layers.Conv1D(32, 5, activation="relu")(embedded_post)
x = layers.GlobalMaxPooling1D()(x)
age = layers.Dense(1, name="age")(x)
posts_model = keras.Model(posts_input, age, name="posts_model")
'''

ANSWERS = "keras.utils.set_random_seed(0)\nnum_samples = 64\nanswer_vocabulary_size = 20\n"

CAMERA = START + "camera_base = builders.build_vision_model(input_shape=(16, 16, 3), filters=8)\n"

CAMERA_END = '''merged_features = layers.concatenate([left_features, right_features], axis=-1)
depth = layers.Dense(1, name="depth")(merged_features)
dual_camera = keras.Model([left_input, right_input], depth, name="dual_camera")
'''

HEADLINE = '''main_input = keras.Input(shape=(20,), dtype="int32", name="main_input")
x = layers.Embedding(input_dim=1000, output_dim=16)(main_input)
lstm_out = layers.LSTM(8)(x)
auxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")({aux_from})
auxiliary_input = keras.Input(shape=(5,), name="aux_input")
x = layers.concatenate([lstm_out, auxiliary_input])
merged = x
x = layers.Dense(16, activation="relu")(x)
x = layers.Dense(16, activation="relu")(x)
x = layers.Dense(16, activation="relu")(x)
main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
headline = keras.Model(
    inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output]
)
headline.compile(optimizer="rmsprop", {compile})
'''
# the aux output needs `merged` defined before it when read from the merge
HEADLINE_AUX_FROM_MERGE = HEADLINE.replace(
    'auxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")({aux_from})\n', ""
).replace(
    "merged = x\n",
    'merged = x\nauxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")(merged)\n',
)
GOOD_COMPILE = ('loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"}, '
                'loss_weights={"main_output": 1.0, "aux_output": 0.2}')

def towers_with(old, new):
    assert old in INCEPTION_TOWERS
    return START + INCEPTION_TOWERS.replace(old, new) + INCEPTION_END


INCEPTION_END = ('output = layers.concatenate([tower_1, tower_2, tower_3], axis=-1, name="towers_concatenated")\n'
                 'inception = keras.Model(input_img, output, name="inception")')

RIGHT_CAMERA = '''left_input = keras.Input(shape=(16, 16, 3), name="left_camera")
right_input = keras.Input(shape=(16, 16, 3), name="right_camera")
left_features = camera_base(left_input)
right_features = camera_base(right_input)
'''
GOOD_HEADLINE = HEADLINE.format(aux_from="lstm_out", compile=GOOD_COMPILE)

# With require(..., exercise=N) in every test cell, a later failing cell of the same exercise
# repeats the first failure's first line ("Not checked yet: ... (<first message>)").
MISTAKES = [
    # Exercise 1: Inception
    dict(notebook=NB, cell="ex1_inception",
         why="concatenation on axis 1 (the seed's bug): towers stacked along the height",
         code=START + INCEPTION_TOWERS + INCEPTION_END.replace("axis=-1", "axis=1"),
         fails={"ex1_concat_axis": "concatenates along axis 1",
                "ex1_output_shape": "has shape (None, 48, 16, 8)"}),
    dict(notebook=NB, cell="ex1_inception",
         why="second tower built on the first tower's output instead of the input",
         code=towers_with(
             'tower_2 = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(input_img)',
             'tower_2 = layers.Conv2D(8, (1, 1), padding="same", activation="relu")(tower_1)'),
         fails={"ex1_towers_from_input": "goes through a layer of another branch",
                "ex1_same_layers": "goes through a layer of another branch"}),
    dict(notebook=NB, cell="ex1_inception",
         why="average pooling in tower 3 instead of the seed's max pooling",
         code=towers_with("layers.MaxPooling2D(", "layers.AveragePooling2D("),
         fails={"ex1_same_layers": "1 AveragePooling2D layer (expected 0)"}),
    dict(notebook=NB, cell="ex1_inception",
         why="a 3x3 convolution in tower 2 instead of the seed's 5x5 (same shapes)",
         code=towers_with('layers.Conv2D(8, (5, 5),', 'layers.Conv2D(8, (3, 3),'),
         fails={"ex1_same_layers": "has kernel size (3, 3). Expected (5, 5)"}),
    dict(notebook=NB, cell="ex1_inception",
         why="towers concatenated in another order than the seed's",
         code=START + INCEPTION_TOWERS + INCEPTION_END.replace(
             "[tower_1, tower_2, tower_3]", "[tower_3, tower_2, tower_1]"),
         fails={"ex1_same_layers": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex1_inception",
         why="input not named",
         code=towers_with('keras.Input(shape=(16, 16, 3), name="image")', "keras.Input(shape=(16, 16, 3))"),
         fails={"ex1_output_shape": "Expected 1 input(s) named ['image']"}),
    # Exercise 2: Embedding
    dict(notebook=NB, cell="ex2_embedding",
         why="Embedding(32, vocabulary_size): input and output dims swapped, as in the seed",
         code=START + POSTS.format(dims="32, vocabulary_size"),
         fails={"ex2_param_count": "has 384,065 parameters",
                "ex2_embedding_dims": "has input_dim=32 and output_dim=2000"}),
    dict(notebook=NB, cell="ex2_embedding",
         why="keyword arguments with the sizes still swapped",
         code=START + POSTS.format(dims="input_dim=32, output_dim=vocabulary_size"),
         fails={"ex2_param_count": "Expected 69,185"}),
    dict(notebook=NB, cell="ex2_embedding",
         why="global average pooling instead of the seed's global max pooling",
         code=START + POSTS.format(dims="vocabulary_size, 32").replace(
             "GlobalMaxPooling1D", "GlobalAveragePooling1D"),
         fails={"ex2_same_layers": "1 GlobalAveragePooling1D layer (expected 0)"}),
    dict(notebook=NB, cell="ex2_embedding",
         why="no ReLU on the convolution",
         code=START + POSTS.format(dims="vocabulary_size, 32").replace(
             'Conv1D(32, 5, activation="relu")', "Conv1D(32, 5)"),
         fails={"ex2_same_layers": "has no activation (linear). Expected 'relu'"}),
    dict(notebook=NB, cell="ex2_embedding",
         why="posts input without its integer dtype",
         code=START + POSTS.format(dims="vocabulary_size, 32").replace(', dtype="int32"', ""),
         fails={"ex2_same_layers": "has dtype 'float'. Expected 'int'"}),
    dict(notebook=NB, cell="ex2_embedding",
         why="posts input not named",
         code=START + POSTS.format(dims="vocabulary_size, 32").replace(', name="posts")', ")"),
         fails={"ex2_param_count": "Expected 1 input(s) named ['posts']"}),
    # Exercise 3: one-hot answers
    dict(notebook=NB, cell="ex3_answers",
         why="np.random.randint(0, 1, ...) kept: all zeros",
         code=ANSWERS + "answers = np.random.randint(0, 1, size=(num_samples, answer_vocabulary_size))",
         fails={"ex3_one_hot_rows": "rows that sum to [0]"}),
    dict(notebook=NB, cell="ex3_answers",
         why="randint(0, 2) over the whole matrix: random 0/1 entries, not one 1 per row",
         code=ANSWERS + "answers = np.random.randint(0, 2, size=(num_samples, answer_vocabulary_size))",
         fails={"ex3_one_hot_rows": "exactly one 1"}),
    dict(notebook=NB, cell="ex3_answers",
         why="integer answer indices, never one-hot encoded",
         code=ANSWERS + "answers = np.random.randint(0, answer_vocabulary_size, size=(num_samples, 1))",
         fails={"ex3_answers_shape": "Expected shape (64, 20)"}),
    dict(notebook=NB, cell="ex3_answers",
         why="one-hot rows that all pick answer 0",
         code=ANSWERS + "answers = np.zeros((num_samples, answer_vocabulary_size))\nanswers[:, 0] = 1",
         fails={"ex3_several_classes": "pick the same answer, class 0"}),
    dict(notebook=NB, cell="ex3_answers",
         why="answers drawn from the first two classes only",
         code=ANSWERS + "answer_indices = np.random.randint(0, 2, size=num_samples)\n"
              "answers = keras.utils.to_categorical(answer_indices, answer_vocabulary_size)",
         fails={"ex3_several_classes": "use only 2 of the 20 possible answers"}),
    dict(notebook=NB, cell="ex3_answers",
         why="indices drawn from 1 to 19: answer 0 never drawn",
         code=ANSWERS + "answer_indices = np.random.randint(1, answer_vocabulary_size, size=num_samples)\n"
              "answers = keras.utils.to_categorical(answer_indices, answer_vocabulary_size)",
         fails={"ex3_several_classes": "never pick answer 0"}),
    dict(notebook=NB, cell="ex3_answers",
         why="a single answer index one-hot encoded (no size): one row",
         code=ANSWERS + "answer_indices = np.random.randint(0, answer_vocabulary_size)\n"
              "answers = keras.utils.to_categorical(answer_indices, answer_vocabulary_size)",
         fails={"ex3_answers_shape": "has shape (20,)",
                "ex3_one_hot_rows": "has shape (20,)",
                "ex3_several_classes": "has shape (20,)"}),
    # Exercise 4: dual camera
    dict(notebook=NB, cell="ex4_dual_camera",
         why="right camera through its own copy of the base's layers instead of the shared base",
         code=CAMERA + '''left_input = keras.Input(shape=(16, 16, 3), name="left_camera")
right_input = keras.Input(shape=(16, 16, 3), name="right_camera")
left_features = camera_base(left_input)
x = layers.Conv2D(8, (3, 3), activation="relu")(right_input)
x = layers.Conv2D(8, (3, 3), activation="relu")(x)
right_features = layers.Flatten()(layers.MaxPooling2D((2, 2))(x))
''' + CAMERA_END,
         fails={"ex4_right_camera_feeds": "Expected it to receive your `right_input`"}),
    dict(notebook=NB, cell="ex4_dual_camera",
         why="a Dense instead of the shared sub-model on the right camera",
         code=CAMERA + '''left_input = keras.Input(shape=(16, 16, 3), name="left_camera")
right_input = keras.Input(shape=(16, 16, 3), name="right_camera")
left_features = camera_base(left_input)
right_features = layers.Dense(288)(layers.Flatten()(right_input))
''' + CAMERA_END,
         fails={"ex4_right_camera_feeds": "receives the input 'left_camera'"}),
    dict(notebook=NB, cell="ex4_dual_camera",
         why="right camera through the base, left camera through its own copy of the layers",
         code=CAMERA + '''left_input = keras.Input(shape=(16, 16, 3), name="left_camera")
right_input = keras.Input(shape=(16, 16, 3), name="right_camera")
x = layers.Conv2D(8, (3, 3), activation="relu")(left_input)
x = layers.Conv2D(8, (3, 3), activation="relu")(x)
left_features = layers.Flatten()(layers.MaxPooling2D((2, 2))(x))
right_features = camera_base(right_input)
''' + CAMERA_END,
         fails={"ex4_right_camera_feeds": "Expected it to be called 2 times"}),
    dict(notebook=NB, cell="ex4_dual_camera",
         why="camera inputs not named",
         code=CAMERA + RIGHT_CAMERA.replace(', name="left_camera"', "").replace(', name="right_camera"', "")
         + CAMERA_END,
         fails={"ex4_input_shapes": "Expected 2 input(s) named ['left_camera', 'right_camera']"}),
    dict(notebook=NB, cell="ex4_dual_camera",
         why="features concatenated right then left",
         code=CAMERA + RIGHT_CAMERA + CAMERA_END.replace("[left_features, right_features]",
                                                         "[right_features, left_features]"),
         fails={"ex4_same_layers": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex4_dual_camera",
         why="model inputs listed right then left",
         code=CAMERA + RIGHT_CAMERA + CAMERA_END.replace("keras.Model([left_input, right_input]",
                                                         "keras.Model([right_input, left_input]"),
         fails={"ex4_same_layers": "lists its inputs in the order ['right_camera', 'left_camera']"}),
    dict(notebook=NB, cell="ex4_dual_camera",
         why="features added instead of concatenated",
         code=CAMERA + RIGHT_CAMERA + CAMERA_END.replace(
             "layers.concatenate([left_features, right_features], axis=-1)",
             "layers.add([left_features, right_features])"),
         fails={"ex4_same_layers": "1 Add layer (expected 0)"}),
    # Exercise 5: port the headline model
    dict(notebook=NB, cell="ex5_port_headline",
         why="one loss for all outputs with a list of weights (the seed's compile kept)",
         code=START + HEADLINE.format(
             aux_from="lstm_out",
             compile='loss="binary_crossentropy", loss_weights=[1.0, 0.2]'),
         fails={"ex5_loss_weights": "with one loss, 'binary_crossentropy', and 2 loss weights",
                "ex5_weighted_loss": "with one loss, 'binary_crossentropy', and 2 loss weights"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="loss weights swapped",
         code=START + HEADLINE.format(
             aux_from="lstm_out",
             compile='loss=["binary_crossentropy", "binary_crossentropy"], loss_weights=[0.2, 1.0]'),
         fails={"ex5_loss_weights": "Expected main_output: 1, aux_output: 0.2",
                "ex5_weighted_loss": "Expected main_output: 1, aux_output: 0.2"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="auxiliary output read from the merge instead of the LSTM",
         code=START + HEADLINE_AUX_FROM_MERGE.format(compile=GOOD_COMPILE),
         fails={"ex5_headline_structure": "reads"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="merged tensors in the other order (aux_input first)",
         code=START + GOOD_HEADLINE.replace("layers.concatenate([lstm_out, auxiliary_input])",
                                            "layers.concatenate([auxiliary_input, lstm_out])"),
         fails={"ex5_headline_structure": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="model inputs listed in the other order",
         code=START + GOOD_HEADLINE.replace("inputs=[main_input, auxiliary_input]",
                                            "inputs=[auxiliary_input, main_input]"),
         fails={"ex5_headline_structure": "lists its inputs in the order ['aux_input', 'main_input']"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="a GRU instead of the seed's LSTM",
         code=START + GOOD_HEADLINE.replace("layers.LSTM(8)", "layers.GRU(8)"),
         fails={"ex5_headline_structure": "1 GRU layer (expected 0)"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="word indices input without the seed's int32 dtype",
         code=START + GOOD_HEADLINE.replace(', dtype="int32"', ""),
         fails={"ex5_headline_structure": "has dtype 'float'. Expected 'int'"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="adam instead of the seed's rmsprop",
         code=START + GOOD_HEADLINE.replace('optimizer="rmsprop"', 'optimizer="adam"'),
         fails={"ex5_loss_weights": "Adam optimizer. Expected RMSprop"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="RMSprop with another learning rate than the seed's default",
         code=START + GOOD_HEADLINE.replace(
             'optimizer="rmsprop"', "optimizer=keras.optimizers.RMSprop(learning_rate=0.01)"),
         fails={"ex5_loss_weights": "RMSprop(learning_rate=0.01"}),
    dict(notebook=NB, cell="ex5_port_headline",
         why="mse for the auxiliary output",
         code=START + HEADLINE.format(aux_from="lstm_out", compile=GOOD_COMPILE.replace(
             '"aux_output": "binary_crossentropy"', '"aux_output": "mse"')),
         fails={"ex5_loss_weights": "uses aux_output: 'mean_squared_error'"}),
]

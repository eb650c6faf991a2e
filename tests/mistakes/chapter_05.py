from autograder.pipeline.demo import FOUNDATION_MISTAKES as FOUNDATION

NB = "05-shared-layers/shared_layers.ipynb"
SEED = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
EX2_SETUP = SEED + (
    'encoder = layers.LSTM(4, name="encoder")\n'
    'query = keras.Input(shape=(None, 8), name="query")\n'
    'document = keras.Input(shape=(None, 8), name="document")\n'
)
EX4_SETUP = SEED + "siamese = builders.build_siamese_lstm()\n"

MISTAKES = [
    # Exercise 1: the shared-LSTM tweet model.
    FOUNDATION["two LSTMs instead of one shared"],
    dict(notebook=NB, cell="ex1_tweet_model", why="the shared LSTM called on tweet_a twice",
         code=SEED + '''tweet_a = keras.Input(shape=(30, 12), name="tweet_a")
tweet_b = keras.Input(shape=(30, 12), name="tweet_b")
shared_lstm = layers.LSTM(6, name="shared_lstm")
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_a)
merged = layers.concatenate([encoded_a, encoded_b], axis=-1)
same_author = layers.Dense(1, activation="sigmoid", name="same_author")(merged)
author_model = keras.Model([tweet_a, tweet_b], same_author)''',
         fails={"ex1_lstm_is_shared": "calls its LSTM layer twice on the same tensor"}),
    dict(notebook=NB, cell="ex1_tweet_model", why="the tweets' shape given as (characters, timesteps)",
         code=SEED + '''tweet_a = keras.Input(shape=(12, 30), name="tweet_a")
tweet_b = keras.Input(shape=(12, 30), name="tweet_b")
shared_lstm = layers.LSTM(6, name="shared_lstm")
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)
merged = layers.concatenate([encoded_a, encoded_b], axis=-1)
same_author = layers.Dense(1, activation="sigmoid", name="same_author")(merged)
author_model = keras.Model([tweet_a, tweet_b], same_author)''',
         fails={"ex1_tweet_model_io": "Expected (None, 30, 12)"}),
    dict(notebook=NB, cell="ex1_tweet_model", why="the output layer not named",
         code=SEED + '''tweet_a = keras.Input(shape=(30, 12), name="tweet_a")
tweet_b = keras.Input(shape=(30, 12), name="tweet_b")
shared_lstm = layers.LSTM(6, name="shared_lstm")
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)
merged = layers.concatenate([encoded_a, encoded_b], axis=-1)
same_author = layers.Dense(1, activation="sigmoid")(merged)
author_model = keras.Model([tweet_a, tweet_b], same_author)''',
         fails={"ex1_tweet_model_io": "Expected 1 output(s) named ['same_author']"}),
    dict(notebook=NB, cell="ex1_tweet_model", why="tweet_b encoded first, so encoded_a is node 1",
         code=SEED + '''tweet_a = keras.Input(shape=(30, 12), name="tweet_a")
tweet_b = keras.Input(shape=(30, 12), name="tweet_b")
shared_lstm = layers.LSTM(6, name="shared_lstm")
encoded_b = shared_lstm(tweet_b)
encoded_a = shared_lstm(tweet_a)
merged = layers.concatenate([encoded_a, encoded_b], axis=-1)
same_author = layers.Dense(1, activation="sigmoid", name="same_author")(merged)
author_model = keras.Model([tweet_a, tweet_b], same_author)''',
         fails={"ex1_lstm_is_shared": "comes from node 1 of `shared_lstm`. Expected node 0"}),

    # Exercise 2: which node?
    FOUNDATION["a node index off by one"],
    dict(notebook=NB, cell="ex2_node_index", why="document encoded first",
         code=EX2_SETUP + '''encoded_document = encoder(document)
encoded_query = encoder(query)
document_node = 0''',
         fails={"ex2_encoded_document_node": "comes from node 0 of `encoder`. Expected node 1",
                "ex2_document_node_value": "Your `document_node` is 0"}),
    dict(notebook=NB, cell="ex2_node_index", why="a new LSTM for the document",
         code=EX2_SETUP + '''encoded_query = encoder(query)
encoded_document = layers.LSTM(4)(document)
document_node = 1''',
         fails={"ex2_encoded_document_node": "Expected it to come from `encoder`"}),
    dict(notebook=NB, cell="ex2_node_index", why="the node index given as the tensor",
         code=EX2_SETUP + '''encoded_query = encoder(query)
encoded_document = encoder(document)
document_node = encoded_document''',
         fails={"ex2_document_node_value": "Expected an int"}),

    # Exercise 4: pick the output of a node.
    dict(notebook=NB, cell="ex4_pick_node", why="layer.output on the shared LSTM (node 0, the left input)",
         code=EX4_SETUP + '''siamese_lstm = siamese.get_layer("shared_lstm")
right_encoding = siamese_lstm.output
right_encoder = keras.Model(siamese.get_layer("right").output, right_encoding)''',
         fails={"ex4_right_encoding_node": "comes from node 0 of the shared LSTM. Expected node 1"}),
    dict(notebook=NB, cell="ex4_pick_node", why="a new LSTM on the right input instead of the shared one",
         code=EX4_SETUP + '''right_encoding = layers.LSTM(8)(siamese.get_layer("right").output)
right_encoder = keras.Model(siamese.get_layer("right").output, right_encoding)''',
         fails={"ex4_right_encoding_node": "Expected it to come from the shared LSTM"}),
    dict(notebook=NB, cell="ex4_pick_node", why="the encoder built from both inputs",
         code=EX4_SETUP + '''siamese_lstm = siamese.get_layer("shared_lstm")
right_encoding = graph.output_at(siamese_lstm, 1)
right_encoder = keras.Model(siamese.inputs, right_encoding)''',
         fails={"ex4_right_encoder_io": "Expected only the 'right' input"}),
    dict(notebook=NB, cell="ex4_pick_node", why="the whole Siamese model kept as the encoder",
         code=EX4_SETUP + '''siamese_lstm = siamese.get_layer("shared_lstm")
right_encoding = graph.output_at(siamese_lstm, 1)
right_encoder = siamese''',
         fails={"ex4_right_encoder_io": "Expected only the 'right' input"}),
]

EX1_INPUTS = SEED + '''tweet_a = keras.Input(shape=(30, 12), name="tweet_a")
tweet_b = keras.Input(shape=(30, 12), name="tweet_b")
'''
EX1_ENCODE = '''shared_lstm = layers.LSTM(6, name="shared_lstm")
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)
'''
EX1_HEAD = '''merged = layers.concatenate([encoded_a, encoded_b], axis=-1)
same_author = layers.Dense(1, activation="sigmoid", name="same_author")(merged)
author_model = keras.Model([tweet_a, tweet_b], same_author)'''
EX3_CELL = SEED + '''window = keras.Input(shape=(50, 3), name="window")
recording = keras.Input(shape=(200, 3), name="recording")
stream = keras.Input(shape=(None, 3), name="stream")
conv = layers.Conv1D(4, 5, name="shared_conv")
window_features = conv(window)
recording_features = conv(recording)
stream_features = conv(stream)
conv_model = keras.Model([window, recording, stream],
                         [window_features, recording_features, stream_features])
node_output_shapes = [graph.output_shape_at(conv, node) for node in range(3)]'''
EX3_SHAPES = "node_output_shapes = [graph.output_shape_at(conv, node) for node in range(3)]"

MISTAKES += [
    dict(notebook=NB, cell="ex1_tweet_model", why="the encodings concatenated in the other order",
         code=EX1_INPUTS + EX1_ENCODE + EX1_HEAD.replace("[encoded_a, encoded_b]", "[encoded_b, encoded_a]"),
         fails={"ex1_tweet_model_io": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex1_tweet_model", why="a softmax on the one-unit output",
         code=EX1_INPUTS + EX1_ENCODE + EX1_HEAD.replace('activation="sigmoid"', 'activation="softmax"'),
         fails={"ex1_tweet_model_io": "has activation 'softmax'. Expected 'sigmoid'"}),
    dict(notebook=NB, cell="ex1_tweet_model", why="the model's inputs listed as [tweet_b, tweet_a]",
         code=EX1_INPUTS + EX1_ENCODE + EX1_HEAD.replace("keras.Model([tweet_a, tweet_b]", "keras.Model([tweet_b, tweet_a]"),
         fails={"ex1_tweet_model_io": "lists its inputs in the order ['tweet_b', 'tweet_a']"}),
    dict(notebook=NB, cell="ex1_tweet_model", why="a GRU instead of the LSTM",
         code=EX1_INPUTS + EX1_ENCODE.replace("layers.LSTM", "layers.GRU") + EX1_HEAD,
         fails={"ex1_lstm_is_shared": "has no LSTM layer"}),
    dict(notebook=NB, cell="ex1_tweet_model", why="the shared LSTM not named",
         code=EX1_INPUTS + EX1_ENCODE.replace(', name="shared_lstm"', "") + EX1_HEAD,
         fails={"ex1_lstm_is_shared": "has no layer named 'shared_lstm'"}),
    dict(notebook=NB, cell="ex2_node_index", why="node 0 of the encoder read the document, not the query",
         code=EX2_SETUP + '''encoded_query = encoder(document)
encoded_document = encoder(document)
document_node = 1''',
         fails={"ex2_encoded_document_node": "Expected the call on the input `query`"}),
    # Exercise 3: one convolution, three recording lengths.
    dict(notebook=NB, cell="ex3_shared_conv", why="a second Conv1D for the stream",
         code=EX3_CELL.replace("stream_features = conv(stream)",
                               'stream_features = layers.Conv1D(4, 5, name="stream_conv")(stream)').replace(
             EX3_SHAPES, "node_output_shapes = [window_features.shape, recording_features.shape, "
                         "stream_features.shape]"),
         fails={"ex3_conv_is_shared": "separate Conv1D layers",
                "ex3_node_output_shapes": "your `conv` has 2 node(s)"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="conv.output.shape read for every node",
         code=EX3_CELL.replace(EX3_SHAPES, "node_output_shapes = [conv.output.shape] * 3"),
         fails={"ex3_node_output_shapes": "Your `node_output_shapes` is [(None, 46, 4), (None, 46, 4), (None, 46, 4)]"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="padding='same' instead of the default",
         code=EX3_CELL.replace("Conv1D(4, 5,", 'Conv1D(4, 5, padding="same",'),
         fails={"ex3_conv_is_shared": "has padding 'same'. Expected 'valid'",
                "ex3_node_output_shapes": "'valid' padding"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="conv called on the stream before the recording",
         code=EX3_CELL.replace("recording_features = conv(recording)\nstream_features = conv(stream)",
                               "stream_features = conv(stream)\nrecording_features = conv(recording)"),
         fails={"ex3_conv_is_shared": "Your `recording_features` comes from node 2 of `conv`. Expected node 1",
                "ex3_node_output_shapes": "Expected the shapes that 4 filters"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="the stream's node left out of the shapes",
         code=EX3_CELL.replace("for node in range(3)]", "for node in range(2)]"),
         fails={"ex3_node_output_shapes": "holds 2 shape(s), and your `conv` has 3 node(s)"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="the nodes' input shapes instead of their output shapes",
         code=EX3_CELL.replace("graph.output_shape_at(conv, node)", "graph.input_shape_at(conv, node)"),
         fails={"ex3_node_output_shapes": "the shapes that went into `conv`"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="the stream given the recording's fixed length",
         code=EX3_CELL.replace("shape=(None, 3)", "shape=(200, 3)"),
         fails={"ex3_conv_is_shared": "Expected (None, None, 3)",
                "ex3_node_output_shapes": "a stream of any length"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="the model's inputs listed in another order",
         code=EX3_CELL.replace("keras.Model([window, recording, stream],", "keras.Model([stream, window, recording],"),
         fails={"ex3_conv_is_shared": "lists its inputs in the order ['stream', 'window', 'recording']"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="the model's outputs listed in another order",
         code=EX3_CELL.replace("[window_features, recording_features, stream_features])",
                               "[stream_features, window_features, recording_features])"),
         fails={"ex3_conv_is_shared": "lists its outputs in another order"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="a filter width of 3 instead of 5",
         code=EX3_CELL.replace("Conv1D(4, 5,", "Conv1D(4, 3,"),
         fails={"ex3_conv_is_shared": "has kernel size (3,). Expected (5,)",
                "ex3_node_output_shapes": "Expected the shapes that 4 filters"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="filters and width swapped: 5 filters of width 4",
         code=EX3_CELL.replace("Conv1D(4, 5,", "Conv1D(5, 4,"),
         fails={"ex3_conv_is_shared": "Expected 4",
                "ex3_node_output_shapes": "Expected the shapes that 4 filters"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="the shared convolution not named",
         code=EX3_CELL.replace(', name="shared_conv"', ""),
         fails={"ex3_conv_is_shared": "has no layer named 'shared_conv'"}),
    dict(notebook=NB, cell="ex3_shared_conv", why="node_output_shapes given as one shape, not a list",
         code=EX3_CELL.replace(EX3_SHAPES, "node_output_shapes = graph.output_shape_at(conv, 2)"),
         fails={"ex3_node_output_shapes": "Expected a list of shapes, one per node"}),
]

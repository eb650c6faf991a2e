"""Equivalent rewrites of chapter 05's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
NODE_SETUP = START + '''encoder = layers.LSTM(4, name="encoder")
query = keras.Input(shape=(None, 8), name="query")
document = keras.Input(shape=(None, 8), name="document")
'''
SIAMESE = START + "siamese = builders.build_siamese_lstm()\n"

REWRITES = [
    dict(cell="ex1_tweet_model", why="Concatenate layer, keyword Model, positional shapes",
         code=START + '''tweet_a = keras.Input((30, 12), name="tweet_a")
tweet_b = keras.Input((30, 12), name="tweet_b")
shared_lstm = layers.LSTM(6, name="shared_lstm")
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)
merged = layers.Concatenate(axis=-1)([encoded_a, encoded_b])
same_author = layers.Dense(1, activation="sigmoid", name="same_author")(merged)
author_model = keras.Model(inputs=[tweet_a, tweet_b], outputs=same_author)
'''),
    dict(cell="ex1_tweet_model", why="units= keyword, default concatenation axis, a model name",
         code=START + '''tweet_a = keras.Input(shape=(30, 12), name="tweet_a")
tweet_b = keras.Input(shape=(30, 12), name="tweet_b")
shared_lstm = layers.LSTM(units=6, name="shared_lstm")
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)
same_author = layers.Dense(units=1, activation="sigmoid", name="same_author")(
    layers.concatenate([encoded_a, encoded_b]))
author_model = keras.Model([tweet_a, tweet_b], same_author, name="author_model")
'''),
    dict(cell="ex2_node_index", why="the node index read with graph.node_index_of, as the text allows",
         code=NODE_SETUP + '''encoded_query = encoder(query)
encoded_document = encoder(document)
document_node = graph.node_index_of(encoded_document)
'''),
    dict(cell="ex2_node_index", why="both calls on one line, in the same order",
         code=NODE_SETUP + '''encoded_query, encoded_document = encoder(query), encoder(document)
document_node = int(1)
'''),
    dict(cell="ex3_shared_conv", why="keywords, padding='valid' spelled out, keyword Model, the three shapes one by one",
         code=START + '''window = keras.Input((50, 3), name="window")
recording = keras.Input((200, 3), name="recording")
stream = keras.Input((None, 3), name="stream")
conv = layers.Conv1D(filters=4, kernel_size=5, padding="valid", name="shared_conv")
window_features = conv(window)
recording_features = conv(recording)
stream_features = conv(stream)
conv_model = keras.Model(inputs=[window, recording, stream],
                         outputs=[window_features, recording_features, stream_features])
node_output_shapes = [graph.output_shape_at(conv, 0), graph.output_shape_at(conv, 1),
                      graph.output_shape_at(conv, 2)]
node_output_shapes
'''),
    dict(cell="ex3_shared_conv", why="kernel size as a 1-tuple, the calls in a comprehension in the given order, a model name",
         code=START + '''window = keras.Input(shape=(50, 3), name="window")
recording = keras.Input(shape=(200, 3), name="recording")
stream = keras.Input(shape=(None, 3), name="stream")
inputs = [window, recording, stream]
conv = layers.Conv1D(4, (5,), name="shared_conv")
window_features, recording_features, stream_features = [conv(sequence) for sequence in inputs]
conv_model = keras.Model(inputs, [window_features, recording_features, stream_features],
                         name="conv_model")
node_output_shapes = []
for node in range(len(inputs)):
    node_output_shapes.append(graph.output_shape_at(conv, node))
node_output_shapes
'''),
    dict(cell="ex3_shared_conv", why="the shapes read through each feature tensor's own node index",
         code=START + '''window = keras.Input(shape=(50, 3), name="window")
recording = keras.Input(shape=(200, 3), name="recording")
stream = keras.Input(shape=(None, 3), name="stream")
conv = layers.Conv1D(4, 5, activation=None, name="shared_conv")
window_features = conv(window)
recording_features = conv(recording)
stream_features = conv(stream)
features = [window_features, recording_features, stream_features]
conv_model = keras.Model([window, recording, stream], features)
node_output_shapes = [graph.output_shape_at(conv, graph.node_index_of(tensor)) for tensor in features]
node_output_shapes
'''),
    dict(cell="ex4_pick_node", why="the right input's tensor in a variable, keyword Model",
         code=SIAMESE + '''siamese_lstm = siamese.get_layer("shared_lstm")
right_encoding = graph.output_at(siamese_lstm, 1)
right_input = siamese.get_layer("right").output
right_encoder = keras.Model(inputs=right_input, outputs=right_encoding)
'''),
    dict(cell="ex4_pick_node", why="node_index= keyword, no variable for the layer",
         code=SIAMESE + '''right_encoding = graph.output_at(siamese.get_layer("shared_lstm"), node_index=1)
right_encoder = keras.Model(siamese.get_layer("right").output, right_encoding)
'''),
]

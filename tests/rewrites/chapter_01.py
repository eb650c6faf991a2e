"""Equivalent rewrites of chapter 01's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

REWRITES = [
    dict(cell="ex1_softmax_mlp", why="activation= in each Dense instead of Activation layers, the initializer by name, units=/rate= keywords",
         code=START + '''softmax_mlp = keras.Sequential(name="softmax_mlp")
softmax_mlp.add(keras.Input(shape=(20,)))
softmax_mlp.add(keras.layers.Dense(units=64, activation="tanh", kernel_initializer="random_uniform"))
softmax_mlp.add(keras.layers.Dropout(rate=0.5))
softmax_mlp.add(keras.layers.Dense(units=64, activation="tanh", kernel_initializer="random_uniform"))
softmax_mlp.add(keras.layers.Dropout(rate=0.5))
softmax_mlp.add(keras.layers.Dense(units=10, activation="softmax", kernel_initializer="random_uniform"))
'''),
    dict(cell="ex1_softmax_mlp", why="no model name (the text does not ask for one), a loop for the repeated triple, the bounds as keywords",
         code=START + '''softmax_mlp = keras.Sequential()
softmax_mlp.add(keras.Input((20,)))
for _ in range(2):
    softmax_mlp.add(layers.Dense(64, kernel_initializer=keras.initializers.RandomUniform(minval=-0.05, maxval=0.05)))
    softmax_mlp.add(layers.Activation("tanh"))
    softmax_mlp.add(layers.Dropout(0.5))
softmax_mlp.add(layers.Dense(10, kernel_initializer=keras.initializers.RandomUniform(minval=-0.05, maxval=0.05)))
softmax_mlp.add(layers.Activation("softmax"))
'''),
    dict(cell="ex1_softmax_mlp", why="activation functions instead of their names, RandomUniform() whose default bounds are the seed's",
         code=START + '''softmax_mlp = keras.Sequential(name="softmax_mlp")
softmax_mlp.add(keras.Input(shape=(20,)))
softmax_mlp.add(layers.Dense(64, kernel_initializer=keras.initializers.RandomUniform()))
softmax_mlp.add(layers.Activation(keras.activations.tanh))
softmax_mlp.add(layers.Dropout(0.5))
softmax_mlp.add(layers.Dense(64, kernel_initializer=keras.initializers.RandomUniform()))
softmax_mlp.add(layers.Activation(keras.activations.tanh))
softmax_mlp.add(layers.Dropout(0.5))
softmax_mlp.add(layers.Dense(10, activation=keras.activations.softmax, kernel_initializer=keras.initializers.RandomUniform()))
'''),
    dict(cell="ex2_train", why="optimizer in a variable, x=/y= keywords, evaluate's loss kept",
         code='''keras.utils.set_random_seed(0)
optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
softmax_mlp.compile(optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
history = softmax_mlp.fit(x=softmax_x_train, y=softmax_y_train, batch_size=8, epochs=5,
                          verbose=0)
test_loss, test_accuracy = softmax_mlp.evaluate(softmax_x_test, softmax_y_test, verbose=0)
'''),
    dict(cell="ex2_train", why="the accuracy read from evaluate's dict",
         code='''keras.utils.set_random_seed(0)
softmax_mlp.compile(
    optimizer=keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
history = softmax_mlp.fit(softmax_x_train, softmax_y_train, epochs=5, batch_size=8, verbose=0)
scores = softmax_mlp.evaluate(softmax_x_test, softmax_y_test, verbose=0, return_dict=True)
test_accuracy = scores["accuracy"]
'''),
    dict(cell="ex2_train", why="the loss as a Keras loss object",
         code='''keras.utils.set_random_seed(0)
softmax_mlp.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    loss=keras.losses.CategoricalCrossentropy(),
    metrics=["accuracy"],
)
history = softmax_mlp.fit(softmax_x_train, softmax_y_train, epochs=5, batch_size=8, verbose=0)
test_accuracy = softmax_mlp.evaluate(softmax_x_test, softmax_y_test, verbose=0)[1]
'''),
    dict(cell="ex3_twin", why="other variable names, units=/rate= keywords",
         code=START + '''inputs = keras.Input(shape=(20,), name="features")
hidden = layers.Dense(units=64, activation="relu")(inputs)
hidden = layers.Dropout(rate=0.5)(hidden)
hidden = layers.Dense(units=64, activation="relu")(hidden)
hidden = layers.Dropout(rate=0.5)(hidden)
outputs = layers.Dense(units=1, activation="sigmoid", name="probability")(hidden)
twin = keras.Model(inputs=inputs, outputs=outputs, name="twin")
'''),
    dict(cell="ex3_twin", why="keras.layers prefix, no model name",
         code=START + '''features = keras.layers.Input((20,), name="features")
x = keras.layers.Dense(64, activation="relu")(features)
x = keras.layers.Dropout(0.5)(x)
x = keras.layers.Dense(64, activation="relu")(x)
x = keras.layers.Dropout(0.5)(x)
probability = keras.layers.Dense(1, activation="sigmoid", name="probability")(x)
twin = keras.Model(features, probability)
'''),
    dict(cell="ex4_reuser", why="Reshape instead of Flatten, inputs=/outputs= keywords, no model name",
         code=START + '''new_features = keras.Input(shape=(8, 8), name="new_features")
as_vectors = layers.Reshape((64,))(new_features)
reused_scores = trained_mlp(layers.Rescaling(scale=0.1)(as_vectors))
reuser = keras.Model(inputs=new_features, outputs=reused_scores)
'''),
    dict(cell="ex4_reuser", why="rescaled before flattening, keras.layers.Input with a positional shape",
         code=START + '''new_features = keras.layers.Input((8, 8), name="new_features")
rescaled = keras.layers.Rescaling(1 / 10)(new_features)
reused_scores = trained_mlp(keras.layers.Flatten()(rescaled))
reuser = keras.Model(new_features, reused_scores, name="reuser")
'''),
    dict(cell="ex5_churn", why="units= keywords, inputs=/outputs= keywords, other variable name",
         code=START + '''clicks = keras.Input(shape=(12,), name="clicks")
hidden = layers.Dense(units=16, activation="relu", name="hidden")(clicks)
churn = layers.Dense(units=1, activation="sigmoid", name="churn")(hidden)
churn_model = keras.Model(inputs=clicks, outputs=churn, name="churn_model")
'''),
    dict(cell="ex5_churn", why="the layer called directly, without the helper",
         code=START + '''clicks = keras.Input(shape=(12,), name="clicks")
x = layers.Dense(16, activation="relu", name="hidden")(clicks)
churn = layers.Dense(1, activation="sigmoid", name="churn")(x)
churn_model = keras.Model(clicks, churn, name="churn_model")
'''),
    dict(cell="ex5_churn", why="the helper returns its input with its output, the input named inside it",
         code=START + '''def hidden_block(width):
    block_input = keras.Input(shape=(12,), name="clicks")
    return block_input, layers.Dense(width, activation="relu", name="hidden")(block_input)

clicks, x = hidden_block(16)
churn = layers.Dense(1, activation="sigmoid", name="churn")(x)
churn_model = keras.Model(clicks, churn, name="churn_model")
'''),
    dict(cell="ex5_churn", why="layers kept in variables, no model name",
         code=START + '''hidden_layer = layers.Dense(16, activation="relu", name="hidden")
churn_layer = layers.Dense(1, activation="sigmoid", name="churn")
clicks = keras.Input((12,), name="clicks")
churn = churn_layer(hidden_layer(clicks))
churn_model = keras.Model(clicks, churn)
'''),
]

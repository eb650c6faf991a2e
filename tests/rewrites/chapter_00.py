"""Equivalent rewrites of chapter 00's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

REWRITES = [
    dict(cell="ex1_input", why="shape given positionally",
         code=START + 'inputs = keras.Input((8,), name="measurements")\n'),
    dict(cell="ex1_input", why="keras.layers.Input, shape as a list, the default dtype spelled out",
         code=START + 'inputs = keras.layers.Input(shape=[8], dtype="float32", name="measurements")\n'),
    dict(cell="ex2_scores", why="units= keyword, the layer kept in a variable first",
         code=START + 'dense = keras.layers.Dense(units=2, name="scores")\nscores = dense(inputs)\n'),
    dict(cell="ex2_scores", why="activation='linear' is the default, no activation",
         code=START + 'from keras import layers\n\nscores = layers.Dense(2, activation="linear", name="scores")(inputs)\n'),
    dict(cell="ex2_scores", why="activation=None is the default",
         code=START + 'scores = keras.layers.Dense(2, activation=None, name="scores")(inputs)\n'),
    dict(cell="ex3_model", why="inputs= and outputs= keywords",
         code=START + "model = keras.Model(inputs=inputs, outputs=scores)\n"),
    dict(cell="ex3_model", why="keras.models.Model is keras.Model",
         code=START + 'model = keras.models.Model(inputs, scores, name="model")\n'),
    dict(cell="ex4_predict", why="the batch in a variable first",
         code="batch = np.ones((5, 8))\npredictions = model.predict(batch, verbose=0)\n"),
    dict(cell="ex4_predict", why="x= keyword, shape= keyword, one batch of 5",
         code="predictions = model.predict(x=np.ones(shape=(5, 8)), batch_size=5, verbose=0)\n"),
]

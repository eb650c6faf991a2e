NB = "01-sequential-vs-functional/sequential_vs_functional.ipynb"
START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"


def sequential(*lines):
    body = "\n".join(f"softmax_mlp.add({line})" for line in lines)
    return START + 'softmax_mlp = keras.Sequential(name="softmax_mlp")\n' + body


INPUT = "keras.Input(shape=(20,))"
INIT = "kernel_initializer=keras.initializers.RandomUniform(-0.05, 0.05)"
HIDDEN = f"layers.Dense(64, {INIT})"
TANH = 'layers.Activation("tanh")'
DROP = "layers.Dropout(0.5)"
OUT = f"layers.Dense(10, {INIT})"
SOFTMAX = 'layers.Activation("softmax")'
COMPILE = (
    "keras.utils.set_random_seed(0)\n"
    "softmax_mlp.compile(\n"
    "    optimizer={optimizer},\n"
    '    loss="{loss}",\n'
    '    metrics=["accuracy"],\n'
    ")\n"
    "history = softmax_mlp.fit(softmax_x_train, softmax_y_train, epochs={epochs}, batch_size={batch}{fit_extra}, verbose=0)\n"
    "{evaluate}"
)


def train(optimizer=None, loss="categorical_crossentropy", epochs=5, batch=8, fit_extra="",
          evaluate=None, metric='"accuracy"'):
    code = COMPILE.format(optimizer=optimizer or SGD, loss=loss, epochs=epochs, batch=batch,
                          fit_extra=fit_extra, evaluate=evaluate or EVALUATE)
    return code.replace('metrics=["accuracy"]', f"metrics=[{metric}]")

SGD = "keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)"
EVALUATE = "_, test_accuracy = softmax_mlp.evaluate(softmax_x_test, softmax_y_test, verbose=0)"
TWIN = (
    START
    + 'features = keras.Input(shape=(20,), name="{input_name}")\n'
    'x = layers.Dense({units}, activation="relu")(features)\n'
    "{dropout1}"
    'x = layers.Dense({units}, activation="relu")(x)\n'
    "{dropout2}"
    'probability = layers.Dense(1, activation="sigmoid", name="probability")(x)\n'
    'twin = keras.Model(features, probability, name="twin")'
)
DROPOUT = "x = layers.Dropout(0.5)(x)\n"
REUSER = START + (
    'new_features = keras.Input(shape=(8, 8), name="new_features")\n'
    "flat_features = layers.Flatten()(new_features)\n"
    "rescaled = layers.Rescaling(0.1)(flat_features)\n"
    "reused_scores = {call}\n"
    'reuser = keras.Model(new_features, reused_scores, name="reuser")'
)
CHURN = START + (
    "{input_line}\n"
    "{hidden_line}\n"
    'churn = layers.Dense(1, activation="sigmoid", name="churn")({churn_source})\n'
    'churn_model = keras.Model(clicks, churn, name="churn_model")'
)
CLICKS = 'clicks = keras.Input(shape=(12,), name="clicks")'
HIDDEN_LINE = 'x = layers.Dense(16, activation="relu", name="hidden")(clicks)'


MISTAKES = [
    # Exercise 1: the seed's first MLP in Keras 3, with .add()
    dict(notebook=NB, cell="ex1_softmax_mlp", why="the Dropout layers left out",
         code=sequential(INPUT, HIDDEN, TANH, HIDDEN, TANH, OUT, SOFTMAX),
         fails={"ex1_softmax_mlp_layers": "0 Dropout layer(s)"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="a third Dropout added before the output",
         code=sequential(INPUT, HIDDEN, TANH, DROP, HIDDEN, TANH, DROP, DROP, OUT, SOFTMAX),
         fails={"ex1_softmax_mlp_layers": "3 Dropout layer(s)"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="hidden layers of 32 units",
         code=sequential(INPUT, HIDDEN.replace("64", "32"), TANH, DROP, HIDDEN.replace("64", "32"),
                         TANH, DROP, OUT, SOFTMAX),
         fails={"ex1_softmax_mlp_layers": "units 32",
                "ex1_softmax_mlp_params": "Not checked yet: an earlier check of exercise 1"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="no softmax on the output layer",
         code=sequential(INPUT, HIDDEN, TANH, DROP, HIDDEN, TANH, DROP, OUT),
         fails={"ex1_softmax_mlp_layers": "Expected 'softmax'"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="a sigmoid instead of the softmax",
         code=sequential(INPUT, HIDDEN, TANH, DROP, HIDDEN, TANH, DROP, OUT,
                         'layers.Activation("sigmoid")'),
         fails={"ex1_softmax_mlp_layers": "activation 'sigmoid'"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="ReLU (the seed's second example) instead of tanh",
         code=sequential(INPUT, HIDDEN, 'layers.Activation("relu")', DROP, HIDDEN,
                         'layers.Activation("relu")', DROP, OUT, SOFTMAX),
         fails={"ex1_softmax_mlp_layers": "activation 'relu'"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="the hidden layers without their tanh",
         code=sequential(INPUT, HIDDEN, DROP, HIDDEN, DROP, OUT, SOFTMAX),
         fails={"ex1_softmax_mlp_layers": "no activation (linear)"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="a dropout rate of 0.2",
         code=sequential(INPUT, HIDDEN, TANH, "layers.Dropout(0.2)", HIDDEN, TANH,
                         "layers.Dropout(0.2)", OUT, SOFTMAX),
         fails={"ex1_softmax_mlp_layers": "dropout rate 0.2"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="written in the functional style",
         code=START + "inputs = keras.Input(shape=(20,))\n"
         f'x = layers.Dropout(0.5)(layers.Dense(64, activation="tanh", {INIT})(inputs))\n'
         f'x = layers.Dropout(0.5)(layers.Dense(64, activation="tanh", {INIT})(x))\n'
         f'softmax_mlp = keras.Model(inputs, layers.Dense(10, activation="softmax", {INIT})(x))',
         fails={"ex1_softmax_mlp_layers": "Expected a keras.Sequential"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="a Dropout before the first Dense instead of after the second",
         code=sequential(INPUT, DROP, HIDDEN, TANH, DROP, HIDDEN, TANH, OUT, SOFTMAX),
         fails={"ex1_softmax_mlp_layers": "Expected the layers connected as the exercise describes"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="the seed's init='uniform' dropped (Keras's default initializer)",
         code=sequential(INPUT, "layers.Dense(64)", TANH, DROP, "layers.Dense(64)", TANH, DROP,
                         "layers.Dense(10)", SOFTMAX),
         fails={"ex1_softmax_mlp_layers": "starts its kernel with GlorotUniform. Expected RandomUniform(minval=-0.05, maxval=0.05)"}),
    dict(notebook=NB, cell="ex1_softmax_mlp", why="init='uniform' read as uniform between 0 and 1",
         code=sequential(INPUT, HIDDEN, TANH, DROP, HIDDEN, TANH, DROP, OUT, SOFTMAX)
         .replace("RandomUniform(-0.05, 0.05)", "RandomUniform(0.0, 1.0)"),
         fails={"ex1_softmax_mlp_layers": "RandomUniform(minval=0.0, maxval=1.0)"}),
    # Exercise 2: compile, fit, evaluate
    dict(notebook=NB, cell="ex2_train", why="optimizer given by name (rate 0.01, no momentum)",
         code=train(optimizer='"sgd"'),
         fails={"ex2_compiled_with_sgd": "Expected learning_rate=0.1"}),
    dict(notebook=NB, cell="ex2_train", why="momentum left out",
         code=train(optimizer=SGD.replace(", momentum=0.9", "")),
         fails={"ex2_compiled_with_sgd": "Expected momentum=0.9"}),
    dict(notebook=NB, cell="ex2_train", why="Nesterov momentum left out",
         code=train(optimizer=SGD.replace(", nesterov=True", "")),
         fails={"ex2_compiled_with_sgd": "Expected nesterov=True"}),
    dict(notebook=NB, cell="ex2_train", why="Adam instead of SGD",
         code=train(optimizer="keras.optimizers.Adam(learning_rate=0.01)"),
         fails={"ex2_compiled_with_sgd": "Expected it compiled with SGD"}),
    dict(notebook=NB, cell="ex2_train", why="binary cross-entropy for ten classes",
         code=train(loss="binary_crossentropy"),
         fails={"ex2_compiled_with_sgd": "'categorical_crossentropy'"}),
    dict(notebook=NB, cell="ex2_train", why="mean absolute error as the metric",
         code=train(metric='"mae"'),
         fails={"ex2_compiled_with_sgd": "Expected ['accuracy']",
                "ex2_test_accuracy": "not compiled with the metric 'accuracy'"}),
    dict(notebook=NB, cell="ex2_train", why="a single epoch",
         code=train(epochs=1),
         fails={"ex2_trained_and_evaluated": "Expected 5."}),
    dict(notebook=NB, cell="ex2_train", why="batches of 32 instead of 8",
         code=train(batch=32),
         fails={"ex2_trained_and_evaluated": "Expected batches of 8"}),
    dict(notebook=NB, cell="ex2_train", why="a validation split the exercise does not ask for",
         code=train(fit_extra=", validation_split=0.25"),
         fails={"ex2_trained_and_evaluated": "the exercise does not ask for validation data"}),
    dict(notebook=NB, cell="ex2_train", why="the loss kept instead of the accuracy",
         code=train(evaluate=EVALUATE.replace("_, test_accuracy", "test_accuracy, _")),
         fails={"ex2_test_accuracy": "evaluate returns the loss first, then each metric"}),
    dict(notebook=NB, cell="ex2_train", why="the quick start's learning rate of 0.01 instead of the seed's 0.1",
         code=train(optimizer=SGD.replace("0.1", "0.01")),
         fails={"ex2_compiled_with_sgd": "Expected learning_rate=0.1"}),
    # Exercise 3: the functional twin
    dict(notebook=NB, cell="ex3_twin", why="the Dropout layers left out",
         code=TWIN.format(input_name="features", units=64, dropout1="", dropout2=""),
         fails={"ex3_twin_structure": "0 Dropout layer(s)"}),
    dict(notebook=NB, cell="ex3_twin", why="hidden layers of 32 units",
         code=TWIN.format(input_name="features", units=32, dropout1=DROPOUT, dropout2=DROPOUT),
         fails={"ex3_twin_structure": "units 32"}),
    dict(notebook=NB, cell="ex3_twin", why="the hidden Dense layers without ReLU",
         code=TWIN.format(input_name="features", units=64, dropout1=DROPOUT,
                          dropout2=DROPOUT).replace('64, activation="relu"', "64"),
         fails={"ex3_twin_structure": "no activation (linear)"}),
    dict(notebook=NB, cell="ex3_twin", why="a softmax instead of the sigmoid",
         code=TWIN.format(input_name="features", units=64, dropout1=DROPOUT,
                          dropout2=DROPOUT).replace('"sigmoid"', '"softmax"'),
         fails={"ex3_twin_structure": "activation 'softmax'"}),
    dict(notebook=NB, cell="ex3_twin", why="a Sequential copy instead of a functional model",
         code=START + "twin = keras.Sequential([\n"
         '    keras.Input(shape=(20,), name="features"),\n'
         '    layers.Dense(64, activation="relu"), layers.Dropout(0.5),\n'
         '    layers.Dense(64, activation="relu"), layers.Dropout(0.5),\n'
         '    layers.Dense(1, activation="sigmoid", name="probability"),\n'
         "])",
         fails={"ex3_twin_structure": "Expected a functional model"}),
    dict(notebook=NB, cell="ex3_twin", why="the lesson model's layers reused",
         code=START + 'features = keras.Input(shape=(20,), name="features")\n'
         "x = features\n"
         "for layer in binary_reference.layers:\n"
         "    x = layer(x)\n"
         "twin = keras.Model(features, x)",
         fails={"ex3_twin_structure": "weights of `binary_reference`"}),
    dict(notebook=NB, cell="ex3_twin", why="the second Dropout applied to the wrong tensor",
         code=START + 'features = keras.Input(shape=(20,), name="features")\n'
         'x = layers.Dense(64, activation="relu")(features)\n'
         "x = layers.Dropout(0.5)(x)\n"
         'h = layers.Dense(64, activation="relu")(x)\n'
         "x = layers.Dropout(0.5)(x)\n"
         'probability = layers.Dense(1, activation="sigmoid", name="probability")(h)\n'
         'twin = keras.Model(features, probability, name="twin")',
         fails={"ex3_twin_structure": "1 Dropout layer(s)"}),
    dict(notebook=NB, cell="ex3_twin", why="input left unnamed",
         code=TWIN.format(input_name="features", units=64, dropout1=DROPOUT,
                          dropout2=DROPOUT).replace(', name="features"', ""),
         fails={"ex3_twin_names": "Expected 1 input(s) named ['features']"}),
    dict(notebook=NB, cell="ex3_twin", why="output layer left unnamed",
         code=TWIN.format(input_name="features", units=64, dropout1=DROPOUT,
                          dropout2=DROPOUT).replace(', name="probability"', ""),
         fails={"ex3_twin_names": "named ['probability']"}),
    # Exercise 4: reuse a trained model on 8x8 grids, ten times larger
    dict(notebook=NB, cell="ex4_reuser", why="a Dense instead of the trained sub-model",
         code=REUSER.format(call='layers.Dense(10, activation="softmax")(rescaled)'),
         fails={"ex4_reuser_calls_a_model": "0 Model layer(s)",
                "ex4_reuser_shares_weights": "different predictions"}),
    dict(notebook=NB, cell="ex4_reuser", why="a freshly built MLP instead of the trained one",
         code=REUSER.format(call="builders.build_functional_mlp()(rescaled)"),
         fails={"ex4_reuser_calls_a_model": "is not what calling `trained_mlp` returns",
                "ex4_reuser_shares_weights": "different predictions"}),
    dict(notebook=NB, cell="ex4_reuser", why="a clone of the trained model",
         code=REUSER.format(call="keras.models.clone_model(trained_mlp)(rescaled)"),
         fails={"ex4_reuser_calls_a_model": "is not what calling `trained_mlp` returns",
                "ex4_reuser_shares_weights": "different predictions"}),
    dict(notebook=NB, cell="ex4_reuser", why="a copy of the weights instead of the weights",
         code=REUSER.replace("reused_scores = {call}", "copy = builders.build_functional_mlp()\n"
                             "copy.set_weights(trained_mlp.get_weights())\n"
                             "reused_scores = copy(rescaled)"),
         fails={"ex4_reuser_shares_weights": "merely hold a copy"}),
    dict(notebook=NB, cell="ex4_reuser", why="the lesson model reused as the answer",
         code=REUSER.format(call="trained_mlp(rescaled)").replace(
             'reuser = keras.Model(new_features, reused_scores, name="reuser")', "reuser = trained_mlp"),
         fails={"ex4_reuser_calls_a_model": "is `trained_mlp` itself"}),
    dict(notebook=NB, cell="ex4_reuser", why="input left unnamed",
         code=REUSER.format(call="trained_mlp(rescaled)").replace(', name="new_features"', ""),
         fails={"ex4_reuser_calls_a_model": "named ['new_features']"}),
    dict(notebook=NB, cell="ex4_reuser", why="an input of 64 numbers, as in the lesson, instead of grids",
         code=REUSER.format(call="trained_mlp(rescaled)").replace("shape=(8, 8)", "shape=(64,)"),
         fails={"ex4_reuser_calls_a_model": "(None, 8, 8)",
                "ex4_reuser_shares_weights": "(None, 8, 8)"}),
    dict(notebook=NB, cell="ex4_reuser", why="the scale left as the sensor reports it",
         code=REUSER.format(call="trained_mlp(flat_features)"),
         fails={"ex4_reuser_shares_weights": "gives a grid other scores"}),
    dict(notebook=NB, cell="ex4_reuser", why="multiplied by 10 instead of divided",
         code=REUSER.format(call="trained_mlp(rescaled)").replace("Rescaling(0.1)", "Rescaling(10.0)"),
         fails={"ex4_reuser_shares_weights": "divide by 10"}),
    dict(notebook=NB, cell="ex4_reuser", why="the grid flattened column by column",
         code=REUSER.format(call="trained_mlp(rescaled)").replace(
             "layers.Flatten()(new_features)", "layers.Flatten()(layers.Permute((2, 1))(new_features))"),
         fails={"ex4_reuser_shares_weights": "lay each grid out row by row again"}),
    dict(notebook=NB, cell="ex4_reuser", why="the new model trained although the text says not to",
         code=REUSER.format(call="trained_mlp(rescaled)")
         + '\nreuser.compile(optimizer="rmsprop", loss="categorical_crossentropy")\n'
         "reuser.fit(10 * x_train.reshape(-1, 8, 8), y_train, epochs=1, verbose=0)",
         fails={"ex4_reuser_shares_weights": "Your answer trains `reuser`"}),
    # Exercise 5: fix a disconnected graph
    dict(notebook=NB, cell="ex5_churn", why="connected by wrapping a fresh unnamed input",
         code=CHURN.format(input_line='clicks = keras.Input(shape=(12,))',
                           hidden_line=HIDDEN_LINE, churn_source="x"),
         fails={"ex5_churn_model_io": "Expected 1 input(s) named ['clicks']"}),
    dict(notebook=NB, cell="ex5_churn", why="the hidden layer dropped to make the graph connect",
         code=CHURN.format(input_line=CLICKS, hidden_line="", churn_source="clicks"),
         fails={"ex5_churn_model_layers": "Expected 225"}),
    dict(notebook=NB, cell="ex5_churn", why="the hidden layer left unnamed",
         code=CHURN.format(input_line=CLICKS, hidden_line=HIDDEN_LINE.replace(', name="hidden"', ""),
                           churn_source="x"),
         fails={"ex5_churn_model_layers": "no layer named 'hidden'"}),
    dict(notebook=NB, cell="ex5_churn", why="the hidden layer without its ReLU",
         code=CHURN.format(input_line=CLICKS, hidden_line=HIDDEN_LINE.replace('activation="relu", ', ""),
                           churn_source="x"),
         fails={"ex5_churn_model_layers": "no activation (linear)"}),
    dict(notebook=NB, cell="ex5_churn", why="a softmax instead of the sigmoid",
         code=CHURN.format(input_line=CLICKS, hidden_line=HIDDEN_LINE, churn_source="x")
         .replace('"sigmoid"', '"softmax"'),
         fails={"ex5_churn_model_layers": "activation 'softmax'"}),
]

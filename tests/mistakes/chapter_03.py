from autograder.pipeline.demo import FOUNDATION_MISTAKES as FOUNDATION

NB = "03-multi-output/multi_output.ipynb"
HEAD = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

# Exercise 1: the book's genre-and-date model
TEXT = 'text = keras.Input(shape=(None,), dtype="int32", name="text")'
SHARED = "book_features = layers.LSTM(16)(layers.Embedding(1000, 16)(text))"
GENRE = 'genre = layers.Dense(5, activation="softmax", name="genre")(book_features)'
DATE = 'date = layers.Dense(1, name="date")(book_features)'
MODEL = 'book_model = keras.Model(text, [genre, date], name="book_model")'
BOOK_LOSSES = '{"genre": "categorical_crossentropy", "date": "mse"}'
BOOK_WEIGHTS = '{"genre": 1.0, "date": 0.1}'
BOOK_LINES = [TEXT, SHARED, GENRE, DATE, MODEL]


def book(compile_arguments=f'optimizer="rmsprop", loss={BOOK_LOSSES}, loss_weights={BOOK_WEIGHTS}',
         **replacements):
    """The right answer to exercise 1, with some lines replaced and the compile's arguments."""
    lines = [replacements.get(line, line) for line in BOOK_LINES]
    return HEAD + "\n".join(lines) + f"\nbook_model.compile({compile_arguments})"


# Exercise 2: weights from the sizes of the losses
BUILD = "social_model = builders.build_social_media_model()\n"
MEASURE = ('social_model.compile(optimizer="rmsprop", loss=social_losses)\n'
           "start_losses = losses.loss_breakdown(social_model, social_data.x, social_data.y).losses\n")
BALANCE = "balanced_weights = {output: 1.0 / loss for output, loss in start_losses.items()}\n"
FINAL = ('social_model.compile(optimizer="rmsprop", loss=social_losses, '
         "loss_weights=balanced_weights)")


def social(build=BUILD, measure=MEASURE, balance=BALANCE, final=FINAL):
    """The right answer to exercise 2 with some of its parts replaced."""
    return HEAD + build + measure + balance + final


# Exercise 3: the total by hand
PEOPLE = "people = data.make_social_media_data(num_samples=64, seed=1)\n"
PREDICT = "age_pred, income_pred, gender_pred = social_model.predict(people.x, verbose=0)\n"
AGE = 'age_loss = float(np.mean(keras.losses.mean_squared_error(people.y["age"], age_pred)))\n'
INCOME = ('income_loss = float(np.mean(keras.losses.categorical_crossentropy(people.y["income"], '
          'income_pred)))\n')
GENDER = ('gender_loss = float(np.mean(keras.losses.binary_crossentropy(people.y["gender"], '
          'gender_pred)))\n')
W = 'balanced_weights["{}"]'
TOTAL = (f"total_loss = {W.format('age')} * age_loss + {W.format('income')} * income_loss + "
         f"{W.format('gender')} * gender_loss")

# Exercise 4: the seed's compile, outputs in the other order
TRAINING = (HEAD + "training_data = data.make_headline_data(num_samples=132)\n"
            "headline_base = builders.build_headline_model()\n")
REORDERED = "seed_model = keras.Model(headline_base.inputs, headline_base.outputs[::-1])\n"
BCE2 = '["binary_crossentropy", "binary_crossentropy"]'
GOOD_SEED_COMPILE = f'seed_model.compile(optimizer="rmsprop", loss={BCE2}, loss_weights=[0.2, 1.0])\n'
FIT2 = ("seed_history = seed_model.fit(training_data.x, training_data.y, epochs=2, batch_size=32, "
        "verbose=0)")

MISTAKES = [
    # Exercise 1: the book's genre-and-date model
    FOUNDATION["loss weights swapped"],
    FOUNDATION["one loss for all outputs"],
    dict(notebook=NB, cell="ex1_headline_compile", why="categorical crossentropy for both heads, no weights",
         code=book('optimizer="rmsprop", loss="categorical_crossentropy"'),
         fails={"ex1_headline_losses": "with one loss, 'categorical_crossentropy', for all 2 outputs",
                "ex1_headline_loss_weights": "Not checked yet"}),
    dict(notebook=NB, cell="ex1_headline_compile",
         why="the seed's single loss with a list of weights (one loss for all outputs)",
         code=book('optimizer="rmsprop", loss="mse", loss_weights=[1.0, 0.1]'),
         fails={"ex1_headline_losses": "with one loss, 'mean_squared_error', for all 2 outputs",
                "ex1_headline_loss_weights": "Not checked yet"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="the two losses swapped between the heads",
         code=book(f'optimizer="rmsprop", loss={{"genre": "mse", "date": "categorical_crossentropy"}}, '
                   f"loss_weights={BOOK_WEIGHTS}"),
         fails={"ex1_headline_losses": "uses genre: 'mean_squared_error', date: 'categorical_crossentropy'"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="binary crossentropy for the five genres",
         code=book(f'optimizer="rmsprop", loss={{"genre": "binary_crossentropy", "date": "mse"}}, '
                   f"loss_weights={BOOK_WEIGHTS}"),
         fails={"ex1_headline_losses": "genre: 'binary_crossentropy'"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="a sigmoid on the genre head",
         code=book(**{GENRE: 'genre = layers.Dense(5, activation="sigmoid", name="genre")(book_features)'}),
         fails={"ex1_headline_losses": "uses the activation 'sigmoid'"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="a ReLU on the date head",
         code=book(**{DATE: 'date = layers.Dense(1, activation="relu", name="date")(book_features)'}),
         fails={"ex1_headline_losses": "The head 'date' of your `book_model` uses the activation 'relu'"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="4 genres instead of 5",
         code=book(**{GENRE: 'genre = layers.Dense(4, activation="softmax", name="genre")(book_features)'}),
         fails={"ex1_headline_losses": "(None, 4)"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="the heads in the other order",
         code=book(**{MODEL: 'book_model = keras.Model(text, [date, genre], name="book_model")'}),
         fails={"ex1_headline_fresh": "date"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="a GRU instead of the LSTM",
         code=book(**{SHARED: "book_features = layers.GRU(16)(layers.Embedding(1000, 16)(text))"}),
         fails={"ex1_headline_fresh": "Expected 18,214"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="the input named 'book' instead of 'text'",
         code=book(**{TEXT: 'text = keras.Input(shape=(None,), dtype="int32", name="book")'}),
         fails={"ex1_headline_fresh": "named ['text']"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="the word indices as floats",
         code=book(**{TEXT: 'text = keras.Input(shape=(None,), name="text")'}),
         fails={"ex1_headline_fresh": "has dtype 'float'. Expected 'int'"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="adam instead of the rmsprop asked for",
         code=book(f'optimizer="adam", loss={BOOK_LOSSES}, loss_weights={BOOK_WEIGHTS}'),
         fails={"ex1_headline_loss_weights": "Adam optimizer. Expected RMSprop"}),
    dict(notebook=NB, cell="ex1_headline_compile",
         why="RMSprop with a learning rate of its own, not the default the text asks for",
         code=book(f"optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss={BOOK_LOSSES}, "
                   f"loss_weights={BOOK_WEIGHTS}"),
         fails={"ex1_headline_loss_weights": "RMSprop(learning_rate=0.01"}),
    # Exercise 2: weights from the sizes of the losses
    dict(notebook=NB, cell="ex2_social_compile", why="the seed's weights kept instead of balanced ones",
         code=social(balance='balanced_weights = {"age": 0.25, "income": 1.0, "gender": 10.0}\n'),
         fails={"ex2_social_loss_weights": "gives age the weight 0.25"}),
    dict(notebook=NB, cell="ex2_social_compile", why="the losses themselves as weights, not 1 / loss",
         code=social(balance="balanced_weights = dict(start_losses)\n"),
         fails={"ex2_social_loss_weights": "Expected each weight times its output's starting loss to be 1"}),
    dict(notebook=NB, cell="ex2_social_compile", why="the balanced weights measured but never compiled in",
         code=social(final='social_model.compile(optimizer="rmsprop", loss=social_losses)'),
         fails={"ex2_social_loss_weights": "weights the losses age: 1, income: 1, gender: 1",
                "ex2_social_weighted_loss": "weights the losses age: 1, income: 1, gender: 1"}),
    dict(notebook=NB, cell="ex2_social_compile",
         why="a list of losses with a dict of weights (paired alphabetically by Keras)",
         code=social(final='social_model.compile(optimizer="rmsprop", loss=["mse", '
                           '"categorical_crossentropy", "binary_crossentropy"], '
                           "loss_weights=balanced_weights)"),
         fails={"ex2_social_losses": "as a list. Expected a dict keyed by the three output names",
                "ex2_social_loss_weights": "alphabetical order of the output names",
                "ex2_social_weighted_loss": "alphabetical order of the output names"}),
    dict(notebook=NB, cell="ex2_social_compile", why="both given as lists, not dicts",
         code=social(final='social_model.compile(optimizer="rmsprop", loss=["mse", '
                           '"categorical_crossentropy", "binary_crossentropy"], '
                           "loss_weights=list(balanced_weights.values()))"),
         fails={"ex2_social_losses": "as a list. Expected a dict",
                "ex2_social_loss_weights": "as a list. Expected a dict"}),
    dict(notebook=NB, cell="ex2_social_compile", why="one loss for all outputs",
         code=social(measure='social_model.compile(optimizer="rmsprop", loss="mse")\n'
                             "start_losses = losses.loss_breakdown(social_model, social_data.x, social_data.y).losses\n",
                     final='social_model.compile(optimizer="rmsprop", loss="mse", loss_weights=balanced_weights)'),
         fails={"ex2_social_losses": "with one loss, 'mean_squared_error', for all 3 outputs"}),
    dict(notebook=NB, cell="ex2_social_compile", why="the weights as a list",
         code=social(balance="balanced_weights = [1.0 / loss for loss in start_losses.values()]\n",
                     final='social_model.compile(optimizer="rmsprop", loss=social_losses)'),
         fails={"ex2_social_loss_weights": "Expected a dict with one weight for each output"}),
    dict(notebook=NB, cell="ex2_social_compile", why="adam instead of the rmsprop asked for",
         code=social(final='social_model.compile(optimizer="adam", loss=social_losses, '
                           "loss_weights=balanced_weights)"),
         fails={"ex2_social_loss_weights": "with Adam(learning_rate=0.001). Expected RMSprop"}),
    dict(notebook=NB, cell="ex2_social_compile", why="the lesson model reused instead of a fresh one",
         code=social(build="social_model = social\n"),
         fails={"ex2_social_fresh": "Your `social_model` is `social` itself"}),
    # Exercise 3: the total by hand
    dict(notebook=NB, cell="ex3_total_by_hand", why="losses added without their weights",
         code=PEOPLE + PREDICT + AGE + INCOME + GENDER
              + "total_loss = age_loss + income_loss + gender_loss",
         fails={"ex3_total_loss": "without their weights"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="loss weights swapped between age and gender",
         code=PEOPLE + PREDICT + AGE + INCOME + GENDER
              + f"total_loss = {W.format('gender')} * age_loss + {W.format('income')} * income_loss + "
                f"{W.format('age')} * gender_loss",
         fails={"ex3_total_loss": "the weights are on the wrong outputs"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="a wrong weight for gender (1 instead of its balanced weight)",
         code=PEOPLE + PREDICT + AGE + INCOME + GENDER
              + f"total_loss = {W.format('age')} * age_loss + {W.format('income')} * income_loss + "
                "1.0 * gender_loss",
         fails={"ex3_total_loss": "which is not the total Keras trains on"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="summed over the people instead of averaged",
         code=PEOPLE + PREDICT
              + 'age_loss = float(np.sum(keras.losses.mean_squared_error(people.y["age"], age_pred)))\n'
              + INCOME + GENDER + TOTAL,
         fails={"ex3_per_output_losses": "you added up the per-person losses",
                "ex3_total_loss": "your total follows from your three losses"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="per-person losses kept instead of their mean",
         code=PEOPLE + PREDICT
              + 'age_loss = keras.losses.mean_squared_error(people.y["age"], age_pred)\n'
              + INCOME + GENDER + TOTAL,
         fails={"ex3_per_output_losses": "of shape (64,). Expected a single number",
                "ex3_total_loss": "of shape (64,). Expected a single number"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="binary crossentropy for the income classes",
         code=PEOPLE + PREDICT + AGE
              + 'income_loss = float(np.mean(keras.losses.binary_crossentropy(people.y["income"], '
                'income_pred)))\n'
              + GENDER + TOTAL,
         fails={"ex3_per_output_losses": "another loss of the income predictions"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="targets and predictions swapped in the gender loss",
         code=PEOPLE + PREDICT + AGE + INCOME
              + 'gender_loss = float(np.mean(keras.losses.binary_crossentropy(gender_pred, '
                'people.y["gender"])))\n' + TOTAL,
         fails={"ex3_per_output_losses": "take the targets first, then the predictions"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="the age targets compared with the gender predictions",
         code=PEOPLE + PREDICT
              + 'age_loss = float(np.mean(keras.losses.mean_squared_error(people.y["age"], gender_pred)))\n'
              + INCOME + GENDER + TOTAL,
         fails={"ex3_per_output_losses": "with the predictions of another output"}),
    # Exercise 4: the seed's compile, outputs in the other order
    dict(notebook=NB, cell="ex4_fix_seed", why="the lesson's list of weights copied: weights swapped by the new order",
         code=TRAINING + REORDERED + f'seed_model.compile(optimizer="rmsprop", loss={BCE2}, '
              "loss_weights=[1.0, 0.2])\n" + FIT2,
         fails={"ex4_seed_loss_weights": "weights the losses aux_output: 1, main_output: 0.2",
                "ex4_seed_model_trained": "check which weight goes with which output"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="the seed's compile kept: fit raises ValueError",
         code=TRAINING + REORDERED + 'seed_model.compile(optimizer="rmsprop", loss="binary_crossentropy", '
              "loss_weights=[0.2, 1.0])\n" + FIT2,
         # fit raises, so the cell stops before `seed_history`: the student reads that it is
         # not defined and that the cell stopped on an error.
         fails={"ex4_seed_loss_weights": "with one loss, 'binary_crossentropy', and 2 loss weights",
                "ex4_seed_model_trained": "`seed_history` is not defined"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="weights dropped to make fit work",
         code=TRAINING + REORDERED + 'seed_model.compile(optimizer="rmsprop", loss="binary_crossentropy")\n'
              + FIT2,
         fails={"ex4_seed_loss_weights": "weights the losses aux_output: 1, main_output: 1"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="dicts instead of the seed's lists the text keeps",
         code=TRAINING + REORDERED + 'seed_model.compile(optimizer="rmsprop", '
              'loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"}, '
              'loss_weights={"main_output": 1.0, "aux_output": 0.2})\n' + FIT2,
         fails={"ex4_seed_loss_weights": "as a dict. Expected a list"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="the outputs left in the builder's order",
         code=TRAINING + "seed_model = headline_base\n"
              + f'seed_model.compile(optimizer="rmsprop", loss={BCE2}, loss_weights=[1.0, 0.2])\n' + FIT2,
         fails={"ex4_seed_fresh": "in the order ['main_output', 'aux_output']"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="trained for one epoch",
         code=TRAINING + REORDERED + GOOD_SEED_COMPILE + FIT2.replace("epochs=2", "epochs=1"),
         fails={"ex4_seed_model_trained": "records 1 epoch(s). Expected 2"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="batches of 64 instead of 32",
         code=TRAINING + REORDERED + GOOD_SEED_COMPILE + FIT2.replace("batch_size=32", "batch_size=64"),
         fails={"ex4_seed_model_trained": "Expected batches of 32"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="a validation split the text does not ask for",
         code=TRAINING + REORDERED + GOOD_SEED_COMPILE
              + FIT2.replace("verbose=0", "validation_split=0.25, verbose=0"),
         fails={"ex4_seed_model_trained": "has validation losses"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="adam instead of the seed's rmsprop",
         code=TRAINING + REORDERED + GOOD_SEED_COMPILE.replace('optimizer="rmsprop"', 'optimizer="adam"') + FIT2,
         fails={"ex4_seed_loss_weights": "Adam optimizer. Expected RMSprop"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="the lesson model reused instead of a fresh one",
         code=TRAINING + "seed_model = seed_style\n" + GOOD_SEED_COMPILE + FIT2,
         fails={"ex4_seed_fresh": "Your `seed_model` is `seed_style` itself"}),
]

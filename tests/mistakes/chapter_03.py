from autograder.pipeline.demo import FOUNDATION_MISTAKES as FOUNDATION

NB = "03-multi-output/multi_output.ipynb"
HEAD = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
BCE2 = '{"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"}'
W12 = '{"main_output": 1.0, "aux_output": 0.2}'
SOCIAL_LOSSES = '{"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"}'
SOCIAL_WEIGHTS = '{"age": 0.25, "income": 1.0, "gender": 10.0}'
PEOPLE = "people = data.make_social_media_data(num_samples=64, seed=1)\n"
PREDICT = "age_pred, income_pred, gender_pred = social_model.predict(people.x, verbose=0)\n"
AGE = 'age_loss = float(np.mean(keras.losses.mean_squared_error(people.y["age"], age_pred)))\n'
INCOME = ('income_loss = float(np.mean(keras.losses.categorical_crossentropy(people.y["income"], '
          'income_pred)))\n')
GENDER = ('gender_loss = float(np.mean(keras.losses.binary_crossentropy(people.y["gender"], '
          'gender_pred)))\n')
TOTAL = "total_loss = 0.25 * age_loss + 1.0 * income_loss + 10.0 * gender_loss"
TRAINING = (HEAD + "training_data = data.make_headline_data(num_samples=528)\n"
            "seed_model = builders.build_headline_model()\n")
GOOD_SEED_COMPILE = f'seed_model.compile(optimizer="rmsprop", loss={BCE2}, loss_weights={W12})\n'
FIT2 = ("seed_history = seed_model.fit(training_data.x, training_data.y, epochs=2, batch_size=32, "
        "verbose=0)")


def headline_compile(arguments):
    return (HEAD + "headline_model = builders.build_headline_model()\n"
            f"headline_model.compile({arguments})")


def social_compile(arguments, model="builders.build_social_media_model()"):
    return HEAD + f"social_model = {model}\nsocial_model.compile({arguments})"


SWAPPED = FOUNDATION["loss weights swapped"]
ONE_LOSS = FOUNDATION["one loss for all outputs"]

MISTAKES = [
    # Exercise 1: the headline model
    SWAPPED,
    dict(notebook=NB, cell="ex1_headline_compile",
         why="the seed's single loss with a list of weights (one loss for all outputs)",
         code=headline_compile('optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2]'),
         fails={"ex1_headline_loss_weights": "with one loss, 'binary_crossentropy', and 2 loss weights",
                "ex1_headline_weighted_loss": "with one loss, 'binary_crossentropy', and 2 loss "
                                              "weights"}),
    ONE_LOSS,
    dict(notebook=NB, cell="ex1_headline_compile", why="mse on the auxiliary output",
         code=headline_compile('optimizer="rmsprop", loss=["binary_crossentropy", "mse"], '
                               "loss_weights=[1.0, 0.2]"),
         fails={"ex1_headline_losses": "uses aux_output: 'mean_squared_error'"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="adam instead of the rmsprop asked for",
         code=headline_compile(f'optimizer="adam", loss={BCE2}, loss_weights={W12}'),
         fails={"ex1_headline_loss_weights": "Adam optimizer. Expected RMSprop"}),
    dict(notebook=NB, cell="ex1_headline_compile",
         why="RMSprop with a learning rate of its own, not the default the text asks for",
         code=headline_compile(f"optimizer=keras.optimizers.RMSprop(learning_rate=0.01), "
                               f"loss={BCE2}, loss_weights={W12}"),
         fails={"ex1_headline_loss_weights": "RMSprop(learning_rate=0.01"}),
    dict(notebook=NB, cell="ex1_headline_compile", why="the lesson model reused instead of a fresh one",
         code=HEAD + "headline_model = headline\n"
              f'headline_model.compile(optimizer="rmsprop", loss={BCE2}, loss_weights={W12})',
         fails={"ex1_headline_fresh": "Your `headline_model` is `headline` itself"}),
    # Exercise 2: the social-media model with dicts
    dict(notebook=NB, cell="ex2_social_compile", why="one loss for all outputs",
         code=social_compile(f'optimizer="rmsprop", loss="mse", loss_weights={SOCIAL_WEIGHTS}'),
         fails={"ex2_social_losses": "with one loss, 'mean_squared_error', for all 3 outputs",
                "ex2_social_loss_weights": "with one loss, 'mean_squared_error'",
                "ex2_social_weighted_loss": "with one loss, 'mean_squared_error'"}),
    dict(notebook=NB, cell="ex2_social_compile",
         why="a list of losses with a dict of weights (paired alphabetically by Keras)",
         code=social_compile('optimizer="rmsprop", loss=["mse", "categorical_crossentropy", '
                             f'"binary_crossentropy"], loss_weights={SOCIAL_WEIGHTS}'),
         fails={"ex2_social_losses": "as a list. Expected a dict keyed by the three output names",
                "ex2_social_loss_weights": "alphabetical order of the output names",
                "ex2_social_weighted_loss": "alphabetical order of the output names"}),
    dict(notebook=NB, cell="ex2_social_compile", why="age and gender weights swapped",
         code=social_compile(f'optimizer="rmsprop", loss={SOCIAL_LOSSES}, '
                             'loss_weights={"age": 10.0, "income": 1.0, "gender": 0.25}'),
         fails={"ex2_social_loss_weights": "weights the losses age: 10, income: 1, gender: 0.25",
                "ex2_social_weighted_loss": "weights the losses age: 10, income: 1, gender: 0.25"}),
    dict(notebook=NB, cell="ex2_social_compile", why="income and gender losses swapped",
         code=social_compile('optimizer="rmsprop", loss={"age": "mse", '
                             '"income": "binary_crossentropy", "gender": "categorical_crossentropy"}, '
                             f"loss_weights={SOCIAL_WEIGHTS}"),
         fails={"ex2_social_losses": "uses income: 'binary_crossentropy', gender: "
                                     "'categorical_crossentropy'"}),
    dict(notebook=NB, cell="ex2_social_compile", why="both given as lists, not dicts",
         code=social_compile('optimizer="rmsprop", loss=["mse", "categorical_crossentropy", '
                             '"binary_crossentropy"], loss_weights=[0.25, 1.0, 10.0]'),
         fails={"ex2_social_losses": "as a list. Expected a dict",
                "ex2_social_loss_weights": "as a list. Expected a dict"}),
    dict(notebook=NB, cell="ex2_social_compile", why="adam instead of the rmsprop asked for",
         code=social_compile(f'optimizer="adam", loss={SOCIAL_LOSSES}, loss_weights={SOCIAL_WEIGHTS}'),
         fails={"ex2_social_loss_weights": "Adam optimizer. Expected RMSprop"}),
    dict(notebook=NB, cell="ex2_social_compile", why="the lesson model reused instead of a fresh one",
         code=social_compile(f'optimizer="rmsprop", loss={SOCIAL_LOSSES}, loss_weights={SOCIAL_WEIGHTS}',
                             model="social"),
         fails={"ex2_social_fresh": "Your `social_model` is `social` itself"}),
    # Exercise 3: the total by hand
    dict(notebook=NB, cell="ex3_total_by_hand", why="losses added without their weights",
         code=PEOPLE + PREDICT + AGE + INCOME + GENDER
              + "total_loss = age_loss + income_loss + gender_loss",
         fails={"ex3_total_loss": "without their weights"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="loss weights swapped between age and gender",
         code=PEOPLE + PREDICT + AGE + INCOME + GENDER
              + "total_loss = 10.0 * age_loss + 1.0 * income_loss + 0.25 * gender_loss",
         fails={"ex3_total_loss": "the weights are on the wrong outputs"}),
    dict(notebook=NB, cell="ex3_total_by_hand", why="a wrong weight for gender (1 instead of 10)",
         code=PEOPLE + PREDICT + AGE + INCOME + GENDER
              + "total_loss = 0.25 * age_loss + 1.0 * income_loss + 1.0 * gender_loss",
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
    # Exercise 4: fix the seed
    dict(notebook=NB, cell="ex4_fix_seed", why="the seed's compile kept: fit raises ValueError",
         code=TRAINING + 'seed_model.compile(optimizer="rmsprop", loss="binary_crossentropy", '
              "loss_weights=[1.0, 0.2])\n" + FIT2,
         fails={"ex4_seed_loss_weights": "with one loss, 'binary_crossentropy', and 2 loss weights",
                "ex4_seed_model_trained": "does not come from training your `seed_model`"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="weights dropped to make fit work",
         code=TRAINING + 'seed_model.compile(optimizer="rmsprop", loss="binary_crossentropy")\n'
              + FIT2,
         fails={"ex4_seed_loss_weights": "weights the losses main_output: 1, aux_output: 1"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="trained for one epoch",
         code=TRAINING + GOOD_SEED_COMPILE + FIT2.replace("epochs=2", "epochs=1"),
         fails={"ex4_seed_model_trained": "records 1 epoch(s). Expected 2"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="batches of 64 instead of 32",
         code=TRAINING + GOOD_SEED_COMPILE + FIT2.replace("batch_size=32", "batch_size=64"),
         fails={"ex4_seed_model_trained": "Expected batches of 32"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="a validation split the text does not ask for",
         code=TRAINING + GOOD_SEED_COMPILE + FIT2.replace("verbose=0", "validation_split=0.2, verbose=0"),
         fails={"ex4_seed_model_trained": "has validation losses"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="adam instead of the seed's rmsprop",
         code=TRAINING + GOOD_SEED_COMPILE.replace('optimizer="rmsprop"', 'optimizer="adam"') + FIT2,
         fails={"ex4_seed_loss_weights": "Adam optimizer. Expected RMSprop"}),
    dict(notebook=NB, cell="ex4_fix_seed", why="the lesson model reused instead of a fresh one",
         code=TRAINING.replace("seed_model = builders.build_headline_model()", "seed_model = seed_style")
              + GOOD_SEED_COMPILE + FIT2,
         fails={"ex4_seed_fresh": "Your `seed_model` is `seed_style` itself"}),
]

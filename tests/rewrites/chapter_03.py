"""Equivalent rewrites of chapter 03's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
PEOPLE = "people = data.make_social_media_data(num_samples=64, seed=1)\n"
PRINT = '''print(f"age {age_loss:.4f}, income {income_loss:.4f}, gender {gender_loss:.4f}, "
      f"total {total_loss:.4f}")
'''
TRAINING = (START + "training_data = data.make_headline_data(num_samples=132)\n"
            "headline_base = builders.build_headline_model()\n")

REWRITES = [
    dict(cell="ex1_headline_compile", why="lists in the order of the outputs (the text allows lists), layers one per line",
         code=START + '''text = keras.Input(shape=(None,), dtype="int32", name="text")
embedded = layers.Embedding(1000, 16)(text)
features = layers.LSTM(16)(embedded)
genre = layers.Dense(5, activation="softmax", name="genre")(features)
date = layers.Dense(1, name="date")(features)
book_model = keras.Model(inputs=text, outputs=[genre, date])
book_model.compile(optimizer="rmsprop", loss=["categorical_crossentropy", "mse"],
                   loss_weights=[1.0, 0.1])
'''),
    dict(cell="ex1_headline_compile", why="dicts in the other key order, Keras loss objects, a Softmax layer, 'mean_squared_error' spelled out",
         code=START + '''text = keras.Input((None,), dtype="int32", name="text")
shared = layers.LSTM(units=16)(layers.Embedding(input_dim=1000, output_dim=16)(text))
genre = layers.Activation("softmax", name="genre")(layers.Dense(5)(shared))
date = layers.Dense(1, activation="linear", name="date")(shared)
book_model = keras.Model(text, [genre, date], name="novels")
book_model.compile(
    optimizer=keras.optimizers.RMSprop(),
    loss={"date": keras.losses.MeanSquaredError(), "genre": keras.losses.CategoricalCrossentropy()},
    loss_weights={"date": 0.1, "genre": 1},
)
'''),
    dict(cell="ex2_social_compile", why="the losses read off an evaluate in one batch, the dict spelled out, dicts in another key order",
         code=START + '''social_model = builders.build_social_media_model()
task_losses = {"gender": "binary_crossentropy", "age": "mean_squared_error",
               "income": "categorical_crossentropy"}
social_model.compile(optimizer="rmsprop", loss=task_losses)
measured = social_model.evaluate(social_data.x, social_data.y, batch_size=256, return_dict=True,
                                 verbose=0)
balanced_weights = {"age": 1 / measured["age_loss"], "income": 1 / measured["income_loss"],
                    "gender": 1 / measured["gender_loss"]}
social_model.compile(optimizer="rmsprop", loss=task_losses, loss_weights=balanced_weights)
'''),
    dict(cell="ex2_social_compile", why="RMSprop() objects, weights rounded to 3 significant digits (the text allows it)",
         code=START + '''social_model = builders.build_social_media_model()
social_model.compile(optimizer=keras.optimizers.RMSprop(), loss=social_losses)
breakdown = losses.loss_breakdown(social_model, social_data.x, social_data.y)
balanced_weights = {name: float(f"{1 / value:.3g}") for name, value in breakdown.losses.items()}
social_model.compile(optimizer=keras.optimizers.RMSprop(), loss=dict(social_losses),
                     loss_weights=balanced_weights)
'''),
    dict(cell="ex3_total_by_hand", why="predictions looked up by output name, NumPy scalars, the total as a sum over outputs",
         code=PEOPLE + '''predictions = dict(zip(social_model.output_names, social_model.predict(people.x, verbose=0)))
age_loss = np.mean(keras.losses.mean_squared_error(people.y["age"], predictions["age"]))
income_loss = np.mean(keras.losses.categorical_crossentropy(people.y["income"],
                                                            predictions["income"]))
gender_loss = np.mean(keras.losses.binary_crossentropy(people.y["gender"],
                                                       predictions["gender"]))
per_output = {"age": age_loss, "income": income_loss, "gender": gender_loss}
total_loss = sum(balanced_weights[name] * per_output[name] for name in per_output)
''' + PRINT),
    dict(cell="ex3_total_by_hand", why="indexing the list of predictions, the weights zipped in output order",
         code=PEOPLE + '''outputs = social_model.predict(people.x, verbose=0)
targets = [people.y["age"], people.y["income"], people.y["gender"]]
functions = [keras.losses.mean_squared_error, keras.losses.categorical_crossentropy,
             keras.losses.binary_crossentropy]
age_loss, income_loss, gender_loss = (
    float(np.mean(function(target, output)))
    for function, target, output in zip(functions, targets, outputs)
)
weights = [balanced_weights[name] for name in social_model.output_names]
total_loss = sum(weight * loss for weight, loss in
                 zip(weights, [age_loss, income_loss, gender_loss]))
''' + PRINT),
    dict(cell="ex4_fix_seed", why="the outputs reversed by hand, fit's keywords in another order",
         code=TRAINING + '''main, auxiliary = headline_base.outputs
seed_model = keras.Model(inputs=headline_base.inputs, outputs=[auxiliary, main])
seed_model.compile(optimizer="rmsprop",
                   loss=["binary_crossentropy", "binary_crossentropy"],
                   loss_weights=[0.2, 1.0])
seed_history = seed_model.fit(training_data.x, training_data.y, batch_size=32, epochs=2,
                              verbose=0)
'''),
    dict(cell="ex4_fix_seed", why="the list of losses written as a product, weights read off output_names, x=/y= keywords",
         code=TRAINING + '''seed_model = keras.Model(headline_base.inputs, headline_base.outputs[::-1])
weight_of = {"main_output": 1.0, "aux_output": 0.2}
seed_model.compile(optimizer=keras.optimizers.RMSprop(), loss=["binary_crossentropy"] * 2,
                   loss_weights=[weight_of[name] for name in seed_model.output_names])
seed_history = seed_model.fit(x=training_data.x, y=training_data.y, epochs=2, batch_size=32,
                              verbose=0)
'''),
]

"""Equivalent rewrites of chapter 03's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
PEOPLE = "people = data.make_social_media_data(num_samples=64, seed=1)\n"
PRINT = '''print(f"age {age_loss:.4f}, income {income_loss:.4f}, gender {gender_loss:.4f}, "
      f"total {total_loss:.4f}")
'''
TRAINING = START + "training_data = data.make_headline_data()\n"

REWRITES = [
    dict(cell="ex1_headline_compile", why="lists in the order of output_names (the text allows lists)",
         code=START + '''headline_model = builders.build_headline_model()
headline_model.compile(optimizer="rmsprop",
                       loss=["binary_crossentropy", "binary_crossentropy"],
                       loss_weights=[1.0, 0.2])
'''),
    dict(cell="ex1_headline_compile", why="dicts in the other key order, an int weight",
         code=START + '''headline_model = builders.build_headline_model()
headline_model.compile(
    optimizer="rmsprop",
    loss={"aux_output": "binary_crossentropy", "main_output": "binary_crossentropy"},
    loss_weights={"aux_output": 0.2, "main_output": 1},
)
'''),
    dict(cell="ex1_headline_compile", why="Keras loss objects for binary crossentropy",
         code=START + '''headline_model = builders.build_headline_model()
headline_model.compile(
    optimizer="rmsprop",
    loss={"main_output": keras.losses.BinaryCrossentropy(),
          "aux_output": keras.losses.BinaryCrossentropy()},
    loss_weights={"main_output": 1.0, "aux_output": 0.2},
)
'''),
    dict(cell="ex2_social_compile", why="dicts in another key order, 'mean_squared_error' spelled out",
         code=START + '''social_model = builders.build_social_media_model()
social_model.compile(
    optimizer="rmsprop",
    loss={"gender": "binary_crossentropy", "age": "mean_squared_error",
          "income": "categorical_crossentropy"},
    loss_weights={"income": 1.0, "gender": 10.0, "age": 0.25},
)
'''),
    dict(cell="ex2_social_compile", why="dict() constructors, RMSprop() with its defaults",
         code=START + '''social_model = builders.build_social_media_model()
losses_per_output = dict(age="mse", income="categorical_crossentropy", gender="binary_crossentropy")
weights_per_output = dict(age=0.25, income=1.0, gender=10.0)
social_model.compile(optimizer=keras.optimizers.RMSprop(), loss=losses_per_output,
                     loss_weights=weights_per_output)
'''),
    dict(cell="ex3_total_by_hand", why="predictions looked up by output name, NumPy scalars",
         code=PEOPLE + '''predictions = dict(zip(social_model.output_names, social_model.predict(people.x, verbose=0)))
age_loss = np.mean(keras.losses.mean_squared_error(people.y["age"], predictions["age"]))
income_loss = np.mean(keras.losses.categorical_crossentropy(people.y["income"],
                                                            predictions["income"]))
gender_loss = np.mean(keras.losses.binary_crossentropy(people.y["gender"],
                                                       predictions["gender"]))
total_loss = 0.25 * age_loss + income_loss + 10 * gender_loss
''' + PRINT),
    dict(cell="ex3_total_by_hand", why="indexing the list of predictions, the total as a weighted sum",
         code=PEOPLE + '''outputs = social_model.predict(people.x, verbose=0)
targets = [people.y["age"], people.y["income"], people.y["gender"]]
functions = [keras.losses.mean_squared_error, keras.losses.categorical_crossentropy,
             keras.losses.binary_crossentropy]
age_loss, income_loss, gender_loss = (
    float(np.mean(function(target, output)))
    for function, target, output in zip(functions, targets, outputs)
)
total_loss = sum(weight * loss for weight, loss in
                 zip([0.25, 1.0, 10.0], [age_loss, income_loss, gender_loss]))
''' + PRINT),
    dict(cell="ex4_fix_seed", why="dicts keyed by output name, fit's keywords in another order",
         code=TRAINING + '''seed_model = builders.build_headline_model()
seed_model.compile(optimizer="rmsprop",
                   loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"},
                   loss_weights={"main_output": 1.0, "aux_output": 0.2})
seed_history = seed_model.fit(training_data.x, training_data.y, batch_size=32, epochs=2,
                              verbose=0)
'''),
    dict(cell="ex4_fix_seed", why="the list of losses written as a product, x=/y= keywords",
         code=TRAINING + '''seed_model = builders.build_headline_model()
seed_model.compile(optimizer="rmsprop", loss=["binary_crossentropy"] * 2, loss_weights=[1., .2])
seed_history = seed_model.fit(x=training_data.x, y=training_data.y, epochs=2, batch_size=32,
                              verbose=0)
'''),
]

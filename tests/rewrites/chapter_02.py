"""Equivalent rewrites of chapter 02's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

REWRITES = [
    dict(cell="ex1_price_model", why="district branch built first, Concatenate layer, keyword Model",
         code=START + '''district = keras.Input(shape=(1,), dtype="int32", name="district")
encoded_district = layers.Flatten()(layers.Embedding(20, 4)(district))

readings = keras.Input(shape=(None, 3), name="readings")
encoded_readings = layers.LSTM(8)(readings)

merged = layers.Concatenate(axis=-1)([encoded_readings, encoded_district])
price = layers.Dense(1, name="price")(merged)
price_model = keras.Model(inputs=[readings, district], outputs=price, name="price_model")
'''),
    dict(cell="ex1_price_model", why="keywords, default concatenation axis, activation='linear', float32 spelled out, no model name",
         code=START + '''readings = keras.Input(shape=[None, 3], dtype="float32", name="readings")
encoded_readings = layers.LSTM(units=8)(readings)
district = keras.Input((1,), dtype="int32", name="district")
encoded_district = layers.Flatten()(layers.Embedding(input_dim=20, output_dim=4)(district))
merged = layers.concatenate([encoded_readings, encoded_district])
price = layers.Dense(1, activation="linear", name="price")(merged)
price_model = keras.Model([readings, district], price)
'''),
    dict(cell="ex2_train_dict", why="dict() constructors, positional optimizer and loss, x=/y= keywords, 0:96 and 96:128 slices",
         code=START + '''qa_dict_model = builders.build_question_answering_model()
train_inputs = dict(text=texts[0:96], question=questions[0:96])
validation_inputs = dict(text=texts[96:128], question=questions[96:128])
qa_dict_model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
dict_fit_history = qa_dict_model.fit(x=train_inputs, y=answers[:96], batch_size=8, epochs=2,
                                     validation_data=(validation_inputs, answers[-32:]), verbose=0)
'''),
    dict(cell="ex2_train_dict", why="dicts built from the model's input names, in the other key order, negative slices",
         code=START + '''qa_dict_model = builders.build_question_answering_model()
arrays = {"question": questions, "text": texts}
train_inputs = {name: arrays[name][:-32] for name in ("question", "text")}
validation_inputs = {name: arrays[name][-32:] for name in ("question", "text")}
qa_dict_model.compile(
    optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"],
)
dict_fit_history = qa_dict_model.fit(train_inputs, answers[:-32], epochs=2, batch_size=8,
                                     validation_data=(validation_inputs, answers[-32:]), verbose=0)
'''),
    dict(cell="ex2_train_dict", why="RMSprop() object with its defaults is the 'rmsprop' optimizer",
         code=START + '''qa_dict_model = builders.build_question_answering_model()
train_inputs = {"text": texts[:96], "question": questions[:96]}
validation_inputs = {"text": texts[96:], "question": questions[96:]}
qa_dict_model.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy",
                      metrics=["accuracy"])
dict_fit_history = qa_dict_model.fit(train_inputs, answers[:96], epochs=2, batch_size=8,
                                     validation_data=(validation_inputs, answers[96:]), verbose=0)
'''),
    dict(cell="ex3_list_vs_dict", why="the list written out in the order of garment_model.inputs, the dict by hand",
         code='''list_predictions = garment_model.predict(
    [garment_inputs["metadata"][:8], garment_inputs["description"][:8], garment_inputs["photo"][:8]],
    verbose=0)
dict_predictions = garment_model.predict({"photo": garment_inputs["photo"][:8],
                                          "description": garment_inputs["description"][:8],
                                          "metadata": garment_inputs["metadata"][:8]}, verbose=0)
'''),
    dict(cell="ex3_list_vs_dict", why="x= keyword, 0:8 slices, the input names read from the model",
         code='''names = [tensor.name for tensor in garment_model.inputs]
list_predictions = garment_model.predict(x=[garment_inputs[name][0:8] for name in names], verbose=0)
dict_predictions = garment_model.predict(x={name: garment_inputs[name][0:8] for name in names},
                                         verbose=0)
'''),
]

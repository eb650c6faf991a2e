"""Equivalent rewrites of chapter 02's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

REWRITES = [
    dict(cell="ex1_price_model", why="metadata branch built first, Concatenate layer, keyword Model",
         code=START + '''metadata = keras.Input(shape=(6,), name="metadata")
encoded_metadata = layers.Dense(8, activation="relu")(metadata)

description = keras.Input(shape=(None,), dtype="int32", name="description")
embedded_description = layers.Embedding(500, 16)(description)
encoded_description = layers.LSTM(16)(embedded_description)

merged = layers.Concatenate(axis=-1)([encoded_description, encoded_metadata])
price = layers.Dense(1, name="price")(merged)
price_model = keras.Model(inputs=[description, metadata], outputs=price, name="price_model")
'''),
    dict(cell="ex1_price_model", why="keywords, default concatenation axis, activation='linear', no model name",
         code=START + '''description = keras.Input(shape=[None], dtype="int32", name="description")
encoded_description = layers.LSTM(units=16)(
    layers.Embedding(input_dim=500, output_dim=16)(description))
metadata = keras.Input((6,), name="metadata")
encoded_metadata = layers.Dense(units=8, activation="relu")(metadata)
merged = layers.concatenate([encoded_description, encoded_metadata])
price = layers.Dense(1, activation="linear", name="price")(merged)
price_model = keras.Model([description, metadata], price)
'''),
    dict(cell="ex2_train_dict", why="dict() constructor, positional optimizer and loss, x=/y= keywords",
         code=START + '''qa_dict_model = builders.build_question_answering_model()
train_inputs = dict(text=texts, question=questions)
qa_dict_model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
dict_fit_history = qa_dict_model.fit(x=train_inputs, y=answers, batch_size=8, epochs=2,
                                     verbose=0)
'''),
    dict(cell="ex2_train_dict", why="the dict in the other key order",
         code=START + '''qa_dict_model = builders.build_question_answering_model()
train_inputs = {"question": questions, "text": texts}
qa_dict_model.compile(
    optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"],
)
dict_fit_history = qa_dict_model.fit(train_inputs, answers, epochs=2, batch_size=8, verbose=0)
'''),
    dict(cell="ex2_train_dict", why="RMSprop() object with its defaults is the 'rmsprop' optimizer",
         code=START + '''qa_dict_model = builders.build_question_answering_model()
train_inputs = {"text": texts, "question": questions}
qa_dict_model.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy",
                      metrics=["accuracy"])
dict_fit_history = qa_dict_model.fit(train_inputs, answers, epochs=2, batch_size=8, verbose=0)
'''),
    dict(cell="ex3_list_vs_dict", why="slices in variables first, dict in the other key order",
         code='''text_batch, question_batch = texts[:8], questions[:8]
list_predictions = qa_dict_model.predict([text_batch, question_batch], verbose=0)
dict_predictions = qa_dict_model.predict({"question": question_batch, "text": text_batch},
                                         verbose=0)
'''),
    dict(cell="ex3_list_vs_dict", why="x= keyword, 0:8 slices, dict() constructor",
         code='''list_predictions = qa_dict_model.predict(x=[texts[0:8], questions[0:8]], verbose=0)
dict_predictions = qa_dict_model.predict(x=dict(text=texts[0:8], question=questions[0:8]),
                                         verbose=0)
'''),
]

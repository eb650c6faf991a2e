NB = "02-multi-input/multi_input.ipynb"
START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

DESCRIPTION = 'description = keras.Input(shape=(None,), dtype="int32", name="description")'
EMBED = "embedded_description = layers.Embedding(500, 16)(description)"
LSTM = "encoded_description = layers.LSTM(16)(embedded_description)"
METADATA = 'metadata = keras.Input(shape=(6,), name="metadata")'
META_DENSE = 'encoded_metadata = layers.Dense(8, activation="relu")(metadata)'
MERGE = "merged = layers.concatenate([encoded_description, encoded_metadata], axis=-1)"
PRICE = 'price = layers.Dense(1, name="price")(merged)'
MODEL = 'price_model = keras.Model([description, metadata], price, name="price_model")'
PRICE_LINES = [DESCRIPTION, EMBED, LSTM, METADATA, META_DENSE, MERGE, PRICE, MODEL]


def price_model(**replacements):
    """The right answer to exercise 1 with some lines replaced (old line -> new line)."""
    lines = [replacements.get(line, line) for line in PRICE_LINES]
    return START + "\n".join(lines)


TRAIN = START + (
    "qa_dict_model = builders.build_question_answering_model()\n"
    "train_inputs = {train_inputs}\n"
    'qa_dict_model.compile(optimizer="rmsprop", loss="{loss}", metrics=["accuracy"])\n'
    "dict_fit_history = qa_dict_model.fit({fit_inputs}, answers, epochs={epochs}, batch_size=32, verbose=0)"
)
RIGHT_DICT = '{"text": texts, "question": questions}'
PREDICT = (
    "list_predictions = qa_dict_model.predict({as_list}, verbose=0)\n"
    "dict_predictions = qa_dict_model.predict({as_dict}, verbose=0)"
)

MISTAKES = [
    # Exercise 1: a two-input model
    dict(notebook=NB, cell="ex1_price_model", why="metadata merged raw, its Dense left out of the model",
         code=price_model(**{MERGE: "merged = layers.concatenate([encoded_description, metadata], axis=-1)"}),
         fails={"ex1_branches_reach_merge": "Expected it to receive your `encoded_metadata`",
                "ex1_price_model_output": "Expected 10,193"}),
    dict(notebook=NB, cell="ex1_price_model", why="the embedded sequence averaged instead of an LSTM",
         code=price_model(**{LSTM: "encoded_description = layers.GlobalAveragePooling1D()(embedded_description)"}),
         fails={"ex1_branches_reach_merge": "0 LSTM layer(s)",
                "ex1_price_model_output": "Expected 10,193"}),
    dict(notebook=NB, cell="ex1_price_model", why="the merge fed the description's Dense, not its LSTM",
         code=price_model(**{
             MERGE: "merged = layers.concatenate([layers.Dense(16)(encoded_description), encoded_metadata])"}),
         fails={"ex1_branches_reach_merge": "Expected it to receive your `encoded_description`"}),
    dict(notebook=NB, cell="ex1_price_model", why="metadata input left unnamed",
         code=price_model(**{METADATA: "metadata = keras.Input(shape=(6,))"}),
         fails={"ex1_price_model_inputs": "Expected 2 input(s) named ['description', 'metadata']"}),
    dict(notebook=NB, cell="ex1_price_model", why="inputs listed in the wrong order",
         code=price_model(**{MODEL: 'price_model = keras.Model([metadata, description], price, name="price_model")'}),
         fails={"ex1_price_model_inputs": "Expected ['description', 'metadata']"}),
    dict(notebook=NB, cell="ex1_price_model", why="description input without the integer dtype",
         code=price_model(**{DESCRIPTION: 'description = keras.Input(shape=(None,), name="description")'}),
         fails={"ex1_price_model_inputs": "Expected int32 word indices"}),
    dict(notebook=NB, cell="ex1_price_model", why="output layer left unnamed",
         code=price_model(**{PRICE: "price = layers.Dense(1)(merged)"}),
         fails={"ex1_price_model_output": "Expected 1 output(s) named ['price']"}),
    dict(notebook=NB, cell="ex1_price_model", why="a sigmoid on the price",
         code=price_model(**{PRICE: 'price = layers.Dense(1, activation="sigmoid", name="price")(merged)'}),
         fails={"ex1_price_model_output": "activation 'sigmoid'"}),
    dict(notebook=NB, cell="ex1_price_model", why="an embedding of 16 words into 500 numbers (arguments swapped)",
         code=price_model(**{EMBED: "embedded_description = layers.Embedding(16, 500)(description)"}),
         fails={"ex1_price_model_output": "Expected 10,193"}),
    # Exercise 2: train with a dict of inputs
    dict(notebook=NB, cell="ex2_train_dict", why="dict keyed by the variable names",
         code=TRAIN.format(train_inputs='{"texts": texts, "questions": questions}',
                           fit_inputs="train_inputs", loss="categorical_crossentropy", epochs=2),
         fails={"ex2_train_inputs_dict": "Expected the model's input names"}),
    dict(notebook=NB, cell="ex2_train_dict", why="a list instead of a dict",
         code=TRAIN.format(train_inputs="[texts, questions]", fit_inputs="train_inputs",
                           loss="categorical_crossentropy", epochs=2),
         fails={"ex2_train_inputs_dict": "Your `train_inputs` is a list"}),
    dict(notebook=NB, cell="ex2_train_dict", why="the two arrays swapped in the dict",
         code=TRAIN.format(train_inputs='{"text": questions, "question": texts}',
                           fit_inputs="train_inputs", loss="categorical_crossentropy", epochs=2),
         fails={"ex2_train_inputs_dict": "does not map 'text' to `texts`"}),
    dict(notebook=NB, cell="ex2_train_dict", why="mean squared error for a one-word answer",
         code=TRAIN.format(train_inputs=RIGHT_DICT, fit_inputs="train_inputs", loss="mse", epochs=2),
         fails={"ex2_qa_dict_model_trained": "Expected answer: 'categorical_crossentropy'"}),
    dict(notebook=NB, cell="ex2_train_dict", why="the seed's ten epochs cut to one",
         code=TRAIN.format(train_inputs=RIGHT_DICT, fit_inputs="train_inputs",
                           loss="categorical_crossentropy", epochs=1),
         fails={"ex2_qa_dict_model_trained": "Expected 2"}),
    # Exercise 3: a list and a dict, same answers
    dict(notebook=NB, cell="ex3_list_vs_dict", why="the list in the wrong order",
         code=PREDICT.format(as_list="[questions[:8], texts[:8]]",
                             as_dict='{"text": texts[:8], "question": questions[:8]}'),
         fails={"ex3_list_matches_dict": "Your `list_predictions` and `dict_predictions` differ"}),
    dict(notebook=NB, cell="ex3_list_vs_dict", why="predictions for every sample",
         code=PREDICT.format(as_list="[texts, questions]",
                             as_dict='{"text": texts, "question": questions}'),
         fails={"ex3_predictions_shape": "Expected (8, 50)",
                "ex3_list_matches_dict": "not with the model's predictions"}),
    dict(notebook=NB, cell="ex3_list_vs_dict", why="texts and questions swapped in both, consistently",
         code=PREDICT.format(as_list="[questions[:8], texts[:8]]",
                             as_dict='{"text": questions[:8], "question": texts[:8]}'),
         fails={"ex3_list_matches_dict": "agree with each other but not with the model"}),
]

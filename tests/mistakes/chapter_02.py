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


TRAIN_TEMPLATE = START + (
    "qa_dict_model = {build}\n"
    "train_inputs = {train_inputs}\n"
    'qa_dict_model.compile(optimizer="{optimizer}", loss="{loss}"{metrics})\n'
    "dict_fit_history = qa_dict_model.fit({fit_inputs}, answers, epochs={epochs}, batch_size={batch}{fit_extra}, verbose=0)"
)


def train(build="builders.build_question_answering_model()", train_inputs=None,
          optimizer="rmsprop", loss="categorical_crossentropy", metrics=', metrics=["accuracy"]',
          fit_inputs="train_inputs", epochs=2, batch=8, fit_extra=""):
    """The right answer to exercise 2 with some of its settings changed."""
    return TRAIN_TEMPLATE.format(
        build=build, train_inputs=train_inputs or RIGHT_DICT, optimizer=optimizer, loss=loss,
        metrics=metrics, fit_inputs=fit_inputs, epochs=epochs, batch=batch, fit_extra=fit_extra)
RIGHT_DICT = '{"text": texts, "question": questions}'
PREDICT = (
    "list_predictions = qa_dict_model.predict({as_list}, verbose=0)\n"
    "dict_predictions = qa_dict_model.predict({as_dict}, verbose=0)"
)

MISTAKES = [
    # Exercise 1: a two-input model
    dict(notebook=NB, cell="ex1_price_model", why="metadata merged raw, its Dense left out of the model",
         code=price_model(**{MERGE: "merged = layers.concatenate([encoded_description, metadata], axis=-1)"}),
         fails={"ex1_price_model_output": "Expected 10,193",
                "ex1_branches_reach_merge": "Not checked yet"}),
    dict(notebook=NB, cell="ex1_price_model", why="the embedded sequence averaged instead of an LSTM",
         code=price_model(**{LSTM: "encoded_description = layers.GlobalAveragePooling1D()(embedded_description)"}),
         fails={"ex1_price_model_output": "Expected 10,193"}),
    dict(notebook=NB, cell="ex1_price_model", why="a GRU instead of the LSTM",
         code=price_model(**{LSTM: "encoded_description = layers.GRU(16)(embedded_description)"}),
         fails={"ex1_price_model_output": "Expected 10,193"}),
    dict(notebook=NB, cell="ex1_price_model", why="the merge fed the description's Dense, not its LSTM",
         code=price_model(**{
             MERGE: "merged = layers.concatenate([layers.Dense(16)(encoded_description), encoded_metadata])"}),
         fails={"ex1_price_model_output": "Expected 10,193"}),
    dict(notebook=NB, cell="ex1_price_model", why="the concatenation's operands in the wrong order",
         code=price_model(**{MERGE: "merged = layers.concatenate([encoded_metadata, encoded_description], axis=-1)"}),
         fails={"ex1_branches_reach_merge": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex1_price_model", why="the metadata Dense without its ReLU",
         code=price_model(**{META_DENSE: "encoded_metadata = layers.Dense(8)(metadata)"}),
         fails={"ex1_branches_reach_merge": "no activation (linear). Expected 'relu'"}),
    dict(notebook=NB, cell="ex1_price_model", why="a tanh on the metadata Dense",
         code=price_model(**{META_DENSE: 'encoded_metadata = layers.Dense(8, activation="tanh")(metadata)'}),
         fails={"ex1_branches_reach_merge": "activation 'tanh'"}),
    dict(notebook=NB, cell="ex1_price_model", why="metadata input left unnamed",
         code=price_model(**{METADATA: "metadata = keras.Input(shape=(6,))"}),
         fails={"ex1_price_model_inputs": "Expected 2 input(s) named ['description', 'metadata']"}),
    dict(notebook=NB, cell="ex1_price_model", why="inputs listed in the wrong order",
         code=price_model(**{MODEL: 'price_model = keras.Model([metadata, description], price, name="price_model")'}),
         fails={"ex1_price_model_inputs": "Expected ['description', 'metadata']"}),
    dict(notebook=NB, cell="ex1_price_model", why="description input without the integer dtype",
         code=price_model(**{DESCRIPTION: 'description = keras.Input(shape=(None,), name="description")'}),
         fails={"ex1_price_model_inputs": "Expected int32"}),
    dict(notebook=NB, cell="ex1_price_model", why="metadata input of integers",
         code=price_model(**{METADATA: 'metadata = keras.Input(shape=(6,), dtype="int32", name="metadata")'}),
         fails={"ex1_price_model_inputs": "Expected float32"}),
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
         code=train(train_inputs='{"texts": texts, "questions": questions}'),
         fails={"ex2_train_inputs_dict": "Expected the model's input names"}),
    dict(notebook=NB, cell="ex2_train_dict", why="a list instead of a dict",
         code=train(train_inputs="[texts, questions]"),
         fails={"ex2_train_inputs_dict": "Your `train_inputs` is a list"}),
    dict(notebook=NB, cell="ex2_train_dict", why="the two arrays swapped in the dict",
         code=train(train_inputs='{"text": questions, "question": texts}'),
         fails={"ex2_train_inputs_dict": "Expected 'text' to get `texts`"}),
    dict(notebook=NB, cell="ex2_train_dict", why="mean squared error for a one-word answer",
         code=train(loss="mse"),
         fails={"ex2_qa_dict_model_compiled": "Expected answer: 'categorical_crossentropy'"}),
    dict(notebook=NB, cell="ex2_train_dict", why="Adam instead of RMSprop",
         code=train(optimizer="adam"),
         fails={"ex2_qa_dict_model_compiled": "Expected RMSprop"}),
    dict(notebook=NB, cell="ex2_train_dict", why="the accuracy metric left out",
         code=train(metrics=""),
         fails={"ex2_qa_dict_model_compiled": "Expected ['accuracy']"}),
    dict(notebook=NB, cell="ex2_train_dict", why="other sizes than the builder's defaults",
         code=train(build="builders.build_question_answering_model(text_embedding_dim=32)"),
         fails={"ex2_qa_dict_model_compiled": "output_dim (the length of each vector) 32"}),
    dict(notebook=NB, cell="ex2_train_dict", why="the lesson model reused",
         code=train(build="qa_model"),
         fails={"ex2_qa_dict_model_compiled": "is `qa_model` itself"}),
    dict(notebook=NB, cell="ex2_train_dict", why="the seed's ten epochs cut to one",
         code=train(epochs=1),
         fails={"ex2_qa_dict_model_trained": "Expected 2."}),
    dict(notebook=NB, cell="ex2_train_dict", why="batches of 32 instead of 8",
         code=train(batch=32),
         fails={"ex2_qa_dict_model_trained": "Expected batches of 8"}),
    dict(notebook=NB, cell="ex2_train_dict", why="a validation split the exercise does not ask for",
         code=train(fit_extra=", validation_split=0.25"),
         fails={"ex2_qa_dict_model_trained": "the exercise does not ask for validation data"}),
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

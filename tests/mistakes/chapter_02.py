NB = "02-multi-input/multi_input.ipynb"
START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

READINGS = 'readings = keras.Input(shape=(None, 3), name="readings")'
READ_LSTM = "encoded_readings = layers.LSTM(8)(readings)"
DISTRICT = 'district = keras.Input(shape=(1,), dtype="int32", name="district")'
EMBED = "embedded_district = layers.Embedding(20, 4)(district)"
FLATTEN = "encoded_district = layers.Flatten()(embedded_district)"
MERGE = "merged = layers.concatenate([encoded_readings, encoded_district], axis=-1)"
PRICE = 'price = layers.Dense(1, name="price")(merged)'
MODEL = 'price_model = keras.Model([readings, district], price, name="price_model")'
PRICE_LINES = [READINGS, READ_LSTM, DISTRICT, EMBED, FLATTEN, MERGE, PRICE, MODEL]


def price_model(**replacements):
    """The right answer to exercise 1 with some lines replaced (old line -> new line)."""
    lines = [replacements.get(line, line) for line in PRICE_LINES]
    return START + "\n".join(lines)


RIGHT_TRAIN = '{"text": texts[:96], "question": questions[:96]}'
RIGHT_VALIDATION = '{"text": texts[96:], "question": questions[96:]}'
TRAIN_TEMPLATE = START + (
    "qa_dict_model = {build}\n"
    "train_inputs = {train_inputs}\n"
    "validation_inputs = {validation_inputs}\n"
    'qa_dict_model.compile(optimizer="{optimizer}", loss="{loss}"{metrics})\n'
    "dict_fit_history = qa_dict_model.fit({fit_inputs}, {fit_targets}, epochs={epochs}, "
    "batch_size={batch}{fit_extra}, verbose=0)"
)


def train(build="builders.build_question_answering_model()", train_inputs=RIGHT_TRAIN,
          validation_inputs=RIGHT_VALIDATION, optimizer="rmsprop",
          loss="categorical_crossentropy", metrics=', metrics=["accuracy"]',
          fit_inputs="train_inputs", fit_targets="answers[:96]", epochs=2, batch=8,
          fit_extra=", validation_data=(validation_inputs, answers[96:])"):
    """The right answer to exercise 2 with some of its settings changed."""
    return TRAIN_TEMPLATE.format(
        build=build, train_inputs=train_inputs, validation_inputs=validation_inputs,
        optimizer=optimizer, loss=loss, metrics=metrics, fit_inputs=fit_inputs,
        fit_targets=fit_targets, epochs=epochs, batch=batch, fit_extra=fit_extra)


FIRST = "first_garments = {name: array[:8] for name, array in garment_inputs.items()}\n"
PREDICT = (
    "list_predictions = garment_model.predict({as_list}, verbose=0)\n"
    "dict_predictions = garment_model.predict({as_dict}, verbose=0)"
)
RIGHT_LIST = "[first_garments[tensor.name] for tensor in garment_model.inputs]"

MISTAKES = [
    # Exercise 1: a price from a sequence of numbers and a category
    dict(notebook=NB, cell="ex1_price_model", why="an Embedding put in front of the readings (floats, not indices)",
         code=price_model(**{READINGS: 'readings = keras.Input(shape=(None,), dtype="int32", name="readings")',
                             READ_LSTM: "encoded_readings = layers.LSTM(8)(layers.Embedding(20, 3)(readings))"}),
         fails={"ex1_price_model_inputs": "shape (None, None)"}),
    dict(notebook=NB, cell="ex1_price_model", why="a GRU instead of the LSTM",
         code=price_model(**{READ_LSTM: "encoded_readings = layers.GRU(8)(readings)"}),
         fails={"ex1_price_model_output": "Expected 477"}),
    dict(notebook=NB, cell="ex1_price_model", why="the embedded district kept, Flatten's output left unused",
         code=price_model(**{MERGE: "merged = layers.concatenate([encoded_readings, layers.Reshape((4,))(embedded_district)], axis=-1)"}),
         fails={"ex1_branches_reach_merge": "Expected it to receive your `encoded_district`"}),
    dict(notebook=NB, cell="ex1_price_model", why="the district flattened with a Reshape, not the Flatten asked for",
         code=price_model(**{FLATTEN: "encoded_district = layers.Reshape((4,))(embedded_district)"}),
         fails={"ex1_branches_reach_merge": "is the output of a Reshape layer"}),
    dict(notebook=NB, cell="ex1_price_model", why="the concatenation's operands in the wrong order",
         code=price_model(**{MERGE: "merged = layers.concatenate([encoded_district, encoded_readings], axis=-1)"}),
         fails={"ex1_branches_reach_merge": "takes its inputs in another order"}),
    dict(notebook=NB, cell="ex1_price_model", why="an LSTM of 16 units instead of 8",
         code=price_model(**{READ_LSTM: "encoded_readings = layers.LSTM(16)(readings)"}),
         fails={"ex1_price_model_output": "Expected 477"}),
    dict(notebook=NB, cell="ex1_price_model", why="readings input left unnamed",
         code=price_model(**{READINGS: "readings = keras.Input(shape=(None, 3))"}),
         fails={"ex1_price_model_inputs": "Expected 2 input(s) named ['district', 'readings']"}),
    dict(notebook=NB, cell="ex1_price_model", why="inputs listed in the wrong order",
         code=price_model(**{MODEL: 'price_model = keras.Model([district, readings], price, name="price_model")'}),
         fails={"ex1_price_model_inputs": "Expected ['readings', 'district']"}),
    dict(notebook=NB, cell="ex1_price_model", why="district input without the integer dtype",
         code=price_model(**{DISTRICT: 'district = keras.Input(shape=(1,), name="district")'}),
         fails={"ex1_price_model_inputs": "Expected int32"}),
    dict(notebook=NB, cell="ex1_price_model", why="readings input of integers",
         code=price_model(**{READINGS: 'readings = keras.Input(shape=(None, 3), dtype="int32", name="readings")'}),
         fails={"ex1_price_model_inputs": "Expected float32"}),
    dict(notebook=NB, cell="ex1_price_model", why="output layer left unnamed",
         code=price_model(**{PRICE: "price = layers.Dense(1)(merged)"}),
         fails={"ex1_price_model_output": "Expected 1 output(s) named ['price']"}),
    dict(notebook=NB, cell="ex1_price_model", why="a sigmoid on the price",
         code=price_model(**{PRICE: 'price = layers.Dense(1, activation="sigmoid", name="price")(merged)'}),
         fails={"ex1_price_model_output": "activation 'sigmoid'"}),
    dict(notebook=NB, cell="ex1_price_model", why="an embedding of 4 districts into 20 numbers (arguments swapped)",
         code=price_model(**{EMBED: "embedded_district = layers.Embedding(4, 20)(district)"}),
         fails={"ex1_price_model_output": "Expected 477"}),
    # Exercise 2: train and validate with dicts of inputs
    # Keras's fit refuses the keys, so the cell stops before `dict_fit_history`: the student
    # reads that the exercise is not answered and that the cell stopped on an error.
    dict(notebook=NB, cell="ex2_train_dict", why="dict keyed by the variable names",
         code=train(train_inputs='{"texts": texts[:96], "questions": questions[:96]}'),
         fails={"ex2_train_inputs_dict": "`dict_fit_history` is not defined"}),
    dict(notebook=NB, cell="ex2_train_dict", why="a list instead of a dict",
         code=train(train_inputs="[texts[:96], questions[:96]]"),
         fails={"ex2_train_inputs_dict": "Your `train_inputs` is a list"}),
    dict(notebook=NB, cell="ex2_train_dict", why="the two arrays swapped in the dict",
         code=train(train_inputs='{"text": questions[:96], "question": texts[:96]}'),
         fails={"ex2_train_inputs_dict": "Your `train_inputs` gives 'text' other data"}),
    dict(notebook=NB, cell="ex2_train_dict", why="all 128 samples kept for training",
         code=train(train_inputs='{"text": texts, "question": questions}', fit_targets="answers"),
         fails={"ex2_train_inputs_dict": "gives 'text' an array of shape (128, 10)"}),
    dict(notebook=NB, cell="ex2_train_dict", why="the validation rows taken from the start",
         code=train(validation_inputs='{"text": texts[:32], "question": questions[:32]}',
                    fit_extra=", validation_data=(validation_inputs, answers[:32])"),
         fails={"ex2_train_inputs_dict": "Your `validation_inputs` gives 'text' other data",
                "ex2_qa_dict_model_trained": "not the loss of your trained `qa_dict_model` on the last 32"}),
    dict(notebook=NB, cell="ex2_train_dict", why="validated on the training data",
         code=train(fit_extra=", validation_data=(train_inputs, answers[:96])"),
         fails={"ex2_qa_dict_model_trained": "not the loss of your trained `qa_dict_model` on the last 32"}),
    dict(notebook=NB, cell="ex2_train_dict", why="no validation data",
         code=train(fit_extra=""),
         fails={"ex2_qa_dict_model_trained": "has no validation losses"}),
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
    dict(notebook=NB, cell="ex2_train_dict", why="one epoch instead of two",
         code=train(epochs=1),
         fails={"ex2_qa_dict_model_trained": "Expected 2."}),
    dict(notebook=NB, cell="ex2_train_dict", why="batches of 32 instead of 8",
         code=train(batch=32),
         fails={"ex2_qa_dict_model_trained": "Expected batches of 8"}),
    # Exercise 3: three inputs, a list and a dict
    dict(notebook=NB, cell="ex3_list_vs_dict", why="the list for the first 8, the dict for the next 8",
         code=FIRST + PREDICT.format(
             as_list=RIGHT_LIST,
             as_dict="{name: array[8:16] for name, array in garment_inputs.items()}"),
         fails={"ex3_list_matches_dict": "Your `list_predictions` and `dict_predictions` differ"}),
    dict(notebook=NB, cell="ex3_list_vs_dict", why="predictions for every garment",
         code=PREDICT.format(as_list="[garment_inputs[t.name] for t in garment_model.inputs]",
                             as_dict="garment_inputs"),
         fails={"ex3_predictions_shape": "Expected (8, 1)",
                "ex3_list_matches_dict": "not with the model's predictions"}),
    dict(notebook=NB, cell="ex3_list_vs_dict", why="garments 8 to 16, consistently in both",
         code="later = {name: array[8:16] for name, array in garment_inputs.items()}\n"
              + PREDICT.format(as_list="[later[t.name] for t in garment_model.inputs]",
                               as_dict="later"),
         fails={"ex3_list_matches_dict": "agree with each other but not with the model"}),
]

"""A namespace written as data and rebuilt: the same graph, and nothing but data accepted.

`snapshot.export` runs in the kernel, `rebuild.load` in the trusted checks'
process. Here both run in the test process: the rebuilt objects must pass
(and fail) the same checks as the originals, with the same node indices,
weights and compile settings, and a snapshot that names code, holds pickles
or is malformed must be refused, never rebuilt into something that passes.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import keras
import numpy as np
import pytest
from keras import layers

from autograder import checks
from autograder.trusted import rebuild, snapshot
from autograder.trusted.recheck import UNREADABLE, recheck, run_test_cell
from keras_functional_course._keras_internals import inbound_nodes, tensor_origin
from keras_functional_course.data import Dataset


def round_trip(namespace: dict, tmp_path, cell: str = "cell-0001") -> dict:
    """Exports `namespace` and rebuilds it in a fresh Keras session."""
    snapshot.export(namespace, tmp_path / cell)
    keras.utils.clear_session(free_memory=False)
    rebuilt, _ = rebuild.load(tmp_path / cell)
    return rebuilt


def _shared_encoder():
    left, right = keras.Input((6, 3), name="left"), keras.Input((6, 3), name="right")
    lstm = layers.LSTM(4, name="shared_lstm")
    encoded_left, encoded_right = lstm(left), lstm(right)
    merged = layers.concatenate([encoded_left, encoded_right])
    output = layers.Dense(1, activation="sigmoid", name="same_author")(merged)
    model = keras.Model([left, right], output)
    return {"left": left, "right": right, "shared_lstm": lstm, "encoded_left": encoded_left,
            "encoded_right": encoded_right, "model": model}


def test_a_shared_layer_keeps_its_node_indices_and_what_each_call_read(tmp_path):
    rebuilt = round_trip(_shared_encoder(), tmp_path)
    lstm = rebuilt["shared_lstm"]
    assert len(inbound_nodes(lstm)) == 2
    checks.check_node_index(rebuilt["encoded_right"], lstm, 1, name="encoded_right",
                            reads=rebuilt["right"])
    assert tensor_origin(rebuilt["encoded_left"]).node_index == 0
    assert rebuilt["model"].get_layer("shared_lstm") is lstm, "one layer object, as in the kernel"
    checks.check_shared_layer(rebuilt["model"], "LSTM", num_nodes=2, name="model")


def test_the_rebuilt_graph_still_fails_a_check_the_original_fails(tmp_path):
    namespace = _shared_encoder()
    with pytest.raises(AssertionError) as original:
        checks.check_node_index(namespace["encoded_left"], namespace["shared_lstm"], 1,
                                name="encoded_left")
    rebuilt = round_trip(namespace, tmp_path)
    with pytest.raises(AssertionError) as again:
        checks.check_node_index(rebuilt["encoded_left"], rebuilt["shared_lstm"], 1,
                                name="encoded_left")
    assert str(again.value) == str(original.value)


def test_weights_predictions_and_compile_settings_survive(tmp_path):
    features = keras.Input((5,), name="features")
    hidden = layers.Dense(8, activation="relu", name="hidden")(features)
    model = keras.Model(features, layers.Dense(3, activation="softmax")(hidden))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.random.rand(16, 5).astype("float32"), np.arange(16) % 3
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    expected = model.predict(x, verbose=0)
    rebuilt = round_trip({"model": model, "history": history, "x": x}, tmp_path)
    again = rebuilt["model"]
    np.testing.assert_allclose(again.predict(rebuilt["x"], verbose=0), expected, atol=1e-6)
    assert type(again.optimizer).__name__ == "SGD"
    assert math.isclose(float(again.optimizer.learning_rate), 0.05, rel_tol=1e-6)
    assert int(again.optimizer.iterations) == 4, "two epochs of two batches"
    checks.check_history(rebuilt["history"], model=again, epochs=2, batch_size=8, num_samples=16)
    assert checks.output_metrics(again) == checks.output_metrics(model)


def test_sequential_models_built_by_add_and_models_as_layers(tmp_path):
    sequential = keras.Sequential([keras.Input((4,))])
    sequential.add(layers.Dense(3, name="first"))
    sequential.add(layers.Dense(2, name="second"))
    frames = keras.Input((5, 4), name="frames")
    per_frame = layers.TimeDistributed(sequential, name="per_frame")(frames)
    video = keras.Model(frames, per_frame)
    called = sequential(keras.Input((4,), name="again"))
    rebuilt = round_trip({"sequential": sequential, "video": video, "called": called}, tmp_path)
    assert [layer.name for layer in rebuilt["sequential"].layers] == ["first", "second"]
    assert rebuilt["video"].get_layer("per_frame").layer is rebuilt["sequential"]
    assert tensor_origin(rebuilt["called"]).operation is rebuilt["sequential"]
    assert rebuilt["video"].output.shape == (None, 5, 2)


def test_a_model_built_from_intermediate_tensors(tmp_path):
    """Keras clones the graph for such a model (nodes made without a call): kept as it was."""
    image = keras.Input((8,), name="image")
    hidden = layers.Dense(4, name="hidden")(image)
    head = keras.Model(hidden, layers.Dense(2, name="head")(hidden))
    rebuilt = round_trip({"head": head, "image": image}, tmp_path)
    assert rebuilt["head"].input.shape == (None, 4)
    assert len(inbound_nodes(rebuilt["head"].get_layer("head"))) == len(
        inbound_nodes(head.get_layer("head")))


def test_plain_values_arrays_records_and_unreadable_objects(tmp_path):
    @dataclass
    class Batch:
        size: int

    namespace = {"count": 3, "ratio": 0.5, "name": "x", "missing": None, "nan": float("nan"),
                 "shape": (None, 4), "losses": {"a": [1.0, 2.0]}, "steps": range(3),
                 "array": np.arange(6).reshape(2, 3), "scalar": np.float32(2.5),
                 "data": Dataset(np.ones((2, 3)), np.zeros(2)), "batch": Batch(4),
                 "helper": lambda value: value, "np": np}
    rebuilt = round_trip(namespace, tmp_path)
    assert rebuilt["count"] == 3 and rebuilt["ratio"] == 0.5 and rebuilt["missing"] is None
    assert math.isnan(rebuilt["nan"]) and rebuilt["shape"] == (None, 4)
    assert rebuilt["losses"] == {"a": [1.0, 2.0]} and rebuilt["steps"] == range(3)
    np.testing.assert_array_equal(rebuilt["array"], namespace["array"])
    assert rebuilt["scalar"] == np.float32(2.5)
    assert isinstance(rebuilt["data"], Dataset) and rebuilt["data"].x.shape == (2, 3)
    assert rebuilt["batch"].size == 4
    assert isinstance(rebuilt["helper"], rebuild.Unreadable), "a function is not data"
    assert rebuilt["np"] is np


def test_objects_that_pose_as_answers_are_not_read_as_answers(tmp_path):
    class AlwaysEqual:
        shape = (None, 28, 28, 1)

        def __eq__(self, other):
            return True

    class PosesAsModel:
        @property
        def __class__(self):
            return keras.Model

    rebuilt = round_trip({"inputs": AlwaysEqual(), "model": PosesAsModel()}, tmp_path)
    assert isinstance(rebuilt["inputs"], rebuild.Unreadable)
    assert isinstance(rebuilt["model"], rebuild.Unreadable)
    with pytest.raises(AssertionError):
        checks.check_shape(rebuilt["inputs"], (None, 28, 28, 1), name="inputs")


# Hostile snapshots ---------------------------------------------------------------


def _written(tmp_path, namespace=None) -> tuple:
    namespace = namespace or {"model": _shared_encoder()["model"]}
    path = snapshot.export(namespace, tmp_path / "cell-0001")
    return path, json.loads(path.read_text())


def _edit(path, document) -> None:
    path.write_text(json.dumps(document))


def _first(document, kind):
    return next(entry for entry in document["operations"].values() if entry["kind"] == kind)


@pytest.mark.parametrize("edit, why", [
    (lambda d: _first(d, "layer")["config"].update(
        activation={"module": "os", "class_name": "system", "config": "echo"}),
     "names the module 'os'"),
    (lambda d: _first(d, "layer").update({"class": "Popen"}), "not one of Keras's layers"),
    (lambda d: _first(d, "layer").update({"class": "Dense", "config": {
        "units": 2, "activation": {"class_name": "__lambda__", "config": {"code": "x"}}}}),
     "lambda's code"),
])
def test_an_operation_that_names_code_is_not_rebuilt_nor_anything_built_on_it(edit, why,
                                                                             tmp_path):
    path, document = _written(tmp_path)
    edit(document)
    _edit(path, document)
    namespace, _ = rebuild.load(path.parent)
    assert isinstance(namespace["model"], rebuild.Unreadable)
    assert re.search(why, namespace["model"].kfc_unreadable_reason)


@pytest.mark.parametrize("edit, why", [
    (lambda d: d.update(format="other"), "not in the grader's format"),
    (lambda d: _first(d, "layer")["nodes"][0]["args"]["items"][0].update(node=7), "no origin"),
    (lambda d: d["operations"].popitem(), "no origin|lacks"),
])
def test_a_snapshot_that_names_code_or_is_malformed_is_refused(edit, why, tmp_path):
    path, document = _written(tmp_path)
    edit(document)
    _edit(path, document)
    with pytest.raises(rebuild.SnapshotError, match=why):
        rebuild.load(path.parent)


def test_a_pickled_array_is_not_loaded(tmp_path):
    path, document = _written(tmp_path, {"answer": np.arange(3)})
    reference = document["values"]["answer"]["ref"]
    np.save(tmp_path / "arrays" / f"{reference}.npy", np.array([{"a": 1}], dtype=object),
            allow_pickle=True)
    namespace, _ = rebuild.load(path.parent)
    assert isinstance(namespace["answer"], rebuild.Unreadable)


@pytest.mark.parametrize("text", ["not json", "[" * 100_000, '{"format": "kfc-snapshot-1"}'])
def test_a_snapshot_that_is_not_the_exports_json_is_refused(text, tmp_path):
    (tmp_path / "cell-0001").mkdir()
    (tmp_path / "cell-0001" / "namespace.json").write_text(text)
    with pytest.raises(rebuild.SnapshotError):
        rebuild.load(tmp_path / "cell-0001")


# The trusted checks --------------------------------------------------------------


def test_recheck_scores_each_test_cell_on_its_own_snapshot(tmp_path):
    inputs = keras.Input((28, 28, 1), name="digits")
    snapshot.export({"inputs": inputs}, tmp_path / "cell-0002")
    source = ('checks.require("inputs", exercise=1)\n'
              'checks.check_shape(inputs, {shape}, name="inputs")\n')
    tests = [
        {"cell": 2, "grade_id": "right", "snapshot": str(tmp_path / "cell-0002"),
         "source": "from autograder import checks\n" + source.format(shape=(None, 28, 28, 1))},
        {"cell": 3, "grade_id": "wrong", "snapshot": str(tmp_path / "cell-0002"),
         "source": "from autograder import checks\n" + source.format(shape=(None, 32, 32, 3))},
        {"cell": 4, "grade_id": "absent", "snapshot": str(tmp_path / "cell-0004"),
         "source": "from autograder import checks\n" + source.format(shape=(None, 28, 28, 1))},
    ]
    right, wrong, absent = recheck(tests)
    assert right["passed"] is True
    assert wrong["passed"] is False and wrong["ename"] == "AssertionError"
    assert "`inputs`" in wrong["evalue"] and "Hint:" in wrong["evalue"]
    assert absent["passed"] is False and absent["ename"] == UNREADABLE
    assert "could not read your answers" in absent["evalue"]


def test_a_lambda_layer_spoils_only_what_is_built_on_it(tmp_path):
    """The grader runs no student code: a Lambda is unreadable, the other answers are not."""
    features = keras.Input((4,), name="features")
    doubled = layers.Lambda(lambda x: x * 2, name="double")(features)
    with_lambda = keras.Model(features, layers.Dense(2)(doubled))
    plain = keras.Model(features, layers.Dense(3, name="plain")(features))
    rebuilt = round_trip({"with_lambda": with_lambda, "plain": plain, "doubled": doubled},
                         tmp_path)
    assert rebuilt["plain"].get_layer("plain").units == 3
    for name in ("with_lambda", "doubled"):
        assert isinstance(rebuilt[name], rebuild.Unreadable)
        assert "Lambda layer" in rebuilt[name].kfc_unreadable_reason
    error = run_test_cell('from autograder import checks\nchecks.require("with_lambda")\n',
                          rebuilt, "uses_lambda")
    assert isinstance(error, AssertionError)
    message = str(error)
    assert "could not read your `with_lambda`" in message and "Lambda layer" in message
    assert "\nHint: " in message

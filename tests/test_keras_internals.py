"""Pins the private Keras attributes that keras_functional_course._keras_internals reads.

If a Keras upgrade renames `_keras_history`, `_inbound_nodes`, `Node.operation`,
`_nodes_by_depth` or `Sequential._functional`, these tests fail here, loudly, instead of
deep inside a student's feedback.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_functional_course import _keras_internals as internals
from keras_functional_course import builders


@pytest.fixture
def lstm_pair():
    a = keras.Input((5, 4), name="a")
    b = keras.Input((5, 4), name="b")
    lstm = keras.layers.LSTM(3, name="lstm")
    encoded_a = lstm(a)
    encoded_b = lstm(b)
    return a, b, lstm, encoded_a, encoded_b


# --- the Keras 3 facts the course teaches ---------------------------------------------------


def test_keras_major_version_is_3():
    assert keras.__version__.startswith("3.")


def test_keras_2_per_node_accessors_are_gone(lstm_pair):
    _, _, lstm, _, _ = lstm_pair
    for accessor in (
        "get_output_at",
        "get_input_at",
        "get_input_shape_at",
        "get_output_shape_at",
    ):
        assert not hasattr(lstm, accessor), accessor


# --- tensors --------------------------------------------------------------------------------


def test_tensor_origin_of_a_layer_output(lstm_pair):
    _, _, lstm, encoded_a, encoded_b = lstm_pair
    origin = internals.tensor_origin(encoded_b)
    assert isinstance(origin, internals.TensorOrigin)
    assert origin.operation is lstm
    assert origin.node_index == 1
    assert origin.tensor_index == 0
    assert internals.tensor_origin(encoded_a) == internals.TensorOrigin(lstm, 0, 0)


def test_tensor_origin_of_an_input_is_its_input_layer(lstm_pair):
    a, *_ = lstm_pair
    origin = internals.tensor_origin(a)
    assert isinstance(origin.operation, keras.layers.InputLayer)
    assert (origin.node_index, origin.tensor_index) == (0, 0)


def test_tensor_origin_counts_outputs_of_a_multi_output_call():
    x = keras.Input((4,))
    # keras.ops.split returns several tensors from one node; the second one is tensor 1.
    first, second = keras.layers.Lambda(lambda t: keras.ops.split(t, 2, axis=-1))(x)
    assert internals.tensor_origin(first).tensor_index == 0
    assert internals.tensor_origin(second).tensor_index == 1
    assert internals.tensor_origin(second).node_index == 0


@pytest.mark.parametrize(
    "not_symbolic", [np.zeros((2, 3)), [1, 2], None, "tensor"], ids=repr
)
def test_tensor_origin_of_something_else_is_none(not_symbolic):
    assert internals.tensor_origin(not_symbolic) is None


def test_tensor_origin_of_a_layer_is_none(lstm_pair):
    _, _, lstm, _, _ = lstm_pair
    assert internals.tensor_origin(lstm) is None


# --- nodes ----------------------------------------------------------------------------------


def test_inbound_nodes_one_per_call_in_call_order(lstm_pair):
    a, b, lstm, encoded_a, encoded_b = lstm_pair
    nodes = internals.inbound_nodes(lstm)
    assert isinstance(nodes, list)
    assert len(nodes) == 2
    assert internals.node_input_tensors(nodes[0])[0] is a
    assert internals.node_input_tensors(nodes[1])[0] is b


def test_inbound_nodes_of_a_layer_never_called_is_empty():
    assert internals.inbound_nodes(keras.layers.Dense(2)) == []


def test_node_operation_inputs_and_outputs(lstm_pair):
    a, b, lstm, encoded_a, encoded_b = lstm_pair
    first, second = internals.inbound_nodes(lstm)
    assert internals.node_operation(first) is lstm
    assert internals.node_operation(second) is lstm
    inputs, outputs = internals.node_input_tensors(second), internals.node_output_tensors(second)
    assert isinstance(inputs, list) and isinstance(outputs, list)
    assert len(inputs) == 1 and inputs[0] is b
    assert len(outputs) == 1 and outputs[0] is encoded_b
    assert internals.node_output_tensors(first)[0] is encoded_a


def test_node_input_tensors_of_a_multi_input_call_in_call_order():
    x1, x2, x3 = keras.Input((1,)), keras.Input((2,)), keras.Input((3,))
    concatenate = keras.layers.Concatenate()
    concatenate([x2, x3, x1])
    (node,) = internals.inbound_nodes(concatenate)
    inputs = internals.node_input_tensors(node)
    assert len(inputs) == 3
    assert inputs[0] is x2 and inputs[1] is x3 and inputs[2] is x1


def test_node_input_tensors_of_an_input_layer_is_empty(lstm_pair):
    a, *_ = lstm_pair
    (node,) = internals.inbound_nodes(internals.tensor_origin(a).operation)
    assert internals.node_input_tensors(node) == []
    assert internals.node_output_tensors(node)[0] is a


def test_node_index_is_the_position_among_the_operation_nodes(lstm_pair):
    _, _, lstm, encoded_a, encoded_b = lstm_pair
    nodes = internals.inbound_nodes(lstm)
    assert [internals.node_index(node) for node in nodes] == [0, 1]
    for tensor in (encoded_a, encoded_b):
        origin = internals.tensor_origin(tensor)
        assert internals.node_index(nodes[origin.node_index]) == origin.node_index


# --- models ---------------------------------------------------------------------------------


def test_functional_graph_of_a_functional_model_is_the_model():
    model = builders.build_siamese_lstm()
    assert internals.functional_graph(model) is model


def test_functional_graph_of_a_built_sequential_holds_its_layers():
    model = builders.build_sequential_mlp()
    graph = internals.functional_graph(model)
    assert isinstance(graph, keras.Model)
    assert graph is not model
    operations = graph.operations
    assert model.layers
    for layer in model.layers:
        assert any(operation is layer for operation in operations), layer.name
    assert hasattr(graph, "_nodes_by_depth")


def test_functional_graph_of_a_sequential_built_by_calling_build():
    model = keras.Sequential([keras.layers.Dense(2)])
    model.build((None, 3))
    graph = internals.functional_graph(model)
    assert any(operation is model.layers[0] for operation in graph.operations)


def test_functional_graph_of_an_unbuilt_sequential_raises():
    with pytest.raises(ValueError, match="has not been built"):
        internals.functional_graph(keras.Sequential([keras.layers.Dense(2)]))


def test_functional_graph_of_a_subclassed_model_raises():
    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(ValueError, match="no layer graph"):
        internals.functional_graph(Subclassed())


def test_model_nodes_lists_every_node_inputs_first():
    model = builders.build_siamese_lstm()
    nodes = internals.model_nodes(model)
    operations = [internals.node_operation(node) for node in nodes]
    assert len(nodes) == 6  # left, right, two LSTM calls, merge, prediction
    assert all(isinstance(op, keras.layers.InputLayer) for op in operations[:2])
    assert {op.name for op in operations[:2]} == {"left", "right"}
    assert not any(isinstance(op, keras.layers.InputLayer) for op in operations[2:])
    assert operations[-1] is model.get_layer("prediction")
    shared = model.get_layer("shared_lstm")
    lstm_nodes = [node for node in nodes if internals.node_operation(node) is shared]
    assert sorted(internals.node_index(node) for node in lstm_nodes) == [0, 1]
    assert {op.name for op in operations} == {layer.name for layer in model.layers}


def test_model_nodes_respect_dependencies():
    model = builders.build_inception_module()
    nodes = internals.model_nodes(model)
    position = {id(node): index for index, node in enumerate(nodes)}
    for node in nodes:
        for tensor in internals.node_input_tensors(node):
            origin = internals.tensor_origin(tensor)
            producer = internals.inbound_nodes(origin.operation)[origin.node_index]
            assert position[id(producer)] < position[id(node)]
    assert internals.node_operation(nodes[-1]) is model.get_layer("towers_concatenated")


def test_model_nodes_exclude_a_call_made_in_another_model():
    model = builders.build_siamese_lstm()
    shared = model.get_layer("shared_lstm")
    elsewhere = keras.Input((None, 16))
    other = keras.Model(elsewhere, shared(elsewhere))
    foreign = internals.inbound_nodes(shared)[2]
    assert internals.node_index(foreign) == 2
    assert not any(node is foreign for node in internals.model_nodes(model))
    assert any(node is foreign for node in internals.model_nodes(other))
    assert len(internals.model_nodes(model)) == 6

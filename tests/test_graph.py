"""Tests for keras_functional_course.graph: node indices, per-node shapes, the layer graph."""

from __future__ import annotations

import keras
import networkx as nx
import numpy as np
import pytest

from keras_functional_course import builders
from keras_functional_course.graph import (
    Connection,
    LayerNode,
    SharedLayer,
    describe_graph,
    input_at,
    input_shape_at,
    layer_nodes,
    model_graph,
    node_index_of,
    origin_of,
    output_at,
    output_names,
    output_shape_at,
    shared_layers,
)


@pytest.fixture
def lstm_pair():
    """The seed's shared LSTM, at a small size: one LSTM called on two inputs."""
    a = keras.Input((5, 4))
    b = keras.Input((5, 4))
    lstm = keras.layers.LSTM(3)
    encoded_a = lstm(a)
    encoded_b = lstm(b)
    return a, b, lstm, encoded_a, encoded_b


@pytest.fixture
def conv_pair():
    """The seed's conv example: one Conv2D called on two image sizes."""
    conv = keras.layers.Conv2D(16, (3, 3), padding="same")
    first = keras.Input((32, 32, 3))
    second = keras.Input((64, 64, 3))
    return conv, first, second, conv(first), conv(second)


@pytest.fixture(scope="module")
def siamese():
    keras.utils.clear_session()
    return builders.build_siamese_lstm()


@pytest.fixture(scope="module")
def siamese_graph(siamese):
    return model_graph(siamese)


# --- node indices and per-node inputs/outputs -----------------------------------------------


def test_node_index_of_counts_calls(lstm_pair):
    _, _, _, encoded_a, encoded_b = lstm_pair
    assert node_index_of(encoded_a) == 0
    assert node_index_of(encoded_b) == 1


def test_origin_of_names_layer_node_and_tensor(lstm_pair):
    _, _, lstm, _, encoded_b = lstm_pair
    origin = origin_of(encoded_b)
    assert origin.operation is lstm
    assert (origin.node_index, origin.tensor_index) == (1, 0)


def test_output_at_and_input_at_return_the_call_tensors(lstm_pair):
    a, b, lstm, encoded_a, encoded_b = lstm_pair
    assert output_at(lstm, 0) is encoded_a
    assert output_at(lstm, 1) is encoded_b
    assert input_at(lstm, 0) is a
    assert input_at(lstm, 1) is b


def test_keras3_layer_output_is_silently_node_0(lstm_pair):
    _, _, lstm, encoded_a, encoded_b = lstm_pair
    # The trap the course warns about: no error, just the first call's output.
    assert lstm.output is encoded_a
    assert lstm.output is not encoded_b


def test_shapes_at_each_node_of_a_conv_called_on_two_sizes(conv_pair):
    conv, *_ = conv_pair
    assert input_shape_at(conv, 0) == (None, 32, 32, 3)
    assert input_shape_at(conv, 1) == (None, 64, 64, 3)
    assert output_shape_at(conv, 0) == (None, 32, 32, 16)
    assert output_shape_at(conv, 1) == (None, 64, 64, 16)


def test_layer_nodes_lists_one_layer_node_per_call(conv_pair):
    conv, first, second, out_first, out_second = conv_pair
    nodes = layer_nodes(conv)
    assert len(nodes) == 2
    assert all(isinstance(node, LayerNode) for node in nodes)
    assert [node.index for node in nodes] == [0, 1]
    assert all(node.layer is conv for node in nodes)
    assert nodes[0].input_shape == (None, 32, 32, 3)
    assert nodes[1].input_shape == (None, 64, 64, 3)
    assert nodes[0].output_shape == (None, 32, 32, 16)
    assert nodes[1].output_shape == (None, 64, 64, 16)
    assert nodes[0].inputs[0] is first and nodes[1].inputs[0] is second
    assert nodes[0].outputs[0] is out_first and nodes[1].outputs[0] is out_second


def test_concatenate_input_shape_is_a_list_of_tuples():
    x1 = keras.Input((3,))
    x2 = keras.Input((5,))
    concatenate = keras.layers.Concatenate()
    concatenate([x1, x2])
    (node,) = layer_nodes(concatenate)
    assert node.input_shape == [(None, 3), (None, 5)]
    assert node.input_shapes == ((None, 3), (None, 5))
    assert node.output_shape == (None, 8)
    assert input_shape_at(concatenate, 0) == [(None, 3), (None, 5)]
    assert input_at(concatenate, 0) == [x1, x2]


# --- errors ---------------------------------------------------------------------------------


def test_node_index_of_rejects_data():
    with pytest.raises(ValueError, match="`tensor`"):
        node_index_of(np.zeros((2, 3)))


def test_output_at_out_of_range_names_node_index_and_node_count(lstm_pair):
    _, _, lstm, _, _ = lstm_pair
    with pytest.raises(ValueError, match="`node_index`") as error:
        output_at(lstm, 2)
    assert "2 node(s)" in str(error.value)


def test_output_at_on_a_layer_never_called():
    with pytest.raises(ValueError, match="no nodes"):
        output_at(keras.layers.Dense(2), 0)


def test_layer_nodes_rejects_a_non_layer():
    with pytest.raises(ValueError, match="`layer`"):
        layer_nodes("not a layer")


@pytest.mark.parametrize("bad_index", ["0", 0.0, True])
def test_node_index_must_be_an_int(lstm_pair, bad_index):
    _, _, lstm, _, _ = lstm_pair
    with pytest.raises(ValueError, match="`node_index` must be an int"):
        output_at(lstm, bad_index)


# --- shared layers --------------------------------------------------------------------------


def test_shared_layers_of_the_siamese_lstm(siamese):
    shared = shared_layers(siamese)
    assert len(shared) == 1
    (item,) = shared
    assert isinstance(item, SharedLayer)
    assert item.layer is siamese.get_layer("shared_lstm")
    assert item.node_indices == (0, 1)
    assert item.num_nodes == 2


def test_shared_layers_of_a_plain_mlp_is_empty():
    assert shared_layers(builders.build_functional_mlp()) == []


def test_shared_layers_finds_a_model_used_twice_as_a_layer():
    model = builders.build_digit_pair_classifier()
    shared = shared_layers(model)
    assert [item.layer for item in shared] == [model.get_layer("vision_model")]
    assert shared[0].layer.name == "vision_model"
    assert shared[0].num_nodes == 2


def test_a_layer_called_in_two_unrelated_models_is_not_shared_within_either():
    dense = keras.layers.Dense(2, name="dense_in_two_models")
    x_a = keras.Input((3,))
    model_a = keras.Model(x_a, dense(x_a))
    x_b = keras.Input((3,))
    model_b = keras.Model(x_b, dense(x_b))
    assert len(layer_nodes(dense)) == 2
    assert shared_layers(model_a) == []
    assert shared_layers(model_b) == []
    assert model_graph(model_a).nodes["dense_in_two_models"]["node_indices"] == (0,)
    assert model_graph(model_b).nodes["dense_in_two_models"]["node_indices"] == (1,)


# --- model_graph ----------------------------------------------------------------------------


def test_model_graph_is_a_digraph_of_the_layers(siamese, siamese_graph):
    assert isinstance(siamese_graph, nx.DiGraph)
    assert set(siamese_graph.nodes) == {layer.name for layer in siamese.layers}
    assert nx.is_directed_acyclic_graph(siamese_graph)


def test_model_graph_edge_out_of_a_shared_layer_carries_both_nodes(siamese_graph):
    edge = siamese_graph.edges["shared_lstm", "merge"]
    assert edge["node_indices"] == (0, 1)
    assert edge["connections"] == (
        Connection(source_node_index=0, tensor_index=0, destination_node_index=0, position=0),
        Connection(source_node_index=1, tensor_index=0, destination_node_index=0, position=1),
    )


def test_model_graph_edges_into_a_shared_layer_name_the_destination_node(siamese_graph):
    (left,) = siamese_graph.edges["left", "shared_lstm"]["connections"]
    (right,) = siamese_graph.edges["right", "shared_lstm"]["connections"]
    assert left.destination_node_index == 0
    assert right.destination_node_index == 1
    assert left.source_node_index == right.source_node_index == 0


def test_model_graph_node_attributes(siamese, siamese_graph):
    nodes = siamese_graph.nodes
    assert nodes["shared_lstm"]["type"] == "LSTM"
    assert nodes["shared_lstm"]["layer"] is siamese.get_layer("shared_lstm")
    assert nodes["shared_lstm"]["shared"] is True
    assert nodes["shared_lstm"]["node_indices"] == (0, 1)
    assert nodes["shared_lstm"]["output_shapes"] == {0: (None, 8), 1: (None, 8)}
    assert nodes["shared_lstm"]["input_shapes"] == {0: (None, None, 16), 1: (None, None, 16)}
    assert nodes["merge"]["input_shapes"] == {0: [(None, 8), (None, 8)]}
    assert nodes["left"]["type"] == "InputLayer"
    for name in ("left", "right"):
        assert nodes[name]["is_input"] is True
        assert nodes[name]["is_output"] is False
        assert nodes[name]["shared"] is False
        assert nodes[name]["depth"] == 0
        assert nodes[name]["output_shapes"] == {0: (None, None, 16)}
    assert nodes["prediction"]["is_output"] is True
    assert nodes["prediction"]["is_input"] is False
    assert nodes["prediction"]["output_shapes"] == {0: (None, 1)}
    assert nodes["prediction"]["num_params"] == siamese.get_layer("prediction").count_params()
    assert [nodes[n]["depth"] for n in ("shared_lstm", "merge", "prediction")] == [1, 2, 3]
    deepest = max(nodes, key=lambda name: nodes[name]["depth"])
    assert deepest == "prediction"
    assert sum(1 for name in nodes if nodes[name]["is_output"]) == 1


def test_model_graph_of_an_inception_module():
    graph = model_graph(builders.build_inception_module())
    assert nx.is_directed_acyclic_graph(graph)
    assert len(list(graph.successors("image"))) == 3
    assert set(graph.predecessors("towers_concatenated")) == {"tower_1", "tower_2", "tower_3"}
    positions = sorted(
        c.position for p in graph.predecessors("towers_concatenated")
        for c in graph.edges[p, "towers_concatenated"]["connections"]
    )
    assert positions == [0, 1, 2]
    assert graph.nodes["image"]["depth"] == 0
    assert graph.nodes["towers_concatenated"]["depth"] == 3
    assert graph.nodes["towers_concatenated"]["output_shapes"] == {0: (None, 16, 16, 24)}
    assert not any(data["shared"] for _, data in graph.nodes(data=True))


def test_model_graph_of_a_sequential_model():
    model = builders.build_sequential_mlp()
    graph = model_graph(model)
    assert list(nx.topological_sort(graph)) == ["features", "hidden_1", "hidden_2", "predictions"]
    assert graph.nodes["features"]["is_input"] is True
    assert graph.nodes["predictions"]["is_output"] is True
    assert list(graph.nodes["predictions"]["output_shapes"].values()) == [(None, 10)]
    assert len(graph.nodes["hidden_1"]["node_indices"]) == 1
    assert shared_layers(model) == []
    assert not any(data["shared"] for _, data in graph.nodes(data=True))


def test_model_graph_of_an_unbuilt_sequential_raises():
    with pytest.raises(ValueError, match="has not been built"):
        model_graph(keras.Sequential([keras.layers.Dense(2)]))


def test_model_graph_of_a_layer_applied_to_its_own_output():
    # A shared layer applied twice in a row, d(d(x)), is a valid Keras model. Collapsing the
    # calls into one graph vertex makes an edge from the layer to itself; model_graph must
    # either represent it or refuse with a documented ValueError, not crash in networkx.
    x = keras.Input((4,), name="x")
    dense = keras.layers.Dense(4, name="twice")
    model = keras.Model(x, dense(dense(x)))
    assert [s.node_indices for s in shared_layers(model)] == [(0, 1)]
    try:
        graph = model_graph(model)
    except ValueError as error:
        assert "twice" in str(error)
    else:
        assert graph.edges["twice", "twice"]["connections"] == (
            Connection(source_node_index=0, tensor_index=0, destination_node_index=1, position=0),
        )


# --- describe_graph -------------------------------------------------------------------------


def test_describe_graph_of_the_siamese_lstm(siamese):
    text = describe_graph(siamese)
    lines = text.splitlines()
    assert lines[0].startswith("Model 'siamese_lstm': 2 inputs")
    assert "1 output," in lines[0] and "1 shared layer" in lines[0]
    assert "shared_lstm (LSTM, shared: 2 nodes)" in text
    assert "node 0: left[0][0]" in text
    assert "node 1: right[0][0]" in text
    assert "shared_lstm[0][0], shared_lstm[1][0]" in text
    assert "prediction (Dense, output)" in text
    assert text.index("node 0: left") < text.index("node 1: right") < text.index("merge")


def test_describe_graph_of_a_plain_model_has_no_shared_layers():
    text = describe_graph(builders.build_functional_mlp())
    first = text.splitlines()[0]
    assert first == "Model 'functional_mlp': 1 input, 1 output, 0 shared layers"
    assert "shared:" not in text
    assert "hidden_1 (Dense): features[0][0] -> (None, 32)" in text


def test_output_names_of_functional_and_sequential_models():
    assert output_names(builders.build_headline_model()) == ["main_output", "aux_output"]
    sequential = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="scores")])
    assert not hasattr(sequential, "output_names")
    assert output_names(sequential) == ["scores"]


def test_output_names_of_an_unbuilt_sequential_model_asks_for_an_input_shape():
    with pytest.raises(ValueError, match="must know its input shape"):
        output_names(keras.Sequential([keras.layers.Dense(2)]))


def test_a_keras_ops_call_in_a_model_is_a_node_without_parameters():
    """`keras.ops.square(x)` in a graph is an operation with no `built` and no weights."""
    inputs = keras.Input((3,), name="features")
    squared = keras.ops.square(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(squared))
    counts = {data["layer"].name: data["num_params"]
              for _, data in model_graph(model).nodes(data=True)}
    assert counts["out"] == 8 and sorted(counts.values()) == [0, 0, 8]

"""Gradebooks and handed-in notebooks refer to cells by grade_id: none may disappear.

The ids below are those of the course as first graded (the answer cells, then the
test cells, of each chapter). A chapter may gain cells, and a test cell may gain
checks, but every one of these ids keeps its cell and its role.
"""

import nbformat
import pytest
from _notebooks import chapter_notebook

GRADED_IDS = {
    "00-welcome": (
        ("ex1_input", "ex2_scores", "ex3_model", "ex4_predict"),
        (
            "ex1_input_shape",
            "ex2_scores_shape",
            "ex3_model_params",
            "ex3_model_connections",
            "ex4_predictions_shape",
        ),
    ),
    "01-sequential-vs-functional": (
        ("ex1_softmax_mlp", "ex2_train", "ex3_twin", "ex4_reuser", "ex5_churn"),
        (
            "ex1_softmax_mlp_layers",
            "ex1_softmax_mlp_params",
            "ex2_compiled_with_sgd",
            "ex2_trained_and_evaluated",
            "ex3_twin_structure",
            "ex3_twin_names",
            "ex4_reuser_calls_a_model",
            "ex4_reuser_shares_weights",
            "ex5_churn_model_io",
            "ex5_churn_model_layers",
        ),
    ),
    "02-multi-input": (
        ("ex1_price_model", "ex2_train_dict", "ex3_list_vs_dict"),
        (
            "ex1_price_model_inputs",
            "ex1_price_model_output",
            "ex1_branches_reach_merge",
            "ex2_train_inputs_dict",
            "ex2_qa_dict_model_trained",
            "ex3_predictions_shape",
            "ex3_list_matches_dict",
        ),
    ),
    "03-multi-output": (
        ("ex1_headline_compile", "ex2_social_compile", "ex3_total_by_hand", "ex4_fix_seed"),
        (
            "ex1_headline_losses",
            "ex1_headline_loss_weights",
            "ex1_headline_weighted_loss",
            "ex2_social_losses",
            "ex2_social_loss_weights",
            "ex2_social_weighted_loss",
            "ex3_per_output_losses",
            "ex3_total_loss",
            "ex4_seed_loss_weights",
            "ex4_seed_model_trained",
        ),
    ),
    "04-dags": (
        ("ex1_inception", "ex2_identity_block", "ex3_projection_block", "ex4_network"),
        (
            "ex1_branches_from_input",
            "ex1_concat_axis",
            "ex1_output_shapes",
            "ex2_identity_shortcut",
            "ex3_projection_shortcut",
            "ex3_output_shapes",
            "ex4_network_shapes",
            "ex4_blocks_in_order",
        ),
    ),
    "05-shared-layers": (
        ("ex1_tweet_model", "ex2_node_index", "ex3_shared_conv", "ex4_pick_node"),
        (
            "ex1_lstm_is_shared",
            "ex1_tweet_model_io",
            "ex2_encoded_document_node",
            "ex2_document_node_value",
            "ex3_conv_is_shared",
            "ex3_node_output_shapes",
            "ex4_right_encoding_node",
            "ex4_right_encoder_io",
        ),
    ),
    "06-models-as-layers": (
        ("ex1_pair_model", "ex2_per_digit", "ex3_video_qa", "ex4_train"),
        (
            "ex1_shared_vision_model",
            "ex1_node_indices",
            "ex1_inputs_outputs",
            "ex2_per_digit_shape",
            "ex2_wraps_digit_classifier",
            "ex3_inputs_outputs",
            "ex3_question_encoder_reused",
            "ex3_vision_model_reused",
            "ex4_accuracy",
            "ex4_history",
        ),
    ),
    "07-capstone": (
        ("ex1_encoder", "ex2_model", "ex3_compile", "ex4_fit"),
        (
            "ex1_residual_shortcut",
            "ex1_encoder_shapes",
            "ex2_inputs_outputs",
            "ex2_shared_encoder",
            "ex2_difference_merge",
            "ex3_losses",
            "ex3_loss_weights",
            "ex3_weighted_loss",
            "ex4_history",
        ),
    ),
    "08-appendix-keras3": (
        ("ex1_inception", "ex2_embedding", "ex3_answers", "ex4_dual_camera", "ex5_port_headline"),
        (
            "ex1_concat_axis",
            "ex1_output_shape",
            "ex1_towers_from_input",
            "ex2_param_count",
            "ex2_embedding_dims",
            "ex3_answers_shape",
            "ex3_one_hot_rows",
            "ex3_several_classes",
            "ex4_input_shapes",
            "ex4_right_camera_feeds",
            "ex5_headline_structure",
            "ex5_loss_weights",
            "ex5_weighted_loss",
        ),
    ),
}


def roles(chapter: str) -> dict[str, str]:
    notebook = nbformat.read(chapter_notebook(chapter), as_version=4)
    found = {}
    for cell in notebook.cells:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if nbgrader.get("grade"):
            found[nbgrader["grade_id"]] = "test"
        elif nbgrader.get("solution"):
            found[nbgrader["grade_id"]] = "answer"
    return found


@pytest.mark.parametrize("chapter", sorted(GRADED_IDS))
def test_every_graded_id_keeps_its_cell_and_role(chapter):
    answers, tests = GRADED_IDS[chapter]
    found = roles(chapter)
    lost = [i for i in answers if found.get(i) != "answer"] + [
        i for i in tests if found.get(i) != "test"
    ]
    assert lost == []

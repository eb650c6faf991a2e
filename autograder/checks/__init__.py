"""Checks for nbgrader test cells, written to the student.

Each check takes the student's object and `name`, the name of the student's
variable, and returns None when the answer is right. When it is wrong it
raises `AssertionError` with a message in the second person that says what
was found, what was expected, and gives a hint about that difference without
handing over the answer. Checks find layers by type, by the input and output
names the exercise asks for, and by how they are connected: never by
auto-generated layer names, never by the order of `model.layers`.

The modules, by concern:

- `structure`: models, input and output names and shapes, parameter
  counts, layer types and required layer names;
- `comparison`: `check_same_structure`, the student's model against the
  solution's own model, setting by setting;
- `sharing`: connections, shared layers and sub-models, node indices;
- `training`: losses, loss weights, the weighted total, compile settings
  and the History of `fit`;
- `messages`: how failures are worded and shown (`require` for exercises not
  answered yet, tracebacks without the check's lines, no cascades);
- `references`: `solution_reference`, the solution's own model;
- `custom`: the student's own classes (custom layers, subclassed models), checked
  through what can be recorded about them as data (`layer_info`, `probe_outputs`).

Example, in a test cell:

>>> from autograder import checks
>>> checks.require("model", exercise=1)
>>> checks.check_shared_layer(model, "LSTM", num_nodes=2, name="model")
"""

from autograder.checks.comparison import check_same_structure
from autograder.checks.custom import (
    LayerInfo,
    check_computes,
    check_config_round_trip,
    check_custom_layer,
    layer_info,
    probe_inputs,
    probe_outputs,
)
from autograder.checks.messages import describe_layer, describe_tensor, fail, require
from autograder.checks.references import solution_reference
from autograder.checks.sharing import (
    check_branches_from_input,
    check_concat_axis,
    check_feeds,
    check_node_index,
    check_residual_shortcut,
    check_shared_layer,
    check_shared_submodel,
)
from autograder.checks.structure import (
    check_input_shapes,
    check_layer_names,
    check_layer_types,
    check_model,
    check_output_shapes,
    check_param_count,
    check_shape,
    layer_named,
)
from autograder.checks.training import (
    check_history,
    check_loss_weights,
    check_losses,
    check_new_model,
    check_same_compile,
    check_weighted_loss,
    output_metrics,
)

__all__ = [
    "LayerInfo",
    "check_branches_from_input",
    "check_computes",
    "check_config_round_trip",
    "check_custom_layer",
    "check_concat_axis",
    "check_feeds",
    "check_history",
    "check_input_shapes",
    "check_layer_names",
    "check_layer_types",
    "check_loss_weights",
    "check_losses",
    "check_model",
    "check_new_model",
    "check_node_index",
    "check_output_shapes",
    "check_param_count",
    "check_residual_shortcut",
    "check_same_compile",
    "check_same_structure",
    "check_shape",
    "check_shared_layer",
    "check_shared_submodel",
    "check_weighted_loss",
    "describe_layer",
    "describe_tensor",
    "fail",
    "layer_info",
    "layer_named",
    "output_metrics",
    "probe_inputs",
    "probe_outputs",
    "require",
    "solution_reference",
]

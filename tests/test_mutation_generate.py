"""The mutant generator and the equivalent-mutant list, on tiny sources (no kernel)."""

from __future__ import annotations

import ast

import pytest

from autograder.mutation import generate, run
from autograder.mutation.generate import mutants

SETUP = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"


def cell(solution: str, setup: str = SETUP, after: str = "") -> str:
    return f"{setup}### BEGIN SOLUTION\n{solution}### END SOLUTION\n{after}"


def by_key(source: str) -> dict[str, str]:
    return {m.key: m.code for m in mutants(source)}


def solution_of(code: str) -> str:
    return generate.split_cell(code)[1]


def test_activation_string_is_swapped_for_a_sibling():
    found = by_key(cell('y = layers.Dense(8, activation="relu")(x)\n'))
    key = "line 1: Dense activation= 'relu' -> 'tanh'"
    assert solution_of(found[key]) == 'y = layers.Dense(8, activation="tanh")(x)\n'


@pytest.mark.parametrize("keyword, value, siblings", [
    ("loss", "categorical_crossentropy", ["binary_crossentropy",
                                          "sparse_categorical_crossentropy"]),
    ("loss", "mse", ["mae"]),
    ("optimizer", "rmsprop", ["adam"]),
    ("padding", "same", ["valid"]),
    ("pooling", "avg", ["max"]),
])
def test_loss_optimizer_padding_pooling_strings(keyword, value, siblings):
    found = by_key(cell(f"f({keyword}='{value}')\n"))
    for sibling in siblings:
        key = f"line 1: f {keyword}= {value!r} -> {sibling!r}"
        assert solution_of(found[key]) == f"f({keyword}='{sibling}')\n"


def test_metric_strings_are_read_in_their_context():
    found = by_key(cell('m.compile(loss="mae", metrics=["mae", "accuracy"])\n'))
    assert "line 1: compile loss= 'mae' -> 'mse'" in found
    assert "line 1: compile metrics=[0] 'mae' -> 'mse'" in found
    assert "line 1: compile metrics=[1] 'accuracy' -> 'mae'" in found


def test_dict_keys_and_names_are_not_swapped():
    found = by_key(cell('f(loss={"mse": "mae"}, name="relu")\n'))
    assert not [k for k in found if "'relu' ->" in k or "'mse' ->" in k]
    assert "line 1: f loss=['mse'] 'mae' -> 'mse'" in found


def test_keras_losses_functions_are_swapped():
    found = by_key(cell("loss = keras.losses.mean_squared_error(y, p)\n"))
    code = found["line 1: losses.mean_squared_error -> losses.mean_absolute_error"]
    assert solution_of(code) == "loss = keras.losses.mean_absolute_error(y, p)\n"


def test_numbers():
    found = by_key(cell("f(8, rate=0.5, axis=-1, flag=True, zero=0)\n"))
    assert solution_of(found["line 1: f arg1 8 -> 9"]) == (
        "f(9, rate=0.5, axis=-1, flag=True, zero=0)\n")
    assert "f(8, rate=1.0," in found["line 1: f rate= 0.5 -> 1.0"]
    assert "axis=-2" in found["line 1: f axis= -1 -> -2"]
    assert "flag=False" in found["line 1: f flag= True -> False"]
    assert "zero=1)" in found["line 1: f zero= 0 -> 1"]


def test_verbose_and_seed_numbers_are_left_alone():
    found = by_key(cell("m.fit(x, y, verbose=0, seed=3)\n"))
    assert not [k for k in found if "verbose= 0" in k or "seed= 3" in k]


def test_conv_kernel_sizes_go_three_to_five():
    found = by_key(cell("a = layers.Conv2D(8, 3)(x)\nb = layers.Conv2D(8, kernel_size=(3, 3))(x)\n"
                        "c = layers.Conv1D(8, 1)(x)\n"))
    assert "layers.Conv2D(8, 5)" in found["line 1: Conv2D arg2 kernel 3 -> 5"]
    assert "kernel_size=(5, 5)" in found["line 2: Conv2D kernel_size= kernel (3, 3) -> (5, 5)"]
    assert "layers.Conv1D(8, 3)" in found["line 3: Conv1D arg2 kernel 1 -> 3"]
    assert not [k for k in found if k.startswith("line 2: Conv2D kernel_size=[")]


def test_lists_tuples_and_targets_are_reversed():
    found = by_key(cell("m = keras.Model([a, b], [c, d])\np, q = f(x)\n"))
    assert "keras.Model([b, a], [c, d])" in found["line 1: reverse Model arg1 list"]
    assert "keras.Model([a, b], [d, c])" in found["line 1: reverse Model arg2 list"]
    assert "keras.Model([c, d], [a, b])" in found["line 1: reverse Model arguments"]
    assert "q, p = f(x)" in found["line 2: reverse assignment target tuple"]


def test_dict_values_are_reversed_with_keys_kept():
    found = by_key(cell('m.compile(loss_weights={"main": 1.0, "aux": 0.2})\n'))
    code = found["line 1: reverse compile loss_weights= dict values"]
    assert '{"main": 0.2, "aux": 1.0}' in code


def test_a_list_of_equal_items_gives_no_mutant():
    found = by_key(cell('m.compile(loss=["mse", "mse"])\n'))
    assert not [k for k in found if "reverse" in k]


def test_each_keyword_argument_is_dropped_with_its_comma():
    source = cell("m.compile(\n    optimizer=o,\n    loss=l,\n    metrics=k,\n)\nf(a=1)\n")
    found = by_key(source)
    assert solution_of(found["line 2: compile drop optimizer="]) == (
        "m.compile(\n    loss=l,\n    metrics=k,\n)\nf(a=1)\n")
    assert solution_of(found["line 3: compile drop loss="]) == (
        "m.compile(\n    optimizer=o,\n    metrics=k,\n)\nf(a=1)\n")
    assert solution_of(found["line 4: compile drop metrics="]) == (
        "m.compile(\n    optimizer=o,\n    loss=l,\n)\nf(a=1)\n")
    assert solution_of(found["line 6: f drop a="]).endswith("f()\n")
    for code in found.values():
        ast.parse(code)


@pytest.mark.parametrize("original, sibling", [
    ("MaxPooling2D", "AveragePooling2D"), ("AveragePooling1D", "MaxPooling1D"),
    ("GlobalAveragePooling2D", "GlobalMaxPooling2D"), ("LSTM", "GRU"), ("GRU", "LSTM"),
    ("Concatenate", "Add"), ("Add", "Subtract"),
])
def test_layer_classes_are_swapped(original, sibling):
    found = by_key(cell(f"y = layers.{original}()(x)\n"))
    assert solution_of(found[f"line 1: {original} -> {sibling}"]) == (
        f"y = layers.{sibling}()(x)\n")


def test_merge_functions_are_swapped_only_as_layers_functions():
    found = by_key(cell("y = layers.concatenate([a, b])\nz = layers.subtract([a, b])\n"
                        "model.add(layers.Dense(1))\n"))
    assert "layers.add([a, b])" in found["line 1: concatenate -> add"]
    assert "layers.add([a, b])" in found["line 2: subtract -> add"]
    assert not [k for k in found if k.startswith("line 3: add ->")]


def test_a_shared_layer_is_replaced_by_a_second_instance():
    source = cell('lstm = layers.LSTM(6, name="shared")\na = lstm(x)\nb = lstm(y)\n')
    found = by_key(source)
    code = found["line 3: new lstm instead of the shared one"]
    assert solution_of(code).endswith("b = layers.LSTM(6)(y)\n")
    assert not [k for k in found if k.startswith("line 2: new lstm")]


def test_an_object_from_the_set_up_lines_is_copied_from_its_constructor():
    source = cell("a = vision(x)\nb = vision(y)\n",
                  setup=SETUP + "vision = builders.build_vision_model()\n")
    found = by_key(source)
    assert solution_of(found["line 1: new vision instead of the shared one"]).startswith(
        "a = builders.build_vision_model()(x)\n")
    assert "b = builders.build_vision_model()(y)" in found[
        "line 2: new vision instead of the shared one"]


def test_an_object_from_an_earlier_cell_is_cloned():
    found = by_key(cell("y = encoder(x)\n"))
    code = found["line 1: new encoder instead of the existing one"]
    assert solution_of(code) == "y = keras.models.clone_model(encoder)(x)\n"


def test_builtins_are_not_treated_as_shared_layers():
    assert not [k for k in by_key(cell("n = float(x)\nm = float(y)\n")) if "new" in k]


def test_a_call_is_made_on_another_tensor():
    source = cell('a = keras.Input((3,))\nb = keras.Input((3,))\nlstm = layers.LSTM(2)\n'
                  'ea = lstm(a)\neb = lstm(b)\n')
    found = by_key(source)
    assert "eb = lstm(a)" in found["line 5: lstm arg1 b -> a"]
    # ea is never passed to a call, so it is no candidate.
    assert [k for k in found if k.startswith("line 5: lstm arg1")] == ["line 5: lstm arg1 b -> a"]
    assert "ea = lstm(b)" in found["line 4: lstm arg1 a -> b"]
    # Layers are not tensors.
    assert not [k for k in found if "-> lstm" in k]


def test_list_items_and_model_outputs_are_swapped_for_other_tensors():
    source = cell("x = keras.Input((4,))\ny = layers.Dense(4)(x)\n"
                  "s = layers.add([y, x])\nm = keras.Model(x, s)\n")
    found = by_key(source)
    assert "layers.add([y, y])" in found["line 3: add arg1[1] x -> y"]
    assert "keras.Model(x, y)" in found["line 4: Model arg2 s -> y"]


def test_only_the_solution_lines_change():
    after = "print(model)\n"
    source = cell('model = f(activation="relu", n=3)\n', after=after)
    found = mutants(source)
    assert found
    for mutant in found:
        before, _, rest = generate.split_cell(mutant.code)
        assert before == SETUP + "### BEGIN SOLUTION\n"
        assert rest == "### END SOLUTION\n" + after


def test_set_up_lines_are_not_mutated():
    found = by_key(cell("y = g(x)\n", setup="keras.utils.set_random_seed(0)\nx = f(3, 'relu')\n"))
    assert not [k for k in found if "3 ->" in k or "'relu'" in k]


def test_a_cell_without_markers_is_all_solution():
    assert by_key("y = np.ones(3)\n") == {"line 1: ones arg1 3 -> 4": "y = np.ones(4)\n"}


def test_print_and_f_strings_are_left_alone():
    found = by_key(cell('print(f"{h[-1]:.2f}", 3, sep=" ")\n'))
    assert found == {}


def test_keys_are_stable_unique_and_codes_distinct():
    source = cell('loss = {"a": "binary_crossentropy", "b": "binary_crossentropy"}\n'
                  "s = layers.Input(shape=(16, 16, 3))\n"
                  "t = 0.25 * a + 0.25 * b\n")
    first, second = mutants(source), mutants(source)
    assert [m.key for m in first] == [m.key for m in second]
    assert len({m.key for m in first}) == len(first)
    assert len({m.code for m in first}) == len(first)
    assert source not in {m.code for m in first}
    assert "line 3: t = 0.25 -> 0.5 (#2)" in {m.key for m in first}


def test_identical_mutated_code_is_kept_once():
    # Dropping the only keyword and reversing a 2-item list of equal names are no-ops
    # or duplicates; the same code appears once.
    found = mutants(cell("y = f([a, a])\n"))
    assert len({m.code for m in found}) == len(found)


def test_unparsable_solution_gives_no_mutants():
    assert mutants(cell("y = (\n")) == []


def test_solution_names_and_inplace_names():
    source = cell("import numpy as np\nx, y = f(a)\nfor i in r: pass\nmodel.fit(x)\n"
                  "z = encoder(x)\nw = float(z)\n", setup="seed = 1\n")
    assert generate.solution_names(source) == ["np", "x", "y", "i", "z", "w"]
    # `f` is called too: a plain function, for which no earlier cell is found to replay.
    assert generate.inplace_names(source) == ["f", "model", "encoder"]


def test_every_course_solution_gives_parsable_distinct_mutants():
    import nbformat

    for chapter in run.chapters():
        notebook = nbformat.read(run.chapter_notebook(chapter), as_version=4)
        for cell_ in notebook.cells:
            if not run.is_solution_cell(cell_):
                continue
            found = mutants(cell_.source)
            assert found, f"{chapter} {run.grade_id(cell_)} has no mutants"
            assert len({m.key for m in found}) == len(found)
            for mutant in found:
                ast.parse("\n".join(line for line in mutant.code.splitlines()
                                    if not line.lstrip().startswith("%")))


# --- the equivalent list ---------------------------------------------------------------

GOOD = '''
[[equivalent]]
chapter = "04-dags"
exercise = "ex1_inception"
mutant = "line 3: Conv2D drop name="
why = "The exercise does not ask for a name."

[[equivalent]]
chapter = "*"
exercise = "*"
mutant = " drop verbose=$"
pattern = true
why = "Only printing."
'''


def write(tmp_path, text):
    path = tmp_path / "equivalent.toml"
    path.write_text(text)
    return path


def test_the_equivalent_list_loads_and_matches(tmp_path):
    entries = run.load_equivalents(write(tmp_path, GOOD), directory=None)
    assert len(entries) == 2
    assert run.equivalent_for(entries, "04-dags", "ex1_inception", "line 3: Conv2D drop name=")
    assert not run.equivalent_for(entries, "08-appendix-keras3", "ex1_inception",
                                  "line 3: Conv2D drop name=")
    assert run.equivalent_for(entries, "01-x", "ex2", "line 6: fit drop verbose=")
    assert not run.equivalent_for(entries, "01-x", "ex2", "line 6: fit drop verbose=0")


@pytest.mark.parametrize("entry, field", [
    ('chapter = "04-dags"\nexercise = "ex1"\nmutant = "m"\n', "why"),
    ('chapter = "04-dags"\nexercise = "ex1"\nmutant = "m"\nwhy = "  "\n', "why"),
    ('exercise = "ex1"\nmutant = "m"\nwhy = "w"\n', "chapter"),
    ('chapter = "04-dags"\nmutant = "m"\nwhy = "w"\n', "exercise"),
    ('chapter = "04-dags"\nexercise = "ex1"\nwhy = "w"\n', "mutant"),
    ('chapter = "04-dags"\nexercise = "ex1"\nmutant = 3\nwhy = "w"\n', "mutant"),
    ('chapter = "c"\nexercise = "e"\nmutant = "m"\nwhy = "w"\npattern = "yes"\n', "pattern"),
    ('chapter = "c"\nexercise = "e"\nmutant = "(("\nwhy = "w"\npattern = true\n', "mutant"),
    ('chapter = "c"\nexercise = "e"\nmutant = "m"\nwhy = "w"\nreason = "x"\n', "reason"),
])
def test_a_bad_equivalent_entry_names_the_field(tmp_path, entry, field):
    with pytest.raises(ValueError, match=field):
        run.load_equivalents(write(tmp_path, "[[equivalent]]\n" + entry), directory=None)


def test_per_chapter_files_are_read_after_the_main_list(tmp_path):
    main = write(tmp_path, GOOD)
    folder = tmp_path / "equivalent"
    folder.mkdir()
    (folder / "chapter_05.toml").write_text(
        '[[equivalent]]\nchapter = "05-shared-layers"\nexercise = "ex1"\nmutant = "m"\n'
        'why = "w"\n')
    (folder / "chapter_06.toml").write_text("# nothing yet\n")
    entries = run.load_equivalents(main, directory=folder)
    assert [e.chapter for e in entries] == ["04-dags", "*", "05-shared-layers"]
    (folder / "chapter_06.toml").write_text('[[equivalent]]\nchapter = "06"\n')
    with pytest.raises(ValueError, match="chapter_06.toml.*exercise"):
        run.load_equivalents(main, directory=folder)


def test_the_course_equivalent_lists_are_valid():
    for entry in run.load_equivalents():
        assert entry.chapter == "*" or entry.chapter in run.chapters(), entry

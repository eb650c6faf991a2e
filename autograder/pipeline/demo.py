"""A sample class built from the course itself, for `kfc-grade --demo`.

The demo class shows what grading does with every kind of submission an
instructor will meet. Its students hand in, in the three shapes `collect`
accepts (a zip file, a folder of renamed notebooks, nbgrader's layout):

- every chapter answered correctly, and every chapter untouched;
- two chapters half answered;
- each common mistake from the course's foundation issue, in the chapter
  that teaches it (`FOUNDATION_MISTAKES`);
- broken notebooks of chapter 00 (`BROKEN`): a syntax error, an exception,
  an infinite loop, a loop that ignores interrupts, a kernel that exits, is
  killed or runs out of memory, invalid JSON, an empty file, deleted,
  duplicated, edited and re-labelled graded cells, the notebook of another
  chapter, and huge outputs;
- notebooks of chapter 00 that cheat or harm (`CHEATS`): check functions and
  NumPy replaced, answers that equal anything, IPython hooks that blank every
  later cell, and code that reads the gradebook and the solutions, overwrites
  reports, kills the grader and leaves a detached process behind.

`tests/test_grading_demo.py` pins the score and status each student gets.

Example:

    folder = build_demo_class(Path("grading/demo-class"), course_root)
"""

from __future__ import annotations

import copy
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from autograder.pipeline.notebooks import cell_grade_id, nbgrader_metadata, write_notebook

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"
# Chapter 03's exercise 1: the book's genre-and-date model, before its compile.
BOOK_MODEL = """text = keras.Input(shape=(None,), dtype="int32", name="text")
book_features = layers.LSTM(16)(layers.Embedding(1000, 16)(text))
genre = layers.Dense(5, activation="softmax", name="genre")(book_features)
date = layers.Dense(1, name="date")(book_features)
book_model = keras.Model(text, [genre, date], name="book_model")
"""

# The seven mistakes the foundation issue lists, each as a whole answer cell.
# tests/mistakes/ replays the same entries against the chapter's graded cells
# (`fails`: graded cell -> a fragment of the message it must give).
FOUNDATION_MISTAKES = {
    "two LSTMs instead of one shared": dict(
        notebook="05-shared-layers/shared_layers.ipynb", cell="ex1_tweet_model",
        why="two LSTMs instead of one shared",
        code=START + """tweet_a = keras.Input(shape=(30, 12), name="tweet_a")
tweet_b = keras.Input(shape=(30, 12), name="tweet_b")
shared_lstm = layers.LSTM(6, name="shared_lstm")
encoded_a = shared_lstm(tweet_a)
encoded_b = layers.LSTM(6, name="shared_lstm_b")(tweet_b)
merged = layers.concatenate([encoded_a, encoded_b], axis=-1)
same_author = layers.Dense(1, activation="sigmoid", name="same_author")(merged)
author_model = keras.Model([tweet_a, tweet_b], same_author)""",
        fails={"ex1_lstm_is_shared": "separate LSTM layers", "ex1_tweet_model_io": "Expected 469"},
    ),
    "loss weights swapped": dict(
        notebook="03-multi-output/multi_output.ipynb", cell="ex1_headline_compile",
        why="loss weights swapped between the outputs",
        code=START + BOOK_MODEL + """book_model.compile(optimizer="rmsprop", \
loss={"genre": "categorical_crossentropy", "date": "mse"}, \
loss_weights={"genre": 0.1, "date": 1.0})""",
        fails={
            "ex1_headline_loss_weights": "weights the losses genre: 0.1, date: 1",
            # The weighted-loss cell repeats the first failure of the exercise (no cascade).
            "ex1_headline_weighted_loss": "weights the losses genre: 0.1, date: 1",
        },
    ),
    "one loss for all outputs": dict(
        notebook="03-multi-output/multi_output.ipynb", cell="ex1_headline_compile",
        why="one loss for all outputs and no weights",
        code=START + BOOK_MODEL + 'book_model.compile(optimizer="rmsprop", loss="mse")',
        fails={
            "ex1_headline_losses": "with one loss, 'mean_squared_error', for all 2 outputs",
            "ex1_headline_loss_weights": "Not checked yet",
            "ex1_headline_weighted_loss": "Not checked yet",
        },
    ),
    "a residual added from the wrong tensor": dict(
        notebook="04-dags/dags.ipynb", cell="ex2_identity_block",
        why="residual added from the last convolution instead of the block input",
        code=START + """block_input = keras.Input(shape=(16, 16, 32), name="block_input")
y = layers.Conv2D(8, 1, padding="same")(block_input)
y = layers.BatchNormalization()(y)
y = layers.ReLU()(y)
y = layers.Conv2D(8, 3, padding="same")(y)
y = layers.BatchNormalization()(y)
y = layers.ReLU()(y)
widened = layers.Conv2D(32, 1, padding="same")(y)
y = layers.BatchNormalization()(widened)
residual_add = layers.add([y, widened], name="residual_add")
block_output = layers.ReLU(name="block_output")(residual_add)
identity_block = keras.Model(block_input, block_output, name="identity_block")""",
        fails={"ex2_identity_shortcut": "Expected one of them to be the shortcut"},
    ),
    "concatenation on axis 1": dict(
        notebook="04-dags/dags.ipynb", cell="ex1_inception",
        why="the seed's concatenation on axis 1 (image height)",
        code=START + """image = keras.Input(shape=(16, 16, 3), name="image")
branch_a = layers.Conv2D(8, 1, padding="same", activation="relu", name="branch_a")(image)
branch_b = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
branch_b = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_b")(branch_b)
branch_c = layers.AveragePooling2D(3, strides=1, padding="same")(image)
branch_c = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_c")(branch_c)
branch_d = layers.Conv2D(8, 1, padding="same", activation="relu")(image)
branch_d = layers.Conv2D(8, 3, padding="same", activation="relu")(branch_d)
branch_d = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_d")(branch_d)
branches = layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=1, name="branches")
inception = keras.Model(image, branches, name="inception")""",
        fails={"ex1_concat_axis": "concatenates along axis 1",
               "ex1_output_shapes": "has shape (None, 64, 16, 8)"},
    ),
    "a node index off by one": dict(
        notebook="05-shared-layers/shared_layers.ipynb", cell="ex2_node_index",
        why="a node index off by one (calls counted from 1)",
        code=START + """encoder = layers.LSTM(4, name="encoder")
query = keras.Input(shape=(None, 8), name="query")
document = keras.Input(shape=(None, 8), name="document")
encoded_query = encoder(query)
encoded_document = encoder(document)
document_node = 2""",
        fails={"ex2_document_node_value": "Your `document_node` is 2"},
    ),
    "a Dense instead of a shared sub-model": dict(
        notebook="06-models-as-layers/models_as_layers.ipynb", cell="ex1_pair_model",
        why="a Dense instead of a shared sub-model: one Dense layer shared by both digits",
        code=START + """vision = builders.build_vision_model()
digit_a = keras.Input(shape=(8, 8, 1), name="digit_a")
digit_b = keras.Input(shape=(8, 8, 1), name="digit_b")
flatten = layers.Flatten()
encoder = layers.Dense(64, activation="relu")
encoded_a = encoder(flatten(digit_a))
encoded_b = encoder(flatten(digit_b))
merged = layers.concatenate([encoded_a, encoded_b], name="merge")
compared = layers.Dense(64, activation="relu", name="compare")(merged)
same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(compared)
pair_model = keras.Model([digit_a, digit_b], same_digit, name="pair_model")
""",
        fails={
            "ex1_shared_vision_model": "has no sub-model (a model used as a layer)",
            "ex1_node_indices": "Expected it to come from `vision`",
            "ex1_inputs_outputs": "0 sub-models (models used as layers) (expected 1)",
        },
    ),
}

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
BROKEN_CHAPTER = "00-welcome"
WRONG_CHAPTER = "01-sequential-vs-functional"


def answered(release, solution, answers: dict[str, str] | None = None,
             unanswered: frozenset[str] = frozenset()) -> NotebookNode:
    """The release notebook with its answer cells filled in as a student would.

    Args:
        release: the chapter's release notebook (from `course/`).
        solution: the chapter's solution notebook (from `solutions/`).
        answers: answer cell grade_id -> code to write there instead of the solution.
        unanswered: answer cells left as the release has them.

    Returns:
        A new notebook.
    """
    answers = answers or {}
    solutions = {cell_grade_id(cell): cell.source for cell in solution.cells}
    notebook = copy.deepcopy(release)
    for cell in notebook.cells:
        grade_id = cell_grade_id(cell)
        if not nbgrader_metadata(cell).get("solution") or grade_id in unanswered:
            continue
        cell.source = answers.get(grade_id, SOLUTION_MARKERS.sub("", solutions[grade_id]))
    return notebook


def _index(notebook, grade_id: str) -> int:
    return next(i for i, cell in enumerate(notebook.cells) if cell_grade_id(cell) == grade_id)


def _insert_after(notebook, grade_id: str, source: str) -> NotebookNode:
    """Adds a code cell after a graded cell, with a fixed id: the class is the same every build,
    so grading it again keeps the grades of what did not change (`jobs.ReuseIndex`)."""
    cell = nbformat.v4.new_code_cell(source)
    cell.id = f"{grade_id}-added"[:64]
    notebook.cells.insert(_index(notebook, grade_id) + 1, cell)
    return notebook


def _edit_answer(notebook, grade_id: str, change: Callable[[str], str]) -> NotebookNode:
    cell = notebook.cells[_index(notebook, grade_id)]
    cell.source = change(cell.source)
    return notebook


def _relabel(notebook, grade_id: str, new_label: str) -> NotebookNode:
    notebook.cells[_index(notebook, grade_id)].metadata.nbgrader["grade_id"] = new_label
    return notebook


def _duplicate(notebook, grade_id: str) -> NotebookNode:
    index = _index(notebook, grade_id)
    twin = copy.deepcopy(notebook.cells[index])
    twin.id = f"{twin.get('id', 'cell')}-copy"
    notebook.cells.insert(index + 1, twin)
    return notebook


def _delete(notebook, grade_id: str) -> NotebookNode:
    del notebook.cells[_index(notebook, grade_id)]
    return notebook


def _edit_test(notebook, grade_id: str) -> NotebookNode:
    notebook.cells[_index(notebook, grade_id)].source = "pass  # my answer is right"
    return notebook


EXITS = "import os\nos._exit(1)"
# SIGKILL is what the kernel gets from Linux's out-of-memory killer.
KILLED = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
MEMORY_HOG = """blocks = []
while True:
    blocks.append(bytearray(2**28))"""
IGNORES_INTERRUPTS = """import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass"""

# Chapter 00's broken notebooks: student -> how the answered notebook is broken.
BROKEN: dict[str, Callable[[NotebookNode], NotebookNode]] = {
    "broken-syntax-error": lambda nb: _edit_answer(
        nb, "ex2_scores", lambda code: code.replace("(inputs)", "(inputs")),
    "broken-exception": lambda nb: _edit_answer(
        nb, "ex3_model", lambda code: code.replace("scores)", "score)")),
    "broken-infinite-loop": lambda nb: _edit_answer(
        nb, "ex4_predict", lambda code: "while True:\n    pass\n" + code),
    "broken-ignores-interrupts": lambda nb: _edit_answer(
        nb, "ex4_predict", lambda code: IGNORES_INTERRUPTS + "\n" + code),
    "broken-kernel-exits": lambda nb: _insert_after(nb, "ex2_scores_shape", EXITS),
    "broken-kernel-killed": lambda nb: _insert_after(nb, "ex1_input_shape", KILLED),
    "broken-out-of-memory": lambda nb: _insert_after(nb, "ex4_predictions_shape", MEMORY_HOG),
    "broken-deleted-test-cell": lambda nb: _delete(nb, "ex3_model_connections"),
    "broken-duplicated-test-cell": lambda nb: _duplicate(nb, "ex2_scores_shape"),
    "broken-edited-test-cell": lambda nb: _edit_test(_edit_answer(
        nb, "ex4_predict", lambda code: code.replace("(5, 8)", "(4, 8)")), "ex4_predictions_shape"),
    "broken-relabelled-test-cell": lambda nb: _relabel(nb, "ex2_scores_shape", "my_scores_check"),
    "broken-huge-output": lambda nb: _insert_after(
        nb, "ex1_input_shape", "for step in range(200_000):\n    print('step', step)"),
    "broken-one-enormous-line": lambda nb: _insert_after(
        nb, "ex1_input_shape", "print('x' * 50_000_000)"),
}


# Chapter 00 notebooks that try to cheat or to harm (`CHEATS`): none earns a point its
# answers did not, reads or writes outside its sandbox, or stops the batch.
PATCHES_AND_FAKES = """from autograder import checks
from autograder.checks import messages
for name in dir(checks):
    if name.startswith(("check_", "require", "solution_reference")):
        setattr(checks, name, lambda *args, **kwargs: None)
messages.fail = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True

class Anything:
    shape = (None, 8)
    def __eq__(self, other):
        return True

inputs = scores = model = predictions = Anything()"""
HOOKS = """shell = get_ipython()
shell.input_transformers_post.append(lambda lines: ["pass\\n"])
original_run_cell = shell.run_cell
shell.run_cell = lambda *args, **kwargs: original_run_cell("pass")"""
HARM = """import glob, os, signal, subprocess, sys
reached = []
for pattern in ["../../../gradebook.db", "../../../source/*/*.ipynb", "../../*/*/*.ipynb",
                "/work/*/solutions/*/*.ipynb", "/root/*", "/home/*"]:
    for path in glob.glob(pattern):
        try:
            open(path, "rb").read(1)
            reached.append(path)
        except OSError:
            pass
for where in ["../../../reports/grades.csv", "../../../nbgrader_config.py"]:
    try:
        open(where, "w").write("overwritten")
        reached.append(where)
    except OSError:
        pass
lingerer = "import time\\nwhile True: time.sleep(1)  # kfc-demo-lingerer"
subprocess.Popen([sys.executable, "-c", lingerer], start_new_session=True,
                 stdout=sys.__stdout__, stderr=sys.__stderr__)
for target in (os.getppid(), -1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
secrets = [name for name in os.environ if "DB" in name or "NBGRADER" in name]
print("reached:", len(reached), "secrets:", len(secrets))"""
CHEATS: dict[str, tuple[bool, str]] = {
    # student -> (answered?, the cell inserted after the setup cell)
    "cheat-patched-checks-and-fakes": (False, PATCHES_AND_FAKES),
    "cheat-ipython-hooks": (False, HOOKS),
    "cheat-reads-kills-and-lingers": (True, HARM),
}


def _notebook(root: Path, folder: str) -> NotebookNode:
    path = next((root / folder).glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


def _release_name(course_root: Path, chapter: str) -> str:
    return next((course_root / "course" / chapter).glob("*.ipynb")).name


def build_demo_class(folder: Path, course_root: Path) -> Path:
    """Writes the demo class's submissions into `folder` (emptied first).

    Args:
        folder: where to write them.
        course_root: the repository, for `solutions/` and `course/`.

    Returns:
        `folder`, ready for `kfc-grade folder`.
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    solutions, course = course_root / "solutions", course_root / "course"
    chapters = sorted(path.name for path in course.iterdir() if path.is_dir())

    def answered_chapter(chapter, **changes):
        return answered(_notebook(course, chapter), _notebook(solutions, chapter), **changes)

    # All correct, as one zip file of chapter folders.
    with zipfile.ZipFile(folder / "ada-all-correct.zip", "w") as bundle:
        for chapter in chapters:
            notebook = answered_chapter(chapter)
            bundle.writestr(f"{chapter}/{_release_name(course_root, chapter)}",
                            nbformat.writes(notebook))
    # The untouched release, in nbgrader's layout.
    for chapter in chapters:
        write_notebook(_notebook(course, chapter),
               folder / "ben-untouched" / chapter / _release_name(course_root, chapter))
    # Half answered, two renamed notebooks in one folder.
    for chapter in chapters[:2]:
        release = _notebook(course, chapter)
        answers = [cell_grade_id(cell) for cell in release.cells
                   if nbgrader_metadata(cell).get("solution")]
        notebook = answered_chapter(chapter, unanswered=frozenset(answers[len(answers) // 2:]))
        write_notebook(notebook, folder / "cleo-partly-correct" / f"cleo {chapter[3:]} final.ipynb")
    # The foundation issue's mistakes.
    for number, mistake in enumerate(FOUNDATION_MISTAKES.values(), start=1):
        chapter, name = mistake["notebook"].split("/")
        notebook = answered_chapter(chapter, answers={mistake["cell"]: mistake["code"]})
        student = f"mistake-{number}-{_slug(mistake['why'])}"
        write_notebook(notebook, folder / student / chapter / name)
    # Broken notebooks of chapter 00.
    name = _release_name(course_root, BROKEN_CHAPTER)
    for student, breaks in BROKEN.items():
        broken_notebook = breaks(answered_chapter(BROKEN_CHAPTER))
        write_notebook(broken_notebook, folder / student / BROKEN_CHAPTER / name)
    text = nbformat.writes(answered_chapter(BROKEN_CHAPTER))
    broken = {
        "broken-invalid-json": text[: len(text) // 2],
        "broken-empty-file": "",
    }
    for student, content in broken.items():
        (folder / student / BROKEN_CHAPTER).mkdir(parents=True)
        (folder / student / BROKEN_CHAPTER / name).write_text(content)
    write_notebook(answered_chapter(WRONG_CHAPTER),
                   folder / "broken-wrong-chapter" / BROKEN_CHAPTER / name)
    for student, (answers, source) in CHEATS.items():
        notebook = answered_chapter(BROKEN_CHAPTER) if answers else _notebook(
            course, BROKEN_CHAPTER)
        write_notebook(_insert_after(notebook, "setup", source),
                       folder / student / BROKEN_CHAPTER / name)
    return folder


def _slug(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-").split("-")
    return "-".join(words[:6])


"""`kfc-lab`: JupyterLab as a student sees it and as the instructor grades in it.

A student's JupyterLab (`kfc-lab`) has nbgrader's Validate and none of the
instructor's tools (Formgrader, Create Assignment, the Course List), and no
Assignment List unless an exchange is set up (without one it shows "Error fetching
courses!"). The instructor's (`kfc-lab --instructor`) runs Formgrader on the grading
workspace kfc-grade wrote, so it lists that gradebook's chapters and students. No
gradebook is created where none was: not by Formgrader, not by the repository's
nbgrader config. The servers run on 127.0.0.1 with their own HOME and Jupyter folders
(tests/_lab.py) and are asked over HTTP; no browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import sys
import warnings
from pathlib import Path

import pytest
from _lab import start_kfc_lab, stop, wait_until_ready
from _notebooks import COURSE, REPOSITORY, chapter_notebook
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning
from traitlets.config.loader import PyFileConfigLoader

from autograder.pipeline import lab
from autograder.pipeline.workspace import Workspace

INSTRUCTOR_ONLY = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list")
EXCHANGE_ONLY = ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu")
VALIDATE = "@jupyter/nbgrader:validate-assignment"
LABEXTENSION = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader"


def gradebooks(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.db"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    """A grading workspace as kfc-grade leaves it: its config, source/, a gradebook with
    one chapter and two students (written directly, without grading anything)."""
    workspace = Workspace(tmp_path_factory.mktemp("grading"), REPOSITORY)
    workspace.write_config()
    shutil.copytree(REPOSITORY / "solutions" / "00-welcome",
                    workspace.root / "source" / "00-welcome")
    with warnings.catch_warnings(), Gradebook(workspace.db_url) as gradebook:
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission, SQLAlchemy 2
        gradebook.add_assignment("00-welcome")
        gradebook.add_notebook("welcome", "00-welcome")
        gradebook.add_solution_cell("ex1", "welcome", "00-welcome")
        gradebook.add_grade_cell("ex1", "welcome", "00-welcome", max_score=2, cell_type="code")
        gradebook.add_student("ada", first_name="Ada", last_name="Lovelace")
        gradebook.add_student("alan")
        gradebook.add_submission("00-welcome", "ada")
    for path in (workspace.submitted_path("ada", "00-welcome", "welcome.ipynb"),
                 workspace.autograded_path("ada", "00-welcome", "welcome.ipynb")):
        path.parent.mkdir(parents=True)
        shutil.copy(chapter_notebook("00-welcome", COURSE), path)
    return workspace


@pytest.fixture(scope="module")
def servers(tmp_path_factory, workspace):
    """Three kfc-lab servers, started at once: a student's as README says (`kfc-lab` in the
    repository), a student's with an exchange in a folder of their own, the instructor's."""
    exchange = tmp_path_factory.mktemp("exchange")
    (exchange / "keras-functional-course" / "outbound" / "00-welcome").mkdir(parents=True)
    mine = tmp_path_factory.mktemp("kfc")
    elsewhere = tmp_path_factory.mktemp("cwd")
    started = {
        "student": start_kfc_lab(home=tmp_path_factory.mktemp("home"), cwd=REPOSITORY),
        "exchange": start_kfc_lab(str(mine), "--exchange", str(exchange),
                                  home=tmp_path_factory.mktemp("home"), cwd=elsewhere),
        "instructor": start_kfc_lab("--instructor", "--workspace", str(workspace.root),
                                    home=tmp_path_factory.mktemp("home"), cwd=elsewhere),
    }
    try:
        for server in started.values():
            wait_until_ready(server)
            server.cwd = elsewhere
        started["exchange"].folder = mine
        yield started
    finally:
        for server in started.values():
            stop(server.process)


@pytest.fixture(scope="module")
def student(servers):
    return servers["student"]


@pytest.fixture(scope="module")
def instructor(servers):
    return servers["instructor"]


def test_nbgrader_plugin_ids_are_those_of_the_installed_labextension():
    """The ids kfc-lab's configs disable exist in nbgrader's labextension (renamed ones would
    be silently ignored), and Validate is the notebook toolbar's button labelled Validate."""
    bundle = "".join(path.read_text(errors="replace")
                     for path in (LABEXTENSION / "static").glob("*.js"))
    declared = set(re.findall(r'id:"(@jupyter/nbgrader:[\w-]+)"', bundle))
    declared |= set(re.findall(r'"(@jupyter/nbgrader:formgrader)"', bundle))
    assert declared == set(lab.NBGRADER_PLUGINS)
    for role in ("student", "instructor", "exchange"):
        page = json.loads((REPOSITORY / "jupyter" / role / "labconfig" / "page_config.json")
                          .read_text())
        assert set(page["disabledExtensions"]) - {
            "@jupyterlab/apputils-extension:announcements"} <= declared, role
    assert 'className:"validate-button",label:"Validate"' in bundle
    assert 'e.toolbar.insertItem(n,"runAll",s)' in bundle, "Validate left the notebook toolbar"


def test_header_names_the_validate_button_and_says_how_to_hand_in():
    header = "".join(json.loads((REPOSITORY / "solutions" / "header.ipynb").read_text())
                     ["cells"][0]["source"])
    flat = " ".join(header.split())
    assert "Assignments toolbar" not in flat
    assert "**Validate**" in flat and "notebook's toolbar" in flat
    assert "Handing in" in flat and ".ipynb" in flat
    assert "Nbgrader → Assignment List" in flat and "**Submit**" in flat
    assert "nbgrader submit" in flat
    release = chapter_notebook("00-welcome", COURSE).read_text()
    assert "Handing in" in release, "course/ was not regenerated from the new header"


def test_student_lab_disables_the_instructor_plugins_and_keeps_validate(student):
    disabled = set(student.page_config()["disabledExtensions"])
    assert set(INSTRUCTOR_ONLY) <= disabled
    assert set(EXCHANGE_ONLY) <= disabled, "no exchange: the Assignment List would fail"
    assert VALIDATE not in disabled


def test_student_server_has_validate_and_no_formgrader_or_assignment_list(student):
    assert student.get("formgrader/api/assignments")[0] == 404
    assert student.get("formgrader")[0] == 404
    assert student.get("formgraders")[0] == 404  # the Course List's
    assert student.get("courses")[0] == 404  # the Assignment List's
    assert student.json("nbgrader_version?version=" + nbgrader_version()) == {"success": True}
    assert student.get("assignments/validate")[0] == 405  # there, for POST only
    assert student.page_config()["serverRoot"] == str(COURSE)
    assert gradebooks(REPOSITORY) == [] and gradebooks(COURSE) == []


def test_student_lab_with_an_exchange_has_the_assignment_list(servers):
    server = servers["exchange"]
    disabled = set(server.page_config()["disabledExtensions"])
    assert set(INSTRUCTOR_ONLY) <= disabled
    assert not disabled & set(EXCHANGE_ONLY)
    assert server.json("courses") == {"success": True, "value": ["keras-functional-course"]}
    assert server.get("formgrader/api/assignments")[0] == 404
    assert server.page_config()["serverRoot"] == str(server.folder)
    assert gradebooks(server.folder) == [] and gradebooks(server.cwd) == []


def test_instructor_formgrader_lists_the_workspace_class(instructor, workspace):
    assignments = instructor.json("formgrader/api/assignments")
    students = instructor.json("formgrader/api/students")
    assert [(item["name"], item["num_submissions"]) for item in assignments] == [
        ("00-welcome", 1)]
    assert sorted(item["id"] for item in students) == ["ada", "alan"]
    disabled = set(instructor.page_config()["disabledExtensions"])
    assert not disabled & {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:menu", VALIDATE}
    assert "@jupyter/nbgrader:assignment-list" in disabled, "no exchange for the instructor"
    assert gradebooks(workspace.root) == [workspace.root / "gradebook.db"]
    assert gradebooks(instructor.cwd) == [] and gradebooks(REPOSITORY) == []


def test_instructor_grades_and_comments_go_to_the_workspace_gradebook(instructor, workspace):
    """Formgrader's manual grading writes where kfc-grade reads: the workspace gradebook."""
    (submission,) = instructor.json("formgrader/api/submitted_notebooks/00-welcome/welcome")
    assert submission["student"] == "ada"
    (comment,) = instructor.json(f"formgrader/api/comments?submission_id={submission['id']}")
    (grade,) = instructor.json(f"formgrader/api/grades?submission_id={submission['id']}")
    assert instructor.request("PUT", f"formgrader/api/comment/{comment['id']}",
                              {"manual_comment": "Good use of the graph."})[0] == 200
    assert instructor.request("PUT", f"formgrader/api/grade/{grade['id']}",
                              {"manual_score": 1.5})[0] == 200
    connection = sqlite3.connect(workspace.root / "gradebook.db")
    try:
        comments = connection.execute("select manual_comment from comment").fetchall()
        scores = connection.execute("select manual_score from grade").fetchall()
    finally:
        connection.close()
    assert comments == [("Good use of the graph.",)] and scores == [(1.5,)]


def test_instructor_without_a_workspace_says_to_run_kfc_grade_first(tmp_path, capsys):
    assert lab.main(["--instructor", "--workspace", str(tmp_path / "none")]) == 2
    message = capsys.readouterr().err
    assert message.startswith(f"kfc-lab: There is no grading workspace in {tmp_path / 'none'} "
                              "yet: grade the class with kfc-grade first")
    assert f"run `kfc-lab --instructor --workspace {tmp_path / 'none'}` again" in message
    assert not (tmp_path / "none").exists()


def test_instructor_with_a_workspace_but_no_gradebook_creates_none(tmp_path, capsys):
    workspace = Workspace(tmp_path / "ws", REPOSITORY)
    workspace.root.mkdir()
    workspace.write_config()
    assert lab.main(["--instructor", "--workspace", str(workspace.root)]) == 2
    message = capsys.readouterr().err
    assert message.startswith(f"kfc-lab: The gradebook {workspace.root / 'gradebook.db'} does "
                              "not exist yet: grade the class with kfc-grade first")
    assert gradebooks(workspace.root) == []


def test_instructor_db_replaces_the_recorded_gradebook_url(tmp_path):
    workspace = Workspace(tmp_path / "ws", REPOSITORY)
    workspace.root.mkdir()
    workspace.write_config()
    other = tmp_path / "class.db"
    Gradebook(f"sqlite:///{other}").close()
    arguments, extra = lab.parser().parse_known_args(
        ["--instructor", "--workspace", str(workspace.root), "--db", f"sqlite:///{other}"])
    launch = lab.plan(arguments, extra)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(workspace.root)).load_config()
    assert config.CourseDirectory.db_url == f"sqlite:///{other}"
    assert config.CourseDirectory.root == str(workspace.root)
    assert launch.cwd == workspace.root and gradebooks(workspace.root) == []
    assert f"--ServerApp.root_dir={workspace.root}" in launch.command


@pytest.mark.parametrize("argv, sentence", [
    (["--db", "sqlite:///x.db"], "--workspace and --db are for the instructor's Formgrader"),
    (["--instructor", "course"], "--instructor opens the grading workspace"),
    (["no-such-folder"], "There is no folder"),
    (["course", "extra"], "kfc-lab does not know what 'extra' is"),
])
def test_wrong_commands_get_one_sentence(argv, sentence, capsys, monkeypatch):
    monkeypatch.chdir(REPOSITORY)
    assert lab.main(argv) == 2
    message = capsys.readouterr().err
    assert sentence in message and message.count("\n") == 1, message


def test_an_exchange_in_the_students_own_nbgrader_config_turns_the_assignment_list_on(
        tmp_path, monkeypatch):
    config = tmp_path / "jupyter-config"
    config.mkdir()
    (config / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(tmp_path)!r}\n")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    monkeypatch.delenv("NBGRADER_EXCHANGE", raising=False)
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    with_exchange = lab.student_launch(REPOSITORY, tmp_path, None)
    (config / "nbgrader_config.py").write_text("c = get_config()\n")
    without = lab.student_launch(REPOSITORY, tmp_path, None)
    layers = [path.split(os.sep)[-1]
              for path in with_exchange.environment["JUPYTER_CONFIG_PATH"].split(os.pathsep)]
    assert layers == ["exchange", "student"]
    assert with_exchange.environment["NBGRADER_EXCHANGE"] == str(tmp_path)
    if not lab.NBGRADER_DEFAULT_EXCHANGE.is_dir():
        assert without.environment == {
            "JUPYTER_CONFIG_PATH": str(REPOSITORY / "jupyter" / "student")}


def test_the_repository_config_never_creates_a_gradebook(tmp_path):
    """nbgrader or Formgrader started at the repository root opens kfc-grade's default
    gradebook if it exists and creates none (nbgrader's default makes gradebook.db there)."""
    shutil.copy(REPOSITORY / "nbgrader_config.py", tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    url = config.CourseDirectory.db_url
    with pytest.raises(Exception, match="unable to open database file"):
        Gradebook(url)
    (tmp_path / "grading").mkdir()
    with pytest.raises(Exception, match="unable to open database file"):
        Gradebook(url)
    assert list(tmp_path.rglob("*.db")) == []
    Gradebook(f"sqlite:///{tmp_path / 'grading' / 'gradebook.db'}").close()
    with Gradebook(url) as gradebook:
        gradebook.add_student("ada")
    with Gradebook(f"sqlite:///{tmp_path / 'grading' / 'gradebook.db'}") as gradebook:
        assert [student.id for student in gradebook.students] == ["ada"]


def nbgrader_version() -> str:
    import nbgrader

    return nbgrader.__version__

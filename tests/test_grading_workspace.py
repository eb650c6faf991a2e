"""The grading workspace: its config (overrides, written afresh, loud when it fails to load),
its database check, and forgetting a submission."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.pipeline import forkserver
from autograder.pipeline.forkserver import ForkedProcess
from autograder.pipeline.workspace import (
    InstructorError,
    Limits,
    Workspace,
    check_database,
    command_environment,
    last_error_line,
)


def test_only_the_limits_given_override_the_course_config():
    assert Limits().config_lines() == ""
    assert Limits(cell_timeout=30, cpu_limit_seconds=60).config_lines() == (
        "c.GuardedExecute.timeout = 30\nc.GuardedExecute.cpu_limit_seconds = 60\n"
    )


def test_a_reachable_database_passes(tmp_path):
    check_database(f"sqlite:///{tmp_path / 'gradebook.db'}")


def test_an_unreachable_database_says_what_to_do(tmp_path):
    with pytest.raises(InstructorError, match=r"Could not reach the gradebook database .*--db"):
        check_database(f"sqlite:///{tmp_path / 'no' / 'such' / 'gradebook.db'}")


def test_the_last_error_line_of_a_log_is_picked():
    log = "[AutogradeApp | INFO] start\n[AutogradeApp | ERROR] There was an error\nbye\n"
    assert last_error_line(log) == "[AutogradeApp | ERROR] There was an error"
    assert last_error_line("") == "no output"


# The workspace config: written afresh before every nbgrader call, and loud when it fails


def course_with_config(tmp_path, text: str) -> Path:
    """A course root whose nbgrader_config.py is `text` (and no chapter)."""
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(text)
    return course


def prepared(tmp_path, config_text: str) -> Workspace:
    workspace = Workspace(tmp_path / "ws", course_with_config(tmp_path, config_text))
    workspace.prepare(Limits())
    return workspace


def test_a_course_config_with_a_syntax_error_stops_the_run_with_one_sentence(tmp_path):
    workspace = prepared(tmp_path, "c = get_config()\nc.GuardedExecute.timeout = (\n")
    with pytest.raises(InstructorError) as raised:
        workspace.nbgrader("list")  # any nbgrader command
    config = workspace.course_root / "nbgrader_config.py"
    assert str(raised.value) == (
        f"nbgrader could not load its config: {config} failed (SyntaxError: '(' was never "
        f"closed, at {config}, line 2): fix that file and run kfc-grade again; nbgrader would "
        "otherwise grade with its own defaults, without the course's limits.")


def test_a_course_config_that_raises_stops_the_run_with_one_sentence(tmp_path):
    workspace = prepared(tmp_path, "c = get_config()\nimport no_such_module_here\n")
    with pytest.raises(InstructorError, match=(
            r"^nbgrader could not load its config: .*/course/nbgrader_config.py failed "
            r"\(ModuleNotFoundError: No module named 'no_such_module_here', at .*"
            r"nbgrader_config.py, line 2\): fix that file")):
        workspace.nbgrader("list")  # any nbgrader command


def test_inside_a_fork_server_commands_are_forked_and_fail_the_same_way(tmp_path, monkeypatch):
    """kfc-grade forks nbgrader from one server: a config failure still stops the run."""
    forked = []
    with forkserver.serving(command_environment()) as server:
        spawn = server.spawn
        monkeypatch.setattr(server, "spawn", lambda *a, **k: forked.append(spawn(*a, **k))
                            or forked[-1])
        good = prepared(tmp_path / "good", "c = get_config()\n")
        result = good.nbgrader("list")
        assert Workspace.CONFIG_LOADED in result.log and "nbgrader list" in result.log
        broken = prepared(tmp_path / "broken", "c = get_config()\nc.GuardedExecute.timeout = (\n")
        with pytest.raises(InstructorError, match=r"SyntaxError: '\(' was never closed"):
            broken.nbgrader("list")
    assert len(forked) == 2 and all(isinstance(p, ForkedProcess) for p in forked), (
        "both commands were forked from the server, not started afresh")


def test_the_workspace_config_is_written_afresh_before_each_call(tmp_path):
    workspace = prepared(tmp_path, "c = get_config()\n")
    config = workspace.root / "nbgrader_config.py"
    written = config.read_text()
    tampered = tmp_path / "tampered.py"
    tampered.write_text("c = get_config()\nc.Autograde.autograde_preprocessors = []\n(\n")
    config.unlink()
    config.symlink_to(tampered)  # what a kernel could have left in the workspace
    result = workspace.nbgrader("list")  # any command: this one opens no gradebook
    assert Workspace.CONFIG_LOADED in result.log
    assert not config.is_symlink() and config.read_text() == written
    assert tampered.read_text().endswith("(\n"), "a link in its place leads nowhere"


def test_a_missing_course_config_stops_the_run(tmp_path):
    workspace = prepared(tmp_path, "c = get_config()\n")
    (workspace.course_root / "nbgrader_config.py").unlink()
    with pytest.raises(InstructorError, match=r"^The course's nbgrader config .* is missing: put "
                                              r"it back"):
        workspace.nbgrader("list")  # any nbgrader command


CONFIG = "/course/nbgrader_config.py"
LOGGED_FAILURE = f"""[ExportApp | ERROR] Exception while loading config file /ws/nbgrader_config.py
    Traceback (most recent call last):
      File "/venv/traitlets/config/loader.py", line 658, in _read_file_as_dict
        exec(compile(f.read(), conf_filename, "exec"), namespace, namespace)
      File "/ws/nbgrader_config.py", line 3, in <module>
        load_subconfig('{CONFIG}')
      File "{CONFIG}", line 7, in <module>
        undefined_name
    NameError: name 'undefined_name' is not defined
[ExportApp | INFO] Using exporter: CsvExportPlugin
"""


def test_a_config_failure_is_read_from_the_log(tmp_path):
    workspace = Workspace(tmp_path / "ws", tmp_path)
    assert workspace.config_failure(f"{Workspace.CONFIG_LOADED}\nfine\n", Path(CONFIG)) is None
    forged = f"{Workspace.CONFIG_LOADED}\n[AutogradeApp | INFO] kernel started\n{LOGGED_FAILURE}"
    assert workspace.config_failure(forged, Path(CONFIG)) is None, (
        "what a kernel writes after the config loaded cannot stop the batch")
    assert workspace.config_failure(LOGGED_FAILURE, Path("/ws/nbgrader_config.py")) == (
        f"nbgrader could not load its config: {CONFIG} failed (NameError: name "
        f"'undefined_name' is not defined, at {CONFIG}, line 7): fix that file and run "
        "kfc-grade again; nbgrader would otherwise grade with its own defaults, without the "
        "course's limits.")
    assert workspace.config_failure("[NbGraderApp | ERROR] nope\n", Path(CONFIG), 3) == (
        f"nbgrader did not finish reading its config {CONFIG} (it exited with status 3: "
        "[NbGraderApp | ERROR] nope): check nbgrader_config.py in the course and run kfc-grade "
        "again; nbgrader would otherwise grade with its own defaults, without the course's "
        "limits.")


def test_nbgraders_export_into_the_reports_and_its_failure(tmp_path):
    """The export is nbgrader's CSV exporter run in this process; a database it cannot open
    is a failed result with the reason, not an exception."""
    workspace = prepared(tmp_path, "c = get_config()\n")
    assert workspace.export().ok
    header = (workspace.reports / "nbgrader-grades.csv").read_text().splitlines()[0]
    assert header.startswith("assignment,duedate,timestamp,student_id")
    broken = Workspace(tmp_path / "other", tmp_path,
                       db_url=f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}")
    broken.reports.mkdir(parents=True)
    result = broken.export()
    assert not result.ok and "OperationalError" in result.log

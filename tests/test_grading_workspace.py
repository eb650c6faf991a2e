"""The grading workspace's config overrides and its database check."""

from __future__ import annotations

import pytest

from autograder.pipeline.workspace import InstructorError, Limits, check_database, last_error_line


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

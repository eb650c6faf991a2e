"""Collecting a class's notebooks from the shapes instructors receive them in."""

from __future__ import annotations

import zipfile

import nbformat
import pytest
from _notebooks import COURSE, chapter_notebook, chapters

from autograder.pipeline.collect import (
    UNKNOWN_CHAPTER,
    assign,
    claimed_chapter,
    collect,
    student_id,
)
from autograder.pipeline.notebooks import GRADED, MISSING, NOT_GRADED, REPAIRED

NAMES = {chapter: chapter_notebook(chapter, COURSE).name for chapter in chapters()}
WELCOME, SEQUENTIAL = "00-welcome", "01-sequential-vs-functional"


@pytest.fixture(scope="module")
def releases():
    return {chapter: nbformat.read(chapter_notebook(chapter, COURSE), as_version=4)
            for chapter in chapters()}


def release_text(chapter: str) -> str:
    return chapter_notebook(chapter, COURSE).read_text()


def put(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def by_student(submissions):
    return {(s.student, s.chapter): s for s in submissions}


def test_nbgraders_submitted_layout(tmp_path, releases):
    put(tmp_path / "in" / "submitted" / "ada" / WELCOME / NAMES[WELCOME], release_text(WELCOME))
    received = collect(tmp_path / "in", tmp_path / "received", NAMES)
    assert [(r.student, r.claimed_chapter, r.label) for r in received] == [
        ("ada", WELCOME, f"ada/{WELCOME}/{NAMES[WELCOME]}")]
    assert received[0].path.is_relative_to(tmp_path / "received")
    submissions = assign(received, releases, NAMES)
    assert [(s.student, s.chapter, s.findings) for s in submissions] == [("ada", WELCOME, [])]


def test_a_folder_per_student_with_renamed_notebooks(tmp_path, releases):
    put(tmp_path / "in" / "Ben Bit" / "week 1" / "my welcome.ipynb", release_text(WELCOME))
    put(tmp_path / "in" / "Ben Bit" / "seq.ipynb", release_text(SEQUENTIAL))
    put(tmp_path / "in" / "Ben Bit" / "notes.txt", "not a notebook")
    put(tmp_path / "in" / "Ben Bit" / ".ipynb_checkpoints" / "seq-checkpoint.ipynb", "{}")
    submissions = assign(collect(tmp_path / "in", tmp_path / "r", NAMES), releases, NAMES)
    assert sorted(by_student(submissions)) == [("Ben-Bit", WELCOME), ("Ben-Bit", SEQUENTIAL)]


def test_one_notebook_or_zip_per_student(tmp_path, releases):
    put(tmp_path / "in" / "cleo.ipynb", release_text(WELCOME))
    with zipfile.ZipFile(tmp_path / "in" / "dan.zip", "w") as bundle:
        bundle.writestr(f"{WELCOME}/{NAMES[WELCOME]}", release_text(WELCOME))
        bundle.writestr(f"__MACOSX/{WELCOME}/._{NAMES[WELCOME]}", "junk")
        bundle.writestr(f"work/{NAMES[SEQUENTIAL]}", release_text(SEQUENTIAL))
    received = collect(tmp_path / "in", tmp_path / "r", NAMES)
    assert [(r.student, r.claimed_chapter) for r in received] == [
        ("cleo", None), ("dan", WELCOME), ("dan", SEQUENTIAL)]
    assert received[1].label == f"dan.zip:{WELCOME}/{NAMES[WELCOME]}"
    submissions = by_student(assign(received, releases, NAMES))
    assert sorted(submissions) == [("cleo", WELCOME), ("dan", WELCOME), ("dan", SEQUENTIAL)]


def test_a_broken_zip_is_reported_not_graded(tmp_path, releases):
    put(tmp_path / "in" / "eve.zip", "this is not a zip file")
    submissions = assign(collect(tmp_path / "in", tmp_path / "r", NAMES), releases, NAMES)
    assert [(s.student, s.chapter, s.notebook) for s in submissions] == [
        ("eve", UNKNOWN_CHAPTER, None)]
    assert submissions[0].findings[0].status == NOT_GRADED
    assert "is not a zip file that holds a notebook" in submissions[0].findings[0].reason


def test_a_notebook_filed_under_another_chapter_is_graded_as_its_own(tmp_path, releases):
    put(tmp_path / "in" / "finn" / WELCOME / NAMES[WELCOME], release_text(SEQUENTIAL))
    submissions = by_student(assign(collect(tmp_path / "in", tmp_path / "r", NAMES),
                                    releases, NAMES))
    graded = submissions["finn", SEQUENTIAL]
    assert graded.notebook is not None
    assert graded.findings[0].status == REPAIRED
    assert f"was handed in for {WELCOME} but is the notebook of {SEQUENTIAL}" in (
        graded.findings[0].reason)
    empty = submissions["finn", WELCOME]
    assert empty.notebook is None
    assert empty.findings[0].status == MISSING
    assert f"is {SEQUENTIAL}'s; it was graded there" in empty.findings[0].reason


def test_of_two_notebooks_for_a_chapter_the_one_in_place_is_graded(tmp_path, releases):
    put(tmp_path / "in" / "gus" / WELCOME / NAMES[WELCOME], release_text(WELCOME))
    put(tmp_path / "in" / "gus" / WELCOME / "welcome-Copy1.ipynb", release_text(WELCOME))
    submissions = assign(collect(tmp_path / "in", tmp_path / "r", NAMES), releases, NAMES)
    assert len(submissions) == 1
    assert submissions[0].label == f"gus/{WELCOME}/{NAMES[WELCOME]}"
    assert submissions[0].findings[0].status == GRADED
    assert "2 notebooks were handed in" in submissions[0].findings[0].reason


def test_an_empty_notebook_in_a_chapter_folder_is_reported_for_that_chapter(tmp_path, releases):
    put(tmp_path / "in" / "hana" / WELCOME / NAMES[WELCOME], "")
    submissions = assign(collect(tmp_path / "in", tmp_path / "r", NAMES), releases, NAMES)
    assert [(s.student, s.chapter, s.notebook) for s in submissions] == [("hana", WELCOME, None)]
    assert "is empty" in submissions[0].findings[0].reason


def test_a_notebook_that_is_no_chapter_is_reported(tmp_path, releases):
    put(tmp_path / "in" / "ivo.ipynb", nbformat.writes(nbformat.v4.new_notebook()))
    submissions = assign(collect(tmp_path / "in", tmp_path / "r", NAMES), releases, NAMES)
    assert submissions[0].chapter == UNKNOWN_CHAPTER
    assert "is not one of the course's notebooks" in submissions[0].findings[0].reason


def test_the_instructors_folder_is_left_as_it_was(tmp_path):
    put(tmp_path / "in" / "jo" / NAMES[WELCOME], release_text(WELCOME))
    before = sorted(path.name for path in (tmp_path / "in").rglob("*"))
    collect(tmp_path / "in", tmp_path / "r", NAMES)
    assert sorted(path.name for path in (tmp_path / "in").rglob("*")) == before


def test_a_missing_folder_gets_a_sentence(tmp_path):
    with pytest.raises(ValueError, match="There is no folder .*: give the folder that holds"):
        collect(tmp_path / "nowhere", tmp_path / "r", NAMES)


@pytest.mark.parametrize("name, expected", [
    ("ada", "ada"), ("Ada Lovelace", "Ada-Lovelace"), ("o'brien (2)", "o-brien-2"),
    ("***", "student"), ("a*b[c]", "a-b-c"),
])
def test_student_ids_are_safe_folder_names(name, expected):
    assert student_id(name) == expected


def test_student_names_that_clash_get_distinct_ids(tmp_path):
    put(tmp_path / "in" / "a b" / NAMES[WELCOME], release_text(WELCOME))
    put(tmp_path / "in" / "a-b" / NAMES[WELCOME], release_text(WELCOME))
    received = collect(tmp_path / "in", tmp_path / "r", NAMES)
    assert sorted(r.student for r in received) == ["a-b", "a-b_"]


def test_claimed_chapter_reads_folders_then_the_file_name():
    assert claimed_chapter((WELCOME, "anything.ipynb"), NAMES) == WELCOME
    assert claimed_chapter(("week1", NAMES[SEQUENTIAL]), NAMES) == SEQUENTIAL
    assert claimed_chapter(("work.ipynb",), NAMES) is None

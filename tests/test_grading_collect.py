"""Collecting a class's notebooks from the shapes instructors receive them in."""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import shutil
import stat
import unicodedata
import zipfile

import nbformat
import pytest
from _notebooks import COURSE, SOLUTIONS, chapter_notebook, chapters

from autograder.pipeline.collect import (
    MAX_ID_LENGTH,
    MAX_STUDENT_FILES,
    UNKNOWN_CHAPTER,
    assign,
    claimed_chapter,
    collect,
    student_id,
    student_ids,
)
from autograder.pipeline.collect import _copy_capped as copy_capped
from autograder.pipeline.notebooks import (
    GRADED,
    MAX_NOTEBOOK_BYTES,
    MISSING,
    NOT_GRADED,
    REPAIRED,
)
from autograder.pipeline.report import Row, write_grades_csv

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
    hashed = "a-b-" + hashlib.sha256(b"a b").hexdigest()[:8]
    assert sorted(r.student for r in received) == ["a-b", hashed], (
        "the name spelled as the id keeps it; the other gets a hash of its own name"
    )


def test_claimed_chapter_reads_folders_then_the_file_name():
    assert claimed_chapter((WELCOME, "anything.ipynb"), NAMES) == WELCOME
    assert claimed_chapter(("week1", NAMES[SEQUENTIAL]), NAMES) == SEQUENTIAL
    assert claimed_chapter(("work.ipynb",), NAMES) is None


# Any file name: long, hidden, accented, not UTF-8; nothing dropped without a row


def rows(tmp_path, releases):
    """(student, chapter) -> (status, reason) as `report.Row` would show them."""
    submissions = assign(collect(tmp_path / "in", tmp_path / "r", NAMES), releases, NAMES)
    return {(s.student, s.chapter): Row(s.student, s.chapter, 0, 0, s.findings, source=s.label)
            for s in submissions}, submissions


def test_very_long_names_get_short_stable_ids_and_are_graded(tmp_path, releases):
    long_file = "Ada " + "a" * 240 + ".ipynb"
    long_folder = "Ben " + "b" * 240
    put(tmp_path / "in" / long_file, release_text(WELCOME))
    put(tmp_path / "in" / long_folder / ("c" * 245 + ".ipynb"), release_text(WELCOME))
    with zipfile.ZipFile(tmp_path / "in" / "cleo.zip", "w") as bundle:
        bundle.writestr("d" * 240 + "/" + "e" * 240 + ".ipynb", release_text(WELCOME))
    received = collect(tmp_path / "in", tmp_path / "r", NAMES)
    assert len(received) == 3
    for item in received:
        assert len(item.student) <= MAX_ID_LENGTH
        assert re.fullmatch(r"[A-Za-z0-9_.@-]+", item.student)
        assert item.path.is_file() and len(item.path.name) < 100
        assert item.path.is_relative_to(tmp_path / "r")
    assert received[0].student == student_id(long_file[:-len(".ipynb")])
    assert received[0].student.startswith("Ada-aaaa")
    again = collect(tmp_path / "in", tmp_path / "r2", NAMES)
    assert [r.student for r in again] == [r.student for r in received], "stable"
    submissions = assign(received, releases, NAMES)
    assert all(s.notebook is not None and s.findings == [] for s in submissions)


def test_hidden_names_are_students_and_tool_artefacts_are_skipped(tmp_path, releases):
    inside = tmp_path / "in"
    put(inside / ".alice.ipynb", release_text(WELCOME))
    put(inside / ".bob" / NAMES[WELCOME], release_text(WELCOME))
    put(inside / ".bob" / ".secret" / NAMES[SEQUENTIAL], release_text(SEQUENTIAL))
    put(inside / "cleo" / NAMES[WELCOME], release_text(WELCOME))
    for junk in (".DS_Store", ".git/config", ".ipynb_checkpoints/x-checkpoint.ipynb",
                 "__MACOSX/cleo/._welcome.ipynb", "cleo/.ipynb_checkpoints/a.ipynb",
                 "cleo/.git/hooks/a.ipynb", "cleo/._" + NAMES[WELCOME]):
        put(inside / junk, "junk")
    found, submissions = rows(tmp_path, releases)
    assert sorted(found) == [("alice", WELCOME), ("bob", WELCOME), ("bob", SEQUENTIAL),
                             ("cleo", WELCOME)]
    assert all(s.notebook is not None and s.findings == [] for s in submissions)
    assert {s.label for s in submissions} >= {".alice.ipynb", ".bob/.secret/" + NAMES[SEQUENTIAL]}


def test_names_equal_after_unicode_folding_get_distinct_stable_ids(tmp_path, releases):
    nfc, nfd = unicodedata.normalize("NFC", "José"), unicodedata.normalize("NFD", "José")
    assert nfc != nfd
    names = [nfc, nfd, "Jose", "Zoë Ñ", "李雷"]
    for name in names:
        put(tmp_path / "in" / name / NAMES[WELCOME], release_text(WELCOME))
    found, _ = rows(tmp_path, releases)
    ids = sorted(student for student, _ in found)
    assert len(set(ids)) == len(names), ids
    assert "Jose" in ids, "an ASCII name keeps its name"
    assert all(re.fullmatch(r"[A-Za-z0-9_.@-]+", student) for student in ids)
    assert student_id(nfc).startswith("Jose-") and student_id(nfd).startswith("Jose-")
    assert student_id("李雷").startswith("student-")
    # The same id whatever else is handed in, and in whatever order.
    assert student_ids([nfd]) == {nfd: student_id(nfd)}
    assert student_ids(reversed(names)) == student_ids(names)
    shutil.rmtree(tmp_path / "in" / nfc)
    alone = collect(tmp_path / "in", tmp_path / "r", NAMES)
    assert sorted(r.student for r in alone) == sorted(set(ids) - {student_id(nfc)})


def test_ids_that_only_clash_after_folding_are_order_independent():
    names = ["a b", "a-b", "a  b", "***", "student", "###"]
    ids = student_ids(names)
    assert ids["a-b"] == "a-b" and ids["student"] == "student"
    assert len(set(ids.values())) == len(names)
    assert student_ids(sorted(names, reverse=True)) == ids


def test_a_name_that_is_not_utf8_or_holds_control_characters_is_shown_safely(tmp_path,
                                                                             releases):
    (tmp_path / "in").mkdir()
    odd = os.fsdecode(b"caf\xe9\x1b[2J")
    (tmp_path / "in" / f"{odd}.ipynb").write_text(release_text(WELCOME))
    (tmp_path / "in" / "new\nline.ipynb").write_text("")
    found, submissions = rows(tmp_path, releases)
    labels = sorted(s.label for s in submissions)
    assert labels == ["caf\ufffd\\x1b[2J.ipynb", "new\\nline.ipynb"]
    write_grades_csv(list(found.values()), tmp_path / "grades.csv")
    assert "caf\ufffd" in (tmp_path / "grades.csv").read_text(encoding="utf-8")


def test_a_student_folder_without_a_notebook_gets_a_row(tmp_path, releases):
    put(tmp_path / "in" / "dora" / "answers.pdf", "%PDF")
    (tmp_path / "in" / "emil").mkdir()
    found, _ = rows(tmp_path, releases)
    assert sorted(found) == [("dora", UNKNOWN_CHAPTER), ("emil", UNKNOWN_CHAPTER)]
    row = found["dora", UNKNOWN_CHAPTER]
    assert row.status == NOT_GRADED
    assert row.reason.startswith("dora/ holds no notebook (.ipynb) or zip file")


# Symbolic links are never followed


def test_symbolic_links_are_refused_and_reported(tmp_path, releases):
    solution = chapter_notebook(WELCOME, SOLUTIONS)
    inside, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    put(elsewhere / "bob" / WELCOME / NAMES[WELCOME], release_text(WELCOME))
    inside.mkdir()
    (inside / "mallory.ipynb").symlink_to(solution)
    (inside / "trudy").symlink_to(elsewhere / "bob")
    put(inside / "oscar" / "notes.txt", "")
    (inside / "oscar" / WELCOME).mkdir()
    (inside / "oscar" / WELCOME / NAMES[WELCOME]).symlink_to(
        elsewhere / "bob" / WELCOME / NAMES[WELCOME])
    (inside / "oscar" / "week2").symlink_to(elsewhere / "bob" / WELCOME)
    (inside / "peggy").mkdir()
    (inside / "peggy" / "seq.ipynb").write_text(release_text(SEQUENTIAL))
    (inside / "peggy" / NAMES[WELCOME]).symlink_to(solution)
    found, submissions = rows(tmp_path, releases)
    assert sorted(found) == [
        ("mallory", UNKNOWN_CHAPTER), ("oscar", WELCOME), ("oscar", UNKNOWN_CHAPTER),
        ("peggy", WELCOME), ("peggy", SEQUENTIAL), ("trudy", UNKNOWN_CHAPTER)]
    assert found["mallory", UNKNOWN_CHAPTER].reason == (
        f"mallory.ipynb is a symbolic link to {solution}; links are not followed: ask the "
        "student to submit the notebook file itself")
    assert found["trudy", UNKNOWN_CHAPTER].reason.startswith("trudy is a symbolic link to ")
    assert found["oscar", WELCOME].reason.startswith(
        f"oscar/{WELCOME}/{NAMES[WELCOME]} is a symbolic link to ")
    assert found["oscar", UNKNOWN_CHAPTER].reason.startswith("oscar/week2 is a symbolic link")
    for key in [("mallory", UNKNOWN_CHAPTER), ("trudy", UNKNOWN_CHAPTER),
                ("oscar", WELCOME), ("peggy", WELCOME)]:
        assert found[key].status == NOT_GRADED, key
    assert [s.notebook for s in submissions if s.student != "peggy"] == [None] * 4
    assert not [path for path in (tmp_path / "r").rglob("*") if path.is_file()
                and "peggy" not in path.parts], "nothing behind a link was copied"


def test_a_symbolic_link_inside_a_zip_is_refused(tmp_path, releases):
    link = zipfile.ZipInfo(f"{WELCOME}/{NAMES[WELCOME]}")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    (tmp_path / "in").mkdir()
    with zipfile.ZipFile(tmp_path / "in" / "vic.zip", "w") as bundle:
        bundle.writestr(link, "../../../solutions/00-welcome/welcome.ipynb")
    found, _ = rows(tmp_path, releases)
    row = found["vic", WELCOME]
    assert (row.status, row.reason) == (NOT_GRADED, (
        f"vic.zip:{WELCOME}/{NAMES[WELCOME]} is a symbolic link in the zip; links are not "
        "followed: ask the student to submit the notebook file itself"))


# Size caps and zip members that try to leave the workspace


def test_a_notebook_over_the_size_cap_is_not_copied(tmp_path, releases):
    put(tmp_path / "in" / "walt" / NAMES[WELCOME], "")
    with (tmp_path / "in" / "walt" / NAMES[WELCOME]).open("r+b") as handle:
        handle.truncate(MAX_NOTEBOOK_BYTES + 1)  # sparse: nothing written
    found, _ = rows(tmp_path, releases)
    row = found["walt", WELCOME]
    assert row.status == NOT_GRADED
    assert row.reason.startswith(f"walt/{NAMES[WELCOME]} is 20.0 MB, over the 20 MB a notebook "
                                 "may be: ask the student to clear its outputs")
    assert not list((tmp_path / "r").rglob("*.ipynb"))


def test_a_zip_bomb_cannot_fill_the_disk(tmp_path, releases):
    (tmp_path / "in").mkdir()
    with zipfile.ZipFile(tmp_path / "in" / "zed.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"{WELCOME}/{NAMES[WELCOME]}", b"0" * (MAX_NOTEBOOK_BYTES + 1))
        bundle.writestr("other.ipynb", release_text(SEQUENTIAL))
    assert (tmp_path / "in" / "zed.zip").stat().st_size < 100_000
    # A second bomb whose headers claim a small size.
    lying = (tmp_path / "in" / "zed.zip").read_bytes().replace(
        (MAX_NOTEBOOK_BYTES + 1).to_bytes(4, "little"), (1000).to_bytes(4, "little"))
    (tmp_path / "in" / "yan.zip").write_bytes(lying)
    found, _ = rows(tmp_path, releases)
    said = found["zed", WELCOME]
    assert said.status == NOT_GRADED
    assert said.reason.startswith(f"zed.zip:{WELCOME}/{NAMES[WELCOME]} is 20.0 MB, over the")
    lied = found["yan", WELCOME]
    assert lied.status == NOT_GRADED
    assert lied.reason.startswith(f"yan.zip:{WELCOME}/{NAMES[WELCOME]} could not be read")
    assert found["zed", SEQUENTIAL].status == GRADED, "the rest of the zip is still read"
    written = sum(path.stat().st_size for path in (tmp_path / "r").rglob("*") if path.is_file())
    assert written < 1_000_000


def test_a_copy_stops_at_the_cap_whatever_the_source_announced(tmp_path):
    assert copy_capped(lambda: io.BytesIO(b"x" * 11), tmp_path / "copy", 10) is None
    assert copy_capped(lambda: io.BytesIO(b"x" * 10), tmp_path / "copy", 10) == 10


def test_a_student_with_too_many_notebooks_is_stopped_with_a_row(tmp_path, releases):
    (tmp_path / "in").mkdir()
    with zipfile.ZipFile(tmp_path / "in" / "xia.zip", "w") as bundle:
        for number in range(MAX_STUDENT_FILES + 5):
            bundle.writestr(f"copies/{number:03d}.ipynb", "{}")
    received = collect(tmp_path / "in", tmp_path / "r", NAMES)
    assert len(received) == MAX_STUDENT_FILES + 1
    last = received[-1]
    assert last.problem.status == NOT_GRADED
    assert last.problem.reason.startswith(
        f"xia.zip:copies/{MAX_STUDENT_FILES:03d}.ipynb and the files after it were not read")


def test_zip_members_with_absolute_paths_or_dot_dot_stay_inside(tmp_path, releases):
    (tmp_path / "in").mkdir()
    with zipfile.ZipFile(tmp_path / "in" / "yuri.zip", "w") as bundle:
        bundle.writestr(zipfile.ZipInfo("../../escaped.ipynb"), release_text(WELCOME))
        bundle.writestr(zipfile.ZipInfo(f"/tmp/{SEQUENTIAL}/absolute.ipynb"),
                        release_text(SEQUENTIAL))
    received = collect(tmp_path / "in", tmp_path / "r" / "received", NAMES)
    assert [r.label for r in received] == [
        "yuri.zip:../../escaped.ipynb", f"yuri.zip:/tmp/{SEQUENTIAL}/absolute.ipynb"]
    assert received[1].claimed_chapter == SEQUENTIAL
    assert all(r.path.is_relative_to(tmp_path / "r" / "received") for r in received)
    everything = {path.name for path in tmp_path.rglob("*")}
    assert "escaped.ipynb" not in everything and "absolute.ipynb" not in everything
    assert not (tmp_path / "escaped.ipynb").exists()
    submissions = assign(received, releases, NAMES)
    assert [(s.chapter, s.notebook is not None) for s in submissions] == [
        (WELCOME, True), (SEQUENTIAL, True)]


def test_an_nbformat_3_notebook_is_converted_and_graded(tmp_path, releases):
    old = nbformat.convert(copy.deepcopy(releases[WELCOME]), 3)
    put(tmp_path / "in" / "olga" / NAMES[WELCOME], nbformat.writes(old, version=3))
    found, submissions = rows(tmp_path, releases)
    assert submissions[0].notebook is not None and submissions[0].notebook.nbformat == 4
    row = found["olga", WELCOME]
    assert row.status == GRADED
    assert row.reason == (f"olga/{NAMES[WELCOME]} was saved in notebook format 3 (an older "
                          "Jupyter); it was converted to format 4 and graded")

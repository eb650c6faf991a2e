"""Finding each student's notebooks in a folder of submissions, and which chapter each one is.

Instructors receive submissions in different shapes. `collect` accepts a folder
that holds any of:

- nbgrader's layout, `submitted/<student>/<chapter>/<notebook>.ipynb` (the
  folder itself, or a folder with a `submitted/` inside);
- one folder per student, with the student's notebooks or zip files anywhere
  inside it: `<student>/dags.ipynb`, `<student>/week4/dags.ipynb`;
- one file per student: `<student>.ipynb` or `<student>.zip`.

In nbgrader's layout, a `timestamp.txt` beside the notebooks
(`<student>/<chapter>/timestamp.txt`, as `nbgrader submit` and
`autograder.pipeline.exchange.gather` write it) gives the submission's time, so
the chapter's due date and late penalty apply (`autograder.pipeline.schedule`).

The student is the name of the top folder or file, made into a folder-safe id
(`student_ids`): the same name always gets the same id, and two names get two
ids, whatever else was handed in. The chapter of a notebook is read from its
contents (its graded cells), so a renamed file still counts; the folder or file
name it came in only decides for a notebook that cannot be read. Every notebook
found is copied into the workspace, so the instructor's folder is never
changed.

Nothing handed in is dropped without a row: only tool artefacts
(`TOOL_ARTEFACTS`, such as `.ipynb_checkpoints` or `__MACOSX`, and macOS's `._`
copies) are skipped. What cannot be graded is still `Received`, with the
finding that says why:

- a symbolic link (to the solution, a classmate's notebook, a folder) is never
  followed;
- a notebook over `MAX_NOTEBOOK_BYTES` (checked from the zip header, and again
  on the bytes actually read, so a zip bomb cannot fill the disk), or a
  student's files past `MAX_STUDENT_BYTES` or `MAX_STUDENT_FILES`;
- a zip that cannot be opened or holds no notebook, a file that cannot be read.

Copies get short names of their own, so any file or zip member name (very
long, `..`, an absolute path, bytes that are not UTF-8) stays inside the
workspace; in messages, names are shown with `notebooks.printable`.

Example:

    received = collect(Path("downloads"), workspace / "received", chapters)
    submissions = assign(received, releases)
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from nbformat.notebooknode import NotebookNode

from autograder.pipeline.notebooks import (
    GRADED,
    MAX_NOTEBOOK_BYTES,
    MISSING,
    NOT_GRADED,
    REPAIRED,
    Finding,
    identify_chapter,
    printable,
    read_notebook,
    too_large,
)

UNKNOWN_CHAPTER = "unknown"
SUFFIXES = (".ipynb", ".zip")
# Files and folders that tools make, skipped at any depth, in folders and in zips.
TOOL_ARTEFACTS = frozenset({
    ".ipynb_checkpoints", ".virtual_documents", "__pycache__", ".DS_Store", "__MACOSX",
    ".git", ".hg", ".svn", ".Trashes", ".Spotlight-V100", ".fseventsd", "Thumbs.db",
    "desktop.ini",
})
# What one student's files may add up to, copied or unzipped into the workspace.
MAX_STUDENT_BYTES = 100 * 2**20
MAX_STUDENT_FILES = 50
MAX_ID_LENGTH = 48
TIMESTAMP_FILE = "timestamp.txt"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"  # nbgrader's timestamp.txt, always in UTC here
MAX_TIMESTAMP_BYTES = 200
_HASH_LENGTH = 8
_COPY_NAME_LENGTH = 60
_CHUNK = 2**20


@dataclass
class Received:
    """One notebook file as the instructor received it, or what kept it from being read.

    Args:
        student: the student's id (a safe folder name).
        path: the copy of the file in the workspace; None when `problem` is set.
        label: where it came from, relative to the submissions folder (zip members as
            `alice.zip:dags.ipynb`), printable.
        claimed_chapter: the chapter its folder or file name points to, if any.
        problem: why it was not copied (a link, too large, unreadable), status `not-graded`.
        timestamp: when it was handed in, in nbgrader's `timestamp.txt` format (UTC), from
            the `timestamp.txt` of its `<student>/<chapter>/` folder; None when there is none.
        note: what the instructor should know about its time stamp (one that could not be
            read), or None.
    """

    student: str
    path: Path | None
    label: str
    claimed_chapter: str | None
    problem: Finding | None = None
    timestamp: str | None = None
    note: Finding | None = None


@dataclass
class Submission:
    """What one student handed in for one chapter, ready to grade or to report.

    Args:
        student: the student's id.
        chapter: the chapter (nbgrader assignment) it is graded as.
        notebook: the notebook to grade, or None when there is nothing gradable.
        findings: what the instructor should know about it, before grading.
        label: the file it came from.
        timestamp: when it was handed in (nbgrader's `timestamp.txt` format), or None.
    """

    student: str
    chapter: str
    notebook: NotebookNode | None
    findings: list[Finding] = field(default_factory=list)
    label: str = ""
    timestamp: str | None = None


def _name_hash(name: str, length: int = _HASH_LENGTH) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _fold(name: str) -> str:
    """`name` in letters, digits and `_.@-` only: accents dropped, the rest made dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_.@-]+", "-", ascii_name).strip("-.") or "student"


def _hashed(name: str, length: int = _HASH_LENGTH) -> str:
    prefix = _fold(name)[:max(MAX_ID_LENGTH - length - 1, 8)].rstrip("-.") or "student"
    return f"{prefix}-{_name_hash(name, length)}"


def student_id(name: str) -> str:
    """A folder-safe student id from one file or folder name ('Ada Lovelace' -> 'Ada-Lovelace').

    A name that is not plain ASCII ('José', in either Unicode normalisation) or is
    longer than `MAX_ID_LENGTH` gets a short hash of the exact name after its folded
    form ('Jose-1b2c3d4e'), so it never becomes the id of another name.
    """
    folded = _fold(name)
    if len(folded) > MAX_ID_LENGTH or not name.isascii():
        return _hashed(name)
    return folded


def student_ids(names: Iterable[str]) -> dict[str, str]:
    """Distinct ids for distinct names: name -> `student_id(name)`, unless that collides.

    When names fold to the same id ('a b' and 'a-b'), the one spelled exactly as the
    id keeps it and the others get a hash of their name, so an id depends only on the
    names handed in, never on their order.
    """
    ids = {name: student_id(name) for name in set(names)}
    for length in range(_HASH_LENGTH, 65, _HASH_LENGTH):
        holders: dict[str, list[str]] = {}
        for name, given in ids.items():
            holders.setdefault(given, []).append(name)
        clashes = [name for given, group in holders.items() if len(group) > 1
                   for name in group if name != given]
        for name in clashes:
            ids[name] = _hashed(name, length)
        if not clashes:
            break
    return ids


def claimed_chapter(parts: tuple[str, ...], chapters: dict[str, str]) -> str | None:
    """The chapter a path points to: a folder named after a chapter, or the notebook's name.

    Args:
        parts: the path's parts below the student.
        chapters: chapter -> its notebook's file name (e.g. "04-dags" -> "dags.ipynb").
    """
    for part in parts[:-1]:
        if part in chapters:
            return part
    by_notebook = {notebook: chapter for chapter, notebook in chapters.items()}
    return by_notebook.get(parts[-1]) if parts else None


def is_artefact(name: str, siblings: Iterable[str] = ()) -> bool:
    """Whether a file or folder name is a tool's, not the student's: `TOOL_ARTEFACTS`,
    and macOS's `._name` copy of a `name` beside it."""
    return name in TOOL_ARTEFACTS or (name.startswith("._") and name[2:] in siblings)


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _submissions_root(folder: Path) -> Path:
    inner = folder / "submitted"
    return inner if inner.is_dir() else folder


def _student_name(entry: os.DirEntry) -> str:
    """The name a top-level entry stands for: a folder's name, a file's without `.ipynb`/`.zip`."""
    if entry.is_dir(follow_symlinks=False) or _suffix(entry.name) not in SUFFIXES:
        return entry.name
    return entry.name[: -len(_suffix(entry.name))]


def _is_candidate(entry: os.DirEntry, siblings: set[str]) -> bool:
    """Whether a top-level entry is a student's: a folder, a notebook, a zip, or any link."""
    if is_artefact(entry.name, siblings):
        return False
    return (entry.is_symlink() or entry.is_dir(follow_symlinks=False)
            or _suffix(entry.name) in SUFFIXES)


def _scan(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def collect(folder: Path, destination: Path, chapters: dict[str, str]) -> list[Received]:
    """Copies every student notebook under `folder` into `destination/<student>/`.

    Args:
        folder: the instructor's folder of submissions.
        destination: where the copies go (emptied first).
        chapters: chapter -> its notebook's file name.

    Returns:
        One `Received` per notebook (or per file that could not be taken, with its
        problem), sorted by student and label.

    Raises:
        ValueError: if `folder` is not a folder.
    """
    if not folder.is_dir():
        raise ValueError(
            f"There is no folder {folder}: give the folder that holds the students' "
            "notebooks, zip files, or nbgrader's submitted/ layout."
        )
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    root = _submissions_root(folder)
    entries = _scan(root)
    siblings = {entry.name for entry in entries}
    entries = [entry for entry in entries if _is_candidate(entry, siblings)]
    ids = student_ids(_student_name(entry) for entry in entries)
    students: dict[str, _Student] = {}
    for entry in entries:
        student_id_ = ids[_student_name(entry)]
        student = students.setdefault(
            student_id_, _Student(student_id_, destination / student_id_ / "files", chapters))
        student.take_entry(Path(entry.path), entry.name)
    received = [item for student in students.values() for item in student.received]
    return sorted(received, key=lambda item: (item.student, item.label))


class _Student:
    """Takes one student's files into the workspace, within the student's budget."""

    def __init__(self, student: str, target: Path, chapters: dict[str, str]):
        self.student = student
        self.target = target
        self.chapters = chapters
        self.received: list[Received] = []
        self.files = 0
        self.bytes = 0
        self.over_budget = False

    def refuse(self, label: str, reason: str, parts: tuple[str, ...] = ()) -> None:
        self.received.append(Received(self.student, None, label,
                                      claimed_chapter(parts, self.chapters),
                                      Finding(NOT_GRADED, reason)))

    def refuse_link(self, path: Path, label: str, parts: tuple[str, ...]) -> None:
        try:
            target = f" to {printable(os.readlink(path))[:160]}"
        except OSError:
            target = ""
        self.refuse(label, (
            f"{label} is a symbolic link{target}; links are not followed: ask the student "
            "to submit the notebook file itself"
        ), parts)

    def take_entry(self, path: Path, name: str) -> None:
        """A top-level entry: a link, a folder of the student's, a notebook or a zip."""
        label = printable(name)
        if path.is_symlink():
            self.refuse_link(path, label, ())
        elif path.is_dir():
            self.take_folder(path, label)
        else:
            self.take_file(path, label, ())

    def take_folder(self, top: Path, top_label: str) -> None:
        """Every notebook and zip under `top`, depth first in name order, links refused."""
        found = len(self.received)
        stack: list[tuple[Path, tuple[str, ...]]] = [(top, ())]
        while stack:
            folder, parts = stack.pop()
            label = "/".join([top_label, *map(printable, parts)])
            try:
                entries = _scan(folder)
            except OSError as error:
                self.refuse(label + "/", f"{label}/ could not be read ({error.strerror}): "
                                         "check its permissions", parts + ("",))
                continue
            siblings = {entry.name for entry in entries}
            folders = []
            for entry in entries:
                if is_artefact(entry.name, siblings):
                    continue
                inner = (*parts, entry.name)
                path = Path(entry.path)
                entry_label = f"{label}/{printable(entry.name)}"
                if entry.is_symlink():
                    self.refuse_link(path, entry_label, inner)
                elif entry.is_dir(follow_symlinks=False):
                    folders.append((path, inner))
                elif _suffix(entry.name) in SUFFIXES:
                    self.take_file(path, entry_label, inner)
            stack.extend(reversed(folders))
        if len(self.received) == found:
            self.refuse(top_label + "/", (
                f"{top_label}/ holds no notebook (.ipynb) or zip file: ask the student to "
                "submit the chapter's .ipynb file"
            ))

    def take_file(self, path: Path, label: str, parts: tuple[str, ...]) -> None:
        try:
            status = path.lstat()
        except OSError as error:
            self.refuse(label, f"{label} could not be read ({error.strerror})", parts)
            return
        if not stat.S_ISREG(status.st_mode):
            self.refuse(label, (
                f"{label} is not a regular file (a device, socket or pipe): ask the student "
                "to submit the notebook file itself"
            ), parts)
        elif _suffix(path.name) == ".zip":
            self.take_zip(path, label, parts[:-1])
        else:
            self.take(label, parts, status.st_size, lambda: open(  # noqa: SIM115
                os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb"), path.name)
        if len(parts) == 2 and parts[0] in self.chapters and self.received and (
                self.received[-1].label == label and self.received[-1].path is not None):
            self.received[-1].timestamp, self.received[-1].note = _timestamp(
                path.parent / TIMESTAMP_FILE, label.rsplit("/", 1)[0])

    def take(self, label: str, parts: tuple[str, ...], size: int,
             opener: Callable[[], BinaryIO], name: str) -> None:
        """Copies one notebook, if the caps allow: its size as announced, then as read."""
        if self.over_budget:
            return
        if size > MAX_NOTEBOOK_BYTES:
            self.refuse(label, too_large(label, size).reason, parts)
            return
        room = MAX_STUDENT_BYTES - self.bytes
        if self.files >= MAX_STUDENT_FILES or size > room:
            self.over_budget = True
            self.refuse(label, (
                f"{label} and the files after it were not read: this student's files go past "
                f"{MAX_STUDENT_FILES} notebooks or {MAX_STUDENT_BYTES // 2**20} MB in all; "
                "ask the student to submit only the chapter's notebooks"
            ), parts)
            return
        self.files += 1
        copy = self.target / _copy_name(self.files, name)
        copy.parent.mkdir(parents=True, exist_ok=True)
        limit = min(MAX_NOTEBOOK_BYTES, room)
        try:
            written = _copy_capped(opener, copy, limit)
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError,
                NotImplementedError) as error:
            copy.unlink(missing_ok=True)
            detail = printable(str(error))[:160] or type(error).__name__
            self.refuse(label, f"{label} could not be read ({detail})", parts)
            return
        if written is None:
            copy.unlink(missing_ok=True)
            self.refuse(label, (
                f"{label} holds more than the {size} bytes it announced: it was read up to "
                f"{limit / 2**20:.1f} MB and dropped; ask the student to submit the notebook again"
            ), parts)
            return
        self.bytes += written
        self.received.append(Received(self.student, copy, label,
                                      claimed_chapter(parts, self.chapters)))

    def take_zip(self, archive: Path, label: str, prefix: tuple[str, ...]) -> None:
        """The notebooks in a zip file; its members' names only label them."""
        found = len(self.received)
        try:
            with zipfile.ZipFile(archive) as bundle:
                members = sorted(bundle.infolist(), key=lambda info: info.filename)
                beside: dict[PurePosixPath, set[str]] = {}
                for info in members:
                    path = PurePosixPath(info.filename)
                    beside.setdefault(path.parent, set()).add(path.name)
                for info in members:
                    path = PurePosixPath(info.filename)
                    parts = tuple(part for part in path.parts if part not in ("/", "..", "."))
                    if info.is_dir() or any(is_artefact(part) for part in parts[:-1]) or (
                            is_artefact(path.name, beside[path.parent])):
                        continue
                    member_label = f"{label}:{printable(info.filename)}"
                    if stat.S_ISLNK(info.external_attr >> 16):
                        self.refuse(member_label, (
                            f"{member_label} is a symbolic link in the zip; links are not "
                            "followed: ask the student to submit the notebook file itself"
                        ), prefix + parts)
                    elif _suffix(path.name) == ".ipynb":
                        self.take(member_label, prefix + parts, info.file_size,
                                  lambda info=info: bundle.open(info), path.name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
                NotImplementedError, ValueError) as error:
            self.refuse(label, (
                f"{label} is not a zip file that holds a notebook (it could not be opened: "
                f"{printable(str(error))[:160]}): ask the student to submit the .ipynb file"
            ))
            return
        if len(self.received) == found:
            self.refuse(label, (
                f"{label} is not a zip file that holds a notebook (no .ipynb file in it): "
                "ask the student to submit the .ipynb file"
            ))


def _timestamp(path: Path, folder_label: str) -> tuple[str | None, Finding | None]:
    """The submission time in a `timestamp.txt` (nbgrader's format, UTC), and a note if unreadable.

    A missing file is no time (the submission is never late); one that is a link, too
    large or not a time nbgrader can read is also no time, with a note saying so.
    """
    from nbgrader.utils import parse_utc

    try:
        status = path.lstat()
    except OSError:
        return None, None
    unreadable = Finding(GRADED, (
        f"{folder_label}/{TIMESTAMP_FILE} is not a submission time nbgrader can read; it was "
        "graded as handed in on time"))
    if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_TIMESTAMP_BYTES:
        return None, unreadable
    try:
        moment = parse_utc(path.read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError, ValueError, OverflowError, TypeError, AttributeError):
        return None, unreadable
    if moment is None:
        return None, unreadable
    return moment.strftime(TIMESTAMP_FORMAT), None


def _copy_name(number: int, name: str) -> str:
    """A short, safe name for the copy of file `number`: `003-my-notebook.ipynb`."""
    suffix = _suffix(name) if _suffix(name) in SUFFIXES else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    return f"{number:03d}-{_fold(stem)[:_COPY_NAME_LENGTH]}{suffix}"


def _copy_capped(opener: Callable[[], BinaryIO], copy: Path, limit: int) -> int | None:
    """Copies what `opener` gives into `copy`; None (and a partial file) past `limit` bytes."""
    written = 0
    with opener() as source, copy.open("wb") as target:
        while chunk := source.read(min(_CHUNK, limit + 1 - written)):
            written += len(chunk)
            if written > limit:
                return None
            target.write(chunk)
    return written


def assign(received: list[Received], releases: dict[str, NotebookNode],
           notebook_names: dict[str, str]) -> list[Submission]:
    """Decides which chapter each received notebook is graded as, one submission per chapter.

    A notebook counts for the chapter its graded cells belong to, so one filed
    under the wrong chapter is graded as its own. When a student hands in two
    notebooks for a chapter, the readable one filed in the right place with the
    chapter's file name is graded, and the finding names the other. A file that
    could not be taken (`Received.problem`) counts for the chapter its place
    names, or `unknown`.

    Args:
        received: the collected notebooks.
        releases: chapter -> its release notebook.
        notebook_names: chapter -> its notebook's file name.

    Returns:
        The submissions, sorted by student and chapter.
    """
    by_key: dict[tuple[str, str], list[tuple[Received, NotebookNode | None, Finding | None,
                                             list[Finding]]]] = {}
    for item in received:
        notes: list[Finding] = []
        if item.problem is not None or item.path is None:
            notebook, problem = None, item.problem or Finding(NOT_GRADED, (
                f"{item.label} could not be read"))
        else:
            notebook, problem = read_notebook(item.path, item.label)
            if notebook is not None and problem is not None:
                notes, problem = [problem], None
        content = identify_chapter(notebook, releases) if notebook is not None else None
        if content is None and notebook is not None:
            problem = Finding(NOT_GRADED, (
                f"{item.label} is not one of the course's notebooks (none of its cells is "
                "a graded cell of any chapter): ask the student to work in the released notebook"
            ))
        elif content and item.claimed_chapter and content != item.claimed_chapter:
            problem = Finding(REPAIRED, (
                f"{item.label} was handed in for {item.claimed_chapter} but is the notebook "
                f"of {content}; it was graded as {content}"
            ))
        chapter = content or item.claimed_chapter or UNKNOWN_CHAPTER
        by_key.setdefault((item.student, chapter), []).append((item, notebook, problem, notes))

    submissions = []
    misfiled: dict[tuple[str, str], list[Finding]] = {}
    for (student, chapter), items in sorted(by_key.items()):
        name = notebook_names.get(chapter, "")
        items.sort(key=lambda entry: (
            entry[1] is None, entry[2] is not None,
            PurePosixPath(entry[0].label.split(":")[-1]).name != name, entry[0].label,
        ))
        item, notebook, problem, notes = items[0]
        gradable = notebook is not None and (problem is None or problem.status == REPAIRED)
        findings = ([problem] if problem else []) + notes + ([item.note] if item.note else [])
        for other, _, other_problem, _ in items[1:]:
            if not gradable and other_problem is not None:
                findings.append(other_problem)
                continue
            why = f": {other_problem.reason}" if other_problem is not None else ""
            findings.append(Finding(GRADED, (
                f"{len(items)} notebooks were handed in for this chapter; {item.label} was "
                f"{'graded' if gradable else 'looked at'}, not {other.label}{why}"
            )))
        if problem and problem.status == REPAIRED:
            misfiled.setdefault((student, item.claimed_chapter), []).append(Finding(MISSING, (
                f"the notebook handed in for this chapter ({item.label}) is {chapter}'s; "
                "it was graded there"
            )))
        submissions.append(Submission(
            student, chapter, notebook if gradable else None, findings, item.label,
            item.timestamp if gradable else None,
        ))
    for (student, chapter), findings in misfiled.items():
        if (student, chapter) not in by_key:
            submissions.append(Submission(student, chapter, None, findings))
    return sorted(submissions, key=lambda s: (s.student, s.chapter))

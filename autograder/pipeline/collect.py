"""Finding each student's notebooks in a folder of submissions, and which chapter each one is.

Instructors receive submissions in different shapes. `collect` accepts a folder
that holds any of:

- nbgrader's layout, `submitted/<student>/<chapter>/<notebook>.ipynb` (the
  folder itself, or a folder with a `submitted/` inside);
- one folder per student, with the student's notebooks or zip files anywhere
  inside it: `<student>/dags.ipynb`, `<student>/week4/dags.ipynb`;
- one file per student: `<student>.ipynb` or `<student>.zip`.

The student is the name of the top folder or file. The chapter of a notebook
is read from its contents (its graded cells), so a renamed file still counts;
the folder or file name it came in only decides for a notebook that cannot be
read. Every file found is copied into the workspace, so the instructor's
folder is never changed.

Example:

    received = collect(Path("downloads"), workspace / "received", chapters)
    submissions = assign(received, releases)
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nbformat.notebooknode import NotebookNode

from autograder.pipeline.notebooks import (
    GRADED,
    MISSING,
    NOT_GRADED,
    REPAIRED,
    Finding,
    identify_chapter,
    read_notebook,
)

UNKNOWN_CHAPTER = "unknown"


@dataclass
class Received:
    """One notebook file as the instructor received it.

    Args:
        student: the student's id (a safe folder name).
        path: the copy of the file in the workspace.
        label: where it came from, relative to the submissions folder (zip members as
            `alice.zip:dags.ipynb`).
        claimed_chapter: the chapter its folder or file name points to, if any.
    """

    student: str
    path: Path
    label: str
    claimed_chapter: str | None


@dataclass
class Submission:
    """What one student handed in for one chapter, ready to grade or to report.

    Args:
        student: the student's id.
        chapter: the chapter (nbgrader assignment) it is graded as.
        notebook: the notebook to grade, or None when there is nothing gradable.
        findings: what the instructor should know about it, before grading.
        label: the file it came from.
    """

    student: str
    chapter: str
    notebook: NotebookNode | None
    findings: list[Finding] = field(default_factory=list)
    label: str = ""


def student_id(name: str) -> str:
    """A folder-safe student id from a file or folder name ('Ada Lovelace' -> 'Ada-Lovelace')."""
    safe = re.sub(r"[^A-Za-z0-9_.@-]+", "-", name).strip("-.")
    return safe or "student"


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


def _submissions_root(folder: Path) -> Path:
    inner = folder / "submitted"
    return inner if inner.is_dir() else folder


def _wanted(path: PurePosixPath) -> bool:
    hidden = any(part.startswith(".") or part == "__MACOSX" for part in path.parts)
    return not hidden and path.suffix in (".ipynb", ".zip")


def collect(folder: Path, destination: Path, chapters: dict[str, str]) -> list[Received]:
    """Copies every student notebook under `folder` into `destination/<student>/`.

    Args:
        folder: the instructor's folder of submissions.
        destination: where the copies go (emptied first).
        chapters: chapter -> its notebook's file name.

    Returns:
        One `Received` per notebook, sorted by student and label.

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
    received = []
    used_ids: dict[str, str] = {}
    for entry in sorted(root.iterdir()):
        name = entry.name if entry.is_dir() else entry.stem
        if entry.name.startswith(".") or not (entry.is_dir() or _wanted(PurePosixPath(entry.name))):
            continue
        student = student_id(name)
        while used_ids.setdefault(student, name) != name:
            student += "_"
        files = (
            [path for path in sorted(entry.rglob("*"))
             if path.is_file() and _wanted(path.relative_to(entry))]
            if entry.is_dir() else [entry]
        )
        for path in files:
            inner = path.relative_to(entry).parts if entry.is_dir() else ()
            label = str(path.relative_to(root))
            if path.suffix == ".zip":
                received += _unzip(path, student, label, inner[:-1], destination, chapters)
                continue
            copy = destination / student / "files" / f"{len(received):03d}-{path.name}"
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
            received.append(Received(student, copy, label, claimed_chapter(inner, chapters)))
    return received


def _unzip(archive: Path, student: str, label: str, prefix: tuple[str, ...],
           destination: Path, chapters: dict[str, str]) -> list[Received]:
    found = []
    target = destination / student / "files"
    target.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in sorted(bundle.namelist()):
                path = PurePosixPath(member)
                if member.endswith("/") or path.suffix != ".ipynb" or not _wanted(path):
                    continue
                copy = target / f"{label.replace('/', '_')}-{len(found):03d}-{path.name}"
                copy.write_bytes(bundle.read(member))
                found.append(Received(student, copy, f"{label}:{member}",
                                      claimed_chapter(prefix + path.parts, chapters)))
    except zipfile.BadZipFile:
        copy = target / archive.name
        shutil.copyfile(archive, copy)
        found.append(Received(student, copy, label, None))
    if not found:
        copy = target / archive.name
        shutil.copyfile(archive, copy)
        found.append(Received(student, copy, label, None))
    return found


def assign(received: list[Received], releases: dict[str, NotebookNode],
           notebook_names: dict[str, str]) -> list[Submission]:
    """Decides which chapter each received notebook is graded as, one submission per chapter.

    A notebook counts for the chapter its graded cells belong to, so one filed
    under the wrong chapter is graded as its own. When a student hands in two
    notebooks for a chapter, the readable one filed in the right place with the
    chapter's file name is graded, and the finding names the other.

    Args:
        received: the collected notebooks.
        releases: chapter -> its release notebook.
        notebook_names: chapter -> its notebook's file name.

    Returns:
        The submissions, sorted by student and chapter.
    """
    by_key: dict[tuple[str, str], list[tuple[Received, NotebookNode | None, Finding | None]]] = {}
    for item in received:
        if item.path.suffix == ".zip":
            notebook, problem = None, Finding(NOT_GRADED, (
                f"{item.label} is not a zip file that holds a notebook: ask the student to "
                "submit the .ipynb file"
            ))
        else:
            notebook, problem = read_notebook(item.path, item.label)
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
        by_key.setdefault((item.student, chapter), []).append((item, notebook, problem))

    submissions = []
    misfiled: dict[tuple[str, str], list[Finding]] = {}
    for (student, chapter), items in sorted(by_key.items()):
        name = notebook_names.get(chapter, "")
        items.sort(key=lambda entry: (
            entry[1] is None, entry[2] is not None,
            PurePosixPath(entry[0].label.split(":")[-1]).name != name, entry[0].label,
        ))
        item, notebook, problem = items[0]
        findings = [problem] if problem else []
        findings += [Finding(GRADED, (
            f"{len(items)} notebooks were handed in for this chapter; {item.label} was graded, "
            f"not {other.label}"
        )) for other, _, _ in items[1:]]
        if problem and problem.status == REPAIRED:
            misfiled.setdefault((student, item.claimed_chapter), []).append(Finding(MISSING, (
                f"the notebook handed in for this chapter ({item.label}) is {chapter}'s; "
                "it was graded there"
            )))
        gradable = problem is None or problem.status == REPAIRED
        submissions.append(Submission(
            student, chapter, notebook if gradable else None, findings, item.label
        ))
    for (student, chapter), findings in misfiled.items():
        if (student, chapter) not in by_key:
            submissions.append(Submission(student, chapter, None, findings))
    return sorted(submissions, key=lambda s: (s.student, s.chapter))

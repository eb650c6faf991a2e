"""Reading a submitted notebook, telling which chapter it is, and repairing its graded cells.

nbgrader identifies a notebook's graded cells by the `grade_id` in each cell's
`metadata.nbgrader`. Students change that metadata without meaning to: they
delete a cell, copy one (JupyterLab copies its metadata too), edit a read-only
test cell in another editor, or change a cell's label. nbgrader then either
aborts the whole batch (a duplicated `grade_id`), crashes while putting a
deleted cell back, or grades the wrong cell. `repair` puts the nbgrader cells
back as the release has them, before nbgrader sees the notebook, and says what
it changed, so the change reaches the instructor as the submission's status.

`read_notebook` also reads notebooks saved in nbformat 3 (an older Jupyter:
`worksheets` in place of `cells`), converting them to nbformat 4 with a note
saying so, and refuses a file over `MAX_NOTEBOOK_BYTES`.

Example:

    submitted, finding = read_notebook(path)
    if submitted is not None:
        findings = repair(submitted, release_notebook)
"""

from __future__ import annotations

import copy
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

# Statuses, from the most to the least serious. `report` keeps the first of a
# submission's findings in this order as its status.
NOT_GRADED = "not-graded"
TAMPERING = "tampering-suspected"
KERNEL_DIED = "kernel-died"
TIMED_OUT = "timed-out"
ERRORS = "errors"
REPAIRED = "repaired"
TRUNCATED = "output-truncated"
MISSING = "missing"
GRADED = "graded"
STATUSES = (NOT_GRADED, TAMPERING, KERNEL_DIED, TIMED_OUT, ERRORS, REPAIRED, TRUNCATED, MISSING,
            GRADED)

# The largest notebook graded, in bytes: a chapter's notebook with its outputs is well
# under 1 MB. `collect` applies it too, to files and to zip members as they are read.
MAX_NOTEBOOK_BYTES = 20 * 2**20


@dataclass(frozen=True)
class Finding:
    """Something about a submission that the instructor should know.

    Args:
        status: one of `STATUSES`.
        reason: one sentence for the instructor, naming the cell when there is one.
    """

    status: str
    reason: str


def printable(text: str) -> str:
    """`text` safe to print and to write as UTF-8: bytes that are not UTF-8 (a file name's)
    become U+FFFD, control and direction-changing characters their escape (`\\x1b`)."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    return "".join(
        character.encode("unicode_escape").decode("ascii")
        if unicodedata.category(character) in ("Cc", "Zl", "Zp") or character in _BIDI_CONTROLS
        else character
        for character in raw.decode("utf-8", "replace"))


_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")


def nbgrader_metadata(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def cell_grade_id(cell) -> str | None:
    return nbgrader_metadata(cell).get("grade_id")


def read_notebook(path: Path, label: str | None = None
                  ) -> tuple[NotebookNode | None, Finding | None]:
    """Reads a submitted notebook, or says why it cannot be graded.

    Args:
        path: the submitted `.ipynb` file.
        label: the file's name in messages (default: its name).

    Returns:
        `(notebook, None)` when it reads as a notebook; `(notebook, note)` when it
        was converted from an older nbformat (the note, status `graded`, says so);
        else `(None, finding)` with status `not-graded` and what is wrong with the file.
    """
    name = label or path.name
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return None, too_large(name, size)
    raw = path.read_bytes()
    if not raw.strip():
        return None, Finding(NOT_GRADED, (
            f"{name} is empty (0 bytes of notebook): ask the student to save the "
            "notebook in Jupyter and submit it again"
        ))
    try:
        content = json.loads(raw.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as error:
        return None, Finding(NOT_GRADED, (
            f"{name} is not valid notebook JSON ({error.msg}; line {error.lineno}, "
            f"column {error.colno}): ask the student to submit the file Jupyter saved, unedited"
        ))
    except RecursionError:
        return None, Finding(NOT_GRADED, (
            f"{name} is not valid notebook JSON (it is nested too deeply): ask the student "
            "to submit the file Jupyter saved, unedited"
        ))
    if not isinstance(content, dict) or not ("cells" in content or "worksheets" in content):
        return None, Finding(NOT_GRADED, (
            f"{name} is JSON but not a Jupyter notebook (it has no cells): ask the student "
            "to submit the .ipynb file of the chapter"
        ))
    version = content.get("nbformat")
    try:
        notebook = nbformat.reads(json.dumps(content), as_version=4)
        for cell in notebook.cells:
            cell.setdefault("metadata", NotebookNode())
            if cell.cell_type == "code":
                cell.setdefault("outputs", [])
                cell.setdefault("execution_count", None)
    except Exception as error:  # nbformat raises several kinds on malformed notebooks
        return None, Finding(NOT_GRADED, (
            f"{name} could not be read as a notebook ({type(error).__name__}: "
            f"{str(error)[:200]}): ask the student to submit the file Jupyter saved"
        ))
    if isinstance(version, int) and version < 4:
        return notebook, Finding(GRADED, (
            f"{name} was saved in notebook format {version} (an older Jupyter); it was "
            "converted to format 4 and graded"
        ))
    return notebook, None


def too_large(name: str, size: int) -> Finding:
    """The finding for a file over `MAX_NOTEBOOK_BYTES` (`size` in bytes, or more)."""
    return Finding(NOT_GRADED, (
        f"{name} is {size / 2**20:.1f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB a "
        "notebook may be: ask the student to clear its outputs (Kernel > Restart Kernel and "
        "Clear Outputs), save, and submit it again"
    ))


def write_notebook(notebook, path: Path) -> None:
    """Writes a notebook, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


def _fingerprint(notebook) -> set[tuple[str, str]]:
    """The graded labels and read-only cell sources that identify a chapter's notebook."""
    marks = set()
    for cell in notebook.cells:
        metadata = nbgrader_metadata(cell)
        if metadata.get("grade_id"):
            marks.add(("id", metadata["grade_id"]))
        if metadata.get("locked") and cell.source.strip():
            marks.add(("source", cell.source.strip()))
    return marks


def identify_chapter(notebook, releases: dict[str, NotebookNode]) -> str | None:
    """The chapter whose release notebook this submission is, or None if it matches none.

    Args:
        notebook: a submitted notebook.
        releases: chapter -> its release notebook (from `course/`).

    Returns:
        The chapter sharing the most graded labels and read-only cells with the
        submission; None when it shares none with any chapter.
    """
    marks = _fingerprint(notebook)
    best, best_score = None, 0
    for chapter, release in sorted(releases.items()):
        score = len(marks & _fingerprint(release))
        if score > best_score:
            best, best_score = chapter, score
    return best


def _describe(release_cell) -> str:
    metadata = nbgrader_metadata(release_cell)
    if metadata.get("grade") and not metadata.get("solution"):
        kind = "test cell"
    elif metadata.get("solution"):
        kind = "answer cell"
    else:
        kind = "read-only cell"
    return f"{kind} {metadata['grade_id']}"


def _blank_metadata(cell) -> None:
    cell.metadata.pop("nbgrader", None)
    cell.metadata.pop("deletable", None)
    cell.metadata.pop("editable", None)


def _restored(release_cell) -> NotebookNode:
    cell = copy.deepcopy(release_cell)
    cell.pop("id", None)
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def repair(notebook, release) -> list[Finding]:
    """Puts the submission's nbgrader cells back as the release has them.

    In place, on `notebook`:

    - a graded label that appears more than once is kept on one cell (for a
      read-only cell, the copy whose source is the release's); the other copies
      lose their label and run as ordinary cells;
    - a label the chapter does not have is removed, unless the cell is a
      re-labelled read-only cell, which gets its label back;
    - the nbgrader metadata of every labelled cell (points, read-only flag, cell
      type) is the release's, and an edited read-only cell gets its source back;
    - a deleted labelled cell is put back after the cell that precedes it in
      the release (an answer cell comes back as the unanswered stub).

    Args:
        notebook: the submitted notebook, as read by `read_notebook`.
        release: the chapter's release notebook.

    Returns:
        One `repaired` finding per change, in notebook order; empty if none was needed.
    """
    release_cells = {cell_grade_id(cell): cell for cell in release.cells if cell_grade_id(cell)}
    release_order = list(release_cells)
    release_sources = {cell.source.strip(): grade_id for grade_id, cell in release_cells.items()
                       if nbgrader_metadata(cell).get("locked")}
    findings: list[Finding] = []

    # Which cell keeps each label: the first copy, or for a read-only cell the unedited copy.
    holders: dict[str, list] = {}
    for cell in notebook.cells:
        grade_id = cell_grade_id(cell)
        if grade_id in release_cells:
            holders.setdefault(grade_id, []).append(cell)
    keepers = {}
    for grade_id, cells in holders.items():
        original = release_cells[grade_id].source.strip()
        unedited = [cell for cell in cells if cell.source.strip() == original]
        keepers[grade_id] = unedited[0] if unedited and len(cells) > 1 else cells[0]

    for cell in notebook.cells:
        metadata = nbgrader_metadata(cell)
        if not metadata:
            continue
        grade_id = metadata.get("grade_id")
        if grade_id in release_cells and keepers[grade_id] is cell:
            continue
        if grade_id in release_cells:
            _blank_metadata(cell)
            findings.append(Finding(REPAIRED, (
                f"the {_describe(release_cells[grade_id])} appears more than once; "
                "the extra copy was run as an ordinary cell"
            )))
            continue
        relabelled = release_sources.get(cell.source.strip())
        if relabelled and relabelled not in keepers:
            keepers[relabelled] = cell
            cell.metadata["nbgrader"] = copy.deepcopy(release_cells[relabelled].metadata.nbgrader)
            findings.append(Finding(REPAIRED, (
                f"the {_describe(release_cells[relabelled])} had been re-labelled "
                f"{grade_id!r}; its label was put back"
            )))
            continue
        _blank_metadata(cell)
        findings.append(Finding(REPAIRED, (
            f"a cell labelled {grade_id!r}, which this chapter does not grade, "
            "was run as an ordinary cell"
        )))

    for grade_id, cell in keepers.items():
        release_cell = release_cells[grade_id]
        edited = (
            nbgrader_metadata(release_cell).get("locked")
            and cell.source.strip() != release_cell.source.strip()
        )
        if edited:
            findings.append(Finding(REPAIRED, (
                f"the {_describe(release_cell)} had been edited; the original was graded"
            )))
        elif cell.cell_type != release_cell.cell_type:
            findings.append(Finding(REPAIRED, (
                f"the {_describe(release_cell)} had been changed to a {cell.cell_type} cell; "
                f"it was graded as a {release_cell.cell_type} cell"
            )))
        if edited or cell.cell_type != release_cell.cell_type:
            index = notebook.cells.index(cell)
            notebook.cells[index] = _restored(release_cell)
            keepers[grade_id] = notebook.cells[index]
        else:
            cell.metadata["nbgrader"] = copy.deepcopy(release_cell.metadata.nbgrader)

    for position, grade_id in enumerate(release_order):
        if grade_id in keepers:
            continue
        earlier = [keepers[before] for before in release_order[:position] if before in keepers]
        index = notebook.cells.index(earlier[-1]) + 1 if earlier else 0
        restored = _restored(release_cells[grade_id])
        notebook.cells.insert(index, restored)
        keepers[grade_id] = restored
        what = "its answer was graded as unanswered" if nbgrader_metadata(
            restored).get("solution") else "the original was put back"
        findings.append(Finding(REPAIRED, (
            f"the {_describe(restored)} had been deleted; {what}"
        )))
    _give_cells_unique_ids(notebook)
    return findings


def _give_cells_unique_ids(notebook) -> None:
    """Cell ids (nbformat 4.5) must be present and unique; copied or restored cells break that."""
    if (notebook.nbformat, notebook.nbformat_minor) < (4, 5):
        for cell in notebook.cells:
            cell.pop("id", None)
        return
    seen = set()
    for index, cell in enumerate(notebook.cells):
        if not cell.get("id") or cell.id in seen:
            cell.id = f"cell-{index}"
            while cell.id in seen:
                cell.id += "-copy"
        seen.add(cell.id)

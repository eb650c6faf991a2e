"""The students' feedback pages: a page a student can keep, read offline and pass on.

nbgrader's `generate_feedback` renders each autograded notebook to HTML with
`FeedbackHTMLExporter` (set in `nbgrader_config.py` and by the grading
workspace) in place of nbconvert's HTMLExporter, with the course's own feedback
template (`templates/feedback/index.html.j2`, which replaces nbgrader's).

The page differs from nbgrader's in five ways:

- hidden tests are not shown: in every cell, the region from `### BEGIN HIDDEN
  TESTS` to `### END HIDDEN TESTS` (markers included) becomes the one comment
  line `HIDDEN_TESTS_NOTE`, and the source lines of that region are taken out of
  every traceback (an IPython traceback quotes the lines around the failing
  one); the visible checks, the outputs and the error messages stay, so the
  student reads why a hidden check failed without reading the check;
- each score line names its exercise: "Exercise 2 · check `ex2_scores_shape` —
  1 / 1 point", the exercise number read from the course's `exN_` grade-id
  prefix (`exercise_number`), in the list at the top and in each cell's heading;
- long text wraps: outputs, tracebacks and code wrap inside the page
  (`white-space: pre-wrap; overflow-wrap: anywhere`) instead of running off it;
- nothing is fetched: no MathJax, require.js, jQuery or web font, no remote
  image (a link to it instead), CSS inlined without `url(...)`; math stays as
  its LaTeX text;
- nothing runs: the HTML that markdown cells, outputs and comments bring is
  sanitised (`clean_feedback_html`: no script, no event handler, no
  `javascript:` link, images only from `data:image/` or http(s)), and the
  finished page is swept once more for any script, frame, link or handler.

Example:

    exporter = FeedbackHTMLExporter()
    html, _ = exporter.from_notebook_node(autograded_notebook, resources={"nbgrader": {
        "notebook": "welcome", "score": 3, "max_score": 4, "late_penalty": 0}})
"""

from __future__ import annotations

import copy
import html as html_lib
import json
import numbers
import re
from pathlib import Path

import bleach
import jinja2
import markupsafe
import nbformat
import nbgrader
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Bool, default, validate

# The delimiters nbgrader's ClearHiddenTests looks for (the course keeps its defaults).
BEGIN_HIDDEN_TESTS = ClearHiddenTests.begin_test_delimeter.default_value
END_HIDDEN_TESTS = ClearHiddenTests.end_test_delimeter.default_value
HIDDEN_TESTS_NOTE = "# Hidden tests ran here; their result is in this cell's score."
HIDDEN_TRACEBACK_NOTE = "    (lines of the hidden tests are not shown)"

TEMPLATES = Path(__file__).resolve().parent / "templates"
"""The folder holding the course's `feedback/` template (it comes before nbgrader's)."""
BOOTSTRAP_CSS = (Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader"
                 / "static" / "node_modules" / "bootstrap" / "dist" / "css")
"""nbgrader's copy of Bootstrap 3, whose CSS the template inlines."""

# What the feedback page keeps of the HTML a notebook brings: text markup, tables and
# images; everything else (script, style, iframe, form, svg, event handlers) is shown as text.
FEEDBACK_TAGS = frozenset({
    *bleach.ALLOWED_TAGS, "p", "div", "span", "pre", "br", "hr", "h1", "h2", "h3", "h4", "h5",
    "h6", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "sup",
    "sub", "del", "s", "ins", "dl", "dt", "dd", "kbd", "samp", "var", "small", "mark", "q",
    "cite", "u", "details", "summary", "figure", "figcaption",
})
_IMAGE_SOURCES = ("http://", "https://", "data:image/png;", "data:image/jpeg;",
                  "data:image/gif;", "data:image/webp;", "data:image/svg+xml;")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "id", "title", "align"):
        return True
    if tag == "a":
        return name == "href" and not value.strip().lower().startswith("data:")
    if tag == "img":
        return name in ("alt", "width", "height") or (
            name == "src" and value.strip().lower().startswith(_IMAGE_SOURCES))
    return (tag in ("td", "th") and name in ("colspan", "rowspan")) or (
        tag == "ol" and name == "start")


def clean_feedback_html(html) -> str:
    """HTML from a notebook, made inert for the feedback page (`FEEDBACK_TAGS` only)."""
    return bleach.clean(str(html), tags=FEEDBACK_TAGS, attributes=_allowed_attribute,
                        protocols={"http", "https", "mailto", "data"}, strip_comments=True)


def hide_hidden_tests(source: str) -> tuple[str, list[str]]:
    """A cell's source with each hidden-test region replaced by `HIDDEN_TESTS_NOTE`.

    The region runs from a line holding `BEGIN_HIDDEN_TESTS` to the next line
    holding `END_HIDDEN_TESTS`, both included; a region left open runs to the end
    of the cell, and a stray end marker is dropped. The note keeps the begin
    marker's indentation.

    Returns:
        The new source, and the lines taken out (markers included), in order.
    """
    kept: list[str] = []
    hidden: list[str] = []
    inside = False
    for line in str(source).split("\n"):
        if BEGIN_HIDDEN_TESTS in line:
            if not inside:
                kept.append(line[:len(line) - len(line.lstrip())] + HIDDEN_TESTS_NOTE)
            inside = True
            hidden.append(line)
        elif END_HIDDEN_TESTS in line:
            inside = False
            hidden.append(line)
        elif inside:
            hidden.append(line)
        else:
            kept.append(line)
    return "\n".join(kept), hidden


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
# A source line as an IPython traceback quotes it: "----> 3 code" or "      1 code".
_QUOTED_LINE = re.compile(r"^\s*(?:-*>\s*)?\d+ ?(.*)$")
# A hidden line this long is also taken out of any traceback line that contains it.
_LONG_LINE = 20


def strip_hidden_lines(traceback: list[str], hidden: list[str]) -> list[str]:
    """A traceback without the source lines of hidden tests it quotes.

    A traceback entry (one frame, often several lines, with ANSI colours) loses
    each line whose text, once its colours and IPython's line number are taken
    off, is one of the `hidden` lines, or which contains a hidden line of 20
    characters or more; the first line taken out of an entry becomes
    `HIDDEN_TRACEBACK_NOTE`. The error's own message line is kept unless it
    quotes hidden source whole.
    """
    secrets = {line.strip() for line in hidden if line.strip()}
    long_secrets = [line for line in secrets if len(line) >= _LONG_LINE]
    cleaned = []
    for entry in traceback:
        kept: list[str] = []
        noted = False
        for line in str(entry).split("\n"):
            plain = _ANSI.sub("", line)
            quoted = _QUOTED_LINE.match(plain)
            if plain.strip() in secrets or (quoted and quoted.group(1).strip() in secrets) or any(
                    secret in plain for secret in long_secrets):
                if not noted:
                    kept.append(HIDDEN_TRACEBACK_NOTE)
                    noted = True
                continue
            kept.append(line)
        cleaned.append("\n".join(kept))
    return cleaned


def _scrub(value, hidden: list[str]):
    """`value` (metadata) with every string holding a hidden region scrubbed too."""
    if isinstance(value, str) and BEGIN_HIDDEN_TESTS in value:
        text, lines = hide_hidden_tests(value)
        hidden.extend(lines)
        return text
    if isinstance(value, dict):
        return {key: _scrub(item, hidden) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, hidden) for item in value]
    return value


def without_hidden_tests(notebook):
    """A copy of `notebook` whose pages show no hidden test (`hide_hidden_tests`).

    Every cell's source and metadata lose their hidden regions; every error
    output's traceback loses the hidden lines it quotes (`strip_hidden_lines`);
    outputs are otherwise kept.
    """
    notebook = copy.deepcopy(notebook)
    hidden: list[str] = []
    for cell in notebook.cells:
        if BEGIN_HIDDEN_TESTS in cell.get("source", ""):
            cell.source, lines = hide_hidden_tests(cell.source)
            hidden.extend(lines)
        if BEGIN_HIDDEN_TESTS in json.dumps(cell.get("metadata", {})):
            cell.metadata = nbformat.from_dict(_scrub(cell.metadata, hidden))
    if hidden:
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output.traceback = strip_hidden_lines(output.get("traceback", []), hidden)
    return notebook


def exercise_number(grade_id) -> int | None:
    """The exercise a grade id belongs to, from the course's `exN_` prefix; None without one.

    Example: `exercise_number("ex2_scores_shape")` is 2.
    """
    match = re.match(r"ex(\d+)_", str(grade_id or ""))
    return int(match.group(1)) if match else None


def cell_label(cell) -> markupsafe.Markup:
    """What the page calls a graded cell: "Exercise 2 · check `ex2_scores_shape`".

    The kind is "check" for a test cell, "answer" for a graded answer and
    "task" for a task; without an `exN_` prefix the exercise is left out
    ("Check `setup`"). The grade id is escaped.
    """
    metadata = cell.get("metadata", {}).get("nbgrader", {})
    grade_id = str(metadata.get("grade_id", ""))
    kind = "task" if metadata.get("task") else "answer" if metadata.get("solution") else "check"
    number = exercise_number(grade_id)
    name = f"Exercise {number} · {kind}" if number is not None else kind.capitalize()
    return markupsafe.Markup(f"{name} <code>{html_lib.escape(grade_id)}</code>")


def _number(value, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            return float(str(value))
        except ValueError:
            raise ValueError(
                f"points_text: `{argument}` must be a number, got {value!r}; pass the "
                "cell's score and points as nbgrader's gradebook gives them (floats)."
            ) from None
    return float(value)


def _shown(value: float) -> str:
    return f"{round(value, 2):g}"


def points_text(score, points) -> str:
    """A cell's score as the page shows it: "1 / 1 point", "0.5 / 2 points".

    A cell not scored yet (`score` None) shows "not scored (2 points)".

    Raises:
        ValueError: when `score` or `points` is not a number.
    """
    maximum = _number(points, "points")
    unit = "point" if maximum == 1 else "points"
    if score is None:
        return f"not scored ({_shown(maximum)} {unit})"
    return f"{_shown(_number(score, 'score'))} / {_shown(maximum)} {unit}"


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
_IMPORT = re.compile(r"@import\s[^;]*;?", re.IGNORECASE)
_URL = re.compile(r"url\(\s*(['\"]?)(?!data:)[^)]*\)", re.IGNORECASE)
_SOURCE_MAP = re.compile(r"/\*#\s*source(Mapping)?URL=[^*]*\*/", re.IGNORECASE)


def offline_css(css: str) -> str:
    """CSS that fetches nothing: no `@font-face`, `@import`, non-data `url(...)`, source map."""
    css = _FONT_FACE.sub("", str(css))
    css = _IMPORT.sub("", css)
    css = _SOURCE_MAP.sub("", css)
    return _URL.sub("none", css)


# Tags the finished page may not hold at all, and attributes that take a URL.
_DROPPED_TAGS = ("script", "link", "iframe", "frame", "frameset", "object", "embed", "applet",
                 "base", "form", "noscript", "template")
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "srcset", "poster",
                   "background", "data")


def inert_page(page: str) -> str:
    """The finished page swept once more: nothing in it runs or fetches anything.

    Script, frame, link, object and form elements go (with what they hold), as
    do event-handler attributes, `javascript:`/`vbscript:` URLs and
    `<meta http-equiv>`; a remote image becomes a link to it; every `<style>`
    goes through `offline_css`.
    """
    soup = BeautifulSoup(page, features="html.parser")
    for element in soup.find_all(_DROPPED_TAGS):
        element.decompose()
    for element in soup.find_all("meta"):
        if element.has_attr("http-equiv"):
            element.decompose()
    for element in soup.find_all(True):
        for name in list(element.attrs):
            value = " ".join(element[name]) if isinstance(element[name], list) else str(
                element[name])
            if name.lower().startswith("on") or (
                    name.lower() in _URL_ATTRIBUTES
                    and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(
                        ("javascript:", "vbscript:"))):
                del element[name]
    for image in soup.find_all("img"):
        source = str(image.get("src", ""))
        if not source.strip().lower().startswith("data:"):
            link = soup.new_tag("a", href=source) if source.strip() else soup.new_tag("span")
            link.string = f"[image: {image.get('alt') or source or 'no source'}]"
            image.replace_with(link)
    for style in soup.find_all("style"):
        style.string = offline_css(style.string or "")
    return str(soup)


class FeedbackHTMLExporter(HTMLExporter):
    """The feedback page of an autograded notebook: no hidden test, nothing live or fetched.

    nbconvert's HTMLExporter with the course's feedback template
    (`TEMPLATES/feedback`, found before nbgrader's of the same name), `sanitize_html`
    on and markdown cells sanitised too: nbgrader's feedback template renders
    markdown cells itself, without the `sanitize_html` switch, so `markdown2html`
    cleans what it renders; `clean_html`, which the switch applies to outputs,
    keeps tables and images. See the module's docstring for what the page shows.
    """

    sanitize_html = Bool(True, help="Whether the notebook's own HTML is sanitised.").tag(
        config=True)

    @default("template_name")
    def _template_name_default(self):
        return "feedback"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES)]

    @validate("extra_template_basedirs")
    def _course_template_first(self, proposal):
        return [str(TEMPLATES), *(path for path in proposal["value"] if path != str(TEMPLATES))]

    @default("extra_template_paths")
    def _extra_template_paths_default(self):
        return [str(BOOTSTRAP_CSS)]

    @validate("extra_template_paths")
    def _bootstrap_found(self, proposal):
        paths = list(proposal["value"])
        return paths if str(BOOTSTRAP_CSS) in paths else [*paths, str(BOOTSTRAP_CSS)]

    @jinja2.pass_context
    def markdown2html(self, context, source):
        return clean_feedback_html(HTMLExporter.markdown2html(self, context, source))

    def default_filters(self):
        yield from super().default_filters()
        yield ("markdown2html", self.markdown2html)
        yield ("clean_html", clean_feedback_html)
        yield ("cell_label", cell_label)
        yield ("points_text", points_text)

    def from_notebook_node(self, nb, resources=None, **kw):
        """The page of `nb`, as HTMLExporter renders it, from a copy without hidden tests.

        Each test cell holds the test that was graded (nbgrader's OverwriteCells put
        it back from the gradebook, and `TrustedExecute` keeps it in the notebook).
        """
        page, resources = super().from_notebook_node(without_hidden_tests(nb), resources, **kw)
        return inert_page(page), resources

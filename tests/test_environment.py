"""The installed environment is the one pyproject.toml promises, and nothing needs the network."""

import re
import socket
import tomllib
from importlib.metadata import requires, version
from pathlib import Path

import pytest
import yaml  # PyYAML: a requirement of distributed and of nbgrader
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("package", "at_least", "below"),
    [
        ("tensorflow", "2.16", "3"),
        ("keras", "3.0", "4"),
        ("nbgrader", "0.9", "0.10"),
        ("jupyterlab", "4.2", "5"),
        ("notebook", "7.2", "8"),
        ("nbval", "0.11", "0.12"),
    ],
)
def test_pinned_stack_is_installed(package, at_least, below):
    installed = Version(version(package))
    assert Version(at_least) <= installed < Version(below), f"{package} {installed}"


def test_library_and_data_work_with_the_network_blocked(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from keras_functional_course import builders, data

    pairs = data.load_digit_pairs(num_pairs=20)
    model = builders.build_digit_pair_classifier()
    assert model(pairs.inputs).shape == (20, 1)


def test_no_code_downloads_datasets_or_weights():
    sources = [*ROOT.glob("src/**/*.py"), *ROOT.glob("autograder/**/*.py")]
    assert sources
    for path in sources:
        text = path.read_text()
        assert "keras.datasets" not in text, path
        assert "weights=\"imagenet\"" not in text and "weights='imagenet'" not in text, path


# environment.yml, for conda users, against pyproject.toml: every dependency from conda-forge
# at the same bounds, and the project itself through pip without dependencies.

CONDA_NAMES = {
    # The PyPI matplotlib; conda-forge's "matplotlib" also pulls in a Qt GUI backend.
    "matplotlib": "matplotlib-base",
    # conda-forge spells these Jupyter packages with underscores.
    "jupyter-client": "jupyter_client",
    "jupyter-server": "jupyter_server",
    "jupyterlab-server": "jupyterlab_server",
}
"""PyPI name -> conda-forge name, where they differ."""

CONDA_EXTRAS = {
    # psycopg[binary] adds the psycopg-binary wheel, which bundles libpq; conda-forge's psycopg
    # is built against its separate libpq package.
    ("psycopg", "binary"): "libpq",
}
"""(PyPI name, extra) -> the conda-forge package that provides what the extra adds."""

PIP_ONLY = {
    "nbgrader": "conda-forge's newest nbgrader is 0.9.5 (January 2025); pyproject pins 0.9.6",
}
"""Dependencies that come from the pip section: no conda-forge build at pyproject's version."""

UNVERSIONED = {
    "pip": "runs the pip section and the second command",
}
"""conda-forge packages with no pyproject counterpart, listed without a version."""

BUILDS = {
    "tensorflow": "cpu_*",  # the course runs on a CPU; not the CUDA build where a GPU driver is
}
"""The only packages whose build string environment.yml may choose."""

CHANNELS = ["conda-forge", "nodefaults"]  # nodefaults: not the channels of the user's .condarc
PYTHON = "python=3.11"


def _bounds(spec: str) -> tuple:
    """(lower, upper) of a comma-separated spec in the syntax conda and PEP 440 share, each
    bound (Version, inclusive) or None; `==v` is both bounds inclusive. Anything else (conda's
    `=v` or `|`, `~=`, `!=`, wildcards) raises: this test then cannot vouch for the spec."""
    lower = upper = None
    for clause in filter(None, (part.strip() for part in spec.split(","))):
        match = re.fullmatch(r"(>=|<=|==|>|<)\s*(\d[0-9A-Za-z.]*)", clause)
        if not match:
            raise ValueError(f"cannot compare the version clause {clause!r}")
        operator, value = match.group(1), Version(match.group(2))
        if operator in (">=", ">", "=="):
            lower = _tighter(lower, (value, operator != ">"), max)
        if operator in ("<=", "<", "=="):
            upper = _tighter(upper, (value, operator != "<"), min)
    return lower, upper


def _tighter(old, new, pick):
    if old is None or new is None:
        return old or new
    if old[0] == new[0]:
        return (old[0], old[1] and new[1])
    return old if pick(old[0], new[0]) == old[0] else new


def _intersect(first: tuple, second: tuple) -> tuple:
    return _tighter(first[0], second[0], max), _tighter(first[1], second[1], min)


def _show(bounds: tuple) -> str:
    lower, upper = bounds
    if lower and lower == upper and lower[1]:
        return f"=={lower[0]}"
    parts = []
    if lower:
        parts.append(f"{'>=' if lower[1] else '>'}{lower[0]}")
    if upper:
        parts.append(f"{'<=' if upper[1] else '<'}{upper[0]}")
    return ",".join(parts) or "any version"


def _pip_only_requirements() -> dict[str, list[str]]:
    """The installed requirements of each PIP_ONLY package, which must be its pinned version."""
    requirements = {}
    for name in PIP_ONLY:
        pinned = next(
            Requirement(line)
            for line in _pyproject()["project"]["dependencies"]
            if canonicalize_name(Requirement(line).name) == name
        )
        assert pinned.specifier.contains(version(name)), f"{name} {version(name)}: not {pinned}"
        requirements[name] = requires(name) or []
    return requirements


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def environment_problems(text: str, pyproject: dict, pip_only_requires: dict) -> list[str]:
    """What is wrong with environment.yml's text, measured against pyproject.toml."""
    problems = []
    environment = yaml.safe_load(text)
    if environment.get("channels") != CHANNELS:
        problems.append(f"channels are {environment.get('channels')}, not {CHANNELS}")

    # What conda-forge must provide: conda name -> (bounds, where they come from).
    expected, expected_pip = {}, {}

    def expect(requirement: Requirement, source: str) -> None:
        name = canonicalize_name(requirement.name)
        for extra in requirement.extras:
            if (name, extra) in CONDA_EXTRAS:
                expected[CONDA_EXTRAS[name, extra]] = ((None, None), f"{name}[{extra}]")
            else:
                problems.append(f"{source}: {requirement} has an extra with no conda package")
        bounds = _bounds(str(requirement.specifier))
        if name in PIP_ONLY and source == "pyproject.toml":
            expected_pip[name] = bounds
            return
        conda_name = CONDA_NAMES.get(name, name)
        if conda_name in expected:
            bounds = _intersect(expected[conda_name][0], bounds)
            source = f"{expected[conda_name][1]} and {source}"
        expected[conda_name] = (bounds, source)

    for line in pyproject["project"]["dependencies"]:
        expect(Requirement(line), "pyproject.toml")
    for line in pyproject["build-system"]["requires"]:  # the --no-build-isolation build
        expect(Requirement(line), "build-system")
    for name, lines in pip_only_requires.items():  # so pip takes only the package itself
        for requirement in map(Requirement, lines):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                expect(requirement, name)

    found, pip_lines = {}, []
    for item in environment.get("dependencies") or []:
        if isinstance(item, dict):
            if list(item) != ["pip"]:
                problems.append(f"unknown dependency entry {item}")
            pip_lines += item.get("pip") or []
            continue
        if item == PYTHON:
            found["python"] = None
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(?:\s+(\S+))?(?:\s+(\S+))?", str(item))
        if not match:
            problems.append(f"cannot read the conda spec {item!r}")
            continue
        name, spec, build = match.groups()
        if name in found:
            problems.append(f"{name} is listed twice")
        found[name] = item
        if build != BUILDS.get(name):
            problems.append(f"{item}: build {build!r}, expected {BUILDS.get(name)!r}")
        if name in UNVERSIONED:
            if spec:
                problems.append(f"{item}: {name} is listed without a version")
            continue
        if name not in expected:
            problems.append(f"{item}: neither in pyproject.toml nor needed by a pip package")
            continue
        try:
            bounds = _bounds(spec or "")
        except ValueError as error:
            problems.append(f"{item}: {error}")
            continue
        want, source = expected[name]
        if bounds != want:
            problems.append(f"{item}: allows {_show(bounds)}, {source} says {_show(want)}")
    if "python" not in found:
        problems.append(f"no {PYTHON}")
    elif not SpecifierSet(pyproject["project"]["requires-python"]).contains("3.11"):
        problems.append("requires-python excludes 3.11")
    for name in sorted((set(expected) | set(UNVERSIONED)) - set(found)):
        problems.append(f"{name} is missing ({expected.get(name, ('', UNVERSIONED.get(name)))[1]})")

    # The pip section: exactly the PIP_ONLY packages, at pyproject's bounds; never the project,
    # which pip would install with its dependencies, from PyPI where conda has no match.
    pip_found = {}
    for line in pip_lines:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            problems.append(
                f"pip section: {line!r} is not a package (the project goes in the "
                "second command, with --no-deps)"
            )
            continue
        name = canonicalize_name(requirement.name)
        pip_found[name] = line
        if name not in expected_pip:
            problems.append(f"pip section: {line} is not one of {sorted(PIP_ONLY)}")
        elif _bounds(str(requirement.specifier)) != expected_pip[name]:
            problems.append(
                f"pip section: {line} disagrees with pyproject.toml ({_show(expected_pip[name])})"
            )
    for name in sorted(set(expected_pip) - set(pip_found)):
        problems.append(f"pip section: {name} is missing")

    # The project: the header's second command, without dependencies.
    header = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    commands = [
        "conda env create -f environment.yml",
        f"conda run -n {environment.get('name')} pip install --no-deps --no-build-isolation -e .",
    ]
    for command in commands:
        if command not in header:
            problems.append(f"the header comment does not give the command `{command}`")
    return problems


def test_environment_yml_agrees_with_pyproject():
    text = (ROOT / "environment.yml").read_text()
    assert environment_problems(text, _pyproject(), _pip_only_requirements()) == []


WRONG_ENVIRONMENTS = {
    "a narrower range": ("tensorflow >=2.16,<2.22", "tensorflow >=2.16,<2.21"),
    "another pin": ("nbval ==0.11.0", "nbval ==0.10.0"),
    "no upper bound": ("keras >=3.3,<4", "keras >=3.3"),
    "conda syntax it cannot vouch for": ("ruff >=0.6", "ruff 0.6.*"),
    "the defaults channel": ("  - nodefaults", "  - defaults"),
    "another python": ("python=3.11", "python=3.12"),
    "a missing package": ("  - rich >=13\n", ""),
    "an unexplained package": ("  - rich >=13\n", "  - rich >=13\n  - pandas\n"),
    "a missing nbgrader requirement": ("  - rapidfuzz >=1.8\n", ""),
    "no libpq for psycopg[binary]": ("  - libpq\n", ""),
    "the CUDA build": ("cpu_*", "cuda*"),
    "nbgrader at another version": ("nbgrader==0.9.6", "nbgrader==0.9.5"),
    "the project in the pip section": ("- nbgrader==0.9.6", "- nbgrader==0.9.6\n      - -e ."),
    "the second command with dependencies": ("pip install --no-deps ", "pip install "),
}


@pytest.mark.parametrize(("old", "new"), WRONG_ENVIRONMENTS.values(), ids=WRONG_ENVIRONMENTS)
def test_environment_check_finds_a_wrong_environment(old, new):
    text = (ROOT / "environment.yml").read_text()
    assert old in text
    problems = environment_problems(text.replace(old, new), _pyproject(), _pip_only_requirements())
    assert problems, f"{old!r} -> {new!r} went unnoticed"


def test_environment_check_finds_a_new_pyproject_dependency():
    pyproject = _pyproject()
    pyproject["project"]["dependencies"].append("pandas>=2")
    text = (ROOT / "environment.yml").read_text()
    problems = environment_problems(text, pyproject, _pip_only_requirements())
    assert any(problem.startswith("pandas is missing") for problem in problems), problems

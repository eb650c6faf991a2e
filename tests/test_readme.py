"""README.md tells the truth about the commands: CI runs exactly its install and test lines."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _block_after(heading: str, text: str) -> list[str]:
    """The lines of the first ```bash block after a bold heading like **Install**."""
    match = re.search(rf"\*\*{heading}\*\*.*?```bash\n(.*?)```", text, re.S)
    assert match, f"README.md has no ```bash block after **{heading}**"
    return [line for line in match.group(1).splitlines() if line.strip()]


def _ci_section(name: str) -> list[str]:
    script = (ROOT / ".ci" / "run").read_text()
    match = re.search(rf"# {name} \(README.md\)\n(.*?)(?:\n\n|\Z)", script, re.S)
    assert match, f".ci/run has no '# {name} (README.md)' section"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_ci_installs_exactly_as_readme_says():
    readme = (ROOT / "README.md").read_text()
    assert _ci_section("Install") == _block_after("Install", readme)


def test_ci_runs_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert _ci_section("Test") == _block_after("Test", readme)


def test_readme_gives_the_conda_commands_of_environment_yml():
    """README's conda lines are the file's: create from conda-forge, then the project alone.

    tests/test_environment.py checks the file's packages against pyproject.toml."""
    text = (ROOT / "environment.yml").read_text()
    environment = yaml.safe_load(text)
    assert environment["channels"] == ["conda-forge", "nodefaults"]
    assert "python=3.11" in environment["dependencies"]
    readme = (ROOT / "README.md").read_text()
    for command in ("conda env create -f environment.yml",
                    "pip install --no-deps --no-build-isolation -e ."):
        assert command in text and command in readme, command

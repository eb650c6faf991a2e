"""`kfc-grade`'s entry point: starts the fork server, then loads the grader.

`kfc-grade` spends seconds importing nbgrader, nbformat and matplotlib before
it grades anything, and its fork server (`autograder.pipeline.forkserver`)
spends as long importing nbgrader before it can fork the first command. This
module imports almost nothing: it starts the fork server first, so that the
server imports on one core while this process imports the grader
(`autograder.pipeline.cli`) on the other, then hands over to `cli.main`,
which grades with that server (`forkserver.serving` keeps to one per run).
Asking for help or for `kfc-grade release` starts no server.

Example (what the `kfc-grade` script runs):

    from autograder.pipeline.launch import main
    sys.exit(main())
"""

from __future__ import annotations

import contextlib
import sys

from autograder.pipeline import forkserver


def grades(argv: list[str]) -> bool:
    """Whether `kfc-grade argv` grades (and will fork nbgrader's commands)."""
    return argv[:1] != ["release"] and not any(
        argument in ("-h", "--help") for argument in argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with forkserver.serving(forkserver.command_environment()) if grades(argv) \
            else contextlib.nullcontext() as server:
        if server is not None:
            server.start()
        from autograder.pipeline.cli import main as grade

        return grade(argv)

"""`python -m autograder.mutation`: the mutation score of each exercise of the course.

For every exercise of the chapters asked for, the mutants of its solution
(`autograder.mutation.generate`) run against its test cells in one kernel per
notebook (`autograder.mutation.run`). Prints one row per exercise (caught,
equivalent, survived, total, seconds), then each surviving mutant that is not in
`autograder/mutation/equivalent.toml`, each catch whose first failing test cell
raised something other than an AssertionError (with the mutated cell itself
running cleanly), each listed equivalent that a test cell rejects, and the total
time. `--rewrites` also grades the equivalent rewrites of `tests/rewrites/`.

Exit status: 0 when every survivor is listed as equivalent, 1 when one is not
(or, with --rewrites, a rewrite loses points; or the right answer fails its
tests in the replay), 2 when the command was called wrongly.
"""

from __future__ import annotations

import argparse
import sys
import time

import nbformat

from autograder.mutation import generate, run


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="python -m autograder.mutation",
        description="Mutation score of each exercise: how many mutants of the solution "
                    "the exercise's test cells catch.",
        epilog="examples:\n"
               "  python -m autograder.mutation                         every chapter\n"
               "  python -m autograder.mutation --chapter 04            chapter 04-dags\n"
               "  python -m autograder.mutation --chapter dags --exercise ex1_inception\n"
               "  python -m autograder.mutation --chapter 05 --list     the mutants only\n"
               "  python -m autograder.mutation --chapter 03 --rewrites also the rewrites",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--chapter", action="append", default=[],
                         help="chapter folder, number or short name (repeatable; "
                              "default: every chapter)")
    command.add_argument("--exercise", action="append", default=[],
                         help="grade_id of an exercise's solution cell (repeatable)")
    command.add_argument("--list", action="store_true",
                         help="print the mutants (key and changed line) without running them")
    command.add_argument("--rewrites", action="store_true",
                         help="also grade the equivalent rewrites in tests/rewrites/")
    command.add_argument("--timeout", type=int, default=run.CELL_TIMEOUT,
                         help="seconds allowed for each cell (default: %(default)s)")
    return command


def _chapters(asked: list[str]) -> list[str]:
    from autograder.pipeline.cli import resolve_chapters
    from autograder.pipeline.workspace import InstructorError

    try:
        return resolve_chapters(asked, run.chapters())
    except InstructorError as error:
        raise SystemExit(f"error: {error}") from None


def _solutions(chapter: str) -> dict[str, str]:
    notebook = nbformat.read(run.chapter_notebook(chapter), as_version=4)
    return {run.grade_id(c): c.source for c in notebook.cells if run.is_solution_cell(c)}


def list_mutants(chapters: list[str], wanted: set[str] | None) -> int:
    total = 0
    for chapter in chapters:
        for exercise, source in _solutions(chapter).items():
            if wanted is not None and exercise not in wanted:
                continue
            found = generate.mutants(source)
            total += len(found)
            print(f"{chapter} {exercise}: {len(found)} mutants")
            for mutant in found:
                print(f"  {mutant.key}\n      {run.changed_lines(source, mutant.code)}")
    print(f"{total} mutants")
    return 0


def _first_line(text: str, width: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 3] + "..."


def report(chapter_runs: list[run.ChapterRun], equivalents, with_rewrites: bool,
           seconds: float, out=sys.stdout) -> int:
    """Prints the table and the findings; returns the exit status."""
    scores = [run.score(e, equivalents) for c in chapter_runs for e in c.exercises]
    sources = {(c.chapter, e.exercise): e.restore.variant.code
               for c in chapter_runs for e in c.exercises if e.restore is not None}
    header = (f"{'chapter':<28} {'exercise':<22} {'caught':>6} {'equivalent':>10} "
              f"{'survived':>8} {'total':>5} {'seconds':>8}")
    if with_rewrites:
        header += f" {'rewrites':>9}"
    print(header, file=out)
    for s in scores:
        row = (f"{s.chapter:<28} {s.exercise:<22} {len(s.caught):>6} {len(s.equivalent):>10} "
               f"{len(s.survived):>8} {s.total:>5} {s.seconds:>8.1f}")
        if with_rewrites:
            rewrites = next(e for c in chapter_runs for e in c.exercises
                            if (c.chapter, e.exercise) == (s.chapter, s.exercise)).rewrites
            row += f" {len(rewrites) - len(s.failed_rewrites):>4}/{len(rewrites):<4}"
        print(row, file=out)
    for c in chapter_runs:
        print(f"{c.chapter}: {c.seconds:.1f} s (first pass {c.first_pass_seconds:.1f} s)",
              file=out)

    def section(title: str, lines: list[str]) -> None:
        if lines:
            print(f"\n{title} ({len(lines)}):", file=out)
            for line in lines:
                print(f"  {line}", file=out)

    section("Survivors not listed as equivalent", [
        f"{s.chapter} {s.exercise}: {r.variant.key}\n      "
        f"{run.changed_lines(sources[s.chapter, s.exercise], r.variant.code)}"
        for s in scores for r in s.survived])
    section("Caught, but not by an AssertionError", [
        f"{s.chapter} {s.exercise}: {r.variant.key}\n      {r.first_failure.grade_id}: "
        f"{r.first_failure.error_name}: {_first_line(r.first_failure.error_message)}"
        for s in scores for r in s.not_assertion])
    section("Listed as equivalent, but a test cell rejects it", [
        f"{s.chapter} {s.exercise}: {r.variant.key}\n      {r.first_failure.grade_id}: "
        f"{r.first_failure.error_name}: {_first_line(r.first_failure.error_message)}"
        for s in scores for r, _ in s.equivalent_caught])
    if with_rewrites:
        section("Rewrites that lose points", [
            f"{s.chapter} {s.exercise}: {r.variant.key}\n      " + (
                f"{r.first_failure.grade_id}: {r.first_failure.error_name}: "
                f"{_first_line(r.first_failure.error_message)}" if r.first_failure else
                f"the cell raised {r.cell_error[0]}: {_first_line(r.cell_error[1])}")
            for s in scores for r in s.failed_rewrites])
    unsound = [s for s in scores if not s.sound]

    def why_unsound(chapter: str, exercise: str) -> str:
        restore = next(e.restore for c in chapter_runs for e in c.exercises
                       if (c.chapter, e.exercise) == (chapter, exercise))
        if restore is None:
            return "not run"
        if restore.cell_error is not None:
            return f"its cell raised {restore.cell_error[0]}: {_first_line(restore.cell_error[1])}"
        failure = restore.first_failure
        return (f"{failure.grade_id}: {failure.error_name}: "
                f"{_first_line(failure.error_message)}")

    section("The right answer fails its tests in the replay (results unreliable)", [
        f"{s.chapter} {s.exercise}\n      {why_unsound(s.chapter, s.exercise)}"
        for s in unsound])
    total = sum(s.total for s in scores)
    caught = sum(len(s.caught) for s in scores)
    equivalent = sum(len(s.equivalent) for s in scores)
    print(f"\n{total} mutants: {caught} caught, {equivalent} equivalent, "
          f"{total - caught - equivalent} survived; {seconds:.1f} s in all", file=out)
    failed = (any(s.survived for s in scores) or bool(unsound)
              or (with_rewrites and any(s.failed_rewrites for s in scores)))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        equivalents = run.load_equivalents()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        chapters = _chapters(arguments.chapter)
    except SystemExit as error:
        print(error, file=sys.stderr)
        return 2
    wanted = set(arguments.exercise) or None
    if wanted is not None:
        present = {e for chapter in chapters for e in _solutions(chapter)}
        missing = wanted - present
        if missing:
            print(f"error: no exercise {sorted(missing)} in {', '.join(chapters)}",
                  file=sys.stderr)
            return 2
        chapters = [c for c in chapters if wanted & set(_solutions(c))]
    if arguments.list:
        return list_mutants(chapters, wanted)
    started = time.perf_counter()
    runs = []
    for chapter in chapters:
        runs.append(run.run_chapter(
            chapter, only=wanted, with_rewrites=arguments.rewrites,
            cell_timeout=arguments.timeout,
            progress=lambda line: print(line, file=sys.stderr, flush=True)))
    return report(runs, equivalents, arguments.rewrites, time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())

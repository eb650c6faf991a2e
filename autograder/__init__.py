"""The course's autograder: checks for nbgrader test cells.

`autograder.checks` holds one function per kind of check (shapes, names,
parameter counts, connectivity, sharing, node indices, loss weighting,
structural equivalence). Each raises `AssertionError` with a message written
to the student when an answer is wrong.
"""

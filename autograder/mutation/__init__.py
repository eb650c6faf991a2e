"""Mutation testing of the course's graded cells.

A *mutant* is a small, plausible change to an exercise's solution (an activation
swapped, a number changed, a list reordered, a keyword dropped, a layer class
swapped, a shared layer split in two, a call made on another tensor).
`autograder.mutation.generate` derives the mutants of a solution cell from its
source alone; `autograder.mutation.run` replays them, and the course's
equivalent rewrites of each solution, against the exercise's test cells in one
Jupyter kernel per notebook. A mutant is *caught* when a test cell raises. A
mutant that no test cell catches must be listed, with the reason it is equally
right, in `autograder/mutation/equivalent.toml` or
`autograder/mutation/equivalent/chapter_NN.toml`.

Run `python -m autograder.mutation --help` for the command that prints the
mutation score of each exercise. Nothing here imports TensorFlow or Keras: the
notebooks' kernel does.
"""

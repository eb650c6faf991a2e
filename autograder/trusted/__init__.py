"""Scores that do not rest on the grading kernel's word.

- `snapshot`: runs in the kernel; writes the notebook's variables as data.
- `rebuild`: reads a snapshot back into Keras objects, accepting data only.
- `recheck`: the process that runs the test cells on rebuilt snapshots.
- `execute`: `TrustedExecute`, the nbgrader preprocessor that ties them together.
"""

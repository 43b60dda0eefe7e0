"""``drill rehearse``: the whole assessment, end to end, on the learner's own notebook.

The parent side (CLI, app) is torch-free: it writes the scaffold, starts the child process, reads
its JSON-lines events and records each stage in the store. The child (``engine.rehearse.child``)
runs the learner's cells, checks the blanks, trains, samples as the grader does and classifies.
"""

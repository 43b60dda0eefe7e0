"""Grading exports for instructors: one drill result written for CI systems and autograders.

- ``json``: ``RunResult.to_dict()``, the shape fixed in CONTRACTS.md.
- ``junit``: JUnit XML (``junit.to_junit``), one ``<testcase>`` per check.
- ``gradescope``: Gradescope's ``results.json`` (``gradescope.to_gradescope``), one test per check.

``drill grade ID --file PATH --format json|junit|gradescope [--out PATH]`` is the command.
"""

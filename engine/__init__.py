"""The machinery of dli-drill: drill loading and grading, quiz sessions, storage, CLI and app."""

__version__ = "0.1.0"

"""Progress reports: the learner's history aggregated from the store (``history``), advice on what to
study next (``advice``), and Jinja2 templates that render it as one self-contained HTML file or as
Markdown (``render``). ``drill report`` is the command; ``python -m engine.reports.sample docs/``
writes the committed samples from a seeded synthetic history. Nothing here imports textual or torch.
"""

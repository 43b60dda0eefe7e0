"""Components the screens are built from, each with its styles in a ``.tcss`` file beside it."""

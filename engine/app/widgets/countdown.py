"""The exam's time left, always in view: it turns to a warning colour in the last five minutes."""

from __future__ import annotations

from textual.widgets import Static

WARNING_S = 5 * 60


class Countdown(Static):
    def show(self, seconds_left: float) -> None:
        # Imported on first use: engine.exam loads pydantic, which app start-up leaves to the background.
        from engine.exam.terminal import clock_text

        self.update(f"{clock_text(seconds_left)} left")
        self.set_class(0 < seconds_left <= WARNING_S, "-warning")
        self.set_class(seconds_left <= 0, "-over")

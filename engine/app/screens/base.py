"""The base of the app's screens: ``self.app`` typed as :class:`~engine.app.app.DrillApp`.

Textual types a node's ``app`` as a plain ``App``; the screens read the store, the drills and the
clock from it, so they see it as the app it is. The cast costs nothing at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    # The app module imports every screen: the name is only needed by the type checker.
    from engine.app.app import DrillApp


class DrillScreen(Screen[None]):
    """A full screen of the app; none of them returns a result."""

    # Textual declares ``app`` as a writable descriptor of the base ``App``, so narrowing it to a
    # read-only property of our app is an override mypy cannot prove safe: it is, since one app runs them.
    @property
    def app(self) -> DrillApp:  # type: ignore[override]
        return cast("DrillApp", super().app)

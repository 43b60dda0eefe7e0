"""The key bindings of every screen, read from the bindings themselves so the list cannot go stale."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from engine.app.screens.drills import DrillsScreen
from engine.app.screens.exam import ExamScreen
from engine.app.screens.home import HomeScreen
from engine.app.screens.progress import ProgressScreen
from engine.app.screens.quiz import QuizScreen

INTRO = (
    "Everything works with the mouse too. [b]Ctrl+P[/] finds any action by name; "
    "[b]Ctrl+Q[/] quits. Progress is saved as you go."
)
KEY_WIDTH = 9


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,question_mark,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Content.from_markup(INTRO), id="help-intro")
            with Horizontal(id="help-columns"):
                yield Static(self.sections([("Everywhere", type(self.app).BINDINGS), ("Home", HomeScreen.BINDINGS),
                                            ("Progress", ProgressScreen.BINDINGS)]))
                yield Static(self.sections([("Quiz", QuizScreen.BINDINGS), ("Drills", DrillsScreen.BINDINGS),
                                            ("Mock assessment", ExamScreen.BINDINGS)]))

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Keys"

    def sections(self, screens: Iterable[tuple[str, Sequence[BindingType]]]) -> Content:
        parts = []
        for title, bindings in screens:
            parts.append(Content.styled(title, "bold $text-primary"))
            for keys, description in self.rows(bindings):
                parts.append(Content.assemble((keys.ljust(KEY_WIDTH), "bold $accent"), description))
            parts.append(Content(""))
        return Content("\n").join(parts[:-1])

    def rows(self, bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
        """``(keys, description)``, one row per action: keys bound to the same action share it."""
        keys: dict[str, list[str]] = {}
        for binding in bindings:
            # Our screens declare Binding objects; Textual's tuple shorthand carries no display name.
            if isinstance(binding, Binding) and binding.description:
                display = binding.key_display or self.app.get_key_display(binding)
                keys.setdefault(binding.description, []).append(display)
        return [(", ".join(shown), description) for description, shown in keys.items()]

"""Progress: every topic and drill with its history, and the highlighted row's scores over time as
a sparkline. ``x`` writes the HTML report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Label, Sparkline, TabbedContent, TabPane

from engine import overview
from engine.app.screens.base import DrillScreen

if TYPE_CHECKING:
    from engine.quiz.bank import Bank

TREND_WINDOW = 5


class ProgressScreen(DrillScreen):
    CSS_PATH = "progress.tcss"
    BINDINGS = [
        Binding("t", "show_tab('topics')", "Topics"),
        Binding("d", "show_tab('drills')", "Drills"),
        Binding("x", "app.export_report", "Export report"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent():
            with TabPane("Topics", id="topics"):
                yield DataTable(id="topics-table", cursor_type="row", zebra_stripes=True)
                with Vertical(classes="trend"):
                    yield Label(id="topic-trend", classes="trend-label")
                    yield Sparkline(id="topic-spark")
            with TabPane("Drills", id="drills"):
                yield DataTable(id="drills-table", cursor_type="row", zebra_stripes=True)
                with Vertical(classes="trend"):
                    yield Label(id="drill-trend", classes="trend-label")
                    yield Sparkline(id="drill-spark")
        yield Footer()

    def on_mount(self) -> None:
        app = self.app
        self.topic_history = overview.topic_history(app.store)
        self.drill_records = {record.drill.id: record for record in overview.drill_records(app.store, app.drills)}
        topics = self.query_one("#topics-table", DataTable)
        topics.add_columns("topic", "answers", "right", "questions", "drills", "mastery")
        drills = self.query_one("#drills-table", DataTable)
        drills.add_columns("drill", "topic", "status", "runs", "best")
        for record in self.drill_records.values():
            best = f"{record.best:.0%}" if record.best is not None else "—"
            drills.add_row(
                record.drill.id, record.drill.topic, record.status, len(record.scores), best, key=record.drill.id
            )
        self.watch(app, "bank", self._fill_topics)
        topics.focus()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab}-table").focus()

    def _fill_topics(self, bank: Bank | None) -> None:
        if bank is None:
            return
        table = self.query_one("#topics-table", DataTable)
        table.clear()
        for row in overview.mastery(self.app.store, bank, self.app.drills, self.app.clock()):
            table.add_row(
                row.name,
                row.attempts,
                f"{row.accuracy:.0f}%" if row.accuracy is not None else "—",
                f"{row.questions_mastered}/{row.questions_total}",
                f"{row.drills_passed}/{row.drills_total}",
                f"{row.percent:.0f}%",
                key=row.name,
            )

    @on(DataTable.RowHighlighted, "#topics-table")
    def _topic(self, event: DataTable.RowHighlighted) -> None:
        topic = event.row_key.value
        if topic is None:  # every row is added with its topic as the key
            return
        history = overview.rolling_mean(self.topic_history.get(topic, []), TREND_WINDOW)
        self._trend("topic", topic, history, f"share right over the last {TREND_WINDOW} answers, oldest first")

    @on(DataTable.RowHighlighted, "#drills-table")
    def _drill(self, event: DataTable.RowHighlighted) -> None:
        drill_id = event.row_key.value
        if drill_id is None:  # every row is added with its drill id as the key
            return
        self._trend("drill", drill_id, self.drill_records[drill_id].scores, "score of each run, oldest first")

    def _trend(self, kind: str, name: str, values: list[float], caption: str) -> None:
        self.query_one(f"#{kind}-trend", Label).update(f"{name}: {caption if values else 'no history yet'}")
        spark = self.query_one(f"#{kind}-spark", Sparkline)
        spark.data = values
        spark.display = bool(values)

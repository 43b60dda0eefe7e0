"""The progress screen: tables per topic and drill, trends as sparklines, and the report export."""

from __future__ import annotations

from textual.widgets import DataTable, Sparkline, TabbedContent

from engine.app.messages import ReportExported
from engine.app.screens.progress import ProgressScreen


async def test_history_per_topic_and_drill(make_app, store, clock):
    for correct in (False, True, True):
        store.record_quiz_attempt("unet-skip", "unet", "unet.skip_connections", correct, float(correct), [0], answered_at=clock())
    store.record_drill_attempt("forward_diffusion", "fail", 3.0, 12.0, [], 1.0, None)
    store.record_drill_attempt("forward_diffusion", "pass", 12.0, 12.0, [], 1.0, None)
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        topics = screen.query_one("#topics-table", DataTable)
        assert [topics.get_row_at(i)[0] for i in range(topics.row_count)] == ["ddpm", "schedules", "unet"]
        topics.move_cursor(row=2)
        await pilot.pause()
        assert screen.query_one("#topic-spark", Sparkline).data == [0.0, 0.5, 2 / 3]

        await pilot.press("d", "down")
        assert screen.query_one(TabbedContent).active == "drills"
        drills = screen.query_one("#drills-table", DataTable)
        assert drills.get_row_at(1)[:5] == ["forward_diffusion", "ddpm", "done", 2, "100%"]
        assert screen.query_one("#drill-spark", Sparkline).data == [0.25, 1.0]


async def test_x_exports_the_html_report(make_app, drill_home):
    app = make_app()
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await pilot.press("p", "x")
        await app.workers.wait_for_complete()
        await pilot.pause()
    exported = [message for message in seen if isinstance(message, ReportExported)]
    assert exported and exported[0].path == drill_home / "report.html"
    assert exported[0].path.read_text().lstrip().lower().startswith("<!doctype html")

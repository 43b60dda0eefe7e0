"""Home, navigation, the help screen and the command palette."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.notifications import Notify
from textual.widgets import OptionList

from engine.app.commands import ACTIONS, StudyCommands
from engine.app.messages import BankLoaded
from engine.app.screens.drills import DrillsScreen
from engine.app.screens.exam import ExamScreen
from engine.app.screens.help import HelpScreen
from engine.app.screens.home import HomeScreen
from engine.app.screens.progress import ProgressScreen
from engine.app.screens.quiz import QuizScreen
from engine.app.widgets.mastery import MasteryRow
from engine.store import DatabaseRecoveredWarning


def option_texts(app) -> list[str]:
    actions = app.screen.query_one("#actions", OptionList)
    return [str(actions.get_option_at_index(i).prompt) for i in range(actions.option_count)]


async def test_home_says_what_to_do_next(make_app, store, clock):
    from engine.drills import progress
    from engine.drills.catalog import get_drill

    progress.mark_started(store, get_drill("forward_diffusion"))
    store.record_quiz_attempt("unet-skip", "unet", "unet.skip_connections", True, 1.0, [0], answered_at=clock())
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        texts = option_texts(app)
        assert any("Next drill" in text and "forward_diffusion (started)" in text for text in texts)
        assert any("Weakest topic" in text and "ddpm, 0% mastered" in text for text in texts)
        assert "Streak  1 day" in str(app.screen.query_one("#streak").render())
        rows = {row.row.name: row.row.percent for row in app.screen.query(MasteryRow)}
        assert set(rows) == {"ddpm", "schedules", "unet"}
        assert rows["unet"] > rows["ddpm"] == 0

        await pilot.press("w")
        assert app.screen.session.spec.topics == ("ddpm",) and app.screen.session.spec.review
        await pilot.press("escape", "n")
        await pilot.pause()
        assert isinstance(app.screen, DrillsScreen) and app.screen.drill.id == "forward_diffusion"


async def test_each_main_action_has_a_key_and_escape_leads_home(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        for key, screen_type in (("q", QuizScreen), ("d", DrillsScreen), ("e", ExamScreen), ("p", ProgressScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type), key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert len(app.screen_stack) == 1


async def test_the_action_list_works_with_arrows_and_mouse(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "down", "down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DrillsScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#actions", offset=(4, 7))
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)


async def test_the_bank_loads_in_the_background(make_app, store):
    app = make_app(bank=None)
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(isinstance(message, BankLoaded) for message in seen)
        assert app.bank is not None and len(app.bank) > 100
        assert "loading" not in " ".join(option_texts(app))


async def test_help_lists_every_screens_keys(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(part.render()) for part in app.screen.query("#help-columns Static"))
        for heading in ("Everywhere", "Home", "Quiz", "Drills", "Mock assessment", "Progress"):
            assert f"\n{heading}\n" in f"\n{text}\n"
        assert "e        Mock assessment" in text and "1-6      Pick" in text and "?, f1    Help" in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_the_palette_offers_every_action_and_each_drill(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        provider = StudyCommands(app.screen)
        discovered = [hit.text async for hit in provider.discover()]
        assert discovered == [title for title, _, _ in ACTIONS]
        found = [hit.text async for hit in provider.search("forward")]
        assert "Drill: forward_diffusion" in found

        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"sample_d", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, DrillsScreen) and app.screen.drill.id == "sample_ddpm"


async def test_a_database_salvaged_at_start_is_a_notification_titled_by_what_happened(make_app, store, clock):
    import os

    from engine.store import Store

    for i in range(3):
        store.record_quiz_attempt(f"q{i}", "ddpm", "ddpm.forward", True, 1.0, [0], answered_at=clock())
    store.close()
    data = store.path.read_bytes()
    store.path.write_bytes(os.urandom(100) + data[100:])
    with pytest.warns(DatabaseRecoveredWarning):
        salvaged = Store()
    app = make_app(store=salvaged)
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await pilot.pause()
    [notice] = [m.notification for m in seen if isinstance(m, Notify)]
    assert notice.title == "Database recovered"
    assert notice.message.endswith("Every row was copied into a new one: 3 quiz answers.")
    assert len(salvaged.quiz_attempts()) == 3
    salvaged.close()


async def test_a_broken_bank_is_reported_and_quizzes_wait(make_app, monkeypatch):
    import engine.quiz.bank as bank_module
    from engine.quiz.bank import BankError, Problem

    def broken(folder=None):
        raise BankError([Problem("ddpm.json", "-", "-", "invalid JSON at line 3, column 1")])

    monkeypatch.setattr(bank_module, "load_bank", broken)
    app = make_app(bank=None)
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "could not be loaded" in " ".join(option_texts(app))
    texts = [m.notification.message for m in seen if isinstance(m, Notify)]
    assert any("invalid JSON at line 3" in text for text in texts)
    assert any("drill quiz --check" in text for text in texts)

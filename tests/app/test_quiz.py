"""The quiz screen, driven by keys and clicks: answers are recorded, feedback is immediate."""

from __future__ import annotations

from engine.app.messages import ChoicePicked
from engine.app.screens.quiz import QuizScreen
from engine.app.widgets.choices import ChoiceItem


def right_positions(screen: QuizScreen) -> list[int]:
    return [position for position, choice in enumerate(screen.presented.choices) if choice.correct]


async def test_a_whole_quiz_by_keys_and_clicks(make_app, store):
    app = make_app()
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await pilot.press("q")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert len(screen.session.questions) == 4

        answered = 0
        while screen.presented is not None:
            question = screen.presented.question
            right = right_positions(screen)
            if question.multi:
                assert screen.query_one("#multi-note").display
                for position in right:
                    await pilot.press(str(position + 1))
                assert sorted(screen.picked) == right
                await pilot.press("enter")
            elif answered % 2:
                await pilot.click(screen.query(ChoiceItem)[right[0]])
            else:
                await pilot.press(str(right[0] + 1))
            answered += 1
            assert screen.result is not None and screen.result.correct
            assert screen.query_one("#verdict").display and screen.query_one("#explanation").display
            marks = [item.has_class("-right") for item in screen.query(ChoiceItem)]
            assert marks == [choice.correct for choice in screen.presented.choices]
            await pilot.press("enter")

        assert answered == 4
        assert screen.session.finished and screen.session.score().correct == 4
        assert [m.position for m in seen if isinstance(m, ChoicePicked)] != []
        attempts = store.quiz_attempts(session_id=screen.session.id)
        assert len(attempts) == 4 and all(attempt.correct for attempt in attempts)


async def test_a_wrong_pick_is_marked_and_explained(make_app, store):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("q")
        screen = app.screen
        while screen.presented.question.multi:
            await pilot.press(*[str(p + 1) for p in right_positions(screen)], "enter", "enter")
        wrong = next(p for p, choice in enumerate(screen.presented.choices) if not choice.correct)
        await pilot.press(str(wrong + 1))
        assert not screen.result.correct
        assert screen.query(ChoiceItem)[wrong].has_class("-wrong")
        assert "Not quite" in str(screen.query_one("#verdict").render())
        assert store.quiz_attempts()[-1].correct is False


async def test_mistakes_are_notifications_not_errors(make_app):
    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("q")
        screen = app.screen
        await pilot.press("6")
        await pilot.press("enter")
        assert screen.result is None
        messages = [notification.message for notification in app._notifications]
        assert any("choices 1 to" in message for message in messages)
        assert any("Pick a choice first" in message for message in messages)


async def test_leaving_and_coming_back_carries_on_the_session(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("q")
        first = app.screen.session
        await pilot.press(str(right_positions(app.screen)[0] + 1) if not app.screen.presented.question.multi else "1")
        await pilot.press("escape", "q")
        assert app.screen.session.id == first.id

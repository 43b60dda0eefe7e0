"""Typed questions in the app: the code with its blank, an answer field, feedback keyed like a diagnosis;
in the quiz the verdict comes at once, in the mock exam at the end."""

from __future__ import annotations

from textual.widgets import ContentSwitcher, Input

from engine.app.messages import BlankSubmitted
from engine.app.screens.exam import ExamScreen
from engine.app.screens.quiz import QuizScreen
from engine.app.widgets.blank import BlankAnswer
from engine.app.widgets.choices import ChoiceItem
from engine.exam.compose import ExamSpec

RIGHT = {"course-guidance": "(w + 1) * c - u * w", "course-cumprod": "torch.cumprod"}
WRONG = {"course-guidance": "u + w * (c - u)", "course-cumprod": "torch.cumsum"}
TITLES = {"course-guidance": "The lessons' formula", "course-cumprod": "A running sum"}


async def type_in(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(character, character) for character in text])


async def test_typed_questions_in_the_quiz(make_app, typed_bank, store):
    app = make_app(bank=typed_bank)
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await pilot.press("q")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        typed = 0
        while screen.presented is not None:
            question = screen.presented.question
            if question.kind == "choice":
                await pilot.press(str(next(i for i, c in enumerate(screen.presented.choices) if c.correct) + 1))
                await pilot.press("enter")
                continue
            blank = screen.query_one(BlankAnswer)
            assert not screen.query(ChoiceItem) and isinstance(app.focused, Input)
            assert "____" in blank.code
            # The first typed question gets a right answer in another spelling, the second a known mistake;
            # digits go into the field, not to the choice keys.
            await type_in(pilot, RIGHT[question.id] if typed == 0 else WRONG[question.id])
            await pilot.press("enter")
            verdict = str(blank.query_one(".blank-verdict").render())
            feedback = blank.query_one(".blank-feedback")
            if typed == 0:
                assert screen.result.correct and blank.has_class("-right") and not feedback.display
                assert "Correct." in str(screen.query_one("#verdict").render())
            else:
                assert not screen.result.correct and blank.has_class("-wrong")
                assert WRONG[question.id] in verdict and feedback.display
                assert TITLES[question.id] in feedback.source and f"The course writes: `{question.answer}`" in feedback.source
                assert str(screen.query_one("#verdict").render()).startswith("Not quite.")
            assert screen.query_one("#explanation").display
            typed += 1
            await pilot.press("enter")
        assert typed == 2
        assert [m.text for m in seen if isinstance(m, BlankSubmitted)] == []  # Enter is the screen's, priority
        attempts = {a.question_id: a.correct for a in store.quiz_attempts(session_id=screen.session.id)}
        assert sorted(attempts.values()) == [False, True, True]


async def test_an_empty_answer_is_a_notification(make_app, typed_bank):
    app = make_app(bank=typed_bank)
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("q")
        screen = app.screen
        while screen.presented.question.kind == "choice":
            await pilot.press(str(next(i for i, c in enumerate(screen.presented.choices) if c.correct) + 1), "enter")
        await pilot.press("enter")
        assert screen.result is None
        assert any("type what goes in the blank" in n.message for n in app._notifications)


async def test_typed_questions_in_the_exam(make_app, typed_bank, store):
    app = make_app(bank=typed_bank, exam_spec=ExamSpec(minutes=10, questions_per_topic=2, drills=0))
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        screen.query_one("#minutes", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        exam = screen.exam
        assert len(exam.items) == 3
        answers = {}
        while (presented := exam.current_item) is not None:
            question = presented.question
            if question.kind == "choice":
                assert screen.state() == "question"
                await pilot.press(str(next(i for i, c in enumerate(presented.choices) if c.correct) + 1))
                continue
            assert screen.state() == "typed" and isinstance(app.focused, Input)
            text = WRONG[question.id] if not answers else RIGHT[question.id]
            answers[question.id] = text
            await type_in(pilot, text)
            await pilot.press("enter")
            await pilot.pause()
            assert presented.item.answered and presented.item.typed == text
            assert not screen.query(".blank-verdict") or not screen.query_one(".blank-verdict").display
        submitted = {id(m): m.text for m in seen if isinstance(m, BlankSubmitted)}  # a bubbling message is seen at each stop
        assert list(submitted.values()) == list(answers.values())
        assert exam.finished and screen.query_one(ContentSwitcher).current == "exam-summary"
        assert exam.result().points == 2.0
        review = str(screen.query_one(".exam-review").render())
        wrong_id = next(iter(answers))
        assert f"Your answer: {answers[wrong_id]}" in review and TITLES[wrong_id] in review
        assert len(store.quiz_attempts()) == 3

"""The mock assessment: a fixed seed, the countdown with its warning, submission at zero on a fake
clock, grading a drill in a worker, and resuming an interrupted exam with its time left."""

from __future__ import annotations

import shutil

from textual.notifications import Notify
from textual.widgets import ContentSwitcher, DataTable, Input

from engine.app.messages import ExamDrillGraded
from engine.app.screens.exam import ExamScreen
from engine.app.widgets.choices import ChoiceItem
from engine.app.widgets.countdown import Countdown
from engine.exam.compose import ExamSpec


def notices(seen: list) -> list[str]:
    return [message.notification.message for message in seen if isinstance(message, Notify)]


async def open_exam(app, pilot) -> ExamScreen:
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, ExamScreen)
    return app.screen


async def start_exam(app, pilot) -> ExamScreen:
    screen = await open_exam(app, pilot)
    assert screen.query_one(ContentSwitcher).current == "exam-setup"
    assert screen.query_one("#seed", Input).value == "7"
    screen.query_one("#minutes", Input).focus()
    await pilot.press("enter")
    await pilot.pause()
    assert screen.exam is not None and screen.query_one(ContentSwitcher).current == "exam-item"
    return screen


async def answer_first_choice(screen: ExamScreen, pilot) -> None:
    presented = screen.exam.current_item
    await pilot.press("1")
    if presented.question.multi:
        await pilot.press("enter")


async def test_an_exam_runs_out_of_time_and_submits_itself(make_app, clock, store):
    app = make_app()
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        screen = await start_exam(app, pilot)
        exam = screen.exam
        assert [item.kind for item in exam.items] == ["question"] * 4
        assert str(screen.query_one(Countdown).render()) == "10:00 left"

        await answer_first_choice(screen, pilot)
        assert exam.items[0].answered
        assert screen.query(ChoiceItem), "the next question is shown"

        clock.advance(5 * 60 + 1)
        screen.tick()
        await pilot.pause()
        countdown = screen.query_one(Countdown)
        assert countdown.has_class("-warning") and str(countdown.render()) == "4:59 left"
        assert any("4:59 left" in text for text in notices(seen))

        clock.advance(5 * 60)
        screen.tick()
        await pilot.pause()
        assert exam.finished and exam.auto_submitted
        assert screen.query_one(ContentSwitcher).current == "exam-summary"
        assert any("Time is up" in text for text in notices(seen))
        table = screen.query_one("#exam-topics", DataTable)
        assert table.row_count == 2
        review = "\n".join(str(entry.render()) for entry in screen.query(".exam-review"))
        assert "Not answered." in review and "Answer: " in review
        assert store.exam(exam.id).finished_at is not None

        await pilot.press("1")
        assert exam.result().answered == 1, "keys do nothing once the exam is submitted"


async def test_quitting_pauses_the_exam_and_reopening_resumes_it(make_app, clock):
    app = make_app()
    async with app.run_test() as pilot:
        screen = await start_exam(app, pilot)
        exam_id = screen.exam.id
        await answer_first_choice(screen, pilot)
        clock.advance(90)
        await answer_first_choice(screen, pilot)
    # The app is closed: the timer stopped with it, so time away does not count.
    clock.advance(3600)

    again = make_app()
    seen = []
    async with again.run_test(message_hook=seen.append) as pilot:
        screen = await open_exam(again, pilot)
        assert screen.exam is not None and screen.exam.id == exam_id
        assert screen.query_one(ContentSwitcher).current == "exam-item"
        assert screen.exam.time_left() == 10 * 60 - 90
        assert str(screen.query_one(Countdown).render()) == "8:30 left"
        assert screen.exam.result().answered == 2
        assert any("resumed with 8:30 left" in text for text in notices(seen))


async def test_an_exam_drill_is_graded_in_a_worker(make_app, drill_home):
    app = make_app(exam_spec=ExamSpec(minutes=10, questions_per_topic=0, drills=1))
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        screen = await start_exam(app, pilot)
        item = screen.exam.items[0]
        assert item.kind == "drill"
        path = drill_home / "workspace" / f"exam-{screen.exam.id}" / f"{item.ref}.py"
        assert path.exists() and item.file == str(path)

        shutil.copyfile(app.drill(item.ref).solution_path, path)
        await pilot.press("r")
        assert screen.grading
        await app.workers.wait_for_complete()
        await pilot.pause()

        graded = [message for message in seen if isinstance(message, ExamDrillGraded)]
        assert len(graded) == 1 and graded[0].result.status == "pass"
        assert not screen.grading and item.points == item.max_points

        await pilot.press("f")
        assert screen.exam.finished and not screen.exam.auto_submitted
        assert screen.query_one(ContentSwitcher).current == "exam-summary"


async def test_finishing_early_asks_twice_and_a_new_exam_takes_the_same_seed(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        screen = await start_exam(app, pilot)
        first = [item.ref for item in screen.exam.items]
        await pilot.press("f")
        assert not screen.exam.finished
        await pilot.press("f")
        assert screen.exam.finished
        await pilot.press("n")
        assert screen.query_one(ContentSwitcher).current == "exam-setup"
        screen.query_one("#minutes", Input).focus()
        await pilot.press("enter")
        assert [item.ref for item in screen.exam.items] == first


async def test_a_setup_the_exam_refuses_is_a_notification(make_app):
    app = make_app()
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        screen = await open_exam(app, pilot)
        minutes = screen.query_one("#minutes", Input)
        minutes.value = "0"
        minutes.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.exam is None and screen.query_one(ContentSwitcher).current == "exam-setup"
        assert any("more than 0 minutes" in text for text in notices(seen))


async def answer_right(screen: ExamScreen, pilot) -> None:
    presented = screen.exam.current_item
    picks = [str(i + 1) for i, choice in enumerate(presented.choices) if choice.correct]
    await pilot.press(*picks)
    if presented.question.multi:
        await pilot.press("enter")


async def test_an_unfinished_exam_shows_no_marks_anywhere_until_it_is_submitted(make_app, store, bank, drills, clock):
    from engine.overview import due_reviews
    from engine.reports.history import collect

    app = make_app()
    async with app.run_test() as pilot:
        screen = await start_exam(app, pilot)
        await answer_right(screen, pilot)
        await answer_right(screen, pilot)
        assert screen.exam.result().answered == 2
        await pilot.press("escape")
        await pilot.pause()
        # Home: no answers counted, and the exam in progress is mentioned.
        assert str(app.screen.query_one("#totals").render()).startswith("Answers 0\n")
        assert any("exam 1 in progress: 2/4 answered, 10 min left" in text for text in option_texts(app))
        # Progress: no topic has an answer or a mastered question.
        await pilot.press("p")
        await pilot.pause()
        topics = app.screen.query_one("#topics-table", DataTable)
        rows = [topics.get_row_at(i) for i in range(topics.row_count)]
        assert [(row[1], row[3].split("/")[0], row[5]) for row in rows] == [(0, "0", "0%")] * len(rows)
        # Reports and the review schedule.
        history = collect(store, bank, drills, clock())
        assert (history.summary.quiz_answers, history.summary.reviews_due, history.exams_in_progress) == (0, 0, 1)
        assert history.exams == () and store.review_due_dates() == {} and due_reviews(store, bank, clock()) == []

        await pilot.press("escape", "e")
        await pilot.pause()
        await pilot.press("f", "f")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        # Submitted: now the marks show.
        assert str(app.screen.query_one("#totals").render()).startswith("Answers 2 (100% right)\n")
        assert not any("in progress" in text for text in option_texts(app))
        assert len(store.review_due_dates()) == 2


def option_texts(app) -> list[str]:
    from textual.widgets import OptionList

    actions = app.screen.query_one("#actions", OptionList)
    return [str(actions.get_option_at_index(i).prompt) for i in range(actions.option_count)]

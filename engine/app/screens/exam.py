"""The mock assessment: a timed exam of questions and coding drills from ``engine.exam``.

Opening the screen resumes the latest unfinished exam, with the time it had left; otherwise it
offers a new one, whose seed is shown so that the same exam can be taken again. The countdown
stays in the top bar, warns at five minutes, and at zero the exam submits itself. Answers are
final and marked only at the end, as in the real assessment. Leaving the screen (or quitting)
pauses the timer, as stopping ``drill exam`` does.

A drill is graded in a thread worker, which has the exam to itself until it reports back: the
timer tick only redraws the countdown meanwhile, and submits once grading is over.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    Button,
    Collapsible,
    ContentSwitcher,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Markdown,
    Static,
)

from engine.app.editor import edit, shown
from engine.app.messages import BlankSubmitted, ChoicePicked, ExamDrillGraded, ExamDrillRefused
from engine.app.screens.base import DrillScreen
from engine.app.widgets.blank import BlankAnswer
from engine.app.widgets.choices import MULTI_NOTE, ChoiceItem
from engine.app.widgets.countdown import WARNING_S, Countdown
from engine.quiz.catalog import CHOICE

if TYPE_CHECKING:
    from engine.drills.catalog import Drill
    from engine.exam.items import ExamResult
    from engine.exam.session import Exam, PresentedItem
    from engine.quiz.bank import Bank

MAX_CHOICES = 6
SEED_RANGE = 1_000_000
FINAL_NOTE = "Answers are final and marked at the end. s skips to the next unanswered item."
TYPED_NOTE = "Type what goes in the blank, then Enter. Answers are final and marked at the end; Tab leaves the field (then s skips)."
T = TypeVar("T")
# The states in which each action applies; the footer offers only those.
ALLOWED = {
    "pick": ("question",),
    "submit": ("question", "typed"),
    "skip": ("question", "typed", "drill"),
    "finish": ("question", "typed", "drill"),
    "edit": ("drill",),
    "grade": ("drill",),
    "new": ("finished",),
}


class ExamScreen(DrillScreen):
    CSS_PATH = "exam.tcss"
    BINDINGS = [
        Binding("1", "pick(1)", "Pick", key_display="1-6"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(2, MAX_CHOICES + 1)),
        Binding("enter", "submit", "Submit"),
        Binding("s", "skip", "Skip"),
        Binding("e", "edit", "Edit drill"),
        Binding("r", "grade", "Grade drill"),
        Binding("f", "finish", "Finish exam"),
        Binding("n", "new", "New exam"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.exam: Exam | None = None
        self.picked: set[int] = set()
        self.grading = False
        self.warned = False
        self.confirm_finish = False
        self._clock: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="exam-bar"):
            yield Label("Mock assessment", id="exam-position")
            yield Countdown(id="countdown")
        with ContentSwitcher(initial="exam-setup", id="exam-views"):
            with Vertical(id="exam-setup"):
                yield Markdown(
                    "A timed exam like the assessment: questions from every topic and coding drills, "
                    "marked at the end with a breakdown by topic. The seed fixes what is asked, so an "
                    "exam can be taken again.",
                    id="exam-intro",
                )
                with Grid(id="exam-form"):
                    for field, label in (
                        ("minutes", "Minutes"),
                        ("seed", "Seed"),
                        ("questions", "Questions per topic"),
                        ("drills", "Coding drills"),
                    ):
                        yield Label(label)
                        yield Input(id=field, type="number" if field == "minutes" else "integer", compact=True)
                yield Button("Start the exam", id="start", variant="primary", compact=True)
            yield VerticalScroll(id="exam-item")
            yield VerticalScroll(id="exam-summary")
        yield Footer()

    def on_mount(self) -> None:
        from engine.exam.compose import ExamSpec

        self.query_one(Countdown).display = False
        spec = self.app.exam_spec or ExamSpec()
        seed = spec.seed if spec.seed is not None else self.app.seed
        for field, value in (
            ("minutes", f"{spec.minutes:g}"),
            ("seed", str(seed if seed is not None else random.randrange(SEED_RANGE))),
            ("questions", str(spec.questions_per_topic)),
            ("drills", str(spec.drills)),
        ):
            self.query_one(f"#{field}", Input).value = value
        self.watch(self.app, "bank", self._bank_ready)

    def _bank_ready(self, bank: Bank | None) -> None:
        if bank is None or self.exam is not None:
            return
        from engine.exam.session import Exam

        self.exam = Exam.resume(self.app.store, bank, self._epoch, drills=self._pool())
        if self.exam is None:
            self.query_one("#minutes", Input).focus()
        elif self.exam.finished:
            self.call_later(self._show_summary, self.exam.result())
        else:
            self.notify(f"Exam {self.exam.id} resumed with {self._left()} left.")
            self.call_later(self._begin)

    def state(self) -> str:
        """``setup``, ``question`` (with choices), ``typed`` (a blank to type into), ``drill``, ``grading`` or ``finished``."""
        if self.exam is None:
            return "setup"
        if self.exam.finished:
            return "finished"
        if self.grading:
            return "grading"
        presented = self.exam.current_item
        if presented is not None and presented.drill is not None:
            return "drill"
        typed = presented is not None and presented.question is not None and presented.question.kind != CHOICE
        return "typed" if typed else "question"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in ALLOWED or self.state() in ALLOWED[action]

    @property
    def _exam(self) -> Exam:
        # The actions that reach the exam are only allowed once one is under way (ALLOWED, check_action).
        if self.exam is None:
            raise RuntimeError("no exam is under way")
        return self.exam

    def _epoch(self) -> float:
        return self.app.clock().timestamp()

    def _pool(self) -> list[Drill]:
        return [drill for drill in self.app.drills if drill.starter_path.is_file()]

    def _left(self) -> str:
        from engine.exam.terminal import clock_text

        return clock_text(self._exam.time_left())

    def _call(self, action: Callable[[], T]) -> T | None:
        """Run one exam action; time running out shows the summary, a refused action a notification."""
        from engine.exam.compose import ExamError
        from engine.exam.session import TimeUp

        try:
            return action()
        except TimeUp as up:
            self.notify("Time is up: the exam was submitted.", severity="warning", timeout=10)
            self.call_later(self._show_summary, up.result)
        except ExamError as error:
            self.notify(f"{error}.", severity="warning", markup=False)
        return None

    # Starting

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#exam-form Input")
    async def _start(self) -> None:
        from engine.exam.compose import ExamError, ExamSpec
        from engine.exam.session import Exam

        if self.app.bank is None:
            self.app.no_bank_yet()
            return
        try:
            values = {field.id: field.value for field in self.query("#exam-form Input").results(Input)}
            spec = ExamSpec(
                minutes=float(values["minutes"]),
                seed=int(values["seed"]),
                questions_per_topic=int(values["questions"]),
                drills=int(values["drills"]),
                drill_points=(self.app.exam_spec or ExamSpec()).drill_points,
            )
            self.exam = Exam.start(self.app.bank, self.app.store, spec, self._epoch, drills=self._pool())
        except ExamError as error:
            self.notify(f"{error}.", severity="error", markup=False)
            return
        except ValueError:
            self.notify("Minutes, seed and the counts must be numbers.", severity="error")
            return
        await self._begin()

    async def _begin(self) -> None:
        self.warned = False
        self.query_one(Countdown).display = True
        self.query_one(ContentSwitcher).current = "exam-item"
        # Keys go to the exam, not to a form field hidden behind it.
        self.query_one("#exam-item").focus()
        self._clock = self.set_interval(1.0, self.tick)
        self.tick()
        await self._show_item()

    # The clock

    def tick(self) -> None:
        """Once a second: redraw the countdown, warn at five minutes, submit at zero."""
        exam = self.exam
        if exam is None or exam.finished:
            return
        left = exam.time_left()
        self.query_one(Countdown).show(left)
        if left <= WARNING_S and not self.warned:
            self.warned = True
            self.notify(f"{self._left()} left.", title="Five minutes", severity="warning", timeout=10)
        if not self.grading and exam.check_time():
            self.notify("Time is up: the exam was submitted.", severity="warning", timeout=10)
            self.call_later(self._show_summary, exam.result())

    # Items

    async def _show_item(self) -> None:
        exam = self._exam
        presented = exam.current_item
        if presented is None:
            await self._show_summary(exam.finish())
            return
        self.picked = set()
        self.confirm_finish = False
        kind = "question" if presented.drill is None else "coding drill"
        self.query_one("#exam-position", Label).update(
            f"Exam {exam.id} · item {presented.number}/{presented.total} · {kind} · {presented.item.topic}"
        )
        body = self.query_one("#exam-item", VerticalScroll)
        await body.remove_children()
        if presented.drill is not None:
            path = self._call(lambda: exam.prepare_drill(self.app.workspace()))
            if path is not None:
                await body.mount_all(self._drill_view(presented.drill, presented, path))
        else:
            await body.mount_all(self._question_view(presented))
            if body.query(BlankAnswer):
                body.query_one(BlankAnswer).focus_input()
        body.scroll_home(animate=False)
        self.refresh_bindings()

    def _question_view(self, presented: PresentedItem) -> list[Widget]:
        question = presented.question
        if question is None:
            return [Static("This question is no longer in the bank; it counts for nothing. s moves on.")]
        views: list[Widget] = [Markdown(question.prompt, classes="exam-prompt")]
        if question.kind != CHOICE:
            return [*views, BlankAnswer(question.code, TYPED_NOTE)]
        if question.multi:
            views.append(Static(Content.from_markup(MULTI_NOTE)))
        views += [ChoiceItem(position, choice.text, question.multi) for position, choice in enumerate(presented.choices)]
        views.append(Static(FINAL_NOTE, classes="exam-note"))
        return views

    def _drill_view(self, drill: Drill, presented: PresentedItem, path: Path) -> list[Widget]:
        from engine.drills.view import points_text

        item = presented.item
        graded = (
            f"Latest grading: {points_text(item.points)}/{points_text(item.max_points)} points ({item.status})."
            " The latest one counts."
            if item.submissions
            else f"Not graded yet. Worth {points_text(item.max_points)} points."
        )
        return [
            Static(Content.styled(drill.title, "bold $text-primary")),
            Markdown(drill.summary, classes="exam-prompt"),
            Static(Content(f"Your file: {shown(path)}"), classes="exam-note"),
            Static(graded, id="exam-graded"),
            Horizontal(
                Button("Edit e", id="edit", compact=True),
                Button("Grade r", id="grade", variant="primary", compact=True),
                Button("Skip s", id="skip", compact=True),
                classes="exam-buttons",
            ),
        ]

    @on(Button.Pressed, ".exam-buttons Button")
    async def _pressed(self, event: Button.Pressed) -> None:
        # Each button's id is the action it runs.
        if event.button.id is not None:
            await self.run_action(event.button.id)

    async def action_pick(self, number: int) -> None:
        presented = self._exam.current_item
        if presented is None or presented.question is None:
            return
        position = number - 1
        if position >= len(presented.choices):
            self.notify(f"This question has choices 1 to {len(presented.choices)}.", severity="warning")
        elif presented.question.multi:
            self.picked ^= {position}
            self.query(ChoiceItem)[position].picked = position in self.picked
        else:
            await self._answer([position])

    @on(ChoicePicked)
    async def _clicked(self, message: ChoicePicked) -> None:
        if self.state() == "question":
            await self.action_pick(message.position + 1)

    async def action_submit(self) -> None:
        if self.state() == "typed":
            await self._answer_typed(self.query_one(BlankAnswer).value)
            return
        if not self.picked:
            self.notify("Pick a choice first: press its number or click it.", severity="warning")
            return
        await self._answer(sorted(self.picked))

    @on(BlankSubmitted)
    async def _typed(self, message: BlankSubmitted) -> None:
        if self.state() == "typed":
            await self._answer_typed(message.text)

    async def _answer(self, positions: list[int]) -> None:
        if self._call(lambda: self._exam.answer_question(positions)) is not None:
            await self._show_item()

    async def _answer_typed(self, text: str) -> None:
        if self._call(lambda: self._exam.answer_typed(text)) is not None:
            await self._show_item()

    async def action_skip(self) -> None:
        self._call(self._exam.skip)
        if not self._exam.finished:
            await self._show_item()

    def action_edit(self) -> None:
        presented = self._exam.current_item
        if presented is not None and presented.item.file:
            edit(self.app, Path(presented.item.file))

    def action_grade(self) -> None:
        self.grading = True
        self.refresh_bindings()
        self.query_one("#exam-graded", Static).update(Content.styled("Grading…", "bold $accent"))
        self._grade(self._exam)

    @work(thread=True, group="exam-grader")
    def _grade(self, exam: Exam) -> None:
        from engine.exam.compose import ExamError
        from engine.exam.session import TimeUp

        try:
            result = exam.submit_drill()
        except TimeUp:
            self.post_message(ExamDrillRefused("Time is up: the exam was submitted."))
        except ExamError as error:
            self.post_message(ExamDrillRefused(f"{error}."))
        else:
            self.post_message(ExamDrillGraded(result))

    @on(ExamDrillGraded)
    async def _graded(self, message: ExamDrillGraded) -> None:
        from engine.drills.view import points_text

        self.grading = False
        result = message.result
        self.notify(
            f"Graded {result.drill}: {points_text(result.score)}/{points_text(result.max_score)} ({result.status})."
        )
        await self._after_grading()

    @on(ExamDrillRefused)
    async def _refused(self, message: ExamDrillRefused) -> None:
        self.grading = False
        self.notify(message.reason, severity="warning", markup=False)
        await self._after_grading()

    async def _after_grading(self) -> None:
        self.refresh_bindings()
        if self._exam.finished:
            await self._show_summary(self._exam.result())
        else:
            await self._show_item()

    async def action_finish(self) -> None:
        unanswered = len(self._exam.items) - self._exam.result().answered
        if not self.confirm_finish and unanswered:
            self.confirm_finish = True
            self.notify(f"{unanswered} items are unanswered. Press f again to submit the exam.", severity="warning")
            return
        await self._show_summary(self._exam.finish())

    def action_new(self) -> None:
        self.exam = None
        self.query_one(Countdown).display = False
        self.query_one("#exam-position", Label).update("Mock assessment")
        self.query_one(ContentSwitcher).current = "exam-setup"
        self.query_one("#minutes", Input).focus()
        self.refresh_bindings()

    # The end

    async def _show_summary(self, result: ExamResult) -> None:
        from engine.drills.view import points_text
        from engine.exam.review import review
        from engine.exam.terminal import clock_text

        if self._clock is not None:
            self._clock.stop()
        self.query_one(Countdown).show(result.time_limit_s - result.time_used_s)
        how = "time ran out" if result.auto_submitted else "submitted"
        self.query_one("#exam-position", Label).update(f"Exam {result.exam_id} · seed {result.seed} · {how}")
        topics: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True, id="exam-topics")
        topics.add_columns("topic", "points", "%", "questions", "drills", "time")
        for topic in result.by_topic:
            topics.add_row(
                topic.topic,
                f"{points_text(topic.points)}/{points_text(topic.max_points)}",
                f"{topic.percent:.0f}",
                f"{topic.correct}/{topic.questions}" if topic.questions else "—",
                f"{topic.drills_passed}/{topic.drills}" if topic.drills else "—",
                clock_text(topic.time_s),
            )
        # The same per-item review `drill exam` prints (engine/exam/review.py).
        entries = [
            Static(
                Content.assemble(
                    (f"{entry.number}. {entry.heading}\n", "bold"),
                    *([(entry.code + "\n", "$text-accent")] if entry.code else []),
                    "\n".join(entry.lines),
                ),
                classes="exam-review",
            )
            for entry in review(self._exam, result)
        ]
        summary = self.query_one("#exam-summary", VerticalScroll)
        await summary.remove_children()
        await summary.mount_all(
            [
                Static(
                    Content.assemble(
                        (f"{points_text(result.points)}/{points_text(result.max_points)} points", "bold $text-primary"),
                        (f" ({result.percent:.0f}%)", "bold $text-primary"),
                        f"  {clock_text(result.time_used_s)} used of {clock_text(result.time_limit_s)}; "
                        f"{result.answered} of {len(result.items)} items answered.",
                    )
                ),
                topics,
                Static(
                    f"Seed {result.seed} asks the same exam again. n: a new exam · Escape: home.", classes="exam-note"
                ),
                Collapsible(*entries, title="What to learn from it: every item short of full marks"),
            ]
        )
        self.query_one(ContentSwitcher).current = "exam-summary"
        self.refresh_bindings()

    def on_unmount(self) -> None:
        # A grading worker still owns the exam; left unpaused, its time keeps counting, as a killed `drill exam` would.
        if self.exam is not None and not self.exam.finished and not self.grading:
            self.exam.pause()

"""Mock assessments: a timed exam of quiz questions and coding drills, with no UI and no torch.

The plain terminal (``engine.exam.terminal``, ``drill exam``) and the Textual app drive the same
objects. Everything is importable without textual or torch; drills are graded in the grader's
own process by ``engine.drills.runner.run_drill``.

API (``engine.exam.compose``, ``engine.exam.session``, ``engine.exam.items``)::

    spec = ExamSpec(minutes=45, seed=7, questions_per_topic=3, drills=2, topics=())
    exam = Exam.start(bank, store, spec, clock=time.time)     # compose from the seed, start the timer
    exam = Exam.resume(store, bank, clock=time.time)          # latest unfinished exam, or None
                                                              # (exam_id=N for a given one)

    exam.current_item -> PresentedItem | None    # .question + .choices (shuffled), or .drill
    exam.item_at(index) / exam.goto(index) / exam.skip()
    exam.answer_question([positions])            # presented positions, from 0; answers are final
    exam.prepare_drill(workspace) -> Path        # starter written to <workspace>/exam-<id>/<drill>.py
    exam.submit_drill(path=None, device=None)    # grades the file -> RunResult; the latest one counts
    exam.time_used() / exam.time_left() / exam.is_expired()
    exam.check_time()                            # submits the exam if time is up (for a timer tick)
    exam.pause()                                 # stops the timer until the next action or resume
    exam.finish() -> ExamResult                  # points, percent, by_topic, items with time_s; only now do
                                                 # the answers and submissions join the learner's history

``clock`` is any callable returning epoch seconds; tests pass a fake one. An action taken after the
deadline submits the exam and raises ``TimeUp`` (with ``.result``). Mistakes in use (a bad choice
number, answering a drill) raise ``ExamError``, a ``ValueError`` with a one-line message.
``engine.exam.items.result_of(store.exams()[i])`` scores a stored exam without a bank, for reports.
"""

"""Multiple-choice quizzes: the bank, its checked facts, sessions, spaced review and the plain-terminal mode."""
